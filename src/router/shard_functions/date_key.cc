#include "router/shard_functions/date_key.h"

#include <ctime>
#include <string>

#include <fmt/format.h>

#include "router/shard_functions/key_conversion.h"

namespace tessera::router {

namespace {

bool digits_at(std::string_view s, size_t pos, size_t count) {
  if (s.size() < pos + count) return false;
  for (size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int number_at(std::string_view s, size_t pos, size_t count) {
  int n = 0;
  for (size_t i = pos; i < pos + count; ++i) n = n * 10 + (s[i] - '0');
  return n;
}

// True for "", " 00:00:00", "T00:00:00" and the same with a zero fraction.
bool is_midnight(std::string_view rest) {
  if (rest.empty()) return true;
  if (rest.size() < 9 || (rest[0] != ' ' && rest[0] != 'T') || rest.substr(1, 8) != "00:00:00") {
    return false;
  }
  rest.remove_prefix(9);
  if (rest.empty()) return true;
  if (rest[0] != '.') return false;
  for (char c : rest.substr(1)) {
    if (c != '0') return false;
  }
  return true;
}

DateKey from_fields(int year, int month, int day, bool midnight, DateUnit unit) {
  switch (unit) {
    case DateUnit::kYear:
      return {year, midnight && month == 1 && day == 1};
    case DateUnit::kMonth:
      return {year * 100 + month, midnight && day == 1};
    case DateUnit::kDay:
      break;
  }
  return {year * 10000 + month * 100 + day, midnight};
}

ShardResult<DateKey> from_timestamp(int64_t seconds, DateUnit unit) {
  // Gaea formats time.Unix(key, 0) in the local zone and reads the digits back; a year outside
  // 0-9999 would not survive that, so we refuse it.
  std::tm tm{};
  auto t = static_cast<std::time_t>(seconds);
  if (!localtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
    return key_error(date_unit_name(unit),
                     fmt::format("timestamp {} is outside years 0 to 9999", seconds));
  }
  bool midnight = tm.tm_hour == 0 && tm.tm_min == 0 && tm.tm_sec == 0;
  return from_fields(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, midnight, unit);
}

ShardResult<DateKey> from_text(std::string_view s, DateUnit unit, const ShardValue& value) {
  auto bad = [&] {
    return key_error(date_unit_name(unit),
                     fmt::format("{} is not a date (use YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or a "
                                 "unix timestamp)",
                                 describe(value)));
  };
  if (!digits_at(s, 0, 4)) return bad();
  int year = number_at(s, 0, 4);
  // A full `YYYY-MM-DD` also tells whether the key starts its bucket.
  bool full =
      s.size() >= 10 && s[4] == '-' && s[7] == '-' && digits_at(s, 5, 2) && digits_at(s, 8, 2);
  bool midnight = full && is_midnight(s.substr(10));
  if (unit == DateUnit::kYear) {
    if (!full) return DateKey{year, false};
    return from_fields(year, number_at(s, 5, 2), number_at(s, 8, 2), midnight, unit);
  }
  if (s.size() < 10 || !digits_at(s, 5, 2)) return bad();
  int month = number_at(s, 5, 2);
  if (unit == DateUnit::kMonth) {
    int day = digits_at(s, 8, 2) ? number_at(s, 8, 2) : 0;
    return from_fields(year, month, day, full && midnight, unit);
  }
  if (!digits_at(s, 8, 2)) return bad();
  return from_fields(year, month, number_at(s, 8, 2), full && midnight, unit);
}

}  // namespace

std::string_view date_unit_name(DateUnit unit) {
  switch (unit) {
    case DateUnit::kYear:
      return "date_year";
    case DateUnit::kMonth:
      return "date_month";
    case DateUnit::kDay:
      break;
  }
  return "date_day";
}

ShardResult<DateKey> date_key(const ShardValue& value, DateUnit unit) {
  if (const auto* i = std::get_if<int64_t>(&value.v)) return from_timestamp(*i, unit);
  // Gaea converts uint64 with int64(val): above INT64_MAX it turns negative (before 1970).
  if (const auto* u = std::get_if<uint64_t>(&value.v)) {
    return from_timestamp(static_cast<int64_t>(*u), unit);
  }
  if (const auto* s = std::get_if<std::string>(&value.v)) return from_text(*s, unit, value);
  return key_error(date_unit_name(unit), "cannot route NULL");
}

}  // namespace tessera::router
