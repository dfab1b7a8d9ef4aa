#include "router/planner/window_pushdown.h"

#include "router/planner/join_split.h"
#include "router/planner/select_merge.h"
#include "router/shard_rule.h"

namespace tessera::router {

using namespace sql;

namespace {

const WindowSpec* named_window(const SelectCore& core, std::string_view name) {
  for (const auto& w : core.windows) {
    if (same_name(w.name.name, name)) return w.spec;
  }
  return nullptr;
}

// `e` is `key`, the shard key column of the table named `qualifier` (unqualified only where
// that table is the statement's one sharded table).
bool names_key(const Expr* e, const TableUse& u, bool only_table) {
  if (!e || e->kind != ExprKind::Column) return false;
  auto* c = static_cast<const ColumnRef*>(e);
  if (!same_name(c->column().name, u.rule->key())) return false;
  if (c->n == 1) return only_table;
  return same_name(c->parts[c->n - 2].name, u.qualifier());
}

}  // namespace

std::vector<const WindowSpec*> window_chain(const Function& f, const SelectCore& core) {
  std::vector<const WindowSpec*> chain;
  const WindowSpec* s = f.over;
  if (!s) {
    s = named_window(core, f.over_name.name);
    if (!s) return {};
  }
  // (A name cycle is the server's error; the bound keeps the walk finite.)
  while (s && chain.size() <= core.windows.size()) {
    chain.push_back(s);
    if (s->base.name.empty()) return chain;
    s = named_window(core, s->base.name);
    if (!s) return {};
  }
  return {};
}

bool calls_window_functions(const Query& q, const SelectCore& core) {
  if (!core.windows.empty()) return true;
  for (const auto& item : core.items) {
    if (contains_window_function(item.expr)) return true;
  }
  for (const auto& o : q.order_by) {
    if (contains_window_function(o.expr)) return true;
  }
  return false;
}

bool windows_pinned_to_shards(const Query& q, const SelectCore& core, const TableScan& scan) {
  if (!core.group_by.empty() || core.having || core.with_rollup) return false;
  std::vector<const Function*> calls;
  for (const auto& item : core.items) {
    if (!item.expr || contains_aggregate(item.expr)) return false;
    window_functions(item.expr, calls);
  }
  for (const auto& o : q.order_by) {
    if (contains_aggregate(o.expr)) return false;
    window_functions(o.expr, calls);
  }
  if (calls.empty()) return false;
  std::vector<const TableUse*> sharded;
  for (const auto& u : scan.uses) {
    if (u.rule && !u.rule->is_global() && !u.in_subquery) sharded.push_back(&u);
  }
  if (sharded.empty()) return false;
  // (A select-list alias spelled as a key column could be what PARTITION BY names.)
  for (const auto& item : core.items) {
    if (item.alias.name.empty()) continue;
    for (const auto* u : sharded) {
      if (same_name(item.alias.name, u->rule->key()) && !names_key(item.expr, *u, true))
        return false;
    }
  }
  for (const Function* f : calls) {
    std::vector<const WindowSpec*> chain = window_chain(*f, core);
    if (chain.empty()) return false;
    // (Only the root of a chain may have a PARTITION BY.)
    const auto& partition = chain.back()->partition;
    for (const auto* u : sharded) {
      bool pinned = false;
      for (const Expr* p : partition) pinned |= names_key(p, *u, sharded.size() == 1);
      if (!pinned) return false;
    }
  }
  return true;
}

}  // namespace tessera::router
