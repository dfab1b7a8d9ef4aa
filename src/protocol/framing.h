// Splitting payloads into frames (4-byte header: 3-byte length, 1-byte
// sequence id). Payloads of 16 MiB - 1 or more span several frames; a payload
// that is an exact multiple of the frame size ends with an empty frame.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "protocol/constants.h"

namespace tessera::protocol {

// Thrown when the peer breaks the framing rules (too large, out of order).
class ProtocolViolation : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The peer announced a packet larger than set_max_packet_size() allows; nothing of it past the
// offending frame header was read. A server answers this with ER_NET_PACKET_TOO_LARGE.
class PacketTooLarge : public ProtocolViolation {
 public:
  PacketTooLarge(const std::string& what, uint8_t frame_seq)
      : ProtocolViolation(what), seq(frame_seq) {}
  uint8_t seq;  // sequence id of the frame that went past the limit
};

struct FrameHeader {
  uint32_t length;
  uint8_t seq;
};

inline FrameHeader decode_frame_header(const char* p) {
  auto b = reinterpret_cast<const uint8_t*>(p);
  return {static_cast<uint32_t>(b[0] | (b[1] << 8) | (b[2] << 16)), b[3]};
}

inline void put_frame_header(char* p, uint32_t length, uint8_t seq) {
  p[0] = static_cast<char>(length & 0xff);
  p[1] = static_cast<char>((length >> 8) & 0xff);
  p[2] = static_cast<char>((length >> 16) & 0xff);
  p[3] = static_cast<char>(seq);
}

// Appends `payload` to `out` as one or more frames, advancing `seq`.
void append_frames(std::string& out, std::string_view payload, uint8_t& seq);

// Appends exactly one frame (payload below or equal to kMaxFramePayload):
// used when relaying the frames of a multi-frame packet one by one.
inline void append_single_frame(std::string& out, std::string_view payload, uint8_t& seq) {
  char header[kFrameHeaderSize];
  put_frame_header(header, static_cast<uint32_t>(payload.size()), seq++);
  out.append(header, kFrameHeaderSize);
  out.append(payload);
}

// Reserves a frame header at the end of `out` and returns its offset, so a
// payload can be written in place; finish_frame() fills the header. Only for
// payloads known to stay below kMaxFramePayload.
inline size_t begin_frame(std::string& out) {
  size_t at = out.size();
  out.append(kFrameHeaderSize, '\0');
  return at;
}
inline void finish_frame(std::string& out, size_t at, uint8_t& seq) {
  put_frame_header(out.data() + at, static_cast<uint32_t>(out.size() - at - kFrameHeaderSize),
                   seq++);
}

}  // namespace tessera::protocol
