// Result-set rows both ways: a text-protocol row re-encoded as a binary-protocol row (prepared
// statements answered through COM_QUERY) and a binary row printed as text (merged results).
// Input: byte 0 = number of columns (1..16), then 4 bytes per column (type, flags low byte,
// decimals, length selector), then the row payload. A text row that converts must convert back.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "protocol/binary_values.h"
#include "protocol/column_definition.h"

using namespace tessera::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t n = data[0] % 16 + 1;
  if (size < 1 + 4 * n) return 0;
  std::vector<ColumnDefinition> columns(n);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* c = data + 1 + 4 * i;
    columns[i].type = static_cast<FieldType>(c[0]);
    columns[i].flags = c[1];
    columns[i].decimals = c[2];
    columns[i].column_length = c[3];
    columns[i].charset = (c[1] & 0x80) ? 63 : 33;
  }
  std::string_view row(reinterpret_cast<const char*>(data) + 1 + 4 * n, size - 1 - 4 * n);
  std::string binary, text, error;
  if (text_row_to_binary(row, columns, binary, &error)) {
    if (!binary_row_to_text(binary, columns, text, &error)) {
      // Every binary row we produce must be readable by our own decoder.
      __builtin_trap();
    }
  }
  std::string text2;
  (void)binary_row_to_text(row, columns, text2, &error);
  return 0;
}
