// Generic response packets: OK, ERR and EOF, including the session-state
// information an OK packet carries under CLIENT_SESSION_TRACK.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/constants.h"
#include "protocol/error_codes.h"

namespace tessera::protocol {

struct SessionStateChange {
  SessionTrackType type;
  // kSystemVariables: name/value; kSchema: name = schema; kStateChange: value
  // "1"; kGtids and transaction types: value = raw data.
  std::string name;
  std::string value;
};

struct OkPacket {
  uint8_t header = kOkHeader;  // 0xfe when it ends a result set (DEPRECATE_EOF)
  uint64_t affected_rows = 0;
  uint64_t last_insert_id = 0;
  uint16_t status_flags = 0;
  uint16_t warnings = 0;
  std::string info;
  std::string session_state;  // raw session-state block, re-encodable as is

  std::string encode(uint32_t client_caps) const;
  static std::optional<OkPacket> decode(std::string_view payload, uint32_t caps);
};

// Parses a raw session-state block into its entries; false if malformed.
bool parse_session_state(std::string_view block, std::vector<SessionStateChange>& out);

struct ErrPacket {
  uint16_t code = 0;
  std::string sqlstate = "HY000";
  std::string message;

  ErrPacket() = default;
  ErrPacket(ErrorCode ec, std::string msg)
      : code(ec.code), sqlstate(ec.sqlstate), message(std::move(msg)) {}

  std::string encode() const;
  static std::optional<ErrPacket> decode(std::string_view payload);
};

struct EofPacket {
  uint16_t warnings = 0;
  uint16_t status_flags = 0;
  std::string encode() const;
  static std::optional<EofPacket> decode(std::string_view payload);
};

// True for an EOF packet (not a row that happens to begin with 0xfe).
inline bool is_eof_packet(std::string_view payload) {
  return !payload.empty() && static_cast<uint8_t>(payload[0]) == kEofHeader && payload.size() < 9;
}
// True for an OK packet with 0xfe header that ends a result set under
// CLIENT_DEPRECATE_EOF.
inline bool is_result_end_ok(std::string_view payload) {
  return !payload.empty() && static_cast<uint8_t>(payload[0]) == kEofHeader &&
         payload.size() < kMaxFramePayload;
}
inline bool is_err_packet(std::string_view payload) {
  return !payload.empty() && static_cast<uint8_t>(payload[0]) == kErrHeader;
}
inline bool is_ok_packet(std::string_view payload) {
  return !payload.empty() && static_cast<uint8_t>(payload[0]) == kOkHeader && payload.size() >= 7;
}

}  // namespace tessera::protocol
