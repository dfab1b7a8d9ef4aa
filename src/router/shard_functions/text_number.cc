#include "router/shard_functions/text_number.h"

#include <string>

namespace tessera::router {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// `magnitude` (at most 21 digits, so it fits) with `negative` as a 64-bit key, or false when it
// is beyond [-2^63, 2^64-1].
bool to_key(unsigned __int128 magnitude, bool negative, ShardValue& out) {
  constexpr unsigned __int128 kTwo63 = static_cast<unsigned __int128>(1) << 63;
  constexpr unsigned __int128 kTwo64 = static_cast<unsigned __int128>(1) << 64;
  if (negative && magnitude != 0) {
    if (magnitude > kTwo63) return false;
    out = ShardValue::of(static_cast<int64_t>(0 - static_cast<uint64_t>(magnitude)));
    return true;
  }
  if (magnitude >= kTwo64) return false;
  auto u = static_cast<uint64_t>(magnitude);
  out = magnitude < kTwo63 ? ShardValue::of(static_cast<int64_t>(u)) : ShardValue::of_unsigned(u);
  return true;
}

}  // namespace

TextNumber read_text_number(std::string_view text) {
  TextNumber out;
  size_t i = 0;
  while (i < text.size() && is_space(text[i])) ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  std::string digits;    // significant digits (integer part, then fraction)
  int64_t fraction = 0;  // how many of them (and zeros dropped before them) follow the point
  bool any_digit = false;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    any_digit = true;
    if (!digits.empty() || text[i] != '0') digits += text[i];
  }
  if (i < text.size() && text[i] == '.') {
    size_t j = i + 1;
    bool fraction_digit = false;
    for (; j < text.size() && is_digit(text[j]); ++j) {
      fraction_digit = true;
      if (!digits.empty() || text[j] != '0') digits += text[j];
      ++fraction;
    }
    if (any_digit || fraction_digit) {
      any_digit = true;
      i = j;
    }
  }
  if (!any_digit) return out;  // no number: compares as 0, never whole
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    size_t j = i + 1;
    bool exponent_negative = false;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) {
      exponent_negative = text[j] == '-';
      ++j;
    }
    if (j < text.size() && is_digit(text[j])) {
      for (; j < text.size() && is_digit(text[j]); ++j) {
        if (exponent < 100000) exponent = exponent * 10 + (text[j] - '0');
      }
      if (exponent_negative) exponent = -exponent;
      i = j;
    }
  }
  while (i < text.size() && is_space(text[i])) ++i;
  out.whole = i == text.size();

  // The value is digits * 10^scale.
  int64_t scale = exponent - fraction;
  std::string whole_part;
  bool exact = true, round_up = false;
  if (digits.empty()) {
    whole_part = "0";
  } else if (scale >= 0) {
    if (static_cast<int64_t>(digits.size()) + scale > 21) {
      out.kind = TextNumber::Kind::kOutOfRange;
      return out;
    }
    whole_part = digits + std::string(static_cast<size_t>(scale), '0');
  } else {
    int64_t before_point = static_cast<int64_t>(digits.size()) + scale;
    if (before_point <= 0) {
      whole_part = "0";
      exact = false;
      round_up = before_point == 0 && digits[0] >= '5';
    } else {
      whole_part = digits.substr(0, static_cast<size_t>(before_point));
      std::string_view rest = std::string_view(digits).substr(static_cast<size_t>(before_point));
      exact = rest.find_first_not_of('0') == std::string_view::npos;
      round_up = !exact && rest[0] >= '5';
    }
  }
  if (whole_part.size() > 21) {
    out.kind = exact ? TextNumber::Kind::kOutOfRange : TextNumber::Kind::kFraction;
    out.rounded_out = true;
    return out;
  }
  unsigned __int128 magnitude = 0;
  for (char c : whole_part) magnitude = magnitude * 10 + static_cast<unsigned>(c - '0');
  if (exact) {
    if (!to_key(magnitude, negative, out.integer)) out.kind = TextNumber::Kind::kOutOfRange;
    return out;
  }
  out.kind = TextNumber::Kind::kFraction;
  if (round_up) magnitude += 1;
  out.rounded_out = !to_key(magnitude, negative, out.integer);
  return out;
}

}  // namespace tessera::router
