#include "router/shard_functions/mycat_long_function.h"

#include <fmt/format.h>

#include "router/shard_functions/key_conversion.h"

namespace tessera::router {

ShardResult<int> MycatLongFunction::find(const ShardValue& value) const {
  auto n = number_key(value, "mycat_long");
  if (auto* e = std::get_if<ShardError>(&n)) return std::move(*e);
  auto slot = static_cast<uint64_t>(std::get<int64_t>(n)) & (kMycatPartitionSlots - 1);
  return partition_.table_of_slot[slot];
}

std::string MycatLongFunction::signature() const {
  return fmt::format("mycat_long/{}", partition_.boundaries);
}

}  // namespace tessera::router
