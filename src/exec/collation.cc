#include "exec/collation.h"

#include <algorithm>
#include <array>

namespace tessera::exec {
namespace {

// `_bin` collations below 256 (shared by MySQL and MariaDB): bytewise, PAD SPACE.
constexpr std::array<uint16_t, 40> kBinIds{43, 46, 47, 50, 53, 55, 58, 61, 62, 64, 65, 66, 67, 68,
                                           69, 70, 71, 72, 73, 74, 75, 77, 78, 79, 80, 81, 82, 83,
                                           84, 85, 86, 87, 88, 89, 90, 91, 93, 96, 98, 249};
// `_cs` (case-sensitive, not binary) collations: treated as bytewise.
constexpr std::array<uint16_t, 6> kCsIds{2, 20, 34, 42, 49, 52};
// Latin-1 single-byte charsets among the ids below 256 (latin1_*).
constexpr std::array<uint16_t, 8> kLatin1Ids{5, 8, 15, 31, 47, 48, 49, 94};

bool contains(const auto& ids, uint16_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// utf8mb3/utf8mb4 collation ids below 256: general (33, 45), unicode and language variants.
bool is_utf8_id(uint16_t id) {
  return id == 33 || id == 45 || id == 46 || id == 76 || id == 83 || (id >= 192 && id <= 247);
}

constexpr uint32_t kInvalidBase = 0x110000;  // invalid UTF-8 bytes sort after every code point

// Decodes one character at `i` (advancing it) as a code point.
uint32_t next_char(Collation::Encoding enc, std::string_view s, size_t& i) {
  auto b = static_cast<uint8_t>(s[i]);
  if (enc != Collation::Encoding::kUtf8 || b < 0x80) {
    ++i;
    return b;
  }
  size_t n = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
  if (n == 0 || n > 4 || i + n > s.size()) {
    ++i;
    return kInvalidBase + b;
  }
  uint32_t cp = b & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    auto c = static_cast<uint8_t>(s[i + k]);
    if ((c & 0xc0) != 0x80) {
      ++i;
      return kInvalidBase + b;
    }
    cp = (cp << 6) | (c & 0x3f);
  }
  i += n;
  return cp;
}

// Latin-1 capital letters with accents, U+00C0..U+00DE, mapped to their base letter.
constexpr std::string_view kLatin1Base =
    "AAAAAAACEEEEIIII"
    "DNOOOOO*OUUUUYT";

uint32_t fold(const Collation& c, uint32_t cp) {
  if (!c.case_insensitive) return cp;
  // Uppercase, as MySQL's general_ci weights are uppercase letters: this puts '_' (0x5F)
  // after letters, as the server does.
  if (cp >= 'a' && cp <= 'z') return cp - 0x20;
  // Multi-byte Asian charsets are read byte by byte: only ASCII folds there.
  if (c.encoding == Collation::Encoding::kBytes) return cp;
  if (cp >= 0xe0 && cp <= 0xfe && cp != 0xf7) cp -= 0x20;
  if (c.accent_insensitive && cp >= 0xc0 && cp <= 0xde && cp != 0xd7 && cp != 0xc6 && cp != 0xd0 &&
      cp != 0xde) {
    return static_cast<uint8_t>(kLatin1Base[cp - 0xc0]);
  }
  return cp;
}

}  // namespace

Collation Collation::from_id(uint16_t id) {
  if (id == 63) return binary();
  Collation c;
  if (id >= 2048 && id <= 4095) {
    // MariaDB UCA-14.0.0 ids: 1ccc tttt tPST (charset, tailoring, NO PAD, accent-, case-
    // sensitive levels).
    c.encoding = Encoding::kUtf8;
    c.pad_space = (id & 4) == 0;
    c.accent_insensitive = (id & 2) == 0;
    c.case_insensitive = (id & 1) == 0;
    return c;
  }
  if (id >= 255 && id < 1024) {
    // MySQL 8 utf8mb4_0900 family (NO PAD); as_cs variants and 0900_bin are case-sensitive.
    c.encoding = Encoding::kUtf8;
    c.pad_space = false;
    bool sensitive = (id >= 278 && id <= 304) || id == 307 || id == 308 || id == 309;
    c.case_insensitive = !sensitive;
    c.accent_insensitive = !sensitive;
    return c;
  }
  uint16_t base = id;
  if (id >= 1024 && id < 2048) {
    // MariaDB `_nopad` variants are their PAD SPACE sibling's id + 1024.
    base = static_cast<uint16_t>(id - 1024);
    c.pad_space = false;
  }
  if (is_utf8_id(base)) {
    c.encoding = Encoding::kUtf8;
  } else if (contains(kLatin1Ids, base)) {
    c.encoding = Encoding::kLatin1;
  } else {
    c.encoding = Encoding::kBytes;  // other charsets: ASCII case folding on raw bytes
  }
  if (contains(kBinIds, base) || contains(kCsIds, base) || base == 76) {
    c.case_insensitive = false;
    c.accent_insensitive = false;
  } else {
    c.case_insensitive = true;
    // utf8 general/unicode collations ignore accents; latin1_swedish_ci and friends do not
    // (Å, Ä, Ö are letters of their own there).
    c.accent_insensitive = c.encoding == Encoding::kUtf8;
  }
  return c;
}

int compare_strings(const Collation& c, std::string_view a, std::string_view b) {
  if (!c.case_insensitive) {
    // Bytewise (UTF-8 bytes order like their code points); with PAD SPACE the shorter side is
    // compared against spaces.
    size_t n = std::min(a.size(), b.size());
    int r = a.substr(0, n).compare(b.substr(0, n));
    if (r != 0) return r < 0 ? -1 : 1;
    if (a.size() == b.size()) return 0;
    if (!c.pad_space) return a.size() < b.size() ? -1 : 1;
    std::string_view rest = a.size() > n ? a.substr(n) : b.substr(n);
    int sign = a.size() > n ? 1 : -1;
    for (char ch : rest) {
      auto u = static_cast<uint8_t>(ch);
      if (u != ' ') return u < ' ' ? -sign : sign;
    }
    return 0;
  }
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    uint32_t x = fold(c, next_char(c.encoding, a, i));
    uint32_t y = fold(c, next_char(c.encoding, b, j));
    if (x != y) return x < y ? -1 : 1;
  }
  if (i == a.size() && j == b.size()) return 0;
  if (!c.pad_space) return i == a.size() ? -1 : 1;
  int sign = i < a.size() ? 1 : -1;
  std::string_view s = i < a.size() ? a : b;
  size_t k = i < a.size() ? i : j;
  while (k < s.size()) {
    uint32_t x = fold(c, next_char(c.encoding, s, k));
    if (x != ' ') return x < ' ' ? -sign : sign;
  }
  return 0;
}

void append_string_key(const Collation& c, std::string_view s, std::string& out) {
  if (c.pad_space) {
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  }
  if (!c.case_insensitive) {
    out.append(s);
    return;
  }
  // Three bytes per folded character, big-endian, so keys of equal strings are equal.
  size_t i = 0;
  while (i < s.size()) {
    uint32_t w = fold(c, next_char(c.encoding, s, i));
    out.push_back(static_cast<char>((w >> 16) & 0xff));
    out.push_back(static_cast<char>((w >> 8) & 0xff));
    out.push_back(static_cast<char>(w & 0xff));
  }
}

}  // namespace tessera::exec
