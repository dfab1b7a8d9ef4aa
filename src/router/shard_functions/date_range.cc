#include "router/shard_functions/date_range.h"

#include <string>
#include <utility>

#include <fmt/format.h>

#include "router/shard_functions/shard_param.h"

namespace tessera::router {

namespace {

constexpr int kMaxDatesPerRange = 100000;

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int to_int(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

// Days since 1970-01-01 in the proleptic Gregorian calendar, and back.
int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int civil_number(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  return static_cast<int>(y * 10000 + m * 100 + d);
}

bool valid_day(int number) {
  int y = number / 10000, m = number / 100 % 100, d = number % 100;
  if (m < 1 || m > 12 || d < 1) return false;
  return civil_number(days_from_civil(y, m, d)) == number;
}

struct Parts {
  std::string_view first, second;
  bool single = true;
};

Parts split(std::string_view text) {
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) return {text, text, true};
  return {text.substr(0, dash), text.substr(dash + 1), false};
}

}  // namespace

std::vector<int> parse_date_range(std::string_view text, DateUnit unit, std::string_view field) {
  auto fail = [&](std::string_view expected) -> ShardParamError {
    return ShardParamError{std::string(field), fmt::format("\"{}\" is not a {} range (expected {})",
                                                           text, date_unit_name(unit), expected)};
  };
  Parts p = split(text);
  std::vector<int> out;
  switch (unit) {
    case DateUnit::kYear: {
      // Gaea checks the length only of a single year.
      if ((p.single && p.first.size() != 4) || !all_digits(p.first) || !all_digits(p.second) ||
          p.first.size() > 4 || p.second.size() > 4) {
        throw fail("YYYY or YYYY-YYYY");
      }
      int a = to_int(p.first), b = to_int(p.second);
      if (b < a) std::swap(a, b);
      for (int y = a; y <= b; ++y) out.push_back(y);
      break;
    }
    case DateUnit::kMonth: {
      if (p.first.size() != 6 || p.second.size() != 6 || !all_digits(p.first) ||
          !all_digits(p.second)) {
        throw fail("YYYYMM or YYYYMM-YYYYMM");
      }
      int a = to_int(p.first), b = to_int(p.second);
      if (a % 100 < 1 || a % 100 > 12 || b % 100 < 1 || b % 100 > 12) {
        throw fail("months 01 to 12");
      }
      if (b < a) std::swap(a, b);
      int months = (b / 100 - a / 100) * 12 + b % 100 - a % 100 + 1;
      if (months > kMaxDatesPerRange) throw fail("a shorter range");
      for (int i = 0, y = a / 100, m = a % 100; i < months; ++i) {
        out.push_back(y * 100 + m);
        if (++m > 12) m = 1, ++y;
      }
      break;
    }
    case DateUnit::kDay: {
      if (p.first.size() != 8 || p.second.size() != 8 || !all_digits(p.first) ||
          !all_digits(p.second)) {
        throw fail("YYYYMMDD or YYYYMMDD-YYYYMMDD");
      }
      int a = to_int(p.first), b = to_int(p.second);
      if (!valid_day(a) || !valid_day(b)) throw fail("real calendar days");
      if (b < a) std::swap(a, b);
      int64_t from = days_from_civil(a / 10000, a / 100 % 100, a % 100);
      int64_t to = days_from_civil(b / 10000, b / 100 % 100, b % 100);
      if (to - from + 1 > kMaxDatesPerRange) throw fail("a shorter range");
      for (int64_t d = from; d <= to; ++d) out.push_back(civil_number(d));
      break;
    }
  }
  return out;
}

}  // namespace tessera::router
