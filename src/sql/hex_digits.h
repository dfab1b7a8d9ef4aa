// Hex digits as SQL writes bytes (X'..' literals, HEX()): decoding shared by the statement
// checks that read such text back (frontend/dynamic_sql.cc, session/xa_scope.cc).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace tessera::sql {

inline int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The bytes `digits` spell (two per byte); nullopt for an odd count or a non-hex digit.
inline std::optional<std::string> decode_hex(std::string_view digits) {
  if (digits.size() % 2) return std::nullopt;
  std::string out;
  out.reserve(digits.size() / 2);
  for (size_t i = 0; i < digits.size(); i += 2) {
    int hi = hex_digit_value(digits[i]), lo = hex_digit_value(digits[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace tessera::sql
