// Packets a backend sends in reply to a command: OK (with its session-state block), ERR, EOF,
// the COM_STMT_PREPARE OK and column definitions. Byte 0 chooses the client capabilities the
// OK packet is read with; the rest is the payload.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "protocol/column_definition.h"
#include "protocol/constants.h"
#include "protocol/response_packets.h"
#include "protocol/statement_packets.h"

using namespace tessera::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  uint32_t caps = (data[0] & 1) ? 0xffffffffu : 0x000fa685u;
  std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);

  (void)is_eof_packet(payload);
  (void)is_result_end_ok(payload);
  (void)ErrPacket::decode(payload);
  (void)EofPacket::decode(payload);
  (void)StmtPrepareOk::decode(payload);
  if (auto def = ColumnDefinition::decode(payload)) {
    auto again = ColumnDefinition::decode(def->encode());
    if (!again || again->name != def->name || again->type != def->type) __builtin_trap();
  }
  std::vector<SessionStateChange> changes;
  (void)parse_session_state(payload, changes);
  if (auto ok = OkPacket::decode(payload, caps)) {
    changes.clear();
    (void)parse_session_state(ok->session_state, changes);
    (void)ok->encode(caps);
  }
  return 0;
}
