#include "router/shard_functions/mycat_murmur_function.h"

#include <string>

#include <fmt/format.h>

#include "router/shard_functions/key_conversion.h"
#include "router/shard_functions/murmur3.h"

namespace tessera::router {

MycatMurmurFunction::MycatMurmurFunction(int32_t seed, int virtual_bucket_times, int table_count)
    : seed_(seed), virtual_bucket_times_(virtual_bucket_times), count_(table_count) {
  for (int i = 0; i < count_; ++i) {
    std::string point = "SHARD-" + std::to_string(i);
    for (int n = 0; n < virtual_bucket_times_; ++n) {
      point += "-NODE-" + std::to_string(n);
      ring_.insert_or_assign(murmur3_32_chars(point, seed_), i);
    }
  }
}

ShardResult<int> MycatMurmurFunction::find(const ShardValue& value) const {
  auto text = text_key(value, "mycat_murmur");
  if (auto* e = std::get_if<ShardError>(&text)) return std::move(*e);
  if (ring_.empty()) return key_error("mycat_murmur", "no tables");
  auto it = ring_.lower_bound(murmur3_32_chars(std::get<std::string>(text), seed_));
  if (it == ring_.end()) it = ring_.begin();
  return it->second;
}

std::string MycatMurmurFunction::signature() const {
  return fmt::format("mycat_murmur/{}/{}/{}", seed_, virtual_bucket_times_, count_);
}

}  // namespace tessera::router
