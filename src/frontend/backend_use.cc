// How a client session borrows backend connections: acquire (preferring the
// one it used last), sync its state, and give it back as soon as nothing
// ties the session to it.
#include <spdlog/spdlog.h>

#include <utility>

#include "backend/backend_error.h"
#include "frontend/client_session.h"
#include "frontend/worker.h"
#include "protocol/constants.h"
#include "protocol/error_codes.h"
#include "session/connection_hygiene.h"
#include "topology/topology.h"

namespace tessera::frontend {

using namespace protocol;
using session::PinReason;

asio::awaitable<bool> ClientSession::ensure_backend(std::optional<uint8_t> error_seq) {
  std::optional<ErrPacket> failure;
  // Issue 6: the statement goes to the slice's current write target (held while there is
  // none). A connection kept only for diagnostics follows a changed primary; one tied by a
  // transaction, a pin or a cursor stays (its next write gets a clear error instead).
  // After a failure the statement is being retried: wait for news newer than the failure.
  // (Cleared per command: every slice a retried statement acquires sees it.)
  std::string failed_instance = retry_after_instance_;
  std::chrono::system_clock::time_point failed_at = retry_after_time_;
  for (int attempt = 0;; ++attempt) {
    if (!conn_ || may_retry_statement()) {
      auto target = co_await choose_write_target(namespace_->default_slice, write_key_,
                                                 failed_instance, failed_at);
      if (target.error) {
        co_await send_error(*target.error, error_seq);
        co_return false;
      }
      if (conn_ && !conn_is_write_target(target.address)) release_backend();
      if (!conn_) pool_ = &worker_.pool_for(*target.cfg, target.address, user_);
    }
    if (conn_) break;
    std::optional<ErrPacket> connect_failure;
    try {
      backend::ConnectOptions opts = connect_options(/*without_database=*/state_.db.empty());
      conn_ = co_await pool_->acquire(last_conn_, opts);
    } catch (const backend::BackendError& e) {
      connect_failure = e.err();
    }
    if (!connect_failure) break;
    // Not connected: the statement certainly did not run. Ask for a topology check and try
    // the (possibly new) primary, a few times within the hold time.
    failed_instance = pool_->endpoint().address();
    topology().request_check(namespace_->name, namespace_->default_slice);
    // Refused (2003) and lost during the handshake (2013: a server dying as we connect) are
    // both "not connected"; anything else (access denied, ...) is final.
    const bool not_connected = connect_failure->code == errc::kBackendUnavailable.code ||
                               connect_failure->code == errc::kBackendLost.code;
    if (!not_connected || attempt >= 3 || !may_retry_statement()) {
      worker_.context().counters.backend_errors++;
      co_await send_error(*connect_failure, error_seq);
      co_return false;
    }
    failed_at = std::chrono::system_clock::now();
    worker_.context().counters.failover_retries++;
    spdlog::info("failover: client {}: cannot connect to {} ({}); retrying on the slice's primary",
                 peer_text(), failed_instance, connect_failure->message);
  }
  if (default_wait_timeout_ == 0) {
    // The server would have given this session its global wait_timeout (interactive_timeout
    // for an interactive client) at login.
    default_wait_timeout_ = (client_caps_ & cap::kInteractive) ? conn_->server_interactive_timeout()
                                                               : conn_->server_wait_timeout();
  }
  try {
    if (!rules_ && conn_->prepared.size() > statements_.size()) {
      // Statements this session prepared here and has closed since: no client needs them any
      // more (a connection another session used was reset, so all here are this session's).
      // (Sharded namespaces prepare rewritten texts here, matched by no client statement.)
      // Closed now, they do not pile up against the server's max_prepared_stmt_count.
      std::vector<std::string> unused;
      for (const auto& [sql, bs] : conn_->prepared) {
        bool used = false;
        for (const auto& [id, stmt] : statements_) {
          if (stmt.sql == sql) {
            used = true;
            break;
          }
        }
        if (!used) unused.push_back(sql);
      }
      for (const auto& sql : unused) co_await conn_->close_prepared(sql);
    }
    if (!state_.db.empty() && conn_->db != state_.db) {
      auto r = co_await conn_->init_db(state_.db);
      if (!r.ok) {
        release_backend();
        co_await send_error(r.err, error_seq);
        co_return false;
      }
    }
    std::string sync = session::build_sync_statement(state_, *conn_);
    if (!sync.empty()) {
      spdlog::debug("client {}: syncing backend connection {}: {}", connection_id_,
                    conn_->connection_id(), sync);
      auto r = co_await conn_->query(sync);
      if (!r.ok && r.err.code == 1227 && state_.vars.erase("pseudo_thread_id")) {
        // The namespace's backend account may not set pseudo_thread_id (SUPER or BINLOG
        // REPLAY): CONNECTION_ID() then reports the backend thread's id. (A SET that fails its
        // privilege check changes nothing.)
        connection_id_unmapped_ = true;
        sync = session::build_sync_statement(state_, *conn_);
        if (sync.empty()) {
          r.ok = true;
        } else {
          r = co_await conn_->query(sync);
        }
      }
      if (!r.ok) {
        // The connection's state is now uncertain: do not reuse it.
        drop_backend();
        spdlog::warn("client {}: replaying session state failed ({}): {}", peer_text(),
                     r.err.message, sync);
        co_await send_error(r.err, error_seq);
        co_return false;
      }
      conn_->vars = state_.vars;
      conn_->collation = state_.collation;
    }
    if (namespace_ && namespace_->exact_session_status)
      co_await backend::track_status(*conn_, status_ledger_);
    if (xa_join_) {
      if (auto refused = co_await xa_join(namespace_->default_slice, *conn_)) {
        if (conn_->broken) drop_backend();
        co_await send_error(*refused, error_seq);
        co_return false;
      }
    }
    co_return true;
  } catch (const backend::BackendError& e) {
    failure = e.err();
  } catch (const std::system_error& e) {
    failure =
        ErrPacket(errc::kBackendLost, "Lost connection to backend " + pool_->endpoint().address() +
                                          ": " + e.code().message());
  }
  // (C++ allows no co_await inside a handler, hence the detour.)
  worker_.context().counters.backend_errors++;
  drop_backend();
  co_await send_error(*failure, error_seq);
  co_return false;
}

backend::ConnectOptions ClientSession::connect_options(bool without_database) const {
  backend::ConnectOptions opts;
  opts.collation = state_.collation;
  opts.found_rows = state_.found_rows;
  opts.without_database = without_database;
  opts.session = pool_owner_;
  opts.tenant = namespace_ ? namespace_->name : std::string();
  opts.owner_alive = pool_owner_alive_;
  return opts;
}

void ClientSession::renew_pool_owner() {
  static std::atomic<uint64_t> next_owner{1};
  pool_owner_ = next_owner.fetch_add(1, std::memory_order_relaxed);
  pool_owner_alive_ = std::make_shared<const int>(0);
  last_conn_ = nullptr;
  status_ledger_ = std::make_shared<backend::StatusLedger>();
  bytes_read_base_ = client_.bytes_read();
  bytes_written_base_ = client_.bytes_written();
}

void ClientSession::pin(PinReason reason) {
  if (!conn_) return;
  // Every reason counts: UNLOCK TABLES must not release a connection that also holds a named
  // lock, a temporary table or an XA transaction.
  pin_reasons_ |= 1u << static_cast<unsigned>(reason);
  if (pinned_ != PinReason::kNone) return;
  pinned_ = reason;
  auto& counters = session::pin_counters();
  counters.total[static_cast<size_t>(reason)]++;
  counters.currently_pinned++;
  spdlog::info("client {} ({}@{}) pinned to backend connection {} because of {}", peer_text(),
               user_ ? user_->user_name : "?", namespace_ ? namespace_->name : "?",
               conn_->connection_id(), session::to_string(reason));
}

void ClientSession::unpin() {
  pin_reasons_ = 0;
  if (pinned_ == PinReason::kNone) return;
  pinned_ = PinReason::kNone;
  session::pin_counters().currently_pinned--;
}

void ClientSession::unpin(PinReason reason) {
  pin_reasons_ &= ~(1u << static_cast<unsigned>(reason));
  if (pin_reasons_ == 0) {
    unpin();
    return;
  }
  if (pinned_ != reason) return;
  // Still pinned, for the lowest remaining reason.
  for (unsigned r = 1; r < static_cast<unsigned>(PinReason::kCount_); ++r) {
    if (pin_reasons_ & (1u << r)) {
      pinned_ = static_cast<PinReason>(r);
      break;
    }
  }
}

void ClientSession::after_statement(const sql::StatementInfo* info) {
  if (!conn_) return;
  if (!state_.db.empty() && namespace_ && !namespace_->allows_db(state_.db)) {
    // The server reports (session tracking) a database outside allowed_dbs reached by a path
    // not checked before it ran (a USE inside a multi-statement or a stored program): the
    // session cannot go on there, and its connection is not reused.
    spdlog::warn("client {}: reached database '{}' outside allowed_dbs of namespace {}; closing",
                 peer_text(), state_.db, namespace_->name);
    drop_backend();
    client_gone_ = true;
    client_.close();
    return;
  }
  // Once profiling was on, the session stays on that connection, whose history SHOW PROFILES
  // lists (as on one server, also after SET profiling = 0); the pool closes the connection
  // when it comes back (profiled).
  if (conn_->profiled || conn_->profiling_on()) pin(PinReason::kProfiling);
  if (info) {
    using sql::StatementKind;
    if (session::leaves_server_state(*info)) conn_->needs_reset = true;
    if (info->creates_temporary_table) pin(PinReason::kTemporaryTable);
    if (info->calls(sql::kSessionFnGetLockIndex)) pin(PinReason::kNamedLock);
    if (info->kind == StatementKind::LockTables) pin(PinReason::kLockTables);
    if (info->kind == StatementKind::Prepare) pin(PinReason::kTextPrepare);
    if (info->kind == StatementKind::Xa) pin(PinReason::kXaTransaction);
    if (info->uses_user_variable_assignment) pin(PinReason::kUserVariable);
    if (info->uses_handler) pin(PinReason::kHandler);
    if (info->kind == StatementKind::UnlockTables) unpin(PinReason::kLockTables);
  }
  if (pinned_ != PinReason::kNone || (conn_->status_flags & status::kInTrans) ||
      cursor_statement_ != 0 || keep_for_diagnostics_) {
    return;
  }
  release_backend();
}

void ClientSession::release_backend() {
  if (!conn_) return;
  if (client_gone_) {
    // Its statement may have been killed half-way: never hand such a connection to another.
    drop_backend();
    return;
  }
  if (pinned_ != PinReason::kNone || cursor_statement_ != 0 ||
      (conn_->status_flags & status::kInTrans) ||
      (xa_open() && xa_->has(namespace_->default_slice))) {
    return;
  }
  last_conn_ = conn_.get();
  spdlog::trace("client {}: released backend connection {}", connection_id_,
                conn_->connection_id());
  pool_->release(std::move(conn_));
}

void ClientSession::drop_backend() {
  if (!conn_) return;
  if (pool_) {
    pool_->discard(std::move(conn_));
  } else {
    conn_.reset();
  }
}

}  // namespace tessera::frontend
