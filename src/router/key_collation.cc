#include "router/key_collation.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <utility>

namespace tessera::router {

namespace {

// utf8mb4_general_ci weights of the BMP characters whose weight is not the character itself,
// sorted by code point; measured on MariaDB 10.11 with
// `WEIGHT_STRING(CONVERT(CHAR(cp USING utf32) USING utf8mb4) COLLATE utf8mb4_general_ci)`
// (scripts/general_ci_weights.py regenerates it).
struct Weight {
  char16_t cp;
  char16_t weight;
};
constexpr Weight kGeneralCiWeights[] = {
#include "router/general_ci_weights.inc"
};

char32_t general_ci_weight(char32_t cp) {
  // Every character beyond the BMP weighs like U+FFFD in general_ci.
  if (cp > 0xFFFF) return 0xFFFD;
  auto it = std::lower_bound(std::begin(kGeneralCiWeights), std::end(kGeneralCiWeights), cp,
                             [](const Weight& w, char32_t c) { return w.cp < c; });
  if (it != std::end(kGeneralCiWeights) && it->cp == cp) return it->weight;
  return cp;
}

// Strict UTF-8: the next code point of `s` from `i`, or nullopt for a malformed sequence.
std::optional<char32_t> next_code_point(std::string_view s, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = byte(i);
  int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + static_cast<size_t>(len) > s.size()) return std::nullopt;
  char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (int k = 1; k < len; ++k) {
    unsigned char c = byte(i + static_cast<size_t>(k));
    if ((c >> 6) != 0x2) return std::nullopt;
    cp = (cp << 6) | (c & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += static_cast<size_t>(len);
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string_view drop_trailing_spaces(std::string_view s) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<KeyCollation> KeyCollation::find(std::string_view name) {
  std::string lower(name);
  for (auto& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "utf8mb4_general_ci" || lower == "utf8mb3_general_ci" || lower == "utf8_general_ci")
    return KeyCollation(Kind::kGeneralCi, lower);
  if (lower == "utf8mb4_bin" || lower == "utf8mb3_bin" || lower == "utf8_bin")
    return KeyCollation(Kind::kBinPadSpace, lower);
  return std::nullopt;
}

std::string_view KeyCollation::supported_names() {
  return "utf8mb4_general_ci, utf8mb3_general_ci, utf8_general_ci, utf8mb4_bin, utf8mb3_bin, "
         "utf8_bin";
}

ShardResult<std::string> KeyCollation::canonical(std::string_view key) const {
  // PAD SPACE: 'dave ' equals 'dave'.
  key = drop_trailing_spaces(key);
  std::string out;
  out.reserve(key.size());
  size_t i = 0;
  while (i < key.size()) {
    auto cp = next_code_point(key, i);
    if (!cp) return ShardError{"key is not valid UTF-8 for key_collation " + name_};
    append_utf8(out, kind_ == Kind::kGeneralCi ? general_ci_weight(*cp) : *cp);
  }
  return out;
}

}  // namespace tessera::router
