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

// Whether `text` holds `word` anywhere, ASCII case folded: a cheap test before lexing a
// statement for a word it rarely contains (a table name, a keyword, a variable).
inline bool icontains(std::string_view text, std::string_view word) {
  if (word.empty()) return true;
  if (text.size() < word.size()) return false;
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  const char first = lower(word[0]);
  for (size_t i = 0; i + word.size() <= text.size(); ++i) {
    if (lower(text[i]) == first && iequals(text.substr(i, word.size()), word)) return true;
  }
  return false;
}

}  // namespace tessera::sql
