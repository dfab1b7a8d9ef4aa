#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::config {

// Shard rule types, Gaea's names. `kDefault` means "unsharded, lives on default_slice".
enum class ShardRuleType {
  kDefault,
  kGlobal,
  kLinked,
  kHash,
  kMod,
  kRange,
  kDateYear,
  kDateMonth,
  kDateDay,
  kMycatMod,
  kMycatLong,
  kMycatString,
  kMycatMurmur,
  kMycatPaddingMod,
};

std::optional<ShardRuleType> parse_shard_rule_type(std::string_view name);
std::string_view to_string(ShardRuleType type);
// Comma-separated list of every accepted type name, for error messages.
std::string_view shard_rule_type_names();

// One entry of a namespace's `shard_rules`, kept with Gaea's field names. Semantics (what a
// location list or a mycat parameter means) belong to the router; config checks only the shape.
// The mycat parameters stay text because Gaea writes them as strings and some are lists
// (`partition_count = "2,1"`, `hash_slice = "0:2"`); numbers in the JSON are accepted too.
struct ShardRuleConfig {
  std::string db;
  std::string table;
  ShardRuleType type = ShardRuleType::kDefault;
  std::string key;                      // sharding column
  std::vector<int> locations;           // tables per slice, parallel to `slices`
  std::vector<std::string> slices;      // slice names
  std::vector<std::string> date_range;  // date_* rules
  int table_row_limit = 0;              // range rule
  std::string parent_table;             // linked rule
  std::vector<std::string> databases;   // physical database per location (optional)
  std::string partition_count;          // mycat_long / mycat_string
  std::string partition_length;
  std::string hash_slice;            // mycat_string
  std::string seed;                  // mycat_murmur
  std::string virtual_bucket_times;  // mycat_murmur
  std::string pad_from;              // mycat_padding_mod
  std::string pad_length;
  std::string mod_begin;
  std::string mod_end;
  // Our extension (mycat_string): the key column's collation. When set, the key is hashed in
  // the form the collation compares ('Dave ', 'dave' -> 'DAVE'), so keys the server calls
  // equal land on one shard. Empty: Gaea's placement, the key's bytes as written.
  std::string key_collation;
};

}  // namespace tessera::config
