// State shared by every worker thread: the current configuration snapshot,
// key material, counters. Nothing here is touched on the per-query path
// except atomics.
#pragma once
#include <asio/ssl/context.hpp>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/loaded_config.h"
#include "protocol/auth.h"
#include "protocol/server_identity.h"
#include "router/shard_rule.h"
#include "session/login_guard.h"
#include "topology/topology.h"
#include "txn/txn_manager.h"

namespace tessera::topology {
class Monitor;
}

namespace tessera::frontend {

class Worker;

struct ProxyCounters {
  std::atomic<uint64_t> connections_accepted{0};
  std::atomic<int64_t> connections_active{0};
  std::atomic<uint64_t> auth_failures{0};
  std::atomic<uint64_t> queries{0};
  std::atomic<uint64_t> protocol_errors{0};
  std::atomic<uint64_t> backend_errors{0};
  // issue 6: statements sent again after a failover, writes that waited for a primary (and
  // gave up), autocommit statements retried after a deadlock
  std::atomic<uint64_t> failover_retries{0};
  std::atomic<uint64_t> failover_holds{0};
  std::atomic<uint64_t> failover_hold_timeouts{0};
  std::atomic<uint64_t> deadlock_retries{0};
};

// black_sql of one namespace: fingerprint digest -> fingerprint text (sql/fingerprint.h).
using BlackList = std::unordered_map<uint64_t, std::string>;
// Of every namespace that has a black_sql list, by namespace name.
using BlackLists = std::unordered_map<std::string, BlackList>;
std::shared_ptr<const BlackLists> build_black_lists(const config::LoadedConfig& config);

// Shard rules of every namespace that has any, by namespace name.
using RuleSets = std::unordered_map<std::string, std::shared_ptr<const router::ShardRuleSet>>;
// Builds them; throws config::ConfigError on an invalid rule.
std::shared_ptr<const RuleSets> build_rule_sets(const config::LoadedConfig& config);

// One configuration generation and the shard rules and black lists built from it, published
// together so a reader never pairs one generation's config with another's rules.
struct ConfigSnapshot {
  std::shared_ptr<const config::LoadedConfig> config;
  std::shared_ptr<const RuleSets> rules;
  std::shared_ptr<const BlackLists> black_lists;
  uint64_t generation = 0;  // 1 at start-up, +1 per set_config()
};

class ProxyContext {
 public:
  explicit ProxyContext(std::shared_ptr<const config::LoadedConfig> config);

  std::shared_ptr<const ConfigSnapshot> snapshot() const { return snapshot_.load(); }
  // The newest generation's number: a cheap check before taking a snapshot.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  std::shared_ptr<const config::LoadedConfig> config() const { return snapshot()->config; }
  std::shared_ptr<const RuleSets> rule_sets() const { return snapshot()->rules; }
  // Publishes a new generation (config and rules in one step). Throws config::ConfigError when
  // a namespace's shard rules are invalid (nothing changes then).
  void set_config(std::shared_ptr<const config::LoadedConfig> c);
  std::shared_ptr<const BlackLists> black_lists() const { return snapshot()->black_lists; }

  // Sessions logged in as one user, across worker threads (users.max_connections). Looked up
  // at login only; the session keeps the counter and decrements it when it ends.
  std::shared_ptr<std::atomic<int>> user_connections(const std::string& ns,
                                                     const std::string& user);

  // Who is primary/healthy and each instance's GTID position (issues 5, 6). Holds the
  // configuration's snapshot until a monitor runs; set_config() hands a new configuration to
  // the monitor, if one is attached.
  topology::Topology& topology() const { return *topology_; }
  void attach_topology_monitor(topology::Monitor* monitor) { monitor_ = monitor; }

  // What the client greeting presents: server_version if configured, else the version and
  // capabilities of the default slice primary of the first namespace (configuration order)
  // whose primary has been reached, as last seen by the start-up probe or the monitor. The
  // greeting comes before the login names a namespace, so one identity serves every client.
  protocol::ServerIdentity server_identity() const;
  // "host:port" of the default slice primary of each namespace, in configuration order (the
  // monitor's current primary, else the configured master).
  static std::vector<std::string> identity_instances(const config::LoadedConfig& config,
                                                     const topology::TopologySnapshot* topology);

  uint32_t next_connection_id() { return next_connection_id_.fetch_add(1); }
  // Which worker runs client session `id` (KILL): registered for the session's lifetime.
  void register_session(uint32_t id, Worker* worker);
  void unregister_session(uint32_t id);
  Worker* session_worker(uint32_t id) const;
  // Every worker holding a client session now (SHOW PROCESSLIST asks each of them).
  std::vector<Worker*> session_workers() const;
  unsigned worker_count() const { return worker_count_; }
  void set_worker_count(unsigned n) { worker_count_ = n; }

  const protocol::RsaKeyPair& rsa_key() const { return *rsa_; }
  asio::ssl::context* tls_context() { return tls_.get(); }
  // TLS client context for backend connections of a slice with this "tls" setting (absent:
  // [tls] backend); null when off. Shared by every worker thread.
  std::shared_ptr<asio::ssl::context> backend_tls(
      std::optional<config::BackendTls> slice_mode) const;

  // caching_sha2_password's fast path applies to accounts that completed a
  // full authentication since start-up, as in MySQL's own cache.
  bool sha2_cached(const std::string& user, const std::string& password) const;
  void sha2_remember(const std::string& user, const std::string& password);

  // The XA coordinator's process-wide part (issue 7); null: every namespace is best_effort.
  txn::TxnManager* txn_manager() const { return txn_manager_; }
  void set_txn_manager(txn::TxnManager* m) { txn_manager_ = m; }

  // The end of the highest segment any worker reserved of global sequence `key` (namespace
  // and "db.table"). A sequence row that went away (its table or database dropped and made
  // again) starts above it, so ids this process handed out are never handed out again.
  uint64_t sequence_high_water(const std::string& key) const;
  void note_sequence_end(const std::string& key, uint64_t end);

  ProxyCounters counters;
  // Login defences (session/login_guard.h), configured from [proxy] at start and each reload.
  session::LoginThrottle login_throttle;
  session::ConnectionLimits connection_limits;

 private:
  void configure_limits(const config::ProxyConfig& proxy);
  std::atomic<std::shared_ptr<const ConfigSnapshot>> snapshot_;
  std::atomic<uint64_t> generation_{1};
  std::mutex publish_mu_;  // serialises set_config() so generations stay in order
  std::mutex user_connections_mu_;
  std::unordered_map<std::string, std::shared_ptr<std::atomic<int>>> user_connections_;
  std::shared_ptr<topology::Topology> topology_;
  std::atomic<topology::Monitor*> monitor_{nullptr};
  std::atomic<uint32_t> next_connection_id_{1};
  mutable std::mutex sessions_mu_;
  std::unordered_map<uint32_t, Worker*> session_workers_;
  unsigned worker_count_ = 1;
  txn::TxnManager* txn_manager_ = nullptr;
  std::shared_ptr<protocol::RsaKeyPair> rsa_;
  std::unique_ptr<asio::ssl::context> tls_;
  mutable std::mutex sha2_mu_;
  std::set<std::string> sha2_cache_;  // "user\0password"
  mutable std::mutex sequence_mu_;
  std::unordered_map<std::string, uint64_t> sequence_ends_;
};

}  // namespace tessera::frontend
