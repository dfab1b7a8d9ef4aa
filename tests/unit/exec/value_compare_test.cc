#include "exec/value_compare.h"

#include <gtest/gtest.h>

#include "exec_test_util.h"

namespace tessera::exec {
namespace {

using protocol::FieldType;
using testing::column;

int cmp(const protocol::ColumnDefinition& def, std::string_view a, std::string_view b) {
  return compare_values(ValueType::of(def), a, b);
}

// Keys agree with comparison: equal exactly when compare says 0.
void expect_same_key(const protocol::ColumnDefinition& def, std::string_view a, std::string_view b,
                     bool same) {
  std::string ka, kb;
  append_key(ValueType::of(def), a, ka);
  append_key(ValueType::of(def), b, kb);
  EXPECT_EQ(ka == kb, same) << a << " vs " << b;
  EXPECT_EQ(cmp(def, a, b) == 0, same) << a << " vs " << b;
}

TEST(ValueCompare, SignedIntegersNumerically) {
  auto def = column(FieldType::kLong);
  EXPECT_LT(cmp(def, "9", "10"), 0);
  EXPECT_LT(cmp(def, "-10", "-9"), 0);
  EXPECT_LT(cmp(def, "-1", "0"), 0);
  EXPECT_EQ(cmp(def, "42", "42"), 0);
  EXPECT_LT(cmp(column(FieldType::kLongLong), "-9223372036854775808", "9223372036854775807"), 0);
}

TEST(ValueCompare, BigUnsignedIntegers) {
  auto def = column(FieldType::kLongLong, protocol::column_flag::kUnsigned);
  EXPECT_GT(cmp(def, "18446744073709551615", "9223372036854775808"), 0);
  EXPECT_LT(cmp(def, "9", "18446744073709551615"), 0);
  EXPECT_EQ(cmp(def, "18446744073709551615", "18446744073709551615"), 0);
}

TEST(ValueCompare, DecimalsExactlyAcrossScales) {
  auto def = column(FieldType::kNewDecimal, 0, 63, 2);
  EXPECT_EQ(cmp(def, "1.50", "1.5"), 0);
  EXPECT_LT(cmp(def, "-0.1", "0"), 0);
  EXPECT_EQ(cmp(def, "-0.00", "0"), 0);
  EXPECT_LT(cmp(def, "1.25", "1.3"), 0);
  EXPECT_GT(cmp(def, "10.0", "9.99"), 0);
  EXPECT_LT(cmp(def, "-10.0", "-9.99"), 0);
  EXPECT_LT(cmp(def, "12345678901234567890.123456789", "12345678901234567890.12345679"), 0);
  expect_same_key(def, "1.50", "1.5", true);
  expect_same_key(def, "-0.0", "0", true);
  expect_same_key(def, "1.5", "1.51", false);
}

TEST(ValueCompare, FloatsNumerically) {
  auto def = column(FieldType::kDouble, 0, 63, 31);
  EXPECT_LT(cmp(def, "9.5", "10"), 0);
  EXPECT_LT(cmp(def, "-1e20", "-1e19"), 0);
  EXPECT_GT(cmp(def, "1e20", "9999"), 0);
  expect_same_key(def, "-0", "0", true);
  expect_same_key(def, "1.0", "1", true);
}

TEST(ValueCompare, DatesAndDatetimes) {
  EXPECT_LT(cmp(column(FieldType::kDate), "2023-12-31", "2024-01-01"), 0);
  EXPECT_LT(cmp(column(FieldType::kDatetime), "2024-01-01 09:00:00", "2024-01-01 10:00:00"), 0);
  EXPECT_LT(cmp(column(FieldType::kTimestamp), "2024-01-01 10:00:00.5", "2024-01-01 10:00:00.75"),
            0);
  EXPECT_LT(cmp(column(FieldType::kYear), "1999", "2000"), 0);
}

TEST(ValueCompare, TimeIncludingNegativeAndLongHours) {
  auto def = column(FieldType::kTime);
  EXPECT_LT(cmp(def, "-01:00:00", "00:00:00"), 0);
  EXPECT_LT(cmp(def, "-838:59:59", "-01:00:00"), 0);
  EXPECT_LT(cmp(def, "-00:00:01", "-00:00:00.5"), 0);
  EXPECT_GT(cmp(def, "100:00:00", "99:59:59"), 0);  // bytewise would say otherwise
  EXPECT_LT(cmp(def, "09:00:00", "10:00:00"), 0);
  expect_same_key(def, "1:00:00", "01:00:00", true);
}

TEST(ValueCompare, BinaryIsBytewiseWithoutPadding) {
  auto def = column(FieldType::kBlob, protocol::column_flag::kBinary, 63);
  EXPECT_LT(cmp(def, "A", "a"), 0);
  EXPECT_LT(cmp(def, "a", "a "), 0);
  EXPECT_GT(cmp(def, "\xff", "a"), 0);
  expect_same_key(def, "a", "a ", false);
}

TEST(ValueCompare, BinCollationsAreBytewiseWithPadSpace) {
  auto def = column(FieldType::kVarString, 0, 46);  // utf8mb4_bin
  EXPECT_LT(cmp(def, "A", "a"), 0);
  EXPECT_EQ(cmp(def, "a", "a  "), 0);
  EXPECT_GT(cmp(def, "a", "a\t"), 0);  // padding compares as spaces, and tab < space
  expect_same_key(def, "a", "a  ", true);
  expect_same_key(def, "a", "A", false);
  EXPECT_LT(cmp(column(FieldType::kVarString, 0, 47), "B", "a"), 0);  // latin1_bin
}

TEST(ValueCompare, CaseInsensitiveCollationsWithPadSpace) {
  for (uint16_t id : {8, 33, 45, 224, 2304}) {
    auto def = column(FieldType::kVarString, 0, id);
    EXPECT_EQ(cmp(def, "abc", "ABC"), 0) << id;
    EXPECT_EQ(cmp(def, "a", "A  "), 0) << id;
    EXPECT_LT(cmp(def, "a", "B"), 0) << id;
    // general_ci letters weigh as uppercase, so '_' (0x5F) follows them; UCA puts
    // punctuation before letters (the server: 'Z' < '_' is 1 under general_ci, 0 under
    // unicode_ci and uca1400_ai_ci).
    if (id == 8 || id == 33 || id == 45) {
      EXPECT_LT(cmp(def, "Z", "_"), 0) << id;
    } else if (id == 224) {
      EXPECT_GT(cmp(def, "Z", "_"), 0) << id;
    }
    EXPECT_LT(cmp(def, "ab", "abc"), 0) << id;
    expect_same_key(def, "a", "A ", true);
    expect_same_key(def, "a", "b", false);
  }
}

TEST(ValueCompare, Latin1LettersFoldCase) {
  auto utf8 = column(FieldType::kVarString, 0, 45);
  EXPECT_EQ(cmp(utf8, "\xc3\xa9t\xc3\xa9", "\xc3\x89T\xc3\x89"), 0);  // "été" = "ÉTÉ"
  EXPECT_EQ(cmp(utf8, "caf\xc3\xa9", "CAFE"), 0);                     // general_ci ignores accents
  auto latin1 = column(FieldType::kVarString, 0, 8);
  EXPECT_EQ(cmp(latin1, "\xe9", "\xc9"), 0);  // é = É in latin1_swedish_ci
  EXPECT_EQ(cmp(latin1, "\xe9", "E"), 0);     // and = E (the server's sort order maps both)
  EXPECT_GT(cmp(latin1, "\xc5", "Z"), 0);     // but Å is a letter after Z
}

TEST(ValueCompare, NoPadCollations) {
  auto def = column(FieldType::kVarString, 0, 1069);  // utf8mb4_general_nopad_ci
  EXPECT_EQ(cmp(def, "abc", "ABC"), 0);
  EXPECT_LT(cmp(def, "a", "a "), 0);
  auto mysql8 = column(FieldType::kVarString, 0, 255);  // utf8mb4_0900_ai_ci
  EXPECT_EQ(cmp(mysql8, "abc", "ABC"), 0);
  EXPECT_LT(cmp(mysql8, "a", "a "), 0);
  EXPECT_EQ(Collation::from_id(2308).pad_space, false);         // utf8mb4_uca1400_nopad_ai_ci
  EXPECT_EQ(Collation::from_id(2305).case_insensitive, false);  // utf8mb4_uca1400_ai_cs
}

TEST(ValueCompare, NullsSortFirst) {
  auto t = ValueType::of(column(FieldType::kLong));
  EXPECT_LT(compare_cells(t, std::nullopt, "-100"), 0);
  EXPECT_GT(compare_cells(t, "-100", std::nullopt), 0);
  EXPECT_EQ(compare_cells(t, std::nullopt, std::nullopt), 0);
  std::string a, b;
  append_key(t, std::nullopt, a);
  append_key(t, "", b);
  EXPECT_NE(a, b);
}

TEST(ValueCompare, MultiColumnKeysDoNotRunTogether) {
  auto t = ValueType::of(column(FieldType::kVarString, 0, 63));
  std::string a, b;
  append_key(t, "ab", a);
  append_key(t, "c", a);
  append_key(t, "a", b);
  append_key(t, "bc", b);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace tessera::exec
