#include "router/shard_functions/range_function.h"

#include <algorithm>

#include <fmt/format.h>

#include "router/shard_functions/key_conversion.h"

namespace tessera::router {

ShardResult<int> RangeFunction::find(const ShardValue& value) const {
  auto n = number_key(value, "range");
  if (auto* e = std::get_if<ShardError>(&n)) return std::move(*e);
  int64_t v = std::get<int64_t>(n);
  if (v < 0 || v / limit_ >= count_) {
    return key_error("range", fmt::format("{} is outside every table (0 to {})", v,
                                          static_cast<int64_t>(count_) * limit_ - 1));
  }
  return static_cast<int>(v / limit_);
}

ShardResult<std::vector<int>> RangeFunction::find_range(
    const std::optional<RangeBound>& low, const std::optional<RangeBound>& high) const {
  // Work in the closed interval [lo, hi] of keys, then map it onto table indexes.
  int64_t lo = INT64_MIN, hi = INT64_MAX;
  if (low) {
    auto n = number_key(low->value, "range");
    if (auto* e = std::get_if<ShardError>(&n)) return std::move(*e);
    lo = std::get<int64_t>(n);
    if (!low->inclusive) {
      if (lo == INT64_MAX) return std::vector<int>{};
      ++lo;
    }
  }
  if (high) {
    auto n = number_key(high->value, "range");
    if (auto* e = std::get_if<ShardError>(&n)) return std::move(*e);
    hi = std::get<int64_t>(n);
    if (!high->inclusive) {
      if (hi == INT64_MIN) return std::vector<int>{};
      --hi;
    }
  }
  std::vector<int> out;
  if (hi < 0 || lo > hi) return out;
  int64_t first = lo < 0 ? 0 : lo / limit_;
  int64_t last = std::min<int64_t>(hi / limit_, count_ - 1);
  for (int64_t i = first; i <= last; ++i) out.push_back(static_cast<int>(i));
  return out;
}

std::string RangeFunction::signature() const {
  return fmt::format("range/{}x{}", count_, limit_);
}

}  // namespace tessera::router
