// How MariaDB reads a quoted value as a number when it meets an integer column: `id = ' 12 '`,
// `INSERT ... VALUES ('1e3')`. Shard functions over integer keys route by that number, so a
// key routes the way the server will compare and store it (issue 18 item 3). Gaea reads only
// plain unsigned digits and hashes everything else as text (CRC32), which misses the row.
#pragma once

#include <cstdint>
#include <string_view>

#include "router/shard_value.h"

namespace tessera::router {

// Measured on MariaDB 10.11: a comparison with an integer column is exact against the value of
// the text's numeric prefix ('12abc' = 12, 'abc' = 0, '12.5' matches no integer,
// '9223372036854775808' no signed BIGINT); storing rounds half away from zero ('12.5' -> 13,
// '1e3' -> 1000) and, in strict mode, refuses text with anything but whitespace after the number.
struct TextNumber {
  enum class Kind : uint8_t {
    kInteger,     // the prefix is exactly an integer in [-2^63, 2^64-1]: `integer`
    kFraction,    // the prefix has a fraction: no integer equals it; `integer` is it rounded
                  // half away from zero (what an integer column stores), unless `rounded_out`
    kOutOfRange,  // the prefix is an integer beyond 64 bits
  };
  Kind kind = Kind::kInteger;
  ShardValue integer = ShardValue::of(int64_t{0});  // int64, or uint64 above INT64_MAX
  bool rounded_out = false;  // kFraction: the rounded value is beyond 64 bits too
  // Nothing but whitespace around the number: an integer column stores it without complaint.
  // False for '12abc' and for text with no number at all ('abc', which compares as 0).
  bool whole = false;
};

// Leading whitespace, an optional sign, digits with an optional fraction and exponent
// ('  -0012.50e1 ').
TextNumber read_text_number(std::string_view text);

}  // namespace tessera::router
