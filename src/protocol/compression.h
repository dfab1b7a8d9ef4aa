// The compressed protocol (CLIENT_COMPRESS, zlib). Once both sides asked for it, every byte on
// the connection travels in compressed packets: a 7-byte header (3-byte length of the payload
// as sent, 1-byte compressed sequence id, 3-byte length before compression, 0 when the payload
// is sent as it is) and the payload, deflated with zlib or stored. What the payloads carry,
// joined, is the ordinary stream of 4-byte-header frames: one compressed packet may hold
// several frames and one frame may continue over several compressed packets, so this layer
// only turns bytes into bytes and the framing above it stays unchanged.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/framing.h"

namespace tessera::protocol {

inline constexpr size_t kCompressedHeaderSize = 7;
// Below this many bytes a payload is sent stored, as the server does (its MIN_COMPRESS_LENGTH):
// deflating it would not pay for the work.
inline constexpr size_t kMinCompressLength = 50;
// Most bytes one compressed packet carries, before or after compression (3-byte lengths).
inline constexpr size_t kMaxCompressedPayload = 0xffffff;

// Compressed data that cannot be what its header says: not zlib, or inflating to another length
// than announced. A server answers it with ER_NET_UNCOMPRESS_ERROR and closes.
class UncompressFailed : public ProtocolViolation {
 public:
  using ProtocolViolation::ProtocolViolation;
};

struct CompressedHeader {
  uint32_t compressed_length;    // payload bytes on the wire
  uint8_t seq;                   // the compressed sequence id
  uint32_t uncompressed_length;  // 0 = the payload is stored, not deflated
  // Bytes the payload stands for once inflated.
  size_t plain_length() const {
    return uncompressed_length ? uncompressed_length : compressed_length;
  }
};

CompressedHeader decode_compressed_header(const char* p);

// Appends `plain` to `out` as compressed packets of at most kMaxCompressedPayload plain bytes
// each, numbered from `seq` (advanced). A part is stored instead of deflated when it is shorter
// than kMinCompressLength or deflating does not make it smaller, as the server does.
// `level`: zlib's compression level (Z_DEFAULT_COMPRESSION = -1, the server's choice).
void append_compressed(std::string& out, std::string_view plain, uint8_t& seq, int level = -1);

// The first compressed packet in `buffered`, inflated and appended to `plain`: returns the bytes
// it took from `buffered`, or nullopt when it has not fully arrived yet. `seq` is set to its
// compressed sequence id as soon as the header is there. The header is checked as soon as it
// is there, before its payload needs to be buffered: a packet standing for more than
// `max_plain` bytes throws PacketTooLarge; a deflated payload larger than zlib could ever make
// of its announced length, or one that does not inflate to exactly that length, throws
// UncompressFailed. `plain` grows by at most `max_plain` bytes.
std::optional<size_t> take_compressed_packet(std::string_view buffered, size_t max_plain,
                                             std::string& plain, uint8_t& seq);

}  // namespace tessera::protocol
