#include "admin/etcd_watcher.h"

#include <spdlog/spdlog.h>

namespace tessera::admin {

EtcdWatcher::EtcdWatcher(ConfigControl& control, const config::ProxyConfig& proxy)
    : control_(control),
      prefix_(proxy.etcd_namespace_prefix()),
      client_(config::etcd_options(proxy)) {}

EtcdWatcher::~EtcdWatcher() {
  stop();
}

bool EtcdWatcher::full_sync(int64_t& revision, bool at_start) {
  try {
    auto range = client_.get_prefix(prefix_);
    std::map<std::string, std::string> docs;
    for (auto& [key, value] : range.kvs) docs[key.substr(prefix_.size())] = std::move(value);
    control_.sync_etcd(docs);
    revision = range.revision + 1;
    spdlog::info("config: read {} namespace(s) from etcd under {} (revision {})", docs.size(),
                 prefix_, range.revision);
    return true;
  } catch (const config::EtcdError& e) {
    // At start, credentials or certificates etcd refuses are a configuration error (Tessera
    // does not start); an etcd that does not answer yet is waited for, as later.
    if (at_start && e.refused()) throw;
    spdlog::error("config: cannot read namespaces from etcd: {}", e.what());
    return false;
  } catch (const std::exception& e) {
    spdlog::error("config: cannot read namespaces from etcd: {}", e.what());
    return false;
  }
}

void EtcdWatcher::start() {
  int64_t revision = 0;
  if (full_sync(revision, true)) start_revision_ = revision;
  thread_ = std::thread([this] { run(); });
}

void EtcdWatcher::stop() {
  stopping_ = true;
  client_.stop();
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EtcdWatcher::run() {
  int64_t revision = start_revision_;
  while (!stopping_) {
    if (revision == 0 && !full_sync(revision)) {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_.load(); });
      continue;
    }
    try {
      revision = client_.watch(prefix_, revision, [this](const auto& events) {
        for (const auto& e : events) {
          if (e.key.size() <= prefix_.size()) continue;
          control_.apply_etcd(e.key.substr(prefix_.size()), e.value);
        }
      });
    } catch (const std::exception& e) {
      if (stopping_) break;
      spdlog::warn("config: etcd watch interrupted ({}); reconnecting", e.what());
      revision = 0;  // read everything again: changes may have been missed
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_.load(); });
    }
  }
}

}  // namespace tessera::admin
