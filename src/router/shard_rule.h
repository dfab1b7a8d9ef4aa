// Runtime shard rules: a namespace's `shard_rules` turned into lookup tables the planner uses.
// Built once per config snapshot; immutable afterwards, so workers share it without locks.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/namespace_config.h"
#include "router/shard_function.h"

namespace tessera::router {

// One physical table a logical table maps to.
struct SubTable {
  int index = 0;      // sub-table index: what the shard function returns
  std::string slice;  // slice name
  std::string db;     // physical database
  std::string table;  // physical table name (`tbl_ks_0000`, or the logical name for mycat rules)
};

class ShardRule {
 public:
  const std::string& db() const { return db_; }
  const std::string& table() const { return table_; }
  config::ShardRuleType type() const { return type_; }
  const std::string& key() const { return key_; }  // sharding column (lower-case); empty for global
  bool is_global() const { return type_ == config::ShardRuleType::kGlobal; }
  bool is_linked() const { return type_ == config::ShardRuleType::kLinked; }
  const std::string& parent_table() const { return parent_table_; }  // linked rules only
  // Identity of the distribution: two rules with the same token place equal keys on the same
  // sub-table index and slice (same function, same locations). A linked rule has its parent's.
  const std::string& distribution_token() const { return distribution_token_; }

  // Every physical table, ordered by index.
  const std::vector<SubTable>& sub_tables() const { return sub_tables_; }
  // Null for global rules (every sub-table holds every row).
  const ShardFunction* function() const { return function_.get(); }

  // Builds a rule; `parent` is required for linked rules. Throws config::ConfigError naming
  // `source`, the rule's index and the problem.
  static std::shared_ptr<const ShardRule> build(const config::ShardRuleConfig& cfg,
                                                const config::Namespace& ns,
                                                const ShardRule* parent, std::string_view source,
                                                size_t rule_index);

 private:
  std::string db_, table_, key_, parent_table_, distribution_token_;
  config::ShardRuleType type_ = config::ShardRuleType::kDefault;
  std::vector<SubTable> sub_tables_;
  std::shared_ptr<const ShardFunction> function_;
};

// All rules of one namespace, looked up by (db, table) case-insensitively.
class ShardRuleSet {
 public:
  // Throws config::ConfigError on an invalid rule (unknown slice, bad locations, bad
  // date_range, linked rule whose parent is missing or itself linked, duplicate table...).
  static std::shared_ptr<const ShardRuleSet> build(const config::Namespace& ns);

  const ShardRule* find(std::string_view db, std::string_view table) const;
  bool empty() const { return rules_.empty(); }
  const std::string& default_slice() const { return default_slice_; }
  // Logical db -> physical db on the default slice (`default_phy_dbs`); identity when absent.
  std::string_view physical_db(std::string_view logical_db) const;
  // Every logical db that has at least one rule.
  const std::vector<std::string>& sharded_dbs() const { return sharded_dbs_; }
  const std::vector<std::shared_ptr<const ShardRule>>& rules() const { return ordered_; }

 private:
  std::unordered_map<std::string, std::shared_ptr<const ShardRule>> rules_;  // "db.table" lower
  std::vector<std::shared_ptr<const ShardRule>> ordered_;
  std::unordered_map<std::string, std::string> phy_dbs_;
  std::vector<std::string> sharded_dbs_;
  std::string default_slice_;
};

}  // namespace tessera::router
