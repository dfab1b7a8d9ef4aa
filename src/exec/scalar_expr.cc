#include "exec/scalar_expr.h"

#include <charconv>
#include <cmath>

#include "exec/aggregate.h"

namespace tessera::exec {
namespace {

using Kind = SqlValue::Kind;

// The numeric prefix of a string as MySQL converts it in arithmetic ('12abc' -> 12, 'x' -> 0).
double string_to_double(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  double v = 0;
  std::from_chars(s.data() + i, s.data() + s.size(), v);
  return v;
}

// A string that is wholly a number converts for comparisons; anything else stays a string.
std::optional<SqlValue> numeric_string(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && s[b] == ' ') ++b;
  while (e > b && s[e - 1] == ' ') --e;
  std::string_view t = s.substr(b, e - b);
  if (t.empty()) return std::nullopt;
  if (auto d = Decimal::parse(t)) return SqlValue::decimal(*d);
  double v = 0;
  const char* first = t.data();
  if (*first == '+') ++first;
  auto [p, ec] = std::from_chars(first, t.data() + t.size(), v);
  if (ec == std::errc() && p == t.data() + t.size() && std::isfinite(v)) return SqlValue::real(v);
  return std::nullopt;
}

bool is_number(const SqlValue& v) {
  return v.kind == Kind::kInt || v.kind == Kind::kDecimal || v.kind == Kind::kDouble;
}

double as_double(const SqlValue& v) {
  switch (v.kind) {
    case Kind::kInt:
      return static_cast<double>(v.i);
    case Kind::kDecimal:
      return v.dec.to_double();
    case Kind::kDouble:
      return v.d;
    case Kind::kString:
      return string_to_double(v.s);
    case Kind::kNull:
      break;
  }
  return 0;
}

Decimal as_decimal(const SqlValue& v) {
  return v.kind == Kind::kInt ? Decimal::from_int(v.i) : v.dec;
}

std::string as_string(const SqlValue& v) {
  switch (v.kind) {
    case Kind::kInt:
      return std::to_string(v.i);
    case Kind::kDecimal:
      return v.dec.to_string();
    case Kind::kDouble:
      return format_double(v.d);
    case Kind::kString:
      return v.s;
    case Kind::kNull:
      break;
  }
  return {};
}

template <typename T>
int three_way(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int compare_numbers(const SqlValue& a, const SqlValue& b) {
  if (a.kind == Kind::kDouble || b.kind == Kind::kDouble)
    return three_way(as_double(a), as_double(b));
  if (a.kind == Kind::kInt && b.kind == Kind::kInt) return three_way(a.i, b.i);
  return as_decimal(a).compare(as_decimal(b));
}

// Arithmetic operands: strings become numbers (decimal when they are one, else double).
SqlValue to_number(const SqlValue& v) {
  if (v.kind != Kind::kString) return v;
  if (auto n = numeric_string(v.s)) return *n;
  return SqlValue::real(string_to_double(v.s));
}

SqlValue arithmetic(ScalarExpr::ArithOp op, const SqlValue& a0, const SqlValue& b0) {
  using Op = ScalarExpr::ArithOp;
  if (a0.is_null() || b0.is_null()) return SqlValue::null();
  SqlValue a = to_number(a0), b = to_number(b0);
  if (a.kind == Kind::kDouble || b.kind == Kind::kDouble) {
    double x = as_double(a), y = as_double(b);
    switch (op) {
      case Op::kAdd:
        return SqlValue::real(x + y);
      case Op::kSub:
        return SqlValue::real(x - y);
      case Op::kMul:
        return SqlValue::real(x * y);
      case Op::kDiv:
        return y == 0 ? SqlValue::null() : SqlValue::real(x / y);
    }
  }
  if (a.kind == Kind::kInt && b.kind == Kind::kInt && op != Op::kDiv) {
    int64_t r = 0;
    bool overflow = op == Op::kAdd   ? __builtin_add_overflow(a.i, b.i, &r)
                    : op == Op::kSub ? __builtin_sub_overflow(a.i, b.i, &r)
                                     : __builtin_mul_overflow(a.i, b.i, &r);
    if (!overflow) return SqlValue::integer(r);
  }
  Decimal x = as_decimal(a), y = as_decimal(b);
  switch (op) {
    case Op::kAdd:
      return SqlValue::decimal(x + y);
    case Op::kSub:
      return SqlValue::decimal(x - y);
    case Op::kMul:
      return SqlValue::decimal(x * y);
    case Op::kDiv: {
      auto q = Decimal::divide(x, y, x.scale() + 4);
      return q ? SqlValue::decimal(*q) : SqlValue::null();
    }
  }
  return SqlValue::null();
}

std::optional<bool> compare_result(ScalarExpr::CompareOp op, std::optional<int> c) {
  using Op = ScalarExpr::CompareOp;
  if (!c) return std::nullopt;
  switch (op) {
    case Op::kEq:
    case Op::kNullSafeEq:
      return *c == 0;
    case Op::kNe:
      return *c != 0;
    case Op::kLt:
      return *c < 0;
    case Op::kLe:
      return *c <= 0;
    case Op::kGt:
      return *c > 0;
    case Op::kGe:
      return *c >= 0;
  }
  return std::nullopt;
}

std::optional<bool> negate(std::optional<bool> v, bool negated) {
  if (!v || !negated) return v;
  return !*v;
}

const ValueType& default_string_type() {
  static const ValueType t{ValueFamily::kString, Collation::from_id(45)};
  return t;
}

}  // namespace

SqlValue SqlValue::integer(int64_t v) {
  SqlValue r;
  r.kind = Kind::kInt;
  r.i = v;
  return r;
}
SqlValue SqlValue::decimal(Decimal v) {
  SqlValue r;
  r.kind = Kind::kDecimal;
  r.dec = std::move(v);
  return r;
}
SqlValue SqlValue::real(double v) {
  SqlValue r;
  r.kind = Kind::kDouble;
  r.d = v;
  return r;
}
SqlValue SqlValue::string(std::string v, const ValueType* type) {
  SqlValue r;
  r.kind = Kind::kString;
  r.s = std::move(v);
  r.type = type;
  return r;
}
SqlValue SqlValue::boolean(std::optional<bool> v) {
  return v ? integer(*v ? 1 : 0) : null();
}

std::optional<bool> SqlValue::truth() const {
  switch (kind) {
    case Kind::kNull:
      return std::nullopt;
    case Kind::kInt:
      return i != 0;
    case Kind::kDecimal:
      return !dec.is_zero();
    case Kind::kDouble:
      return d != 0;
    case Kind::kString:
      return string_to_double(s) != 0;
  }
  return std::nullopt;
}

std::optional<int> compare_sql_values(const SqlValue& a, const SqlValue& b) {
  if (a.is_null() || b.is_null()) return std::nullopt;
  if (is_number(a) && is_number(b)) return compare_numbers(a, b);
  if (is_number(a) || is_number(b)) {
    const SqlValue& str = is_number(a) ? b : a;
    if (auto n = numeric_string(str.s)) {
      return is_number(a) ? compare_numbers(a, *n) : compare_numbers(*n, b);
    }
  }
  // String comparison under the column's type when one side is a column.
  const ValueType* t = a.type ? a.type : (b.type ? b.type : &default_string_type());
  if (t->numeric()) t = &default_string_type();
  return compare_values(*t, as_string(a), as_string(b));
}

ScalarExpr ScalarExpr::column(size_t index) {
  ScalarExpr e;
  e.kind_ = Kind::kColumn;
  e.column_ = index;
  return e;
}
ScalarExpr ScalarExpr::null_literal() {
  return ScalarExpr();
}
ScalarExpr ScalarExpr::int_literal(int64_t v) {
  ScalarExpr e;
  e.literal_ = SqlValue::integer(v);
  return e;
}
ScalarExpr ScalarExpr::decimal_literal(std::string_view text) {
  ScalarExpr e;
  if (auto d = Decimal::parse(text)) e.literal_ = SqlValue::decimal(*d);
  return e;
}
ScalarExpr ScalarExpr::double_literal(double v) {
  ScalarExpr e;
  e.literal_ = SqlValue::real(v);
  return e;
}
ScalarExpr ScalarExpr::string_literal(std::string v) {
  ScalarExpr e;
  e.literal_ = SqlValue::string(std::move(v));
  return e;
}

ScalarExpr ScalarExpr::compare(CompareOp op, ScalarExpr lhs, ScalarExpr rhs) {
  ScalarExpr e;
  e.kind_ = Kind::kCompare;
  e.op_ = static_cast<uint8_t>(op);
  e.args_.push_back(std::move(lhs));
  e.args_.push_back(std::move(rhs));
  return e;
}

ScalarExpr ScalarExpr::logical_and(ScalarExpr lhs, ScalarExpr rhs) {
  ScalarExpr e;
  e.kind_ = Kind::kAnd;
  e.args_.push_back(std::move(lhs));
  e.args_.push_back(std::move(rhs));
  return e;
}
ScalarExpr ScalarExpr::logical_or(ScalarExpr lhs, ScalarExpr rhs) {
  ScalarExpr e = logical_and(std::move(lhs), std::move(rhs));
  e.kind_ = Kind::kOr;
  return e;
}
ScalarExpr ScalarExpr::logical_xor(ScalarExpr lhs, ScalarExpr rhs) {
  ScalarExpr e = logical_and(std::move(lhs), std::move(rhs));
  e.kind_ = Kind::kXor;
  return e;
}
ScalarExpr ScalarExpr::logical_not(ScalarExpr arg) {
  ScalarExpr e;
  e.kind_ = Kind::kNot;
  e.args_.push_back(std::move(arg));
  return e;
}
ScalarExpr ScalarExpr::arith(ArithOp op, ScalarExpr lhs, ScalarExpr rhs) {
  ScalarExpr e = logical_and(std::move(lhs), std::move(rhs));
  e.kind_ = Kind::kArith;
  e.op_ = static_cast<uint8_t>(op);
  return e;
}
ScalarExpr ScalarExpr::is_null(ScalarExpr arg, bool negated) {
  ScalarExpr e = logical_not(std::move(arg));
  e.kind_ = Kind::kIsNull;
  e.negated_ = negated;
  return e;
}
ScalarExpr ScalarExpr::in_list(ScalarExpr arg, std::vector<ScalarExpr> list, bool negated) {
  ScalarExpr e;
  e.kind_ = Kind::kIn;
  e.negated_ = negated;
  e.args_.push_back(std::move(arg));
  for (auto& item : list) e.args_.push_back(std::move(item));
  return e;
}
ScalarExpr ScalarExpr::between(ScalarExpr arg, ScalarExpr low, ScalarExpr high, bool negated) {
  ScalarExpr e;
  e.kind_ = Kind::kBetween;
  e.negated_ = negated;
  e.args_.push_back(std::move(arg));
  e.args_.push_back(std::move(low));
  e.args_.push_back(std::move(high));
  return e;
}

std::optional<size_t> ScalarExpr::max_column() const {
  std::optional<size_t> m;
  if (kind_ == Kind::kColumn) m = column_;
  for (const auto& a : args_) {
    auto c = a.max_column();
    if (c && (!m || *c > *m)) m = c;
  }
  return m;
}

bool ScalarExpr::uses_column(size_t column) const {
  if (kind_ == Kind::kColumn && column_ == column) return true;
  for (const auto& a : args_) {
    if (a.uses_column(column)) return true;
  }
  return false;
}

SqlValue ScalarExpr::evaluate(const Row& row, std::span<const ValueType> types) const {
  switch (kind_) {
    case Kind::kLiteral:
      return literal_;
    case Kind::kColumn: {
      if (column_ >= row.size() || row.is_null(column_)) return SqlValue::null();
      std::string_view v = row.cell(column_);
      const ValueType* t = column_ < types.size() ? &types[column_] : nullptr;
      if (t && t->numeric()) {
        if (t->family == ValueFamily::kFloat) return SqlValue::real(string_to_double(v));
        if (t->family != ValueFamily::kDecimal) {
          int64_t i = 0;
          auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), i);
          if (ec == std::errc() && p == v.data() + v.size()) return SqlValue::integer(i);
        }
        if (auto d = Decimal::parse(v)) return SqlValue::decimal(*d);  // also big unsigned
      }
      return SqlValue::string(std::string(v), t);
    }
    case Kind::kCompare: {
      SqlValue a = args_[0].evaluate(row, types);
      SqlValue b = args_[1].evaluate(row, types);
      auto op = static_cast<CompareOp>(op_);
      if (op == CompareOp::kNullSafeEq && (a.is_null() || b.is_null())) {
        return SqlValue::boolean(a.is_null() && b.is_null());
      }
      return SqlValue::boolean(compare_result(op, compare_sql_values(a, b)));
    }
    case Kind::kAnd: {
      auto a = args_[0].evaluate(row, types).truth();
      if (a == false) return SqlValue::boolean(false);
      auto b = args_[1].evaluate(row, types).truth();
      if (b == false) return SqlValue::boolean(false);
      if (!a || !b) return SqlValue::null();
      return SqlValue::boolean(true);
    }
    case Kind::kOr: {
      auto a = args_[0].evaluate(row, types).truth();
      if (a == true) return SqlValue::boolean(true);
      auto b = args_[1].evaluate(row, types).truth();
      if (b == true) return SqlValue::boolean(true);
      if (!a || !b) return SqlValue::null();
      return SqlValue::boolean(false);
    }
    case Kind::kXor: {
      auto a = args_[0].evaluate(row, types).truth();
      auto b = args_[1].evaluate(row, types).truth();
      if (!a || !b) return SqlValue::null();
      return SqlValue::boolean(*a != *b);
    }
    case Kind::kNot:
      return SqlValue::boolean(negate(args_[0].evaluate(row, types).truth(), true));
    case Kind::kArith:
      return arithmetic(static_cast<ArithOp>(op_), args_[0].evaluate(row, types),
                        args_[1].evaluate(row, types));
    case Kind::kIsNull:
      return SqlValue::boolean(args_[0].evaluate(row, types).is_null() != negated_);
    case Kind::kIn: {
      SqlValue v = args_[0].evaluate(row, types);
      if (v.is_null()) return SqlValue::null();
      bool saw_null = false;
      for (size_t k = 1; k < args_.size(); ++k) {
        auto c = compare_sql_values(v, args_[k].evaluate(row, types));
        if (!c) {
          saw_null = true;
        } else if (*c == 0) {
          return SqlValue::boolean(!negated_);
        }
      }
      return saw_null ? SqlValue::null() : SqlValue::boolean(negated_);
    }
    case Kind::kBetween: {
      SqlValue v = args_[0].evaluate(row, types);
      auto lo = compare_sql_values(v, args_[1].evaluate(row, types));
      auto hi = compare_sql_values(v, args_[2].evaluate(row, types));
      std::optional<bool> ge = lo ? std::optional<bool>(*lo >= 0) : std::nullopt;
      std::optional<bool> le = hi ? std::optional<bool>(*hi <= 0) : std::nullopt;
      std::optional<bool> r;
      if (ge == false || le == false) {
        r = false;
      } else if (ge && le) {
        r = true;
      }
      return SqlValue::boolean(negate(r, negated_));
    }
  }
  return SqlValue::null();
}

}  // namespace tessera::exec
