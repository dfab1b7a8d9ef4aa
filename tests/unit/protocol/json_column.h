// A column definition with MariaDB's extended type info (format name "json"), as a server sends
// for a JSON column: shared by the tests of what reaches clients with and without that info.
#pragma once
#include <string>

#include "protocol/column_definition.h"
#include "protocol/constants.h"
#include "protocol/wire_writer.h"

namespace tessera::protocol {

inline ColumnDefinition json_column() {
  ColumnDefinition c;
  c.schema = "test";
  c.table = c.org_table = "t";
  c.name = c.org_name = "j";
  c.charset = 45;
  c.column_length = 0xffffffff;
  c.type = FieldType::kBlob;
  std::string meta;
  WireWriter w(meta);
  w.u8(1);  // format name
  w.lenenc_str("json");
  c.extended_metadata = meta;
  return c;
}

}  // namespace tessera::protocol
