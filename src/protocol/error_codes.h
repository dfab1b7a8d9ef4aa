// MySQL error codes and SQLSTATEs that Tessera itself produces.
#pragma once
#include <cstdint>
#include <string_view>

namespace tessera::protocol {

struct ErrorCode {
  uint16_t code;
  std::string_view sqlstate;
};

namespace errc {
inline constexpr ErrorCode kAccessDenied{1045, "28000"};
inline constexpr ErrorCode kDbAccessDenied{1044, "42000"};
inline constexpr ErrorCode kBadDb{1049, "42000"};
inline constexpr ErrorCode kUnknownCommand{1047, "08S01"};
inline constexpr ErrorCode kHandshakeError{1043, "08S01"};
inline constexpr ErrorCode kNetPacketsOutOfOrder{1156, "08S01"};
inline constexpr ErrorCode kNetReadError{1158, "08S01"};
inline constexpr ErrorCode kNetUncompressError{1157, "08S01"};
inline constexpr ErrorCode kNetPacketTooLarge{1153, "08S01"};
inline constexpr ErrorCode kMalformedPacket{1835, "HY000"};
inline constexpr ErrorCode kUnknownStmtHandler{1243, "HY000"};
inline constexpr ErrorCode kWrongArguments{1210, "HY000"};
inline constexpr ErrorCode kNotSupportedAuthMode{1251, "08004"};
inline constexpr ErrorCode kTooManyUserConnections{1203, "42000"};
inline constexpr ErrorCode kConCount{1040, "08004"};
inline constexpr ErrorCode kHostIsBlocked{1129, "HY000"};
inline constexpr ErrorCode kLocalInfileDisabled{4166, "HY000"};
inline constexpr ErrorCode kUnknownError{1105, "HY000"};
inline constexpr ErrorCode kLockWaitTimeout{1205, "HY000"};
inline constexpr ErrorCode kQueryInterrupted{1317, "70100"};
inline constexpr ErrorCode kOptionPreventsStatement{1290, "HY000"};
// ER_STACK_OVERRUN_NEED_MORE: MySQL's answer to a statement too deeply nested to evaluate;
// Tessera's for one nested deeper than its parser builds (sql::ParseError::too_deep).
inline constexpr ErrorCode kStackOverrun{1436, "HY000"};
// Client-library style codes for "could not reach the server": a proxy reports
// them to its own clients with an 08xxx SQLSTATE so drivers treat them as
// connection errors.
inline constexpr ErrorCode kBackendUnavailable{2003, "08S01"};
inline constexpr ErrorCode kBackendLost{2013, "08S01"};
}  // namespace errc

}  // namespace tessera::protocol
