#include "protocol/compression.h"

#include <zlib.h>

#include <algorithm>

namespace tessera::protocol {

namespace {
void put_uint24(char* p, size_t v) {
  p[0] = static_cast<char>(v & 0xff);
  p[1] = static_cast<char>((v >> 8) & 0xff);
  p[2] = static_cast<char>((v >> 16) & 0xff);
}

void put_compressed_header(char* p, size_t compressed, uint8_t seq, size_t uncompressed) {
  put_uint24(p, compressed);
  p[3] = static_cast<char>(seq);
  put_uint24(p + 4, uncompressed);
}
}  // namespace

CompressedHeader decode_compressed_header(const char* p) {
  auto b = reinterpret_cast<const uint8_t*>(p);
  return {static_cast<uint32_t>(b[0] | (b[1] << 8) | (b[2] << 16)), b[3],
          static_cast<uint32_t>(b[4] | (b[5] << 8) | (b[6] << 16))};
}

void append_compressed(std::string& out, std::string_view plain, uint8_t& seq, int level) {
  do {
    std::string_view part = plain.substr(0, std::min(plain.size(), kMaxCompressedPayload));
    plain.remove_prefix(part.size());
    const size_t at = out.size();
    out.append(kCompressedHeaderSize, '\0');
    bool deflated = false;
    if (part.size() >= kMinCompressLength) {
      uLongf len = compressBound(static_cast<uLong>(part.size()));
      out.resize(at + kCompressedHeaderSize + len);
      int rc = compress2(reinterpret_cast<Bytef*>(out.data() + at + kCompressedHeaderSize), &len,
                         reinterpret_cast<const Bytef*>(part.data()),
                         static_cast<uLong>(part.size()), level);
      if (rc == Z_OK && len < part.size()) {
        out.resize(at + kCompressedHeaderSize + len);
        put_compressed_header(out.data() + at, len, seq, part.size());
        deflated = true;
      } else {
        out.resize(at + kCompressedHeaderSize);
      }
    }
    if (!deflated) {
      out.append(part);
      put_compressed_header(out.data() + at, part.size(), seq, 0);
    }
    ++seq;
  } while (!plain.empty());
}

std::optional<size_t> take_compressed_packet(std::string_view buffered, size_t max_plain,
                                             std::string& plain, uint8_t& seq) {
  if (buffered.size() < kCompressedHeaderSize) return std::nullopt;
  const CompressedHeader h = decode_compressed_header(buffered.data());
  seq = h.seq;
  if (h.plain_length() > max_plain) {
    throw PacketTooLarge("compressed packet of " + std::to_string(h.plain_length()) +
                             " bytes exceeds the allowed maximum of " + std::to_string(max_plain),
                         h.seq);
  }
  // zlib never makes more of n bytes than compressBound(n): a bigger payload is not what the
  // header says, and refusing it now keeps the buffer within what the limit implies.
  if (h.uncompressed_length && h.compressed_length > compressBound(h.uncompressed_length)) {
    throw UncompressFailed("compressed packet of " + std::to_string(h.compressed_length) +
                           " bytes cannot inflate to the announced " +
                           std::to_string(h.uncompressed_length));
  }
  if (buffered.size() - kCompressedHeaderSize < h.compressed_length) return std::nullopt;
  std::string_view payload = buffered.substr(kCompressedHeaderSize, h.compressed_length);
  if (!h.uncompressed_length) {
    plain.append(payload);
  } else {
    const size_t at = plain.size();
    plain.resize(at + h.uncompressed_length);
    uLongf len = h.uncompressed_length;
    int rc = uncompress(reinterpret_cast<Bytef*>(plain.data() + at), &len,
                        reinterpret_cast<const Bytef*>(payload.data()),
                        static_cast<uLong>(payload.size()));
    if (rc != Z_OK || len != h.uncompressed_length) {
      plain.resize(at);
      throw UncompressFailed(rc == Z_OK || rc == Z_BUF_ERROR
                                 ? "compressed packet does not inflate to the announced " +
                                       std::to_string(h.uncompressed_length) + " bytes"
                                 : std::string("compressed packet is not valid zlib data (") +
                                       zError(rc) + ")");
    }
  }
  return kCompressedHeaderSize + h.compressed_length;
}

}  // namespace tessera::protocol
