// Appends protocol primitives (little-endian integers, length-encoded values)
// to a byte string. Packets are built in std::string so SQL text and payloads
// share one buffer type.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::protocol {

class WireWriter {
 public:
  explicit WireWriter(std::string& out) : out_(out) {}

  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) { fixed(v, 2); }
  void u24(uint32_t v) { fixed(v, 3); }
  void u32(uint32_t v) { fixed(v, 4); }
  void u64(uint64_t v) { fixed(v, 8); }
  void fixed(uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }

  void lenenc_int(uint64_t v) {
    if (v < 0xfb) {
      u8(static_cast<uint8_t>(v));
    } else if (v <= 0xffff) {
      u8(0xfc);
      fixed(v, 2);
    } else if (v <= 0xffffff) {
      u8(0xfd);
      fixed(v, 3);
    } else {
      u8(0xfe);
      fixed(v, 8);
    }
  }
  void lenenc_null() { u8(0xfb); }
  void lenenc_str(std::string_view s) {
    lenenc_int(s.size());
    out_.append(s);
  }
  void null_str(std::string_view s) {
    out_.append(s);
    out_.push_back('\0');
  }
  void bytes(std::string_view s) { out_.append(s); }
  void zeros(size_t n) { out_.append(n, '\0'); }

  std::string& buffer() { return out_; }

 private:
  std::string& out_;
};

// Number of bytes lenenc_int(v) writes.
inline size_t lenenc_int_size(uint64_t v) {
  if (v < 0xfb) return 1;
  if (v <= 0xffff) return 3;
  if (v <= 0xffffff) return 4;
  return 9;
}

}  // namespace tessera::protocol
