// CRC-32 with the IEEE polynomial (zlib, Go's crc32.ChecksumIEEE): kingshard `hash` rules hash
// text keys with it, so the table must match bit for bit.
#pragma once

#include <cstdint>
#include <string_view>

namespace tessera::router {

uint32_t crc32_ieee(std::string_view bytes);

}  // namespace tessera::router
