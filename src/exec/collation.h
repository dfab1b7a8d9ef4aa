// How string cells compare under a MySQL/MariaDB collation, as far as merging needs it.
//
// Best effort by design: binary and `_bin` collations compare bytes exactly like the server;
// `_ci` collations fold case for ASCII and Latin-1 letters (and, for the accent-insensitive
// utf8 collations, strip Latin-1 accents), then order by code point. The server's real UCA
// weights for other characters are not reproduced: two strings that differ only outside
// ASCII/Latin-1 compare by code point here, which can order them differently from the server
// but never merges distinct values into one group unless the server would too for ASCII.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::exec {

struct Collation {
  enum class Encoding : uint8_t { kBytes, kUtf8, kLatin1 };

  Encoding encoding = Encoding::kUtf8;
  bool case_insensitive = true;
  bool accent_insensitive = false;
  // PAD SPACE: the shorter string is compared as if padded with spaces, so trailing spaces do
  // not matter ('a' = 'a  '). All pre-UCA-9 collations except `binary` and MariaDB's `_nopad`
  // ones behave so; MySQL 8's `_0900` collations are NO PAD.
  bool pad_space = true;

  // The collation a column definition's charset id names. Unknown ids are treated as a
  // case-insensitive utf8 collation, the common default.
  static Collation from_id(uint16_t id);
  static Collation binary() { return Collation{Encoding::kBytes, false, false, false}; }
};

// <0, 0, >0 like strcmp, under `c`.
int compare_strings(const Collation& c, std::string_view a, std::string_view b);

// Appends a byte string that is equal for two inputs exactly when compare_strings() says they
// are equal, for hashing groups and DISTINCT.
void append_string_key(const Collation& c, std::string_view s, std::string& out);

}  // namespace tessera::exec
