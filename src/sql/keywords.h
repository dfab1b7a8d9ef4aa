// Keyword identities. The list itself is data (keyword_list.inc); this header only turns it into
// an enum and a lookup so the lexer can tag words in one hash probe.
#pragma once

#include <cstdint>
#include <string_view>

namespace tessera::sql {

enum class Kw : uint16_t {
  None = 0,
#define KW(name, reserved) name,
#define KWS(name, spelling, reserved) name,
#include "keyword_list.inc"
#undef KW
#undef KWS
  Count_
};

// Keyword for a bare word (any case), or Kw::None.
Kw lookup_keyword(std::string_view word);
bool is_reserved(Kw kw);
// Canonical (upper-case) spelling.
std::string_view keyword_text(Kw kw);

// ASCII case-insensitive equality against an upper-case literal.
inline bool iequals_upper(std::string_view s, std::string_view upper) {
  if (s.size() != upper.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'a' && c <= 'z') c = char(c - 32);
    if (c != upper[i]) return false;
  }
  return true;
}

}  // namespace tessera::sql
