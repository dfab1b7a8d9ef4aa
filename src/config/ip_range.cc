#include "config/ip_range.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace tessera::config {

namespace {

struct Address {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};
};

std::optional<Address> parse_address(std::string_view text) {
  std::string s(text);  // inet_pton needs a NUL-terminated string
  Address a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(a.bytes.data(), kMapped, sizeof kMapped) == 0) {
      std::array<uint8_t, 16> v4{};
      std::memcpy(v4.data(), a.bytes.data() + 12, 4);
      a.bytes = v4;
      return a;
    }
    a.v6 = true;
    return a;
  }
  return std::nullopt;
}

bool prefix_equal(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int bits) {
  int full = bits / 8;
  if (std::memcmp(a.data(), b.data(), full) != 0) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

}  // namespace

std::optional<IpRange> parse_ip_range(std::string_view text) {
  std::string_view addr = text;
  std::optional<int> prefix;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    std::string_view p = text.substr(slash + 1);
    int value = -1;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (p.empty() || ec != std::errc() || ptr != p.data() + p.size()) return std::nullopt;
    prefix = value;
  }
  auto parsed = parse_address(addr);
  if (!parsed) return std::nullopt;
  IpRange r;
  r.v6 = parsed->v6;
  int max_bits = r.v6 ? 128 : 32;
  r.prefix_len = prefix.value_or(max_bits);
  if (r.prefix_len < 0 || r.prefix_len > max_bits) return std::nullopt;
  // Keep only the network bits so equal ranges compare equal.
  for (int i = 0; i < 16; ++i) {
    int bit_start = i * 8;
    if (bit_start >= r.prefix_len) {
      r.network[i] = 0;
    } else if (bit_start + 8 > r.prefix_len) {
      r.network[i] =
          parsed->bytes[i] & static_cast<uint8_t>(0xff << (bit_start + 8 - r.prefix_len));
    } else {
      r.network[i] = parsed->bytes[i];
    }
  }
  return r;
}

bool IpRange::contains(std::string_view ip) const {
  auto a = parse_address(ip);
  if (!a || a->v6 != v6) return false;
  return prefix_equal(a->bytes, network, prefix_len);
}

std::string IpRange::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, network.data(), buf, sizeof buf);
  return fmt::format("{}/{}", buf, prefix_len);
}

}  // namespace tessera::config
