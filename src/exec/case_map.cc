#include "exec/case_map.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "exec/weight_table.h"

namespace tessera::exec {
namespace {

struct FamilyRecord {
  int upper;  // index into kMaps
  int lower;
  bool eight_bit;
};
struct CollationRecord {
  const char* name;
  int family;
};

#include "exec/collation_tables/case_maps.inc"

constexpr size_t kFamilyCount = sizeof(kFamilies) / sizeof(kFamilies[0]);

const std::array<CaseMap, kFamilyCount>& families() {
  static const std::array<CaseMap, kFamilyCount> all = [] {
    return [&]<size_t... I>(std::index_sequence<I...>) {
      return std::array<CaseMap, kFamilyCount>{CaseMap(
          kMaps[kFamilies[I].upper], kMaps[kFamilies[I].lower], kFamilies[I].eight_bit, I)...};
    }
    (std::make_index_sequence<kFamilyCount>{});
  }();
  return all;
}

// Decodes one UTF-8 character at `i` (advancing it); nullopt for anything else.
std::optional<uint32_t> next_utf8(std::string_view s, size_t& i) {
  auto b = static_cast<uint8_t>(s[i]);
  if (b < 0x80) {
    ++i;
    return b;
  }
  size_t n = b >= 0xf8 ? 0 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return std::nullopt;
  uint32_t cp = b & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    auto c = static_cast<uint8_t>(s[i + k]);
    if ((c & 0xc0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (c & 0x3f);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) return std::nullopt;
  i += n;
  return cp;
}

void append_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// The latin1 byte of a code point (MariaDB's latin1 is cp1252), -1 when latin1 lacks it.
int latin1_byte(uint32_t cp) {
  static const std::vector<int16_t> bytes = [] {
    std::vector<int16_t> out;
    const uint32_t* cps = latin1_code_points();
    for (int b = 0; b < 256; ++b) {
      if (cps[b] >= out.size()) out.resize(cps[b] + 1, -1);
      out[cps[b]] = static_cast<int16_t>(b);
    }
    return out;
  }();
  return cp < bytes.size() ? bytes[cp] : -1;
}

}  // namespace

const CaseMap* CaseMap::of(std::string_view name) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(),
                 [](char ch) { return ch >= 'A' && ch <= 'Z' ? char(ch + 32) : ch; });
  if (n.starts_with("utf8_")) n = "utf8mb3_" + n.substr(5);
  const auto* end = std::end(kCollations);
  const auto* it = std::lower_bound(std::begin(kCollations), end, n,
                                    [](const CollationRecord& r, const auto& k) {
                                      return std::string_view(r.name) < std::string_view(k);
                                    });
  if (it == end || std::string_view(it->name) != n) return nullptr;
  return &families()[static_cast<size_t>(it->family)];
}

uint32_t CaseMap::find(std::span<const int32_t> records, uint32_t c) {
  // The last record starting at or before c (records are sorted and never overlap).
  size_t lo = 0, hi = records.size() / 4;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (static_cast<uint32_t>(records[mid * 4]) <= c) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == 0) return c;
  const int32_t* r = records.data() + (lo - 1) * 4;
  auto first = static_cast<uint32_t>(r[0]);
  auto count = static_cast<uint32_t>(r[1]);
  auto stride = static_cast<uint32_t>(r[2]);
  uint32_t k = c - first;
  if (k % stride != 0 || k / stride >= count) return c;
  return static_cast<uint32_t>(static_cast<int64_t>(c) + r[3]);
}

std::optional<std::string> CaseMap::apply(std::string_view s, bool utf8, bool to_upper) const {
  std::string out;
  out.reserve(s.size() + s.size() / 2);
  if (!utf8) {
    if (!eight_bit_) return std::nullopt;
    for (char ch : s) {
      uint32_t b = static_cast<uint8_t>(ch);
      out.push_back(static_cast<char>(to_upper ? upper(b) : lower(b)));
    }
    return out;
  }
  for (size_t i = 0; i < s.size();) {
    auto cp = next_utf8(s, i);
    if (!cp) return std::nullopt;
    if (eight_bit_) {
      int b = latin1_byte(*cp);
      if (b < 0) return std::nullopt;
      uint32_t m = to_upper ? upper(static_cast<uint32_t>(b)) : lower(static_cast<uint32_t>(b));
      append_utf8(latin1_code_points()[m & 0xff], out);
    } else {
      append_utf8(to_upper ? upper(*cp) : lower(*cp), out);
    }
  }
  return out;
}

}  // namespace tessera::exec
