// The compressed protocol's decoder (protocol/compression.h) on arbitrary client bytes. Input:
// [limit selector][compressed packets...]. Every packet that decodes must have produced exactly
// the bytes its header announced and no more than the limit; whatever inflates must survive
// the encoder and decoder again unchanged.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "protocol/compression.h"

using namespace tessera::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // Limits from 64 bytes to the 16 MiB - 1 a header can name.
  const size_t limit = std::min<size_t>(kMaxCompressedPayload, size_t{64} << (data[0] % 19));
  std::string_view wire(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string plain;
  try {
    for (;;) {
      uint8_t seq = 0;
      const size_t before = plain.size();
      auto took = take_compressed_packet(wire, limit, plain, seq);
      if (!took) break;
      const CompressedHeader h = decode_compressed_header(wire.data());
      if (*took != kCompressedHeaderSize + h.compressed_length || *took > wire.size() ||
          plain.size() - before != h.plain_length() || h.plain_length() > limit) {
        __builtin_trap();
      }
      wire.remove_prefix(*took);
    }
  } catch (const ProtocolViolation&) {
  }
  std::string again;
  uint8_t seq = 0;
  append_compressed(again, plain, seq);
  std::string back;
  std::string_view rest(again);
  while (!rest.empty()) {
    uint8_t s = 0;
    auto took = take_compressed_packet(rest, kMaxCompressedPayload, back, s);
    if (!took) __builtin_trap();
    rest.remove_prefix(*took);
  }
  if (back != plain) __builtin_trap();
  return 0;
}
