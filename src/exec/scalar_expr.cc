#include "exec/scalar_expr.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

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

double int_as_double(const SqlValue& v) {
  return v.uns ? static_cast<double>(static_cast<uint64_t>(v.i)) : static_cast<double>(v.i);
}

__int128 int_value(const SqlValue& v) {
  return v.uns ? static_cast<__int128>(static_cast<uint64_t>(v.i)) : static_cast<__int128>(v.i);
}

template <typename T>
int three_way(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int compare_numbers(const SqlValue& a, const SqlValue& b) {
  if (a.kind == Kind::kDouble || b.kind == Kind::kDouble)
    return three_way(scalar::as_double(a), scalar::as_double(b));
  if (a.kind == Kind::kInt && b.kind == Kind::kInt) return three_way(int_value(a), int_value(b));
  return scalar::as_decimal(a).compare(scalar::as_decimal(b));
}

SqlValue out_of_range(bool uns) {
  return SqlValue::error(
      1690, uns ? "BIGINT UNSIGNED value is out of range" : "BIGINT value is out of range");
}

// An exact integer result of the given signedness, or the server's 1690.
SqlValue int_result(__int128 r, bool uns) {
  if (uns) {
    if (r < 0 || r > static_cast<__int128>(UINT64_MAX)) return out_of_range(true);
    return SqlValue::uinteger(static_cast<uint64_t>(r));
  }
  if (r < INT64_MIN || r > INT64_MAX) return out_of_range(false);
  return SqlValue::integer(static_cast<int64_t>(r));
}

SqlValue arithmetic(ScalarExpr::ArithOp op, const SqlValue& a0, const SqlValue& b0,
                    const ExprType* result) {
  using Op = ScalarExpr::ArithOp;
  if (a0.is_error()) return a0;
  if (b0.is_error()) return b0;
  if (a0.is_null() || b0.is_null()) return SqlValue::null();
  // Strings take part in arithmetic as doubles, as on the server.
  auto number = [](const SqlValue& v) {
    return v.kind == Kind::kString ? SqlValue::real(string_to_double(v.s)) : v;
  };
  SqlValue a = number(a0), b = number(b0);
  if (a.kind == Kind::kDouble || b.kind == Kind::kDouble) {
    double x = scalar::as_double(a), y = scalar::as_double(b);
    switch (op) {
      case Op::kAdd:
        return SqlValue::real(x + y);
      case Op::kSub:
        return SqlValue::real(x - y);
      case Op::kMul:
        return SqlValue::real(x * y);
      case Op::kDiv:
        return y == 0 ? SqlValue::null() : SqlValue::real(x / y);
      case Op::kMod:
        return y == 0 ? SqlValue::null() : SqlValue::real(std::fmod(x, y));
      case Op::kIntDiv: {
        if (y == 0) return SqlValue::null();
        double q = std::trunc(x / y);
        if (q < -9.3e18 || q > 9.3e18) return out_of_range(false);
        return int_result(static_cast<__int128>(q), result && result->uns);
      }
    }
  }
  if (a.kind == Kind::kInt && b.kind == Kind::kInt && op != Op::kDiv) {
    // Unsigned when either operand is (MOD: when the dividend is), as the server types it.
    bool uns = result ? result->uns : (op == Op::kMod ? a.uns : (a.uns || b.uns));
    __int128 x = int_value(a), y = int_value(b);
    switch (op) {
      case Op::kAdd:
        return int_result(x + y, uns);
      case Op::kSub:
        return int_result(x - y, uns);
      case Op::kMul:
        return int_result(x * y, uns);
      case Op::kIntDiv:
        if (y == 0) return SqlValue::null();
        return int_result(x / y, uns);
      case Op::kMod:
        if (y == 0) return SqlValue::null();
        return int_result(x % y, uns);
      case Op::kDiv:
        break;
    }
  }
  Decimal x = scalar::as_decimal(a), y = scalar::as_decimal(b);
  switch (op) {
    case Op::kAdd:
      return SqlValue::decimal(x + y);
    case Op::kSub:
      return SqlValue::decimal(x - y);
    case Op::kMul:
      return SqlValue::decimal(x * y);
    case Op::kDiv: {
      auto q = Decimal::server_divide(x, y);
      return q ? SqlValue::decimal(*q) : SqlValue::null();
    }
    case Op::kIntDiv: {
      auto q = Decimal::divide(x, y, 0, /*truncate=*/true);
      if (!q) return SqlValue::null();
      std::string t = q->to_string();
      __int128 v = 0;
      bool neg = !t.empty() && t[0] == '-';
      for (char c : t) {
        if (c < '0' || c > '9') continue;
        v = v * 10 + (c - '0');
        if (v > static_cast<__int128>(UINT64_MAX)) return out_of_range(result && result->uns);
      }
      return int_result(neg ? -v : v, result && result->uns);
    }
    case Op::kMod: {
      // a - TRUNC(a / b) * b, exactly; the sign follows the dividend.
      auto q = Decimal::divide(x, y, 0, /*truncate=*/true);
      if (!q) return SqlValue::null();
      return SqlValue::decimal(x - *q * y);
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

std::optional<bool> negated_truth(std::optional<bool> v, bool negated) {
  if (!v || !negated) return v;
  return !*v;
}

const ValueType& default_string_type() {
  static const ValueType t{ValueFamily::kString, Collation::from_id(45)};
  return t;
}

// The server compares a DECIMAL expression as shown: rounded to its type's scale
// (Arg_comparator::compare_decimal), so 1/3 = 0.3333 although 1/3 holds 0.333333333.
SqlValue as_compared(SqlValue v, const ScalarExpr& e) {
  if (v.kind == Kind::kDecimal && e.bound() && e.type().cls == ExprType::Class::kDecimal &&
      v.dec.scale() > e.type().scale)
    v.dec = v.dec.rescaled(e.type().scale);
  return v;
}

using Class = ExprType::Class;

ExprType make_type(Class c, bool uns = false, int scale = 0) {
  ExprType t;
  t.cls = c;
  t.uns = uns;
  t.scale = scale;
  return t;
}

constexpr int kMaxScale = 38;  // DECIMAL_MAX_SCALE

}  // namespace

namespace scalar {

double as_double(const SqlValue& v) {
  switch (v.kind) {
    case Kind::kInt:
      return int_as_double(v);
    case Kind::kDecimal:
      return v.dec.to_double();
    case Kind::kDouble:
      return v.d;
    case Kind::kString:
      return string_to_double(v.s);
    case Kind::kNull:
    case Kind::kError:
      break;
  }
  return 0;
}

Decimal as_decimal(const SqlValue& v) {
  switch (v.kind) {
    case Kind::kInt:
      return v.uns ? Decimal::from_uint(static_cast<uint64_t>(v.i)) : Decimal::from_int(v.i);
    case Kind::kDecimal:
      return v.dec;
    case Kind::kDouble: {
      char buf[400];
      auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v.d, std::chars_format::fixed);
      if (ec == std::errc()) {
        if (auto d = Decimal::parse(std::string_view(buf, static_cast<size_t>(p - buf)))) return *d;
      }
      return Decimal();
    }
    case Kind::kString:
      if (auto n = numeric_string(v.s); n && n->kind == Kind::kDecimal) return n->dec;
      return as_decimal(SqlValue::real(string_to_double(v.s)));
    case Kind::kNull:
    case Kind::kError:
      break;
  }
  return Decimal();
}

std::string display(const SqlValue& v, const ExprType* t) {
  switch (v.kind) {
    case Kind::kInt:
      return v.uns ? std::to_string(static_cast<uint64_t>(v.i)) : std::to_string(v.i);
    case Kind::kDecimal:
      if (t && t->cls == Class::kDecimal) return v.dec.to_string(t->scale);
      if (t && t->cls == Class::kInt) return v.dec.to_string(0);
      return v.dec.to_string();
    case Kind::kDouble:
      if (t && t->cls == Class::kDouble && t->scale >= 0) return fixed_double(v.d, t->scale);
      return format_double(v.d);
    case Kind::kString:
    case Kind::kError:
      return v.s;
    case Kind::kNull:
      break;
  }
  return {};
}

std::string fixed_double(double v, int decimals) {
  if (std::isnan(v) || std::isinf(v)) return format_double(v);
  char buf[400];
  int n = std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

SqlValue convert(SqlValue v, const ExprType& from, const ExprType& to) {
  if (v.is_null() || v.is_error()) return v;
  switch (to.cls) {
    case Class::kString:
      if (v.kind == Kind::kString) {
        if (to.type) v.type = to.type;
        return v;
      }
      return SqlValue::string(display(v, &from), to.type);
    case Class::kDouble:
      if (v.kind == Kind::kDouble) return v;
      return SqlValue::real(as_double(v));
    case Class::kDecimal:
      if (v.kind == Kind::kInt || v.kind == Kind::kString) return SqlValue::decimal(as_decimal(v));
      return v;
    case Class::kInt:
    case Class::kTemporal:
    case Class::kNull:
      break;
  }
  return v;
}

SqlValue to_number(const SqlValue& v) {
  if (v.kind != Kind::kString) return v;
  if (auto n = numeric_string(v.s)) return *n;
  return SqlValue::real(string_to_double(v.s));
}

}  // namespace scalar

SqlValue SqlValue::integer(int64_t v) {
  SqlValue r;
  r.kind = Kind::kInt;
  r.i = v;
  return r;
}
SqlValue SqlValue::uinteger(uint64_t v) {
  SqlValue r;
  r.kind = Kind::kInt;
  r.i = static_cast<int64_t>(v);
  r.uns = true;
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
SqlValue SqlValue::error(uint16_t code, std::string message) {
  SqlValue r;
  r.kind = Kind::kError;
  r.error_code = code;
  r.s = std::move(message);
  return r;
}

std::optional<bool> SqlValue::truth() const {
  switch (kind) {
    case Kind::kNull:
    case Kind::kError:
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
  if (a.is_null() || b.is_null() || a.is_error() || b.is_error()) return std::nullopt;
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
  return compare_values(*t, scalar::display(a, nullptr), scalar::display(b, nullptr));
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
ScalarExpr ScalarExpr::uint_literal(uint64_t v) {
  ScalarExpr e;
  e.literal_ = SqlValue::uinteger(v);
  return e;
}
ScalarExpr ScalarExpr::integer_literal(std::string_view text) {
  int64_t i = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
  if (ec == std::errc() && p == text.data() + text.size()) return int_literal(i);
  uint64_t u = 0;
  auto [p2, ec2] = std::from_chars(text.data(), text.data() + text.size(), u);
  if (ec2 == std::errc() && p2 == text.data() + text.size()) return uint_literal(u);
  return decimal_literal(text);
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
ScalarExpr ScalarExpr::negate(ScalarExpr arg) {
  ScalarExpr e = logical_not(std::move(arg));
  e.kind_ = Kind::kNeg;
  return e;
}
ScalarExpr ScalarExpr::is_null(ScalarExpr arg, bool negated, bool fold_not_null) {
  ScalarExpr e = logical_not(std::move(arg));
  e.kind_ = Kind::kIsNull;
  e.negated_ = negated;
  e.fold_not_null_ = fold_not_null;
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
ScalarExpr ScalarExpr::function(Function f, std::vector<ScalarExpr> args) {
  ScalarExpr e;
  e.kind_ = Kind::kFunction;
  e.op_ = static_cast<uint8_t>(f);
  e.args_ = std::move(args);
  return e;
}
ScalarExpr ScalarExpr::cast(ScalarExpr arg, CastTarget target) {
  ScalarExpr e = logical_not(std::move(arg));
  e.kind_ = Kind::kCast;
  e.cast_ = target;
  return e;
}
ScalarExpr ScalarExpr::case_of(std::optional<ScalarExpr> operand,
                               std::vector<std::pair<ScalarExpr, ScalarExpr>> whens,
                               std::optional<ScalarExpr> otherwise) {
  ScalarExpr e;
  e.kind_ = Kind::kCase;
  if (operand) {
    e.has_operand_ = true;
    e.args_.push_back(std::move(*operand));
  }
  for (auto& [w, t] : whens) {
    e.args_.push_back(std::move(w));
    e.args_.push_back(std::move(t));
  }
  if (otherwise) {
    e.has_else_ = true;
    e.args_.push_back(std::move(*otherwise));
  }
  return e;
}
ScalarExpr ScalarExpr::average(size_t sum_column, size_t count_column, size_t avg_column) {
  ScalarExpr e;
  e.kind_ = Kind::kAverage;
  e.column_ = sum_column;
  e.column2_ = count_column;
  e.column3_ = avg_column;
  return e;
}

std::optional<size_t> ScalarExpr::max_column() const {
  std::optional<size_t> m;
  if (kind_ == Kind::kColumn) m = column_;
  if (kind_ == Kind::kAverage) m = std::max({column_, column2_, column3_});
  for (const auto& a : args_) {
    auto c = a.max_column();
    if (c && (!m || *c > *m)) m = c;
  }
  return m;
}

bool ScalarExpr::uses_column(size_t column) const {
  if (kind_ == Kind::kColumn && column_ == column) return true;
  if (kind_ == Kind::kAverage && (column_ == column || column2_ == column || column3_ == column))
    return true;
  for (const auto& a : args_) {
    if (a.uses_column(column)) return true;
  }
  return false;
}

namespace {

// The type a column definition gives its cells.
std::optional<ExprType> column_type(const protocol::ColumnDefinition& def, const ValueType& vt) {
  using protocol::FieldType;
  switch (vt.family) {
    case ValueFamily::kSignedInt:
    case ValueFamily::kUnsignedInt:
      if (def.type == FieldType::kYear) return make_type(Class::kTemporal);
      return make_type(Class::kInt, vt.family == ValueFamily::kUnsignedInt);
    case ValueFamily::kDecimal:
      return make_type(Class::kDecimal, false, def.decimals >= 31 ? 0 : def.decimals);
    case ValueFamily::kFloat:
      // FLOAT cells are compared as doubles (HAVING); computed columns refuse them
      // (MergePipeline: the text does not carry the float's binary value).
      return make_type(Class::kDouble, false, def.decimals >= 31 ? -1 : def.decimals);
    case ValueFamily::kTemporal:
    case ValueFamily::kTime:
      return make_type(Class::kTemporal);
    case ValueFamily::kString:
      if (def.type == FieldType::kNull) return make_type(Class::kNull);
      return make_type(Class::kString);
  }
  return std::nullopt;
}

bool any_of(std::span<const ScalarExpr> args, Class c) {
  for (const auto& a : args) {
    if (a.type().cls == c) return true;
  }
  return false;
}

}  // namespace

// A DECIMAL AVG read in a floating-point context (CAST(AVG(x) AS DOUBLE), AVG(x) * 1e0,
// COALESCE(AVG(x), 1e0)): without GROUP BY the server divides SUM as a double by COUNT
// (Item_sum_avg::val_real), with it it converts the DECIMAL quotient its temporary table holds,
// so the digits depend on the plan: refused.
bool ScalarExpr::avg_read_as_real() const {
  auto reaches = [](const ScalarExpr& a, auto& self) -> bool {
    if (a.kind_ == Kind::kAverage) return a.type_.cls == Class::kDecimal;
    if (a.kind_ == Kind::kCase || (a.kind_ == Kind::kFunction && a.type_.cls == Class::kDecimal &&
                                   (static_cast<Function>(a.op_) == Function::kCoalesce ||
                                    static_cast<Function>(a.op_) == Function::kIfNull ||
                                    static_cast<Function>(a.op_) == Function::kIf ||
                                    static_cast<Function>(a.op_) == Function::kNullIf ||
                                    static_cast<Function>(a.op_) == Function::kGreatest ||
                                    static_cast<Function>(a.op_) == Function::kLeast))) {
      for (const auto& x : a.args_) {
        if (self(x, self)) return true;
      }
    }
    return false;
  };
  bool real_context = type_.cls == Class::kDouble ||
                      (kind_ == Kind::kCast && cast_.kind == CastTarget::Kind::kDouble);
  if (kind_ == Kind::kCompare || kind_ == Kind::kIn || kind_ == Kind::kBetween) {
    for (const auto& a : args_) real_context |= a.type_.cls == Class::kDouble;
  }
  if (!real_context) return false;
  for (const auto& a : args_) {
    if (reaches(a, reaches)) return true;
  }
  return false;
}

std::optional<std::string> ScalarExpr::bind(std::span<const protocol::ColumnDefinition> columns,
                                            std::span<const ValueType> types,
                                            std::span<const bool> collation_known) {
  for (auto& a : args_) {
    if (auto err = a.bind(columns, types, collation_known)) return err;
  }
  bound_ = true;
  auto err = bind_node(columns, types, collation_known);
  if (!err && avg_read_as_real()) return std::string("AVG() of an exact value read as a double");
  return err;
}

std::optional<std::string> ScalarExpr::bind_node(
    std::span<const protocol::ColumnDefinition> columns, std::span<const ValueType> types,
    std::span<const bool> collation_known) {
  switch (kind_) {
    case Kind::kColumn:
    case Kind::kAverage: {
      size_t c = kind_ == Kind::kColumn ? column_ : column3_;
      if (c >= columns.size() || c >= types.size())
        return std::string("a column outside the merged row");
      auto t = column_type(columns[c], types[c]);
      if (!t) return "a value of the type of column '" + columns[c].name + "'";
      type_ = *t;
      if (type_.cls == Class::kString || type_.cls == Class::kTemporal) type_.type = &types[c];
      return std::nullopt;
    }
    case Kind::kLiteral:
      switch (literal_.kind) {
        case SqlValue::Kind::kInt:
          type_ = make_type(Class::kInt, literal_.uns);
          break;
        case SqlValue::Kind::kDecimal:
          type_ = make_type(Class::kDecimal, false, literal_.dec.scale());
          break;
        case SqlValue::Kind::kDouble:
          type_ = make_type(Class::kDouble, false, -1);
          break;
        case SqlValue::Kind::kString:
          type_ = make_type(Class::kString);
          break;
        default:
          type_ = make_type(Class::kNull);
          break;
      }
      return std::nullopt;
    case Kind::kIsNull:
      if (fold_not_null_ && !negated_ && args_[0].kind_ == Kind::kColumn &&
          args_[0].column_ < columns.size() &&
          (columns[args_[0].column_].flags & protocol::column_flag::kNotNull)) {
        kind_ = Kind::kLiteral;
        literal_ = SqlValue::integer(0);
        args_.clear();
      }
      type_ = make_type(Class::kInt);
      return std::nullopt;
    case Kind::kCompare:
    case Kind::kAnd:
    case Kind::kOr:
    case Kind::kXor:
    case Kind::kNot:
    case Kind::kIn:
    case Kind::kBetween:
      type_ = make_type(Class::kInt);
      return std::nullopt;
    case Kind::kNeg: {
      const ExprType& a = args_[0].type();
      if (a.cls == Class::kTemporal) return std::string("unary minus of a date or time value");
      type_ = a;
      type_.type = nullptr;
      if (a.cls == Class::kString) type_ = make_type(Class::kDouble, false, -1);
      if (a.cls == Class::kInt) type_.uns = false;
      return std::nullopt;
    }
    case Kind::kArith: {
      auto op = static_cast<ArithOp>(op_);
      if (any_of(args_, Class::kTemporal)) return std::string("arithmetic on a date or time value");
      const ExprType& a = args_[0].type();
      const ExprType& b = args_[1].type();
      if ((op == ArithOp::kIntDiv || op == ArithOp::kMod) && any_of(args_, Class::kString))
        return std::string("DIV or MOD of a string");
      if (op == ArithOp::kIntDiv) {
        type_ = make_type(Class::kInt, a.uns || b.uns);
        return std::nullopt;
      }
      if (any_of(args_, Class::kString) || any_of(args_, Class::kDouble)) {
        // The digits a DOUBLE result is printed with (Item_func_*::fix_length_and_dec_double):
        // none fixed when an operand has none (a string, 1e0, CAST(... AS DOUBLE)).
        auto digits = [](const ExprType& t) {
          return t.cls == Class::kInt       ? 0
                 : t.cls == Class::kDecimal ? t.scale
                 : t.cls == Class::kDouble  ? t.scale
                                            : -1;
        };
        int da = digits(a), db = digits(b);
        int d = -1;
        if (da >= 0 && db >= 0) {
          d = op == ArithOp::kMul   ? da + db
              : op == ArithOp::kDiv ? std::max(da, db) + 4
                                    : std::max(da, db);
          if (d >= 31) d = -1;
        }
        type_ = make_type(Class::kDouble, false, d);
        return std::nullopt;
      }
      if (any_of(args_, Class::kNull)) {
        type_ = a.cls == Class::kNull ? b : a;
        if (op == ArithOp::kDiv && type_.cls != Class::kNull)
          type_ = make_type(Class::kDecimal, false, std::min(type_.scale + 4, kMaxScale));
        return std::nullopt;
      }
      int sa = a.cls == Class::kDecimal ? a.scale : 0;
      int sb = b.cls == Class::kDecimal ? b.scale : 0;
      if (op == ArithOp::kDiv) {
        type_ = make_type(Class::kDecimal, false, std::min(sa + 4, kMaxScale));
      } else if (a.cls == Class::kInt && b.cls == Class::kInt) {
        type_ = make_type(Class::kInt, op == ArithOp::kMod ? a.uns : (a.uns || b.uns));
      } else if (op == ArithOp::kMul) {
        type_ = make_type(Class::kDecimal, false, std::min(sa + sb, kMaxScale));
      } else {
        type_ = make_type(Class::kDecimal, false, std::max(sa, sb));
      }
      return std::nullopt;
    }
    case Kind::kFunction:
      return bind_function(types, collation_known);
    case Kind::kCast:
      return bind_cast();
    case Kind::kCase:
      return bind_case();
  }
  return std::nullopt;
}

std::optional<std::string> ScalarExpr::text(const SqlValue& v) const {
  if (v.is_null()) return std::nullopt;
  return scalar::display(v, bound_ ? &type_ : nullptr);
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
        if (t->family == ValueFamily::kUnsignedInt) {
          uint64_t u = 0;
          auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), u);
          if (ec == std::errc() && p == v.data() + v.size()) return SqlValue::uinteger(u);
        } else if (t->family != ValueFamily::kDecimal) {
          int64_t i = 0;
          auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), i);
          if (ec == std::errc() && p == v.data() + v.size()) return SqlValue::integer(i);
        }
        if (auto d = Decimal::parse(v)) return SqlValue::decimal(*d);
      }
      return SqlValue::string(std::string(v), t);
    }
    case Kind::kAverage: {
      // Item_sum_avg: SUM / COUNT, a DECIMAL quotient with the server's digits.
      if (column_ >= row.size() || column2_ >= row.size() || row.is_null(column_))
        return SqlValue::null();
      std::string_view sum = row.cell(column_);
      std::string_view count = row.is_null(column2_) ? std::string_view("0") : row.cell(column2_);
      uint64_t n = 0;
      std::from_chars(count.data(), count.data() + count.size(), n);
      if (n == 0) return SqlValue::null();
      const ValueType* t = column_ < types.size() ? &types[column_] : nullptr;
      auto exact = Decimal::parse(sum);
      if ((t && t->family == ValueFamily::kFloat) || !exact)
        return SqlValue::real(string_to_double(sum) / static_cast<double>(n));
      auto q = Decimal::server_divide(*exact, Decimal::from_uint(n));
      return q ? SqlValue::decimal(*q) : SqlValue::null();
    }
    case Kind::kCompare: {
      SqlValue a = as_compared(args_[0].evaluate(row, types), args_[0]);
      if (a.is_error()) return a;
      SqlValue b = as_compared(args_[1].evaluate(row, types), args_[1]);
      if (b.is_error()) return b;
      auto op = static_cast<CompareOp>(op_);
      if (op == CompareOp::kNullSafeEq && (a.is_null() || b.is_null())) {
        return SqlValue::boolean(a.is_null() && b.is_null());
      }
      return SqlValue::boolean(compare_result(op, compare_sql_values(a, b)));
    }
    case Kind::kAnd:
    case Kind::kOr:
    case Kind::kXor: {
      SqlValue av = args_[0].evaluate(row, types);
      if (av.is_error()) return av;
      auto a = av.truth();
      if (kind_ == Kind::kAnd && a == false) return SqlValue::boolean(false);
      if (kind_ == Kind::kOr && a == true) return SqlValue::boolean(true);
      SqlValue bv = args_[1].evaluate(row, types);
      if (bv.is_error()) return bv;
      auto b = bv.truth();
      if (kind_ == Kind::kXor) {
        if (!a || !b) return SqlValue::null();
        return SqlValue::boolean(*a != *b);
      }
      if (kind_ == Kind::kAnd && b == false) return SqlValue::boolean(false);
      if (kind_ == Kind::kOr && b == true) return SqlValue::boolean(true);
      if (!a || !b) return SqlValue::null();
      return SqlValue::boolean(kind_ == Kind::kAnd);
    }
    case Kind::kNot: {
      SqlValue v = args_[0].evaluate(row, types);
      if (v.is_error()) return v;
      return SqlValue::boolean(negated_truth(v.truth(), true));
    }
    case Kind::kArith:
      return arithmetic(static_cast<ArithOp>(op_), args_[0].evaluate(row, types),
                        args_[1].evaluate(row, types), bound_ ? &type_ : nullptr);
    case Kind::kNeg: {
      SqlValue v = scalar::to_number(args_[0].evaluate(row, types));
      switch (v.kind) {
        case SqlValue::Kind::kInt:
          return int_result(-int_value(v), false);
        case SqlValue::Kind::kDecimal:
          return SqlValue::decimal(v.dec.negated());
        case SqlValue::Kind::kDouble:
          return SqlValue::real(-v.d);
        default:
          return v;
      }
    }
    case Kind::kIsNull: {
      SqlValue v = args_[0].evaluate(row, types);
      if (v.is_error()) return v;
      return SqlValue::boolean(v.is_null() != negated_);
    }
    case Kind::kIn: {
      // `x IN (y)` is `x = y` (rounded as shown); with more items the server compares the
      // values as they are (cmp_item_decimal), as BETWEEN and CASE x WHEN do.
      bool one = args_.size() == 2;
      SqlValue v = args_[0].evaluate(row, types);
      if (one) v = as_compared(std::move(v), args_[0]);
      if (v.is_error() || v.is_null()) return v;
      bool saw_null = false;
      for (size_t k = 1; k < args_.size(); ++k) {
        SqlValue item = args_[k].evaluate(row, types);
        if (one) item = as_compared(std::move(item), args_[k]);
        if (item.is_error()) return item;
        auto c = compare_sql_values(v, item);
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
      SqlValue low = args_[1].evaluate(row, types);
      SqlValue high = args_[2].evaluate(row, types);
      for (const SqlValue* x : {&v, &low, &high}) {
        if (x->is_error()) return *x;
      }
      auto lo = compare_sql_values(v, low);
      auto hi = compare_sql_values(v, high);
      std::optional<bool> ge = lo ? std::optional<bool>(*lo >= 0) : std::nullopt;
      std::optional<bool> le = hi ? std::optional<bool>(*hi <= 0) : std::nullopt;
      std::optional<bool> r;
      if (ge == false || le == false) {
        r = false;
      } else if (ge && le) {
        r = true;
      }
      return SqlValue::boolean(negated_truth(r, negated_));
    }
    case Kind::kFunction:
      return evaluate_function(row, types);
    case Kind::kCast:
      return evaluate_cast(row, types);
    case Kind::kCase:
      return evaluate_case(row, types);
  }
  return SqlValue::null();
}

}  // namespace tessera::exec
