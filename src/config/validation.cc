#include "config/validation.h"

#include <map>
#include <set>
#include <string>

#include <fmt/format.h>

#include "config/config_error.h"

namespace tessera::config {

namespace {

std::string at(std::string_view list, size_t i, std::string_view field) {
  return fmt::format("{}[{}].{}", list, i, field);
}

bool is_sharded(ShardRuleType t) {
  return t != ShardRuleType::kDefault && t != ShardRuleType::kGlobal && t != ShardRuleType::kLinked;
}

bool is_date(ShardRuleType t) {
  return t == ShardRuleType::kDateYear || t == ShardRuleType::kDateMonth ||
         t == ShardRuleType::kDateDay;
}

void validate_slices(const Namespace& ns) {
  const std::string& src = ns.source_name;
  if (ns.slices.empty()) throw ConfigError(src, "slices", "at least one slice is required");
  std::set<std::string, std::less<>> names;
  for (size_t i = 0; i < ns.slices.size(); ++i) {
    const Slice& s = ns.slices[i];
    if (s.name.empty()) throw ConfigError(src, at("slices", i, "name"), "must not be empty");
    if (!names.insert(s.name).second) {
      throw ConfigError(src, at("slices", i, "name"),
                        fmt::format("duplicate slice name \"{}\"", s.name));
    }
    if (s.user_name.empty()) {
      throw ConfigError(src, at("slices", i, "user_name"),
                        "must not be empty (the backend account)");
    }
    if (s.capacity <= 0) {
      throw ConfigError(src, at("slices", i, "capacity"),
                        fmt::format("{} must be greater than 0", s.capacity));
    }
    if (s.max_capacity < s.capacity) {
      throw ConfigError(src, at("slices", i, "max_capacity"),
                        fmt::format("{} is less than capacity {}", s.max_capacity, s.capacity));
    }
  }
}

void validate_users(const Namespace& ns) {
  const std::string& src = ns.source_name;
  std::set<std::string, std::less<>> names;
  for (size_t i = 0; i < ns.users.size(); ++i) {
    const User& u = ns.users[i];
    if (u.user_name.empty()) {
      throw ConfigError(src, at("users", i, "user_name"), "must not be empty");
    }
    if (!names.insert(u.user_name).second) {
      throw ConfigError(src, at("users", i, "user_name"),
                        fmt::format("duplicate user \"{}\"", u.user_name));
    }
    if (u.namespace_name != ns.name) {
      throw ConfigError(src, at("users", i, "namespace"),
                        fmt::format("\"{}\" does not match the namespace name \"{}\"",
                                    u.namespace_name, ns.name));
    }
    if (u.rw_flag != RwFlag::kReadOnly && u.rw_flag != RwFlag::kReadWrite) {
      throw ConfigError(src, at("users", i, "rw_flag"), "must be 1 or 2");
    }
  }
}

void validate_shard_rules(const Namespace& ns) {
  const std::string& src = ns.source_name;
  std::set<std::pair<std::string, std::string>> tables;
  for (size_t i = 0; i < ns.shard_rules.size(); ++i) {
    const ShardRuleConfig& r = ns.shard_rules[i];
    auto field = [&](std::string_view f) { return at("shard_rules", i, f); };
    if (r.db.empty()) throw ConfigError(src, field("db"), "must not be empty");
    if (r.table.empty()) throw ConfigError(src, field("table"), "must not be empty");
    if (!tables.emplace(r.db, r.table).second) {
      throw ConfigError(src, field("table"),
                        fmt::format("duplicate rule for {}.{}", r.db, r.table));
    }
    if (r.type == ShardRuleType::kLinked) {
      if (r.parent_table.empty()) {
        throw ConfigError(src, field("parent_table"), "a linked rule needs its parent table");
      }
      continue;
    }
    if (is_sharded(r.type) && r.key.empty()) {
      throw ConfigError(src, field("key"),
                        fmt::format("a {} rule needs a sharding key column", to_string(r.type)));
    }
    if (r.type != ShardRuleType::kDefault && r.slices.empty()) {
      throw ConfigError(src, field("slices"), "must list at least one slice");
    }
    // Date rules place one date_range entry per slice; Gaea ignores their locations.
    if (is_sharded(r.type) && !is_date(r.type) && r.locations.size() != r.slices.size()) {
      throw ConfigError(src, field("locations"),
                        fmt::format("has {} entries but slices has {}; they must match",
                                    r.locations.size(), r.slices.size()));
    }
    for (size_t k = 0; k < r.locations.size(); ++k) {
      if (r.locations[k] < 0) {
        throw ConfigError(src, fmt::format("shard_rules[{}].locations[{}]", i, k),
                          "must not be negative");
      }
    }
    for (size_t k = 0; k < r.slices.size(); ++k) {
      if (!ns.find_slice(r.slices[k])) {
        throw ConfigError(src, fmt::format("shard_rules[{}].slices[{}]", i, k),
                          fmt::format("unknown slice \"{}\"", r.slices[k]));
      }
    }
    if (is_date(r.type) && r.date_range.empty()) {
      throw ConfigError(src, field("date_range"),
                        fmt::format("a {} rule needs date_range", to_string(r.type)));
    }
    if (r.type == ShardRuleType::kRange && r.table_row_limit <= 0) {
      throw ConfigError(src, field("table_row_limit"), "a range rule needs a positive limit");
    }
  }
  for (size_t i = 0; i < ns.shard_rules.size(); ++i) {
    const ShardRuleConfig& r = ns.shard_rules[i];
    if (r.type == ShardRuleType::kLinked && !tables.count({r.db, r.parent_table})) {
      throw ConfigError(src, at("shard_rules", i, "parent_table"),
                        fmt::format("no shard rule for parent table {}.{}", r.db, r.parent_table));
    }
  }
}

}  // namespace

void validate_namespace(const Namespace& ns) {
  const std::string& src = ns.source_name;
  if (ns.name.empty()) throw ConfigError(src, "name", "must not be empty");
  validate_slices(ns);
  if (ns.default_slice.empty()) {
    throw ConfigError(src, "default_slice", "must name one of the slices");
  }
  if (!ns.find_slice(ns.default_slice)) {
    throw ConfigError(src, "default_slice", fmt::format("unknown slice \"{}\"", ns.default_slice));
  }
  validate_users(ns);
  validate_shard_rules(ns);
  for (size_t i = 0; i < ns.global_sequences.size(); ++i) {
    const auto& g = ns.global_sequences[i];
    if (!g.slice_name.empty() && !ns.find_slice(g.slice_name)) {
      throw ConfigError(src, at("global_sequences", i, "slice_name"),
                        fmt::format("unknown slice \"{}\"", g.slice_name));
    }
  }
}

void validate_namespaces(const std::vector<Namespace>& namespaces) {
  std::map<std::string, const Namespace*, std::less<>> by_name;
  std::map<std::string, const Namespace*, std::less<>> user_owner;
  const Namespace* backend_accounts = nullptr;
  for (const auto& ns : namespaces) {
    if (ns.backend_accounts) {
      // Logins in no namespace's users[] go to it: two would leave the choice to chance.
      if (backend_accounts) {
        throw ConfigError(ns.source_name, "backend_accounts",
                          fmt::format("namespace \"{}\" ({}) has backend_accounts already; only "
                                      "one namespace may take the backends' own accounts",
                                      backend_accounts->name, backend_accounts->source_name));
      }
      backend_accounts = &ns;
    }
    auto [it, inserted] = by_name.emplace(ns.name, &ns);
    if (!inserted) {
      throw ConfigError(
          ns.source_name, "name",
          fmt::format("namespace \"{}\" is also defined in {}", ns.name, it->second->source_name));
    }
    for (size_t i = 0; i < ns.users.size(); ++i) {
      const auto& user = ns.users[i];
      auto [owner, fresh] = user_owner.emplace(user.user_name, &ns);
      if (!fresh) {
        throw ConfigError(
            ns.source_name, at("users", i, "user_name"),
            fmt::format("user \"{}\" is also in namespace \"{}\" ({}); a user name may belong "
                        "to only one namespace",
                        user.user_name, owner->second->name, owner->second->source_name));
      }
    }
  }
}

}  // namespace tessera::config
