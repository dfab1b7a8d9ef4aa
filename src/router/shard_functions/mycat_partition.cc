#include "router/shard_functions/mycat_partition.h"

#include <vector>

#include <fmt/format.h>

#include "router/shard_functions/shard_param.h"

namespace tessera::router {

MycatPartition parse_mycat_partition(std::string_view partition_count,
                                     std::string_view partition_length, int table_count) {
  std::vector<int> counts = param_int_list(partition_count, "partition_count");
  std::vector<int> lengths = param_int_list(partition_length, "partition_length");
  if (counts.size() != lengths.size()) {
    throw ShardParamError{"partition_length",
                          fmt::format("has {} entries but partition_count has {}; they pair up",
                                      lengths.size(), counts.size())};
  }
  int64_t partitions = 0, slots = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] < 0) {
      throw ShardParamError{"partition_count", fmt::format("{} is negative", counts[i])};
    }
    if (lengths[i] <= 0) {
      throw ShardParamError{"partition_length",
                            fmt::format("{} must be greater than 0", lengths[i])};
    }
    partitions += counts[i];
    slots += static_cast<int64_t>(counts[i]) * lengths[i];
  }
  if (partitions != table_count) {
    throw ShardParamError{"partition_count",
                          fmt::format("adds up to {} partitions but the rule has {} tables "
                                      "(locations); they must match",
                                      partitions, table_count)};
  }
  if (slots != kMycatPartitionSlots) {
    throw ShardParamError{"partition_length",
                          fmt::format("partitions cover {} slots; the sum of count x length must "
                                      "be {}",
                                      slots, kMycatPartitionSlots)};
  }
  MycatPartition out;
  int slot = 0, table = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    for (int c = 0; c < counts[i]; ++c, ++table) {
      out.boundaries += fmt::format("{},", slot);
      for (int k = 0; k < lengths[i]; ++k) out.table_of_slot[slot++] = table;
    }
  }
  out.boundaries += std::to_string(kMycatPartitionSlots);
  return out;
}

}  // namespace tessera::router
