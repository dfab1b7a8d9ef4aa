#include "router/planner/cte_inline.h"

#include "router/planner/name_hooks.h"
#include "sql/writer.h"

namespace tessera::router {

using namespace sql;

namespace {

// The SELECT whose items name a query's columns: the leftmost one of a set operation.
SelectCore* naming_select(QueryBody* b) {
  while (b) {
    switch (b->kind) {
      case QueryBodyKind::Select:
        return static_cast<SelectCore*>(b);
      case QueryBodyKind::SetOp:
        b = static_cast<SetOp*>(b)->left;
        break;
      case QueryBodyKind::Paren: {
        Query* q = static_cast<ParenQuery*>(b)->query;
        b = q ? q->body : nullptr;
        break;
      }
      default:
        return nullptr;
    }
  }
  return nullptr;
}

InlinedCtes refuse(std::string why) {
  InlinedCtes r;
  r.why = std::move(why);
  return r;
}

}  // namespace

InlinedCtes inline_ctes(SelectStatement& s, const TableScan& scan, uint32_t param_count,
                        const std::vector<std::string>* param_literals) {
  With* with = s.query ? s.query->with : nullptr;
  if (!with) return refuse("no WITH");
  if (with->recursive) return refuse("WITH RECURSIVE over several shards is not supported");
  if (scan.with_clauses != 1)
    return refuse("WITH inside a subquery of a statement over several shards is not supported");
  if (param_count > 0 && !param_literals)
    return refuse("WITH over several shards with '?' parameters is not supported");
  const size_t n = with->ctes.size();
  auto index_of = [&](const Cte* c) -> int {
    for (size_t i = 0; i < n; ++i) {
      if (&with->ctes[static_cast<uint32_t>(i)] == c) return static_cast<int>(i);
    }
    return -1;
  };
  std::vector<std::vector<TableName*>> refs(n);
  for (const auto& r : scan.cte_refs) {
    const int i = index_of(r.cte);
    if (i < 0) return refuse("WITH inside a subquery of a statement over several shards");
    if (!r.node) return refuse("TABLE <cte> over several shards is not supported");
    if (!r.node->partitions.empty() || !r.node->hints.empty())
      return refuse("index hints or partitions on a CTE are not supported across shards");
    // (MariaDB resolves such a name to a base table of that name, or fails: not a CTE copy.)
    if (r.in_body >= 0 && i >= r.in_body)
      return refuse("a CTE read inside itself or before its definition");
    refs[static_cast<size_t>(i)].push_back(r.node);
  }
  NameHooks hooks;  // each CTE reference printed as its body
  hooks.param_literals = param_literals;
  WriteOptions options;
  options.hooks = &hooks;
  for (size_t i = 0; i < n; ++i) {
    Cte& cte = with->ctes[static_cast<uint32_t>(i)];
    if (!cte.query) return refuse("a CTE without a query");
    if (!cte.cycle.empty()) return refuse("CYCLE in a non-recursive CTE");
    if (!cte.columns.empty()) {
      // WITH c(a, b) AS (SELECT x, y ...): the body's columns are named a, b.
      SelectCore* core = naming_select(cte.query->body);
      if (!core || core->items.size() != cte.columns.size())
        return refuse("a CTE column list this version cannot apply across shards");
      for (uint32_t k = 0; k < core->items.size(); ++k) {
        if (!core->items[k].expr || core->items[k].expr->kind == ExprKind::Star)
          return refuse("a CTE column list over `*` across shards");
        core->items[k].alias = cte.columns[k];
        core->items[k].as_keyword = true;
      }
    }
    SelectStatement body;
    body.query = cte.query;
    const std::string text = to_sql(body, options);
    for (TableName* t : refs[i]) {
      std::string replaced = "(" + text + ")";
      if (t->alias.empty()) {
        replaced += " AS ";
        append_identifier(replaced, cte.name.name, /*force=*/true);
      }
      hooks.names[&t->name] = std::move(replaced);
    }
  }
  Query* q = s.query;
  q->with = nullptr;
  InlinedCtes out;
  out.sql = to_sql(s, options);
  q->with = with;
  return out;
}

}  // namespace tessera::router
