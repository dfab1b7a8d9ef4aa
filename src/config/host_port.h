#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tessera::config {

// A TCP endpoint as written in configuration: `127.0.0.1:3306`, `db1:3306`, `[::1]:3306`.
struct HostPort {
  std::string host;  // without brackets for IPv6 literals
  uint16_t port = 0;

  // Canonical text form; IPv6 literals get their brackets back (format_host_port).
  std::string to_string() const;
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

// The one text form of an instance address: `host:port`, an IPv6 literal in brackets
// (`[::1]:3306`), as configuration writes it. Pools, the topology snapshot, the sessions' GTID
// bookkeeping and XA recovery key instances by this text: an address formatted any other way
// names the same server with a second key, and lookups by one never find the other (a down
// IPv6 instance's pools were never drained, a caught-up IPv6 replica never found).
std::string format_host_port(std::string_view host, uint16_t port);
inline std::string to_string(const HostPort& address) {
  return format_host_port(address.host, address.port);
}

// Parses `host:port` or `[v6]:port`. The port must be 1..65535 and the host non-empty; a bare
// IPv6 literal without brackets is rejected (ambiguous). Returns nullopt on any error.
std::optional<HostPort> parse_host_port(std::string_view text);

// A replica address with an optional weight suffix: `host:port@weight` (weight >= 1, default 1).
struct WeightedAddress {
  HostPort address;
  int weight = 1;

  std::string to_string() const;  // `host:port@weight`
  friend bool operator==(const WeightedAddress&, const WeightedAddress&) = default;
};

// Why a weighted address failed to parse, for error messages.
struct WeightedAddressError {
  std::string problem;
};

// Parses `host:port` or `host:port@weight`; on error returns nullopt and fills `error`.
std::optional<WeightedAddress> parse_weighted_address(std::string_view text,
                                                      WeightedAddressError* error = nullptr);

}  // namespace tessera::config
