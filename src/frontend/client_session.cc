#include "frontend/client_session.h"
#include "frontend/session_cursor.h"

#include <spdlog/spdlog.h>

#include <asio/use_awaitable.hpp>
#include <cctype>

#include "backend/backend_error.h"
#include "frontend/worker.h"
#include "protocol/compression.h"
#include "protocol/constants.h"
#include "protocol/error_codes.h"
#include "session/statement_guard.h"
#include "session/sysvar_scope.h"
#include "session/xa_scope.h"
#include "sql/ascii_case.h"
#include "sql/lexer.h"
#include "sql/statement_split.h"

namespace tessera::frontend {

using namespace protocol;

ClientSession::ClientSession(Worker& worker, asio::ip::tcp::socket socket)
    : worker_(worker),
      client_(std::move(socket)),
      connection_id_(worker.context().next_connection_id()),
      read_turn_(connection_id_) {
  std::error_code ec;
  client_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  auto remote = client_.socket().remote_endpoint(ec);
  if (!ec) peer_ip_ = remote.address().to_string();
  worker_.context().counters.connections_active++;
  enter_phase(Phase::kHandshake);
  worker_.add_session(this, connection_id_);
  renew_pool_owner();
}

ClientSession::~ClientSession() {
  worker_.remove_session(this, connection_id_);
  drop_replica();
  drop_slices();
  drop_backend();
  unpin();
  leave_backend_account();
  free_user_slot();
  if (admitted_) worker_.context().connection_limits.release(peer_ip_);
  worker_.context().counters.connections_active--;
}

std::string ClientSession::peer_text() const {
  return peer_ip_ + " (connection " + std::to_string(connection_id_) + ")";
}

asio::awaitable<void> ClientSession::run() {
  config_ = worker_.context().config();
  if (!co_await admit()) {
    client_.close();
    co_return;
  }
  std::optional<std::string> violation;
  std::optional<std::string> uncompress_failure;
  std::optional<uint8_t> too_large_seq;
  try {
    if (co_await handshake()) co_await command_loop();
  } catch (const PacketTooLarge& e) {
    // As the server does: ER_NET_PACKET_TOO_LARGE, numbered after the offending frame, then
    // the connection is closed (the rest of the packet is never read).
    worker_.context().counters.protocol_errors++;
    spdlog::info("client {}: {}", peer_text(), e.what());
    too_large_seq = static_cast<uint8_t>(e.seq + 1);
  } catch (const UncompressFailed& e) {
    // As the server: ER_NET_UNCOMPRESS_ERROR, then the connection is closed.
    worker_.context().counters.protocol_errors++;
    spdlog::info("client {}: {}", peer_text(), e.what());
    uncompress_failure = e.what();
  } catch (const ProtocolViolation& e) {
    worker_.context().counters.protocol_errors++;
    spdlog::info("client {}: protocol violation: {}", peer_text(), e.what());
    violation = e.what();
  } catch (const std::system_error& e) {
    spdlog::debug("client {}: connection ended: {}", peer_text(), e.code().message());
  } catch (const std::exception& e) {
    spdlog::warn("client {}: session ended by error: {}", peer_text(), e.what());
  }
  if (violation || too_large_seq || uncompress_failure) {
    // Best effort: tell the client why before closing.
    try {
      if (too_large_seq) {
        co_await send_error(errc::kNetPacketTooLarge,
                            "Got a packet bigger than 'max_allowed_packet' bytes", *too_large_seq);
      } else if (uncompress_failure) {
        co_await send_error(errc::kNetUncompressError,
                            "Couldn't uncompress communication packet: " + *uncompress_failure, 0);
      } else {
        co_await send_error(errc::kNetPacketsOutOfOrder, *violation, 0);
      }
    } catch (const std::exception&) {
    }
  }
  drop_replica();
  drop_slices();
  drop_backend();
  client_.close();
}

asio::awaitable<void> ClientSession::command_loop() {
  for (;;) {
    uint8_t seq = 0;
    enter_phase(Phase::kIdle);
    // Every command starts a new sequence at 0.
    co_await client_.read_packet(command_, seq, 0);
    enter_phase(Phase::kCommand);
    reply_.begin_command(static_cast<uint8_t>(seq + 1));
    if (command_.empty()) {
      worker_.context().counters.protocol_errors++;
      co_await send_error(errc::kMalformedPacket, "empty command packet");
      continue;
    }
    if (static_cast<Command>(command_[0]) == Command::kQuit) co_return;
    const auto command = static_cast<uint8_t>(command_[0]);
    refresh_config();
    begin_tally();
    // Pipelined prepared statements: -1 names the statement prepared last, while it exists.
    if (statements_.count(last_prepared_id_))
      resolve_last_statement_id(command_, last_prepared_id_);
    const uint32_t next_id_before = next_statement_id_;
    co_await dispatch(command_);
    rewrite_compression_status_ = false;
    if (command == static_cast<uint8_t>(Command::kStmtPrepare)) {
      // As the server: a successful prepare becomes the last one, a failed one leaves none.
      const uint32_t prepared = next_statement_id_ - 1;
      last_prepared_id_ =
          next_statement_id_ != next_id_before && statements_.count(prepared) ? prepared : 0;
    }
    finish_tally(command);
    if (command_.capacity() > 1024 * 1024) std::string().swap(command_);
    reply_.end_command();
  }
}

namespace {
// MariaDB's COM_STMT_BULK_EXECUTE (no member of protocol::Command: MariaDB only).
constexpr uint8_t kComStmtBulkExecute = 0xfa;
}  // namespace

asio::awaitable<void> ClientSession::dispatch(std::string_view payload) {
  auto cmd = static_cast<Command>(payload[0]);
  xa_join_ = xa_write_ = false;
  retry_after_instance_.clear();  // a failure of an earlier command is no news for this one
  sequence_refills_ = 0;
  schema_loads_ = 0;
  relay_statements_.clear();
  statement_keeps_diagnostics_ = false;
  if (static_cast<uint8_t>(cmd) == kComStmtBulkExecute) {
    arm_statement_limits();
    co_await handle_bulk_execute(payload);
    watchdog_.reset();
    co_return;
  }
  switch (cmd) {
    case Command::kQuery: {
      auto started = std::chrono::steady_clock::now();
      arm_statement_limits();
      co_await handle_query(payload);
      watchdog_.reset();
      if (statement_logs_wanted()) log_statement(payload.substr(1), started);
      break;
    }
    case Command::kInitDb:
      co_await handle_init_db(payload.substr(1));
      break;
    case Command::kPing:
      co_await send_ok();
      break;
    case Command::kFieldList:
      co_await handle_passthrough(payload, RelayMode::kFieldList);
      break;
    case Command::kStatistics:
      co_await handle_passthrough(payload, RelayMode::kSingle);
      break;
    case Command::kStmtPrepare:
      co_await handle_prepare(payload);
      break;
    case Command::kStmtExecute: {
      auto started = std::chrono::steady_clock::now();
      std::string text;  // the statement may be gone afterwards (a failed re-prepare)
      if (statement_logs_wanted() && payload.size() >= 5) {
        auto it = statements_.find(read_statement_id(payload.substr(1)));
        if (it != statements_.end()) text = it->second.sql;
      }
      arm_statement_limits();
      co_await handle_execute(payload);
      watchdog_.reset();
      if (!text.empty()) log_statement(text, started);
      break;
    }
    case Command::kStmtSendLongData:
      handle_long_data(payload);
      break;
    case Command::kStmtClose:
      handle_stmt_close(payload);
      break;
    case Command::kStmtReset:
      co_await handle_stmt_reset(payload);
      break;
    case Command::kStmtFetch:
      co_await handle_fetch(payload);
      break;
    case Command::kResetConnection:
      co_await handle_reset_connection();
      break;
    case Command::kProcessKill: {
      // COM_PROCESS_KILL <u32 id>: KILL CONNECTION id.
      if (payload.size() < 5) {
        co_await send_error(errc::kMalformedPacket, "malformed COM_PROCESS_KILL packet");
        break;
      }
      uint32_t id = static_cast<uint8_t>(payload[1]) | static_cast<uint8_t>(payload[2]) << 8 |
                    static_cast<uint8_t>(payload[3]) << 16 |
                    static_cast<uint32_t>(static_cast<uint8_t>(payload[4])) << 24;
      const std::string kill = "KILL CONNECTION " + std::to_string(id);
      co_await handle_kill(kill);
      break;
    }
    case Command::kChangeUser:
      if (!co_await change_user(payload)) throw std::runtime_error("COM_CHANGE_USER failed");
      break;
    case Command::kSetOption: {
      if (payload.size() >= 3) multi_statements_ = payload[1] == 0;
      uint8_t seq = reply_.restart();
      reply_.emit_result_end(0, state_.status_flags, nullptr, {}, seq);
      co_await reply_.flush();
      break;
    }
    default:
      co_await send_error(errc::kUnknownCommand,
                          "Unknown command " + std::to_string(static_cast<int>(cmd)));
      break;
  }
}

namespace {

// Statements after which the server still holds the previous statement's warnings (it clears
// them for statements that use tables): SHOW WARNINGS / ERRORS and SELECT or DO reading no
// table. Errs towards "keeps" (a connection held one statement longer), never the other way
// for the common diagnostic reads.
bool keeps_diagnostics(std::string_view sql, const sql::StatementInfo& info) {
  if (info.is_multi_statement) return false;
  auto contains = [&](std::string_view word) { return sql::icontains(sql, word); };
  if (info.kind == sql::StatementKind::Show) return contains("warnings") || contains("errors");
  if (info.kind == sql::StatementKind::Select || info.kind == sql::StatementKind::Do)
    return !contains("from");
  return false;
}

// LOAD DATA [LOW_PRIORITY | CONCURRENT] LOCAL INFILE ... (LOAD XML too).
bool is_load_data_local(std::string_view sql, const sql::LexOptions& options) {
  sql::Lexer lex(sql, false, options);
  for (int i = 0; i < 4; ++i) {
    sql::Token t = lex.next();
    if (t.type != sql::Tok::Ident) return false;
    std::string_view word = sql.substr(t.off, t.len);
    if (sql::iequals(word, "local")) return true;
    if (sql::iequals(word, "infile")) return false;
  }
  return false;
}

}  // namespace

asio::awaitable<void> ClientSession::handle_query(std::string_view payload) {
  std::string_view sql = payload.substr(1);
  // Lexed as the server lexes this session's statements (its sql_mode and character set).
  const sql::LexOptions lex = session::lex_options(state_);
  if (auto scoped = session::scope_bare_sysvar_assignments(sql, lex)) {
    // SET @@name = v: sent as SET @@session.name = v, which the server reports in the
    // session-state block (see sysvar_scope.h); same effect, same answer.
    std::string rewritten;
    rewritten.reserve(1 + scoped->size());
    rewritten.push_back(payload[0]);
    rewritten += *scoped;
    co_await handle_query(rewritten);
    co_return;
  }
  worker_.context().counters.queries++;
  sql::StatementInfo info = sql::classify(sql, lex, &lex_tape_);
  if (xa_) xa_classify(info);
  statement_keeps_diagnostics_ = keeps_diagnostics(sql, info);
  rewrite_compression_status_ = client_.compressed() && is_show_session_status(sql);
  if (!(client_caps_ & cap::kDeprecateEof) &&
      (info.is_multi_statement || info.kind == sql::StatementKind::Call)) {
    // The EOF after each result's column definitions says whether more results follow; see
    // relay_statements_.
    std::vector<sql::SplitStatement> split;
    sql::split_statements(sql, lex, split);
    for (const auto& st : split)
      relay_statements_.push_back(st.info.kind == sql::StatementKind::Call);
  }
  if (!multi_statements_ && (info.is_multi_statement || info.has_dependent_comment) &&
      co_await refuse_multi_statement(sql, lex)) {
    co_return;
  }
  if (may_assign_variables(info) && co_await refuse_protected_variables(sql, info)) co_return;
  if (info.kind == sql::StatementKind::Use && !namespace_->allows_db(info.database)) {
    co_await send_error(errc::kDbAccessDenied, "Access denied for user '" + user_->user_name +
                                                   "' to database '" + std::string(info.database) +
                                                   "'");
    co_return;
  }
  if (info.kind == sql::StatementKind::Kill && !info.is_multi_statement) {
    co_await handle_kill(sql);
    co_return;
  }
  std::string xa_text;  // the client's XA statement with its namespace's xid (keeps `sql` alive)
  if (info.kind == sql::StatementKind::Xa && !info.is_multi_statement) {
    // Client xids are scoped to the namespace (session/xa_scope.h): any account on the server
    // could otherwise see and finish another tenant's prepared branches.
    session::ScopedXa xa =
        session::scope_xa(sql, lex, session::xa_namespace_prefix(namespace_->name));
    if (xa.kind == session::ScopedXa::Kind::kRefused) {
      const ErrorCode code{xa.error_code, xa.error_code == 1398 ? "XAE05" : "42000"};
      co_await send_error(code, xa.error);
      co_return;
    }
    if (xa.kind == session::ScopedXa::Kind::kRecover) {
      co_await answer_xa_recover();
      co_return;
    }
    xa_text.reserve(1 + xa.text.size());
    xa_text.push_back(payload[0]);
    xa_text += xa.text;
    payload = xa_text;
    sql = payload.substr(1);
    info = sql::classify(sql, lex);
    if (xa_) xa_classify(info);
  } else if (session::holds_xa(sql, lex)) {
    const ErrorCode not_supported{1235, "42000"};  // ER_NOT_SUPPORTED_YET
    co_await send_error(not_supported,
                        "This version of Tessera doesn't yet support 'XA in a multi-statement, "
                        "a stored program or a prepared text; send it as a statement of its own'");
    co_return;
  }
  if (auto dynamic = session::find_dynamic_sql(sql, lex);
      dynamic.where != session::DynamicSql::Where::kNone) {
    // PREPARE ... FROM @v / EXECUTE IMMEDIATE <expression>: checked on the text it makes.
    co_await handle_dynamic_sql(payload, info, dynamic);
    co_return;
  }
  if (session::holds_kill(sql, lex)) {
    // Sent on, its id would name a backend thread (any tenant's, or a pooled connection), not
    // the Tessera session the client means.
    const ErrorCode not_supported{1235, "42000"};  // ER_NOT_SUPPORTED_YET
    co_await send_error(not_supported,
                        "This version of Tessera doesn't yet support 'KILL in a multi-statement, "
                        "a stored program or a prepared text; send it as a statement of its own'");
    co_return;
  }
  note_connection_id_use(info);
  if (is_show_tessera_topology(sql)) {
    co_await send_topology();
    co_return;
  }
  if (blacklist_applies() && co_await refuse_blacklisted(sql)) co_return;
  if (session_view_candidate(sql, info) && co_await try_session_views(sql, info)) co_return;
  if (consistency_candidate(sql, info) && co_await handle_consistency_statement(sql, info))
    co_return;
  if (read_only_applies() && co_await refuse_read_only_write(sql)) co_return;
  if (info.kind == sql::StatementKind::LoadData && !info.is_multi_statement &&
      !(client_caps_ & cap::kLocalFiles) && is_load_data_local(sql, lex)) {
    // As the server does before it opens the table (a missing table still answers 4166) and
    // after its read-only check (1290 above): the backend connection offers local files, so
    // its server would ask this client for one.
    co_await send_error(errc::kLocalInfileDisabled,
                        "The used command is not allowed because the MariaDB server or client "
                        "has disabled the local infile capability");
    co_return;
  }
  if (rules_ && !rules_->empty()) {
    // A multi-statement that starts with one goes to try_sharded: its other statements may
    // name sharded tables.
    if (auto txn = transaction_statement(info); txn && !info.is_multi_statement) {
      co_await run_transaction_control(payload, info, *txn);
      co_return;
    }
    // (Asked first: most statements name no sharded table, and try_sharded's coroutine
    // would cost its frame on each.)
    if (!names_no_rule_table(sql, info) && co_await try_sharded(sql, info)) co_return;
  }
  co_await run_unsharded(payload, info);
}

asio::awaitable<void> ClientSession::handle_init_db(std::string_view name) {
  if (!namespace_->allows_db(name)) {
    co_await send_error(errc::kDbAccessDenied, "Access denied for user '" + user_->user_name +
                                                   "' to database '" + std::string(name) + "'");
    co_return;
  }
  if (!co_await ensure_backend()) co_return;
  std::optional<std::string> failure;
  try {
    auto r = co_await conn_->init_db(name);
    if (!r.ok) {
      release_backend();
      co_await send_error(r.err);
      co_return;
    }
    state_.db = std::string(name);
  } catch (const std::exception& e) {
    failure = failure_text(e);
  }
  if (failure) {
    co_await send_backend_failure(*failure);
    co_return;
  }
  release_backend();
  co_await send_ok();
}

asio::awaitable<void> ClientSession::handle_passthrough(std::string_view payload, RelayMode mode) {
  if (!co_await ensure_backend()) co_return;
  std::optional<std::string> failure;
  try {
    uint8_t seq = 0;
    co_await conn_->socket().write_packet(payload, seq);
    co_await relay_response(mode);
  } catch (const std::exception& e) {
    failure = failure_text(e);
  }
  if (failure) {
    co_await send_backend_failure(*failure);
    co_return;
  }
  after_statement(nullptr);
}

void ClientSession::reset_session_state() {
  state_.vars.clear();
  state_.collation_unknown = false;
  state_.last_insert_id = 0;
  state_.status_flags = status::kAutocommit;
  statements_.clear();
  read_only_prepared_.clear();
  cursor_statement_ = 0;
}

asio::awaitable<void> ClientSession::handle_reset_connection() {
  xa_abandon();
  // What the server would forget (LAST_INSERT_ID, FOUND_ROWS, warnings, ...) is forgotten on
  // the connection too before anybody, this session included, uses it again.
  if (conn_) conn_->needs_reset = true;
  renew_pool_owner();
  // Temporary tables, locks, user variables and an open transaction live on
  // a held connection: closing it is the only way to be sure they are gone.
  if (conn_ && (pinned_ != session::PinReason::kNone || (conn_->status_flags & status::kInTrans))) {
    drop_backend();
  } else {
    release_backend();
  }
  drop_slices();
  drop_replica();
  unpin();
  reset_session_state();
  co_await send_ok();
}

asio::awaitable<void> ClientSession::send_ok(std::optional<uint8_t> seq) {
  OkPacket ok;
  ok.status_flags = state_.status_flags & ~status::kSessionStateChanged;
  co_await reply_.send_ok(ok, seq);
}

asio::awaitable<void> ClientSession::send_error(const ErrPacket& err, std::optional<uint8_t> seq) {
  tally_.error_code = err.code;
  co_await reply_.send_error(err, seq);
}

asio::awaitable<void> ClientSession::send_error(ErrorCode ec, std::string message,
                                                std::optional<uint8_t> seq) {
  ErrPacket err(ec, std::move(message));
  co_await send_error(err, seq);
}

asio::awaitable<void> ClientSession::send_backend_failure(std::string_view what) {
  worker_.context().counters.backend_errors++;
  const backend::ConnectionPool* pool = conn_.pool();
  std::string where = pool ? pool->endpoint().address() : std::string("backend");
  bool in_txn = (conn_ && (conn_->status_flags & status::kInTrans)) || xa_open();
  drop_backend();
  unpin();
  // The other slices of a distributed transaction must not commit without this one.
  if (xa_open()) co_await xa_abort();
  if (reply_.sent()) {
    // Part of a result already reached the client; the stream cannot be
    // completed honestly, so end the connection. Between two packets an ERR
    // can still take the next packet's place and say why.
    spdlog::warn("client {}: backend {} failed mid-result: {}", peer_text(), where, what);
    if (std::optional<uint8_t> next_seq = reply_.take_error_slot()) {
      ErrPacket err(errc::kBackendLost, "Lost connection to backend " + where +
                                            " in the middle of a result: " + failure_reason(what));
      try {
        co_await send_error(err, *next_seq);
      } catch (const std::exception&) {
        // the client is gone as well
      }
    }
    client_.close();
    co_return;
  }
  std::string msg = "Lost connection to backend " + where + ": " + failure_reason(what);
  if (in_txn) msg += "; the open transaction was rolled back";
  spdlog::warn("client {}: {}", peer_text(), msg);
  state_.status_flags &= ~status::kInTrans;
  if (watchdog_ && watchdog_->timed_out()) {
    // The watchdog closed a connection whose statement would not stop.
    ErrPacket err = timeout_error();
    err.message += "; the backend connection was closed";
    if (in_txn) err.message += " and the open transaction rolled back";
    co_await send_error(err);
    co_return;
  }
  co_await send_error(errc::kBackendLost, msg);
}

}  // namespace tessera::frontend
