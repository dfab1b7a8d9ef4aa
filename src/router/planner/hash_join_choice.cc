#include "router/planner/hash_join_choice.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "router/planner/join_split.h"
#include "router/planner/select_merge.h"
#include "router/planner/table_scan.h"
#include "sql/writer.h"

namespace tessera::router {

using exec::engine::JoinedCell;
using sql::Binary;
using sql::BinaryOp;
using sql::ColumnRef;
using sql::Expr;
using sql::ExprKind;
using sql::Function;

namespace {

// `qualifier`.`column`
bool column_of(const Expr* e, std::string_view qualifier) {
  if (!e || e->kind != ExprKind::Column) return false;
  auto* c = static_cast<const ColumnRef*>(e);
  return c->n == 2 && same_name(c->parts[0].name, qualifier);
}

// `a.x = b.y` (either way round): the probe's column, then the build's.
std::optional<std::pair<const Expr*, const Expr*>> key_pair(const Expr* e, std::string_view probe,
                                                            std::string_view build) {
  if (!e || e->kind != ExprKind::Binary) return std::nullopt;
  auto* b = static_cast<const Binary*>(e);
  if (b->op != BinaryOp::Eq) return std::nullopt;
  if (column_of(b->left, probe) && column_of(b->right, build))
    return std::make_pair(b->left, b->right);
  if (column_of(b->left, build) && column_of(b->right, probe))
    return std::make_pair(b->right, b->left);
  return std::nullopt;
}

bool word_in(std::string_view text, std::string_view word) {
  // A whole word, case-insensitively: HASH_JOIN must not match NO_HASH_JOIN.
  auto upper = [](std::string_view s) {
    std::string out(s);
    for (auto& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return out;
  };
  const std::string t = upper(text), w = upper(word);
  for (size_t at = t.find(w); at != std::string::npos; at = t.find(w, at + 1)) {
    auto ident = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
    const bool before = at > 0 && ident(t[at - 1]);
    const bool after = at + w.size() < t.size() && ident(t[at + w.size()]);
    if (!before && !after) return true;
  }
  return false;
}

}  // namespace

HashJoinHint hash_join_hint(std::string_view select_hint) {
  if (word_in(select_hint, "NO_HASH_JOIN")) return HashJoinHint::kNever;
  if (word_in(select_hint, "HASH_JOIN")) return HashJoinHint::kForce;
  return HashJoinHint::kNone;
}

std::optional<HashJoinShape> hash_join_shape(const sql::SelectCore& core,
                                             const exec::engine::MergeInfo& merge,
                                             std::string_view probe, std::string_view build,
                                             const Expr* on, bool outer, std::string& why) {
  HashJoinShape shape;
  shape.outer = outer;

  // ---- conditions: keys, and what each side's read filters by ----
  std::vector<const Expr*> on_list, where_list;
  conjuncts(on, on_list);
  conjuncts(core.where, where_list);
  std::vector<std::pair<const Expr*, const Expr*>> keys;
  auto place = [&](const Expr* e, bool in_on) {
    if (auto k = key_pair(e, probe, build); k && (in_on || !outer)) {
      keys.push_back(*k);
      return true;
    }
    // An outer join's ON filters the NULL-extended side only; its WHERE, the joined rows.
    const bool probe_ok = outer ? !in_on : true;
    const bool build_ok = outer ? in_on : true;
    if (probe_ok && reads_only(e, probe)) {
      shape.where[0].push_back(e);
      return true;
    }
    if (build_ok && reads_only(e, build)) {
      shape.where[1].push_back(e);
      return true;
    }
    return false;
  };
  for (auto* e : on_list) {
    if (!place(e, true)) {
      why = "a join condition reading both tables other than a column equality";
      return std::nullopt;
    }
  }
  for (auto* e : where_list) {
    if (!place(e, false)) {
      why = "a WHERE condition not on one table alone";
      return std::nullopt;
    }
  }
  if (keys.empty()) {
    why = "no equality of the two tables' columns";
    return std::nullopt;
  }
  shape.keys = keys.size();
  // One column per distinct expression of a side (AVG(x) also reads x for its SUM and COUNT,
  // a key column may be selected too).
  std::map<std::string, size_t> read[2];
  for (auto& [p, b] : keys) {
    for (int side : {0, 1}) {
      const Expr* k = side == 0 ? p : b;
      std::string text;
      sql::to_sql(*k, text);
      read[side].emplace(std::move(text), shape.items[side].size());
      shape.items[side].push_back(k);
      shape.unwrap[side].push_back(nullptr);
    }
  }

  // ---- the select list, rewritten for merging: each column from one side ----
  const size_t n = core.items.size();
  auto resolve = [&](uint32_t c) -> size_t {
    return c >= exec::engine::kHiddenBase
               ? n - merge.hidden_columns + (c - exec::engine::kHiddenBase)
               : c;
  };
  std::set<size_t> computed, sticky, weights;
  // A collation or weight column is computed by the side of the column it describes (its
  // expression also reads @@character_set_results, a session constant).
  std::map<size_t, size_t> describes;
  for (const auto& c : merge.computed) computed.insert(resolve(c.column));
  for (const auto& [c, name] : merge.collation_columns) {
    sticky.insert(resolve(name));
    describes[resolve(name)] = resolve(c);
  }
  for (const auto& [c, w] : merge.weight_columns) {
    weights.insert(resolve(w));
    describes[resolve(w)] = resolve(c);
  }
  // The side an expression (or an aggregate's argument) reads; -1: both, or neither.
  auto side_of = [&](const Expr* e) {
    if (e && e->kind == ExprKind::Function) {
      auto* f = static_cast<const Function*>(e);
      if (aggregate_kind(*f) && f->args.size() == 1) e = f->args[0];
    }
    return reads_only(e, probe) ? 0 : reads_only(e, build) ? 1 : -1;
  };
  // (side, position in its items) per projected cell; positions become joined-row columns
  // once both lists are complete.
  struct Pending {
    JoinedCell cell;
    int side = 0;
    size_t at = 0;
  };
  std::vector<Pending> pending;
  auto add = [&](int side, const Expr* e, const Function* unwrap = nullptr) {
    std::string text;
    sql::to_sql(*e, text);
    if (unwrap) {
      text += " / ";
      sql::to_sql(*unwrap, text);
    }
    auto [at, fresh] = read[side].emplace(std::move(text), shape.items[side].size());
    if (fresh) {
      shape.items[side].push_back(e);
      shape.unwrap[side].push_back(unwrap);
    }
    return at->second;
  };
  for (size_t i = 0; i < n; ++i) {
    const Expr* e = core.items[i].expr;
    Pending p;
    if (computed.count(i)) {
      p.cell.kind = JoinedCell::Kind::kNull;
      pending.push_back(p);
      continue;
    }
    if (!e || e->kind == ExprKind::Star) {
      why = "`*` in the select list";
      return std::nullopt;
    }
    if (e->kind == ExprKind::Function) {
      auto* f = static_cast<const Function*>(e);
      if (auto kind = aggregate_kind(*f)) {
        using K = exec::AggregateKind;
        if (*kind != K::kCount && *kind != K::kSum && *kind != K::kMin && *kind != K::kMax &&
            *kind != K::kAvg) {
          why = "the aggregate " + std::string(f->name);
          return std::nullopt;
        }
        if (f->distinct || !f->order.empty() || f->separator || f->limit) {
          why = "a DISTINCT aggregate";
          return std::nullopt;
        }
        if (f->form == sql::FunctionForm::CountStar) {
          p.cell.kind = JoinedCell::Kind::kOne;
          pending.push_back(p);
          continue;
        }
        if (f->args.size() != 1) {
          why = "an aggregate of several arguments";
          return std::nullopt;
        }
        const Expr* a = f->args[0];
        int side = reads_only(a, probe) ? 0 : reads_only(a, build) ? 1 : -1;
        if (side < 0 || (outer && side == 1 && !column_of(a, build))) {
          why = "an aggregate's argument not on one table alone";
          return std::nullopt;
        }
        p.cell.kind = *kind == K::kCount ? JoinedCell::Kind::kNonNull : JoinedCell::Kind::kCell;
        p.side = side;
        p.at = add(side, a);
        pending.push_back(p);
        continue;
      }
    }
    // The collation or weight column of MIN(x) / MAX(x): over one row, those of x.
    const Function* unwrap = nullptr;
    if (contains_aggregate(e)) {
      const Expr* of =
          describes.count(i) && describes[i] < n ? core.items[describes[i]].expr : nullptr;
      if (of && of->kind == ExprKind::Function &&
          aggregate_kind(*static_cast<const Function*>(of)) &&
          static_cast<const Function*>(of)->args.size() == 1)
        unwrap = static_cast<const Function*>(of);
      if (!unwrap) {
        why = "an expression over aggregates";
        return std::nullopt;
      }
    }
    int side = e->kind == ExprKind::Literal ? 0 : unwrap ? side_of(unwrap) : side_of(e);
    if (side < 0 && describes.count(i) && describes[i] < n)
      side = side_of(core.items[describes[i]].expr);
    if (side < 0) {
      why = "a select-list expression not on one table alone";
      return std::nullopt;
    }
    if (side == 1 && outer && !column_of(e, build)) {
      if (sticky.count(i)) {
        p.cell.kind = JoinedCell::Kind::kSticky;
      } else if (!weights.count(i)) {
        why = "an expression of the NULL-extended table";
        return std::nullopt;
      }
    }
    p.side = side;
    p.at = add(side, e, unwrap);
    pending.push_back(p);
  }
  const size_t probe_width = shape.items[0].size();
  for (auto& p : pending) {
    if (p.cell.kind != JoinedCell::Kind::kOne && p.cell.kind != JoinedCell::Kind::kNull)
      p.cell.from = static_cast<uint32_t>(p.side == 0 ? p.at : probe_width + p.at);
    shape.project.push_back(p.cell);
  }
  return shape;
}

}  // namespace tessera::router
