// Who Tessera says it is in its greeting: by default the family, version and capabilities of
// the server behind it (drivers choose their SQL dialect and features from the greeting: a
// MariaDB connector turns MariaDB features off in front of "8.0.x", PyMySQL sends MySQL-only
// hints), limited to what Tessera can relay end to end.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tessera::protocol {

// What one backend instance said in its greeting.
struct ServerGreeting {
  std::string server_version;  // as sent, e.g. "5.5.5-10.11.19-MariaDB-0+deb12u1-log"
  uint32_t capabilities = 0;
  uint32_t mariadb_capabilities = 0;
  bool operator==(const ServerGreeting&) const = default;
};

struct ServerIdentity {
  std::string server_version;
  uint32_t capabilities = 0;
  uint32_t mariadb_capabilities = 0;  // on the wire when CLIENT_LONG_PASSWORD is not offered
};

// Capabilities Tessera implements towards its clients (the TLS flag is added by the listener).
extern const uint32_t kProxyCapabilities;
// MariaDB's extended capabilities Tessera relays end to end: the extended type info only
// (bulk execution, progress reports and metadata caching are not relayed).
extern const uint32_t kProxyMariaDbCapabilities;
// The identity when nothing is configured and no backend has been reached yet.
inline constexpr std::string_view kFallbackServerVersion = "8.0.36-Tessera";

// `configured`: the server_version setting (empty: learn it). `backend`: the greeting of the
// default slice's primary, when known. A learned version gets "-Tessera" appended, keeping
// MariaDB's "5.5.5-" prefix (MariaDB clients strip it); capabilities are those both the
// backend and Tessera offer.
ServerIdentity make_server_identity(std::string_view configured,
                                    const std::optional<ServerGreeting>& backend);

}  // namespace tessera::protocol
