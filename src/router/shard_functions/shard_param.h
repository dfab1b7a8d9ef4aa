// Reading a rule's parameters (`partition_count`, `seed`, `date_range`...) while building its
// shard function. Problems are thrown as ShardParamError; the rule builder turns them into a
// config::ConfigError naming `shard_rules[i].<field>`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tessera::router {

struct ShardParamError {
  std::string field;    // relative to the rule: `seed`, `date_range[1]`
  std::string problem;  // what is wrong and what is expected
};

// Go's strconv.Atoi, as Gaea reads every mycat parameter: optional sign, digits, nothing else.
int param_int(std::string_view text, std::string_view field);

// Gaea's toIntArray: spaces removed, then comma-separated Atoi (`"2, 1"` -> {2, 1}).
std::vector<int> param_int_list(std::string_view text, std::string_view field);

}  // namespace tessera::router
