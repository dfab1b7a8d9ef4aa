// Cells written back as literals the server reads as the same value, type and collation.
#include "exec/engine/literal_rows.h"

#include <gtest/gtest.h>

namespace tessera::exec::engine {
namespace {

using protocol::ColumnDefinition;
using protocol::FieldType;

std::string literal(std::optional<std::string_view> cell, FieldType type, uint16_t charset = 63,
                    uint8_t decimals = 0, std::string_view collation = {}, uint32_t length = 80) {
  ColumnDefinition c;
  c.type = type;
  c.charset = charset;
  c.decimals = decimals;
  c.column_length = length;
  std::string out, why;
  EXPECT_TRUE(append_cell_literal(out, cell, c, collation, why)) << why;
  return out;
}

TEST(LiteralRows, NumbersKeepTheirTypeFamily) {
  EXPECT_EQ(literal(std::nullopt, FieldType::kLong), "NULL");
  EXPECT_EQ(literal("-42", FieldType::kLong), "-42");
  EXPECT_EQ(literal("18446744073709551615", FieldType::kLongLong), "18446744073709551615");
  EXPECT_EQ(literal("12.50", FieldType::kNewDecimal), "12.50");
  EXPECT_EQ(literal("0.30000000000000004", FieldType::kDouble), "0.30000000000000004E0");
  EXPECT_EQ(literal("1e300", FieldType::kDouble), "1e300");
  EXPECT_EQ(literal("1.1", FieldType::kFloat), "CAST(1.1E0 AS FLOAT)");
  // Not a number as the server prints one: never spliced in as text.
  EXPECT_EQ(literal("1; DROP TABLE t", FieldType::kLong), "X'313B2044524F50205441424C452074'");
}

TEST(LiteralRows, TemporalValuesCastToTheirType) {
  EXPECT_EQ(literal("2024-02-29", FieldType::kDate), "CAST(X'323032342D30322D3239' AS DATE)");
  EXPECT_EQ(literal("2024-02-29 10:00:00.123", FieldType::kDatetime, 63, 3),
            "CAST(X'323032342D30322D32392031303A30303A30302E313233' AS DATETIME(3))");
  EXPECT_EQ(literal("-838:59:59", FieldType::kTime), "CAST(X'2D3833383A35393A3539' AS TIME)");
}

TEST(LiteralRows, StringsInTheirColumnsOwnCharsetAndCollation) {
  // 'Straße' in utf8mb4_unicode_ci (224), VARCHAR(20): 80 bytes, 20 characters wide
  EXPECT_EQ(literal("Stra\xc3\x9f"
                    "e",
                    FieldType::kVarString, 224),
            "CAST(_utf8mb4 X'53747261C39F65' AS CHAR(20) CHARACTER SET utf8mb4) COLLATE "
            "utf8mb4_unicode_ci");
  // latin1 bytes in latin1_swedish_ci (8), CHAR(3)
  EXPECT_EQ(literal("\xd8", FieldType::kString, 8, 0, {}, 3),
            "CAST(_latin1 X'D8' AS CHAR(3) CHARACTER SET latin1) COLLATE latin1_swedish_ci");
  // a _nopad collation's id is its PAD SPACE sibling's + 1024
  EXPECT_EQ(literal("a ", FieldType::kVarString, 1024 + 246),
            "CAST(_utf8mb4 X'6120' AS CHAR(20) CHARACTER SET utf8mb4) COLLATE "
            "utf8mb4_unicode_520_nopad_ci");
  // the name the server gave, where the id may stand for another collation
  EXPECT_TRUE(collation_id_ambiguous(224));
  EXPECT_EQ(literal("x", FieldType::kVarString, 224, 0, "utf8mb4_uca1400_as_cs"),
            "CAST(_utf8mb4 X'78' AS CHAR(20) CHARACTER SET utf8mb4) COLLATE "
            "utf8mb4_uca1400_as_cs");
  // a TEXT column (4 GiB): as wide as a VARCHAR may be
  EXPECT_EQ(literal("x", FieldType::kBlob, 224, 0, {}, 0xffffffffu),
            "CAST(_utf8mb4 X'78' AS CHAR(16383) CHARACTER SET utf8mb4) COLLATE "
            "utf8mb4_unicode_ci");
  EXPECT_EQ(literal(std::string_view("\0\xff", 2), FieldType::kBlob, 63), "X'00FF'");
}

TEST(LiteralRows, UnknownCollationIsRefused) {
  ColumnDefinition c;
  c.type = FieldType::kVarString;
  c.charset = 35;  // ucs2_general_ci: not in the proxy's table
  std::string out, why;
  EXPECT_FALSE(append_cell_literal(out, std::string_view("a"), c, {}, why));
  EXPECT_NE(why.find("35"), std::string::npos);
}

}  // namespace
}  // namespace tessera::exec::engine
