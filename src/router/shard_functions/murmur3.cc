#include "router/shard_functions/murmur3.h"

#include <vector>

#include "router/shard_functions/go_runes.h"

namespace tessera::router {

namespace {

constexpr uint32_t kC1 = 0xcc9e2d51u;
constexpr uint32_t kC2 = 0x1b873593u;

uint32_t rotl(uint32_t x, int r) {
  return (x << r) | (x >> (32 - r));
}

uint32_t mix_k1(uint32_t k1) {
  return rotl(k1 * kC1, 15) * kC2;
}

uint32_t mix_h1(uint32_t h1, uint32_t k1) {
  return rotl(h1 ^ k1, 13) * 5 + 0xe6546b64u;
}

uint32_t fmix(uint32_t h1, uint32_t length) {
  h1 ^= length;
  h1 ^= h1 >> 16;
  h1 *= 0x85ebca6bu;
  h1 ^= h1 >> 13;
  h1 *= 0xc2b2ae35u;
  h1 ^= h1 >> 16;
  return h1;
}

}  // namespace

int32_t murmur3_32_chars(std::string_view utf8, int32_t seed) {
  std::vector<char32_t> chars = go_runes(utf8);
  uint32_t h1 = static_cast<uint32_t>(seed);
  size_t n = chars.size();
  for (size_t i = 1; i < n; i += 2) {
    // Gaea shifts the rune (not a 16-bit unit), so a rune above U+FFFF spills its high bits
    // out of the word, as Go's int32 shift does.
    uint32_t k1 = static_cast<uint32_t>(chars[i - 1]) | (static_cast<uint32_t>(chars[i]) << 16);
    h1 = mix_h1(h1, mix_k1(k1));
  }
  if (n & 1) h1 ^= mix_k1(static_cast<uint32_t>(chars[n - 1]));
  return static_cast<int32_t>(fmix(h1, static_cast<uint32_t>(2 * n)));
}

}  // namespace tessera::router
