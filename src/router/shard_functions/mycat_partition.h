// Mycat's PartitionByLong layout, shared by `mycat_long` and `mycat_string`: 1024 slots split
// into consecutive partitions. `partition_count` "2,1" with `partition_length` "256,512" means
// two partitions of 256 slots then one of 512: slots 0-255 -> table 0, 256-511 -> 1,
// 512-1023 -> 2. The counts must add up to the rule's table count and count x length to 1024.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace tessera::router {

constexpr int kMycatPartitionSlots = 1024;

struct MycatPartition {
  std::array<int, kMycatPartitionSlots> table_of_slot{};
  // First slot of each table plus 1024 (`0,256,512,1024`): the layout however it was spelled.
  std::string boundaries;
};

// Throws ShardParamError naming `partition_count` or `partition_length`.
MycatPartition parse_mycat_partition(std::string_view partition_count,
                                     std::string_view partition_length, int table_count);

}  // namespace tessera::router
