// SHOW [SESSION] STATUS and information_schema.SESSION_STATUS (issue 16 item 8). The server's
// answer would describe the pooled backend connection, which other sessions use in between and
// which is reset when it changes hands; a client's session counts only its own statements and
// restarts at COM_RESET_CONNECTION / COM_CHANGE_USER. So the counters come from this session's
// ledger (backend/status_ledger.h), everything else from the server's own reading, and the
// client's statement runs on the backend over those rows: the server evaluates its LIKE, WHERE,
// ORDER BY and functions. Namespaces with "exact_session_status": false get the server's answer.
#include <array>
#include <map>

#include "backend/status_ledger.h"
#include "frontend/client_session.h"
#include "frontend/prepare_budget.h"
#include "session/statement_guard.h"
#include "sql/ascii_case.h"
#include "sql/derived_rows.h"

namespace tessera::frontend {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// A bit per letter (either case) and one for '_' of the bytes of `s` (other bytes: bit 63): a
// text can hold a word of letters and '_' (ASCII case folded) only if its mask has every bit of
// the word's.
constexpr std::array<uint8_t, 256> kLetterBit = [] {
  std::array<uint8_t, 256> bits{};
  for (size_t c = 0; c < bits.size(); ++c) {
    bits[c] = 63;
    if (c >= 'a' && c <= 'z') bits[c] = static_cast<uint8_t>(c - 'a');
    if (c >= 'A' && c <= 'Z') bits[c] = static_cast<uint8_t>(c - 'A');
    if (c == '_') bits[c] = 26;
  }
  return bits;
}();

constexpr uint64_t letter_mask(std::string_view s) {
  uint64_t m = 0;
  for (char c : s) m |= uint64_t{1} << kLetterBit[static_cast<uint8_t>(c)];
  return m;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ClientSession::tessera_status_values() const {
  // Bytes and compression of the client connection, not of whichever (uncompressed) backend
  // connection served it.
  return {{"Bytes_received", std::to_string(client_.bytes_read() - bytes_read_base_)},
          {"Bytes_sent", std::to_string(client_.bytes_written() - bytes_written_base_)},
          {"Compression", client_.compressed() ? "ON" : "OFF"}};
}

bool ClientSession::session_view_candidate(std::string_view sql, const sql::StatementInfo& info) {
  if (info.is_multi_statement) return false;
  if (info.kind == sql::StatementKind::Show) return true;
  if (info.kind != sql::StatementKind::Select) return false;
  // (One pass over the text rules both words out for nearly every SELECT.)
  static constexpr uint64_t kProcesslist = letter_mask("processlist");
  static constexpr uint64_t kSessionStatus = letter_mask("session_status");
  const uint64_t text = letter_mask(sql);
  return ((text & kProcesslist) == kProcesslist && sql::icontains(sql, "processlist")) ||
         ((text & kSessionStatus) == kSessionStatus && sql::icontains(sql, "session_status"));
}

asio::awaitable<bool> ClientSession::try_session_views(std::string_view sql,
                                                       const sql::StatementInfo& info) {
  if (info.is_multi_statement) co_return false;
  const sql::LexOptions lex = session::lex_options(state_);
  if (info.kind == sql::StatementKind::Show) {
    sql::ShowRequest show = sql::parse_show(sql, lex);
    if (show.what == sql::ShowRequest::What::kProcesslist) {
      co_await answer_processlist(sql, &show);
      co_return true;
    }
    if (show.what == sql::ShowRequest::What::kSessionStatus && namespace_->exact_session_status) {
      co_await answer_session_status(sql, &show);
      co_return true;
    }
    co_return false;
  }
  if (info.kind != sql::StatementKind::Select) co_return false;
  if (sql::icontains(sql, "processlist")) {
    co_await answer_processlist(sql, nullptr);
    co_return reply_.sent();
  }
  if (namespace_->exact_session_status && sql::icontains(sql, "session_status")) {
    co_await answer_session_status(sql, nullptr);
    co_return reply_.sent();
  }
  co_return false;
}

asio::awaitable<void> ClientSession::relay_own_query(const std::string& sql, bool credit) {
  if (own_execute_) {
    protocol::ErrPacket err;
    const backend::BackendStatement* bs = co_await prepare_within_budget(*conn_, sql, err);
    if (!bs) {
      co_await send_error(err);
      co_return;
    }
    const uint32_t backend_id = bs->id;
    co_await backend::rebase_status(*conn_);  // (the prepare was Tessera's)
    std::string packet = own_execute_->encode(backend_id, own_execute_types_);
    uint8_t seq = 0;
    co_await conn_->socket().write_packet(packet, seq);
    co_await relay_response(RelayMode::kExecute);
    if (!conn_) co_return;
    if (credit) co_await backend::settle_status(*conn_);
    // A text made for this one execution: no client statement will need it again.
    co_await conn_->close_prepared(sql);
    co_await backend::rebase_status(*conn_);
    co_return;
  }
  std::string payload;
  payload.reserve(sql.size() + 1);
  payload += '\x03';
  payload += sql;
  uint8_t seq = 0;
  co_await conn_->socket().write_packet(payload, seq);
  co_await relay_response(RelayMode::kQuery);
}

asio::awaitable<void> ClientSession::answer_session_status(std::string_view sql,
                                                           const sql::ShowRequest* show) {
  const sql::LexOptions lex = session::lex_options(state_);
  // The I_S form without a reference to the table (a word in a string): not ours.
  std::optional<std::string> rewritten;
  if (!show) {
    rewritten =
        sql::replace_table(sql, "information_schema", "session_status", "@", state_.db, lex);
    if (!rewritten) co_return;
  }
  if (!co_await ensure_backend()) co_return;
  std::optional<std::string> failure;
  try {
    backend::StatusRows rows = co_await backend::settle_status(*conn_);
    if (rows.empty()) rows = co_await backend::read_status(*conn_);
    backend::StatusLedger& ledger = *status_ledger_;
    // The statement itself, as the server counts it before it answers. SHOW STATUS changes no
    // other counter (the server restores them), so Tessera's own statement's effects are
    // dropped afterwards; a SELECT from the table counts as the SELECT Tessera runs.
    std::map<std::string, int64_t, std::less<>> head;
    if (show) {
      ledger.add("Com_show_status", 1);
      ledger.add("Questions", 1);
      ledger.add("Queries", 1);
      if (own_execute_) ledger.add("Com_stmt_execute", 1);
    } else {
      head = {{"Com_select", 1}, {"Questions", 1}, {"Queries", 1}};
      if (own_execute_) head.emplace("Com_stmt_execute", 1);
    }
    const auto own = tessera_status_values();
    std::vector<sql::DerivedRow> table;
    table.reserve(rows.size());
    for (auto& [name, value] : rows) {
      std::string shown = value;
      if (backend::is_session_counter(name)) {
        auto h = head.find(name);
        shown = std::to_string(ledger.get(name) + (h == head.end() ? 0 : h->second));
      }
      for (const auto& [own_name, own_value] : own) {
        if (own_name == name) shown = own_value;
      }
      table.push_back({show ? name : upper(name), std::move(shown)});
    }
    std::string query;
    if (show) {
      const std::vector<sql::DerivedColumn> columns{{"Variable_name"}, {"Value"}};
      query = "SELECT * FROM (" + sql::literal_rows(columns, table, lex) + ") AS `status`";
      if (show->filter_is_like) {
        query += " WHERE `Variable_name` ";
        query += show->filter;
      } else if (!show->filter.empty()) {
        query += ' ';
        query += show->filter;
      }
    } else {
      const std::vector<sql::DerivedColumn> columns{{"VARIABLE_NAME"}, {"VARIABLE_VALUE"}};
      query = *sql::replace_table(sql, "information_schema", "session_status",
                                  sql::literal_rows(columns, table, lex), state_.db, lex);
    }
    co_await relay_own_query(query, /*credit=*/!show);
    if (conn_ && !own_execute_) {
      if (show) {
        co_await backend::rebase_status(*conn_);
      } else {
        co_await backend::settle_status(*conn_);
      }
    }
  } catch (const std::exception& e) {
    failure = failure_text(e);
  }
  if (failure) {
    co_await send_backend_failure(*failure);
    co_return;
  }
  after_statement(nullptr);
}

}  // namespace tessera::frontend
