// Client command payloads as Tessera decodes them before touching a backend: COM_STMT_EXECUTE
// (header, NULL bitmap, bound types, every parameter value, the bounds check done before
// forwarding, re-encoding with a new statement id), COM_CHANGE_USER and the statement id of
// COM_STMT_CLOSE/RESET/FETCH/SEND_LONG_DATA.
// Input: byte 0 = number of parameters the statement was prepared with, byte 1 = client
// capability selector, the rest = the command payload (command byte included).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "protocol/binary_values.h"
#include "protocol/constants.h"
#include "protocol/handshake.h"
#include "protocol/statement_packets.h"

using namespace tessera::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint16_t num_params = data[0];
  uint32_t caps = (data[1] & 1) ? 0xffffffffu : 0x000fa685u;
  std::string_view payload(reinterpret_cast<const char*>(data) + 2, size - 2);

  (void)read_statement_id(payload.empty() ? payload : payload.substr(1));
  if (!payload.empty()) (void)ChangeUser::decode(payload.substr(1), caps);

  auto view = StmtExecuteView::decode(payload, num_params);
  if (!view) return 0;
  // Types remembered from an earlier execute when this one does not bind new ones.
  std::string remembered(2 * num_params, '\xfd');
  std::string_view types = view->new_params_bound ? view->param_types : remembered;
  std::map<uint16_t, std::string> long_data;
  if (num_params > 2) long_data[1] = "long data";
  DecodedParams params = decode_execute_params(*view, types, num_params, long_data);
  // The cheap bounds check Tessera runs before forwarding must accept what the full decoder
  // accepts.
  std::string overrun = execute_values_overrun(*view, types, num_params, long_data);
  if (params.ok() && !overrun.empty()) __builtin_trap();
  if (params.ok()) {
    if (params.values.size() != num_params) __builtin_trap();
    std::string sql;
    for (const ParamValue& v : params.values) {
      append_sql_literal(sql, v, false);
      append_sql_literal(sql, v, true);
    }
  }
  std::string again = view->encode(12345, types);
  auto reparsed = StmtExecuteView::decode(again, num_params);
  if (view->new_params_bound && !reparsed) __builtin_trap();
  return 0;
}
