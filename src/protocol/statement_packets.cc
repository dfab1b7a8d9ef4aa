#include "protocol/statement_packets.h"

#include "protocol/constants.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace tessera::protocol {

std::string StmtPrepareOk::encode() const {
  std::string out;
  WireWriter w(out);
  w.u8(kOkHeader);
  w.u32(statement_id);
  w.u16(num_columns);
  w.u16(num_params);
  w.u8(0);
  w.u16(warnings);
  return out;
}

std::optional<StmtPrepareOk> StmtPrepareOk::decode(std::string_view payload) {
  WireReader r(payload);
  if (r.u8() != kOkHeader) return std::nullopt;
  StmtPrepareOk p;
  p.statement_id = r.u32();
  p.num_columns = r.u16();
  p.num_params = r.u16();
  r.skip(1);
  if (r.remaining() >= 2) p.warnings = r.u16();
  if (!r.ok()) return std::nullopt;
  return p;
}

std::optional<StmtExecuteView> StmtExecuteView::decode(std::string_view payload,
                                                       uint16_t num_params) {
  WireReader r(payload);
  if (r.u8() != static_cast<uint8_t>(Command::kStmtExecute)) return std::nullopt;
  StmtExecuteView v;
  v.statement_id = r.u32();
  v.flags = r.u8();
  v.iterations = r.u32();
  if (num_params > 0) {
    v.null_bitmap = r.bytes((num_params + 7) / 8);
    v.new_params_bound = r.u8() == 1;
    if (v.new_params_bound) v.param_types = r.bytes(2u * num_params);
  }
  v.values = r.rest();
  if (!r.ok()) return std::nullopt;
  return v;
}

std::string StmtExecuteView::encode(uint32_t new_id, std::string_view types) const {
  std::string out;
  out.reserve(16 + null_bitmap.size() + types.size() + values.size());
  WireWriter w(out);
  w.u8(static_cast<uint8_t>(Command::kStmtExecute));
  w.u32(new_id);
  w.u8(flags);
  w.u32(iterations);
  if (!null_bitmap.empty()) {
    w.bytes(null_bitmap);
    if (!types.empty()) {
      w.u8(1);
      w.bytes(types);
    } else {
      w.u8(0);
    }
  }
  w.bytes(values);
  return out;
}

bool resolve_last_statement_id(std::string& command, uint32_t last_prepared) {
  if (command.size() < 5 || last_prepared == 0) return false;
  // (0xfa: MariaDB's COM_STMT_BULK_EXECUTE, which names its statement the same way.)
  if (static_cast<uint8_t>(command[0]) != 0xfa) {
    switch (static_cast<Command>(command[0])) {
      case Command::kStmtExecute:
      case Command::kStmtSendLongData:
      case Command::kStmtClose:
      case Command::kStmtReset:
      case Command::kStmtFetch:
        break;
      default:
        return false;
    }
  }
  if (read_statement_id(std::string_view(command).substr(1)) != kLastPreparedStatementId)
    return false;
  for (int i = 0; i < 4; ++i) command[1 + i] = static_cast<char>((last_prepared >> (8 * i)) & 0xff);
  return true;
}

}  // namespace tessera::protocol
