#include "router/planner/join_split.h"

#include <type_traits>

#include "router/planner/select_merge.h"
#include "router/planner/table_scan.h"

namespace tessera::router {

using namespace sql;

namespace {

bool collect(TableRef* r, bool nullable, std::vector<JoinLeaf>& out, bool& has_outer, int depth) {
  if (!r || depth > 256) return false;
  switch (r->kind) {
    case TableRefKind::Table:
      out.push_back({static_cast<TableName*>(r), nullable});
      return true;
    case TableRefKind::Join: {
      auto* j = static_cast<JoinRef*>(r);
      const bool left = j->type == JoinType::Left, right = j->type == JoinType::Right;
      has_outer |= left || right;
      return collect(j->left, nullable || right, out, has_outer, depth + 1) &&
             collect(j->right, nullable || left, out, has_outer, depth + 1);
    }
    case TableRefKind::Paren:
      for (auto* i : static_cast<ParenRef*>(r)->items) {
        if (!collect(i, nullable, out, has_outer, depth + 1)) return false;
      }
      return true;
    default:
      return false;
  }
}

// Functions whose value is not a function of their arguments: evaluated once per driving row
// instead of once per joined row they would answer differently.
bool volatile_function(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "RAND",  "UUID",     "UUID_SHORT",   "SYS_GUID",  "NEXTVAL",        "LASTVAL",   "SETVAL",
      "SLEEP", "GET_LOCK", "RELEASE_LOCK", "BENCHMARK", "LAST_INSERT_ID", "ROW_COUNT", "FOUND_ROWS",
  };
  for (auto n : kNames) {
    if (same_name(name, n)) return true;
  }
  return false;
}

struct OnlyReader {
  std::string_view qualifier;
  bool unqualified_ok = false;
  bool ok = true;
  bool any_column = false;

  void expr(const Expr* e, int depth = 0) {
    if (!e || !ok) return;
    if (depth > 512) {
      ok = false;
      return;
    }
    switch (e->kind) {
      case ExprKind::Literal:
      case ExprKind::Param:
        return;
      case ExprKind::Column: {
        auto* c = static_cast<const ColumnRef*>(e);
        if (c->n == 1 ? !unqualified_ok
                      : c->n > 2 || !same_name(c->parts[c->n - 2].name, qualifier))
          ok = false;
        any_column = true;
        return;
      }
      case ExprKind::Unary:
        expr(static_cast<const Unary*>(e)->operand, depth + 1);
        return;
      case ExprKind::Binary:
        expr(static_cast<const Binary*>(e)->left, depth + 1);
        expr(static_cast<const Binary*>(e)->right, depth + 1);
        return;
      case ExprKind::IsTest:
        expr(static_cast<const IsTest*>(e)->operand, depth + 1);
        return;
      case ExprKind::Between: {
        auto* b = static_cast<const Between*>(e);
        expr(b->operand, depth + 1);
        expr(b->low, depth + 1);
        expr(b->high, depth + 1);
        return;
      }
      case ExprKind::InList: {
        auto* i = static_cast<const InList*>(e);
        expr(i->operand, depth + 1);
        for (auto* x : i->items) expr(x, depth + 1);
        return;
      }
      case ExprKind::Like: {
        auto* l = static_cast<const Like*>(e);
        expr(l->operand, depth + 1);
        expr(l->pattern, depth + 1);
        expr(l->escape, depth + 1);
        return;
      }
      case ExprKind::Case: {
        auto* c = static_cast<const Case*>(e);
        expr(c->operand, depth + 1);
        for (auto& w : c->whens) {
          expr(w.when, depth + 1);
          expr(w.then, depth + 1);
        }
        expr(c->else_expr, depth + 1);
        return;
      }
      case ExprKind::Function: {
        auto* f = static_cast<const Function*>(e);
        if (f->over || !f->over_name.empty() || contains_aggregate(e) ||
            volatile_function(f->name)) {
          ok = false;
          return;
        }
        for (auto* a : f->args) expr(a, depth + 1);
        return;
      }
      case ExprKind::Cast:
        expr(static_cast<const Cast*>(e)->operand, depth + 1);
        return;
      case ExprKind::Collate:
        expr(static_cast<const Collate*>(e)->operand, depth + 1);
        return;
      case ExprKind::Interval:
        expr(static_cast<const Interval*>(e)->value, depth + 1);
        return;
      case ExprKind::Row:
        for (auto* x : static_cast<const Row*>(e)->items) expr(x, depth + 1);
        return;
      default:
        ok = false;
        return;
    }
  }
};

// The window function calls in `e` (not below a window call's own arguments: MariaDB
// refuses a window function inside another's). `out` null: stop at the first one found.
bool window_in(const Expr* e, int depth, std::vector<const Function*>* out) {
  if (!e || depth > 512) return false;
  bool found = false;
  auto one = [&](const Expr* x) {
    if (found && !out) return;
    found |= window_in(x, depth + 1, out);
  };
  auto any = [&](auto& list) {
    for (auto* x : list) one(x);
  };
  switch (e->kind) {
    case ExprKind::Function: {
      auto* f = static_cast<const Function*>(e);
      if (f->over || !f->over_name.empty()) {
        if (out) out->push_back(f);
        return true;
      }
      any(f->args);
      break;
    }
    case ExprKind::Unary:
      one(static_cast<const Unary*>(e)->operand);
      break;
    case ExprKind::Binary:
      one(static_cast<const Binary*>(e)->left);
      one(static_cast<const Binary*>(e)->right);
      break;
    case ExprKind::IsTest:
      one(static_cast<const IsTest*>(e)->operand);
      break;
    case ExprKind::Between: {
      auto* b = static_cast<const Between*>(e);
      one(b->operand);
      one(b->low);
      one(b->high);
      break;
    }
    case ExprKind::InList:
      one(static_cast<const InList*>(e)->operand);
      any(static_cast<const InList*>(e)->items);
      break;
    case ExprKind::Like:
      one(static_cast<const Like*>(e)->operand);
      one(static_cast<const Like*>(e)->pattern);
      break;
    case ExprKind::Case: {
      auto* c = static_cast<const Case*>(e);
      one(c->operand);
      one(c->else_expr);
      for (auto& w : c->whens) {
        one(w.when);
        one(w.then);
      }
      break;
    }
    case ExprKind::Cast:
      one(static_cast<const Cast*>(e)->operand);
      break;
    case ExprKind::Collate:
      one(static_cast<const Collate*>(e)->operand);
      break;
    case ExprKind::Interval:
      one(static_cast<const Interval*>(e)->value);
      break;
    case ExprKind::Row:
      any(static_cast<const Row*>(e)->items);
      break;
    default:
      break;
  }
  return found;
}

}  // namespace

bool contains_window_function(const Expr* e) {
  return window_in(e, 0, nullptr);
}

void window_functions(const Expr* e, std::vector<const Function*>& out) {
  window_in(e, 0, &out);
}

namespace {

// `E`: Expr or const Expr.
template <typename E>
void collect_conjuncts(E* e, std::vector<E*>& out) {
  if (!e) return;
  if (e->kind == ExprKind::Binary && static_cast<const Binary*>(e)->op == BinaryOp::And) {
    auto* b = static_cast<std::conditional_t<std::is_const_v<E>, const Binary, Binary>*>(e);
    collect_conjuncts<E>(b->left, out);
    collect_conjuncts<E>(b->right, out);
    return;
  }
  out.push_back(e);
}

}  // namespace

void conjuncts(const Expr* e, std::vector<const Expr*>& out) {
  collect_conjuncts(e, out);
}
void conjuncts(Expr* e, std::vector<Expr*>& out) {
  collect_conjuncts(e, out);
}

bool join_leaves(const ArenaVec<TableRef*>& from, std::vector<JoinLeaf>& out, bool& has_outer) {
  has_outer = false;
  for (auto* r : from) {
    if (!collect(r, false, out, has_outer, 0)) return false;
  }
  return true;
}

bool reads_only(const Expr* e, std::string_view qualifier, bool unqualified_ok) {
  OnlyReader r;
  r.qualifier = qualifier;
  r.unqualified_ok = unqualified_ok;
  r.expr(e);
  return r.ok && r.any_column;
}

}  // namespace tessera::router
