// Kingshard `range`: sub-table i holds keys in [i * table_row_limit, (i + 1) * table_row_limit).
// Keys below 0 or at/after table_count * table_row_limit belong to no table (an error, as in
// Gaea). Text keys must be decimal integers.
#pragma once

#include <cstdint>

#include "router/shard_function.h"

namespace tessera::router {

class RangeFunction final : public ShardFunction {
 public:
  RangeFunction(int table_count, int64_t row_limit) : count_(table_count), limit_(row_limit) {}
  int table_count() const override { return count_; }
  ShardResult<int> find(const ShardValue& value) const override;
  ShardResult<std::vector<int>> find_range(const std::optional<RangeBound>& low,
                                           const std::optional<RangeBound>& high) const override;
  std::string signature() const override;
  bool reads_integers() const override { return true; }

 private:
  int count_;
  int64_t limit_;
};

}  // namespace tessera::router
