#include "exec/decimal.h"

#include <gtest/gtest.h>

namespace tessera::exec {
namespace {

Decimal D(std::string_view s) {
  return *Decimal::parse(s);
}

TEST(Decimal, ParsesAndPrintsWithScale) {
  EXPECT_EQ(D("1.50").to_string(), "1.50");
  EXPECT_EQ(D("-0.10").to_string(), "-0.10");
  EXPECT_EQ(D("-0.00").to_string(), "0.00");  // zero is never negative
  EXPECT_EQ(D("007").to_string(), "7");
  EXPECT_EQ(D(".5").to_string(), "0.5");
  EXPECT_FALSE(Decimal::parse("1e5"));
  EXPECT_FALSE(Decimal::parse("-"));
  EXPECT_FALSE(Decimal::parse("1.2.3"));
}

TEST(Decimal, ComparesAcrossScales) {
  EXPECT_EQ(D("1.50").compare(D("1.5")), 0);
  EXPECT_LT(D("-0.1").compare(D("0")), 0);
  EXPECT_GT(D("10").compare(D("9.999")), 0);
  EXPECT_LT(D("-10").compare(D("-9.999")), 0);
}

TEST(Decimal, AddsAndSubtractsExactly) {
  EXPECT_EQ((D("0.1") + D("0.2")).to_string(), "0.3");
  EXPECT_EQ((D("99999999999999999999.99") + D("0.01")).to_string(), "100000000000000000000.00");
  EXPECT_EQ((D("1.5") + D("-2.25")).to_string(), "-0.75");
  EXPECT_EQ((D("-1.5") - D("-1.5")).to_string(), "0.0");
  EXPECT_EQ((Decimal::from_uint(18446744073709551615u) + Decimal::from_int(1)).to_string(),
            "18446744073709551616");
  EXPECT_EQ(Decimal::from_int(INT64_MIN).to_string(), "-9223372036854775808");
}

TEST(Decimal, MultipliesAndDividesRoundingHalfAwayFromZero) {
  EXPECT_EQ((D("1.5") * D("-2.25")).to_string(), "-3.375");
  EXPECT_EQ(Decimal::divide(D("10"), D("4"), 4)->to_string(), "2.5000");
  EXPECT_EQ(Decimal::divide(D("2"), D("3"), 4)->to_string(), "0.6667");
  EXPECT_EQ(Decimal::divide(D("-2"), D("3"), 4)->to_string(), "-0.6667");
  EXPECT_EQ(Decimal::divide(D("1"), D("8"), 2)->to_string(), "0.13");  // 0.125 -> 0.13
  EXPECT_EQ(Decimal::divide(D("-1"), D("8"), 2)->to_string(), "-0.13");
  EXPECT_EQ(Decimal::divide(D("1.25"), D("0.5"), 1)->to_string(), "2.5");
  EXPECT_FALSE(Decimal::divide(D("1"), D("0.00"), 2));
}

TEST(Decimal, RescalesRoundingHalfAwayFromZero) {
  EXPECT_EQ(D("2.345").to_string(2), "2.35");
  EXPECT_EQ(D("-2.345").to_string(2), "-2.35");
  EXPECT_EQ(D("2.344").to_string(2), "2.34");
  EXPECT_EQ(D("0.5").to_string(0), "1");
  EXPECT_EQ(D("0.004").to_string(2), "0.00");
  EXPECT_EQ(D("1.5").to_string(3), "1.500");
  EXPECT_EQ(D("9.99").to_string(1), "10.0");
}

TEST(Decimal, ServerDivisionTruncatesToWholeWords) {
  // Recorded from MariaDB 10.11: CAST(a / b AS DECIMAL(40,30)).
  EXPECT_EQ(Decimal::server_divide(D("1"), D("3"))->to_string(), "0.333333333");
  EXPECT_EQ(Decimal::server_divide(D("2"), D("3"))->to_string(), "0.666666666");
  EXPECT_EQ(Decimal::server_divide(D("-2"), D("3"))->to_string(), "-0.666666666");
  EXPECT_EQ(Decimal::server_divide(D("1.00000"), D("3"))->to_string(), "0.333333333");
  EXPECT_EQ(Decimal::server_divide(D("1.000000"), D("3"))->to_string(), "0.333333333333333333");
  EXPECT_EQ(Decimal::server_divide(D("1.0"), D("3.0"))->to_string(), "0.333333333333333333");
  EXPECT_EQ(Decimal::server_divide(D("1"), D("3.00000"))->to_string(), "0.333333333");
  EXPECT_EQ(Decimal::server_divide(D("10"), D("7"))->to_string(), "1.428571428");
  EXPECT_FALSE(Decimal::server_divide(D("1"), D("0")));
}

TEST(Decimal, TruncatesTowardZero) {
  EXPECT_EQ(D("2.349").truncated(2).to_string(), "2.34");
  EXPECT_EQ(D("-2.349").truncated(1).to_string(), "-2.3");
  EXPECT_EQ(D("-0.09").truncated(1).to_string(), "0.0");
  EXPECT_EQ(D("1.5").truncated(3).to_string(), "1.5");
  EXPECT_EQ(Decimal::divide(D("2"), D("3"), 2, /*truncate=*/true)->to_string(), "0.66");
  EXPECT_EQ(Decimal::power_of_ten(3).to_string(), "1000");
}

}  // namespace
}  // namespace tessera::exec
