#include "config/shard_rule_config.h"

#include <array>
#include <utility>

namespace tessera::config {

namespace {

constexpr std::array<std::pair<ShardRuleType, std::string_view>, 14> kNames{{
    {ShardRuleType::kDefault, "default"},
    {ShardRuleType::kGlobal, "global"},
    {ShardRuleType::kLinked, "linked"},
    {ShardRuleType::kHash, "hash"},
    {ShardRuleType::kMod, "mod"},
    {ShardRuleType::kRange, "range"},
    {ShardRuleType::kDateYear, "date_year"},
    {ShardRuleType::kDateMonth, "date_month"},
    {ShardRuleType::kDateDay, "date_day"},
    {ShardRuleType::kMycatMod, "mycat_mod"},
    {ShardRuleType::kMycatLong, "mycat_long"},
    {ShardRuleType::kMycatString, "mycat_string"},
    {ShardRuleType::kMycatMurmur, "mycat_murmur"},
    {ShardRuleType::kMycatPaddingMod, "mycat_padding_mod"},
}};

}  // namespace

std::optional<ShardRuleType> parse_shard_rule_type(std::string_view name) {
  for (const auto& [type, text] : kNames) {
    if (text == name) return type;
  }
  return std::nullopt;
}

std::string_view to_string(ShardRuleType type) {
  for (const auto& [t, text] : kNames) {
    if (t == type) return text;
  }
  return "unknown";
}

std::string_view shard_rule_type_names() {
  return "default, global, linked, hash, mod, range, date_year, date_month, date_day, "
         "mycat_mod, mycat_long, mycat_string, mycat_murmur, mycat_padding_mod";
}

}  // namespace tessera::config
