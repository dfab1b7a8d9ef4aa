// MurmurHash3 x86 32-bit over characters, as Guava's `murmur3_32(seed).hashUnencodedChars()`,
// which Mycat's PartitionByMurmurHash uses and Gaea reimplements. Two UTF-16 units form each
// 32-bit block and the length mixed in is twice the character count. Gaea iterates Go runes
// instead of UTF-16 units; we do the same so keys outside the BMP route as Gaea routes them.
#pragma once

#include <cstdint>
#include <string_view>

namespace tessera::router {

int32_t murmur3_32_chars(std::string_view utf8, int32_t seed);

}  // namespace tessera::router
