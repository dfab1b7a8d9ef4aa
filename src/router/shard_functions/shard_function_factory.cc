#include "router/shard_functions/shard_function_factory.h"

#include <fmt/format.h>

#include "router/shard_functions/date_function.h"
#include "router/shard_functions/hash_function.h"
#include "router/shard_functions/mod_function.h"
#include "router/shard_functions/mycat_long_function.h"
#include "router/shard_functions/mycat_murmur_function.h"
#include "router/shard_functions/mycat_padding_mod_function.h"
#include "router/shard_functions/mycat_string_function.h"
#include "router/shard_functions/range_function.h"
#include "router/shard_functions/shard_param.h"

namespace tessera::router {

namespace {

using config::ShardRuleType;

// Building the ring hashes a string that grows with every point, so this stays modest; Mycat's
// default is 160.
constexpr int kMaxVirtualBucketTimes = 4096;

std::shared_ptr<const ShardFunction> make_murmur(const config::ShardRuleConfig& cfg,
                                                 int table_count) {
  // Gaea truncates the seed to 32 bits like Java's int.
  int seed = param_int(cfg.seed, "seed");
  int times = cfg.virtual_bucket_times.empty()
                  ? 160
                  : param_int(cfg.virtual_bucket_times, "virtual_bucket_times");
  if (times <= 0 || times > kMaxVirtualBucketTimes) {
    throw ShardParamError{"virtual_bucket_times", fmt::format("{} must be between 1 and {}", times,
                                                              kMaxVirtualBucketTimes)};
  }
  return std::make_shared<MycatMurmurFunction>(seed, times, table_count);
}

std::shared_ptr<const ShardFunction> make_padding_mod(const config::ShardRuleConfig& cfg,
                                                      int table_count) {
  PaddingModParams p;
  p.pad_from = param_int(cfg.pad_from, "pad_from");
  p.pad_length = param_int(cfg.pad_length, "pad_length");
  p.mod_begin = param_int(cfg.mod_begin, "mod_begin");
  p.mod_end = param_int(cfg.mod_end, "mod_end");
  if (p.pad_from != 0 && p.pad_from != 1) {
    throw ShardParamError{"pad_from", fmt::format("{} must be 0 (pad on the left) or 1 (pad on "
                                                  "the right)",
                                                  p.pad_from)};
  }
  if (p.pad_length <= 0) {
    throw ShardParamError{"pad_length", fmt::format("{} must be greater than 0", p.pad_length)};
  }
  if (p.mod_begin < 0 || p.mod_begin >= p.mod_end) {
    throw ShardParamError{"mod_begin",
                          fmt::format("[{}, {}) is not a range of digits (need 0 <= mod_begin "
                                      "< mod_end)",
                                      p.mod_begin, p.mod_end)};
  }
  // Gaea only checks pad_length >= mod_end - mod_begin and then fails on every key when
  // mod_end is past the padded text; we refuse the rule instead.
  if (p.mod_end > p.pad_length) {
    throw ShardParamError{"mod_end",
                          fmt::format("{} is past pad_length {}", p.mod_end, p.pad_length)};
  }
  if (table_count < 2) {
    throw ShardParamError{"locations", "a mycat_padding_mod rule needs at least 2 tables"};
  }
  return std::make_shared<MycatPaddingModFunction>(p, table_count);
}

}  // namespace

std::shared_ptr<const ShardFunction> make_shard_function(const config::ShardRuleConfig& cfg,
                                                         int table_count,
                                                         const std::vector<int>& dates) {
  if (!cfg.key_collation.empty() && cfg.type != ShardRuleType::kMycatString)
    throw ShardParamError{"key_collation", "applies to mycat_string rules only"};
  switch (cfg.type) {
    case ShardRuleType::kHash:
      return std::make_shared<HashFunction>(table_count);
    case ShardRuleType::kMod:
      return std::make_shared<ModFunction>(table_count, "mod");
    case ShardRuleType::kMycatMod:
      return std::make_shared<ModFunction>(table_count, "mycat_mod");
    case ShardRuleType::kRange:
      if (cfg.table_row_limit <= 0) {
        throw ShardParamError{
            "table_row_limit",
            fmt::format("{} must be greater than 0 (rows per table)", cfg.table_row_limit)};
      }
      return std::make_shared<RangeFunction>(table_count, cfg.table_row_limit);
    case ShardRuleType::kDateYear:
      return std::make_shared<DateFunction>(DateUnit::kYear, dates);
    case ShardRuleType::kDateMonth:
      return std::make_shared<DateFunction>(DateUnit::kMonth, dates);
    case ShardRuleType::kDateDay:
      return std::make_shared<DateFunction>(DateUnit::kDay, dates);
    case ShardRuleType::kMycatLong:
      return std::make_shared<MycatLongFunction>(
          parse_mycat_partition(cfg.partition_count, cfg.partition_length, table_count),
          table_count);
    case ShardRuleType::kMycatString: {
      std::optional<KeyCollation> collation;
      if (!cfg.key_collation.empty()) {
        collation = KeyCollation::find(cfg.key_collation);
        if (!collation) {
          throw ShardParamError{"key_collation",
                                fmt::format("\"{}\" is not supported (supported: {})",
                                            cfg.key_collation, KeyCollation::supported_names())};
        }
      }
      return std::make_shared<MycatStringFunction>(
          parse_mycat_partition(cfg.partition_count, cfg.partition_length, table_count),
          table_count, parse_hash_slice(cfg.hash_slice), std::move(collation));
    }
    case ShardRuleType::kMycatMurmur:
      return make_murmur(cfg, table_count);
    case ShardRuleType::kMycatPaddingMod:
      return make_padding_mod(cfg, table_count);
    case ShardRuleType::kGlobal:
    case ShardRuleType::kDefault:
    case ShardRuleType::kLinked:
      break;
  }
  return nullptr;
}

}  // namespace tessera::router
