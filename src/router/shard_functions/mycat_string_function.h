// Mycat `mycat_string` (PartitionByString): Java's String.hashCode (h = 31 * h + c, here in
// 64-bit arithmetic as Gaea does) over a slice of the key's characters, low 10 bits pick a slot
// of the partition layout. `hash_slice` picks the characters, Python-like:
//   "2" -> [0, 2)   "1:2" -> [1, 2)   "-2:" -> last two   ":-1" -> all but the last   ":" -> all
// An end of 0 means "to the end". Compatibility quirk kept from Gaea: negative offsets count
// back from the key's length in UTF-8 bytes while the hash walks code points, so they differ
// from Mycat for non-ASCII keys.
#pragma once

#include <optional>

#include "router/key_collation.h"
#include "router/shard_function.h"
#include "router/shard_functions/mycat_partition.h"

namespace tessera::router {

struct HashSlice {
  int start = 0;
  int end = 0;
};

// Throws ShardParamError naming `hash_slice`.
HashSlice parse_hash_slice(std::string_view text);

class MycatStringFunction final : public ShardFunction {
 public:
  // `collation` (the rule's key_collation, our extension): hash the key as the column's
  // collation compares it instead of as written (Gaea).
  MycatStringFunction(MycatPartition partition, int table_count, HashSlice slice,
                      std::optional<KeyCollation> collation = std::nullopt)
      : partition_(std::move(partition)),
        count_(table_count),
        slice_(slice),
        collation_(std::move(collation)) {}
  int table_count() const override { return count_; }
  ShardResult<int> find(const ShardValue& value) const override;
  std::string signature() const override;

 private:
  MycatPartition partition_;
  int count_;
  HashSlice slice_;
  std::optional<KeyCollation> collation_;
};

}  // namespace tessera::router
