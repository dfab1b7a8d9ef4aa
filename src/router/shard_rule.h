// Runtime shard rules: a namespace's `shard_rules` turned into lookup tables the planner uses.
// Built once per config snapshot; immutable afterwards, so workers share it without locks.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/namespace_config.h"
#include "router/schema_catalog.h"
#include "router/shard_function.h"

namespace tessera::router {

// One physical table a logical table maps to.
struct SubTable {
  int index = 0;      // sub-table index: what the shard function returns
  std::string slice;  // slice name
  // Physical database: `databases[index]` for mycat rules (and global rules that list
  // databases); otherwise the rule's db as configured (Gaea leaves kingshard dbs as written).
  std::string db;
  // Physical table name: `tbl_ks_0000` for kingshard rules (`tbl_2014`, `tbl_201405`,
  // `tbl_20140901` for date rules: the suffix is the date, not a position), the logical name
  // for mycat and global rules.
  std::string table;
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
  // The sub-table at `index`, or null when out of range.
  const SubTable* sub_table(int index) const;
  // Null for global rules (every sub-table holds every row).
  const ShardFunction* function() const { return function_.get(); }
  // function()->find(value) and sub_table() in one step; ShardError for global rules.
  ShardResult<const SubTable*> route(const ShardValue& value) const;
  // True when sub-tables are `<table>_<suffix>` (kingshard rules and rules linked to them);
  // false when they keep the logical table name (mycat and global rules).
  bool renames_tables() const { return renames_tables_; }
  // True when sub-tables live in databases other than the rule's db (mycat rules, global rules
  // with `databases`).
  bool maps_databases() const { return maps_databases_; }

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
  // Per sub-table: the number after `<table>_` (index, or the date for date rules); a linked
  // rule copies them to name its own tables.
  std::vector<int> table_numbers_;
  bool renames_tables_ = false;
  bool maps_databases_ = false;
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
  // False only when no rule's table can be named in `text`: none of their names occurs in it,
  // ASCII case folded, anywhere (the planner finds a table by its name's bytes, ASCII case
  // folded, so a statement naming one always holds those bytes). Lets a statement over other
  // tables skip parsing; true whenever unsure (a name holding a quote character, which the
  // text would double).
  bool may_be_named_in(std::string_view text) const;
  // The columns of the rules' tables as learned from the backends (schema_catalog.h): the one
  // part of a rule set that changes after it is built, a store of immutable snapshots shared
  // by every worker, which a configuration reload starts afresh with the new rules.
  SchemaStore& schema() const { return *schema_; }

 private:
  // Key: lower-case db, '\0', lower-case table (names may contain dots).
  std::unordered_map<std::string, std::shared_ptr<const ShardRule>> rules_;
  std::vector<std::shared_ptr<const ShardRule>> ordered_;
  std::unordered_map<std::string, std::string> phy_dbs_;  // lower-case logical db -> physical
  std::vector<std::string> sharded_dbs_;
  std::string default_slice_;
  std::vector<std::string> table_names_;  // distinct, lower case
  bool names_searchable_ = true;          // no name holds a quote character
  std::array<bool, 256> name_starts_{};   // bytes a name may start with (either case)
  size_t shortest_name_ = SIZE_MAX;
  std::shared_ptr<SchemaStore> schema_ = std::make_shared<SchemaStore>();
};

}  // namespace tessera::router
