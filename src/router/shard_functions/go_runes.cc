#include "router/shard_functions/go_runes.h"

#include <cstdint>

namespace tessera::router {

namespace {

constexpr char32_t kRuneError = 0xFFFD;

bool continuation(unsigned char c) {
  return c >= 0x80 && c <= 0xBF;
}

}  // namespace

std::vector<char32_t> go_runes(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      out.push_back(c);
      ++i;
      continue;
    }
    // Lead byte: sequence length and the allowed range of the second byte (rejects overlong
    // forms, surrogates and code points above U+10FFFF, as Go's utf8.DecodeRune does).
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    }
    bool ok = len != 0 && i + len <= n && p[i + 1] >= lo && p[i + 1] <= hi;
    for (size_t k = 2; ok && k < len; ++k) ok = continuation(p[i + k]);
    if (!ok) {
      out.push_back(kRuneError);
      ++i;
      continue;
    }
    char32_t r = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < len; ++k) r = (r << 6) | (p[i + k] & 0x3F);
    out.push_back(r);
    i += len;
  }
  return out;
}

}  // namespace tessera::router
