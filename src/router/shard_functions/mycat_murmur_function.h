// Mycat `mycat_murmur` (PartitionByMurmurHash): consistent hashing. Every table i gets
// `virtual_bucket_times` (default 160) points on a ring, at murmur3_32 (Guava-compatible, with
// `seed`) of "SHARD-i-NODE-0", then "SHARD-i-NODE-0-NODE-1", "SHARD-i-NODE-0-NODE-1-NODE-2"...
// (Mycat appends to one buffer instead of starting over; Gaea kept that and so do we). A key
// (as decimal text for integers) goes to the first point at or after its own hash, wrapping to
// the lowest point. Where two points collide the later table wins.
#pragma once

#include <cstdint>
#include <map>

#include "router/shard_function.h"

namespace tessera::router {

class MycatMurmurFunction final : public ShardFunction {
 public:
  MycatMurmurFunction(int32_t seed, int virtual_bucket_times, int table_count);
  int table_count() const override { return count_; }
  ShardResult<int> find(const ShardValue& value) const override;
  std::string signature() const override;

 private:
  int32_t seed_;
  int virtual_bucket_times_;
  int count_;
  std::map<int32_t, int> ring_;  // point -> table
};

}  // namespace tessera::router
