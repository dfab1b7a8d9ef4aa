// Builds the shard function of one rule from its configuration.
#pragma once

#include <memory>
#include <vector>

#include "config/shard_rule_config.h"
#include "router/shard_function.h"

namespace tessera::router {

// `table_count` comes from the rule's placement (sum of locations); `dates` are the expanded
// date_range of a date rule (ascending), empty otherwise. Returns null for global rules.
// Throws ShardParamError for a bad parameter (`seed`, `partition_count`...).
std::shared_ptr<const ShardFunction> make_shard_function(const config::ShardRuleConfig& cfg,
                                                         int table_count,
                                                         const std::vector<int>& dates);

}  // namespace tessera::router
