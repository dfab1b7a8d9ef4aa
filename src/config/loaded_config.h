#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config/namespace_config.h"
#include "config/proxy_config.h"

namespace tessera::config {

// A user together with the namespace that owns it.
struct UserRef {
  const User* user = nullptr;
  const Namespace* ns = nullptr;
  explicit operator bool() const { return user != nullptr; }
};

// Everything one configuration generation holds. The running proxy shares it as
// `std::shared_ptr<const LoadedConfig>` (see make_snapshot) and swaps it on reload.
class LoadedConfig {
 public:
  LoadedConfig() = default;
  LoadedConfig(ProxyConfig proxy, std::vector<Namespace> namespaces);

  const ProxyConfig& proxy() const { return proxy_; }
  // Sorted by name.
  const std::vector<Namespace>& namespaces() const { return namespaces_; }
  // Non-fatal findings of every namespace file (ignored Gaea fields), in file order.
  const std::vector<std::string>& warnings() const { return warnings_; }

  // O(1) lookups built at construction. Pointers stay valid as long as this object lives.
  const User* find_user(std::string_view user_name) const;
  UserRef lookup_user(std::string_view user_name) const;
  const Namespace* find_namespace(std::string_view name) const;
  // The namespace with backend_accounts (logins in no users[] go there); null when none.
  const Namespace* backend_accounts_namespace() const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Index = std::unordered_map<std::string, std::pair<size_t, size_t>, Hash, std::equal_to<>>;

  ProxyConfig proxy_;
  std::vector<Namespace> namespaces_;
  std::vector<std::string> warnings_;
  Index users_;  // user name -> (namespace index, user index)
  std::unordered_map<std::string, size_t, Hash, std::equal_to<>> namespace_index_;
};

// Loads the TOML file, then every namespace from `namespaces_dir` (*.json, sorted) and
// `namespace_files`, validates each and across them. Namespace errors name the file relative
// to the TOML file's directory (`namespaces/demo.json: ...`). Throws ConfigError.
LoadedConfig load_all(const std::filesystem::path& toml_path);

// load_all() wrapped as the immutable snapshot the proxy holds.
std::shared_ptr<const LoadedConfig> load_snapshot(const std::filesystem::path& toml_path);

// Stable hex digest (SHA-256) of the canonical content: independent of file names, key order,
// whitespace, numbers-as-strings and namespace order; changes with any effective value.
std::string config_fingerprint(const LoadedConfig& config);

}  // namespace tessera::config
