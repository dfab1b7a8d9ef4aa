// statement_writer_key (router/writer_pinning.h): which table a statement writes, by the
// planner's own table scan, over a rule set that knows no rules (only names are wanted).
#include "config/namespace_config.h"
#include "router/planner/table_scan.h"
#include "router/shard_rule.h"
#include "router/writer_pinning.h"
#include "sql/parser.h"

namespace tessera::router {

std::string statement_writer_key(const sql::ParseResult& parsed, std::string_view db) {
  if (!parsed.ok()) return writer_key(db, "");
  // A rule set over a namespace of one placeholder slice (ShardRuleSet refuses a namespace
  // without a default slice).
  static const auto no_rules = [] {
    // (built from a std::string: GCC 12 warns -Wrestrict, wrongly, on a literal assigned here)
    const std::string slice(1, '-');
    config::Namespace ns;
    ns.default_slice = slice;
    ns.slices.emplace_back().name = slice;
    return ShardRuleSet::build(ns);
  }();
  auto scan = scan_tables(*parsed.statement, *no_rules, db);
  // The first table named outside subqueries (the target of INSERT/UPDATE/DELETE).
  for (const auto& use : scan.uses) {
    if (use.in_subquery || !use.name) continue;
    return writer_key(use.db, use.name->name.name);
  }
  return writer_key(db, "");
}

}  // namespace tessera::router
