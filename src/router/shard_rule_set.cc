#include <fmt/format.h>

#include <algorithm>

#include "config/config_error.h"
#include "router/shard_rule.h"
#include "router/shard_text.h"
#include "sql/ascii_case.h"

namespace tessera::router {

namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

std::string rule_key(std::string_view db, std::string_view table) {
  std::string key = ascii_lower(db);
  key += '\0';
  key += ascii_lower(table);
  return key;
}

}  // namespace

std::shared_ptr<const ShardRuleSet> ShardRuleSet::build(const config::Namespace& ns) {
  const std::string& src = ns.source_name;
  if (ns.default_slice.empty()) {
    throw config::ConfigError(src, "default_slice", "must name one of the slices");
  }
  if (!ns.find_slice(ns.default_slice)) {
    throw config::ConfigError(src, "default_slice",
                              fmt::format("unknown slice \"{}\"", ns.default_slice));
  }
  auto set = std::make_shared<ShardRuleSet>();
  set->default_slice_ = ns.default_slice;
  set->schema_ = std::make_shared<SchemaStore>(ns.schema_refresh);
  for (const auto& [logical, physical] : ns.default_phy_dbs) {
    set->phy_dbs_[ascii_lower(logical)] = physical;
  }

  // Duplicates first, so "duplicate" wins over whatever else is wrong with the second copy.
  std::unordered_map<std::string, size_t> first_index;
  for (size_t i = 0; i < ns.shard_rules.size(); ++i) {
    const auto& cfg = ns.shard_rules[i];
    if (cfg.db.empty() || cfg.table.empty()) continue;  // ShardRule::build reports it
    auto [it, inserted] = first_index.emplace(rule_key(cfg.db, cfg.table), i);
    if (!inserted) {
      throw config::ConfigError(src, fmt::format("shard_rules[{}].table", i),
                                fmt::format("duplicate rule for {}.{} (shard_rules[{}] already "
                                            "has it; names compare case-insensitively)",
                                            cfg.db, cfg.table, it->second));
    }
  }

  // Linked rules after the others, so a child may come before its parent in the file.
  std::vector<std::shared_ptr<const ShardRule>> built(ns.shard_rules.size());
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < ns.shard_rules.size(); ++i) {
      const auto& cfg = ns.shard_rules[i];
      bool linked = cfg.type == config::ShardRuleType::kLinked;
      if (linked != (pass == 1)) continue;
      const ShardRule* parent = nullptr;
      if (linked) {
        auto it = set->rules_.find(rule_key(cfg.db, cfg.parent_table));
        if (it != set->rules_.end()) parent = it->second.get();
        // A parent that is itself linked is not in rules_ yet; find it to say so.
        if (!parent) {
          auto f = first_index.find(rule_key(cfg.db, cfg.parent_table));
          if (f != first_index.end() &&
              ns.shard_rules[f->second].type == config::ShardRuleType::kLinked) {
            throw config::ConfigError(
                src, fmt::format("shard_rules[{}].parent_table", i),
                fmt::format("{}.{} is itself linked (to {}); link to the table that owns the "
                            "rule",
                            cfg.db, cfg.parent_table, ns.shard_rules[f->second].parent_table));
          }
        }
      }
      auto rule = ShardRule::build(cfg, ns, parent, src, i);
      set->rules_.emplace(rule_key(cfg.db, cfg.table), rule);
      built[i] = std::move(rule);
    }
  }

  std::unordered_map<std::string, bool> seen_db;
  for (auto& rule : built) {
    if (seen_db.emplace(ascii_lower(rule->db()), true).second) {
      set->sharded_dbs_.push_back(rule->db());
    }
    std::string name = ascii_lower(rule->table());
    if (name.find_first_of("`\"'") != std::string::npos) set->names_searchable_ = false;
    if (std::find(set->table_names_.begin(), set->table_names_.end(), name) ==
            set->table_names_.end() &&
        !name.empty()) {
      // Either case of its first byte may start it (ascii_lower folded ASCII letters only).
      const auto first = static_cast<uint8_t>(name[0]);
      set->name_starts_[first] = true;
      if (first >= 'a' && first <= 'z') set->name_starts_[first - 32] = true;
      set->shortest_name_ = std::min(set->shortest_name_, name.size());
      set->table_names_.push_back(std::move(name));
    }
    set->ordered_.push_back(std::move(rule));
  }
  // A text that holds a name holds every name that name contains: only the others are sought.
  std::vector<std::string> sought;
  for (const auto& name : set->table_names_) {
    const bool holds_another = std::any_of(
        set->table_names_.begin(), set->table_names_.end(), [&](const std::string& other) {
          return &other != &name && name.find(other) != std::string::npos;
        });
    if (!holds_another) sought.push_back(name);
  }
  set->table_names_ = std::move(sought);
  return set;
}

bool ShardRuleSet::may_be_named_in(std::string_view text) const {
  if (!names_searchable_) return true;
  // One pass over the text (it runs for every statement): only where a name may start are the
  // names compared.
  for (size_t i = 0; i + shortest_name_ <= text.size(); ++i) {
    if (!name_starts_[static_cast<uint8_t>(text[i])]) continue;
    for (const auto& name : table_names_) {
      // (The last byte first: names of one prefix are common, "tbl_a", "tbl_b".)
      if (i + name.size() <= text.size() && lower(text[i + name.size() - 1]) == name.back() &&
          sql::iequals(text.substr(i, name.size()), name))
        return true;
    }
  }
  return false;
}

const ShardRule* ShardRuleSet::find(std::string_view db, std::string_view table) const {
  auto it = rules_.find(rule_key(db, table));
  return it == rules_.end() ? nullptr : it->second.get();
}

std::string_view ShardRuleSet::physical_db(std::string_view logical_db) const {
  auto it = phy_dbs_.find(ascii_lower(logical_db));
  return it == phy_dbs_.end() ? logical_db : std::string_view(it->second);
}

}  // namespace tessera::router
