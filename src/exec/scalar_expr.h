// A small expression tree for re-applying HAVING to merged rows (each shard's HAVING alone
// would filter on partial aggregates). The executor builds it from the planner's HAVING,
// with every aggregate and column reference mapped to a merged-row column index.
//
// Semantics follow MySQL: three-valued logic (NULL is unknown), comparisons are numeric when
// both sides are numbers or one is a number and the other a numeric string, and otherwise
// string comparisons under the column's collation (a literal-only comparison uses
// utf8mb4_general_ci). Integer arithmetic that overflows continues exactly in decimal rather
// than failing; division yields a decimal with 4 more digits (div_precision_increment) and
// NULL for a zero divisor.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "exec/decimal.h"
#include "exec/row.h"
#include "exec/value_compare.h"

namespace tessera::exec {

struct SqlValue {
  enum class Kind : uint8_t { kNull, kInt, kDecimal, kDouble, kString };
  Kind kind = Kind::kNull;
  int64_t i = 0;
  Decimal dec;
  double d = 0;
  std::string s;
  // Strings read from a column keep the column's type, so they compare as the column does.
  const ValueType* type = nullptr;

  static SqlValue null() { return {}; }
  static SqlValue integer(int64_t v);
  static SqlValue decimal(Decimal v);
  static SqlValue real(double v);
  static SqlValue string(std::string v, const ValueType* type = nullptr);
  static SqlValue boolean(std::optional<bool> v);  // 1, 0 or NULL

  bool is_null() const { return kind == Kind::kNull; }
  // nullopt for NULL; numbers are true when non-zero, strings when their numeric prefix is.
  std::optional<bool> truth() const;
};

class ScalarExpr {
 public:
  enum class Kind : uint8_t {
    kColumn,
    kLiteral,
    kCompare,
    kAnd,
    kOr,
    kXor,
    kNot,
    kArith,
    kIsNull,
    kIn,
    kBetween,
  };
  enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kNullSafeEq };
  enum class ArithOp : uint8_t { kAdd, kSub, kMul, kDiv };

  static ScalarExpr column(size_t index);
  static ScalarExpr null_literal();
  static ScalarExpr int_literal(int64_t v);
  // "12.50": exact. Invalid text becomes NULL.
  static ScalarExpr decimal_literal(std::string_view text);
  static ScalarExpr double_literal(double v);
  static ScalarExpr string_literal(std::string v);
  static ScalarExpr compare(CompareOp op, ScalarExpr lhs, ScalarExpr rhs);
  static ScalarExpr logical_and(ScalarExpr lhs, ScalarExpr rhs);
  static ScalarExpr logical_or(ScalarExpr lhs, ScalarExpr rhs);
  static ScalarExpr logical_xor(ScalarExpr lhs, ScalarExpr rhs);
  static ScalarExpr logical_not(ScalarExpr e);
  static ScalarExpr arith(ArithOp op, ScalarExpr lhs, ScalarExpr rhs);
  static ScalarExpr is_null(ScalarExpr e, bool negated = false);
  static ScalarExpr in_list(ScalarExpr e, std::vector<ScalarExpr> list, bool negated = false);
  static ScalarExpr between(ScalarExpr e, ScalarExpr low, ScalarExpr high, bool negated = false);

  Kind kind() const { return kind_; }
  // Highest column index referenced, for validating against the row width (nullopt: none).
  std::optional<size_t> max_column() const;
  bool uses_column(size_t column) const;

  // `types` has one entry per row column.
  SqlValue evaluate(const Row& row, std::span<const ValueType> types) const;
  // HAVING keeps a row only when the condition is true (not false, not NULL).
  bool matches(const Row& row, std::span<const ValueType> types) const {
    return evaluate(row, types).truth().value_or(false);
  }

 private:
  Kind kind_ = Kind::kLiteral;
  uint8_t op_ = 0;
  bool negated_ = false;
  size_t column_ = 0;
  SqlValue literal_;
  std::vector<ScalarExpr> args_;
};

// MySQL comparison of two values: nullopt when either is NULL, else <0, 0, >0.
std::optional<int> compare_sql_values(const SqlValue& a, const SqlValue& b);

}  // namespace tessera::exec
