// How a client session borrows backend connections: acquire (preferring the
// one it used last), sync its state, and give it back as soon as nothing
// ties the session to it.
#include <spdlog/spdlog.h>

#include "backend/backend_error.h"
#include "frontend/client_session.h"
#include "frontend/worker.h"
#include "protocol/constants.h"
#include "protocol/error_codes.h"

namespace tessera::frontend {

using namespace protocol;
using session::PinReason;

asio::awaitable<bool> ClientSession::ensure_backend(std::optional<uint8_t> error_seq) {
  std::optional<ErrPacket> failure;
  try {
    if (!conn_) {
      conn_ = co_await pool_->acquire(last_conn_, {state_.collation, state_.found_rows, {}});
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
    failure = ErrPacket(errc::kBackendLost, "Lost connection to backend " + pool_->endpoint().host +
                                                ":" + std::to_string(pool_->endpoint().port) +
                                                ": " + e.code().message());
  }
  // (C++ allows no co_await inside a handler, hence the detour.)
  worker_.context().counters.backend_errors++;
  drop_backend();
  co_await send_error(*failure, error_seq);
  co_return false;
}

void ClientSession::pin(PinReason reason) {
  if (pinned_ != PinReason::kNone || !conn_) return;
  pinned_ = reason;
  auto& counters = session::pin_counters();
  counters.total[static_cast<size_t>(reason)]++;
  counters.currently_pinned++;
  spdlog::info("client {} ({}@{}) pinned to backend connection {} because of {}", peer_text(),
               user_ ? user_->user_name : "?", namespace_ ? namespace_->name : "?",
               conn_->connection_id(), session::to_string(reason));
}

void ClientSession::unpin() {
  if (pinned_ == PinReason::kNone) return;
  pinned_ = PinReason::kNone;
  session::pin_counters().currently_pinned--;
}

void ClientSession::after_statement(const sql::StatementInfo* info) {
  if (!conn_) return;
  if (info) {
    using sql::StatementKind;
    if (info->creates_temporary_table) pin(PinReason::kTemporaryTable);
    if (info->calls(sql::kSessionFnGetLockIndex)) pin(PinReason::kNamedLock);
    if (info->kind == StatementKind::LockTables) pin(PinReason::kLockTables);
    if (info->kind == StatementKind::Prepare) pin(PinReason::kTextPrepare);
    if (info->kind == StatementKind::Xa) pin(PinReason::kXaTransaction);
    if (info->uses_user_variable_assignment) pin(PinReason::kUserVariable);
    if (info->kind == StatementKind::UnlockTables && pinned_ == PinReason::kLockTables) unpin();
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
