#pragma once

#include <nlohmann/json.hpp>

#include "config/namespace_config.h"
#include "config/proxy_config.h"

namespace tessera::config {

enum class Secrets { kInclude, kRedact };

// Canonical JSON forms: normalized types (numbers as numbers, weights explicit), Gaea field
// names for namespaces, so `parse_namespace(to_canonical_json(ns).dump(), ...)` round-trips.
// Source names and warnings are left out. With kRedact, passwords become "***" (admin API).
nlohmann::json to_canonical_json(const Namespace& ns, Secrets secrets = Secrets::kInclude);
nlohmann::json to_canonical_json(const ProxyConfig& proxy, Secrets secrets = Secrets::kInclude);

}  // namespace tessera::config
