// Column definition (Protocol::ColumnDefinition41) and field types, used when
// Tessera produces a result set itself (admin statements, merged results).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tessera::protocol {

enum class FieldType : uint8_t {
  kDecimal = 0x00,
  kTiny = 0x01,
  kShort = 0x02,
  kLong = 0x03,
  kFloat = 0x04,
  kDouble = 0x05,
  kNull = 0x06,
  kTimestamp = 0x07,
  kLongLong = 0x08,
  kInt24 = 0x09,
  kDate = 0x0a,
  kTime = 0x0b,
  kDatetime = 0x0c,
  kYear = 0x0d,
  kVarchar = 0x0f,
  kBit = 0x10,
  kJson = 0xf5,
  kNewDecimal = 0xf6,
  kEnum = 0xf7,
  kSet = 0xf8,
  kTinyBlob = 0xf9,
  kMediumBlob = 0xfa,
  kLongBlob = 0xfb,
  kBlob = 0xfc,
  kVarString = 0xfd,
  kString = 0xfe,
  kGeometry = 0xff,
};

namespace column_flag {
inline constexpr uint16_t kNotNull = 0x0001;
inline constexpr uint16_t kPrimaryKey = 0x0002;
inline constexpr uint16_t kUnsigned = 0x0020;
inline constexpr uint16_t kBinary = 0x0080;
}  // namespace column_flag

struct ColumnDefinition {
  std::string catalog = "def";
  std::string schema;
  std::string table;
  std::string org_table;
  std::string name;
  std::string org_name;
  uint16_t charset = 33;  // utf8_general_ci
  uint32_t column_length = 0;
  FieldType type = FieldType::kVarString;
  uint16_t flags = 0;
  uint8_t decimals = 0;
  // MariaDB's extended type info (MARIADB_CLIENT_EXTENDED_TYPE_INFO negotiated), as on the
  // wire: pairs of a 1-byte kind (0: type name, 1: format name) and a length-encoded string.
  std::string extended_metadata;

  // `extended`: the connection negotiated MARIADB_CLIENT_EXTENDED_TYPE_INFO, so the definition
  // carries extended_metadata after org_name.
  std::string encode(bool extended = false) const;
  static std::optional<ColumnDefinition> decode(std::string_view payload, bool extended = false);

  // The format name in extended_metadata ("json", ...), empty when there is none.
  std::string format_name() const;

  static ColumnDefinition text(std::string name, uint32_t length = 255);
  static ColumnDefinition integer(std::string name);
};

// A column definition received with extended type info, re-encoded for a connection that did
// not negotiate it (the extended metadata removed); nullopt when malformed.
std::optional<std::string> strip_extended_metadata(std::string_view payload);

}  // namespace tessera::protocol
