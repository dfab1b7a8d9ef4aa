// Ordering and equality of text-protocol cells by column type, as MariaDB orders them:
// integers and DECIMAL numerically (DECIMAL exactly, on its digits), FLOAT/DOUBLE as doubles,
// TIME as a signed duration, other temporal types by their fixed-width text, strings by the
// column's collation (see collation.h for how far that goes). NULL is smaller than every
// value, so it comes first in ASC and last in DESC, as in MySQL.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "exec/collation.h"
#include "protocol/column_definition.h"

namespace tessera::exec {

enum class ValueFamily : uint8_t {
  kSignedInt,    // TINYINT..BIGINT, YEAR
  kUnsignedInt,  // the same with the UNSIGNED flag
  kDecimal,      // DECIMAL/NEWDECIMAL
  kFloat,        // FLOAT, DOUBLE
  kTemporal,     // DATE, DATETIME, TIMESTAMP: fixed-width text orders correctly
  kTime,         // TIME: [-]H+:MM:SS[.f], may be negative and have 3-digit hours
  kString,       // everything else, compared by `collation`
};

struct ValueType {
  ValueFamily family = ValueFamily::kString;
  Collation collation;

  static ValueType of(const protocol::ColumnDefinition& def);
  bool numeric() const {
    return family == ValueFamily::kSignedInt || family == ValueFamily::kUnsignedInt ||
           family == ValueFamily::kDecimal || family == ValueFamily::kFloat;
  }
};

// <0, 0, >0 for two non-NULL cells of the same column.
int compare_values(const ValueType& t, std::string_view a, std::string_view b);

// Same, with NULL smaller than any value (and equal to NULL).
inline int compare_cells(const ValueType& t, std::optional<std::string_view> a,
                         std::optional<std::string_view> b) {
  if (!a || !b) return a ? 1 : (b ? -1 : 0);
  return compare_values(t, *a, *b);
}

// Exact comparison of two decimal texts ("1.50" = "1.5", "-0.1" < "0"); texts that are not
// decimals compare bytewise after every decimal.
int compare_decimal_text(std::string_view a, std::string_view b);

// Appends a self-delimiting key for the cell: two cells get equal keys exactly when
// compare_cells() says they are equal. Used to hash groups and DISTINCT rows.
void append_key(const ValueType& t, std::optional<std::string_view> cell, std::string& out);

}  // namespace tessera::exec
