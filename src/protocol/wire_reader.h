// Bounds-checked cursor over one packet payload. Reading past the end never
// touches memory outside the payload: it marks the reader failed and returns
// zeros/empty views, so decoders check ok() once at the end.
#pragma once
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace tessera::protocol {

class WireReader {
 public:
  explicit WireReader(std::string_view payload)
      : p_(payload.data()), end_(payload.data() + payload.size()) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool at_end() const { return p_ == end_; }
  uint8_t peek() const { return p_ < end_ ? static_cast<uint8_t>(*p_) : 0; }

  uint8_t u8() { return static_cast<uint8_t>(fixed(1)); }
  uint16_t u16() { return static_cast<uint16_t>(fixed(2)); }
  uint32_t u24() { return static_cast<uint32_t>(fixed(3)); }
  uint32_t u32() { return static_cast<uint32_t>(fixed(4)); }
  uint64_t u64() { return fixed(8); }

  // Length-encoded integer. nullopt for the NULL marker 0xfb (and on failure).
  std::optional<uint64_t> lenenc_int() {
    uint8_t first = u8();
    if (!ok_) return std::nullopt;
    if (first < 0xfb) return first;
    switch (first) {
      case 0xfb:
        return std::nullopt;
      case 0xfc:
        return fixed(2);
      case 0xfd:
        return fixed(3);
      case 0xfe:
        return fixed(8);
      default:  // 0xff is not a valid length prefix
        ok_ = false;
        return std::nullopt;
    }
  }

  std::string_view bytes(size_t n) {
    if (n > remaining()) {
      ok_ = false;
      p_ = end_;
      return {};
    }
    std::string_view v(p_, n);
    p_ += n;
    return v;
  }

  std::string_view lenenc_str() {
    auto n = lenenc_int();
    if (!n) {
      return {};
    }
    return bytes(*n);
  }

  // NUL-terminated string; a missing terminator is a failure.
  std::string_view null_str() {
    const void* nul = std::memchr(p_, 0, remaining());
    if (!nul) {
      ok_ = false;
      p_ = end_;
      return {};
    }
    auto n = static_cast<size_t>(static_cast<const char*>(nul) - p_);
    std::string_view v(p_, n);
    p_ += n + 1;
    return v;
  }

  std::string_view rest() {
    std::string_view v(p_, remaining());
    p_ = end_;
    return v;
  }

  void skip(size_t n) { bytes(n); }
  void fail() { ok_ = false; }

 private:
  uint64_t fixed(size_t n) {
    if (n > remaining()) {
      ok_ = false;
      p_ = end_;
      return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(p_[i])) << (8 * i);
    p_ += n;
    return v;
  }

  const char* p_;
  const char* end_;
  bool ok_ = true;
};

}  // namespace tessera::protocol
