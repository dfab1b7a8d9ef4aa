// ASCII case-insensitive comparison of SQL words (keywords, variable names): SQL folds the case
// of these, and only ASCII letters occur in them.
#pragma once
#include <cstring>
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

// Whether `text` holds `word` anywhere, ASCII case folded: a cheap test before lexing a
// statement for a word it rarely contains (a table name, a keyword, a variable). Runs on every
// statement: candidates are found with memchr (vectorised) for either case of the first letter.
inline bool icontains(std::string_view text, std::string_view word) {
  if (word.empty()) return true;
  if (text.size() < word.size()) return false;
  const char c0 = word[0];
  const char lo = c0 >= 'A' && c0 <= 'Z' ? static_cast<char>(c0 + 32) : c0;
  const char up = lo >= 'a' && lo <= 'z' ? static_cast<char>(lo - 32) : lo;
  const char* const begin = text.data();
  const char* const last = begin + (text.size() - word.size());  // the last possible start
  auto next = [last](const char* from, char c) -> const char* {
    if (from > last) return nullptr;
    return static_cast<const char*>(std::memchr(from, c, static_cast<size_t>(last - from) + 1));
  };
  const char* at_lo = next(begin, lo);
  const char* at_up = up == lo ? nullptr : next(begin, up);
  while (at_lo || at_up) {
    const bool take_lo = at_lo && (!at_up || at_lo < at_up);
    const char* at = take_lo ? at_lo : at_up;
    if (iequals(std::string_view(at, word.size()), word)) return true;
    if (take_lo) {
      at_lo = next(at + 1, lo);
    } else {
      at_up = next(at + 1, up);
    }
  }
  return false;
}

}  // namespace tessera::sql
