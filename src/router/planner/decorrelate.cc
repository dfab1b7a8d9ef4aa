#include "router/planner/decorrelate.h"

#include <cctype>
#include <iterator>
#include <string_view>

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

void conjunct_list(Expr* e, std::vector<Expr*>& out) {
  if (!e) return;
  if (e->kind == ExprKind::Binary && static_cast<Binary*>(e)->op == BinaryOp::And) {
    conjunct_list(static_cast<Binary*>(e)->left, out);
    conjunct_list(static_cast<Binary*>(e)->right, out);
    return;
  }
  out.push_back(e);
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

 private:
  // `e` names one of the statement's own tables (a conservative test on its printed text, as
  // for the uncorrelated subqueries the planner ships).
  bool references_outer(const Expr* e) const {
    if (!e) return false;
    std::string text;
    to_sql(*e, text);
    for (const auto& n : outer_) {
      for (const std::string& form : {n + ".", "`" + n + "`."}) {
        for (size_t at = text.find(form); at != std::string::npos; at = text.find(form, at + 1)) {
          const char before = at ? text[at - 1] : ' ';
          if (!(std::isalnum(static_cast<unsigned char>(before)) || before == '_' ||
                before == '`' || before == '.'))
            return true;
        }
      }
    }
    return false;
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
    // The subquery's own names must not hide an outer one (`h.x` would then be its own).
    std::vector<std::string_view> inner;
    for (auto* r : core->from) from_names(r, inner);
    for (auto n : inner) {
      for (const auto& o : outer_) {
        if (same_name(n, o)) return nullptr;
      }
    }
    std::vector<Expr*> conj;
    conjunct_list(core->where, conj);
    std::vector<Expr*> outer_sides, inner_sides;
    Expr* rest = nullptr;
    for (auto* c : conj) {
      if (!references_outer(c)) {
        rest = both(rest, c, BinaryOp::And);
        continue;
      }
      if (c->kind != ExprKind::Binary || static_cast<Binary*>(c)->op != BinaryOp::Eq)
        return nullptr;
      auto* eq = static_cast<Binary*>(c);
      Expr* o = eq->left;
      Expr* i = eq->right;
      if (!outer_column(o)) std::swap(o, i);
      if (!outer_column(o) || references_outer(i) || i->kind == ExprKind::Row) return nullptr;
      outer_sides.push_back(o);
      inner_sides.push_back(i);
    }
    if (outer_sides.empty()) return nullptr;  // not correlated by an equality (or at all)
    if (operand) {
      if (references_outer(core->items[0].expr)) return nullptr;
      if (operand->kind == ExprKind::Row) return nullptr;
      outer_sides.insert(outer_sides.begin(), operand);
      inner_sides.insert(inner_sides.begin(), core->items[0].expr);
    }
    // The subquery, uncorrelated: the inner sides as its columns.
    // (Named apart: the result becomes a CTE, whose columns must have distinct names.)
    static constexpr std::string_view kNames[] = {"__c0", "__c1", "__c2", "__c3",
                                                  "__c4", "__c5", "__c6", "__c7"};
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

int decorrelate_where(SelectCore& core, const std::vector<std::string>& outer_names, Arena& arena) {
  if (outer_names.empty()) return 0;
  Rewriter r(outer_names, arena);
  r.conjuncts(&core.where);
  return r.count;
}

}  // namespace tessera::router
