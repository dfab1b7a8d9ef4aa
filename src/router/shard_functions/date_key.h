// Reading a key as a date for the date_year/date_month/date_day rules, exactly as Gaea does:
//  - integers are unix timestamps, converted in the proxy's local time zone (Go's time.Unix);
//  - text is read by position, not parsed: date_year takes the first 4 characters, date_month
//    characters 0-3 and 5-6, date_day also 8-9, and the latter two need at least 10 characters.
//    So `2014-05-01`, `2014/05/01` and `2014-05-01 12:00:00` are all accepted, `20140501` is
//    not a month or day key (too short), and quoted digits such as '1400000000' are read as text
//    (year 1400), not as a timestamp.
// The result is the date as a number (2014, 201405, 20140501): the sub-table suffix.
#pragma once

#include <string_view>

#include "router/shard_function.h"

namespace tessera::router {

enum class DateUnit { kYear, kMonth, kDay };

// The rule type name: `date_year`, `date_month`, `date_day`.
std::string_view date_unit_name(DateUnit unit);

struct DateKey {
  int number = 0;  // 2014, 201405 or 20140501
  // True when the key is the first instant of its year/month/day (`2015-01-01` or
  // `2015-01-01 00:00:00` for a year), so `key < value` excludes the whole bucket.
  bool starts_bucket = false;
};

ShardResult<DateKey> date_key(const ShardValue& value, DateUnit unit);

}  // namespace tessera::router
