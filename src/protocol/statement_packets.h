// Prepared-statement packets: COM_STMT_PREPARE's OK response and the header
// of COM_STMT_EXECUTE, which a proxy must rewrite (statement ids differ per
// backend connection, parameter types must be resent on a new connection).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tessera::protocol {

struct StmtPrepareOk {
  uint32_t statement_id = 0;
  uint16_t num_columns = 0;
  uint16_t num_params = 0;
  uint16_t warnings = 0;

  std::string encode() const;
  static std::optional<StmtPrepareOk> decode(std::string_view payload);
};

// COM_STMT_EXECUTE, split into the parts a proxy changes. `payload` includes
// the command byte.
struct StmtExecuteView {
  uint32_t statement_id = 0;
  uint8_t flags = 0;  // cursor type
  uint32_t iterations = 1;
  std::string_view null_bitmap;
  bool new_params_bound = false;
  std::string_view param_types;  // 2 bytes per parameter, when bound
  std::string_view values;

  static std::optional<StmtExecuteView> decode(std::string_view payload, uint16_t num_params);
  // Re-encodes with another statement id and (when given) parameter types.
  std::string encode(uint32_t new_id, std::string_view types) const;
};

inline uint32_t read_statement_id(std::string_view payload_after_command) {
  if (payload_after_command.size() < 4) return 0;
  auto b = reinterpret_cast<const uint8_t*>(payload_after_command.data());
  return b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
}

// MariaDB's pipelined prepared statements: COM_STMT_EXECUTE (and the other statement
// commands) naming this id mean "the statement this connection prepared last", so a connector
// can send PREPARE and EXECUTE back to back without waiting for the id.
inline constexpr uint32_t kLastPreparedStatementId = 0xffffffff;

// When `command` is a statement command (EXECUTE, SEND_LONG_DATA, CLOSE, RESET, FETCH) naming
// kLastPreparedStatementId and `last_prepared` is not 0, writes last_prepared in its place and
// returns true. With no statement to name the id stays, so the answer is the server's:
// "Unknown prepared statement handler (4294967295)".
bool resolve_last_statement_id(std::string& command, uint32_t last_prepared);

}  // namespace tessera::protocol
