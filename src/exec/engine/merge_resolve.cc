#include "exec/engine/merge_resolve.h"

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
  HavingBuilder(const HavingInfo& h, std::function<size_t(uint32_t)> resolve)
      : h_(h), resolve_(std::move(resolve)) {}

  std::optional<exec::ScalarExpr> build(const sql::Expr* e) {
    using namespace sql;
    for (auto& [node, col] : h_.columns) {
      if (node == e) return exec::ScalarExpr::column(resolve_(col));
    }
    switch (e->kind) {
      case ExprKind::Literal: {
        auto* l = static_cast<const Literal*>(e);
        switch (l->literal_kind) {
          case LiteralKind::Integer:
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
            return std::nullopt;
        }
      }
      case ExprKind::Unary: {
        auto* u = static_cast<const Unary*>(e);
        auto inner = build(u->operand);
        if (!inner) return std::nullopt;
        if (u->op == UnaryOp::Not || u->op == UnaryOp::Bang)
          return exec::ScalarExpr::logical_not(std::move(*inner));
        if (u->op == UnaryOp::Plus) return inner;
        if (u->op == UnaryOp::Neg)
          return exec::ScalarExpr::arith(exec::ScalarExpr::ArithOp::kSub,
                                         exec::ScalarExpr::int_literal(0), std::move(*inner));
        return std::nullopt;
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
          default:
            return std::nullopt;
        }
      }
      case ExprKind::IsTest: {
        auto* t = static_cast<const IsTest*>(e);
        if (t->what != IsWhat::Null) return std::nullopt;
        auto inner = build(t->operand);
        if (!inner) return std::nullopt;
        return exec::ScalarExpr::is_null(std::move(*inner), t->negated);
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
      default:
        return std::nullopt;
    }
  }

 private:
  const HavingInfo& h_;
  std::function<size_t(uint32_t)> resolve_;
};

}  // namespace

Result<MergeSpec> resolve_merge(const MergeInfo& merge, size_t total_columns,
                                const MergeLimits& limits) {
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
  for (const auto& a : merge.aggregates) {
    AggregateSpec as;
    as.column = resolve(a.column);
    as.kind = a.kind;
    as.sum_column = resolve(a.sum_column);
    as.count_column = resolve(a.count_column);
    as.argument_column = resolve(a.argument_column);
    as.separator = a.separator;
    spec.aggregates.push_back(std::move(as));
  }
  spec.distinct = merge.distinct;
  spec.unnamed_columns = merge.unnamed_columns;
  for (auto [c, name] : merge.collation_columns)
    spec.collation_columns.emplace_back(resolve(c), resolve(name));
  for (auto [c, w] : merge.weight_columns) spec.weight_columns.emplace_back(resolve(c), resolve(w));
  spec.offset = merge.offset;
  spec.limit = merge.limit;
  spec.max_result_rows = limits.max_result_rows;
  spec.max_sort_bytes = limits.max_sort_bytes;
  spec.group_concat_max_len = limits.group_concat_max_len;
  const protocol::ErrorCode not_supported{1235, "42000"};
  if (merge.having.expr) {
    HavingBuilder hb(merge.having, resolve);
    auto h = hb.build(merge.having.expr);
    if (!h)
      return MergeError{not_supported, "this HAVING cannot be evaluated after merging shards"};
    spec.having = std::move(*h);
  }
  for (const auto& cc : merge.computed) {
    HavingBuilder cb(cc.value, resolve);
    auto e = cb.build(cc.value.expr);
    if (!e) {
      return MergeError{not_supported,
                        "this expression over aggregates cannot be computed after merging shards"};
    }
    spec.computed.emplace_back(resolve(cc.column), std::move(*e));
  }
  return spec;
}

}  // namespace tessera::exec::engine
