// Values of the binary (prepared-statement) protocol: the parameters of a
// COM_STMT_EXECUTE, their rendering as SQL literals (for a proxy that turns a
// prepared statement into text it can rewrite or route), and conversion of
// text-protocol rows into binary-protocol rows (for a proxy that answers a
// COM_STMT_EXECUTE with rows it obtained through COM_QUERY).
//
// Layouts (shared by parameters and binary rows):
//   TINY 1, SHORT/YEAR 2, INT24/LONG 4, LONGLONG 8 bytes, little-endian;
//   FLOAT 4 / DOUBLE 8 bytes IEEE-754 little-endian;
//   DATE/DATETIME/TIMESTAMP: length byte (0, 4, 7 or 11), year(2) month day,
//     hour minute second, microsecond(4);
//   TIME: length byte (0, 8 or 12), negative(1) days(4) hour minute second,
//     microsecond(4);
//   everything else: length-encoded string.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/column_definition.h"
#include "protocol/statement_packets.h"

namespace tessera::protocol {

// One decoded COM_STMT_EXECUTE parameter.
struct ParamValue {
  enum class Kind : uint8_t {
    kNull,      // NULL bit set, or type MYSQL_TYPE_NULL
    kInt,       // signed integer types: `i`
    kUInt,      // integer types with the unsigned flag (0x80): `u`
    kDouble,    // FLOAT (widened) and DOUBLE: `d`
    kTemporal,  // DATE/DATETIME/TIMESTAMP/TIME: canonical text in `bytes`
    kBytes,     // length-encoded types and SEND_LONG_DATA data: raw `bytes`
  };
  Kind kind = Kind::kNull;
  FieldType type = FieldType::kNull;  // type byte as the client sent it
  bool is_unsigned = false;           // the client's unsigned flag
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  // kTemporal: 'YYYY-MM-DD' (DATE), 'YYYY-MM-DD HH:MM:SS[.ffffff]'
  // (DATETIME, TIMESTAMP), '[-]HH:MM:SS[.ffffff]' (TIME, days folded into
  // hours); six fraction digits only when the microseconds are non-zero.
  // kBytes: the value bytes exactly as sent.
  std::string bytes;

  static ParamValue null(FieldType t = FieldType::kNull) {
    ParamValue v;
    v.type = t;
    return v;
  }
};

struct DecodedParams {
  std::vector<ParamValue> values;
  std::string error;  // empty on success; on failure `values` is empty
  bool ok() const { return error.empty(); }
};

// Decodes the parameter values of a COM_STMT_EXECUTE. `param_types` is
// 2 * num_params bytes (type, flags): the view's own types when it has
// new_params_bound, otherwise the ones remembered from an earlier execute.
// `long_data` maps parameter index to the bytes gathered from
// COM_STMT_SEND_LONG_DATA; such a parameter is kBytes with those bytes, has no
// value in `view.values` and ignores its NULL bit (as the server does).
// Types without a fixed layout (including unknown type codes, as the server
// does) are read as length-encoded strings. Fails (never reads out of bounds)
// on a short bitmap or type list, truncated values, a temporal length other
// than 0/4/7/11 (0/8/12 for TIME), out-of-range temporal fields (month > 12,
// day > 31, hour > 23 outside TIME, minute or second > 59, microseconds >
// 999999), or bytes left over after the last parameter (the server ignores
// those; here they mean the types do not match the values).
// INT24 and YEAR follow the documented layouts (4 and 2 bytes); MariaDB 10.11
// itself binds such parameters as NULL and consumes no bytes, and rejects
// JSON (0xf5) parameters. No common client sends those three types.
DecodedParams decode_execute_params(const StmtExecuteView& view, std::string_view param_types,
                                    uint16_t num_params,
                                    const std::map<uint16_t, std::string>& long_data);

// Checks only that every parameter value of a COM_STMT_EXECUTE lies within
// the packet (fixed widths, temporal length bytes, length-encoded strings),
// without decoding or copying: for a proxy that forwards the packet as is and
// must not pass on a length claim (say 2^62 bytes) that the server would read
// past the end of. Returns an empty string when the values fit, otherwise what
// is wrong. NULL-flagged and long-data parameters carry no value bytes.
std::string execute_values_overrun(const StmtExecuteView& view, std::string_view param_types,
                                   uint16_t num_params,
                                   const std::map<uint16_t, std::string>& long_data);

// Appends `v` as SQL text the server parses back to the same value (checked
// against MariaDB 10.11: CONCAT(?) and CONCAT(<literal>) agree for every kind,
// with and without NO_BACKSLASH_ESCAPES):
//   NULL; integers in decimal; doubles in shortest round-trip scientific
//   notation ("1e-01", so the server reads a DOUBLE, never a DECIMAL);
//   non-finite doubles (inf, nan: not representable in SQL) as NULL;
//   temporals as quoted strings; DECIMAL/NEWDECIMAL bytes unquoted when they
//   are a number (an exponent is shifted into the digits, as the server does:
//   "1.5e3" -> 1500), quoted otherwise; other bytes via append_string_literal.
// Negative numbers start with '-': a caller splicing into "a-?" should keep a
// space before the placeholder (MySQL's "--" comment needs a following space,
// so "a--1" is still subtraction, but a space is clearer).
void append_sql_literal(std::string& out, const ParamValue& v, bool no_backslash_escapes = false);

// Appends bytes as a string literal: X'hex' when they are not valid UTF-8 or
// contain a control character other than tab, LF, CR (so the server never
// re-interprets them through the connection charset); otherwise a quoted
// string with \\, \', \0, \n, \r, \Z escaped (or, with no_backslash_escapes,
// quotes doubled and everything else literal). The quoted form is only safe
// for ASCII-compatible connection charsets (utf8, utf8mb4, latin1, ascii,
// binary); for GBK/SJIS/BIG5/CP932 connections use append_hex_literal.
void append_string_literal(std::string& out, std::string_view bytes,
                           bool no_backslash_escapes = false);
void append_hex_literal(std::string& out, std::string_view bytes);

// Re-encodes one text-protocol row payload (lenenc strings, 0xFB for NULL)
// as a binary-protocol row payload (0x00, NULL bitmap with offset 2, values
// laid out per column type and the column's unsigned flag), appended to
// `out`. Byte-identical to what MariaDB sends for the same values (checked
// against MariaDB 10.11 for every column type), except FLOAT/DOUBLE values
// whose text has fewer digits than the stored number (FLOAT(M,D), DOUBLE(M,D):
// the text is all we have). Returns false (and leaves `out` unchanged,
// `*error` set when given) when the row does not match the columns or a value
// cannot be parsed for its column type.
bool text_row_to_binary(std::string_view text_row_payload,
                        const std::vector<ColumnDefinition>& columns, std::string& out,
                        std::string* error = nullptr);

// The inverse: a binary-protocol row payload as a text-protocol row payload,
// appended to `out`, printed as MariaDB prints text rows: temporals with the
// column's `decimals` fraction digits, YEAR and ZEROFILL integers padded to
// `column_length`, FLOAT/DOUBLE with `decimals` fixed digits when decimals
// < 31 (so a hand-made ColumnDefinition for a plain DOUBLE needs decimals =
// 31) and otherwise shortest round-trip digits with "e30"/"e-30" exponents.
// MariaDB's switch between plain and exponent notation for very large or
// small unfixed reals may differ.
bool binary_row_to_text(std::string_view binary_row_payload,
                        const std::vector<ColumnDefinition>& columns, std::string& out,
                        std::string* error = nullptr);

}  // namespace tessera::protocol
