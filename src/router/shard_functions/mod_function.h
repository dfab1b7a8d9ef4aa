// Kingshard `mod` and Mycat `mycat_mod` (PartitionByMod), which Gaea computes alike:
// |NumValue(key)| % table count. Text must be a decimal integer (no CRC32 fallback as in
// `hash`), negative keys use their absolute value (-1 % 3 is 1), and a uint64 above INT64_MAX
// wraps negative first. INT64_MIN, whose absolute value Go cannot represent, is an error.
#pragma once

#include <string>

#include "router/shard_function.h"

namespace tessera::router {

class ModFunction final : public ShardFunction {
 public:
  // `name` is the rule type (`mod` or `mycat_mod`), for messages and the signature.
  ModFunction(int table_count, std::string name) : count_(table_count), name_(std::move(name)) {}
  int table_count() const override { return count_; }
  ShardResult<int> find(const ShardValue& value) const override;
  std::string signature() const override;
  bool reads_integers() const override { return true; }

 private:
  int count_;
  std::string name_;
};

}  // namespace tessera::router
