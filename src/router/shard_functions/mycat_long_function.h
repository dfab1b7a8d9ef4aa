// Mycat `mycat_long` (PartitionByLong): the key as an integer, its low 10 bits (two's
// complement, so -1 lands in slot 1023) pick a slot of the partition layout.
#pragma once

#include "router/shard_function.h"
#include "router/shard_functions/mycat_partition.h"

namespace tessera::router {

class MycatLongFunction final : public ShardFunction {
 public:
  MycatLongFunction(MycatPartition partition, int table_count)
      : partition_(std::move(partition)), count_(table_count) {}
  int table_count() const override { return count_; }
  ShardResult<int> find(const ShardValue& value) const override;
  std::string signature() const override;
  bool reads_integers() const override { return true; }

 private:
  MycatPartition partition_;
  int count_;
};

}  // namespace tessera::router
