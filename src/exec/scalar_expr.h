// The expression evaluator for merged rows: HAVING re-applied after the merge (each shard's
// HAVING alone would filter on partial aggregates) and select-list / ORDER BY expressions over
// merged aggregates (`ROUND(AVG(x), 1)`, `SUM(a) / COUNT(*)`, `COALESCE(MAX(x), 0)`). The
// executor builds the tree from the planner's AST (exec/engine/merge_resolve.cc), with every
// aggregate and column reference mapped to a merged-row column index.
//
// Semantics follow MariaDB, checked against 10.11:
// - Three-valued logic (NULL is unknown); comparisons are numeric when both sides are numbers
//   or one is a number and the other a numeric string, otherwise string comparisons under the
//   column's collation (a literal-only comparison uses utf8mb4_general_ci).
// - Types are derived once, before the first row, from the shards' column definitions
//   (bind()), as the server types the expression: integer (signed or BIGINT UNSIGNED),
//   DECIMAL with a scale, DOUBLE, string, or a temporal value (only passed through). A value
//   is printed as the server prints its type (DECIMAL rounded half away from zero to the
//   type's scale; DOUBLE in the shortest form, format_double()).
// - DECIMAL values keep the digits the server keeps internally, which are more than it
//   shows: a division's quotient is truncated to whole 9-digit words (1/3 is 0.333333333,
//   shown as 0.3333; Decimal::server_divide), AVG likewise. ROUND, TRUNCATE, CAST and further
//   arithmetic see those digits; comparisons first round each side to its type's scale.
// - Integer arithmetic outside BIGINT (or BIGINT UNSIGNED, when an operand is unsigned) is an
//   error (1690), as on the server; a zero divisor gives NULL.
// The scalar functions are in scalar_functions.cc; what is not implemented is refused by
// bind() (the merge answers 1235 naming it), never approximated.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "exec/decimal.h"
#include "exec/row.h"
#include "exec/value_compare.h"
#include "protocol/column_definition.h"

namespace tessera::exec {

struct SqlValue {
  enum class Kind : uint8_t { kNull, kInt, kDecimal, kDouble, kString, kError };
  Kind kind = Kind::kNull;
  int64_t i = 0;
  bool uns = false;  // kInt: `i` holds a BIGINT UNSIGNED value's bits
  Decimal dec;
  double d = 0;
  std::string s;  // kString; kError: the message
  // Strings read from a column keep the column's type, so they compare as the column does.
  const ValueType* type = nullptr;
  uint16_t error_code = 0;  // kError

  static SqlValue null() { return {}; }
  static SqlValue integer(int64_t v);
  static SqlValue uinteger(uint64_t v);
  static SqlValue decimal(Decimal v);
  static SqlValue real(double v);
  static SqlValue string(std::string v, const ValueType* type = nullptr);
  static SqlValue boolean(std::optional<bool> v);  // 1, 0 or NULL
  static SqlValue error(uint16_t code, std::string message);

  bool is_null() const { return kind == Kind::kNull; }
  bool is_error() const { return kind == Kind::kError; }
  // nullopt for NULL; numbers are true when non-zero, strings when their numeric prefix is.
  std::optional<bool> truth() const;
};

// The static type of an expression, as the server derives it.
struct ExprType {
  enum class Class : uint8_t { kNull, kInt, kDecimal, kDouble, kString, kTemporal };
  Class cls = Class::kNull;
  bool uns = false;  // kInt
  // kDecimal: digits shown after the point. kDouble: the fixed number of digits the server
  // prints it with (ROUND(x, 2), STDDEV's 4 more than its argument's), -1: the shortest form.
  int scale = 0;
  // kString: the column type strings compare by (nullptr: utf8mb4_general_ci). kTemporal: the
  // column's type.
  const ValueType* type = nullptr;
};

// CAST / CONVERT targets the evaluator implements.
struct CastTarget {
  enum class Kind : uint8_t { kSigned, kUnsigned, kDecimal, kChar, kDouble };
  Kind kind = Kind::kSigned;
  int precision = 10;              // kDecimal: M
  int scale = 0;                   // kDecimal: D
  std::optional<uint32_t> length;  // kChar: CHAR(N)
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
    kNeg,
    kFunction,
    kCast,
    kCase,
    kAverage,
  };
  enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kNullSafeEq };
  enum class ArithOp : uint8_t { kAdd, kSub, kMul, kDiv, kIntDiv, kMod };
  enum class Function : uint8_t {
    kRound,
    kTruncate,
    kFloor,
    kCeil,
    kAbs,
    kSign,
    kGreatest,
    kLeast,
    kCoalesce,
    kIfNull,
    kNullIf,
    kIf,
    kConcat,
    kConcatWs,
    kLength,
    kCharLength,
    kUpper,
    kLower,
  };
  // The function a SQL name calls (case-insensitive: "ceiling", "ucase", "nvl" included);
  // nullopt when the evaluator does not implement it.
  static std::optional<Function> function_named(std::string_view name);
  static const char* function_name(Function f);

  static ScalarExpr column(size_t index);
  static ScalarExpr null_literal();
  static ScalarExpr int_literal(int64_t v);
  static ScalarExpr uint_literal(uint64_t v);
  // An integer literal's text: BIGINT, BIGINT UNSIGNED or DECIMAL as the server reads it.
  static ScalarExpr integer_literal(std::string_view text);
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
  static ScalarExpr negate(ScalarExpr e);
  // `fold_not_null`: `<column> IS NULL` in a HAVING, which the server folds to 0 when the
  // column is NOT NULL (its flags say), whatever a rollup row holds there.
  static ScalarExpr is_null(ScalarExpr e, bool negated = false, bool fold_not_null = false);
  static ScalarExpr in_list(ScalarExpr e, std::vector<ScalarExpr> list, bool negated = false);
  static ScalarExpr between(ScalarExpr e, ScalarExpr low, ScalarExpr high, bool negated = false);
  static ScalarExpr function(Function f, std::vector<ScalarExpr> args);
  static ScalarExpr cast(ScalarExpr e, CastTarget target);
  // CASE [operand] WHEN w THEN t ... [ELSE e] END.
  static ScalarExpr case_of(std::optional<ScalarExpr> operand,
                            std::vector<std::pair<ScalarExpr, ScalarExpr>> whens,
                            std::optional<ScalarExpr> otherwise);
  // AVG(x) from its merged SUM(x) and COUNT(x) columns, with the digits the server's AVG
  // keeps (more than the AVG column shows); `avg_column` holds the AVG itself (its type).
  static ScalarExpr average(size_t sum_column, size_t count_column, size_t avg_column);

  Kind kind() const { return kind_; }
  // Highest column index referenced, for validating against the row width (nullopt: none).
  std::optional<size_t> max_column() const;
  bool uses_column(size_t column) const;

  // Derives every node's type from the row's columns (`columns[i]` and `types[i]`, after the
  // merge learnt the collations; `collation_known[i]`: types[i]'s collation is the column's
  // own, not the result charset's default). An error names what is not implemented.
  std::optional<std::string> bind(std::span<const protocol::ColumnDefinition> columns,
                                  std::span<const ValueType> types,
                                  std::span<const bool> collation_known);
  bool bound() const { return bound_; }
  const ExprType& type() const { return type_; }

  // `types` has one entry per row column. kError: the statement fails with it.
  SqlValue evaluate(const Row& row, std::span<const ValueType> types) const;
  // HAVING keeps a row only when the condition is true (not false, not NULL).
  bool matches(const Row& row, std::span<const ValueType> types) const {
    return evaluate(row, types).truth().value_or(false);
  }
  // The text the server sends for `v`, a value of this expression (nullopt: NULL).
  std::optional<std::string> text(const SqlValue& v) const;

 private:
  friend struct ScalarFunctions;

  SqlValue evaluate_function(const Row& row, std::span<const ValueType> types) const;
  SqlValue evaluate_cast(const Row& row, std::span<const ValueType> types) const;
  SqlValue evaluate_case(const Row& row, std::span<const ValueType> types) const;
  std::optional<std::string> bind_node(std::span<const protocol::ColumnDefinition> columns,
                                       std::span<const ValueType> types,
                                       std::span<const bool> collation_known);
  std::optional<std::string> bind_function(std::span<const ValueType> types,
                                           std::span<const bool> collation_known);
  std::optional<std::string> bind_cast();
  std::optional<std::string> bind_case();
  // An AVG (DECIMAL) read as a double here: the server's value then depends on its plan.
  bool avg_read_as_real() const;

  Kind kind_ = Kind::kLiteral;
  uint8_t op_ = 0;
  bool negated_ = false;
  bool fold_not_null_ = false;  // kIsNull: see is_null()
  bool has_operand_ = false;    // kCase
  bool has_else_ = false;       // kCase
  bool bound_ = false;
  size_t column_ = 0;
  size_t column2_ = 0;  // kAverage: count column
  size_t column3_ = 0;  // kAverage: the AVG column
  SqlValue literal_;
  CastTarget cast_;
  ExprType type_;
  std::vector<ScalarExpr> args_;
};

// MySQL comparison of two values: nullopt when either is NULL, else <0, 0, >0.
std::optional<int> compare_sql_values(const SqlValue& a, const SqlValue& b);

// Helpers shared by the evaluator's files.
namespace scalar {
double as_double(const SqlValue& v);
// An exact value as a decimal (integers exactly; doubles by their shortest text).
Decimal as_decimal(const SqlValue& v);
// The server's text of a value of type `t` (unbound: the value's own form).
std::string display(const SqlValue& v, const ExprType* t);
// `v` (of type `from`) as a value of type `to`: integers widened to DECIMAL or DOUBLE,
// numbers to their text for a string type.
SqlValue convert(SqlValue v, const ExprType& from, const ExprType& to);
SqlValue to_number(const SqlValue& v);
// A double with a fixed number of digits after the point, as the server prints a DOUBLE
// whose type fixes them ("%.*f": correctly rounded, like its my_fcvt()).
std::string fixed_double(double v, int decimals);
}  // namespace scalar

}  // namespace tessera::exec
