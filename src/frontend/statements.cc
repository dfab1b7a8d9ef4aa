// Binary-protocol prepared statements. Clients see ids Tessera assigns; each
// backend connection prepares a statement the first time it runs it there
// (connections are shared, so a statement may run on any of them). Parameter
// types are always sent with EXECUTE because the backend connection may
// never have seen the client's first bind.
#include <spdlog/spdlog.h>

#include "backend/backend_error.h"
#include "exec/engine/route.h"
#include "frontend/client_session.h"
#include "frontend/prepare_budget.h"
#include "frontend/session_cursor.h"
#include "frontend/worker.h"
#include "protocol/binary_values.h"
#include "protocol/constants.h"
#include "protocol/error_codes.h"
#include "protocol/statement_packets.h"
#include "protocol/wire_writer.h"
#include "session/connection_hygiene.h"
#include "session/statement_guard.h"
#include "session/sysvar_scope.h"
#include "session/xa_scope.h"

namespace tessera::frontend {

using namespace protocol;

namespace {

// The server's text for 1835 (ER_MALFORMED_PACKET): drivers match it (the mariadb connector's
// tests do); what exactly was wrong goes to the log.
constexpr const char* kMalformedPacketText = "Malformed communication packet";

std::string unknown_handler(uint32_t id, std::string_view where) {
  return "Unknown prepared statement handler (" + std::to_string(id) + ") given to " +
         std::string(where);
}

// ER_STMT_HAS_NO_OPEN_CURSOR: COM_STMT_FETCH of a statement whose cursor is not open.
constexpr ErrorCode kStmtHasNoOpenCursor{1421, "HY000"};

// ER_NOT_SUPPORTED_YET
constexpr ErrorCode kNotSupportedYet{1235, "42000"};

}  // namespace

asio::awaitable<void> ClientSession::handle_prepare(std::string_view payload) {
  if (auto scoped =
          session::scope_bare_sysvar_assignments(payload.substr(1), session::lex_options(state_))) {
    // SET @@name = ? is prepared as SET @@session.name = ?, as the text form is sent
    // (handle_query): only then does the server report the value at each EXECUTE, so that it
    // is replayed on the session's next backend connection (same effect, same parameters).
    std::string rewritten;
    rewritten.reserve(1 + scoped->size());
    rewritten.push_back(payload[0]);
    rewritten += *scoped;
    co_await handle_prepare(rewritten);
    co_return;
  }
  worker_.context().counters.queries++;
  if (co_await refuse_blacklisted(payload.substr(1))) co_return;
  const sql::StatementInfo info = sql::classify(payload.substr(1));
  // A read-only user may not prepare what it may not run.
  if (co_await refuse_read_only_write(payload.substr(1))) co_return;
  if (co_await refuse_protected_variables(payload.substr(1), info)) co_return;
  if (info.kind == sql::StatementKind::Kill ||
      session::holds_kill(payload.substr(1), session::lex_options(state_))) {
    // The server prepares KILL n (and a procedure body holding one): executed, its id would
    // name a backend thread, not the Tessera session the client means.
    co_await send_error(kNotSupportedYet,
                        "This version of Tessera doesn't yet support 'KILL as a prepared "
                        "statement; send it as a text query'");
    co_return;
  }
  if (info.kind == sql::StatementKind::Xa ||
      session::holds_xa(payload.substr(1), session::lex_options(state_))) {
    // Its xid would not get the namespace's prefix (session/xa_scope.h).
    co_await send_error(kNotSupportedYet,
                        "This version of Tessera doesn't yet support 'XA as a prepared "
                        "statement; send it as a text query'");
    co_return;
  }
  note_connection_id_use(info);
  if (rules_ && co_await try_prepare_sharded(payload, info)) co_return;
  uint32_t id = next_statement_id_++;
  ClientStatement stmt;
  stmt.sql = std::string(payload.substr(1));
  stmt.leaves_state = session::leaves_server_state(info);
  stmt.view_candidate = session_view_candidate(stmt.sql, info);
  stmt.info = info;
  stmt.info.database = {};
  if (!co_await ensure_backend()) co_return;
  std::optional<std::string> failure;
  try {
    // Prepared here before: close that copy; the new prepare replaces it.
    co_await conn_->close_prepared(stmt.sql);
    // Tessera's share of the server's max_prepared_stmt_count is used up: this connection's
    // other statements go (they are prepared again where needed).
    if (conn_->prepared_budget_exhausted()) co_await conn_->close_other_prepared(stmt.sql);
    statements_[id] = std::move(stmt);
    uint8_t seq = 0;
    co_await conn_->socket().write_packet(payload, seq);
    co_await relay_response(RelayMode::kPrepare, id);
    if (relayed_error_code_ == kErMaxPreparedStmtCount && !conn_->prepared.empty()) {
      // The server's limit is reached, partly by statements kept here for reuse (the relay
      // held its 1461 back): close them and prepare once more; a second 1461 is the answer.
      co_await conn_->close_other_prepared(statements_[id].sql);
      seq = 0;
      co_await conn_->socket().write_packet(payload, seq);
      co_await relay_response(RelayMode::kPrepare, id);
    }
  } catch (const std::exception& e) {
    statements_.erase(id);
    failure = failure_text(e);
  }
  if (failure) {
    co_await send_backend_failure(*failure);
    co_return;
  }
  auto it = statements_.find(id);
  if (it != statements_.end() && !conn_->prepared.count(it->second.sql)) {
    statements_.erase(it);  // the backend refused it (ERR already relayed)
  }
  after_statement(nullptr);
}

asio::awaitable<void> ClientSession::send_long_data(uint32_t backend_id,
                                                    const ClientStatement& stmt) {
  for (auto& [param, data] : stmt.long_data) {
    std::string packet;
    WireWriter w(packet);
    w.u8(static_cast<uint8_t>(Command::kStmtSendLongData));
    w.u32(backend_id);
    w.u16(param);
    w.bytes(data);
    uint8_t lseq = 0;
    co_await conn_->socket().write_packet(packet, lseq);  // no reply
  }
}

asio::awaitable<void> ClientSession::handle_execute(std::string_view payload) {
  worker_.context().counters.queries++;
  uint32_t id = read_statement_id(payload.substr(1));
  auto it = statements_.find(id);
  if (it == statements_.end()) {
    co_await send_error(errc::kUnknownStmtHandler, unknown_handler(id, "mysqld_stmt_execute"));
    co_return;
  }
  ClientStatement& stmt = it->second;
  if (stmt.long_data_too_big) {
    // MariaDB's answer when long data outgrew max_allowed_packet: at every EXECUTE until
    // COM_STMT_RESET.
    co_await send_error(errc::kUnknownError,
                        "Parameter of prepared statement which is set through "
                        "mysql_send_long_data() is longer than 'max_allowed_packet' bytes");
    co_return;
  }
  auto view = StmtExecuteView::decode(payload, stmt.num_params);
  if (!view) {
    co_await send_error(errc::kMalformedPacket, kMalformedPacketText);
    co_return;
  }
  if (view->new_params_bound) stmt.param_types = std::string(view->param_types);
  // (stmt.info is the text's classification from its prepare: the text does not change.)
  if (xa_) xa_classify(stmt.info);
  if (stmt.num_params > 0 && stmt.param_types.empty()) {
    co_await send_error(errc::kWrongArguments,
                        "Incorrect arguments to mysqld_stmt_execute: parameter types never bound");
    co_return;
  }
  if (stmt.sharded) {
    co_await execute_sharded(id, stmt, *view);
    co_return;
  }
  // The packet goes to the server as is: a value whose length claim runs past the packet
  // would get whatever the server makes of it (MariaDB answers with a result), not an error.
  if (std::string overrun =
          execute_values_overrun(*view, stmt.param_types, stmt.num_params, stmt.long_data);
      !overrun.empty()) {
    spdlog::info("client {}: malformed COM_STMT_EXECUTE: {}", peer_text(), overrun);
    co_await send_error(errc::kMalformedPacket, kMalformedPacketText);
    co_return;
  }
  if (stmt.view_candidate && co_await execute_session_view(stmt, *view)) co_return;
  // One Route to the default slice (engine_run.cc): prepared on the connection it lands on,
  // executed with the client's parameters, with the failover/deadlock retries and read
  // splitting every statement gets. The classification is the text's (pins for LOCK TABLES,
  // user variables, HANDLER apply after it as after the same text statement).
  const sql::StatementInfo executed = stmt.info;
  write_key_ = write_key_for(stmt.sql);
  exec::engine::Target target;
  target.role = exec::engine::Role::kReadSplit;
  exec::engine::StatementTraits traits;
  traits.is_read = executed.is_read();
  traits.multi_statement = executed.is_multi_statement;
  // (stmt.sql outlives the run: a COM_STMT_CLOSE cannot arrive before it ends.)
  exec::engine::Route route(exec::engine::Route::Borrow{}, std::move(target), stmt.sql, traits);
  SessionCursor cursor(*this, executed, id, stmt, *view, /*sharded=*/false);
  co_await route.run(cursor);
}

asio::awaitable<bool> ClientSession::execute_session_view(const ClientStatement& stmt,
                                                          const StmtExecuteView& view) {
  // A prepared SHOW STATUS / SHOW PROCESSLIST / SELECT from their information_schema tables
  // is answered as the text form is (session_status.cc, processlist.cc), not with the pooled
  // connection's own status or threads; the client's parameters go with the rewrite.
  own_execute_ = &view;
  own_execute_types_ = stmt.param_types;
  struct Done {
    ClientSession* s;
    ~Done() { s->own_execute_ = nullptr; }
  } done{this};
  co_return co_await try_session_views(stmt.sql, stmt.info);
}

asio::awaitable<void> ClientSession::handle_bulk_execute(std::string_view payload) {
  worker_.context().counters.queries++;
  if (payload.size() < 7) {
    co_await send_error(errc::kMalformedPacket, kMalformedPacketText);
    co_return;
  }
  uint32_t id = read_statement_id(payload.substr(1));
  auto it = statements_.find(id);
  if (it == statements_.end()) {
    co_await send_error(errc::kUnknownStmtHandler, unknown_handler(id, "mysqld_stmt_bulk_execute"));
    co_return;
  }
  ClientStatement& stmt = it->second;
  if (stmt.sharded) {
    // Each row may belong to another shard: there is no one server to hand the batch to.
    co_await send_error(kNotSupportedYet,
                        "COM_STMT_BULK_EXECUTE (batch) is not supported for statements on "
                        "sharded tables; execute the statement once per row");
    co_return;
  }
  // (stmt.info is the text's classification from its prepare: the text does not change.)
  if (xa_) xa_classify(stmt.info);
  if (!co_await ensure_backend()) co_return;
  if (!(conn_->mariadb_capabilities() & mariadb_cap::kStmtBulkOperations)) {
    // (Only offered to clients when the server offers it; a server replaced by one without.)
    release_backend();
    co_await send_error(errc::kUnknownCommand, "Unknown command 250");
    co_return;
  }
  std::optional<std::string> failure;
  try {
    ErrPacket err;
    const backend::BackendStatement* bs = co_await prepare_within_budget(*conn_, stmt.sql, err);
    if (!bs) {
      after_statement(nullptr);
      co_await send_error(err);
      co_return;
    }
    // The packet goes as the client sent it (flags, types, rows), under the backend's id.
    std::string rewritten(payload);
    for (int i = 0; i < 4; ++i) rewritten[1 + i] = static_cast<char>((bs->id >> (8 * i)) & 0xff);
    uint8_t seq = 0;
    co_await conn_->socket().write_packet(rewritten, seq);
    co_await relay_response(RelayMode::kExecute);
    if (stmt.leaves_state) conn_->needs_reset = true;
  } catch (const std::exception& e) {
    failure = failure_text(e);
  }
  if (failure) {
    co_await send_backend_failure(*failure);
    co_return;
  }
  after_statement(nullptr);
}

asio::awaitable<void> ClientSession::handle_fetch(std::string_view payload) {
  uint32_t id = read_statement_id(payload.substr(1));
  auto it = statements_.find(id);
  if (it == statements_.end()) {
    co_await send_error(errc::kUnknownStmtHandler, unknown_handler(id, "mysqld_stmt_fetch"));
    co_return;
  }
  if (cursor_statement_ != id || !conn_) {
    // The server's answer for a prepared statement without a cursor (never opened, read to
    // its end, reset, or ended by max_sql_result_size).
    co_await send_error(kStmtHasNoOpenCursor,
                        "The statement (" + std::to_string(id) + ") has no open cursor");
    co_return;
  }
  auto bs = conn_->prepared.find(it->second.sql);
  if (bs == conn_->prepared.end()) {
    co_await send_error(errc::kUnknownStmtHandler, unknown_handler(id, "mysqld_stmt_fetch"));
    co_return;
  }
  std::optional<std::string> failure;
  try {
    std::string packet;
    WireWriter w(packet);
    w.u8(static_cast<uint8_t>(Command::kStmtFetch));
    w.u32(bs->second.id);
    w.bytes(payload.substr(5));  // number of rows to fetch
    uint8_t seq = 0;
    co_await conn_->socket().write_packet(packet, seq);
    co_await relay_response(RelayMode::kFetch);
    const uint64_t limit = result_row_limit();
    if (conn_ && limit != 0 && cursor_rows_ > limit) {
      // The client got max_sql_result_size's error in place of the row past the limit: the
      // cursor ends here (its next fetch is answered as for a statement without a cursor).
      co_await close_backend_cursor(bs->second.id);
      cursor_statement_ = 0;
      unpin(session::PinReason::kCursor);
    } else if (conn_ && (conn_->status_flags & status::kLastRowSent)) {
      cursor_statement_ = 0;
      unpin(session::PinReason::kCursor);
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

asio::awaitable<void> ClientSession::close_backend_cursor(uint32_t backend_id) {
  // COM_STMT_RESET closes the statement's cursor on the server; its OK (or ERR) is dropped.
  std::string packet;
  WireWriter w(packet);
  w.u8(static_cast<uint8_t>(Command::kStmtReset));
  w.u32(backend_id);
  uint8_t seq = 0;
  co_await conn_->socket().write_packet(packet, seq);
  std::string reply;
  co_await conn_->socket().read_packet(reply, seq);
}

asio::awaitable<void> ClientSession::handle_stmt_reset(std::string_view payload) {
  uint32_t id = read_statement_id(payload.substr(1));
  auto it = statements_.find(id);
  if (it == statements_.end()) {
    co_await send_error(errc::kUnknownStmtHandler, unknown_handler(id, "mysqld_stmt_reset"));
    co_return;
  }
  it->second.long_data.clear();
  it->second.long_data_too_big = false;
  if (cursor_statement_ == id && conn_) {
    auto bs = conn_->prepared.find(it->second.sql);
    if (bs != conn_->prepared.end()) {
      std::optional<std::string> failure;
      try {
        co_await close_backend_cursor(bs->second.id);
      } catch (const std::exception& e) {
        failure = failure_text(e);
      }
      if (failure) {
        co_await send_backend_failure(*failure);
        co_return;
      }
    }
    cursor_statement_ = 0;
    unpin(session::PinReason::kCursor);
    after_statement(nullptr);
  }
  co_await send_ok();
}

void ClientSession::handle_stmt_close(std::string_view payload) {
  uint32_t id = read_statement_id(payload.substr(1));
  // Copies on pooled connections stay prepared for reuse by later statements (within the
  // budget, see BackendConnection::prepared_budget_exhausted).
  statements_.erase(id);
  if (cursor_statement_ == id) {
    cursor_statement_ = 0;
    unpin(session::PinReason::kCursor);
    after_statement(nullptr);
  }
}

void ClientSession::handle_long_data(std::string_view payload) {
  if (payload.size() < 7) return;  // no reply is defined for this command
  uint32_t id = read_statement_id(payload.substr(1));
  auto it = statements_.find(id);
  if (it == statements_.end()) return;
  ClientStatement& stmt = it->second;
  uint16_t param = static_cast<uint8_t>(payload[5]) | (static_cast<uint8_t>(payload[6]) << 8);
  if (param >= stmt.num_params || stmt.long_data_too_big) return;
  // Long data waits here until EXECUTE: what one session may buffer is bounded by
  // max_allowed_packet, the most the server accepts for one parameter.
  const uint64_t limit = config_->proxy().max_allowed_packet;
  std::string_view chunk = payload.substr(7);
  if (long_data_bytes_ + chunk.size() > limit) {
    long_data_bytes_ = 0;
    for (const auto& [sid, other] : statements_) {
      for (const auto& [p, data] : other.long_data) long_data_bytes_ += data.size();
    }
  }
  if (long_data_bytes_ + chunk.size() > limit) {
    for (const auto& [p, data] : stmt.long_data) long_data_bytes_ -= data.size();
    std::map<uint16_t, std::string>().swap(stmt.long_data);
    stmt.long_data_too_big = true;
    spdlog::info(
        "client {}: COM_STMT_SEND_LONG_DATA past max_allowed_packet ({} bytes); the "
        "statement's next EXECUTE fails",
        peer_text(), limit);
    return;
  }
  stmt.long_data[param].append(chunk);
  long_data_bytes_ += chunk.size();
}

}  // namespace tessera::frontend
