#include "keywords.h"

#include <array>

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

constexpr uint32_t hash_upper(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) {
    if (c >= 'a' && c <= 'z') c = char(c - 32);
    h = (h ^ uint8_t(c)) * 16777619u;
  }
  return h;
}

// Open-addressing table built at compile time: lookup never allocates or locks.
constexpr std::array<uint16_t, kSlots> build_table() {
  std::array<uint16_t, kSlots> t{};
  for (size_t i = 1; i < kEntries.size(); ++i) {
    size_t slot = hash_upper(kEntries[i].text) & (kSlots - 1);
    while (t[slot] != 0) slot = (slot + 1) & (kSlots - 1);
    t[slot] = uint16_t(i);
  }
  return t;
}

constexpr std::array<uint16_t, kSlots> kTable = build_table();

}  // namespace

Kw lookup_keyword(std::string_view word) {
  if (word.size() < 2 || word.size() > 20) return Kw::None;
  size_t slot = hash_upper(word) & (kSlots - 1);
  while (uint16_t idx = kTable[slot]) {
    if (iequals_upper(word, kEntries[idx].text)) return Kw(idx);
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
