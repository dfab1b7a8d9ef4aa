// One event loop on one thread. Client sessions accepted here live here, and
// so do the backend connection pools they use: the per-query path takes no
// locks.
#pragma once
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "admin/worker_stats.h"
#include "backend/connection_pool.h"
#include "config/namespace_config.h"
#include "frontend/pool_memo.h"
#include "frontend/proxy_context.h"
#include "frontend/sequence_cache.h"

namespace tessera::frontend {

class ClientSession;

class Worker {
 public:
  Worker(ProxyContext& ctx, unsigned index);
  ~Worker();

  // Binds this worker's own acceptor (SO_REUSEPORT: the kernel spreads
  // connections over the workers).
  void listen(const asio::ip::tcp::endpoint& endpoint);
  void start();
  void stop();
  void join();

  asio::io_context& io() { return io_; }
  ProxyContext& context() { return ctx_; }
  unsigned index() const { return index_; }

  // The pool for one backend instance of a slice; this worker's share of the
  // slice's limits. A user with its own backend account (users[].backend_user_name) gets
  // pools of that account, apart from the slice account's; `user` may be null (the slice's).
  backend::ConnectionPool& pool_for(const config::Slice& slice, const config::HostPort& address,
                                    const config::User* user);
  // The same, remembered in `memo` (pool_memo.h) and answered from it while it holds.
  backend::ConnectionPool& pool_for(const config::Slice& slice, const config::HostPort& address,
                                    const config::User* user, PoolMemo& memo);
  std::vector<std::pair<std::string, backend::PoolStats>> pool_stats() const;
  // Backend accounts (backend_account_auth.cc): sessions on this worker using the pools of
  // account key `key` (config::User::backend_account_key). When the last one leaves, those
  // pools are drained (the server sees the account's connections end with its sessions, as
  // max_user_connections expects) and forgotten once empty.
  void join_backend_account(const std::string& key);
  void leave_backend_account(const std::string& key);
  SequenceCache& sequences() { return sequences_; }
  // Statement statistics of this worker's sessions; touch only on this worker's thread.
  admin::WorkerStats& stats() { return stats_; }

  // Sessions living on this worker, for the deadline watchdog (same thread only).
  // Also registered with the context by connection id (KILL from other workers).
  void add_session(ClientSession* s, uint32_t id);
  void remove_session(ClientSession* s, uint32_t id);
  ClientSession* find_session(uint32_t id) const;
  const std::unordered_set<ClientSession*>& sessions() const { return sessions_; }

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> maintenance_loop();
  asio::awaitable<void> watchdog_loop();
  // Issue 6: drains the pools of instances the topology snapshot newly reports down, so no
  // connection that predates the failure is handed out after the instance returns.
  asio::awaitable<void> topology_watch_loop();
  backend::PoolLimits limits_for(const config::Slice& slice, const std::string& pool_key);
  // The key of the pool serving `slice`'s instance `address` (instance, backend account, TLS).
  std::string pool_key(const config::Slice& slice, const config::HostPort& address,
                       const std::string& account, const std::string& password) const;
  // How many namespaces of the current configuration the pool `key` serves.
  size_t namespaces_sharing(const std::string& key);

  ProxyContext& ctx_;
  unsigned index_;
  asio::io_context io_{1};
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor_;
  std::unordered_map<std::string, std::unique_ptr<backend::ConnectionPool>> pools_;
  // Bumped whenever a pool is erased (PoolMemo: a remembered pool may be gone).
  uint64_t pools_epoch_ = 0;
  // namespaces_sharing(), computed once per configuration (hot reload swaps the pointer)
  std::shared_ptr<const config::LoadedConfig> sharing_config_;
  std::unordered_map<std::string, size_t> namespaces_per_pool_;
  std::thread thread_;
  SequenceCache sequences_;
  admin::WorkerStats stats_;
  std::unordered_set<ClientSession*> sessions_;
  std::unordered_map<uint32_t, ClientSession*> sessions_by_id_;
  uint64_t topology_version_seen_ = 0;
  std::unordered_set<std::string> instances_down_;  // "host:port"
  // Backend accounts: sessions per account key, and the pools each key opened.
  std::unordered_map<std::string, size_t> account_sessions_;
  std::unordered_map<std::string, std::unordered_set<std::string>> account_pools_;
  // Drained pools of accounts with no session left, erased by maintenance_loop once empty.
  std::unordered_set<std::string> retired_accounts_;
  void forget_retired_accounts();
};

}  // namespace tessera::frontend
