// date_year / date_month / date_day: date_range expansion, key reading in every format Gaea
// accepts (and the ones it does not), table lookup and range pruning.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "router/shard_functions/date_function.h"
#include "router/shard_functions/date_range.h"
#include "router/shard_functions/shard_param.h"

namespace tessera::router {
namespace {

ShardValue S(std::string v) {
  return ShardValue::of(std::move(v));
}
RangeBound incl(ShardValue v) {
  return RangeBound{std::move(v), true};
}
RangeBound excl(ShardValue v) {
  return RangeBound{std::move(v), false};
}

// Unix timestamps are read in the proxy's local zone (Go's time.Unix); pin it for the tests.
class DateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    saved_ = tz ? std::optional<std::string>(tz) : std::nullopt;
    setenv("TZ", "UTC", 1);
    tzset();
  }
  void TearDown() override {
    if (saved_) {
      setenv("TZ", saved_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }

 private:
  std::optional<std::string> saved_;
};

int number(const ShardValue& v, DateUnit unit) {
  auto r = date_key(v, unit);
  if (auto* e = std::get_if<ShardError>(&r)) {
    ADD_FAILURE() << "unexpected error: " << e->message;
    return -1;
  }
  return std::get<DateKey>(r).number;
}

std::string key_error_of(const ShardValue& v, DateUnit unit) {
  auto r = date_key(v, unit);
  if (auto* e = std::get_if<ShardError>(&r)) return e->message;
  ADD_FAILURE() << "expected an error, got " << std::get<DateKey>(r).number;
  return {};
}

std::string range_error(std::string_view text, DateUnit unit) {
  try {
    parse_date_range(text, unit, "date_range[0]");
  } catch (const ShardParamError& e) {
    EXPECT_EQ(e.field, "date_range[0]");
    return e.problem;
  }
  ADD_FAILURE() << "expected an error for " << text;
  return {};
}

TEST(DateRange, Years) {
  EXPECT_EQ(parse_date_range("2014-2017", DateUnit::kYear, "f"),
            (std::vector<int>{2014, 2015, 2016, 2017}));
  EXPECT_EQ(parse_date_range("2017-2014", DateUnit::kYear, "f"),
            (std::vector<int>{2014, 2015, 2016, 2017}));  // swapped, as Gaea does
  EXPECT_EQ(parse_date_range("2014", DateUnit::kYear, "f"), (std::vector<int>{2014}));
  EXPECT_EQ(range_error("14", DateUnit::kYear),
            "\"14\" is not a date_year range (expected YYYY or YYYY-YYYY)");
  EXPECT_EQ(range_error("2014-", DateUnit::kYear),
            "\"2014-\" is not a date_year range (expected YYYY or YYYY-YYYY)");
  EXPECT_EQ(range_error("2014-2015-2016", DateUnit::kYear),
            "\"2014-2015-2016\" is not a date_year range (expected YYYY or YYYY-YYYY)");
  EXPECT_EQ(range_error("abcd", DateUnit::kYear),
            "\"abcd\" is not a date_year range (expected YYYY or YYYY-YYYY)");
}

TEST(DateRange, MonthsCrossYears) {
  EXPECT_EQ(parse_date_range("201411-201502", DateUnit::kMonth, "f"),
            (std::vector<int>{201411, 201412, 201501, 201502}));
  EXPECT_EQ(parse_date_range("201406-201405", DateUnit::kMonth, "f"),
            (std::vector<int>{201405, 201406}));
  EXPECT_EQ(parse_date_range("201405", DateUnit::kMonth, "f"), (std::vector<int>{201405}));
  EXPECT_EQ(range_error("201413", DateUnit::kMonth),
            "\"201413\" is not a date_month range (expected months 01 to 12)");
  EXPECT_EQ(range_error("2014-05", DateUnit::kMonth),
            "\"2014-05\" is not a date_month range (expected YYYYMM or YYYYMM-YYYYMM)");
}

TEST(DateRange, DaysFollowTheCalendar) {
  EXPECT_EQ(parse_date_range("20140901-20140905", DateUnit::kDay, "f"),
            (std::vector<int>{20140901, 20140902, 20140903, 20140904, 20140905}));
  EXPECT_EQ(parse_date_range("20140227-20140302", DateUnit::kDay, "f"),
            (std::vector<int>{20140227, 20140228, 20140301, 20140302}));
  EXPECT_EQ(parse_date_range("20160228-20160301", DateUnit::kDay, "f"),
            (std::vector<int>{20160228, 20160229, 20160301}));  // leap year
  EXPECT_EQ(parse_date_range("20141231-20150101", DateUnit::kDay, "f"),
            (std::vector<int>{20141231, 20150101}));
  EXPECT_EQ(range_error("20140230", DateUnit::kDay),
            "\"20140230\" is not a date_day range (expected real calendar days)");
  EXPECT_EQ(range_error("2014-09-01", DateUnit::kDay),
            "\"2014-09-01\" is not a date_day range (expected YYYYMMDD or YYYYMMDD-YYYYMMDD)");
}

TEST_F(DateTest, YearKeys) {
  EXPECT_EQ(number(S("2014-05-01"), DateUnit::kYear), 2014);
  EXPECT_EQ(number(S("2014-05-01 12:30:00"), DateUnit::kYear), 2014);
  EXPECT_EQ(number(S("2014/05/01"), DateUnit::kYear), 2014);
  EXPECT_EQ(number(S("20140501"), DateUnit::kYear), 2014);
  EXPECT_EQ(number(S("2014"), DateUnit::kYear), 2014);
  // Quoted digits are text: Gaea reads the first four characters, not a timestamp.
  EXPECT_EQ(number(S("1400000000"), DateUnit::kYear), 1400);
  EXPECT_EQ(number(ShardValue::of(int64_t{1409529600}), DateUnit::kYear), 2014);
  EXPECT_EQ(number(ShardValue::of(int64_t{0}), DateUnit::kYear), 1970);
  EXPECT_EQ(number(ShardValue::of(int64_t{-1}), DateUnit::kYear), 1969);
  EXPECT_EQ(number(ShardValue::of_unsigned(1409529600), DateUnit::kYear), 2014);
  EXPECT_EQ(key_error_of(S("201"), DateUnit::kYear),
            "date_year: \"201\" is not a date (use YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or a unix "
            "timestamp)");
  EXPECT_EQ(key_error_of(S("abcd-01-01"), DateUnit::kYear),
            "date_year: \"abcd-01-01\" is not a date (use YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or a "
            "unix timestamp)");
  EXPECT_EQ(key_error_of(ShardValue::null(), DateUnit::kYear), "date_year: cannot route NULL");
  EXPECT_EQ(key_error_of(ShardValue::of(int64_t{INT64_MAX}), DateUnit::kYear),
            "date_year: timestamp 9223372036854775807 is outside years 0 to 9999");
}

TEST_F(DateTest, MonthKeys) {
  EXPECT_EQ(number(S("2014-05-01"), DateUnit::kMonth), 201405);
  EXPECT_EQ(number(S("2014-05-31 23:59:59"), DateUnit::kMonth), 201405);
  EXPECT_EQ(number(S("2014/05/01"), DateUnit::kMonth), 201405);
  EXPECT_EQ(number(ShardValue::of(int64_t{1409529600}), DateUnit::kMonth), 201409);
  EXPECT_EQ(number(ShardValue::of(int64_t{1409529599}), DateUnit::kMonth), 201408);
  // Shorter than YYYY-MM-DD: Gaea refuses it for months and days.
  EXPECT_EQ(key_error_of(S("20140501"), DateUnit::kMonth),
            "date_month: \"20140501\" is not a date (use YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or a "
            "unix timestamp)");
  EXPECT_EQ(key_error_of(S("2014-05"), DateUnit::kMonth),
            "date_month: \"2014-05\" is not a date (use YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or a "
            "unix timestamp)");
}

TEST_F(DateTest, DayKeys) {
  EXPECT_EQ(number(S("2014-09-01"), DateUnit::kDay), 20140901);
  EXPECT_EQ(number(S("2014-09-01 08:00:00"), DateUnit::kDay), 20140901);
  EXPECT_EQ(number(S("2014.09.01"), DateUnit::kDay), 20140901);
  EXPECT_EQ(number(ShardValue::of(int64_t{1409529600}), DateUnit::kDay), 20140901);
  EXPECT_EQ(number(ShardValue::of(int64_t{1409529600 + 86399}), DateUnit::kDay), 20140901);
  EXPECT_EQ(number(ShardValue::of(int64_t{1409529600 + 86400}), DateUnit::kDay), 20140902);
  EXPECT_EQ(key_error_of(S("2014-09-xx"), DateUnit::kDay),
            "date_day: \"2014-09-xx\" is not a date (use YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or a "
            "unix timestamp)");
}

TEST_F(DateTest, TimestampsUseTheLocalZone) {
  // 2014-09-01 00:00:00 UTC is still August 31st in New York, as in Gaea's time.Unix.
  setenv("TZ", "America/New_York", 1);
  tzset();
  EXPECT_EQ(number(ShardValue::of(int64_t{1409529600}), DateUnit::kDay), 20140831);
}

TEST_F(DateTest, FindMapsDatesToPositions) {
  DateFunction years(DateUnit::kYear, {2014, 2015, 2016, 2017});
  EXPECT_EQ(years.table_count(), 4);
  EXPECT_EQ(std::get<int>(years.find(S("2014-01-01"))), 0);
  EXPECT_EQ(std::get<int>(years.find(S("2016-12-31 23:59:59"))), 2);
  EXPECT_EQ(std::get<int>(years.find(ShardValue::of(int64_t{1483228800}))), 3);  // 2017-01-01
  auto miss = years.find(S("2013-12-31"));
  ASSERT_TRUE(std::holds_alternative<ShardError>(miss));
  EXPECT_EQ(std::get<ShardError>(miss).message,
            "date_year: no sub-table for 2013 (\"2013-12-31\"; date_range covers 2014 to 2017)");

  DateFunction days(DateUnit::kDay, {20140901, 20140902, 20140903});
  EXPECT_EQ(std::get<int>(days.find(S("2014-09-02 10:00:00"))), 1);
  EXPECT_TRUE(std::holds_alternative<ShardError>(days.find(S("2014-09-04"))));
  EXPECT_EQ(days.signature(), "date_day/20140901,20140902,20140903");
}

TEST_F(DateTest, FindRangePrunesByBucket) {
  DateFunction years(DateUnit::kYear, {2014, 2015, 2016, 2017});
  auto range = [&](std::optional<RangeBound> lo, std::optional<RangeBound> hi) {
    auto r = years.find_range(lo, hi);
    if (auto* e = std::get_if<ShardError>(&r)) {
      ADD_FAILURE() << e->message;
      return std::vector<int>{};
    }
    return std::get<std::vector<int>>(r);
  };
  EXPECT_EQ(range(incl(S("2015-03-01")), incl(S("2016-06-01"))), (std::vector<int>{1, 2}));
  // `< '2016-01-01'` cannot match any 2016 row; `<=` can, and so can `< '2016-01-01 00:00:01'`.
  EXPECT_EQ(range(std::nullopt, excl(S("2016-01-01"))), (std::vector<int>{0, 1}));
  EXPECT_EQ(range(std::nullopt, excl(S("2016-01-01 00:00:00"))), (std::vector<int>{0, 1}));
  EXPECT_EQ(range(std::nullopt, incl(S("2016-01-01"))), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(range(std::nullopt, excl(S("2016-01-01 00:00:01"))), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(range(std::nullopt, excl(S("2016-03-01"))), (std::vector<int>{0, 1, 2}));
  // An exclusive lower bound keeps its own year: later times in it still match.
  EXPECT_EQ(range(excl(S("2016-12-31")), std::nullopt), (std::vector<int>{2, 3}));
  EXPECT_EQ(range(incl(S("2010-01-01")), incl(S("2030-01-01"))), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_TRUE(range(incl(S("2018-01-01")), std::nullopt).empty());
  EXPECT_EQ(range(std::nullopt, std::nullopt), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_TRUE(std::holds_alternative<ShardError>(years.find_range(incl(S("soon")), std::nullopt)));

  DateFunction months(DateUnit::kMonth, {201411, 201412, 201501, 201502});
  auto r = months.find_range(incl(S("2014-12-15")), excl(S("2015-02-01")));
  EXPECT_EQ(std::get<std::vector<int>>(r), (std::vector<int>{1, 2}));
  r = months.find_range(incl(ShardValue::of(int64_t{1417392000})), std::nullopt);  // 2014-12-01
  EXPECT_EQ(std::get<std::vector<int>>(r), (std::vector<int>{1, 2, 3}));
}

}  // namespace
}  // namespace tessera::router
