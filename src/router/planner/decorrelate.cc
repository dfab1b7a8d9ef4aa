#include "router/planner/decorrelate.h"

#include <cctype>
#include <iterator>
#include <string_view>

#include "exec/aggregate.h"
#include "router/planner/join_split.h"
#include "router/planner/select_merge.h"
#include "router/planner/table_scan.h"
#include "sql/ast/expression.h"
#include "sql/writer.h"

namespace tessera::router {

using namespace sql;

namespace {

void from_names(const TableRef* r, std::vector<std::string_view>& out) {
  if (!r) return;
  switch (r->kind) {
    case TableRefKind::Table: {
      auto* t = static_cast<const TableName*>(r);
      out.push_back(t->alias.empty() ? t->name.name.name : t->alias.name);
      return;
    }
    case TableRefKind::Derived:
      out.push_back(static_cast<const DerivedTable*>(r)->alias.name);
      return;
    case TableRefKind::Join:
      from_names(static_cast<const JoinRef*>(r)->left, out);
      from_names(static_cast<const JoinRef*>(r)->right, out);
      return;
    case TableRefKind::Paren:
      for (auto* i : static_cast<const ParenRef*>(r)->items) from_names(i, out);
      return;
  }
}

class Rewriter {
 public:
  Rewriter(const std::vector<std::string>& outer, Arena& arena) : outer_(outer), arena_(arena) {}

  int count = 0;

  // Walks the AND tree at `slot`, rewriting the subqueries it can.
  void conjuncts(Expr** slot) {
    Expr* e = *slot;
    if (!e) return;
    if (e->kind == ExprKind::Binary && static_cast<Binary*>(e)->op == BinaryOp::And) {
      conjuncts(&static_cast<Binary*>(e)->left);
      conjuncts(&static_cast<Binary*>(e)->right);
      return;
    }
    Expr* repl = nullptr;
    if (e->kind == ExprKind::Exists) {
      repl = exists(static_cast<Exists*>(e)->query, false, nullptr);
    } else if (e->kind == ExprKind::Unary && (static_cast<Unary*>(e)->op == UnaryOp::Not ||
                                              static_cast<Unary*>(e)->op == UnaryOp::Bang)) {
      Expr* x = static_cast<Unary*>(e)->operand;
      if (x && x->kind == ExprKind::Exists)
        repl = exists(static_cast<Exists*>(x)->query, true, nullptr);
    } else if (e->kind == ExprKind::InQuery && !static_cast<InQuery*>(e)->negated) {
      auto* in = static_cast<InQuery*>(e);
      repl = exists(in->query, false, in->operand);
    }
    if (repl) {
      repl->parens = 1;
      *slot = repl;
      ++count;
    }
  }

  // `e` names one of the statement's own tables (a conservative test on its printed text, as
  // for the uncorrelated subqueries the planner ships).
  bool references_outer(const Expr* e) const {
    if (!e) return false;
    std::string text;
    to_sql(*e, text);
    return names_a_qualifier(text, outer_);
  }

  // A column of one of the statement's own tables, named with its qualifier.
  bool outer_column(const Expr* e) const {
    if (!e || e->kind != ExprKind::Column) return false;
    auto* c = static_cast<const ColumnRef*>(e);
    if (c->n != 2) return false;
    for (const auto& n : outer_) {
      if (same_name(n, c->parts[0].name)) return true;
    }
    return false;
  }

  Expr* copy(Expr* e) {
    if (e->kind == ExprKind::Column) {
      auto* c = arena_.make<ColumnRef>(*static_cast<ColumnRef*>(e));
      c->parens = 0;
      return c;
    }
    return e;
  }

  Expr* is_null(Expr* e, bool negated) {
    auto* t = arena_.make<IsTest>();
    t->operand = copy(e);
    t->what = IsWhat::Null;
    t->negated = negated;
    return t;
  }

  Expr* both(Expr* a, Expr* b, BinaryOp op) {
    if (!a) return b;
    auto* x = arena_.make<Binary>();
    x->op = op;
    x->left = a;
    x->right = b;
    x->parens = 1;
    return x;
  }

  // Scalar subqueries anywhere in `*slot`'s expression tree (not inside other subqueries).
  void scalars(Expr** slot, SelectCore& outer, int depth = 0) {
    Expr* e = *slot;
    if (!e || depth > 200) return;
    switch (e->kind) {
      case ExprKind::Subquery: {
        if (Expr* repl = scalar(static_cast<Subquery*>(e)->query, outer)) {
          repl->parens = e->parens;
          *slot = repl;
          ++count;
        }
        return;
      }
      case ExprKind::Unary:
        scalars(&static_cast<Unary*>(e)->operand, outer, depth + 1);
        return;
      case ExprKind::Binary:
        scalars(&static_cast<Binary*>(e)->left, outer, depth + 1);
        scalars(&static_cast<Binary*>(e)->right, outer, depth + 1);
        return;
      case ExprKind::IsTest:
        scalars(&static_cast<IsTest*>(e)->operand, outer, depth + 1);
        return;
      case ExprKind::Between: {
        auto* b = static_cast<Between*>(e);
        scalars(&b->operand, outer, depth + 1);
        scalars(&b->low, outer, depth + 1);
        scalars(&b->high, outer, depth + 1);
        return;
      }
      case ExprKind::InList: {
        auto* i = static_cast<InList*>(e);
        scalars(&i->operand, outer, depth + 1);
        for (auto& x : i->items) scalars(&x, outer, depth + 1);
        return;
      }
      case ExprKind::Function: {
        auto* f = static_cast<Function*>(e);
        if (f->over || !f->over_name.empty() || aggregate_kind(*f)) return;
        for (auto& a : f->args) scalars(&a, outer, depth + 1);
        return;
      }
      case ExprKind::Case: {
        auto* c = static_cast<Case*>(e);
        scalars(&c->operand, outer, depth + 1);
        for (auto& w : c->whens) {
          scalars(&w.when, outer, depth + 1);
          scalars(&w.then, outer, depth + 1);
        }
        scalars(&c->else_expr, outer, depth + 1);
        return;
      }
      case ExprKind::Cast:
        scalars(&static_cast<Cast*>(e)->operand, outer, depth + 1);
        return;
      default:
        return;
    }
  }

 private:
  // The correlation of a subquery's WHERE: equalities `inner = outer column` (at least one),
  // and the rest, uncorrelated. false: correlated otherwise (or not at all).
  bool split(SelectCore& core, std::vector<Expr*>& outer_sides, std::vector<Expr*>& inner_sides,
             Expr*& rest) {
    std::vector<std::string_view> inner;
    for (auto* r : core.from) from_names(r, inner);
    for (auto n : inner) {
      for (const auto& o : outer_) {
        if (same_name(n, o)) return false;
      }
    }
    std::vector<Expr*> conj;
    router::conjuncts(core.where, conj);
    rest = nullptr;
    for (auto* c : conj) {
      if (!references_outer(c)) {
        rest = both(rest, c, BinaryOp::And);
        continue;
      }
      if (c->kind != ExprKind::Binary || static_cast<Binary*>(c)->op != BinaryOp::Eq) return false;
      auto* eq = static_cast<Binary*>(c);
      Expr* o = eq->left;
      Expr* i = eq->right;
      if (!outer_column(o)) std::swap(o, i);
      if (!outer_column(o) || references_outer(i) || i->kind == ExprKind::Row) return false;
      outer_sides.push_back(o);
      inner_sides.push_back(i);
    }
    return !outer_sides.empty();
  }

  // `(SELECT AGG(x) FROM s WHERE s.k = o.c AND r)`: the aggregate per correlation value, in a
  // derived table LEFT JOINed to the statement's FROM,
  //   ... FROM <from> LEFT JOIN (SELECT s.k AS __c0, AGG(x) AS __v FROM s WHERE r GROUP BY s.k)
  //   AS __sqN ON __sqN.__c0 = o.c
  // and the subquery becomes `__sqN.__v` (COUNT: `COALESCE(__sqN.__v, 0)`, an empty group's
  // count). Grouped by the correlation columns, the derived table has at most one row per outer
  // row, so the join repeats none. Only a lone MAX/MIN/SUM/AVG/COUNT: exactly one row per
  // outer row, whose value for no rows is NULL (or 0).
  Expr* scalar(Query* q, SelectCore& outer) {
    if (!q || !q->body || q->body->kind != QueryBodyKind::Select || q->with || q->limit ||
        q->into || q->locking || q->procedure || !q->order_by.empty())
      return nullptr;
    auto* core = static_cast<SelectCore*>(q->body);
    if (core->from.empty() || !core->group_by.empty() || core->having || core->into ||
        !core->windows.empty() || !core->where || core->items.size() != 1 || core->options != 0)
      return nullptr;
    Expr* item = core->items[0].expr;
    if (!item || item->kind != ExprKind::Function) return nullptr;
    auto* f = static_cast<Function*>(item);
    auto kind = aggregate_kind(*f);
    if (!kind || f->over || !f->over_name.empty() || references_outer(item)) return nullptr;
    const bool count = *kind == exec::AggregateKind::kCount;
    if (!count && *kind != exec::AggregateKind::kSum && *kind != exec::AggregateKind::kMin &&
        *kind != exec::AggregateKind::kMax && *kind != exec::AggregateKind::kAvg)
      return nullptr;
    // The outer FROM must take one more join: one table or join tree.
    if (outer.from.size() != 1 || !core_from_ok(outer)) return nullptr;
    std::vector<Expr*> outer_sides, inner_sides;
    Expr* rest = nullptr;
    if (!split(*core, outer_sides, inner_sides, rest)) return nullptr;
    if (inner_sides.size() >= std::size(kNames)) return nullptr;
    const std::string_view alias = arena_.copy("__sq" + std::to_string(derived_++));
    ArenaVec<SelectItem> items;
    ArenaVec<OrderItem> group;
    Expr* on = nullptr;
    for (size_t k = 0; k < inner_sides.size(); ++k) {
      items.push(arena_, SelectItem{inner_sides[k], Ident{kNames[k], 0, false}, true});
      group.push(arena_, OrderItem{inner_sides[k], 0});
      auto* eq = arena_.make<Binary>();
      eq->op = BinaryOp::Eq;
      eq->left = column(alias, kNames[k]);
      eq->right = copy(outer_sides[k]);
      on = both(on, eq, BinaryOp::And);
    }
    items.push(arena_, SelectItem{item, Ident{"__v", 0, false}, true});
    core->items = items;
    core->group_by = group;
    core->where = rest;
    auto* d = arena_.make<DerivedTable>();
    d->query = q;
    d->alias = Ident{alias, 0, false};
    d->as_keyword = true;
    auto* j = arena_.make<JoinRef>();
    j->type = JoinType::Left;
    j->left = outer.from[0];
    j->right = d;
    j->on = on;
    outer.from[0] = j;
    Expr* value = column(alias, "__v");
    if (!count) return value;
    auto* zero = arena_.make<Literal>();
    zero->literal_kind = LiteralKind::Integer;
    zero->text = "0";
    auto* c = arena_.make<Function>();
    c->name = "COALESCE";
    c->args.push(arena_, value);
    c->args.push(arena_, zero);
    return c;
  }

  static bool core_from_ok(const SelectCore& outer) {
    auto k = outer.from[0]->kind;
    return k == TableRefKind::Table || k == TableRefKind::Join;
  }

  Expr* column(std::string_view table, std::string_view name) {
    auto* c = arena_.make<ColumnRef>();
    c->parts[0] = Ident{table, 0, false};
    c->parts[1] = Ident{name, 0, false};
    c->n = 2;
    return c;
  }

  static constexpr std::string_view kNames[] = {"__c0", "__c1", "__c2", "__c3",
                                                "__c4", "__c5", "__c6", "__c7"};
  int derived_ = 0;

  // `[NOT] EXISTS (q)`, or `operand IN (q)` when `operand` is set: the replacing expression,
  // or null when it is not taken.
  Expr* exists(Query* q, bool negated, Expr* operand) {
    if (!q || !q->body || q->body->kind != QueryBodyKind::Select || q->with || q->limit ||
        q->into || q->locking || q->procedure)
      return nullptr;
    auto* core = static_cast<SelectCore*>(q->body);
    if (core->from.empty() || !core->group_by.empty() || core->having || core->into ||
        !core->windows.empty() || !core->where)
      return nullptr;
    for (auto& item : core->items) {
      if (!item.expr || contains_aggregate(item.expr) || contains_window_function(item.expr))
        return nullptr;
    }
    if (operand && (core->items.size() != 1 || core->items[0].expr->kind == ExprKind::Star))
      return nullptr;
    std::vector<Expr*> outer_sides, inner_sides;
    Expr* rest = nullptr;
    if (!split(*core, outer_sides, inner_sides, rest)) return nullptr;
    if (operand) {
      if (references_outer(core->items[0].expr)) return nullptr;
      if (operand->kind == ExprKind::Row) return nullptr;
      outer_sides.insert(outer_sides.begin(), operand);
      inner_sides.insert(inner_sides.begin(), core->items[0].expr);
    }
    // The subquery, uncorrelated: the inner sides as its columns.
    // (Named apart: the result becomes a CTE, whose columns must have distinct names.)
    if (inner_sides.size() > std::size(kNames)) return nullptr;
    ArenaVec<SelectItem> items;
    for (size_t k = 0; k < inner_sides.size(); ++k)
      items.push(arena_, SelectItem{inner_sides[k], Ident{kNames[k], 0, false}, true});
    core->items = items;
    if (negated) {
      for (auto* i : inner_sides) rest = both(rest, is_null(i, true), BinaryOp::And);
    }
    core->where = rest;
    q->order_by = {};
    Expr* lhs;
    if (outer_sides.size() == 1) {
      lhs = copy(outer_sides[0]);
    } else {
      auto* row = arena_.make<Row>();
      for (auto* o : outer_sides) row->items.push(arena_, copy(o));
      lhs = row;
    }
    auto* in = arena_.make<InQuery>();
    in->operand = lhs;
    in->query = q;
    in->negated = negated;
    if (!negated) return in;
    Expr* any_null = nullptr;
    for (auto* o : outer_sides) any_null = both(any_null, is_null(o, false), BinaryOp::Or);
    return both(any_null, in, BinaryOp::Or);
  }

  const std::vector<std::string>& outer_;
  Arena& arena_;
};

}  // namespace

bool names_a_qualifier(std::string_view text, const std::vector<std::string>& names) {
  for (const auto& n : names) {
    for (const std::string& form : {n + ".", "`" + n + "`."}) {
      for (size_t at = text.find(form); at != std::string::npos; at = text.find(form, at + 1)) {
        const char before = at ? text[at - 1] : ' ';
        if (!(std::isalnum(static_cast<unsigned char>(before)) || before == '_')) return true;
      }
    }
  }
  return false;
}

int decorrelate_where(SelectCore& core, const std::vector<std::string>& outer_names, Arena& arena) {
  if (outer_names.empty()) return 0;
  Rewriter r(outer_names, arena);
  r.conjuncts(&core.where);
  for (auto& item : core.items) r.scalars(&item.expr, core);
  r.scalars(&core.where, core);
  return r.count;
}

}  // namespace tessera::router
