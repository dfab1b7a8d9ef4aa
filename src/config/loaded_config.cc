#include "config/loaded_config.h"

#include <openssl/evp.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "config/canonical.h"
#include "config/config_error.h"
#include "config/validation.h"

namespace tessera::config {

namespace {

namespace fs = std::filesystem;

// `namespaces/demo.json` when under the TOML file's directory, else the path as is.
std::string display_name(const fs::path& file, const fs::path& base_dir) {
  fs::path rel = file.lexically_relative(base_dir);
  if (!rel.empty() && *rel.begin() != "..") return rel.generic_string();
  return file.generic_string();
}

std::vector<fs::path> namespace_paths(const ProxyConfig& proxy) {
  const std::string source = proxy.source_path.string();
  std::vector<fs::path> files;
  if (!proxy.namespaces_dir.empty()) {
    std::error_code ec;
    if (!fs::is_directory(proxy.namespaces_dir, ec)) {
      throw ConfigError(source, "proxy.namespaces_dir",
                        fmt::format("\"{}\" is not a directory", proxy.namespaces_dir.string()));
    }
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(proxy.namespaces_dir, ec)) {
      if (entry.path().extension() == ".json" && entry.is_regular_file(ec)) {
        found.push_back(entry.path().lexically_normal());
      }
    }
    if (ec) {
      throw ConfigError(
          source, "proxy.namespaces_dir",
          fmt::format("cannot list \"{}\": {}", proxy.namespaces_dir.string(), ec.message()));
    }
    std::sort(found.begin(), found.end());
    files = std::move(found);
  }
  for (size_t i = 0; i < proxy.namespace_files.size(); ++i) {
    const fs::path& file = proxy.namespace_files[i];
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
      throw ConfigError(source, fmt::format("proxy.namespace_files[{}]", i),
                        fmt::format("\"{}\" does not exist or is not a file", file.string()));
    }
    if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
  }
  return files;
}

}  // namespace

LoadedConfig::LoadedConfig(ProxyConfig proxy, std::vector<Namespace> namespaces)
    : proxy_(std::move(proxy)), namespaces_(std::move(namespaces)) {
  for (const auto& ns : namespaces_) {
    warnings_.insert(warnings_.end(), ns.warnings.begin(), ns.warnings.end());
  }
  std::sort(namespaces_.begin(), namespaces_.end(),
            [](const Namespace& a, const Namespace& b) { return a.name < b.name; });
  validate_namespaces(namespaces_);
  for (size_t n = 0; n < namespaces_.size(); ++n) {
    namespace_index_.emplace(namespaces_[n].name, n);
    for (size_t u = 0; u < namespaces_[n].users.size(); ++u) {
      users_.emplace(namespaces_[n].users[u].user_name, std::make_pair(n, u));
    }
  }
}

const User* LoadedConfig::find_user(std::string_view user_name) const {
  return lookup_user(user_name).user;
}

UserRef LoadedConfig::lookup_user(std::string_view user_name) const {
  auto it = users_.find(user_name);
  if (it == users_.end()) return {};
  const Namespace& ns = namespaces_[it->second.first];
  return {&ns.users[it->second.second], &ns};
}

const Namespace* LoadedConfig::find_namespace(std::string_view name) const {
  auto it = namespace_index_.find(name);
  return it == namespace_index_.end() ? nullptr : &namespaces_[it->second];
}

const Namespace* LoadedConfig::backend_accounts_namespace() const {
  for (const auto& ns : namespaces_) {
    if (ns.backend_accounts) return &ns;
  }
  return nullptr;
}

LoadedConfig load_all(const fs::path& toml_path) {
  ProxyConfig proxy = load_proxy_config(toml_path);
  std::vector<Namespace> namespaces;
  for (const auto& file : namespace_paths(proxy)) {
    namespaces.push_back(load_namespace_file(file, display_name(file, proxy.base_dir)));
  }
  if (namespaces.empty()) {
    throw ConfigError(toml_path.string(), "proxy.namespaces_dir",
                      fmt::format("no namespace files found (looked in \"{}\" and "
                                  "proxy.namespace_files)",
                                  proxy.namespaces_dir.string()));
  }
  return LoadedConfig(std::move(proxy), std::move(namespaces));
}

std::shared_ptr<const LoadedConfig> load_snapshot(const fs::path& toml_path) {
  return std::make_shared<const LoadedConfig>(load_all(toml_path));
}

std::string config_fingerprint(const LoadedConfig& config) {
  nlohmann::json doc;
  doc["proxy"] = to_canonical_json(config.proxy());
  nlohmann::json namespaces = nlohmann::json::array();
  for (const auto& ns : config.namespaces()) namespaces.push_back(to_canonical_json(ns));
  doc["namespaces"] = std::move(namespaces);
  const std::string text = doc.dump();  // object keys are sorted: canonical

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("config_fingerprint: SHA-256 failed");
  }
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

}  // namespace tessera::config
