#include "keywords.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace tessera::sql {
namespace {

struct Entry {
  std::string_view text;
  bool reserved;
};

constexpr std::array<Entry, size_t(Kw::Count_)> kEntries = {{
    {"", false},
#define KW(name, reserved) {#name, reserved != 0},
#define KWS(name, spelling, reserved) {spelling, reserved != 0},
#include "keyword_list.inc"
#undef KW
#undef KWS
}};

constexpr size_t kSlots = 2048;  // power of two, > 4x the keyword count: probes stay short
// A word of at most 24 bytes (lookup_keyword takes at most 20) upper-cased (ASCII) and packed into
// three integers, eight bytes each, zero after the end: with the length it stands for the word
// exactly, so a keyword matches by three integer compares and the hash is a few multiplies, without
// a loop over the keyword's text. (One fold and shift per byte of the word is all the per-byte
// work.)
struct Packed {
  uint64_t w[3] = {0, 0, 0};
  uint32_t length = 0;
  constexpr bool operator==(const Packed&) const = default;
};

constexpr Packed pack_upper(std::string_view s) {
  Packed p;
  p.length = uint32_t(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    uint8_t c = uint8_t(s[i]);
    if (uint8_t(c - 'a') < 26) c = uint8_t(c - 32);
    p.w[i >> 3] |= uint64_t(c) << ((i & 7) * 8);
  }
  return p;
}

constexpr size_t slot_of(const Packed& p) {
  uint64_t h = p.w[0] * 0x9E3779B97F4A7C15ull;
  h ^= p.w[1] * 0xC2B2AE3D27D4EB4Full;
  h ^= p.w[2] * 0x165667B19E3779F9ull;
  h ^= p.length;
  return size_t(h >> 40) & (kSlots - 1);
}

constexpr std::array<Packed, size_t(Kw::Count_)> build_packed() {
  std::array<Packed, size_t(Kw::Count_)> out{};
  for (size_t i = 1; i < kEntries.size(); ++i) out[i] = pack_upper(kEntries[i].text);
  return out;
}

constexpr std::array<Packed, size_t(Kw::Count_)> kPacked = build_packed();

// Open-addressing table built at compile time: lookup never allocates or locks.
constexpr std::array<uint16_t, kSlots> build_table() {
  std::array<uint16_t, kSlots> t{};
  for (size_t i = 1; i < kEntries.size(); ++i) {
    size_t slot = slot_of(kPacked[i]);
    while (t[slot] != 0) slot = (slot + 1) & (kSlots - 1);
    t[slot] = uint16_t(i);
  }
  return t;
}

constexpr std::array<uint16_t, kSlots> kTable = build_table();

constexpr bool keywords_fit() {
  for (size_t i = 1; i < kEntries.size(); ++i) {
    if (kEntries[i].text.size() < 2 || kEntries[i].text.size() > 20) return false;
  }
  return true;
}
static_assert(keywords_fit(), "lookup_keyword takes words of 2 to 20 bytes");

// pack_upper at run time for 2 to 20 bytes, without a loop: the word read as (overlapping)
// little-endian loads, then the ASCII lower-case letters of eight bytes at once made upper-case.
// The same integers as pack_upper (the keywords' table is built with that; the tests look up
// every keyword).
inline uint64_t load(const char* p, size_t n) {  // n <= 8
  uint64_t v = 0;
  std::memcpy(&v, p, n);
  return v;
}

inline uint64_t upper8(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  const uint64_t seven = x & ~kHigh;
  const uint64_t from_a = seven + kOnes * (0x80 - 'a');      // high bit: byte >= 'a'
  const uint64_t past_z = seven + kOnes * (0x80 - 'z' - 1);  // high bit: byte > 'z'
  const uint64_t lower = from_a & ~past_z & ~x & kHigh;      // (not for bytes >= 0x80)
  return x ^ (lower >> 2);                                   // 0x80 >> 2: the case bit
}

// The bytes [from, end) of the word (fewer than 8 past `from`, at least 8 in the word), as
// one integer: the last eight bytes loaded and shifted down.
inline uint64_t tail(const char* p, size_t from, size_t end) {
  if (end <= from) return 0;
  uint64_t last;
  std::memcpy(&last, p + end - 8, 8);
  return last >> ((8 - (end - from)) * 8);
}

Packed pack_upper_fast(std::string_view s) {
  Packed p;
  const size_t n = s.size();
  const char* b = s.data();
  p.length = uint32_t(n);
  if (n <= 8) {
    if (n >= 4) {
      uint32_t lo, hi;
      std::memcpy(&lo, b, 4);
      std::memcpy(&hi, b + n - 4, 4);
      p.w[0] = uint64_t(lo) | (uint64_t(hi) << ((n - 4) * 8));
    } else {
      p.w[0] = load(b, n);
    }
  } else {
    std::memcpy(&p.w[0], b, 8);
    if (n <= 16) {
      p.w[1] = tail(b, 8, n);
    } else {
      std::memcpy(&p.w[1], b + 8, 8);
      p.w[2] = tail(b, 16, n);
    }
  }
  p.w[0] = upper8(p.w[0]);
  p.w[1] = upper8(p.w[1]);
  p.w[2] = upper8(p.w[2]);
  return p;
}

}  // namespace

Kw lookup_keyword(std::string_view word) {
  if (word.size() < 2 || word.size() > 20) return Kw::None;
  const Packed p = pack_upper_fast(word);
  size_t slot = slot_of(p);
  while (uint16_t idx = kTable[slot]) {
    if (kPacked[idx] == p) return Kw(idx);
    slot = (slot + 1) & (kSlots - 1);
  }
  return Kw::None;
}

bool is_reserved(Kw kw) {
  return kEntries[size_t(kw)].reserved;
}

std::string_view keyword_text(Kw kw) {
  return kEntries[size_t(kw)].text;
}

}  // namespace tessera::sql
