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
  // Issue 6: the statement goes to the slice's current write target (held while there is
  // none). A connection kept only for diagnostics follows a changed primary; one tied by a
  // transaction, a pin or a cursor stays (its next write gets a clear error instead).
  // After a failure the statement is being retried: wait for news newer than the failure.
  // (Cleared per command: every slice a retried statement acquires sees it.)
  std::string failed_instance = retry_after_instance_;
  std::chrono::system_clock::time_point failed_at = retry_after_time_;
  std::optional<backend::LeaseError> failure;
  unchecked_conn_ = false;
  for (int attempt = 0;; ++attempt) {
    if (!conn_ || may_retry_statement()) {
      // (Nearly always known without waiting: choose_write_target's coroutine only then.)
      std::optional<WriteTarget> usual;
      if (failed_instance.empty())
        usual = usual_write_target(namespace_->default_slice, write_key_);
      WriteTarget target;
      if (usual) {
        target = std::move(*usual);
      } else {
        target = co_await choose_write_target(namespace_->default_slice, write_key_,
                                              failed_instance, failed_at);
      }
      if (target.error) {
        co_await send_error(*target.error, error_seq);
        co_return false;
      }
      if (conn_ && !conn_is_write_target(target.address)) release_backend();
      if (!conn_) {
        conn_.aim(namespace_->default_slice,
                  &worker_.pool_for(*target.cfg, target.address, user_, default_pool_memo_));
      }
    }
    if (conn_.ready(state_.db, &replay_)) {
      failure.reset();
      break;
    }
    backend::ConnectOptions opts = connect_options(/*without_database=*/state_.db.empty());
    // An autocommit read runs again if the connection turns out closed (retry_policy.h), so
    // the idle connection is not peeked at first; other statements are checked.
    opts.verify_idle = !(rerunnable_read_ && may_retry_statement());
    if (conn_.acquire_now(opts, state_.db, &replay_)) {
      // (Its own idle connection, nothing to select or replay: acquire()'s coroutines
      // skipped on the usual statement.)
      failure.reset();
    } else {
      failure = co_await conn_.acquire(opts, state_.db, &replay_);
    }
    unchecked_conn_ = !failure && !opts.verify_idle;
    if (failure && !opts.verify_idle && failure->stage == backend::LeaseError::Stage::kLost) {
      // Lost while selecting its database or syncing its state, before the statement was
      // sent: the unchecked connection was closed. Once more, checked (the lease dropped it).
      rerunnable_read_ = false;
      continue;
    }
    if (!failure || !failure->not_connected()) break;
    // Not connected: the statement certainly did not run. Ask for a topology check and try
    // the (possibly new) primary, a few times within the hold time.
    failed_instance = conn_.pool()->endpoint().address();
    topology().request_check(namespace_->name, namespace_->default_slice);
    if (attempt >= 3 || !may_retry_statement()) break;
    failed_at = std::chrono::system_clock::now();
    worker_.context().counters.failover_retries++;
    spdlog::info("failover: client {}: cannot connect to {} ({}); retrying on the slice's primary",
                 peer_text(), failed_instance, failure->err.message);
  }
  if (!failure) {
    if (default_wait_timeout_ == 0) {
      // The server would have given this session its global wait_timeout (interactive_timeout
      // for an interactive client) at login.
      default_wait_timeout_ = (client_caps_ & cap::kInteractive)
                                  ? conn_->server_interactive_timeout()
                                  : conn_->server_wait_timeout();
    }
    // (Asked first: nearly always neither is due, and the steps' coroutines cost even then.)
    const bool track = namespace_ && namespace_->exact_session_status &&
                       backend::status_tracking_due(*conn_, status_ledger_);
    const bool settle_due = track || (!rules_ && conn_->prepared.size() > statements_.size());
    if (settle_due) {
      std::function<asio::awaitable<void>(backend::BackendConnection&)> settle =
          [this, track](backend::BackendConnection& c) -> asio::awaitable<void> {
        co_await close_unused_prepared(c);
        if (track) co_await backend::track_status(c, status_ledger_);
      };
      if (auto lost = co_await conn_.run(settle)) {
        worker_.context().counters.backend_errors++;
        co_await send_error(*lost, error_seq);
        co_return false;
      }
    }
    // (xa_join's coroutine only when it has something to do: an XA namespace's autocommit
    // statements outside a transaction join nothing.)
    if (xa_join_ && xa_ && (xa_->open() || !(state_.status_flags & status::kAutocommit))) {
      if (auto refused = co_await xa_join(namespace_->default_slice, *conn_)) {
        if (conn_->broken) drop_backend();
        co_await send_error(*refused, error_seq);
        co_return false;
      }
    }
    co_return true;
  }
  using Stage = backend::LeaseError::Stage;
  switch (failure->stage) {
    case Stage::kDatabase:
      // Refused as the server refuses it; the connection is as it was.
      release_backend();
      break;
    case Stage::kReplay:
      spdlog::warn("client {}: replaying session state failed ({})", peer_text(),
                   failure->err.message);
      break;
    case Stage::kConnect:
    case Stage::kLost:
      worker_.context().counters.backend_errors++;
      break;
  }
  co_await send_error(failure->err, error_seq);
  co_return false;
}

asio::awaitable<void> ClientSession::close_unused_prepared(backend::BackendConnection& c) {
  if (rules_ || c.prepared.size() <= statements_.size()) co_return;
  // Statements this session prepared here and has closed since: no client needs them any
  // more (a connection another session used was reset, so all here are this session's).
  // (Sharded namespaces prepare rewritten texts here, matched by no client statement.)
  // Closed now, they do not pile up against the server's max_prepared_stmt_count.
  std::vector<std::string> unused;
  for (const auto& [sql, bs] : c.prepared) {
    bool used = false;
    for (const auto& [id, stmt] : statements_) {
      if (stmt.sql == sql) {
        used = true;
        break;
      }
    }
    if (!used) unused.push_back(sql);
  }
  for (const auto& sql : unused) co_await c.close_prepared(sql);
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
  conn_.forget_last();
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
  if (!state_.db.empty() && namespace_ && !db_still_allowed()) {
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
  conn_.end_use(lease_facts(conn_, keep_for_diagnostics_));
}

bool ClientSession::db_still_allowed() {
  if (namespace_ == allowed_db_namespace_ && config_ == allowed_db_config_ &&
      state_.db == allowed_db_) {
    return true;  // (a configuration and its namespaces never change)
  }
  if (!namespace_->allows_db(state_.db)) return false;
  allowed_db_ = state_.db;
  allowed_db_namespace_ = namespace_;
  allowed_db_config_ = config_;
  return true;
}

backend::SessionFacts ClientSession::lease_facts(const backend::BackendLease& lease,
                                                 bool keep_for_diagnostics) const {
  backend::SessionFacts facts;
  facts.client_gone = client_gone_;
  facts.in_transaction = lease.joined_transaction();
  facts.keep_for_diagnostics = keep_for_diagnostics;
  if (&lease == &conn_) {
    facts.pinned = pinned_ != PinReason::kNone || cursor_statement_ != 0;
    facts.in_transaction |= xa_open() && xa_->has(namespace_->default_slice);
  }
  return facts;
}

void ClientSession::release_backend() {
  conn_.end_use(lease_facts(conn_));
}

void ClientSession::drop_backend() {
  conn_.discard();
}

}  // namespace tessera::frontend
