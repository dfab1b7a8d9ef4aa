#include "frontend/worker.h"

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include "frontend/client_session.h"
#include "topology/topology.h"

namespace tessera::frontend {

Worker::Worker(ProxyContext& ctx, unsigned index) : ctx_(ctx), index_(index) {}

Worker::~Worker() {
  stop();
  join();
}

void Worker::listen(const asio::ip::tcp::endpoint& endpoint) {
  acceptor_ = std::make_unique<asio::ip::tcp::acceptor>(io_);
  acceptor_->open(endpoint.protocol());
  acceptor_->set_option(asio::ip::tcp::acceptor::reuse_address(true));
  int one = 1;
  ::setsockopt(acceptor_->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  acceptor_->bind(endpoint);
  acceptor_->listen(1024);
}

void Worker::start() {
  asio::co_spawn(io_, accept_loop(), asio::detached);
  asio::co_spawn(io_, maintenance_loop(), asio::detached);
  asio::co_spawn(io_, watchdog_loop(), asio::detached);
  asio::co_spawn(io_, topology_watch_loop(), asio::detached);
  thread_ = std::thread([this] {
    try {
      io_.run();
    } catch (const std::exception& e) {
      spdlog::critical("worker {} stopped by an exception: {}", index_, e.what());
    }
  });
}

void Worker::stop() {
  io_.stop();
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

asio::awaitable<void> Worker::accept_loop() {
  for (;;) {
    asio::ip::tcp::socket socket(io_);
    auto [ec] =
        co_await acceptor_->async_accept(socket, asio::experimental::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of file descriptors and the like: back off briefly, keep serving.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer pause(io_, std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
      continue;
    }
    ctx_.counters.connections_accepted++;
    auto session = std::make_shared<ClientSession>(*this, std::move(socket));
    asio::co_spawn(
        io_, [session]() { return session->run(); }, asio::detached);
  }
}

asio::awaitable<void> Worker::maintenance_loop() {
  asio::steady_timer timer(io_);
  for (;;) {
    timer.expires_after(std::chrono::seconds(5));
    auto [ec] = co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    for (auto& [key, pool] : pools_) pool->reap_idle();
    forget_retired_accounts();
  }
}

asio::awaitable<void> Worker::watchdog_loop() {
  asio::steady_timer timer(io_);
  for (;;) {
    timer.expires_after(std::chrono::milliseconds(500));
    auto [ec] = co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    auto config = ctx_.config();
    auto now = std::chrono::steady_clock::now();
    // check_deadlines() only closes sockets and spawns work: no session is destroyed (and no
    // entry leaves sessions_) until a later handler runs.
    for (ClientSession* s : sessions_) s->check_deadlines(config->proxy(), now);
  }
}

asio::awaitable<void> Worker::topology_watch_loop() {
  asio::steady_timer timer(io_);
  for (;;) {
    timer.expires_after(std::chrono::milliseconds(50));
    auto [ec] = co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    auto snap = ctx_.topology().snapshot();
    if (!snap || snap->version == topology_version_seen_) continue;
    topology_version_seen_ = snap->version;
    std::unordered_set<std::string> down;
    for (const auto& slice : snap->slices) {
      for (const auto& inst : slice.instances) {
        if (inst.health == topology::Health::kDown) down.insert(inst.key());
      }
    }
    for (const auto& key : down) {
      if (instances_down_.count(key)) continue;
      for (auto& [pool_key, pool] : pools_) {
        if (pool->endpoint().address() != key) continue;
        spdlog::info("failover: worker {}: {} is down; draining its pool ({} idle)", index_, key,
                     pool->stats().idle);
        pool->drain();
      }
    }
    instances_down_ = std::move(down);
  }
}

backend::PoolLimits Worker::limits_for(const config::Slice& slice, const std::string& pool_key) {
  const auto& proxy = ctx_.config()->proxy();
  unsigned n = std::max(1u, ctx_.worker_count());
  auto share = [n](int v) { return std::max<size_t>(1, (static_cast<size_t>(v) + n - 1) / n); };
  backend::PoolLimits l;
  l.capacity = share(slice.capacity);
  l.max_capacity = share(slice.max_capacity);
  l.idle_timeout = slice.idle_timeout.count() > 0 ? slice.idle_timeout : std::chrono::seconds(60);
  l.acquire_timeout = proxy.pool_acquire_timeout;
  l.connect_timeout = proxy.backend_connect_timeout;
  // Issue 15: a pool several namespaces use caps what each may hold (rounded down, at least
  // one), so one that parks sessions in open transactions leaves the rest to the others.
  if (proxy.pool_namespace_share_percent < 100 && namespaces_sharing(pool_key) > 1) {
    l.tenant_share = std::max<size_t>(
        1, l.max_capacity * static_cast<size_t>(proxy.pool_namespace_share_percent) / 100);
  }
  return l;
}

std::string Worker::pool_key(const config::Slice& slice, const config::HostPort& address,
                             const std::string& account, const std::string& password) const {
  // The account is part of the key, so a connection of one account never serves a session
  // meant to run as another: this is what makes a SELECT-only account (users[].backend_user_name)
  // hold.
  std::string key = config::to_string(address) + "/" + account + "#" + password;
  // Connections made under one TLS setting (required, verify_ca with some CA) never serve
  // another, so the setting is part of the key.
  const auto tls_mode = slice.tls.value_or(ctx_.config()->proxy().backend_tls);
  if (tls_mode != config::BackendTls::kOff) {
    key += "#tls:" + std::string(config::to_string(tls_mode));
    if (tls_mode == config::BackendTls::kVerifyCa) {
      key += ":" + ctx_.config()->proxy().backend_tls_ca.string();
    }
  }
  return key;
}

size_t Worker::namespaces_sharing(const std::string& key) {
  auto cfg = ctx_.config();
  if (cfg != sharing_config_) {
    sharing_config_ = cfg;
    namespaces_per_pool_.clear();
    for (const auto& ns : cfg->namespaces()) {
      std::unordered_set<std::string> keys;  // a namespace counts once per pool
      // The slice's account and every user's own backend account (users[].backend_user_name).
      std::vector<std::pair<std::string, std::string>> accounts;
      for (const auto& slice : ns.slices) {
        accounts.assign(1, {slice.user_name, slice.password});
        for (const auto& u : ns.users) {
          if (!u.backend_user_name.empty())
            accounts.emplace_back(u.backend_user_name, u.backend_password);
        }
        for (const auto& acct : accounts) {
          auto add = [&](const config::HostPort& hp) {
            keys.insert(pool_key(slice, hp, acct.first, acct.second));
          };
          add(slice.master);
          for (const auto& w : slice.writers) add(w);
          for (const auto& r : slice.slaves) add(r.address);
          for (const auto& r : slice.statistic_slaves) add(r.address);
        }
      }
      for (const auto& k : keys) ++namespaces_per_pool_[k];
    }
  }
  auto it = namespaces_per_pool_.find(key);
  return it == namespaces_per_pool_.end() ? 0 : it->second;
}

backend::ConnectionPool& Worker::pool_for(const config::Slice& slice,
                                          const config::HostPort& address,
                                          const config::User* user) {
  const bool own_account = user && !user->backend_user_name.empty();
  const bool server_account = user && !user->backend_account_key.empty();
  const std::string& account = own_account ? user->backend_user_name : slice.user_name;
  const std::string& password = own_account ? user->backend_password : slice.password;
  backend::BackendEndpoint ep{address.host, address.port, account, password};
  // The TLS context itself (a lock and a lookup in a process-wide cache) is fetched only when
  // the pool is made, not per statement.
  // A server account's pools are keyed by its account key (account name plus what it
  // authenticates with, or the one session it belongs to), never shared with another account.
  std::string key = pool_key(slice, address, account,
                             server_account ? "account:" + user->backend_account_key : password);
  if (server_account) {
    ep.password_sha1 = user->backend_password_sha1;
    ep.no_credentials = user->backend_no_credentials;
    account_pools_[user->backend_account_key].insert(key);
  }
  auto it = pools_.find(key);
  if (it == pools_.end()) {
    ep.tls = ctx_.backend_tls(slice.tls.value_or(ctx_.config()->proxy().backend_tls));
    it = pools_
             .emplace(key, std::make_unique<backend::ConnectionPool>(io_.get_executor(), ep,
                                                                     limits_for(slice, key)))
             .first;
  } else {
    it->second->set_limits(limits_for(slice, key));
  }
  return *it->second;
}

backend::ConnectionPool& Worker::pool_for(const config::Slice& slice,
                                          const config::HostPort& address, const config::User* user,
                                          PoolMemo& memo) {
  // (The generation is read before the lookup: a configuration published during it makes the
  // memo stale at once rather than valid for the older one.) Equal slice and user pointers
  // name the same objects: no configuration was made since the memo, so both were alive then.
  const uint64_t generation = ctx_.generation();
  if (memo.pool && memo.generation == generation && memo.pools_epoch == pools_epoch_ &&
      memo.slice == &slice && memo.user == user && memo.address == address) {
    return *memo.pool;
  }
  backend::ConnectionPool& pool = pool_for(slice, address, user);
  memo.generation = generation;
  memo.pools_epoch = pools_epoch_;
  memo.slice = &slice;
  memo.user = user;
  memo.address = address;
  memo.pool = &pool;
  return pool;
}

std::vector<std::pair<std::string, backend::PoolStats>> Worker::pool_stats() const {
  std::vector<std::pair<std::string, backend::PoolStats>> out;
  for (const auto& [key, pool] : pools_) out.emplace_back(pool->endpoint().key(), pool->stats());
  return out;
}

void Worker::join_backend_account(const std::string& key) {
  ++account_sessions_[key];
  retired_accounts_.erase(key);
}

void Worker::leave_backend_account(const std::string& key) {
  auto it = account_sessions_.find(key);
  if (it == account_sessions_.end()) return;
  if (--it->second > 0) return;
  account_sessions_.erase(it);
  if (auto pools = account_pools_.find(key); pools != account_pools_.end()) {
    for (const auto& pool_key : pools->second) {
      if (auto p = pools_.find(pool_key); p != pools_.end()) p->second->drain();
    }
  }
  retired_accounts_.insert(key);
}

void Worker::forget_retired_accounts() {
  for (auto it = retired_accounts_.begin(); it != retired_accounts_.end();) {
    auto pools = account_pools_.find(*it);
    bool empty = true;
    if (pools != account_pools_.end()) {
      for (const auto& pool_key : pools->second) {
        auto p = pools_.find(pool_key);
        if (p == pools_.end()) continue;
        auto st = p->second->stats();
        if (st.open > 0 || st.waiting > 0) empty = false;
      }
    }
    if (!empty) {
      ++it;
      continue;
    }
    if (pools != account_pools_.end()) {
      for (const auto& pool_key : pools->second) pools_.erase(pool_key);
      ++pools_epoch_;
      account_pools_.erase(pools);
    }
    it = retired_accounts_.erase(it);
  }
}

void Worker::add_session(ClientSession* s, uint32_t id) {
  sessions_.insert(s);
  sessions_by_id_[id] = s;
  ctx_.register_session(id, this);
}

void Worker::remove_session(ClientSession* s, uint32_t id) {
  sessions_.erase(s);
  sessions_by_id_.erase(id);
  ctx_.unregister_session(id);
}

ClientSession* Worker::find_session(uint32_t id) const {
  auto it = sessions_by_id_.find(id);
  return it == sessions_by_id_.end() ? nullptr : it->second;
}

}  // namespace tessera::frontend
