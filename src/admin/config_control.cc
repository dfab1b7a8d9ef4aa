#include "admin/config_control.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "config/config_error.h"
#include "config/loaded_config.h"
#include "config/secret_box.h"

namespace tessera::admin {

ConfigControl::ConfigControl(frontend::ProxyContext& ctx, std::filesystem::path toml_path)
    : ctx_(ctx), toml_path_(std::move(toml_path)) {}

config::Namespace ConfigControl::parse_document(std::string_view json, const std::string& name,
                                                const std::string& encrypt_key,
                                                const std::string& source) {
  auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    throw config::ConfigError(source, {}, "not a JSON object");
  }
  config::decrypt_namespace_secrets(doc, encrypt_key, source);
  config::Namespace ns = config::parse_namespace(doc.dump(), source);
  if (ns.name != name) {
    throw config::ConfigError(source, "name",
                              fmt::format("\"{}\" does not match the namespace \"{}\" it was "
                                          "stored or sent under",
                                          ns.name, name));
  }
  return ns;
}

std::vector<config::Namespace> ConfigControl::current_namespaces() const {
  return ctx_.config()->namespaces();
}

ChangeResult ConfigControl::reject(const std::string& what, const std::string& why) {
  rejected_++;
  spdlog::error("config: {} rejected, keeping configuration generation {}: {}", what,
                ctx_.snapshot()->generation, why);
  return {false, why};
}

ChangeResult ConfigControl::publish(config::ProxyConfig proxy,
                                    std::vector<config::Namespace> namespaces,
                                    const std::string& what) {
  std::shared_ptr<const config::LoadedConfig> next;
  try {
    next = std::make_shared<const config::LoadedConfig>(std::move(proxy), std::move(namespaces));
    ctx_.set_config(next);  // builds and checks shard rules before publishing
  } catch (const std::exception& e) {
    return reject(what, e.what());
  }
  applied_++;
  auto gen = ctx_.snapshot()->generation;
  spdlog::info("config: {} applied: generation {}, {} namespace(s)", what, gen,
               next->namespaces().size());
  for (const auto& w : next->warnings()) spdlog::warn("config: {}", w);
  return {true, fmt::format("{} applied (generation {})", what, gen)};
}

ChangeResult ConfigControl::reload() {
  std::lock_guard lock(mu_);
  config::ProxyConfig proxy;
  try {
    proxy = config::load_proxy_config(toml_path_);
  } catch (const std::exception& e) {
    return reject("reload of " + toml_path_.string(), e.what());
  }
  const auto& running = ctx_.config()->proxy();
  if (proxy.listen.to_string() != running.listen.to_string() ||
      proxy.admin_listen.has_value() != running.admin_listen.has_value() ||
      (proxy.admin_listen &&
       proxy.admin_listen->to_string() != running.admin_listen->to_string())) {
    spdlog::warn("config: listen addresses changed in {}; they take effect at restart",
                 toml_path_.string());
  }
  if (proxy.etcd_enabled()) {
    std::map<std::string, std::string> docs;
    try {
      config::EtcdClient etcd(config::etcd_options(proxy));
      std::string prefix = proxy.etcd_namespace_prefix();
      for (auto& [key, value] : etcd.get_prefix(prefix).kvs) {
        docs[key.substr(prefix.size())] = std::move(value);
      }
    } catch (const std::exception& e) {
      return reject("reload from etcd", e.what());
    }
    std::vector<config::Namespace> namespaces;
    try {
      for (const auto& [name, json] : docs) {
        namespaces.push_back(parse_document(json, name, proxy.etcd_encrypt_key,
                                            proxy.etcd_namespace_prefix() + name));
      }
    } catch (const std::exception& e) {
      return reject("reload from etcd", e.what());
    }
    return publish(std::move(proxy), std::move(namespaces), "reload from etcd");
  }
  config::LoadedConfig loaded;
  try {
    loaded = config::load_all(toml_path_);
  } catch (const std::exception& e) {
    return reject("reload of " + toml_path_.string(), e.what());
  }
  return publish(loaded.proxy(), loaded.namespaces(), "reload of " + toml_path_.string());
}

ChangeResult ConfigControl::prepare(const std::string& name, std::string_view json) {
  std::lock_guard lock(mu_);
  auto current = ctx_.config();
  const auto& proxy = current->proxy();
  std::string what = fmt::format("prepare of namespace \"{}\"", name);
  std::string doc(json);
  if (doc.find_first_not_of(" \r\n\t") == std::string::npos) {
    if (!proxy.etcd_enabled()) return reject(what, "the request has no namespace JSON body");
    try {
      config::EtcdClient etcd(config::etcd_options(proxy));
      auto range = etcd.get_prefix(proxy.etcd_namespace_prefix() + name);
      auto it = range.kvs.find(proxy.etcd_namespace_prefix() + name);
      if (it == range.kvs.end()) return reject(what, "etcd has no such namespace");
      doc = it->second;
    } catch (const std::exception& e) {
      return reject(what, e.what());
    }
  }
  config::Namespace ns;
  try {
    ns = parse_document(doc, name, proxy.etcd_encrypt_key, "namespace " + name);
    // Validate against everything else in force now (user names unique across namespaces,
    // shard rules build), without publishing.
    auto namespaces = current->namespaces();
    std::erase_if(namespaces, [&](const config::Namespace& n) { return n.name == name; });
    namespaces.push_back(ns);
    config::LoadedConfig trial(proxy, std::move(namespaces));
    frontend::build_rule_sets(trial);
  } catch (const std::exception& e) {
    return reject(what, e.what());
  }
  staged_[name] = std::move(ns);
  spdlog::info("config: namespace \"{}\" prepared; commit to apply it", name);
  return {true, fmt::format("namespace \"{}\" prepared", name)};
}

ChangeResult ConfigControl::commit(const std::string& name) {
  std::lock_guard lock(mu_);
  std::string what = fmt::format("commit of namespace \"{}\"", name);
  auto it = staged_.find(name);
  if (it == staged_.end()) return reject(what, "nothing prepared for this namespace");
  auto current = ctx_.config();
  auto namespaces = current->namespaces();
  std::erase_if(namespaces, [&](const config::Namespace& n) { return n.name == name; });
  namespaces.push_back(it->second);
  auto r = publish(current->proxy(), std::move(namespaces), what);
  if (r.ok) staged_.erase(it);
  return r;
}

ChangeResult ConfigControl::remove(const std::string& name) {
  std::lock_guard lock(mu_);
  std::string what = fmt::format("deletion of namespace \"{}\"", name);
  auto current = ctx_.config();
  if (!current->find_namespace(name)) return reject(what, "no such namespace");
  auto namespaces = current->namespaces();
  std::erase_if(namespaces, [&](const config::Namespace& n) { return n.name == name; });
  staged_.erase(name);
  return publish(current->proxy(), std::move(namespaces), what);
}

ChangeResult ConfigControl::apply_etcd(const std::string& name,
                                       const std::optional<std::string>& json) {
  std::lock_guard lock(mu_);
  auto current = ctx_.config();
  const auto& proxy = current->proxy();
  auto namespaces = current->namespaces();
  std::erase_if(namespaces, [&](const config::Namespace& n) { return n.name == name; });
  std::string what = fmt::format("etcd {} of namespace \"{}\"", json ? "change" : "deletion", name);
  if (json) {
    try {
      namespaces.push_back(parse_document(*json, name, proxy.etcd_encrypt_key,
                                          proxy.etcd_namespace_prefix() + name));
    } catch (const std::exception& e) {
      return reject(what, e.what());
    }
  }
  return publish(proxy, std::move(namespaces), what);
}

ChangeResult ConfigControl::sync_etcd(const std::map<std::string, std::string>& docs_by_name) {
  std::lock_guard lock(mu_);
  auto current = ctx_.config();
  const auto& proxy = current->proxy();
  std::vector<config::Namespace> namespaces;
  for (const auto& [name, json] : docs_by_name) {
    try {
      namespaces.push_back(
          parse_document(json, name, proxy.etcd_encrypt_key, proxy.etcd_namespace_prefix() + name));
    } catch (const std::exception& e) {
      // One bad document must not keep the good ones out: keep what is in force for it.
      rejected_++;
      const config::Namespace* old = current->find_namespace(name);
      spdlog::error("config: etcd namespace \"{}\" rejected{}: {}", name,
                    old ? ", keeping the one in force" : "", e.what());
      if (old) namespaces.push_back(*old);
    }
  }
  return publish(proxy, std::move(namespaces), "etcd sync");
}

std::string ConfigControl::fingerprint() const {
  return config::config_fingerprint(*ctx_.config());
}

}  // namespace tessera::admin
