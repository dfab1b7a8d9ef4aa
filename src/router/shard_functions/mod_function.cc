#include "router/shard_functions/mod_function.h"

#include <cstdint>

#include <fmt/format.h>

#include "router/shard_functions/key_conversion.h"

namespace tessera::router {

ShardResult<int> ModFunction::find(const ShardValue& value) const {
  auto n = number_key(value, name_);
  if (auto* e = std::get_if<ShardError>(&n)) return std::move(*e);
  int64_t v = std::get<int64_t>(n);
  // Gaea's hack.Abs leaves INT64_MIN negative and the index then falls outside every table.
  if (v == INT64_MIN) return key_error(name_, fmt::format("{} is out of range", v));
  return static_cast<int>((v < 0 ? -v : v) % count_);
}

std::string ModFunction::signature() const {
  return fmt::format("{}/{}", name_, count_);
}

}  // namespace tessera::router
