// ASCII case-insensitive comparison of SQL words (keywords, variable names): SQL folds the case
// of these, and only ASCII letters occur in them.
#pragma once
#include <string_view>

namespace tessera::sql {

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

}  // namespace tessera::sql
