#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tessera::config {

// One `allowed_ip` entry: a single IPv4/IPv6 address or a CIDR block (`10.0.0.0/8`, `fd00::/8`).
struct IpRange {
  bool v6 = false;
  std::array<uint8_t, 16> network{};  // first 4 bytes used for IPv4; host bits zeroed
  int prefix_len = 32;                // 32 (v4) or 128 (v6) for a single address

  // True when `ip` (textual address, v4 or v6; v4-mapped v6 counts as v4) is inside the range.
  bool contains(std::string_view ip) const;
  std::string to_string() const;  // canonical `addr/prefix`
  friend bool operator==(const IpRange&, const IpRange&) = default;
};

// Parses an address or CIDR; nullopt when malformed (bad address, prefix out of range).
std::optional<IpRange> parse_ip_range(std::string_view text);

}  // namespace tessera::config
