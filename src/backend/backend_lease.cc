#include "backend/backend_lease.h"

#include <spdlog/spdlog.h>

#include <system_error>
#include <utility>

#include "backend/backend_error.h"
#include "backend/connection_pool.h"
#include "protocol/error_codes.h"

namespace tessera::backend {

using protocol::ErrPacket;

bool LeaseError::not_connected() const {
  // Refused (2003) and lost during the handshake (2013: a server dying as we connect) are both
  // "not connected"; anything else from the pool (access denied, the namespace's share) is the
  // answer.
  return stage == Stage::kConnect && (err.code == protocol::errc::kBackendUnavailable.code ||
                                      err.code == protocol::errc::kBackendLost.code);
}

BackendLease::~BackendLease() {
  discard();
}

BackendLease::BackendLease(BackendLease&& other) noexcept
    : slice_(std::move(other.slice_)),
      pool_(std::exchange(other.pool_, nullptr)),
      conn_(std::move(other.conn_)),
      last_(std::exchange(other.last_, nullptr)),
      joined_(std::exchange(other.joined_, false)) {}

BackendLease& BackendLease::operator=(BackendLease&& other) noexcept {
  if (this != &other) {
    discard();
    slice_ = std::move(other.slice_);
    pool_ = std::exchange(other.pool_, nullptr);
    conn_ = std::move(other.conn_);
    last_ = std::exchange(other.last_, nullptr);
    joined_ = std::exchange(other.joined_, false);
  }
  return *this;
}

void swap(BackendLease& a, BackendLease& b) noexcept {
  std::swap(a.slice_, b.slice_);
  std::swap(a.pool_, b.pool_);
  std::swap(a.conn_, b.conn_);
  std::swap(a.last_, b.last_);
  std::swap(a.joined_, b.joined_);
}

void BackendLease::aim(std::string slice, ConnectionPool* pool) {
  if (conn_ && pool != pool_) discard();
  slice_ = std::move(slice);
  pool_ = pool;
}

ErrPacket BackendLease::lost_error(std::string_view what) const {
  std::string where = "backend";
  if (pool_) {
    where += " " + pool_->endpoint().host + ":" + std::to_string(pool_->endpoint().port);
  }
  if (!slice_.empty()) where += " of slice " + slice_;
  return ErrPacket(protocol::errc::kBackendLost,
                   "Lost connection to " + where + ": " + std::string(what));
}

asio::awaitable<std::optional<LeaseError>> BackendLease::acquire(const ConnectOptions& options,
                                                                 const std::string& db,
                                                                 StateReplay* replay) {
  if (!conn_) {
    if (!pool_) {
      co_return LeaseError{
          LeaseError::Stage::kConnect,
          ErrPacket(protocol::errc::kBackendUnavailable, "no backend for slice " + slice_)};
    }
    std::optional<ErrPacket> refused;
    try {
      conn_ = co_await pool_->acquire(last_, options);
    } catch (const BackendError& e) {
      refused = e.err();
    } catch (const std::system_error& e) {
      refused = lost_error(e.code().message());  // a reset of a connection changing hands
    }
    if (refused) co_return LeaseError{LeaseError::Stage::kConnect, std::move(*refused)};
  }
  std::optional<LeaseError> failure;
  try {
    if (!db.empty() && conn_->db != db) {
      auto r = co_await conn_->init_db(db);
      if (!r.ok) co_return LeaseError{LeaseError::Stage::kDatabase, std::move(r.err)};
    }
    std::string sync = replay ? replay->sync_statement(*conn_) : std::string();
    if (!sync.empty()) {
      if (spdlog::should_log(spdlog::level::debug))  // (key() formats: not on every statement)
        spdlog::debug("backend {}: syncing connection {}: {}", conn_->endpoint().key(),
                      conn_->connection_id(), sync);
      auto r = co_await conn_->query(sync);
      if (!r.ok && replay->give_up_refused(r.err)) {
        sync = replay->sync_statement(*conn_);
        if (sync.empty()) {
          r.ok = true;
        } else {
          r = co_await conn_->query(sync);
        }
      }
      if (r.ok) {
        replay->synced(*conn_);
      } else {
        spdlog::warn("backend {}: replaying session state on connection {} failed ({}): {}",
                     conn_->endpoint().key(), conn_->connection_id(), r.err.message, sync);
        failure = LeaseError{LeaseError::Stage::kReplay, std::move(r.err)};
      }
    }
  } catch (const BackendError& e) {
    failure = LeaseError{LeaseError::Stage::kLost, e.err()};
  } catch (const std::system_error& e) {
    failure = LeaseError{LeaseError::Stage::kLost, lost_error(e.code().message())};
  }
  if (failure) {
    // A refused SET may have applied part of itself, and what a lost connection carries is
    // unknown too: the rule closes it, whatever else ties the session to it.
    ConnectionFacts facts = connection_facts(*conn_);
    facts.state_unknown = true;
    apply(end_of_use(facts, SessionFacts{}));
  }
  co_return failure;
}

bool BackendLease::acquire_now(const ConnectOptions& options, const std::string& db,
                               const StateReplay* replay) {
  if (!conn_ && pool_) conn_ = pool_->take_own_idle(last_, options);
  return ready(db, replay);
}

bool BackendLease::ready(const std::string& db, const StateReplay* replay) const {
  return conn_ && (db.empty() || conn_->db == db) &&
         (!replay || replay->sync_statement(*conn_).empty());
}

void BackendLease::adopt(std::unique_ptr<BackendConnection> conn, const ConnectOptions& options) {
  discard();
  conn_ = pool_->adopt(std::move(conn), options);
}

asio::awaitable<std::optional<ErrPacket>> BackendLease::run(
    const std::function<asio::awaitable<void>(BackendConnection&)>& steps) {
  std::optional<ErrPacket> failure;
  try {
    co_await steps(*conn_);
  } catch (const BackendError& e) {
    failure = e.err();
  } catch (const std::system_error& e) {
    failure = lost_error(e.code().message());
  }
  if (failure) discard();
  co_return failure;
}

asio::awaitable<SimpleResult> BackendLease::query(std::string_view sql) {
  std::optional<ErrPacket> lost;
  try {
    co_return co_await conn_->query(sql);
  } catch (const BackendError& e) {
    lost = e.err();
  } catch (const std::system_error& e) {
    lost = lost_error(e.code().message());
  }
  discard();
  SimpleResult r;
  r.err = std::move(*lost);
  co_return r;
}

LeaseEnd BackendLease::end_use(const SessionFacts& session) {
  if (!conn_) return LeaseEnd::kRelease;
  return apply(end_of_use(connection_facts(*conn_), session));
}

LeaseEnd BackendLease::apply(LeaseEnd end) {
  switch (end) {
    case LeaseEnd::kKeep:
      break;
    case LeaseEnd::kRelease:
      release();
      break;
    case LeaseEnd::kDiscard:
      discard();
      break;
  }
  return end;
}

void BackendLease::release() {
  last_ = conn_.get();
  joined_ = false;
  if (spdlog::should_log(spdlog::level::trace))
    spdlog::trace("backend {}: released connection {}", conn_->endpoint().key(),
                  conn_->connection_id());
  pool_->release(std::move(conn_));
}

void BackendLease::discard() {
  joined_ = false;
  if (!conn_) return;
  if (pool_) {
    pool_->discard(std::move(conn_));
  } else {
    conn_.reset();
  }
}

}  // namespace tessera::backend
