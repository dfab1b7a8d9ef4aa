#include "protocol/framing.h"

namespace tessera::protocol {

void append_frames(std::string& out, std::string_view payload, uint8_t& seq) {
  out.reserve(out.size() + payload.size() +
              kFrameHeaderSize * (1 + payload.size() / kMaxFramePayload));
  for (;;) {
    uint32_t chunk = payload.size() >= kMaxFramePayload ? kMaxFramePayload
                                                        : static_cast<uint32_t>(payload.size());
    char header[kFrameHeaderSize];
    put_frame_header(header, chunk, seq++);
    out.append(header, kFrameHeaderSize);
    out.append(payload.substr(0, chunk));
    payload.remove_prefix(chunk);
    if (chunk < kMaxFramePayload) break;
  }
}

}  // namespace tessera::protocol
