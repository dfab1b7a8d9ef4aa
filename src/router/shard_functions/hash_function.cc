#include "router/shard_functions/hash_function.h"

#include <fmt/format.h>

#include "router/shard_functions/key_conversion.h"

namespace tessera::router {

ShardResult<int> HashFunction::find(const ShardValue& value) const {
  auto h = hash_key(value);
  if (auto* e = std::get_if<ShardError>(&h)) return std::move(*e);
  return static_cast<int>(std::get<uint64_t>(h) % static_cast<uint64_t>(count_));
}

std::string HashFunction::signature() const {
  return fmt::format("hash/{}", count_);
}

}  // namespace tessera::router
