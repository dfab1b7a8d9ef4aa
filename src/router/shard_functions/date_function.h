// Kingshard `date_year`, `date_month`, `date_day`: one sub-table per year, month or day listed
// in `date_range`. Index i is the i-th date in order (the dates ascend across slices); the
// physical table carries the date itself (`tbl_2014`). A key whose date has no table is an
// error, as in Gaea.
#pragma once

#include <vector>

#include "router/shard_function.h"
#include "router/shard_functions/date_key.h"

namespace tessera::router {

class DateFunction final : public ShardFunction {
 public:
  // `dates` strictly ascending (2014, 2015... or 201405, 201406...).
  DateFunction(DateUnit unit, std::vector<int> dates) : unit_(unit), dates_(std::move(dates)) {}
  int table_count() const override { return static_cast<int>(dates_.size()); }
  ShardResult<int> find(const ShardValue& value) const override;
  // Tables whose date lies between the bounds' dates. A bound's own date stays included even
  // when the bound is exclusive (later times of that day/month/year may match), except for an
  // exclusive upper bound at the very start of its bucket (`< '2015-01-01'` for years).
  ShardResult<std::vector<int>> find_range(const std::optional<RangeBound>& low,
                                           const std::optional<RangeBound>& high) const override;
  std::string signature() const override;
  const std::vector<int>& dates() const { return dates_; }

 private:
  DateUnit unit_;
  std::vector<int> dates_;
};

}  // namespace tessera::router
