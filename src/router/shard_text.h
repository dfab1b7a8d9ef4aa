// Small text helpers for rule lookups (names compare case-insensitively, ASCII only, like
// MySQL's lower_case_table_names=1 for the identifiers people write).
#pragma once

#include <string>
#include <string_view>

namespace tessera::router {

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace tessera::router
