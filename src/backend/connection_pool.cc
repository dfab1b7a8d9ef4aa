#include "backend/connection_pool.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>

#include "backend/backend_error.h"
#include "protocol/error_codes.h"

namespace tessera::backend {

ConnectionPool::ConnectionPool(asio::any_io_executor ex, BackendEndpoint endpoint,
                               PoolLimits limits)
    : ex_(std::move(ex)), endpoint_(std::move(endpoint)), limits_(limits) {}

ConnectionPool::~ConnectionPool() {
  for (auto* w : waiters_) w->timer.cancel();
}

asio::awaitable<std::unique_ptr<BackendConnection>> ConnectionPool::acquire(
    const BackendConnection* preferred, ConnectOptions options) {
  for (;;) {
    // A namespace at its share takes nothing, idle or new: it queues until one of its own
    // connections comes back (release and discard then let it through).
    const bool capped = at_share(options.tenant);
    if (!capped && !idle_.empty()) {
      auto pick = idle_.end();
      if (preferred) {
        pick = std::find_if(idle_.begin(), idle_.end(),
                            [&](const auto& c) { return c.get() == preferred; });
        if (pick != idle_.end() && !suits(**pick, options)) pick = idle_.end();
      }
      bool grow = false;
      if (pick == idle_.end()) pick = pick_other(options, grow);
      if (pick != idle_.end()) {
        auto conn = std::move(*pick);
        idle_.erase(pick);
        if (options.verify_idle && conn->peer_closed()) {
          // Closed by the server while idle (a restart, a failover): never hand it out.
          conn->socket().close();
          if (open_ > 0) --open_;
          continue;
        }
        auto handed = co_await hand_over(std::move(conn), options);
        if (!handed) continue;
        co_return handed;
      }
      // Only connections that do not suit (the other found_rows flag, a database selected)
      // are idle: retire the oldest one to make room instead of exceeding the limit.
      if (!grow && open_ >= limits_.max_capacity) {
        idle_.front()->socket().close();
        idle_.erase(idle_.begin());
        --open_;
      }
    }
    if (!capped && open_ < limits_.max_capacity) {
      ++open_;
      try {
        options.timeout = limits_.connect_timeout;
        auto conn = co_await BackendConnection::connect(ex_, endpoint_, options);
        conn->pool_generation = generation_;
        conn->owner = options.session;
        conn->owner_alive = options.owner_alive;
        hold(*conn, options.tenant);
        ++created_;
        co_return conn;
      } catch (...) {
        --open_;
        wake_one_for_slot();
        throw;
      }
    }
    // At the limit: queue until a connection is released or the wait times out.
    Waiter waiter(ex_, options);
    waiter.timer.expires_after(limits_.acquire_timeout);
    waiters_.push_back(&waiter);
    std::error_code ec;
    try {
      co_await waiter.timer.async_wait(asio::use_awaitable);
    } catch (const std::system_error& e) {
      ec = e.code();
    }
    auto it = std::find(waiters_.begin(), waiters_.end(), &waiter);
    if (it != waiters_.end()) waiters_.erase(it);
    if (waiter.conn) {
      auto handed = co_await hand_over(std::move(waiter.conn), options);
      if (!handed) continue;
      co_return handed;
    }
    if (waiter.may_connect) continue;
    ++acquire_timeouts_;
    if (at_share(options.tenant)) {
      // The namespace's own sessions hold its whole share (open transactions, pinned
      // connections, unanswered LOAD DATA LOCAL requests): the error goes to it, and the
      // other namespaces keep the rest of the pool.
      ++share_timeouts_;
      throw BackendError(protocol::ErrPacket(
          protocol::errc::kTooManyUserConnections,
          "namespace '" + options.tenant + "' already holds " +
              std::to_string(limits_.tenant_share) + " of the " +
              std::to_string(limits_.max_capacity) + " connections to backend " + endpoint_.host +
              ":" + std::to_string(endpoint_.port) +
              " it shares with other namespaces (its share, pool_namespace_share_percent), and"
              " none came back within " +
              std::to_string(limits_.acquire_timeout.count()) +
              " ms; end open transactions or close idle sessions of this namespace"));
    }
    throw BackendError(protocol::ErrPacket(
        protocol::errc::kLockWaitTimeout,
        "no backend connection to " + endpoint_.address() + " became free within " +
            std::to_string(limits_.acquire_timeout.count()) +
            " ms (pool max_capacity reached); raise max_capacity or reduce long transactions"));
  }
}

std::unique_ptr<BackendConnection> ConnectionPool::take_own_idle(const BackendConnection* preferred,
                                                                 const ConnectOptions& options) {
  // `preferred` is only compared, never read: the lease keeps it after the connection was
  // discarded (closed and freed), and then it is in no list here.
  if (!preferred || at_share(options.tenant)) return nullptr;
  auto pick =
      std::find_if(idle_.begin(), idle_.end(), [&](const auto& c) { return c.get() == preferred; });
  if (pick == idle_.end() || (*pick)->owner != options.session || !suits(**pick, options))
    return nullptr;
  // (A closed one is left for acquire(), which drops it and finds another.)
  if (options.verify_idle && (*pick)->peer_closed()) return nullptr;
  auto conn = std::move(*pick);
  idle_.erase(pick);
  hold(*conn, options.tenant);  // as hand_over(), whose reset is not due
  conn->owner_alive = options.owner_alive;
  return conn;
}

std::unique_ptr<BackendConnection> ConnectionPool::adopt(std::unique_ptr<BackendConnection> conn,
                                                         const ConnectOptions& options) {
  // May go past max_capacity by one: the login happened already, and refusing it now would
  // only close a connection the server accepted.
  ++open_;
  ++created_;
  conn->pool_generation = generation_;
  conn->owner = options.session;
  conn->owner_alive = options.owner_alive;
  hold(*conn, options.tenant);
  return conn;
}

std::vector<std::unique_ptr<BackendConnection>>::iterator ConnectionPool::pick_other(
    const ConnectOptions& options, bool& grow) {
  // The asker's own connection is not idle (or it has none yet). Taking the most recently used
  // one instead would take another live session's own connection, which that session then
  // takes back from a third one, and so on: nearly every statement would change hands (a
  // reset, and with exact_session_status two status readings, each time). So first an idle
  // connection nobody alive calls its own (most recently used first: a warm server thread);
  // else a new connection while the pool is below `capacity`, so that sessions keep one each
  // as on the server; else the one whose owner has been away longest.
  grow = false;
  auto free = std::find_if(idle_.rbegin(), idle_.rend(), [&](const auto& c) {
    return suits(*c, options) && (c->owner == options.session || c->owner_alive.expired());
  });
  if (free != idle_.rend()) return std::prev(free.base());
  if (open_ < std::min(limits_.capacity, limits_.max_capacity)) {
    grow = true;
    return idle_.end();
  }
  return std::find_if(idle_.begin(), idle_.end(),
                      [&](const auto& c) { return suits(*c, options); });
}

asio::awaitable<std::unique_ptr<BackendConnection>> ConnectionPool::hand_over(
    std::unique_ptr<BackendConnection> conn, const ConnectOptions& options) {
  const uint64_t session = options.session;
  const std::string& tenant = options.tenant;
  // Counted before the reset below: another acquire of the namespace running meanwhile must
  // see it held.
  hold(*conn, tenant);
  if (conn->owner != 0 && conn->owner != session) {
    // Another client session used it last: what that session left on the server (session
    // variables it switched off tracking for, LAST_INSERT_ID, FOUND_ROWS, warnings, user
    // variables, ...) must not reach this one. One round trip, only on a change of hands.
    try {
      co_await conn->reset_session();
      ++resets_;
    } catch (const std::exception& e) {
      spdlog::info("backend {}: connection {} could not be reset ({}); closed", endpoint_.key(),
                   conn->connection_id(), e.what());
      discard(std::move(conn));
      co_return nullptr;
    }
  }
  conn->owner = session;
  conn->owner_alive = options.owner_alive;
  co_return conn;
}

asio::awaitable<void> ConnectionPool::reset_then_release(std::unique_ptr<BackendConnection> conn) {
  std::weak_ptr<int> pool_alive = alive_;
  bool ok = true;
  try {
    co_await conn->reset_session();
  } catch (const std::exception&) {
    ok = false;
  }
  if (pool_alive.expired()) co_return;  // the pool is gone; the connection closes with us
  ++resets_;
  if (!ok) {
    discard(std::move(conn));
    co_return;
  }
  release(std::move(conn));
}

void ConnectionPool::release(std::unique_ptr<BackendConnection> conn) {
  if (!conn) return;
  unhold(*conn);
  if (conn->broken || !conn->socket().is_open() || conn->pool_generation != generation_ ||
      !conn->response_complete() || conn->profiled || conn->profiling_on()) {
    // (A profiled connection: its history would reach the next session, see profiled.)
    // A response not read to its end would reach whoever sends the next command.
    if (!conn->response_complete() && !conn->broken) {
      spdlog::warn("backend {}: connection {} released with a response in flight; closed",
                   endpoint_.key(), conn->connection_id());
    }
    discard(std::move(conn));
    return;
  }
  if (conn->needs_reset) {
    // It may hold locks, HANDLERs or a transaction that other sessions would wait on while it
    // sits idle: reset now rather than when somebody takes it. It stays counted in open_.
    asio::co_spawn(ex_, reset_then_release(std::move(conn)), asio::detached);
    return;
  }
  conn->last_used = BackendConnection::Clock::now();
  for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
    Waiter* w = *it;
    if (suits(*conn, w->wants) && !w->conn && !w->may_connect && !at_share(w->wants.tenant)) {
      w->conn = std::move(conn);
      waiters_.erase(it);
      w->timer.cancel();
      return;
    }
  }
  idle_.push_back(std::move(conn));
  // A waiter this one does not suit can use a slot once an idle one is retired.
  if (!waiters_.empty()) wake_one_for_slot();
}

void ConnectionPool::discard(std::unique_ptr<BackendConnection> conn) {
  if (!conn) return;
  unhold(*conn);
  conn->socket().close();
  if (open_ > 0) --open_;
  wake_one_for_slot();
}

void ConnectionPool::wake_one_for_slot() {
  for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
    Waiter* w = *it;
    if (!w->conn && !w->may_connect && !at_share(w->wants.tenant)) {
      w->may_connect = true;
      waiters_.erase(it);
      w->timer.cancel();
      return;
    }
  }
}

bool ConnectionPool::at_share(const std::string& tenant) const {
  if (limits_.tenant_share == 0 || tenant.empty()) return false;
  auto it = held_.find(tenant);
  return it != held_.end() && it->second >= limits_.tenant_share;
}

void ConnectionPool::hold(BackendConnection& conn, const std::string& tenant) {
  unhold(conn);
  if (tenant.empty()) return;
  conn.tenant = tenant;
  ++held_[tenant];
}

void ConnectionPool::unhold(BackendConnection& conn) {
  if (conn.tenant.empty()) return;
  // (An entry at 0 stays: the namespace's next statement takes a connection again, and
  // would otherwise insert it anew each time. The pool serves few namespaces.)
  auto it = held_.find(conn.tenant);
  if (it != held_.end() && it->second > 0) --it->second;
  conn.tenant.clear();
}

PoolStats ConnectionPool::stats() const {
  return {open_,   idle_.size(),   waiters_.size(), created_, acquire_timeouts_,
          resets_, share_timeouts_};
}

void ConnectionPool::reap_idle() {
  auto now = BackendConnection::Clock::now();
  // Oldest first (front); keep at least `capacity` idle connections.
  while (idle_.size() > limits_.capacity && now - idle_.front()->last_used > limits_.idle_timeout) {
    idle_.front()->socket().close();
    idle_.erase(idle_.begin());
    if (open_ > 0) --open_;
  }
}

void ConnectionPool::drain() {
  ++generation_;
  for (auto& conn : idle_) conn->socket().close();
  open_ -= std::min(open_, idle_.size());
  idle_.clear();
  wake_one_for_slot();
}

}  // namespace tessera::backend
