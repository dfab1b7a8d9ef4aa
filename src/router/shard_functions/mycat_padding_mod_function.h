// Mycat `mycat_padding_mod` (Xiaomi's PartitionByPaddingMod): the key as a decimal integer is
// padded with zeros to `pad_length` characters (`pad_from` 0: on the left, refused for negative
// keys; 1: on the right) or cut to its first `pad_length` characters when longer; the digits
// [mod_begin, mod_end) of that text, as an integer, modulo the table count pick the table.
// Example (defaults 1/18/10/16): 1000000000000003 -> "100000000000000300" -> "000003" -> 3.
#pragma once

#include "router/shard_function.h"

namespace tessera::router {

struct PaddingModParams {
  int pad_from = 1;  // 0 = left, 1 = right
  int pad_length = 18;
  int mod_begin = 10;
  int mod_end = 16;
};

class MycatPaddingModFunction final : public ShardFunction {
 public:
  MycatPaddingModFunction(PaddingModParams params, int table_count)
      : p_(params), count_(table_count) {}
  int table_count() const override { return count_; }
  ShardResult<int> find(const ShardValue& value) const override;
  std::string signature() const override;
  bool reads_integers() const override { return true; }

 private:
  PaddingModParams p_;
  int count_;
};

}  // namespace tessera::router
