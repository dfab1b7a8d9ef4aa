// Binlog stream decoding on arbitrary packets: never crashes or reads out of bounds. The first
// input byte picks the checksum algorithm; the rest is a sequence of packets, each prefixed by
// a 2-byte little-endian length, fed to one StreamDecoder (so a FORMAT_DESCRIPTION can change
// how later packets decode). The packets are also decoded as bare events.
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/binlog_event.h"

namespace bl = tessera::protocol::binlog;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  auto checksum = (data[0] & 1) ? bl::ChecksumAlgorithm::kCrc32 : bl::ChecksumAlgorithm::kOff;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  bl::StreamDecoder decoder(checksum);
  while (rest.size() >= 2) {
    size_t n = static_cast<uint8_t>(rest[0]) | static_cast<size_t>(static_cast<uint8_t>(rest[1]))
                                                   << 8;
    rest.remove_prefix(2);
    if (n > rest.size()) n = rest.size();
    // Copy: the decoder must not depend on bytes past the packet's end.
    std::string packet(rest.substr(0, n));
    rest.remove_prefix(n);
    auto p = decoder.decode(packet);
    if (p.kind == bl::StreamPacket::Kind::kEvent && p.event.header.event_size + 1 != packet.size())
      __builtin_trap();
    std::string error;
    (void)bl::decode_event(packet, checksum, nullptr, error);
  }
  return 0;
}
