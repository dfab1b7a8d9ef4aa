// One `date_range` entry of a date rule, expanded to the dates it covers, in order:
//   date_year:  "2014" or "2014-2017"                 -> 2014, 2015, 2016, 2017
//   date_month: "201405" or "201405-201408"           -> 201405 ... 201408 (across years too)
//   date_day:   "20140901" or "20140901-20140905"     -> 20140901 ... 20140905 (real calendar)
// As in Gaea, a reversed range ("2017-2014") is swapped. Unlike Gaea we also reject months
// outside 1-12 and impossible single days, which Gaea would accept and never route to.
#pragma once

#include <string_view>
#include <vector>

#include "router/shard_functions/date_key.h"

namespace tessera::router {

// Throws ShardParamError with `field` (e.g. `date_range[1]`).
std::vector<int> parse_date_range(std::string_view text, DateUnit unit, std::string_view field);

}  // namespace tessera::router
