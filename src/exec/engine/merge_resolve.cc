#include "exec/engine/merge_resolve.h"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sql/ast/expression.h"
#include "sql/writer.h"

namespace tessera::exec::engine {

namespace {

// The planner's HAVING (an AST with its aggregates and columns mapped to result columns)
// as an exec::ScalarExpr. nullopt: a construct the planner should have refused.
class HavingBuilder {
 public:
  // `having`: the statement's HAVING, where the server folds `<NOT NULL column> IS NULL` to
  // false (a rollup row's NULL key then does not pass it); a select-list expression is not.
  HavingBuilder(const HavingInfo& h, const MergeInfo& merge,
                std::function<size_t(uint32_t)> resolve, bool having = false)
      : h_(h), merge_(merge), resolve_(std::move(resolve)), having_(having) {}

  // What build() could not translate, for the refusal's message.
  const std::string& why() const { return why_; }

  std::optional<exec::ScalarExpr> build(const sql::Expr* e) {
    using namespace sql;
    for (auto& [node, col] : h_.columns) {
      if (node != e) continue;
      // AVG is recomputed from its SUM and COUNT with the digits the server's AVG keeps.
      for (const auto& a : merge_.aggregates) {
        if (a.column == col && a.kind == AggregateKind::kAvg)
          return exec::ScalarExpr::average(resolve_(a.sum_column), resolve_(a.count_column),
                                           resolve_(col));
      }
      return exec::ScalarExpr::column(resolve_(col));
    }
    switch (e->kind) {
      case ExprKind::Literal: {
        auto* l = static_cast<const Literal*>(e);
        switch (l->literal_kind) {
          case LiteralKind::Integer:
            return exec::ScalarExpr::integer_literal(l->text);
          case LiteralKind::Decimal:
            return exec::ScalarExpr::decimal_literal(l->text);
          case LiteralKind::Float:
            return exec::ScalarExpr::double_literal(
                std::strtod(std::string(l->text).c_str(), nullptr));
          case LiteralKind::String: {
            std::string s;
            decode_string_literal(l->text, s);
            return exec::ScalarExpr::string_literal(std::move(s));
          }
          case LiteralKind::Null:
            return exec::ScalarExpr::null_literal();
          case LiteralKind::True:
            return exec::ScalarExpr::int_literal(1);
          case LiteralKind::False:
            return exec::ScalarExpr::int_literal(0);
          default:
            return fail("this literal");
        }
      }
      case ExprKind::Unary: {
        auto* u = static_cast<const Unary*>(e);
        auto inner = build(u->operand);
        if (!inner) return std::nullopt;
        if (u->op == UnaryOp::Not || u->op == UnaryOp::Bang)
          return exec::ScalarExpr::logical_not(std::move(*inner));
        if (u->op == UnaryOp::Plus) return inner;
        if (u->op == UnaryOp::Neg) return exec::ScalarExpr::negate(std::move(*inner));
        return fail("this unary operator");
      }
      case ExprKind::Binary: {
        auto* b = static_cast<const Binary*>(e);
        auto l = build(b->left);
        auto r = build(b->right);
        if (!l || !r) return std::nullopt;
        using C = exec::ScalarExpr::CompareOp;
        using A = exec::ScalarExpr::ArithOp;
        switch (b->op) {
          case BinaryOp::And:
            return exec::ScalarExpr::logical_and(std::move(*l), std::move(*r));
          case BinaryOp::Or:
          case BinaryOp::OrOr:
            return exec::ScalarExpr::logical_or(std::move(*l), std::move(*r));
          case BinaryOp::Xor:
            return exec::ScalarExpr::logical_xor(std::move(*l), std::move(*r));
          case BinaryOp::Eq:
            return exec::ScalarExpr::compare(C::kEq, std::move(*l), std::move(*r));
          case BinaryOp::NullSafeEq:
            return exec::ScalarExpr::compare(C::kNullSafeEq, std::move(*l), std::move(*r));
          case BinaryOp::Ne:
            return exec::ScalarExpr::compare(C::kNe, std::move(*l), std::move(*r));
          case BinaryOp::Lt:
            return exec::ScalarExpr::compare(C::kLt, std::move(*l), std::move(*r));
          case BinaryOp::Le:
            return exec::ScalarExpr::compare(C::kLe, std::move(*l), std::move(*r));
          case BinaryOp::Gt:
            return exec::ScalarExpr::compare(C::kGt, std::move(*l), std::move(*r));
          case BinaryOp::Ge:
            return exec::ScalarExpr::compare(C::kGe, std::move(*l), std::move(*r));
          case BinaryOp::Add:
            return exec::ScalarExpr::arith(A::kAdd, std::move(*l), std::move(*r));
          case BinaryOp::Sub:
            return exec::ScalarExpr::arith(A::kSub, std::move(*l), std::move(*r));
          case BinaryOp::Mul:
            return exec::ScalarExpr::arith(A::kMul, std::move(*l), std::move(*r));
          case BinaryOp::Div:
            return exec::ScalarExpr::arith(A::kDiv, std::move(*l), std::move(*r));
          case BinaryOp::IntDiv:
            return exec::ScalarExpr::arith(A::kIntDiv, std::move(*l), std::move(*r));
          case BinaryOp::Mod:
            return exec::ScalarExpr::arith(A::kMod, std::move(*l), std::move(*r));
          default:
            return fail("this operator");
        }
      }
      case ExprKind::IsTest: {
        auto* t = static_cast<const IsTest*>(e);
        if (t->what != IsWhat::Null) return std::nullopt;
        auto inner = build(t->operand);
        if (!inner) return std::nullopt;
        return exec::ScalarExpr::is_null(std::move(*inner), t->negated,
                                         having_ && t->operand->kind == ExprKind::Column);
      }
      case ExprKind::Between: {
        auto* b = static_cast<const Between*>(e);
        auto x = build(b->operand), lo = build(b->low), hi = build(b->high);
        if (!x || !lo || !hi) return std::nullopt;
        return exec::ScalarExpr::between(std::move(*x), std::move(*lo), std::move(*hi), b->negated);
      }
      case ExprKind::InList: {
        auto* in = static_cast<const InList*>(e);
        auto x = build(in->operand);
        if (!x) return std::nullopt;
        std::vector<exec::ScalarExpr> list;
        for (auto* item : in->items) {
          auto v = build(item);
          if (!v) return std::nullopt;
          list.push_back(std::move(*v));
        }
        return exec::ScalarExpr::in_list(std::move(*x), std::move(list), in->negated);
      }
      case ExprKind::Function:
        return function(static_cast<const Function*>(e));
      case ExprKind::Case: {
        auto* c = static_cast<const Case*>(e);
        std::optional<exec::ScalarExpr> operand;
        if (c->operand) {
          operand = build(c->operand);
          if (!operand) return std::nullopt;
        }
        std::vector<std::pair<exec::ScalarExpr, exec::ScalarExpr>> whens;
        for (const auto& w : c->whens) {
          auto when = build(w.when);
          if (!when) return std::nullopt;
          auto then = build(w.then);
          if (!then) return std::nullopt;
          whens.emplace_back(std::move(*when), std::move(*then));
        }
        std::optional<exec::ScalarExpr> otherwise;
        if (c->else_expr) {
          otherwise = build(c->else_expr);
          if (!otherwise) return std::nullopt;
        }
        return exec::ScalarExpr::case_of(std::move(operand), std::move(whens),
                                         std::move(otherwise));
      }
      case ExprKind::Cast: {
        auto* c = static_cast<const Cast*>(e);
        auto target = cast_target(*c);
        if (!target) return std::nullopt;
        auto inner = build(c->operand);
        if (!inner) return std::nullopt;
        return exec::ScalarExpr::cast(std::move(*inner), *target);
      }
      default:
        return fail("this expression");
    }
  }

 private:
  std::nullopt_t fail(std::string what) {
    if (why_.empty()) why_ = std::move(what);
    return std::nullopt;
  }

  std::optional<exec::ScalarExpr> function(const sql::Function* f) {
    using namespace sql;
    std::string name(f->name);
    if (f->form != FunctionForm::Plain || !f->schema.empty() || f->over || !f->over_name.empty() ||
        f->distinct)
      return fail(name + "()");
    std::vector<exec::ScalarExpr> args;
    for (auto* a : f->args) {
      auto v = build(a);
      if (!v) return std::nullopt;
      args.push_back(std::move(*v));
    }
    if (iequals(name, "mod") && args.size() == 2) {
      return exec::ScalarExpr::arith(exec::ScalarExpr::ArithOp::kMod, std::move(args[0]),
                                     std::move(args[1]));
    }
    auto which = exec::ScalarExpr::function_named(name);
    if (!which) return fail(name + "()");
    return exec::ScalarExpr::function(*which, std::move(args));
  }

  static bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(a[i])) !=
          std::tolower(static_cast<unsigned char>(b[i])))
        return false;
    }
    return true;
  }

  // CAST / CONVERT targets the evaluator implements: SIGNED, UNSIGNED, DECIMAL(M,D), CHAR(N),
  // DOUBLE.
  std::optional<exec::CastTarget> cast_target(const sql::Cast& c) {
    const sql::DataType* t = c.type;
    if (!t || !c.using_charset.empty() || c.array || t->binary || !t->charset.empty() ||
        !t->collate.empty())
      return fail("this CAST");
    std::string_view name = t->name;
    std::string_view word = name.substr(0, name.find(' '));
    exec::CastTarget target;
    auto number = [](std::string_view s) -> std::optional<int> {
      int v = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
      return v;
    };
    if (iequals(word, "signed") && !t->has_args) {
      target.kind = exec::CastTarget::Kind::kSigned;
    } else if (iequals(word, "unsigned") && !t->has_args) {
      target.kind = exec::CastTarget::Kind::kUnsigned;
    } else if (iequals(word, "decimal") || iequals(word, "dec")) {
      target.kind = exec::CastTarget::Kind::kDecimal;
      if (t->args.size() > 2) return fail("this CAST");
      if (!t->args.empty()) {
        auto m = number(t->args[0]);
        if (!m) return fail("this CAST");
        target.precision = *m;
      }
      if (t->args.size() == 2) {
        auto d = number(t->args[1]);
        if (!d) return fail("this CAST");
        target.scale = *d;
      }
    } else if (iequals(name, "char")) {
      target.kind = exec::CastTarget::Kind::kChar;
      if (t->args.size() > 1) return fail("this CAST");
      if (t->args.size() == 1) {
        auto n = number(t->args[0]);
        if (!n || *n < 0) return fail("this CAST");
        target.length = static_cast<uint32_t>(*n);
      }
    } else if ((iequals(name, "double") || iequals(name, "double precision")) && !t->has_args) {
      target.kind = exec::CastTarget::Kind::kDouble;
    } else {
      return fail("CAST to " + std::string(name));
    }
    return target;
  }

  const HavingInfo& h_;
  const MergeInfo& merge_;
  std::function<size_t(uint32_t)> resolve_;
  bool having_;
  std::string why_;
};

}  // namespace

Result<MergeSpec> resolve_merge(const MergeInfo& merge, size_t total_columns,
                                const MergeLimits& limits, std::shared_ptr<MemoryBudget> budget) {
  const uint32_t hidden = merge.hidden_columns;
  if (total_columns < hidden) {
    return MergeError{protocol::errc::kUnknownError, "internal error: fewer columns than planned"};
  }
  const size_t visible = total_columns - hidden;
  // Positions at or past kHiddenBase count from the first hidden column: `SELECT *` has a
  // column count only the shards know.
  auto resolve = [visible](uint32_t c) -> size_t {
    return c >= kHiddenBase ? visible + (c - kHiddenBase) : c;
  };
  MergeSpec spec;
  spec.hidden_columns = hidden;
  for (const auto& k : merge.order_by) spec.order_by.push_back({resolve(k.column), k.descending});
  for (const auto& k : merge.shard_order)
    spec.shard_order.push_back({resolve(k.column), k.descending});
  spec.grouped = merge.grouped;
  for (auto g : merge.group_by) spec.group_by.push_back(resolve(g));
  for (const auto& key : merge.rollup) {
    auto& columns = spec.rollup.emplace_back();
    for (auto c : key) columns.push_back(resolve(c));
  }
  for (const auto& a : merge.aggregates) {
    AggregateSpec as;
    as.column = resolve(a.column);
    as.kind = a.kind;
    as.sum_column = resolve(a.sum_column);
    as.count_column = resolve(a.count_column);
    as.argument_column = resolve(a.argument_column);
    as.sumsq_column = resolve(a.sumsq_column);
    for (auto c : a.more_arguments) as.more_arguments.push_back(resolve(c));
    as.separator = a.separator;
    spec.aggregates.push_back(std::move(as));
  }
  for (const auto& window : merge.windows) {
    exec::WindowSpec w;
    for (auto c : window.partition) w.partition.push_back(resolve(c));
    for (const auto& k : window.order) w.order.push_back({resolve(k.column), k.descending});
    for (const auto& f : window.functions) {
      exec::WindowFunction wf;
      wf.kind = f.kind;
      wf.column = resolve(f.column);
      wf.argument = resolve(f.argument);
      if (f.default_column) wf.default_column = resolve(*f.default_column);
      wf.n = f.n;
      wf.frame = f.frame;
      w.functions.push_back(wf);
    }
    spec.windows.push_back(std::move(w));
  }
  spec.distinct = merge.distinct;
  spec.unnamed_columns = merge.unnamed_columns;
  for (auto [c, name] : merge.collation_columns)
    spec.collation_columns.emplace_back(resolve(c), resolve(name));
  for (auto [c, w] : merge.weight_columns) spec.weight_columns.emplace_back(resolve(c), resolve(w));
  spec.offset = merge.offset;
  spec.limit = merge.limit;
  spec.max_result_rows = limits.max_result_rows;
  spec.budget = budget ? std::move(budget) : limits.statement_budget();
  spec.group_concat_max_len = limits.group_concat_max_len;
  const protocol::ErrorCode not_supported{1235, "42000"};
  if (merge.having.expr) {
    HavingBuilder hb(merge.having, merge, resolve, /*having=*/true);
    auto h = hb.build(merge.having.expr);
    if (!h)
      return MergeError{not_supported,
                        "HAVING with " + hb.why() + " cannot be evaluated after merging shards"};
    spec.having = std::move(*h);
  }
  for (const auto& cc : merge.computed) {
    HavingBuilder cb(cc.value, merge, resolve);
    auto e = cb.build(cc.value.expr);
    if (!e) {
      return MergeError{not_supported, cb.why() +
                                           " over aggregates cannot be computed after "
                                           "merging shards"};
    }
    (cc.after_windows ? spec.window_computed : spec.computed)
        .emplace_back(resolve(cc.column), std::move(*e));
  }
  return spec;
}

Result<std::unique_ptr<MergePipeline>> open_merge(
    const MergeInfo& merge, const std::vector<protocol::ColumnDefinition>& columns, size_t shards,
    const MergeLimits& limits, std::shared_ptr<MemoryBudget> budget) {
  auto spec = resolve_merge(merge, columns.size(), limits, std::move(budget));
  if (!spec) return spec.error();
  return MergePipeline::create(std::move(*spec), columns, shards);
}

}  // namespace tessera::exec::engine
