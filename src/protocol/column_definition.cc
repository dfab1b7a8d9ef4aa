#include "protocol/column_definition.h"

#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace tessera::protocol {

std::string ColumnDefinition::encode(bool extended) const {
  std::string out;
  WireWriter w(out);
  w.lenenc_str(catalog);
  w.lenenc_str(schema);
  w.lenenc_str(table);
  w.lenenc_str(org_table);
  w.lenenc_str(name);
  w.lenenc_str(org_name);
  if (extended) w.lenenc_str(extended_metadata);
  w.lenenc_int(0x0c);  // length of the fixed-size fields that follow
  w.u16(charset);
  w.u32(column_length);
  w.u8(static_cast<uint8_t>(type));
  w.u16(flags);
  w.u8(decimals);
  w.zeros(2);
  return out;
}

std::optional<ColumnDefinition> ColumnDefinition::decode(std::string_view payload, bool extended) {
  WireReader r(payload);
  ColumnDefinition c;
  c.catalog = std::string(r.lenenc_str());
  c.schema = std::string(r.lenenc_str());
  c.table = std::string(r.lenenc_str());
  c.org_table = std::string(r.lenenc_str());
  c.name = std::string(r.lenenc_str());
  c.org_name = std::string(r.lenenc_str());
  if (extended) c.extended_metadata = std::string(r.lenenc_str());
  auto fixed_len = r.lenenc_int();
  if (!fixed_len || *fixed_len < 10) return std::nullopt;
  c.charset = r.u16();
  c.column_length = r.u32();
  c.type = static_cast<FieldType>(r.u8());
  c.flags = r.u16();
  c.decimals = r.u8();
  if (!r.ok()) return std::nullopt;
  return c;
}

std::string ColumnDefinition::format_name() const {
  WireReader r(extended_metadata);
  while (r.ok() && !r.at_end()) {
    uint8_t kind = r.u8();
    std::string_view value = r.lenenc_str();
    if (r.ok() && kind == 1) return std::string(value);
  }
  return {};
}

std::optional<std::string> strip_extended_metadata(std::string_view payload) {
  WireReader r(payload);
  for (int i = 0; i < 6; ++i) r.lenenc_str();  // catalog .. org_name
  size_t names_end = payload.size() - r.remaining();
  r.lenenc_str();
  if (!r.ok()) return std::nullopt;
  std::string out(payload.substr(0, names_end));
  out.append(payload.substr(payload.size() - r.remaining()));
  return out;
}

ColumnDefinition ColumnDefinition::text(std::string name, uint32_t length) {
  ColumnDefinition c;
  c.org_name = name;
  c.name = std::move(name);
  c.column_length = length * 3;
  c.type = FieldType::kVarString;
  return c;
}

ColumnDefinition ColumnDefinition::integer(std::string name) {
  ColumnDefinition c;
  c.org_name = name;
  c.name = std::move(name);
  c.charset = 63;  // binary
  c.column_length = 21;
  c.type = FieldType::kLongLong;
  c.flags = column_flag::kBinary;
  return c;
}

}  // namespace tessera::protocol
