#include "frontend/proxy_context.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "backend/tls_client_context.h"
#include "config/config_error.h"
#include "sql/fingerprint.h"
#include "topology/monitor.h"

namespace tessera::frontend {

std::shared_ptr<const RuleSets> build_rule_sets(const config::LoadedConfig& config) {
  auto sets = std::make_shared<RuleSets>();
  for (const auto& ns : config.namespaces()) {
    auto rules = router::ShardRuleSet::build(ns);
    if (!rules->empty()) (*sets)[ns.name] = std::move(rules);
  }
  return sets;
}

std::shared_ptr<const BlackLists> build_black_lists(const config::LoadedConfig& config) {
  auto lists = std::make_shared<BlackLists>();
  for (const auto& ns : config.namespaces()) {
    std::string scratch;
    for (const auto& sql : ns.black_sql) {
      // Each entry in the normalised form statements are compared in (fingerprint.h).
      auto form = sql::black_sql_form(sql, scratch);
      (*lists)[ns.name].emplace(form.digest, std::move(form.text));
    }
  }
  return lists;
}

namespace {

// A backend CA file that cannot be read stops the start-up, or rejects a reload, with its
// name, instead of failing every verify_ca connection later.
void check_backend_ca(const config::ProxyConfig& proxy) {
  if (proxy.backend_tls_ca.empty()) return;
  try {
    backend::tls_client_context(config::BackendTls::kVerifyCa, proxy.backend_tls_ca);
  } catch (const std::exception& e) {
    throw config::ConfigError(proxy.source_path.string(), "tls.backend_ca", e.what());
  }
}

}  // namespace

void ProxyContext::set_config(std::shared_ptr<const config::LoadedConfig> c) {
  check_backend_ca(c->proxy());
  auto next = std::make_shared<ConfigSnapshot>();
  next->rules = build_rule_sets(*c);
  next->black_lists = build_black_lists(*c);
  next->config = c;
  {
    std::lock_guard lock(publish_mu_);
    next->generation = snapshot_.load()->generation + 1;
    uint64_t generation = next->generation;
    snapshot_.store(std::move(next));
    generation_.store(generation, std::memory_order_release);
  }
  configure_limits(c->proxy());
  if (auto* monitor = monitor_.load()) monitor->reconfigure(std::move(c));
}

void ProxyContext::configure_limits(const config::ProxyConfig& proxy) {
  login_throttle.configure(proxy.login_failure_limit, proxy.login_block);
  connection_limits.configure(proxy.max_connections, proxy.max_connections_per_ip);
}

ProxyContext::ProxyContext(std::shared_ptr<const config::LoadedConfig> config)
    : snapshot_(std::make_shared<const ConfigSnapshot>(
          ConfigSnapshot{config, build_rule_sets(*config), build_black_lists(*config), 1})),
      topology_(std::make_shared<topology::Topology>()),
      rsa_(protocol::RsaKeyPair::generate()) {
  topology_->publish(topology::snapshot_from_config(*config));
  const auto& proxy = config->proxy();
  configure_limits(proxy);
  if (proxy.tls_enabled()) {
    tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1);
    tls_->use_certificate_chain_file(proxy.tls_cert.string());
    tls_->use_private_key_file(proxy.tls_key.string(), asio::ssl::context::pem);
    spdlog::info("TLS enabled for clients (certificate {})", proxy.tls_cert.string());
  }
  check_backend_ca(proxy);
  if (proxy.backend_tls != config::BackendTls::kOff) {
    spdlog::info("TLS for backend connections: {} by default",
                 config::to_string(proxy.backend_tls));
  }
}

std::shared_ptr<asio::ssl::context> ProxyContext::backend_tls(
    std::optional<config::BackendTls> slice_mode) const {
  const auto& proxy = config()->proxy();
  return backend::tls_client_context(slice_mode.value_or(proxy.backend_tls), proxy.backend_tls_ca);
}

std::shared_ptr<std::atomic<int>> ProxyContext::user_connections(const std::string& ns,
                                                                 const std::string& user) {
  std::lock_guard lock(user_connections_mu_);
  auto& counter = user_connections_[ns + '\0' + user];
  if (!counter) counter = std::make_shared<std::atomic<int>>(0);
  return counter;
}

bool ProxyContext::sha2_cached(const std::string& user, const std::string& password) const {
  std::lock_guard lock(sha2_mu_);
  return sha2_cache_.count(user + '\0' + password) != 0;
}

void ProxyContext::sha2_remember(const std::string& user, const std::string& password) {
  std::lock_guard lock(sha2_mu_);
  sha2_cache_.insert(user + '\0' + password);
}

void ProxyContext::register_session(uint32_t id, Worker* worker) {
  std::lock_guard lock(sessions_mu_);
  session_workers_[id] = worker;
}

void ProxyContext::unregister_session(uint32_t id) {
  std::lock_guard lock(sessions_mu_);
  session_workers_.erase(id);
}

Worker* ProxyContext::session_worker(uint32_t id) const {
  std::lock_guard lock(sessions_mu_);
  auto it = session_workers_.find(id);
  return it == session_workers_.end() ? nullptr : it->second;
}

std::vector<Worker*> ProxyContext::session_workers() const {
  std::lock_guard lock(sessions_mu_);
  std::vector<Worker*> out;
  for (const auto& [id, worker] : session_workers_) {
    if (std::find(out.begin(), out.end(), worker) == out.end()) out.push_back(worker);
  }
  return out;
}

std::vector<std::string> ProxyContext::identity_instances(
    const config::LoadedConfig& config, const topology::TopologySnapshot* topology) {
  std::vector<std::string> out;
  for (const config::Namespace& ns : config.namespaces()) {
    const topology::SliceView* view =
        topology ? topology->find(ns.name, ns.default_slice) : nullptr;
    if (view && view->primary >= 0 && size_t(view->primary) < view->instances.size()) {
      out.push_back(view->instances[size_t(view->primary)].key());
      continue;
    }
    // No primary right now (a failover): the configured master's last greeting will do.
    if (const config::Slice* slice = ns.find_slice(ns.default_slice))
      out.push_back(slice->master.to_string());
  }
  return out;
}

protocol::ServerIdentity ProxyContext::server_identity() const {
  auto snap = snapshot();
  const config::LoadedConfig& config = *snap->config;
  std::optional<protocol::ServerGreeting> greeting;
  if (config.proxy().server_version.empty()) {
    for (const std::string& key : identity_instances(config, topology_->snapshot().get())) {
      greeting = topology_->greeting(key);
      if (greeting) break;
    }
  }
  return protocol::make_server_identity(config.proxy().server_version, greeting);
}

uint64_t ProxyContext::sequence_high_water(const std::string& key) const {
  std::lock_guard lock(sequence_mu_);
  auto it = sequence_ends_.find(key);
  return it == sequence_ends_.end() ? 0 : it->second;
}

void ProxyContext::note_sequence_end(const std::string& key, uint64_t end) {
  std::lock_guard lock(sequence_mu_);
  auto& e = sequence_ends_[key];
  e = std::max(e, end);
}

}  // namespace tessera::frontend
