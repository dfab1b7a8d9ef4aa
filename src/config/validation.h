#pragma once

#include <vector>

#include "config/namespace_config.h"

namespace tessera::config {

// Semantic checks of one namespace (names present and unique, references resolve, pool sizes,
// shard rule shape). parse_namespace() already calls this; call it again for namespaces built
// in code. Errors name `ns.source_name`. Throws ConfigError.
void validate_namespace(const Namespace& ns);

// Checks across namespaces: namespace names unique, and a user name in only one namespace
// (the MySQL handshake carries only the user name). Throws ConfigError.
void validate_namespaces(const std::vector<Namespace>& namespaces);

}  // namespace tessera::config
