// Connections to one backend instance, owned by one worker thread (no locks).
// A session gets the connection it used last when that one is idle; otherwise an idle one
// no live session calls its own, most-recently-used first (a warm connection lands on a warm
// server thread, which measurably halves the server's CPU per query compared with
// first-in-first-out reuse), else a new one while below `capacity`, else the one whose owner
// has been away longest. When the pool is at its limit, acquirers queue and are handed
// connections as they come back.
#pragma once
#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "backend/backend_connection.h"

namespace tessera::backend {

struct PoolLimits {
  size_t capacity = 8;       // idle connections kept past idle_timeout
  size_t max_capacity = 64;  // connections open at once (this worker's share)
  std::chrono::seconds idle_timeout{60};
  std::chrono::milliseconds acquire_timeout{5000};
  std::chrono::milliseconds connect_timeout{2000};
  // Connections one namespace may hold at once when the pool serves several namespaces
  // (0 = no cap: the pool serves one). Sessions parked in transactions, pinned connections or
  // unanswered LOAD DATA LOCAL requests hold theirs; a namespace at its share waits for one of
  // its own to come back, so the rest of max_capacity stays with the other namespaces.
  size_t tenant_share = 0;
};

struct PoolStats {
  size_t open = 0;
  size_t idle = 0;
  size_t waiting = 0;
  uint64_t created = 0;
  uint64_t acquire_timeouts = 0;
  uint64_t resets = 0;
  uint64_t share_timeouts = 0;  // acquires refused because the namespace held its share
};

class ConnectionPool {
 public:
  ConnectionPool(asio::any_io_executor ex, BackendEndpoint endpoint, PoolLimits limits);
  ~ConnectionPool();

  // A connection that suits `options` (same found_rows flag; no database selected when
  // options.without_database); `preferred` (the one the session used last) is taken if it
  // is idle and suits. A connection last used by another session (options.session) is
  // reset first, so nothing of that session (variables, LAST_INSERT_ID, FOUND_ROWS, locks,
  // HANDLERs, temporary tables, warnings) reaches this one. A namespace (options.tenant)
  // holding limits.tenant_share connections waits for one of them to come back; when none
  // does within acquire_timeout it gets ERR 1203 naming its share. Throws BackendError.
  asio::awaitable<std::unique_ptr<BackendConnection>> acquire(const BackendConnection* preferred,
                                                              ConnectOptions options);
  // acquire()'s usual case without its coroutine: `preferred` when it is idle, suits, was
  // last used by this same session (no reset due), the namespace is below its share and (if
  // options.verify_idle) the server has not closed it. nullptr otherwise: then acquire().
  std::unique_ptr<BackendConnection> take_own_idle(const BackendConnection* preferred,
                                                   const ConnectOptions& options);
  // Takes in a connection opened outside the pool for this pool's endpoint (a client's own
  // login relayed to the server, frontend/backend_account_auth.cc), counted as open and handed
  // to options.session as acquire() would.
  std::unique_ptr<BackendConnection> adopt(std::unique_ptr<BackendConnection> conn,
                                           const ConnectOptions& options);
  // Returns a connection for reuse. One whose response was not read to its end, or that is
  // broken, is closed; one marked needs_reset is reset (in the background) before it is idle.
  void release(std::unique_ptr<BackendConnection> conn);
  // Forgets a connection that will not come back (closed by the caller).
  void discard(std::unique_ptr<BackendConnection> conn);

  void set_limits(PoolLimits limits) { limits_ = limits; }
  const BackendEndpoint& endpoint() const { return endpoint_; }
  PoolStats stats() const;
  // Closes idle connections beyond `capacity` that were idle too long.
  void reap_idle();
  // The instance failed or stopped being what it was used for (a demoted primary): closes
  // every idle connection, and connections in use now are closed when they come back.
  void drain();
  uint64_t drains() const { return generation_; }

 private:
  struct Waiter {
    asio::steady_timer timer;
    std::unique_ptr<BackendConnection> conn;
    bool may_connect = false;  // woken because a slot opened, not handed a connection
    ConnectOptions wants;
    Waiter(asio::any_io_executor ex, ConnectOptions w) : timer(ex), wants(w) {}
  };
  static bool suits(const BackendConnection& conn, const ConnectOptions& wants) {
    return conn.found_rows == wants.found_rows && (!wants.without_database || conn.db.empty());
  }
  // Whether `tenant` holds its share of the pool already (never for "" or an unshared pool).
  bool at_share(const std::string& tenant) const;
  // Counts `conn` against `tenant` (the pool hands it out) / gives that back (it returned).
  void hold(BackendConnection& conn, const std::string& tenant);
  void unhold(BackendConnection& conn);
  void wake_one_for_slot();
  // Hands `conn` (just taken from idle_ or a releaser) to `session`, resetting it when
  // another session used it; null when the reset failed (the connection is closed).
  asio::awaitable<std::unique_ptr<BackendConnection>> hand_over(
      std::unique_ptr<BackendConnection> conn, const ConnectOptions& options);
  // The idle connection to hand to an asker whose own one is not idle (idle_.end(): none);
  // `grow`: open a new one instead.
  std::vector<std::unique_ptr<BackendConnection>>::iterator pick_other(
      const ConnectOptions& options, bool& grow);
  asio::awaitable<void> reset_then_release(std::unique_ptr<BackendConnection> conn);

  asio::any_io_executor ex_;
  BackendEndpoint endpoint_;
  PoolLimits limits_;
  std::vector<std::unique_ptr<BackendConnection>> idle_;  // back = most recently used
  std::deque<Waiter*> waiters_;
  size_t open_ = 0;
  uint64_t created_ = 0;
  uint64_t acquire_timeouts_ = 0;
  uint64_t generation_ = 0;  // drain() count
  uint64_t resets_ = 0;      // connections reset between sessions
  uint64_t share_timeouts_ = 0;
  std::unordered_map<std::string, size_t> held_;  // namespace -> connections it holds
  // Background resets hold this weakly: they stop touching a pool that no longer exists.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace tessera::backend
