// Statement fingerprint (digest) computed from tokens, without parsing: literals become '?',
// IN lists and multi-row VALUES collapse, keywords are upper-cased, comments dropped and
// whitespace normalised; the 64-bit digest is XXH3 of that text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::sql {

struct Fingerprint {
  std::string text;
  uint64_t digest = 0;
};

Fingerprint fingerprint(std::string_view sql);

// Allocation-free after warm-up: `out` is cleared and reused (its capacity is kept).
uint64_t fingerprint_into(std::string_view sql, std::string& out);

}  // namespace tessera::sql
