#include "router/shard_functions/date_function.h"

#include <algorithm>
#include <climits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "router/shard_functions/key_conversion.h"

namespace tessera::router {

ShardResult<int> DateFunction::find(const ShardValue& value) const {
  auto key = date_key(value, unit_);
  if (auto* e = std::get_if<ShardError>(&key)) return std::move(*e);
  int number = std::get<DateKey>(key).number;
  auto it = std::lower_bound(dates_.begin(), dates_.end(), number);
  if (it == dates_.end() || *it != number) {
    return key_error(date_unit_name(unit_),
                     fmt::format("no sub-table for {} ({}; date_range covers {} to {})", number,
                                 describe(value), dates_.front(), dates_.back()));
  }
  return static_cast<int>(it - dates_.begin());
}

ShardResult<std::vector<int>> DateFunction::find_range(
    const std::optional<RangeBound>& low, const std::optional<RangeBound>& high) const {
  int lo = INT_MIN, hi = INT_MAX;
  bool hi_exclusive = false;
  if (low) {
    auto key = date_key(low->value, unit_);
    if (auto* e = std::get_if<ShardError>(&key)) return std::move(*e);
    lo = std::get<DateKey>(key).number;
  }
  if (high) {
    auto key = date_key(high->value, unit_);
    if (auto* e = std::get_if<ShardError>(&key)) return std::move(*e);
    const DateKey& k = std::get<DateKey>(key);
    hi = k.number;
    hi_exclusive = !high->inclusive && k.starts_bucket;
  }
  std::vector<int> out;
  for (size_t i = 0; i < dates_.size(); ++i) {
    int d = dates_[i];
    if (d < lo || d > hi || (hi_exclusive && d == hi)) continue;
    out.push_back(static_cast<int>(i));
  }
  return out;
}

std::string DateFunction::signature() const {
  return fmt::format("{}/{}", date_unit_name(unit_), fmt::join(dates_, ","));
}

}  // namespace tessera::router
