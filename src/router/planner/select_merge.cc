#include "router/planner/select_merge.h"

#include <algorithm>
#include <charconv>
#include <string_view>
#include <vector>

#include "exec/collation.h"
#include "exec/scalar_expr.h"
#include "router/planner/join_split.h"
#include "router/planner/table_scan.h"
#include "router/planner/window_pushdown.h"
#include "sql/writer.h"

namespace tessera::router {

using namespace sql;

std::optional<AggregateKind> aggregate_kind(const Function& f) {
  if (f.over || !f.over_name.empty() || !f.schema.empty()) return std::nullopt;
  std::string_view n = f.name;
  if (same_name(n, "count")) return AggregateKind::kCount;
  if (same_name(n, "sum")) return AggregateKind::kSum;
  if (same_name(n, "min")) return AggregateKind::kMin;
  if (same_name(n, "max")) return AggregateKind::kMax;
  if (same_name(n, "avg")) return AggregateKind::kAvg;
  if (same_name(n, "group_concat")) return AggregateKind::kGroupConcat;
  if (same_name(n, "bit_and")) return AggregateKind::kBitAnd;
  if (same_name(n, "bit_or")) return AggregateKind::kBitOr;
  if (same_name(n, "bit_xor")) return AggregateKind::kBitXor;
  if (same_name(n, "std") || same_name(n, "stddev") || same_name(n, "stddev_pop"))
    return AggregateKind::kStddevPop;
  if (same_name(n, "stddev_samp")) return AggregateKind::kStddevSamp;
  if (same_name(n, "variance") || same_name(n, "var_pop")) return AggregateKind::kVarPop;
  if (same_name(n, "var_samp")) return AggregateKind::kVarSamp;
  return std::nullopt;
}

namespace {

// Aggregates we cannot combine from per-shard partials.
bool is_unmergeable_aggregate(const Function& f) {
  if (f.over || !f.over_name.empty() || !f.schema.empty()) return false;
  static constexpr std::string_view kNames[] = {"json_arrayagg", "json_objectagg"};
  for (auto n : kNames) {
    if (same_name(f.name, n)) return true;
  }
  return false;
}

struct AggregateFinder {
  bool found = false;
  const Function* unmergeable = nullptr;
  // Set: every aggregate call is collected (the search does not stop at the first).
  std::vector<const Function*>* all = nullptr;
  void expr(const Expr* e) {
    if (!e || (found && !all)) return;
    switch (e->kind) {
      case ExprKind::Function: {
        auto* f = static_cast<const Function*>(e);
        if (aggregate_kind(*f)) {
          found = true;
          if (all) all->push_back(f);
          return;
        }
        if (is_unmergeable_aggregate(*f)) {
          found = true;
          unmergeable = f;
          return;
        }
        for (auto* a : f->args) expr(a);
        break;
      }
      case ExprKind::Unary:
        expr(static_cast<const Unary*>(e)->operand);
        break;
      case ExprKind::Binary:
        expr(static_cast<const Binary*>(e)->left);
        expr(static_cast<const Binary*>(e)->right);
        break;
      case ExprKind::IsTest:
        expr(static_cast<const IsTest*>(e)->operand);
        break;
      case ExprKind::Between: {
        auto* b = static_cast<const Between*>(e);
        expr(b->operand);
        expr(b->low);
        expr(b->high);
        break;
      }
      case ExprKind::InList: {
        auto* i = static_cast<const InList*>(e);
        expr(i->operand);
        for (auto* x : i->items) expr(x);
        break;
      }
      case ExprKind::Like:
        expr(static_cast<const Like*>(e)->operand);
        expr(static_cast<const Like*>(e)->pattern);
        break;
      case ExprKind::Case: {
        auto* c = static_cast<const Case*>(e);
        expr(c->operand);
        for (auto& w : c->whens) {
          expr(w.when);
          expr(w.then);
        }
        expr(c->else_expr);
        break;
      }
      case ExprKind::Cast:
        expr(static_cast<const Cast*>(e)->operand);
        break;
      case ExprKind::Collate:
        expr(static_cast<const Collate*>(e)->operand);
        break;
      case ExprKind::Row:
        for (auto* x : static_cast<const Row*>(e)->items) expr(x);
        break;
      default:
        break;
    }
  }
};

std::string canonical(const Expr* e) {
  WriteOptions o;
  o.canonical = true;
  std::string out;
  to_sql(*e, out, o);
  return out;
}

std::string display(const Expr* e) {
  std::string out;
  to_sql(*e, out);
  return out;
}

std::optional<uint64_t> literal_count(const Expr* e) {
  if (!e || e->kind != ExprKind::Literal) return std::nullopt;
  auto* l = static_cast<const Literal*>(e);
  if (l->literal_kind != LiteralKind::Integer) return std::nullopt;
  uint64_t v = 0;
  auto r = std::from_chars(l->text.data(), l->text.data() + l->text.size(), v);
  if (r.ec != std::errc() || r.ptr != l->text.data() + l->text.size()) return std::nullopt;
  return v;
}

class SelectMerger {
 public:
  SelectMerger(Query& q, SelectCore& s, MergeInfo& m, Arena& arena, WindowMode windows)
      : q_(q), s_(s), m_(m), arena_(arena), windows_(windows) {}

  std::optional<std::string> run() {
    if (s_.into || q_.into || q_.into_after_lock)
      return std::string("SELECT ... INTO over several shards is not supported");
    if (s_.options & kSelCalcFoundRows)
      return std::string("SQL_CALC_FOUND_ROWS over several shards is not supported");
    // (ROLLUP with ORDER BY is the server's error 1221: refused here, the shipped statement
    // answers it.)
    if (s_.with_rollup && (!q_.order_by.empty() || windows_ != WindowMode::kRefuse))
      return std::string(
          "WITH ROLLUP with ORDER BY or window functions over several shards "
          "is not supported");
    // (Each shard would number, rank and sum over its own rows only, unless every partition
    // lives on one shard: window_pushdown.h.)
    if (windows_ == WindowMode::kRefuse) {
      if (!s_.windows.empty())
        return std::string("window functions over several shards are not supported");
      for (const auto& item : s_.items) {
        if (contains_window_function(item.expr))
          return std::string("window functions over several shards are not supported");
      }
      for (const auto& o : q_.order_by) {
        if (contains_window_function(o.expr))
          return std::string("window functions over several shards are not supported");
      }
    }
    if (q_.limit && (q_.limit->rows_examined || q_.limit->with_ties))
      return std::string("this LIMIT form over several shards is not supported");
    if (q_.procedure) return std::string("PROCEDURE over several shards is not supported");

    visible_ = s_.items.size();
    for (uint32_t i = 0; i < visible_; ++i) {
      if (s_.items[i].expr->kind == ExprKind::Star) has_star_ = true;
      item_canon_.push_back(s_.items[i].expr->kind == ExprKind::Star ? std::string()
                                                                     : canonical(s_.items[i].expr));
    }

    if (windows_ == WindowMode::kEngine) {
      if (auto err = plan_windows()) return err;
    }
    // Ordered GROUP_CONCATs first: their ORDER BY keys must lead the extra group columns.
    for (uint32_t i = 0; i < visible_; ++i) {
      Expr* e = s_.items[i].expr;
      if (e->kind != ExprKind::Function) continue;
      auto* f = static_cast<Function*>(e);
      if (aggregate_kind(*f) != AggregateKind::kGroupConcat || f->order.empty()) continue;
      for (uint32_t k = 0; k < f->order.size(); ++k) {
        if (contains_aggregate(f->order[k].expr) ||
            !ordered_decomposition(k, f->order[k].expr, f->order[k].dir == 2))
          break;
      }
    }
    // Aggregates in the select list.
    for (uint32_t i = 0; i < visible_; ++i) {
      Expr* e = s_.items[i].expr;
      // (A window call, or an expression over one: plan_windows took it.)
      if (windows_ == WindowMode::kEngine && contains_window_function(e)) continue;
      if (e->kind == ExprKind::Function) {
        auto* f = static_cast<Function*>(e);
        if (auto kind = aggregate_kind(*f)) {
          if (auto err = add_aggregate(i, *f, *kind)) return err;
          continue;
        }
      }
      AggregateFinder finder;
      finder.expr(e);
      if (finder.unmergeable)
        return "aggregate " + std::string(finder.unmergeable->name) +
               "() cannot be combined across shards";
      if (finder.found) {
        // Recomputed after the merge from hidden aggregates (and group keys).
        ComputedColumn cc;
        cc.column = i;
        cc.value.expr = e;
        if (auto err = map_expr(e, cc.value.columns))
          return "an aggregate inside an expression (" + display(e) +
                 ") cannot be combined across shards: " + *err;
        m_.computed.push_back(std::move(cc));
      }
    }
    bool grouped = !m_.aggregates.empty() || !s_.group_by.empty();
    if (grouped && has_star_)
      return std::string(
          "SELECT * with GROUP BY or aggregates over several shards is not supported");
    m_.grouped = grouped;

    // GROUP BY keys.
    for (auto& g : s_.group_by) {
      auto col = resolve(g.expr, /*prefer_alias=*/false);
      if (!col) return col.error;
      m_.group_by.push_back(col.column);
    }
    // ORDER BY keys.
    for (auto& o : q_.order_by) {
      AggregateFinder finder;
      finder.expr(o.expr);
      Resolved col;
      if (finder.unmergeable) {
        return "aggregate " + std::string(finder.unmergeable->name) +
               "() cannot be combined across shards";
      } else if (!window_columns_.empty() && contains_window_function(o.expr)) {
        col = resolve_window_expression(o.expr);
      } else if (finder.found && o.expr->kind == ExprKind::Function &&
                 aggregate_kind(*static_cast<Function*>(o.expr))) {
        col = resolve_aggregate(static_cast<Function*>(o.expr));
      } else if (finder.found) {
        // Computed after the merge like a select-list expression, in a hidden column (or the
        // select-list column that holds the same expression).
        std::string c = canonical(o.expr);
        std::optional<uint32_t> same;
        for (uint32_t i = 0; i < visible_; ++i) {
          if (item_canon_[i] == c) same = i;
        }
        if (same) {
          col = Resolved(*same);
        } else {
          ComputedColumn cc;
          cc.value.expr = o.expr;
          if (auto err = map_expr(o.expr, cc.value.columns))
            return "ORDER BY on an expression over an aggregate (" + display(o.expr) +
                   ") cannot be combined across shards: " + *err;
          cc.column = append_hidden(o.expr);
          m_.computed.push_back(std::move(cc));
          col = Resolved(m_.computed.back().column);
        }
      } else {
        col = resolve(o.expr, /*prefer_alias=*/true);
      }
      if (!col) return col.error;
      m_.order_by.push_back({col.column, o.dir == 2});
    }
    // HAVING.
    if (s_.having) {
      if (!grouped)
        return std::string(
            "HAVING without GROUP BY or aggregates over several shards is not supported");
      if (auto err = map_expr(s_.having, m_.having.columns)) return err;
      m_.having.expr = s_.having;
      s_.having = nullptr;
    }
    // LIMIT.
    if (q_.limit) {
      if (q_.limit->count) {
        auto c = literal_count(q_.limit->count);
        if (!c) return std::string("LIMIT over several shards needs a literal row count");
        m_.limit = *c;
      }
      if (q_.limit->offset) {
        auto o = literal_count(q_.limit->offset);
        if (!o) return std::string("LIMIT over several shards needs a literal offset");
        m_.offset = *o;
      }
    }
    m_.distinct = (s_.options & (kSelDistinct | kSelDistinctRow)) != 0;
    m_.unnamed_columns = has_star_;

    // Shard-side rewrite.
    if (!m_.windows.empty() && !grouped) {
      // The merge sorts every row for the windows, then again for ORDER BY: the shards need
      // not sort, and LIMIT applies after the windows.
      q_.order_by = {};
      q_.limit = nullptr;
    } else if (grouped) {
      // (With windows too: they run over the merged groups, then ORDER BY sorts again.)
      ArenaVec<OrderItem> order;
      // By position: in ORDER BY a name means the select list's alias first, in GROUP BY the
      // table's column first (`SELECT c AS k, COUNT(*) AS c ... GROUP BY c` grouped by the
      // column but sent shards sorted by the count, and the streaming merge split groups).
      for (uint32_t col : m_.group_by) {
        const uint32_t position = col >= kHiddenBase ? visible_ + (col - kHiddenBase) : col;
        order.push(arena_, OrderItem{integer(arena_.copy(std::to_string(position + 1))), 0});
      }
      // (GROUP BY b DESC: the server's groups, and ROLLUP's super-aggregates, come descending.)
      for (uint32_t i = 0; i < m_.group_by.size() && i < s_.group_by.size(); ++i)
        order[i].dir = s_.group_by[i].dir;
      // DISTINCT aggregates and ordered GROUP_CONCATs: shards group by their arguments too;
      // the merge then sees each (group, value) once per shard.
      for (auto& d : decomposition_) {
        s_.group_by.push(arena_, OrderItem{d.expr, 0});
        order.push(arena_, OrderItem{d.expr, uint8_t(d.descending ? 2 : 0)});
      }
      for (uint32_t i = 0; i < m_.group_by.size(); ++i)
        m_.shard_order.push_back({m_.group_by[i], order[i].dir == 2});
      for (auto& d : decomposition_) m_.shard_order.push_back({d.column, d.descending});
      q_.order_by = order;
      q_.limit = nullptr;
    } else if (m_.distinct) {
      for (auto& k : m_.order_by) m_.shard_order.push_back(k);
      q_.limit = nullptr;
    } else {
      m_.shard_order = m_.order_by;
      if (q_.limit && m_.limit) {
        // Each shard returns at most offset + count rows; the merge skips the offset.
        auto* lim = arena_.make<Limit>();
        auto* lit = arena_.make<Literal>();
        lit->literal_kind = LiteralKind::Integer;
        lit->text = arena_.copy(std::to_string(m_.offset + *m_.limit));
        lim->count = lit;
        q_.limit = lim;
      } else {
        q_.limit = nullptr;
      }
    }
    add_collation_columns();
    if (s_.with_rollup) {
      if (auto err = plan_rollup()) return err;
    }
    m_.hidden_columns = hidden_;
    return std::nullopt;
  }

 private:
  struct Resolved {
    Resolved() = default;
    Resolved(uint32_t c) : column(c) {}  // NOLINT: a found column converts implicitly
    uint32_t column = 0;
    std::string error;
    bool ok = true;
    explicit operator bool() const { return ok; }
  };
  static Resolved fail(std::string e) {
    Resolved r;
    r.ok = false;
    r.error = std::move(e);
    return r;
  }

  uint32_t append_hidden(Expr* e) {
    hidden_exprs_.push_back(e);
    SelectItem item{};
    item.expr = e;
    item.alias.name = arena_.copy("__tessera_h" + std::to_string(hidden_));
    item.alias.quoted = true;
    item.as_keyword = true;
    s_.items.push(arena_, item);
    return kHiddenBase + hidden_++;
  }

  // The expression a result column holds; nullptr when unknown (a visible column of `*`).
  Expr* expr_of(uint32_t column) const {
    if (column >= kHiddenBase) return hidden_exprs_[column - kHiddenBase];
    if (has_star_ || column >= visible_) return nullptr;
    return s_.items[column].expr;
  }

  static bool is_numeric_aggregate(const Expr* e) {
    if (e->kind != ExprKind::Function) return false;
    auto kind = aggregate_kind(*static_cast<const Function*>(e));
    return kind == AggregateKind::kCount || kind == AggregateKind::kSum ||
           kind == AggregateKind::kAvg || is_bits_or_variance(kind);
  }
  static bool is_bits_or_variance(std::optional<AggregateKind> kind) {
    return kind == AggregateKind::kBitAnd || kind == AggregateKind::kBitOr ||
           kind == AggregateKind::kBitXor || kind == AggregateKind::kVarPop ||
           kind == AggregateKind::kVarSamp || kind == AggregateKind::kStddevPop ||
           kind == AggregateKind::kStddevSamp;
  }

  // GROUP BY ... WITH ROLLUP, rolled up by the merge (exec/group_merge.h): the shards group
  // without it, and each group key's columns are NULL in the super-aggregate rows. Only shapes
  // whose super-aggregate rows the server defines by the keys and aggregates alone: every
  // visible column a group key (named once), an aggregate or an expression over aggregates and
  // keys. (The server writes a column outside the keys from some row of the last group, and a
  // key named twice NULL in one place only.)
  std::optional<std::string> plan_rollup() {
    const std::string refused = "WITH ROLLUP over several shards: ";
    if (s_.group_by.empty()) return refused + "no GROUP BY";
    // A GROUP_CONCAT ordered by (or de-duplicating, which orders by) its argument gets each
    // group's values in that order from the shards; a super-aggregate's would need a sort.
    bool ordered_concat = false;
    for (auto& d : decomposition_) ordered_concat |= d.ordered;
    for (auto& a : m_.aggregates) ordered_concat |= a.kind == AggregateKind::kGroupConcatDistinct;
    if (ordered_concat) return refused + "GROUP_CONCAT with DISTINCT or ORDER BY";
    auto canon_of = [&](uint32_t c) -> std::string {
      Expr* e = expr_of(c);
      return e ? canonical(e) : std::string();
    };
    std::vector<bool> aggregate_or_computed(visible_, false);
    for (auto& a : m_.aggregates) {
      if (a.column < visible_) aggregate_or_computed[a.column] = true;
    }
    for (auto& cc : m_.computed) {
      if (cc.column < visible_) aggregate_or_computed[cc.column] = true;
    }
    std::vector<uint32_t> key_columns;  // every column holding some key
    for (uint32_t key : m_.group_by) {
      std::string canon = canon_of(key);
      if (canon.empty()) return refused + "a group key the merge cannot name";
      auto& columns = m_.rollup.emplace_back();
      columns.push_back(key);
      for (uint32_t i = 0; i < visible_; ++i) {
        if (i != key && item_canon_[i] == canon) return refused + "a group key selected twice";
      }
      for (uint32_t h = 0; h < hidden_; ++h) {
        if (kHiddenBase + h != key && canonical(hidden_exprs_[h]) == canon)
          columns.push_back(kHiddenBase + h);
      }
      for (auto [column, weight] : m_.weight_columns) {
        if (std::find(columns.begin(), columns.end(), column) != columns.end())
          columns.push_back(weight);
      }
      key_columns.insert(key_columns.end(), columns.begin(), columns.end());
    }
    auto is_key = [&](uint32_t c) {
      return std::find(key_columns.begin(), key_columns.end(), c) != key_columns.end();
    };
    for (uint32_t i = 0; i < visible_; ++i) {
      if (!aggregate_or_computed[i] && !is_key(i))
        return refused + "column " + display(s_.items[i].expr) + " is neither a group key nor " +
               "an aggregate";
    }
    auto only_keys = [&](const decltype(m_.having)& h) {
      for (auto [e, c] : h.columns) {
        if (e->kind == ExprKind::Column && !is_key(c)) return false;
      }
      return true;
    };
    for (auto& cc : m_.computed) {
      if (!only_keys(cc.value)) return refused + "an expression over a column not grouped by";
    }
    if (!only_keys(m_.having)) return refused + "HAVING on a column not grouped by";
    s_.with_rollup = false;  // the shards group; the merge rolls up
    return std::nullopt;
  }

  // Every column the merge orders, groups, de-duplicates or takes the MIN/MAX of gets a hidden
  // COLLATION(expr): the collation the server compares it by, which the result metadata does
  // not carry. The merge reads it from the first row. COLLATION() is constant for the
  // statement, so ONLY_FULL_GROUP_BY accepts it over any expression in grouped queries (and
  // wrapping it in MIN() would not do: MIN refuses a CONCAT of two collations, derivation NONE).
  void add_collation_columns() {
    std::vector<uint32_t> cols;
    auto want = [&](uint32_t c) {
      if (std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
    };
    for (auto g : m_.group_by) want(g);
    for (auto& k : m_.order_by) want(k.column);
    for (auto& k : m_.shard_order) want(k.column);
    for (auto& a : m_.aggregates) {
      if (a.kind == AggregateKind::kMin || a.kind == AggregateKind::kMax) want(a.column);
      if (a.kind == AggregateKind::kCountDistinct || a.kind == AggregateKind::kSumDistinct ||
          a.kind == AggregateKind::kAvgDistinct || a.kind == AggregateKind::kGroupConcatDistinct)
        want(a.argument_column);
      for (auto c : a.more_arguments) want(c);
      // A GROUP_CONCAT a computed column reads (UPPER(GROUP_CONCAT(s))): its collation picks
      // the evaluator's case map.
      if (a.kind == AggregateKind::kGroupConcat || a.kind == AggregateKind::kGroupConcatDistinct) {
        for (auto& cc : m_.computed) {
          for (auto& mapped : cc.value.columns) {
            if (mapped.second == a.column) want(a.column);
          }
        }
      }
    }
    if (m_.distinct) {
      for (uint32_t i = 0; i < visible_; ++i) want(i);
    }
    for (const auto& w : m_.windows) {
      for (auto c : w.partition) want(c);
      for (auto& k : w.order) want(k.column);
      for (auto& f : w.functions) {
        if (f.kind == exec::WindowKind::kMin || f.kind == exec::WindowKind::kMax) want(f.argument);
      }
    }
    for (uint32_t c : cols) {
      Expr* e = expr_of(c);
      if (!e || e->kind == ExprKind::Star || e->kind == ExprKind::Literal ||
          is_numeric_aggregate(e))
        continue;
      // "<collation> <HEX(WEIGHT_STRING(' ') in it)>[ expr]": the space's weights are the padding a
      // PAD SPACE collation compares weight strings with. COALESCE(LEFT(e, 0), '') is an empty
      // string of e's collation even where e is NULL.
      Expr* space =
          call("CONCAT",
               {call("COALESCE", {call("LEFT", {e, integer("0")}), string("''")}), string("' '")});
      // A trailing " expr" says e is not a bare column: MariaDB's ORDER BY sorts an expression
      // in an 8-bit `_bin` collation NO PAD ('a' < 'a\t' < 'a '), a column PAD SPACE.
      bool column = e->kind == ExprKind::Column;
      Expr* info = call("CONCAT", {call("COLLATION", {e}), string("' '"),
                                   call("HEX", {call("WEIGHT_STRING", {space})}),
                                   string(column ? "''" : "' expr'")});
      m_.collation_columns.emplace_back(c, append_hidden(info));
      m_.weight_columns.emplace_back(c, append_hidden(weight_column(e)));
    }
  }

  // IF(<the merge compares e exactly itself>, NULL, WEIGHT_STRING(e)): the merge's own tables
  // (Collation::native_names()) read UTF-8 cells only, so any other result charset also gets
  // the weights; where they are NULL the merge never looks (it decides the same way from the
  // collation name and the result column's charset).
  Expr* weight_column(Expr* e) {
    auto* native = arena_.make<InList>();
    native->operand = call("COLLATION", {e});
    for (const auto& n : exec::Collation::native_names()) {
      if (n != "binary") native->items.push(arena_, string("'" + n + "'"));
    }
    auto* results = arena_.make<InList>();
    auto* var = arena_.make<Variable>();
    var->system = true;
    var->text = "@@character_set_results";
    results->operand = var;
    for (const char* cs : {"'utf8mb4'", "'utf8mb3'", "'utf8'"})
      results->items.push(arena_, string(cs));
    auto* utf8_native = arena_.make<Binary>();
    utf8_native->op = BinaryOp::And;
    utf8_native->left = native;
    utf8_native->right = results;
    auto* is_binary = arena_.make<Binary>();
    is_binary->op = BinaryOp::Eq;
    is_binary->left = call("COLLATION", {e});
    is_binary->right = string("'binary'");
    auto* either = arena_.make<Binary>();
    either->op = BinaryOp::Or;
    either->left = is_binary;
    either->right = utf8_native;
    either->parens = 1;
    auto* null = arena_.make<Literal>();
    null->literal_kind = LiteralKind::Null;
    null->text = "NULL";
    return call("IF", {either, null, call("WEIGHT_STRING", {e})});
  }

  Function* call(std::string_view name, std::initializer_list<Expr*> args) {
    auto* f = arena_.make<Function>();
    f->name = name;
    for (Expr* a : args) f->args.push(arena_, a);
    if (args.size() > 0) f->pos = (*args.begin())->pos;
    return f;
  }
  Literal* string(const std::string& quoted) {
    auto* l = arena_.make<Literal>();
    l->literal_kind = LiteralKind::String;
    l->text = arena_.copy(quoted);
    return l;
  }
  Literal* integer(std::string_view text) {
    auto* l = arena_.make<Literal>();
    l->literal_kind = LiteralKind::Integer;
    l->text = text;
    return l;
  }

  // ---- window functions the merge evaluates (WindowMode::kEngine, exec/window.h) ----
  //
  // Every shard keeps each window call in its select list (computed over its own rows: wrong
  // values, but the server's column definition, which the client gets) and returns, hidden,
  // each call's argument (and LAG / LEAD's default) and the windows' PARTITION BY and ORDER BY
  // expressions. The merge sorts every row by those, computes each call over its partition and
  // overwrites the call's column; an expression over calls is computed after that like one
  // over aggregates. Calls over the same PARTITION BY / ORDER BY share a pass (one sort); each
  // other specification is a pass of its own over the rows the one before it filled. With
  // GROUP BY or aggregates the windows run over the merged groups (after HAVING): an argument
  // or key that is an aggregate is a merged aggregate column, an expression over aggregates a
  // column computed before the windows. Refused here (the statement is then shipped to one
  // server): `*`, EXCLUDE, DISTINCT or GROUP_CONCAT inside a window, an INTERVAL offset.
  std::optional<std::string> plan_windows() {
    const std::string refused = "window functions over several shards: ";
    if (has_star_) return refused + "SELECT * with window functions is not supported";
    std::vector<const Function*> calls;
    for (uint32_t i = 0; i < visible_; ++i) window_functions(s_.items[i].expr, calls);
    for (const auto& o : q_.order_by) window_functions(o.expr, calls);
    if (calls.empty()) return refused + "a WINDOW clause no function uses is not supported";
    std::vector<std::string> shapes;  // each pass's PARTITION BY and ORDER BY, as text
    std::vector<std::pair<std::string, uint32_t>> key_columns;
    auto key_column = [&](Expr* e) -> Resolved {
      std::string c = canonical(e);
      for (auto& [canon, col] : key_columns) {
        if (canon == c) return Resolved(col);
      }
      auto col = window_value(e);
      if (col) key_columns.emplace_back(c, col.column);
      return col;
    };
    for (const Function* f : calls) {
      auto chain = window_chain(*f, s_);
      if (chain.empty()) return refused + "an unknown window name";
      const auto& partition = chain.back()->partition;
      const sql::ArenaVec<OrderItem>* order = nullptr;
      const WindowFrame* frame = nullptr;
      for (const auto* w : chain) {
        if (!order && !w->order.empty()) order = &w->order;
        if (!frame && w->frame) frame = w->frame;
      }
      std::string this_shape;
      for (auto* p : partition) this_shape += canonical(p) + ",";
      this_shape += "|";
      if (order) {
        for (const auto& o : *order) this_shape += canonical(o.expr) + (o.dir == 2 ? " d," : ",");
      }
      size_t pass = std::find(shapes.begin(), shapes.end(), this_shape) - shapes.begin();
      if (pass == shapes.size()) {
        exec::engine::WindowInfo info;
        for (auto* p : partition) {
          auto col = key_column(p);
          if (!col) return refused + col.error;
          info.partition.push_back(col.column);
        }
        if (order) {
          for (const auto& o : *order) {
            auto col = key_column(o.expr);
            if (!col) return refused + col.error;
            info.order.push_back({col.column, o.dir == 2});
          }
        }
        shapes.push_back(this_shape);
        m_.windows.push_back(std::move(info));
      }
      exec::engine::WindowFunctionInfo wf;
      if (auto err = window_function(*f, frame, !!order, wf)) return refused + *err;
      // The call's column: the select-list item it is, or a hidden copy.
      std::optional<uint32_t> column;
      for (uint32_t i = 0; i < visible_; ++i) {
        if (s_.items[i].expr == f) column = i;
      }
      if (!column) column = append_hidden(const_cast<Function*>(f));
      wf.column = *column;
      window_columns_.emplace_back(f, *column);
      m_.windows[pass].functions.push_back(wf);
    }
    // Select-list expressions over window results: computed once the windows are filled.
    for (uint32_t i = 0; i < visible_; ++i) {
      Expr* e = s_.items[i].expr;
      if (e->kind == ExprKind::Function && static_cast<Function*>(e)->over) continue;
      if (e->kind == ExprKind::Function && !static_cast<Function*>(e)->over_name.empty()) continue;
      if (!contains_window_function(e)) continue;
      ComputedColumn cc;
      cc.column = i;
      cc.value.expr = e;
      cc.after_windows = true;
      if (auto err = map_expr(e, cc.value.columns)) return refused + *err;
      m_.computed.push_back(std::move(cc));
    }
    return std::nullopt;
  }

  // The column holding a window's argument or key: an aggregate's merged column, a column
  // computed before the windows for an expression over aggregates, else a hidden copy (in a
  // grouped statement an expression of the group keys, the same on every row of a group).
  Resolved window_value(Expr* e) {
    if (!contains_aggregate(e)) return Resolved(append_hidden(e));
    std::string why;
    if (!plain_aggregates(e, why)) return fail(why);
    if (e->kind == ExprKind::Function && aggregate_kind(*static_cast<Function*>(e)))
      return resolve_aggregate(static_cast<Function*>(e));
    ComputedColumn cc;
    cc.value.expr = e;
    if (auto err = map_expr(e, cc.value.columns)) return fail(*err);
    cc.column = append_hidden(e);
    m_.computed.push_back(std::move(cc));
    return Resolved(m_.computed.back().column);
  }

  // Only COUNT / SUM / AVG / MIN / MAX without DISTINCT inside a window: the others take
  // shard-side grouping columns (decomposition) the select list's own aggregates order.
  static bool plain_aggregates(const Expr* e, std::string& why) {
    std::vector<const Function*> calls;
    AggregateFinder finder;
    finder.all = &calls;
    finder.expr(e);
    for (const Function* f : calls) {
      auto kind = aggregate_kind(*f);
      if (f->distinct || (*kind != AggregateKind::kCount && *kind != AggregateKind::kSum &&
                          *kind != AggregateKind::kAvg && *kind != AggregateKind::kMin &&
                          *kind != AggregateKind::kMax)) {
        why = "aggregate " + display(f) + " inside a window function is not supported";
        return false;
      }
    }
    return true;
  }

  // An ORDER BY expression holding window calls: the column of the same call or select-list
  // expression, else a hidden column computed after the windows.
  Resolved resolve_window_expression(Expr* e) {
    std::string c = canonical(e);
    for (uint32_t i = 0; i < visible_; ++i) {
      if (item_canon_[i] == c) return Resolved(i);
    }
    if (e->kind == ExprKind::Function) {
      for (auto [call, column] : window_columns_) {
        if (call == e) return Resolved(column);
      }
    }
    ComputedColumn cc;
    cc.value.expr = e;
    if (auto err = map_expr(e, cc.value.columns))
      return fail("ORDER BY " + display(e) + " over several shards: " + *err);
    cc.column = append_hidden(e);
    m_.computed.push_back(std::move(cc));
    return Resolved(m_.computed.back().column);
  }

  // The column of a window function's argument (see window_value).
  std::optional<uint32_t> argument_column(Expr* e, std::string& why) {
    auto r = window_value(e);
    if (!r) {
      why = r.error;
      return std::nullopt;
    }
    return r.column;
  }

  std::optional<std::string> window_function(const Function& f, const WindowFrame* frame,
                                             bool ordered, exec::engine::WindowFunctionInfo& wf) {
    using exec::WindowKind;
    const std::string_view n = f.name;
    const size_t argc = f.args.size();
    if (f.distinct || !f.schema.empty() || !f.order.empty())
      return "function " + display(&f) + " is not supported";
    auto positive = [&](const Expr* e) -> std::optional<uint64_t> {
      auto v = literal_count(e);
      if (!v || *v == 0) return std::nullopt;
      return v;
    };
    bool framed = false;
    if (f.form == FunctionForm::CountStar) {
      wf.kind = WindowKind::kCountStar;
      framed = true;
    } else if (same_name(n, "row_number") && argc == 0) {
      wf.kind = WindowKind::kRowNumber;
    } else if (same_name(n, "rank") && argc == 0) {
      wf.kind = WindowKind::kRank;
    } else if (same_name(n, "dense_rank") && argc == 0) {
      wf.kind = WindowKind::kDenseRank;
    } else if (same_name(n, "percent_rank") && argc == 0) {
      wf.kind = WindowKind::kPercentRank;
    } else if (same_name(n, "cume_dist") && argc == 0) {
      wf.kind = WindowKind::kCumeDist;
    } else if (same_name(n, "ntile") && argc == 1) {
      wf.kind = WindowKind::kNtile;
      auto b = positive(f.args[0]);
      if (!b) return std::string("NTILE of anything but a positive integer literal");
      wf.n = *b;
    } else if ((same_name(n, "lag") || same_name(n, "lead")) && argc >= 1 && argc <= 3) {
      wf.kind = same_name(n, "lag") ? WindowKind::kLag : WindowKind::kLead;
      if (argc >= 2) {
        auto o = literal_count(f.args[1]);
        if (!o) return std::string("LAG / LEAD with an offset that is not an integer literal");
        wf.n = *o;
      }
      if (argc == 3) {
        std::string why;
        wf.default_column = argument_column(f.args[2], why);
        if (!wf.default_column) return why;
      }
    } else if (same_name(n, "first_value") && argc == 1) {
      wf.kind = WindowKind::kFirstValue;
      framed = true;
    } else if (same_name(n, "last_value") && argc == 1) {
      wf.kind = WindowKind::kLastValue;
      framed = true;
    } else if (same_name(n, "nth_value") && argc == 2) {
      wf.kind = WindowKind::kNthValue;
      auto v = positive(f.args[1]);
      if (!v) return std::string("NTH_VALUE of anything but a positive integer literal");
      wf.n = *v;
      framed = true;
    } else if (argc == 1 && (same_name(n, "count") || same_name(n, "sum") || same_name(n, "avg") ||
                             same_name(n, "min") || same_name(n, "max"))) {
      wf.kind = same_name(n, "count") ? WindowKind::kCount
                : same_name(n, "sum") ? WindowKind::kSum
                : same_name(n, "avg") ? WindowKind::kAvg
                : same_name(n, "min") ? WindowKind::kMin
                                      : WindowKind::kMax;
      framed = true;
    } else {
      return "window function " + std::string(n) + "() is not supported";
    }
    if (argc >= 1 && wf.kind != WindowKind::kNtile) {
      std::string why;
      auto col = argument_column(f.args[0], why);
      if (!col) return why;
      wf.argument = *col;
    }
    if (frame && framed) {
      if (frame->exclude != 0) return std::string("EXCLUDE in a window frame is not supported");
      exec::WindowFrame fr;
      fr.rows = frame->unit == 0;
      auto bound = [&](const FrameBound& b, exec::WindowBound& out) -> bool {
        using T = exec::WindowBound::Type;
        static constexpr T kTypes[] = {T::kUnboundedPreceding, T::kPreceding, T::kCurrentRow,
                                       T::kFollowing, T::kUnboundedFollowing};
        if (b.type > 4) return false;
        out.type = kTypes[b.type];
        if (b.type == 1 || b.type == 3) {
          if (fr.rows) {
            auto v = literal_count(b.value);
            if (!v) return false;
            out.offset = *v;
          } else {
            // RANGE: a number (the merge checks at run time that the key is one too).
            if (!b.value || b.value->kind != ExprKind::Literal) return false;
            auto* l = static_cast<const Literal*>(b.value);
            if (l->literal_kind != LiteralKind::Integer && l->literal_kind != LiteralKind::Decimal)
              return false;
            out.range_offset = std::string(l->text);
          }
        }
        return true;
      };
      if (!bound(frame->start, fr.start))
        return std::string(
            "a window frame bound that is not an integer literal (or a RANGE offset that is "
            "not a number)");
      if (frame->between) {
        if (!bound(frame->end, fr.end))
          return std::string(
              "a window frame bound that is not an integer literal (or a RANGE offset that is "
              "not a number)");
      } else {
        fr.end = exec::WindowBound{exec::WindowBound::Type::kCurrentRow, 0, {}};
      }
      // (RANGE without ORDER BY: every row is the current row's peer.)
      (void)ordered;
      wf.frame = fr;
    }
    return std::nullopt;
  }

  // Finds (or adds) the result column for a GROUP BY / ORDER BY expression.
  Resolved resolve(Expr* e, bool prefer_alias) {
    if (auto pos = literal_count(e)) {
      // With `*` the column count is unknown, but a position must still stay below the
      // hidden-column range (and within 32 bits).
      if (*pos < 1 || *pos > (has_star_ ? uint64_t(kHiddenBase) : uint64_t(visible_)))
        return fail("unknown column position " + std::to_string(*pos));
      return Resolved(uint32_t(*pos - 1));
    }
    if (!has_star_) {
      if (prefer_alias && e->kind == ExprKind::Column && static_cast<ColumnRef*>(e)->n == 1) {
        auto name = static_cast<ColumnRef*>(e)->column().name;
        for (uint32_t i = 0; i < visible_; ++i) {
          if (!s_.items[i].alias.empty() && same_name(s_.items[i].alias.name, name))
            return Resolved(i);
        }
      }
      std::string c = canonical(e);
      for (uint32_t i = 0; i < visible_; ++i) {
        if (item_canon_[i] == c) return Resolved(i);
      }
      if (!prefer_alias && e->kind == ExprKind::Column && static_cast<ColumnRef*>(e)->n == 1) {
        auto name = static_cast<ColumnRef*>(e)->column().name;
        for (uint32_t i = 0; i < visible_; ++i) {
          if (!s_.items[i].alias.empty() && same_name(s_.items[i].alias.name, name))
            return Resolved(i);
        }
      }
    }
    return Resolved(append_hidden(e));
  }

  Resolved resolve_aggregate(Function* f) {
    std::string c = canonical(f);
    auto kind = aggregate_kind(*f);
    // A visible STDDEV / VARIANCE is shown rounded to its type's decimals; expressions read a
    // hidden copy with every digit.
    bool rounded = kind == AggregateKind::kVarPop || kind == AggregateKind::kVarSamp ||
                   kind == AggregateKind::kStddevPop || kind == AggregateKind::kStddevSamp;
    for (uint32_t i = 0; i < visible_ && !rounded; ++i) {
      if (item_canon_[i] == c) return Resolved(i);
    }
    for (auto& [canon, col] : hidden_aggregates_) {
      if (canon == c) return Resolved(col);
    }
    uint32_t col = append_hidden(f);
    if (auto err = add_aggregate(col, *f, *kind)) return fail(*err);
    hidden_aggregates_.emplace_back(c, col);
    return Resolved(col);
  }

  Function* make_function(std::string_view name, const Function& like, bool count_star = false) {
    auto* f = arena_.make<Function>();
    f->name = name;
    f->pos = like.pos;
    if (count_star) {
      f->form = FunctionForm::CountStar;
    } else {
      for (auto* a : like.args) f->args.push(arena_, a);
    }
    return f;
  }

  // Adds `e` to the columns every shard also groups by (and orders by, after the group keys).
  // GROUP_CONCAT(... ORDER BY x) needs its x first among them, so values reach the merge in
  // x order within each group.
  std::optional<uint32_t> decomposition_column(Expr* e, bool descending, bool must_be_first) {
    std::string c = canonical(e);
    for (size_t i = 0; i < decomposition_.size(); ++i) {
      auto& d = decomposition_[i];
      if (d.canon != c) continue;
      if (must_be_first && (i != 0 || d.descending != descending || d.ordered)) return std::nullopt;
      if (must_be_first) d.ordered = true;
      return d.column;
    }
    if (must_be_first && !decomposition_.empty()) return std::nullopt;
    Decomposition d;
    d.canon = c;
    d.expr = e;
    d.descending = descending;
    d.ordered = must_be_first;
    d.column = append_hidden(e);
    decomposition_.push_back(d);
    return d.column;
  }

  // The i-th ORDER BY key of a GROUP_CONCAT must be the i-th decomposition column.
  std::optional<uint32_t> ordered_decomposition(uint32_t i, Expr* e, bool descending) {
    std::string c = canonical(e);
    if (i < decomposition_.size()) {
      auto& d = decomposition_[i];
      if (d.canon != c || d.descending != descending || !d.ordered) return std::nullopt;
      return d.column;
    }
    if (i != decomposition_.size()) return std::nullopt;
    for (auto& d : decomposition_) {
      if (!d.ordered) return std::nullopt;  // an unordered DISTINCT argument came first
    }
    Decomposition d;
    d.canon = c;
    d.expr = e;
    d.descending = descending;
    d.ordered = true;
    d.column = append_hidden(e);
    decomposition_.push_back(d);
    return d.column;
  }

  std::optional<std::string> add_aggregate(uint32_t column, Function& f, AggregateKind kind) {
    if (f.limit) return std::string("GROUP_CONCAT ... LIMIT over several shards is not supported");
    AggregateColumn a;
    a.column = column;
    a.kind = kind;
    bool bits = kind == AggregateKind::kBitAnd || kind == AggregateKind::kBitOr ||
                kind == AggregateKind::kBitXor;
    bool variance = kind == AggregateKind::kVarPop || kind == AggregateKind::kVarSamp ||
                    kind == AggregateKind::kStddevPop || kind == AggregateKind::kStddevSamp;
    if (bits || variance) {
      if (f.distinct || f.args.size() != 1)
        return "aggregate " + display(&f) + " over several shards is not supported";
      if (variance) {
        // COUNT(x), SUM(x) and SUM(x*x) per shard: exact for integers and decimals.
        a.count_column = append_hidden(make_function("COUNT", f));
        a.sum_column = append_hidden(make_function("SUM", f));
        auto* square = arena_.make<Binary>();
        square->op = BinaryOp::Mul;
        square->left = f.args[0];
        square->right = f.args[0];
        square->parens = 1;
        auto* sumsq = arena_.make<Function>();
        sumsq->name = "SUM";
        sumsq->pos = f.pos;
        sumsq->args.push(arena_, square);
        a.sumsq_column = append_hidden(sumsq);
      }
      m_.aggregates.push_back(std::move(a));
      return std::nullopt;
    }
    if (kind == AggregateKind::kCount && f.distinct && f.args.size() > 1) {
      // COUNT(DISTINCT a, b): shards group by every argument, the merge counts the tuples.
      a.kind = AggregateKind::kCountDistinct;
      for (uint32_t i = 0; i < f.args.size(); ++i) {
        auto col = decomposition_column(f.args[i], false, false);
        if (!col) return std::string("internal error: decomposition column");
        if (i == 0) {
          a.argument_column = *col;
        } else {
          a.more_arguments.push_back(*col);
        }
      }
      m_.aggregates.push_back(std::move(a));
      return std::nullopt;
    }
    if (kind == AggregateKind::kGroupConcat) {
      if (f.separator) {
        if (f.separator->kind != ExprKind::Literal)
          return std::string("GROUP_CONCAT SEPARATOR must be a string literal");
        a.separator.clear();
        decode_string_literal(static_cast<Literal*>(f.separator)->text, a.separator);
      }
      if (!f.order.empty()) {
        // Shards also group by the ORDER BY expressions, first among the extra group columns;
        // each shard's partial then covers one (group, order values) combination, and the
        // k-way merge delivers the partials in that order.
        if (f.distinct && (f.args.size() != 1 || f.order.size() != 1 ||
                           canonical(f.order[0].expr) != canonical(f.args[0])))
          return std::string(
              "GROUP_CONCAT(DISTINCT ...) over several shards can only be ordered "
              "by its own single argument");
        for (uint32_t i = 0; i < f.order.size(); ++i) {
          if (contains_aggregate(f.order[i].expr))
            return std::string("GROUP_CONCAT ordered by an aggregate is not supported");
          auto col = ordered_decomposition(i, f.order[i].expr, f.order[i].dir == 2);
          if (!col)
            return std::string(
                "GROUP_CONCATs with different ORDER BY, or with DISTINCT "
                "aggregates of other expressions, cannot be combined across shards");
          if (i == 0) a.argument_column = *col;
        }
        if (f.distinct) a.kind = AggregateKind::kGroupConcatDistinct;
      } else if (f.distinct) {
        if (f.args.size() != 1)
          return "aggregate " + display(&f) + " over several shards needs exactly one argument";
        auto col = decomposition_column(f.args[0], false, false);
        a.argument_column = *col;
        a.kind = AggregateKind::kGroupConcatDistinct;
      }
    } else if (f.distinct) {
      if (f.args.size() != 1)
        return "aggregate " + display(&f) + " over several shards needs exactly one argument";
      switch (kind) {
        case AggregateKind::kCount:
          a.kind = AggregateKind::kCountDistinct;
          break;
        case AggregateKind::kSum:
          a.kind = AggregateKind::kSumDistinct;
          break;
        case AggregateKind::kAvg:
          a.kind = AggregateKind::kAvgDistinct;
          break;
        case AggregateKind::kMin:
        case AggregateKind::kMax:
          break;  // DISTINCT changes nothing
        default:
          return "aggregate " + display(&f) + " over several shards is not supported";
      }
      if (a.kind != kind) {
        auto col = decomposition_column(f.args[0], false, false);
        if (!col) return std::string("internal error: decomposition column");
        a.argument_column = *col;
      }
    } else if (kind == AggregateKind::kAvg) {
      if (f.args.size() != 1) return std::string("AVG needs one argument");
      a.sum_column = append_hidden(make_function("SUM", f));
      a.count_column = append_hidden(make_function("COUNT", f));
    }
    m_.aggregates.push_back(std::move(a));
    return std::nullopt;
  }

  // Maps every aggregate and column of the HAVING expression to a result column.
  std::optional<std::string> map_expr(Expr* e,
                                      std::vector<std::pair<const Expr*, uint32_t>>& cols) {
    if (!e) return std::nullopt;
    switch (e->kind) {
      case ExprKind::Function: {
        auto* f = static_cast<Function*>(e);
        if (aggregate_kind(*f)) {
          auto r = resolve_aggregate(f);
          if (!r) return r.error;
          cols.emplace_back(e, r.column);
          return std::nullopt;
        }
        if (is_unmergeable_aggregate(*f))
          return "aggregate " + std::string(f->name) + "() cannot be combined across shards";
        for (auto [call, column] : window_columns_) {
          if (call == f) {
            cols.emplace_back(e, column);
            return std::nullopt;
          }
        }
        // Scalar functions the merge's evaluator implements (exec/scalar_expr.h) are
        // evaluated after the merge; any other is refused by name, never approximated.
        bool known = exec::ScalarExpr::function_named(f->name).has_value() ||
                     (same_name(f->name, "mod") && f->args.size() == 2);
        if (!known || f->form != FunctionForm::Plain || !f->schema.empty() || f->over ||
            !f->over_name.empty() || f->distinct)
          return "function " + std::string(f->name) + "() over several shards is not supported";
        for (auto* a : f->args) {
          if (auto err = map_expr(a, cols)) return err;
        }
        return std::nullopt;
      }
      case ExprKind::Case: {
        auto* c = static_cast<Case*>(e);
        if (auto err = map_expr(c->operand, cols)) return err;
        for (auto& w : c->whens) {
          if (auto err = map_expr(w.when, cols)) return err;
          if (auto err = map_expr(w.then, cols)) return err;
        }
        return map_expr(c->else_expr, cols);
      }
      case ExprKind::Cast: {
        auto* c = static_cast<Cast*>(e);
        if (!c->using_charset.empty() || c->array)
          return std::string("CONVERT ... USING over several shards is not supported");
        return map_expr(c->operand, cols);
      }
      case ExprKind::Column: {
        auto r = resolve(e, /*prefer_alias=*/true);
        if (!r) return r.error;
        cols.emplace_back(e, r.column);
        return std::nullopt;
      }
      case ExprKind::Literal:
        return std::nullopt;
      case ExprKind::Unary: {
        auto* u = static_cast<Unary*>(e);
        if (u->op == UnaryOp::BitNot || u->op == UnaryOp::Binary)
          return std::string("this operator over several shards is not supported");
        return map_expr(u->operand, cols);
      }
      case ExprKind::Binary: {
        auto* b = static_cast<Binary*>(e);
        switch (b->op) {
          case BinaryOp::Or:
          case BinaryOp::OrOr:
          case BinaryOp::Xor:
          case BinaryOp::And:
          case BinaryOp::Eq:
          case BinaryOp::NullSafeEq:
          case BinaryOp::Ne:
          case BinaryOp::Lt:
          case BinaryOp::Le:
          case BinaryOp::Gt:
          case BinaryOp::Ge:
          case BinaryOp::Add:
          case BinaryOp::Sub:
          case BinaryOp::Mul:
          case BinaryOp::Div:
          case BinaryOp::IntDiv:
          case BinaryOp::Mod:
            break;
          default:
            return std::string("this operator over several shards is not supported");
        }
        if (auto err = map_expr(b->left, cols)) return err;
        return map_expr(b->right, cols);
      }
      case ExprKind::IsTest: {
        auto* t = static_cast<IsTest*>(e);
        if (t->what != IsWhat::Null)
          return std::string("IS TRUE/FALSE over several shards is not supported");
        return map_expr(t->operand, cols);
      }
      case ExprKind::Between: {
        auto* b = static_cast<Between*>(e);
        if (auto err = map_expr(b->operand, cols)) return err;
        if (auto err = map_expr(b->low, cols)) return err;
        return map_expr(b->high, cols);
      }
      case ExprKind::InList: {
        auto* in = static_cast<InList*>(e);
        if (auto err = map_expr(in->operand, cols)) return err;
        for (auto* x : in->items) {
          if (auto err = map_expr(x, cols)) return err;
        }
        return std::nullopt;
      }
      default:
        return "expression " + display(e) + " over several shards is not supported";
    }
  }

  Query& q_;
  SelectCore& s_;
  MergeInfo& m_;
  Arena& arena_;
  WindowMode windows_ = WindowMode::kRefuse;
  // kEngine: each window call (by node) and the result column the merge fills for it.
  std::vector<std::pair<const Function*, uint32_t>> window_columns_;
  uint32_t visible_ = 0;
  uint32_t hidden_ = 0;
  bool has_star_ = false;
  std::vector<std::string> item_canon_;
  std::vector<Expr*> hidden_exprs_;  // what each hidden column holds
  std::vector<std::pair<std::string, uint32_t>> hidden_aggregates_;
  struct Decomposition {
    std::string canon;
    Expr* expr = nullptr;
    uint32_t column = 0;
    bool descending = false;
    bool ordered = false;  // a GROUP_CONCAT's ORDER BY relies on its position
  };
  std::vector<Decomposition> decomposition_;
};

}  // namespace

std::optional<uint64_t> limit_value(const Expr* e) {
  return literal_count(e);
}

bool contains_aggregate(const Expr* e) {
  AggregateFinder f;
  f.expr(e);
  return f.found;
}

std::optional<std::string> prepare_scatter_select(Query& q, MergeInfo& merge, Arena& arena,
                                                  WindowMode windows) {
  if (!q.body) return std::string("empty query");
  if (q.body->kind == QueryBodyKind::SetOp || q.body->kind == QueryBodyKind::Paren)
    return std::string("UNION/INTERSECT/EXCEPT over several shards is not supported");
  if (q.body->kind != QueryBodyKind::Select)
    return std::string("this query form over several shards is not supported");
  if (q.with) return std::string("WITH over several shards is not supported");
  SelectMerger m(q, *static_cast<SelectCore*>(q.body), merge, arena, windows);
  return m.run();
}

}  // namespace tessera::router
