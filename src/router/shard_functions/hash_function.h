// Kingshard `hash`: Gaea's HashValue(key) % table count. Integers hash as themselves (negative
// int64 wrapped to uint64 first, so -1 % 3 is (2^64-1) % 3 = 0, not 1); unsigned-decimal text
// likewise; any other text by CRC32.
#pragma once

#include "router/shard_function.h"

namespace tessera::router {

class HashFunction final : public ShardFunction {
 public:
  explicit HashFunction(int table_count) : count_(table_count) {}
  int table_count() const override { return count_; }
  ShardResult<int> find(const ShardValue& value) const override;
  std::string signature() const override;
  bool reads_integers() const override { return true; }

 private:
  int count_;
};

}  // namespace tessera::router
