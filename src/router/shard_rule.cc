#include "router/shard_rule.h"

#include <fmt/format.h>

#include "config/config_error.h"
#include "router/shard_functions/key_conversion.h"
#include "router/shard_functions/shard_function_factory.h"
#include "router/shard_functions/shard_param.h"
#include "router/shard_placement.h"
#include "router/shard_text.h"

namespace tessera::router {

namespace {

using config::ShardRuleType;

bool is_mycat(ShardRuleType t) {
  return t == ShardRuleType::kMycatMod || t == ShardRuleType::kMycatLong ||
         t == ShardRuleType::kMycatString || t == ShardRuleType::kMycatMurmur ||
         t == ShardRuleType::kMycatPaddingMod;
}

bool is_date(ShardRuleType t) {
  return t == ShardRuleType::kDateYear || t == ShardRuleType::kDateMonth ||
         t == ShardRuleType::kDateDay;
}

DateUnit date_unit(ShardRuleType t) {
  if (t == ShardRuleType::kDateYear) return DateUnit::kYear;
  if (t == ShardRuleType::kDateMonth) return DateUnit::kMonth;
  return DateUnit::kDay;
}

std::string suffixed(const std::string& table, int number) {
  return fmt::format("{}_{:04d}", table, number);
}

}  // namespace

const SubTable* ShardRule::sub_table(int index) const {
  if (index < 0 || static_cast<size_t>(index) >= sub_tables_.size()) return nullptr;
  return &sub_tables_[static_cast<size_t>(index)];
}

ShardResult<const SubTable*> ShardRule::route(const ShardValue& value) const {
  if (!function_) {
    return ShardError{
        fmt::format("{}.{} is a global table: every slice holds every row", db_, table_)};
  }
  auto index = function_->find(value);
  if (auto* e = std::get_if<ShardError>(&index)) return std::move(*e);
  const SubTable* sub = sub_table(std::get<int>(index));
  if (!sub)
    return ShardError{fmt::format("{}.{}: no sub-table {}", db_, table_, std::get<int>(index))};
  return sub;
}

std::shared_ptr<const ShardRule> ShardRule::build(const config::ShardRuleConfig& cfg,
                                                  const config::Namespace& ns,
                                                  const ShardRule* parent, std::string_view source,
                                                  size_t rule_index) {
  auto fail = [&](std::string_view field, std::string problem) {
    return config::ConfigError(std::string(source),
                               fmt::format("shard_rules[{}].{}", rule_index, field),
                               std::move(problem));
  };
  auto rule = std::make_shared<ShardRule>();
  rule->db_ = cfg.db;
  rule->table_ = cfg.table;
  rule->type_ = cfg.type;
  rule->key_ = ascii_lower(cfg.key);
  if (cfg.db.empty()) throw fail("db", "must not be empty");
  if (cfg.table.empty()) throw fail("table", "must not be empty");

  switch (cfg.type) {
    case ShardRuleType::kDefault:
      throw fail("type",
                 "\"default\" cannot be a shard rule: tables without a rule already live on "
                 "default_slice");
    case ShardRuleType::kLinked: {
      if (cfg.parent_table.empty()) throw fail("parent_table", "a linked rule needs its parent");
      if (cfg.key.empty()) {
        throw fail("key",
                   "a linked rule needs its own sharding column (the one matching the "
                   "parent's key)");
      }
      std::string parent_name = fmt::format("{}.{}", cfg.db, cfg.parent_table);
      if (!parent) throw fail("parent_table", fmt::format("no shard rule for {}", parent_name));
      if (parent->is_linked()) {
        throw fail("parent_table",
                   fmt::format("{} is itself linked (to {}); link to the table that owns the "
                               "rule",
                               parent_name, parent->parent_table()));
      }
      if (parent->is_global()) {
        throw fail("parent_table",
                   fmt::format("{} is a global table; a linked table must follow a sharded one",
                               parent_name));
      }
      // Gaea's LinkedRule: the parent's function, slices and databases, its own table name.
      rule->parent_table_ = parent->table_;
      rule->function_ = parent->function_;
      rule->distribution_token_ = parent->distribution_token_;
      rule->table_numbers_ = parent->table_numbers_;
      rule->renames_tables_ = parent->renames_tables_;
      rule->maps_databases_ = parent->maps_databases_;
      rule->sub_tables_ = parent->sub_tables_;
      for (size_t i = 0; i < rule->sub_tables_.size(); ++i) {
        SubTable& sub = rule->sub_tables_[i];
        sub.table =
            rule->renames_tables_ ? suffixed(cfg.table, rule->table_numbers_[i]) : cfg.table;
        if (!rule->maps_databases_) sub.db = cfg.db;
      }
      return rule;
    }
    default:
      break;
  }

  // Global rules: Gaea maps index i to the i-th slice of the *namespace* (it replaces the
  // rule's slices with the namespace's list), which only agrees with the rule when both list
  // slices in the same order. We use the rule's own slices; the Gaea-documented layout
  // (locations [1,1,1] over every slice in order) comes out the same.
  bool global = cfg.type == ShardRuleType::kGlobal;
  if (!global && cfg.key.empty()) {
    throw fail("key",
               fmt::format("a {} rule needs a sharding key column", config::to_string(cfg.type)));
  }
  Placement placement;
  std::vector<std::string> databases;
  try {
    placement = is_date(cfg.type) ? date_placement(cfg, ns, date_unit(cfg.type))
                                  : locations_placement(cfg, ns);
    int count = static_cast<int>(placement.slice_of_table.size());
    if (is_mycat(cfg.type) || (global && !cfg.databases.empty())) {
      databases = expand_databases(cfg.databases);
      if (databases.size() != placement.slice_of_table.size()) {
        throw ShardParamError{
            "databases",
            fmt::format("names {} databases but locations add up to {} tables; a {} rule needs "
                        "one database per table",
                        databases.size(), count, config::to_string(cfg.type))};
      }
    }
    rule->function_ = make_shard_function(cfg, count, placement.dates);
  } catch (const ShardParamError& e) {
    throw fail(e.field, e.problem);
  }

  // Gaea names kingshard tables `<table>_%04d` of the index, or of the date for date rules.
  rule->renames_tables_ = !global && !is_mycat(cfg.type);
  rule->maps_databases_ = !databases.empty();
  std::string slices_text;
  for (size_t i = 0; i < placement.slice_of_table.size(); ++i) {
    int number = is_date(cfg.type) ? placement.dates[i] : static_cast<int>(i);
    SubTable sub;
    sub.index = static_cast<int>(i);
    sub.slice = cfg.slices[static_cast<size_t>(placement.slice_of_table[i])];
    sub.db = databases.empty() ? cfg.db : databases[i];
    sub.table = rule->renames_tables_ ? suffixed(cfg.table, number) : cfg.table;
    rule->table_numbers_.push_back(number);
    rule->sub_tables_.push_back(std::move(sub));
    slices_text += (i ? "," : "") + rule->sub_tables_.back().slice;
  }
  // Equal tokens: equal keys meet on the same index and slice. The rule type is part of it
  // because `mod` and `mycat_mod` compute alike but lay tables out differently.
  std::string function_text = rule->function_ ? rule->function_->signature() : "global";
  rule->distribution_token_ =
      fmt::format("{}|{}|{}", config::to_string(cfg.type), function_text, slices_text);
  return rule;
}

}  // namespace tessera::router
