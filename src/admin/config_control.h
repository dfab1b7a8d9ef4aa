// Changes the running configuration: reload from the source (files, or etcd), two-phase
// namespace changes from the admin API (prepare stages and validates, commit publishes), and
// namespace changes pushed by the etcd watch. Every change builds a complete new
// LoadedConfig, validates it (namespaces, cross-namespace rules, shard rules) and publishes it
// with ProxyContext::set_config() as one snapshot; a change that fails validation is logged
// and rejected, and the configuration in force stays. Not on the query path: one mutex.
#pragma once
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "config/etcd_client.h"
#include "config/namespace_config.h"
#include "frontend/proxy_context.h"

namespace tessera::admin {

struct ChangeResult {
  bool ok = true;
  std::string message;  // what was applied, or why it was rejected
};

class ConfigControl {
 public:
  ConfigControl(frontend::ProxyContext& ctx, std::filesystem::path toml_path);

  // SIGHUP / PUT /api/proxy/config/reload: re-reads the TOML file and every namespace from
  // the files (or, with [etcd], from etcd).
  ChangeResult reload();
  // Stages `json` (a namespace document) under `name` after validating it together with the
  // rest of the configuration in force. Empty `json` with [etcd]: reads the namespace's key.
  ChangeResult prepare(const std::string& name, std::string_view json);
  // Publishes the staged namespace.
  ChangeResult commit(const std::string& name);
  ChangeResult remove(const std::string& name);
  // etcd: the namespace's key changed (nullopt: deleted).
  ChangeResult apply_etcd(const std::string& name, const std::optional<std::string>& json);
  // etcd: every namespace as read by one range request (replaces all namespaces).
  ChangeResult sync_etcd(const std::map<std::string, std::string>& docs_by_name);

  std::string fingerprint() const;
  uint64_t applied() const { return applied_.load(); }
  uint64_t rejected() const { return rejected_.load(); }

  // Parses a namespace document as stored in etcd or sent to the API: decrypts "enc:"
  // passwords with `encrypt_key`, checks the name. Throws config::ConfigError.
  static config::Namespace parse_document(std::string_view json, const std::string& name,
                                          const std::string& encrypt_key,
                                          const std::string& source);

 private:
  ChangeResult publish(config::ProxyConfig proxy, std::vector<config::Namespace> namespaces,
                       const std::string& what);
  ChangeResult reject(const std::string& what, const std::string& why);
  std::vector<config::Namespace> current_namespaces() const;

  frontend::ProxyContext& ctx_;
  std::filesystem::path toml_path_;
  mutable std::mutex mu_;
  std::map<std::string, config::Namespace> staged_;
  std::atomic<uint64_t> applied_{0};
  std::atomic<uint64_t> rejected_{0};
};

}  // namespace tessera::admin
