#include "config/host_port.h"

#include <charconv>

#include <fmt/format.h>

namespace tessera::config {

namespace {

std::optional<uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  if (value < 1 || value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

}  // namespace

std::string format_host_port(std::string_view host, uint16_t port) {
  // By hand, not fmt::format: pool keys are made from it on every statement.
  const bool v6 = host.find(':') != std::string_view::npos;
  char digits[8];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, port);
  std::string out;
  out.reserve(host.size() + 3 + size_t(end - digits));
  if (v6) out.push_back('[');
  out.append(host);
  if (v6) out.push_back(']');
  out.push_back(':');
  out.append(digits, end);
  return out;
}

std::string HostPort::to_string() const {
  return format_host_port(host, port);
}

std::optional<HostPort> parse_host_port(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    if (host.find(':') == std::string_view::npos) return std::nullopt;  // brackets only for v6
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // v6 needs brackets
  }
  if (host.empty()) return std::nullopt;
  for (char c : host) {
    if (c == ' ' || c == '\t' || c == '/' || c == '@' || c == '[' || c == ']') return std::nullopt;
  }
  auto p = parse_port(port);
  if (!p) return std::nullopt;
  return HostPort{std::string(host), *p};
}

std::string WeightedAddress::to_string() const {
  return fmt::format("{}@{}", address.to_string(), weight);
}

std::optional<WeightedAddress> parse_weighted_address(std::string_view text,
                                                      WeightedAddressError* error) {
  auto fail = [&](std::string problem) -> std::optional<WeightedAddress> {
    if (error) error->problem = std::move(problem);
    return std::nullopt;
  };
  std::string_view addr = text;
  int weight = 1;
  if (auto at = text.rfind('@'); at != std::string_view::npos) {
    addr = text.substr(0, at);
    std::string_view w = text.substr(at + 1);
    long long value = 0;
    auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), value);
    if (w.empty() || ec != std::errc() || ptr != w.data() + w.size()) {
      return fail(fmt::format("\"{}\": weight \"{}\" is not an integer", text, w));
    }
    if (value < 1 || value > 1000000) {
      return fail(fmt::format("\"{}\": weight must be between 1 and 1000000", text));
    }
    weight = static_cast<int>(value);
  }
  auto hp = parse_host_port(addr);
  if (!hp) return fail(fmt::format("\"{}\" is not host:port or host:port@weight", text));
  return WeightedAddress{std::move(*hp), weight};
}

}  // namespace tessera::config
