#include "router/shard_functions/key_conversion.h"

#include <charconv>

#include <fmt/format.h>

#include "router/shard_functions/crc32.h"

namespace tessera::router {

namespace {

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::optional<int64_t> parse_go_int(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (!all_digits(text)) return std::nullopt;
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), magnitude);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(INT64_MAX);
  if (negative) {
    if (magnitude > kMaxPositive + 1) return std::nullopt;
    return static_cast<int64_t>(0 - magnitude);  // two's complement; covers INT64_MIN
  }
  if (magnitude > kMaxPositive) return std::nullopt;
  return static_cast<int64_t>(magnitude);
}

std::optional<uint64_t> parse_go_uint(std::string_view text) {
  if (!all_digits(text)) return std::nullopt;
  uint64_t out = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return out;
}

ShardResult<uint64_t> hash_key(const ShardValue& value) {
  if (const auto* i = std::get_if<int64_t>(&value.v)) return static_cast<uint64_t>(*i);
  if (const auto* u = std::get_if<uint64_t>(&value.v)) return *u;
  if (const auto* s = std::get_if<std::string>(&value.v)) {
    // Gaea: quoted '5' hashes like 5, but '-5' is not unsigned and hashes by CRC32.
    if (auto n = parse_go_uint(*s)) return *n;
    return static_cast<uint64_t>(crc32_ieee(*s));
  }
  return key_error("hash", "cannot route NULL");
}

ShardResult<int64_t> number_key(const ShardValue& value, std::string_view function) {
  if (const auto* i = std::get_if<int64_t>(&value.v)) return *i;
  if (const auto* u = std::get_if<uint64_t>(&value.v)) return static_cast<int64_t>(*u);
  if (const auto* s = std::get_if<std::string>(&value.v)) {
    if (auto n = parse_go_int(*s)) return *n;
    return key_error(function, fmt::format("{} is not an integer", describe(value)));
  }
  return key_error(function, "cannot route NULL");
}

ShardResult<std::string> text_key(const ShardValue& value, std::string_view function) {
  if (const auto* i = std::get_if<int64_t>(&value.v)) return std::to_string(*i);
  if (const auto* u = std::get_if<uint64_t>(&value.v)) return std::to_string(*u);
  if (const auto* s = std::get_if<std::string>(&value.v)) return *s;
  return key_error(function, "cannot route NULL");
}

std::string describe(const ShardValue& value) {
  if (const auto* i = std::get_if<int64_t>(&value.v)) return std::to_string(*i);
  if (const auto* u = std::get_if<uint64_t>(&value.v)) return std::to_string(*u);
  if (const auto* s = std::get_if<std::string>(&value.v)) return fmt::format("\"{}\"", *s);
  return "NULL";
}

ShardError key_error(std::string_view function, std::string_view problem) {
  return ShardError{fmt::format("{}: {}", function, problem)};
}

}  // namespace tessera::router
