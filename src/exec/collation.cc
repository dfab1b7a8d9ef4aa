#include "exec/collation.h"

#include <algorithm>
#include <array>
#include <vector>

#include "exec/case_map.h"
#include "exec/weight_table.h"

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

// Decodes one character at `i` (advancing it) as a code point; an invalid byte becomes
// kInvalidBase + byte.
uint32_t next_char(Collation::Encoding enc, std::string_view s, size_t& i) {
  auto b = static_cast<uint8_t>(s[i]);
  if (enc != Collation::Encoding::kUtf8 || b < 0x80) {
    ++i;
    return b;
  }
  size_t n = b >= 0xf8 ? 0 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 ? 2 : 0;
  if (n == 0 || i + n > s.size()) {
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
  // Overlong forms and code points past U+10FFFF are not UTF-8 either.
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
    ++i;
    return kInvalidBase + b;
  }
  i += n;
  return cp;
}

// --- the approximation, for collations without recorded weights ---------------------------

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

// --- recorded weights ----------------------------------------------------------------------

// An invalid UTF-8 byte weighs more than any character (0xFFFF is above every recorded
// primary weight but U+FFFF's own), then by its value, so such strings still order totally.
const uint16_t* invalid_weights(uint8_t b) {
  static const auto table = [] {
    std::array<uint16_t, 512> t{};
    for (size_t i = 0; i < 256; ++i) {
      t[2 * i] = 0xffff;
      t[2 * i + 1] = static_cast<uint16_t>(0xff00 | i);
    }
    return t;
  }();
  return table.data() + 2 * b;
}

// Code point -> latin1 byte for the characters latin1 (cp1252) has; -1 elsewhere.
int latin1_byte_of(uint32_t cp) {
  static const auto table = [] {
    std::vector<int16_t> t(0x2200, -1);
    const uint32_t* cps = latin1_code_points();
    for (int b = 0; b < 256; ++b) {
      if (cps[b] < t.size() && t[cps[b]] < 0) t[cps[b]] = static_cast<int16_t>(b);
    }
    return t;
  }();
  return cp < table.size() ? table[cp] : -1;
}

// Produces the weights of a string one at a time.
class WeightCursor {
 public:
  WeightCursor(const Collation& c, std::string_view s) : c_(c), s_(s) {}

  bool next(uint16_t& w) {
    while (k_ >= cur_.n) {
      if (i_ >= s_.size()) return false;
      load();
      k_ = 0;
    }
    w = cur_[k_++];
    return true;
  }

 private:
  void load() {
    const WeightTable& t = *c_.table;
    if (c_.kind == Collation::Kind::kLatin1Weights) {
      int byte;
      if (c_.encoding == Collation::Encoding::kLatin1) {
        byte = static_cast<uint8_t>(s_[i_++]);
      } else {
        uint32_t cp = next_char(c_.encoding, s_, i_);
        byte = latin1_byte_of(cp);
        // What the server stores for a character latin1 lacks.
        if (byte < 0) byte = '?';
      }
      cur_ = t.lookup(static_cast<uint32_t>(byte));
      return;
    }
    uint32_t cp;
    if (c_.encoding == Collation::Encoding::kLatin1) {
      cp = latin1_code_points()[static_cast<uint8_t>(s_[i_++])];
    } else {
      cp = next_char(c_.encoding, s_, i_);
    }
    if (cp >= t.limit()) {
      cur_ = {invalid_weights(static_cast<uint8_t>(cp - kInvalidBase)), 2, 0};
      return;
    }
    cur_ = t.lookup(cp);
  }

  const Collation& c_;
  std::string_view s_;
  size_t i_ = 0;
  CodePointWeights cur_;
  size_t k_ = 0;
};

uint16_t space_weight(const Collation& c) {
  return c.table->lookup(static_cast<uint32_t>(' ')).operator[](0);
}

int compare_weights(const Collation& c, std::string_view a, std::string_view b) {
  // Equal leading characters weigh the same (none of these collations has contractions), so
  // only the rest is weighed: sorted keys often share long prefixes.
  size_t p = std::mismatch(a.begin(), a.begin() + std::min(a.size(), b.size()), b.begin()).first -
             a.begin();
  if (c.encoding == Collation::Encoding::kUtf8) {
    auto continuation = [](std::string_view s, size_t i) {
      return i < s.size() && (static_cast<uint8_t>(s[i]) & 0xc0) == 0x80;
    };
    while (p > 0 && (continuation(a, p) || continuation(b, p))) --p;
  }
  a.remove_prefix(p);
  b.remove_prefix(p);
  WeightCursor x(c, a), y(c, b);
  uint16_t wa = 0, wb = 0;
  for (;;) {
    bool ha = x.next(wa), hb = y.next(wb);
    if (ha && hb) {
      if (wa != wb) return wa < wb ? -1 : 1;
      continue;
    }
    if (!ha && !hb) return 0;
    if (!c.pad_space) return ha ? 1 : -1;
    // PAD SPACE: the rest of the longer string against spaces' weight.
    const uint16_t space = space_weight(c);
    WeightCursor& rest = ha ? x : y;
    uint16_t w = ha ? wa : wb;
    int sign = ha ? 1 : -1;
    do {
      if (w != space) return w < space ? -sign : sign;
    } while (rest.next(w));
    return 0;
  }
}

void append_weight(uint16_t w, uint8_t width, std::string& out) {
  if (width == 2) out.push_back(static_cast<char>(w >> 8));
  out.push_back(static_cast<char>(w & 0xff));
}

int compare_bytes(const Collation& c, std::string_view a, std::string_view b) {
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

// UTF-8 cells of a latin1 column as the latin1 bytes the server compares.
std::string to_latin1(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    int b = latin1_byte_of(next_char(Collation::Encoding::kUtf8, s, i));
    out.push_back(static_cast<char>(b < 0 ? '?' : b));
  }
  return out;
}

int compare_approx(const Collation& c, std::string_view a, std::string_view b) {
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

// --- the server's weight strings ------------------------------------------------------------

// a <=> b with the shorter one padded by repeating `pad` (PAD SPACE over weight bytes; the
// strings are whole weights, so the padding starts on a weight boundary). Empty pad: NO PAD.
int compare_padded(std::string_view a, std::string_view b, std::string_view pad) {
  size_t n = std::min(a.size(), b.size());
  int r = a.substr(0, n).compare(b.substr(0, n));
  if (r != 0) return r < 0 ? -1 : 1;
  if (a.size() == b.size()) return 0;
  if (pad.empty()) return a.size() < b.size() ? -1 : 1;
  std::string_view rest = a.size() > n ? a.substr(n) : b.substr(n);
  int sign = a.size() > n ? 1 : -1;
  for (size_t i = 0; i < rest.size(); ++i) {
    auto x = static_cast<uint8_t>(rest[i]);
    auto p = static_cast<uint8_t>(pad[i % pad.size()]);
    if (x != p) return x < p ? -sign : sign;
  }
  return 0;
}

// `s` without trailing padding, so equal-under-padding strings get equal keys.
std::string_view strip_padding(std::string_view s, std::string_view pad) {
  if (pad.empty()) return s;
  while (s.size() >= pad.size() && s.substr(s.size() - pad.size()) == pad)
    s.remove_suffix(pad.size());
  return s;
}

// A multi-level UCA weight string is level 1, then 2, then 3, without separators; the levels'
// 2-byte weights lie in disjoint ranges (recorded from MariaDB 10.11's uca1400: primary
// >= 0x0201, secondary 0x0020..0x0116, tertiary 0x0002..0x001E), which tells them apart.
int uca_level_of(uint16_t w) {
  return w >= 0x0200 ? 0 : w >= 0x0020 ? 1 : 2;
}

std::array<std::string_view, 3> split_levels(std::string_view s) {
  std::array<std::string_view, 3> out;
  size_t start = 0;
  int level = 0;
  for (size_t i = 0; i + 1 < s.size(); i += 2) {
    int l = uca_level_of(
        static_cast<uint16_t>((static_cast<uint8_t>(s[i]) << 8) | static_cast<uint8_t>(s[i + 1])));
    while (level < l) {
      out[static_cast<size_t>(level)] = s.substr(start, i - start);
      start = i;
      ++level;
    }
  }
  out[static_cast<size_t>(level)] = s.substr(start);
  return out;
}

int compare_server_weights(const Collation& c, std::string_view a, std::string_view b) {
  if (!c.pad_space) return compare_padded(a, b, {});
  if (c.levels == 1) return compare_padded(a, b, c.space_weight);
  auto la = split_levels(a), lb = split_levels(b), ls = split_levels(c.space_weight);
  for (size_t l = 0; l < 3; ++l) {
    if (int r = compare_padded(la[l], lb[l], ls[l]); r != 0) return r;
  }
  return 0;
}

void append_server_weights_key(const Collation& c, std::string_view s, std::string& out) {
  if (!c.pad_space) {
    out.append(s);
  } else if (c.levels == 1) {
    out.append(strip_padding(s, c.space_weight));
  } else {
    auto ls = split_levels(s), sp = split_levels(c.space_weight);
    for (size_t l = 0; l < 3; ++l) {
      out.append(strip_padding(ls[l], sp[l]));
      out.append(2, '\0');  // no weight is 0x0000: the levels stay apart
    }
  }
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Collation Collation::from_id(uint16_t id) {
  if (id == 63) return binary();
  Collation c;
  c.kind = Kind::kApprox;
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
    if (id == 309) c.kind = Kind::kBytes;  // utf8mb4_0900_bin
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
    if (contains(kBinIds, base)) c.kind = Kind::kBytes;
    return c;
  }
  c.case_insensitive = true;
  // utf8 general/unicode collations ignore accents; latin1_swedish_ci and friends do not
  // (Å, Ä, Ö are letters of their own there).
  c.accent_insensitive = c.encoding == Encoding::kUtf8;
  switch (base) {
    case 33:  // utf8mb3_general_ci
    case 45:  // utf8mb4_general_ci
      c.kind = Kind::kWeights;
      c.table = &general_ci_weights();
      break;
    case 192:  // utf8mb3_unicode_ci
    case 224:  // utf8mb4_unicode_ci
      c.kind = Kind::kWeights;
      c.table = &unicode_ci_weights();
      break;
    case 214:  // utf8mb3_unicode_520_ci
    case 246:  // utf8mb4_unicode_520_ci
      c.kind = Kind::kWeights;
      c.table = &unicode_520_ci_weights();
      break;
    case 8:  // latin1_swedish_ci
      c.kind = Kind::kLatin1Weights;
      c.table = &latin1_swedish_ci_weights();
      break;
    default:
      break;
  }
  return c;
}

Collation Collation::server_weights(std::string_view name, std::string_view space) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(),
                 [](char ch) { return ch >= 'A' && ch <= 'Z' ? char(ch + 32) : ch; });
  Collation c;
  c.encoding = Encoding::kBytes;
  c.kind = Kind::kServerWeights;
  c.case_insensitive = false;
  c.pad_space = n != "binary" && n.find("_nopad_") == std::string::npos &&
                n.find("_0900_") == std::string::npos;
  c.space_weight = std::string(space);
  // Like latin1_bin (see from_name), the 8-bit charsets' _bin collations (one-byte weights)
  // compare PAD SPACE but sort NO PAD in ORDER BY (latin2_bin, cp1251_bin: 'a' < 'a ').
  c.sort_no_pad =
      c.pad_space && space.size() == 1 && n.size() > 4 && n.compare(n.size() - 4, 4, "_bin") == 0;
  // uca1400 _as_ci / _ai_cs / _as_cs weigh two or three levels (one 2-byte space weight each).
  if (n.find("uca1400") != std::string::npos && (space.size() == 4 || space.size() == 6))
    c.levels = static_cast<uint8_t>(space.size() / 2);
  return c;
}

const std::vector<std::string>& Collation::native_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out{"binary"};
    for (std::string cs : {"utf8", "utf8mb3", "utf8mb4", "latin1"}) {
      for (std::string rest :
           {"general_ci", "general_nopad_ci", "unicode_ci", "unicode_nopad_ci", "unicode_520_ci",
            "unicode_520_nopad_ci", "bin", "nopad_bin", "swedish_ci", "swedish_nopad_ci"}) {
        std::string n = cs + "_" + rest;
        if (from_name(n, Encoding::kUtf8).kind != Kind::kApprox) out.push_back(n);
      }
    }
    return out;
  }();
  return names;
}

Collation Collation::from_name(std::string_view name, Encoding encoding) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(),
                 [](char ch) { return ch >= 'A' && ch <= 'Z' ? char(ch + 32) : ch; });
  if (n == "binary") return binary();
  Collation c;
  c.encoding = encoding;
  c.pad_space = n.find("_nopad_") == std::string::npos && n.find("_0900_") == std::string::npos;
  c.case_map = CaseMap::of(n);
  size_t us = n.find('_');
  std::string_view charset = std::string_view(n).substr(0, us);
  std::string_view rest = us == std::string::npos ? "" : std::string_view(n).substr(us + 1);
  bool utf8 = charset == "utf8" || charset == "utf8mb3" || charset == "utf8mb4";
  bool latin1 = charset == "latin1";
  if (ends_with(n, "_bin")) {
    c.case_insensitive = false;
    // Bytes order as the server's only when the cells arrive in the column's charset (UTF-8
    // bytes order like code points); latin1 arriving as UTF-8 is mapped back first. Other
    // combinations (a character the wire charset lacks arrives as '?') are approximate.
    if ((utf8 && encoding == Encoding::kUtf8) || (latin1 && encoding == Encoding::kLatin1)) {
      c.kind = Kind::kBytes;
    } else if (latin1 && encoding == Encoding::kUtf8) {
      c.kind = Kind::kLatin1Bytes;
    }
    c.sort_no_pad = latin1;
    return c;
  }
  // The recorded Unicode tables need the cells' characters: UTF-8 on the wire (latin1 cells of
  // a utf8 column may hold '?' for what latin1 lacks, which the server did not compare).
  if (utf8 && encoding == Encoding::kUtf8) {
    if (rest == "general_ci" || rest == "general_nopad_ci") c.table = &general_ci_weights();
    if (rest == "unicode_ci" || rest == "unicode_nopad_ci") c.table = &unicode_ci_weights();
    if (rest == "unicode_520_ci" || rest == "unicode_520_nopad_ci")
      c.table = &unicode_520_ci_weights();
    if (c.table) c.kind = Kind::kWeights;
  } else if ((encoding == Encoding::kUtf8 || encoding == Encoding::kLatin1) && latin1 &&
             (rest == "swedish_ci" || rest == "swedish_nopad_ci")) {
    c.kind = Kind::kLatin1Weights;
    c.table = &latin1_swedish_ci_weights();
  }
  if (c.kind == Kind::kApprox) {
    c.case_insensitive = !ends_with(n, "_cs");
    c.accent_insensitive = c.case_insensitive && encoding == Encoding::kUtf8 && utf8 &&
                           n.find("_as_") == std::string::npos;
  }
  return c;
}

int compare_strings(const Collation& c, std::string_view a, std::string_view b) {
  switch (c.kind) {
    case Collation::Kind::kBytes:
      return compare_bytes(c, a, b);
    case Collation::Kind::kLatin1Bytes:
      return compare_bytes(c, to_latin1(a), to_latin1(b));
    case Collation::Kind::kWeights:
    case Collation::Kind::kLatin1Weights:
      return compare_weights(c, a, b);
    case Collation::Kind::kServerWeights:
      return compare_server_weights(c, a, b);
    case Collation::Kind::kApprox:
      if (!c.case_insensitive) return compare_bytes(c, a, b);
      return compare_approx(c, a, b);
  }
  return 0;
}

void append_string_key(const Collation& c, std::string_view s, std::string& out) {
  if (c.kind == Collation::Kind::kWeights || c.kind == Collation::Kind::kLatin1Weights) {
    // The weights; with PAD SPACE without trailing space weights (equal strings differ only
    // by those).
    const uint16_t space = space_weight(c);
    const uint8_t width = c.table->width();
    size_t keep = out.size();
    WeightCursor cur(c, s);
    uint16_t w;
    while (cur.next(w)) {
      append_weight(w, width, out);
      if (!c.pad_space || w != space) keep = out.size();
    }
    out.resize(keep);
    return;
  }
  if (c.kind == Collation::Kind::kServerWeights) {
    append_server_weights_key(c, s, out);
    return;
  }
  if (c.kind == Collation::Kind::kLatin1Bytes) {
    std::string bytes = to_latin1(s);
    size_t n = bytes.size();
    while (c.pad_space && n > 0 && bytes[n - 1] == ' ') --n;
    out.append(bytes, 0, n);
    return;
  }
  if (c.pad_space) {
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  }
  if (c.kind == Collation::Kind::kBytes || !c.case_insensitive) {
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

std::string weight_string(const Collation& c, std::string_view s) {
  std::string out;
  if (!c.table) return out;
  WeightCursor cur(c, s);
  uint16_t w;
  while (cur.next(w)) append_weight(w, c.table->width(), out);
  return out;
}

}  // namespace tessera::exec
