// SQL built at run time (issue 15): PREPARE name FROM @v, EXECUTE IMMEDIATE @v and EXECUTE
// IMMEDIATE <expression>. The server reads the text when it runs the statement, so the checks
// the literal forms get (KILL, protected variables, black_sql, read-only users and namespaces)
// need that text first. It is read on the backend connection the statement then runs on:
//   - @v: SELECT its value there (user variables live on that connection, which they pin).
//   - an expression: EXECUTE IMMEDIATE 'SET @tessera_dynamic_sql = ?' USING <expression> there
//     (evaluated once, under the server's limits for such expressions), read that, and send the
//     statement with the variable in the expression's place; the variable is set back to NULL
//     afterwards.
// Nothing else runs on the connection between the read and the statement, and the statement is
// never retried elsewhere (another connection would hold another value). The text read is put
// back into the statement as a string literal, and that statement goes through the checks.
#include <spdlog/spdlog.h>

#include "frontend/client_session.h"
#include "frontend/worker.h"
#include "protocol/constants.h"
#include "protocol/error_codes.h"
#include "session/xa_scope.h"
#include "sql/ascii_case.h"
#include "sql/hex_digits.h"
#include "sql/lexer.h"

namespace tessera::frontend {

using namespace protocol;

namespace {

constexpr ErrorCode kNotSupportedYet{1235, "42000"};  // ER_NOT_SUPPORTED_YET
constexpr std::string_view kHiddenVariable = "@tessera_dynamic_sql";

// ER_SUBQUERIES_NOT_SUPPORTED: "%s does not support subqueries or stored functions".
constexpr uint16_t kErSubqueriesNotSupported = 1970;

// How the server names the client's statement in that message.
std::string statement_word(std::string_view sql, const sql::LexOptions& lex) {
  sql::Lexer lexer(sql, false, lex);
  sql::Token first = lexer.next();
  return first.type == sql::Tok::Ident && sql::iequals(first.text(sql), "PREPARE")
             ? "PREPARE..FROM"
             : "EXECUTE IMMEDIATE";
}

bool plain_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

}  // namespace

asio::awaitable<std::optional<std::string>> ClientSession::read_dynamic_text(std::string_view var,
                                                                             ErrPacket& err) {
  const std::string v(var);
  // The server takes a binary value's bytes as they are and converts any other string to
  // character_set_connection; a number becomes its digits (CONVERT(.. USING binary) too).
  auto r =
      co_await conn_->query("SELECT " + v + " IS NULL, CHARSET(" + v +
                            "), @@character_set_connection, HEX(CONVERT(" + v + " USING binary))");
  if (!r.ok) {
    err = r.err;
    co_return std::nullopt;
  }
  if (r.rows.size() != 1 || r.rows[0].size() != 4) {
    err = ErrPacket(kNotSupportedYet, "unexpected answer reading " + v);
    co_return std::nullopt;
  }
  const auto& row = r.rows[0];
  if (row[0] == "1") co_return std::string("NULL");  // as the server prepares a NULL
  std::string hex = row[3];
  if (row[1] != "binary" && row[1] != row[2]) {
    if (!plain_name(row[2])) {
      err = ErrPacket(kNotSupportedYet, "unexpected character_set_connection '" + row[2] + "'");
      co_return std::nullopt;
    }
    auto c = co_await conn_->query("SELECT HEX(CONVERT(" + v + " USING " + row[2] + "))");
    if (!c.ok || c.rows.size() != 1 || c.rows[0].size() != 1) {
      err = c.ok ? ErrPacket(kNotSupportedYet, "unexpected answer converting " + v) : c.err;
      co_return std::nullopt;
    }
    hex = c.rows[0][0];
  }
  auto text = sql::decode_hex(hex);
  if (!text) err = ErrPacket(kNotSupportedYet, "unexpected HEX() of " + v);
  co_return text;
}

asio::awaitable<void> ClientSession::handle_dynamic_sql(std::string_view payload,
                                                        const sql::StatementInfo& info,
                                                        const session::DynamicSql& dynamic) {
  using Where = session::DynamicSql::Where;
  if (dynamic.where != Where::kWhole) {
    // Among other statements, the value is made by an earlier one of them (or read by the
    // server only as a prepared text runs): there is no moment to read it.
    co_await send_error(kNotSupportedYet,
                        "This version of Tessera doesn't yet support 'PREPARE ... FROM or EXECUTE "
                        "IMMEDIATE of a variable or expression in a multi-statement or a prepared "
                        "text; send it as a statement of its own'");
    co_return;
  }
  const std::string_view sql = payload.substr(1);
  const sql::LexOptions lex = session::lex_options(state_);
  const std::string_view expr =
      sql.substr(dynamic.expr_begin, dynamic.expr_end - dynamic.expr_begin);
  // What goes to the server: the client's text, or with the expression replaced by the
  // variable it was evaluated into.
  std::string send;
  send.reserve(payload.size() + kHiddenVariable.size());
  send.push_back(payload[0]);
  if (dynamic.variable) {
    send.append(sql);
  } else {
    send.append(sql.substr(0, dynamic.expr_begin));
    send.append(kHiddenVariable);
    send.append(sql.substr(dynamic.expr_end));
  }
  // No retry on another connection, no replica: see the top of this file.
  write_key_ = write_key_for(sql);
  if (!co_await ensure_backend()) co_return;

  std::optional<std::string> failure;
  std::optional<ErrPacket> answer;  // the client's answer when the statement is not sent
  bool hidden_set = false;
  bool sent = false;
  try {
    std::optional<std::string> text;
    ErrPacket err;
    if (dynamic.variable) {
      text = co_await read_dynamic_text(expr, err);
    } else {
      // As a USING value the expression meets the server's own limits for these texts (no
      // subquery, no stored function: 1970) and keeps its character set.
      auto r = co_await conn_->query("EXECUTE IMMEDIATE 'SET " + std::string(kHiddenVariable) +
                                     " = ?' USING " + std::string(expr));
      hidden_set = true;
      if (!r.ok) {
        err = r.err;  // the expression's own error, as the statement would have reported it
        // ER_SUBQUERIES_NOT_SUPPORTED names the statement that refused the expression: the
        // client's, not the EXECUTE ... USING that evaluated it here.
        if (err.code == kErSubqueriesNotSupported) {
          err.message = statement_word(sql, lex) + err.message.substr(err.message.find(' '));
        }
      } else {
        text = co_await read_dynamic_text(kHiddenVariable, err);
      }
    }
    std::optional<std::string> literal;
    if (text) literal = session::quote_literal(*text, lex);
    if (!text) {
      answer = err;
    } else if (!literal) {
      answer = ErrPacket(kNotSupportedYet,
                         "This version of Tessera doesn't yet support 'a prepared text it cannot "
                         "write back as a string literal in this character set'");
    } else {
      // The statement as if the client had written the text itself.
      std::string checked;
      checked.reserve(sql.size() + literal->size());
      checked.append(sql.substr(0, dynamic.expr_begin));
      checked.append(*literal);
      checked.append(sql.substr(dynamic.expr_end));
      const sql::StatementInfo checked_info = sql::classify(checked, lex);
      bool refused = false;
      if (session::holds_kill(checked, lex)) {
        spdlog::info("client {}: KILL in a prepared text built at run time refused", peer_text());
        co_await send_error(kNotSupportedYet,
                            "This version of Tessera doesn't yet support 'KILL in a "
                            "multi-statement, a stored program or a prepared text; send it as a "
                            "statement of its own'");
        refused = true;
      }
      if (!refused && session::holds_xa(checked, lex)) {
        co_await send_error(kNotSupportedYet,
                            "This version of Tessera doesn't yet support 'XA in a "
                            "multi-statement, a stored program or a prepared text; send it as a "
                            "statement of its own'");
        refused = true;
      }
      if (!refused) refused = co_await refuse_protected_variables(checked, checked_info);
      if (!refused) refused = co_await refuse_blacklisted(checked);
      if (!refused) refused = co_await refuse_read_only_write(checked);
      // Shard rules: the text may name a sharded or global table, which the default slice
      // alone cannot answer; answered as the literal form is (refused when it names one).
      if (!refused && rules_) refused = co_await try_sharded(checked, checked_info);
      if (!refused) {
        uint8_t seq = 0;
        co_await conn_->socket().write_packet(send, seq);
        sent = true;
        if (watchdog_) watchdog_->watch(*conn_);
        co_await relay_response(RelayMode::kQuery);
      }
    }
    if (hidden_set && conn_) {
      co_await conn_->query("SET " + std::string(kHiddenVariable) + " = NULL");
    }
  } catch (const std::exception& e) {
    failure = failure_text(e);
  }
  if (failure) {
    if (sent && !info.is_read() && !reply_.sent()) {
      *failure +=
          "; the statement was sent and its outcome is unknown (it may or may not have "
          "committed): check before retrying";
    }
    co_await send_backend_failure(*failure);
    co_return;
  }
  if (answer) co_await send_error(*answer);
  if (sent) {
    co_await xa_after_relay();
    after_statement(&info);
  } else {
    after_statement(nullptr);
  }
}

}  // namespace tessera::frontend
