// Where a rule's sub-tables live: which slice holds index i, and for mycat (and global) rules
// which database. Gaea's layout: `locations` [2, 2] on slices [s1, s2] puts indexes 0, 1 on s1
// and 2, 3 on s2; a date rule puts the dates of `date_range[k]` on `slices[k]`.
#pragma once

#include <string>
#include <vector>

#include "config/namespace_config.h"
#include "router/shard_functions/date_key.h"

namespace tessera::router {

struct Placement {
  std::vector<int> slice_of_table;  // index into cfg.slices, per sub-table
  std::vector<int> dates;           // date rules: the date of each sub-table
};

// Both throw ShardParamError with a field relative to the rule (`locations[1]`, `slices[0]`).
Placement locations_placement(const config::ShardRuleConfig& cfg, const config::Namespace& ns);
Placement date_placement(const config::ShardRuleConfig& cfg, const config::Namespace& ns,
                         DateUnit unit);

// Gaea's `databases`: each entry a name or a range shorthand `prefix[a-b]` (a < b, both ends
// included: `db_[0-3]` is db_0, db_1, db_2, db_3). Throws ShardParamError (`databases[k]`).
std::vector<std::string> expand_databases(const std::vector<std::string>& databases);

}  // namespace tessera::router
