#include "exec/engine/literal_rows.h"

#include <algorithm>

#include "sql/charsets.h"

namespace tessera::exec::engine {

using protocol::FieldType;

std::string column_collation_name(uint16_t id) {
  if (id < 256) return std::string(sql::collation_name(static_cast<uint8_t>(id)));
  if (id >= 1024 && id < 1280) {
    std::string base(sql::collation_name(static_cast<uint8_t>(id - 1024)));
    size_t last = base.rfind('_');
    if (base.empty() || last == std::string::npos) return {};
    return base.substr(0, last + 1) + "nopad_" + base.substr(last + 1);
  }
  return {};
}

bool collation_id_ambiguous(uint16_t id) {
  return id == 192 || id == 224;
}

uint32_t max_bytes_per_char(std::string_view charset) {
  if (charset == "utf8mb4" || charset == "utf16" || charset == "utf16le" || charset == "utf32" ||
      charset == "gb18030")
    return 4;
  if (charset == "utf8mb3" || charset == "utf8" || charset == "ujis" || charset == "eucjpms")
    return 3;
  if (charset == "ucs2" || charset == "big5" || charset == "gbk" || charset == "gb2312" ||
      charset == "sjis" || charset == "cp932" || charset == "euckr")
    return 2;
  return 1;
}

namespace {

void append_hex(std::string& out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += "X'";
  for (unsigned char ch : bytes) {
    out.push_back(kHex[ch >> 4]);
    out.push_back(kHex[ch & 15]);
  }
  out += '\'';
}

// A number as the server printed it: digits, sign, point and exponent only (anything else
// would not be a number the server sent, and must not reach the statement as text).
bool plain_number(std::string_view text) {
  if (text.empty()) return false;
  for (char ch : text) {
    if (!((ch >= '0' && ch <= '9') || ch == '-' || ch == '+' || ch == '.' || ch == 'e' ||
          ch == 'E'))
      return false;
  }
  return true;
}

void append_cast(std::string& out, std::string_view text, std::string_view type, uint8_t decimals) {
  out += "CAST(";
  append_hex(out, text);  // digits and separators: hex keeps the statement free of quoting
  out += " AS ";
  out += type;
  if (decimals > 0 && decimals <= 6) {
    out += '(';
    out += static_cast<char>('0' + decimals);
    out += ')';
  }
  out += ')';
}

}  // namespace

bool append_cell_literal(std::string& out, std::optional<std::string_view> cell,
                         const protocol::ColumnDefinition& column, std::string_view collation_name,
                         std::string& why) {
  if (!cell) {
    out += "NULL";
    return true;
  }
  const std::string_view v = *cell;
  switch (column.type) {
    case FieldType::kTiny:
    case FieldType::kShort:
    case FieldType::kLong:
    case FieldType::kLongLong:
    case FieldType::kInt24:
    case FieldType::kYear:
    case FieldType::kDecimal:
    case FieldType::kNewDecimal:
      if (!plain_number(v)) break;
      out += v;
      return true;
    case FieldType::kDouble:
      if (!plain_number(v)) break;
      out += v;
      // An exponent makes the literal a DOUBLE (without one it is a DECIMAL).
      if (v.find_first_of("eE") == std::string_view::npos) out += "E0";
      return true;
    case FieldType::kFloat:
      if (!plain_number(v)) break;
      out += "CAST(";
      out += v;
      if (v.find_first_of("eE") == std::string_view::npos) out += "E0";
      out += " AS FLOAT)";
      return true;
    case FieldType::kDate:
      append_cast(out, v, "DATE", 0);
      return true;
    case FieldType::kTime:
      append_cast(out, v, "TIME", column.decimals);
      return true;
    case FieldType::kDatetime:
    case FieldType::kTimestamp:
      append_cast(out, v, "DATETIME", column.decimals);
      return true;
    case FieldType::kBit:
    case FieldType::kGeometry:
    case FieldType::kNull:
      append_hex(out, v);
      return true;
    default:
      break;
  }
  // Strings (and numbers printed oddly: written as strings, which the server converts back).
  if (column.charset == 63) {  // binary
    append_hex(out, v);
    return true;
  }
  const std::string collation =
      collation_name.empty() ? column_collation_name(column.charset) : std::string(collation_name);
  const size_t cut = collation.find('_');
  if (collation.empty() || cut == std::string::npos) {
    why = "a value in collation id " + std::to_string(column.charset) +
          ", which the proxy cannot write as a literal";
    return false;
  }
  // As wide as the column: MariaDB sizes a VALUES column by its longest literal and cuts a
  // value looked up in a key on it (a materialized IN subquery, a derived key) to that width,
  // so 'strasse' (7 characters) never found 'straße' (6) under utf8mb4_unicode_520_ci.
  const std::string_view charset(collation.data(), cut);
  const uint32_t width =
      std::clamp<uint32_t>(column.column_length / max_bytes_per_char(charset), 1, 16383);
  out += "CAST(_";
  out += charset;
  out += ' ';
  append_hex(out, v);
  out += " AS CHAR(";
  out += std::to_string(width);
  out += ") CHARACTER SET ";
  out += charset;
  out += ") COLLATE ";
  out += collation;
  return true;
}

}  // namespace tessera::exec::engine
