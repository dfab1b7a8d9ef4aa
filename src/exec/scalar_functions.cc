// MariaDB's scalar functions, CAST and CASE for the merge's evaluator (scalar_expr.h): their
// result types (bind) and values (evaluate), checked against MariaDB 10.11. What a function
// does with each argument type is the server's (Item_func_round, Item_func_min_max,
// Item_func_coalesce, Item_func_concat, Item_func_signed ...); argument types the server
// would handle in a way not reproduced here are refused in bind(), naming the function.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include "exec/aggregate.h"
#include "exec/case_map.h"
#include "exec/scalar_expr.h"

namespace tessera::exec {
namespace {

using VK = SqlValue::Kind;
using Class = ExprType::Class;
using F = ScalarExpr::Function;

constexpr int kMaxScale = 38;

ExprType make_type(Class c, bool uns = false, int scale = 0) {
  ExprType t;
  t.cls = c;
  t.uns = uns;
  t.scale = scale;
  return t;
}

struct Named {
  std::string_view name;
  F f;
};
constexpr std::array<Named, 25> kNames{{
    {"round", F::kRound},
    {"truncate", F::kTruncate},
    {"floor", F::kFloor},
    {"ceil", F::kCeil},
    {"ceiling", F::kCeil},
    {"abs", F::kAbs},
    {"sign", F::kSign},
    {"greatest", F::kGreatest},
    {"least", F::kLeast},
    {"coalesce", F::kCoalesce},
    {"ifnull", F::kIfNull},
    {"nvl", F::kIfNull},
    {"nullif", F::kNullIf},
    {"if", F::kIf},
    {"concat", F::kConcat},
    {"concat_ws", F::kConcatWs},
    {"length", F::kLength},
    {"octet_length", F::kLength},
    {"char_length", F::kCharLength},
    {"character_length", F::kCharLength},
    {"upper", F::kUpper},
    {"ucase", F::kUpper},
    {"lower", F::kLower},
    {"lcase", F::kLower},
    {"lengthb", F::kLength},
}};

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// The server's ROUND / TRUNCATE of a double (my_double_round: rint, so half to even).
double double_round(double value, int64_t dec, bool truncate) {
  bool dec_negative = dec < 0;
  uint64_t abs_dec = dec_negative ? static_cast<uint64_t>(-dec) : static_cast<uint64_t>(dec);
  volatile double tmp = std::pow(10.0, static_cast<double>(abs_dec));
  volatile double value_div_tmp = value / tmp;
  volatile double value_mul_tmp = value * tmp;
  if (dec_negative && std::isinf(tmp)) return 0.0;
  if (!dec_negative && std::isinf(value_mul_tmp)) return value;
  if (truncate) {
    if (value >= 0.0)
      return dec < 0 ? std::floor(value_div_tmp) * tmp : std::floor(value_mul_tmp) / tmp;
    return dec < 0 ? std::ceil(value_div_tmp) * tmp : std::ceil(value_mul_tmp) / tmp;
  }
  return dec < 0 ? std::rint(value_div_tmp) * tmp : std::rint(value_mul_tmp) / tmp;
}

// An exact number rounded (half away from zero) or truncated to `dec` digits after the point;
// a negative `dec` works on the digits before it (ROUND(1250, -2) = 1300).
Decimal decimal_round(const Decimal& v, int64_t dec, bool truncate) {
  if (dec >= 0) {
    int d = static_cast<int>(std::min<int64_t>(dec, 1000));
    if (d >= v.scale()) return v;
    return truncate ? v.truncated(d) : v.rescaled(d);
  }
  int k = static_cast<int>(std::min<int64_t>(-dec, 100));
  Decimal p = Decimal::power_of_ten(k);
  auto q = Decimal::divide(v, p, 0, truncate);
  return q ? *q * p : Decimal();
}

// Whether an integer rounding stays in range, as __int128.
SqlValue int_or_error(__int128 r, bool uns) {
  if (uns ? (r < 0 || r > static_cast<__int128>(UINT64_MAX)) : (r < INT64_MIN || r > INT64_MAX))
    return SqlValue::error(
        1690, uns ? "BIGINT UNSIGNED value is out of range" : "BIGINT value is out of range");
  return uns ? SqlValue::uinteger(static_cast<uint64_t>(r))
             : SqlValue::integer(static_cast<int64_t>(r));
}

__int128 int_value(const SqlValue& v) {
  return v.uns ? static_cast<__int128>(static_cast<uint64_t>(v.i)) : static_cast<__int128>(v.i);
}

// The type the server gives a value chosen among several (COALESCE, IF, CASE, GREATEST):
// Type_handler_hybrid_field_type::aggregate_for_result over the candidates' types, for the
// combinations implemented. nullopt: refused.
std::optional<ExprType> aggregate_types(const std::vector<const ExprType*>& ts, std::string& why) {
  bool any_string = false, any_double = false, any_decimal = false, any_temporal = false;
  bool any_number = false, all_uns = true, any_int = false;
  int scale = 0, dscale = 0;
  bool dfixed = true;
  const ValueType* first_string = nullptr;
  const ValueType* temporal = nullptr;
  for (const ExprType* t : ts) {
    switch (t->cls) {
      case Class::kNull:
        break;
      case Class::kString:
        any_string = true;
        if (!first_string) first_string = t->type;
        break;
      case Class::kTemporal:
        if (any_temporal && temporal && t->type && temporal->family != t->type->family) {
          why = "date and time values of different types";
          return std::nullopt;
        }
        any_temporal = true;
        temporal = t->type;
        break;
      case Class::kDouble:
        any_double = true;
        any_number = true;
        if (t->scale < 0) dfixed = false;
        dscale = std::max(dscale, t->scale);
        break;
      case Class::kDecimal:
        any_decimal = true;
        any_number = true;
        scale = std::max(scale, t->scale);
        dscale = std::max(dscale, t->scale);
        break;
      case Class::kInt:
        any_int = true;
        any_number = true;
        all_uns = all_uns && t->uns;
        break;
    }
  }
  if (any_temporal) {
    if (any_number || any_string) {
      why = "a date or time value mixed with other types";
      return std::nullopt;
    }
    ExprType r = make_type(Class::kTemporal);
    r.type = temporal;
    return r;
  }
  if (any_string) {
    ExprType r = make_type(Class::kString);
    r.type = first_string;
    return r;
  }
  if (any_double) return make_type(Class::kDouble, false, dfixed ? dscale : -1);
  if (any_decimal) return make_type(Class::kDecimal, false, scale);
  if (any_int) {
    // Signed with unsigned widens to DECIMAL(20,0), printed as the integer.
    if (!all_uns) {
      for (const ExprType* t : ts) {
        if (t->cls == Class::kInt && t->uns) return make_type(Class::kDecimal, false, 0);
      }
    }
    return make_type(Class::kInt, all_uns);
  }
  return make_type(Class::kNull);
}

bool is_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

// `binary` (Collation::binary(), the binary charset): bytes without case.
bool is_binary(const Collation& c) {
  return c.kind == Collation::Kind::kBytes && c.encoding == Collation::Encoding::kBytes &&
         !c.pad_space;
}

size_t utf8_chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

std::optional<int64_t> literal_int(const ScalarExpr& e, const SqlValue& v) {
  if (e.kind() != ScalarExpr::Kind::kLiteral || v.kind != VK::kInt) return std::nullopt;
  return v.uns ? std::optional<int64_t>() : std::optional<int64_t>(v.i);
}

}  // namespace

std::optional<ScalarExpr::Function> ScalarExpr::function_named(std::string_view name) {
  for (const auto& n : kNames) {
    if (same_name(name, n.name)) return n.f;
  }
  return std::nullopt;
}

const char* ScalarExpr::function_name(Function f) {
  for (const auto& n : kNames) {
    if (n.f == f) {
      static thread_local std::string upper;
      upper.assign(n.name);
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return upper.c_str();
    }
  }
  return "?";
}

std::optional<std::string> ScalarExpr::bind_function(std::span<const ValueType> /*types*/,
                                                     std::span<const bool> collation_known) {
  auto f = static_cast<Function>(op_);
  std::string name = function_name(f);
  auto refuse = [&](const std::string& what) -> std::optional<std::string> {
    return name + "() of " + what;
  };
  auto arity = [&](size_t lo, size_t hi) -> bool {
    return args_.size() >= lo && args_.size() <= hi;
  };
  switch (f) {
    case F::kRound:
    case F::kTruncate: {
      if (!arity(f == F::kRound ? 1 : 2, 2)) return name + "() with this many arguments";
      int64_t d = 0;
      if (args_.size() == 2) {
        const ScalarExpr& digits = args_[1];
        auto lit = literal_int(digits, digits.literal_);
        if (!lit && digits.kind() == Kind::kNeg) {
          lit = literal_int(digits.args_[0], digits.args_[0].literal_);
          if (lit) *lit = -*lit;
        }
        if (!lit) return name + "() with digits that are not an integer literal";
        d = *lit;
      }
      const ExprType& a = args_[0].type();
      switch (a.cls) {
        case Class::kInt:
        case Class::kNull:
          type_ = make_type(Class::kInt, a.uns);
          break;
        case Class::kDecimal:
          type_ = make_type(Class::kDecimal, false,
                            static_cast<int>(std::clamp<int64_t>(d, 0, kMaxScale)));
          break;
        case Class::kDouble:
        case Class::kString:
          type_ = make_type(Class::kDouble, false, static_cast<int>(std::clamp<int64_t>(d, 0, 30)));
          break;
        case Class::kTemporal:
          return refuse("a date or time value");
      }
      return std::nullopt;
    }
    case F::kFloor:
    case F::kCeil:
    case F::kAbs:
    case F::kSign: {
      if (!arity(1, 1)) return name + "() with this many arguments";
      const ExprType& a = args_[0].type();
      if (a.cls == Class::kTemporal) return refuse("a date or time value");
      if (f == F::kSign) {
        type_ = make_type(Class::kInt);
      } else if (a.cls == Class::kString) {
        type_ = make_type(Class::kDouble, false, -1);
      } else if (a.cls == Class::kDecimal && f != F::kAbs) {
        type_ = make_type(Class::kDecimal, false, 0);
      } else if (a.cls == Class::kDouble && f != F::kAbs) {
        type_ = make_type(Class::kDouble, false, 0);
      } else {
        type_ = a;
        if (a.cls == Class::kNull) type_ = make_type(Class::kInt);
      }
      return std::nullopt;
    }
    case F::kGreatest:
    case F::kLeast: {
      if (args_.size() < 2) return name + "() with fewer than two arguments";
      std::vector<const ExprType*> ts;
      bool strings = false, numbers = false;
      for (auto& a : args_) {
        ts.push_back(&a.type());
        strings |= a.type().cls == Class::kString || a.type().cls == Class::kTemporal;
        numbers |= a.type().cls == Class::kInt || a.type().cls == Class::kDecimal ||
                   a.type().cls == Class::kDouble;
      }
      if (strings && numbers) return refuse("strings mixed with numbers");
      std::string why;
      auto t = aggregate_types(ts, why);
      if (!t) return refuse(why);
      if (t->cls == Class::kString) {
        // Compared under one collation: every string argument a column of that collation.
        const ValueType* c = nullptr;
        for (auto& a : args_) {
          if (a.type().cls != Class::kString) continue;
          if (a.kind() != Kind::kColumn || !a.type().type || a.column_ >= collation_known.size() ||
              !collation_known[a.column_] ||
              a.type().type->collation.kind == Collation::Kind::kApprox ||
              a.type().type->collation.kind == Collation::Kind::kServerWeights)
            return refuse("strings other than columns in a collation the merge implements");
          if (c && (c->collation.kind != a.type().type->collation.kind ||
                    c->collation.table != a.type().type->collation.table ||
                    c->collation.pad_space != a.type().type->collation.pad_space))
            return refuse("strings of different collations");
          c = a.type().type;
        }
        t->type = c;
      }
      if (t->cls == Class::kTemporal) return refuse("date or time values");
      type_ = *t;
      return std::nullopt;
    }
    case F::kCoalesce:
    case F::kIfNull:
    case F::kNullIf:
    case F::kIf: {
      std::vector<const ExprType*> ts;
      if (f == F::kCoalesce) {
        if (args_.empty()) return name + "() without arguments";
        for (auto& a : args_) ts.push_back(&a.type());
      } else if (f == F::kIfNull) {
        if (!arity(2, 2)) return name + "() with this many arguments";
        ts = {&args_[0].type(), &args_[1].type()};
      } else if (f == F::kNullIf) {
        if (!arity(2, 2)) return name + "() with this many arguments";
        ts = {&args_[0].type()};
      } else {
        if (!arity(3, 3)) return name + "() with this many arguments";
        ts = {&args_[1].type(), &args_[2].type()};
      }
      std::string why;
      auto t = aggregate_types(ts, why);
      if (!t) return refuse(why);
      type_ = *t;
      return std::nullopt;
    }
    case F::kConcat:
    case F::kConcatWs:
      if (args_.empty() || (f == F::kConcatWs && args_.size() < 2))
        return name + "() with this many arguments";
      // A literal's bytes are in the client's charset, the cells in the result charset: only
      // ASCII is surely the same text in both.
      for (auto& a : args_) {
        if (a.kind() == Kind::kLiteral && a.literal_.kind == VK::kString && !is_ascii(a.literal_.s))
          return refuse("a non-ASCII string literal");
      }
      type_ = make_type(Class::kString);
      for (auto& a : args_) {
        if (a.type().cls == Class::kString && a.type().type) {
          type_.type = a.type().type;
          break;
        }
      }
      return std::nullopt;
    case F::kLength:
    case F::kCharLength:
    case F::kUpper:
    case F::kLower: {
      if (!arity(1, 1)) return name + "() with this many arguments";
      const ScalarExpr& a = args_[0];
      if (a.type().cls == Class::kString) {
        // The text must be read in the column's own character set: a UTF-8 column (or binary)
        // whose collation the merge knows, cells arriving as UTF-8.
        const ValueType* vt = a.type().type;
        bool known = a.kind() == Kind::kColumn && vt && a.column_ < collation_known.size() &&
                     collation_known[a.column_];
        bool native = known && vt->collation.encoding == Collation::Encoding::kUtf8 &&
                      (vt->collation.kind == Collation::Kind::kWeights ||
                       vt->collation.kind == Collation::Kind::kBytes);
        if (f == F::kUpper || f == F::kLower) {
          // The collation's case map (case_map.h) over cells it can read: UTF-8, or a latin1
          // column's own bytes. (A native collation without one, as from_id() names a column
          // when no row named it, maps ASCII and refuses other text when it comes.)
          const CaseMap* map = known ? vt->collation.case_map : nullptr;
          bool ok =
              native || (known && is_binary(vt->collation)) ||
              (map &&
               (vt->collation.encoding == Collation::Encoding::kUtf8 ||
                (map->eight_bit() && vt->collation.encoding == Collation::Encoding::kLatin1)));
          if (!ok)
            return refuse(
                "a string other than a UTF-8 or latin1 column in a collation whose case map the "
                "merge has");
        } else if (!native) {
          return refuse("a string other than a UTF-8 column in a collation the merge implements");
        }
      } else if (a.type().cls == Class::kTemporal && (f == F::kUpper || f == F::kLower)) {
        return refuse("a date or time value");
      }
      if (f == F::kLength || f == F::kCharLength) {
        type_ = make_type(Class::kInt);
      } else {
        type_ = make_type(Class::kString);
        type_.type = a.type().cls == Class::kString ? a.type().type : nullptr;
      }
      return std::nullopt;
    }
  }
  return name + "()";
}

std::optional<std::string> ScalarExpr::bind_cast() {
  const ExprType& a = args_[0].type();
  if (a.cls == Class::kTemporal && cast_.kind != CastTarget::Kind::kChar)
    return std::string("CAST of a date or time value to a number");
  if (a.cls == Class::kString && cast_.kind != CastTarget::Kind::kChar)
    return std::string("CAST of a string to a number");
  switch (cast_.kind) {
    case CastTarget::Kind::kSigned:
      type_ = make_type(Class::kInt, false);
      break;
    case CastTarget::Kind::kUnsigned:
      type_ = make_type(Class::kInt, true);
      break;
    case CastTarget::Kind::kDecimal:
      if (cast_.precision < 1 || cast_.precision > 65 || cast_.scale < 0 ||
          cast_.scale > kMaxScale || cast_.scale > cast_.precision)
        return std::string("CAST to this DECIMAL");
      type_ = make_type(Class::kDecimal, false, cast_.scale);
      break;
    case CastTarget::Kind::kChar:
      type_ = make_type(Class::kString);
      break;
    case CastTarget::Kind::kDouble:
      type_ = make_type(Class::kDouble, false, -1);
      break;
  }
  return std::nullopt;
}

std::optional<std::string> ScalarExpr::bind_case() {
  std::vector<const ExprType*> ts;
  size_t first = has_operand_ ? 1 : 0;
  size_t end = args_.size() - (has_else_ ? 1 : 0);
  for (size_t k = first; k + 1 < end; k += 2) ts.push_back(&args_[k + 1].type());
  if (has_else_) ts.push_back(&args_.back().type());
  std::string why;
  auto t = aggregate_types(ts, why);
  if (!t) return "CASE over " + why;
  type_ = *t;
  return std::nullopt;
}

SqlValue ScalarExpr::evaluate_function(const Row& row, std::span<const ValueType> types) const {
  auto f = static_cast<Function>(op_);
  std::vector<SqlValue> v;
  v.reserve(args_.size());
  // Arguments evaluated up front except where the function decides which it needs.
  bool lazy = f == F::kCoalesce || f == F::kIfNull || f == F::kIf;
  if (!lazy) {
    for (const auto& a : args_) {
      v.push_back(a.evaluate(row, types));
      if (v.back().is_error()) return v.back();
    }
  }
  const ExprType* me = bound_ ? &type_ : nullptr;
  auto conform = [&](SqlValue x, size_t arg) {
    if (!bound_) return x;
    return scalar::convert(std::move(x), args_[arg].type(), type_);
  };
  switch (f) {
    case F::kRound:
    case F::kTruncate: {
      bool truncate = f == F::kTruncate;
      if (v[0].is_null() || (v.size() > 1 && v[1].is_null())) return SqlValue::null();
      int64_t d = 0;
      if (v.size() > 1) {
        SqlValue dv = scalar::to_number(v[1]);
        d = dv.kind == VK::kInt ? dv.i : static_cast<int64_t>(scalar::as_double(dv));
      }
      SqlValue x = v[0];
      if (x.kind == VK::kString) x = SqlValue::real(scalar::as_double(x));
      switch (x.kind) {
        case VK::kInt: {
          if (d >= 0) return x;
          if (d < -19) return SqlValue::integer(0);
          __int128 p = 1;
          for (int64_t k = 0; k < -d; ++k) p *= 10;
          __int128 iv = int_value(x);
          __int128 q = iv / p, r = iv % p;
          if (!truncate && (r < 0 ? -r : r) * 2 >= p) q += iv < 0 ? -1 : 1;
          return int_or_error(q * p, x.uns);
        }
        case VK::kDecimal:
          return SqlValue::decimal(decimal_round(x.dec, d, truncate));
        case VK::kDouble:
          return SqlValue::real(double_round(x.d, d, truncate));
        default:
          return x;
      }
    }
    case F::kFloor:
    case F::kCeil: {
      SqlValue x = v[0];
      if (x.is_null()) return x;
      if (x.kind == VK::kString) x = SqlValue::real(scalar::as_double(x));
      bool ceil = f == F::kCeil;
      if (x.kind == VK::kDouble) return SqlValue::real(ceil ? std::ceil(x.d) : std::floor(x.d));
      if (x.kind == VK::kDecimal) {
        Decimal t = x.dec.truncated(0);
        if (t.compare(x.dec) != 0) {
          if (ceil && !x.dec.negative()) t = t + Decimal::from_int(1);
          if (!ceil && x.dec.negative()) t = t - Decimal::from_int(1);
        }
        return SqlValue::decimal(t);
      }
      return x;
    }
    case F::kAbs: {
      SqlValue x = v[0];
      if (x.kind == VK::kString) x = SqlValue::real(scalar::as_double(x));
      switch (x.kind) {
        case VK::kInt:
          if (x.uns) return x;
          return int_or_error(int_value(x) < 0 ? -int_value(x) : int_value(x), false);
        case VK::kDecimal:
          return SqlValue::decimal(x.dec.negative() ? x.dec.negated() : x.dec);
        case VK::kDouble:
          return SqlValue::real(std::fabs(x.d));
        default:
          return x;
      }
    }
    case F::kSign: {
      SqlValue x = v[0];
      if (x.is_null()) return x;
      if (x.kind == VK::kString) x = SqlValue::real(scalar::as_double(x));
      int s = 0;
      if (x.kind == VK::kInt) {
        s = int_value(x) < 0 ? -1 : (int_value(x) > 0 ? 1 : 0);
      } else if (x.kind == VK::kDecimal) {
        s = x.dec.is_zero() ? 0 : (x.dec.negative() ? -1 : 1);
      } else {
        s = x.d < 0 ? -1 : (x.d > 0 ? 1 : 0);
      }
      return SqlValue::integer(s);
    }
    case F::kGreatest:
    case F::kLeast: {
      size_t best = 0;
      for (size_t k = 0; k < v.size(); ++k) {
        if (v[k].is_null()) return SqlValue::null();
      }
      bool greatest = f == F::kGreatest;
      std::vector<SqlValue> c;
      for (size_t k = 0; k < v.size(); ++k) c.push_back(conform(v[k], k));
      for (size_t k = 1; k < c.size(); ++k) {
        std::optional<int> cmp;
        if (c[k].kind == VK::kString && me && me->type) {
          cmp = compare_values(*me->type, c[k].s, c[best].s);
        } else {
          cmp = compare_sql_values(c[k], c[best]);
        }
        if (cmp && (greatest ? *cmp > 0 : *cmp < 0)) best = k;
      }
      return c[best];
    }
    case F::kCoalesce:
      for (size_t k = 0; k < args_.size(); ++k) {
        SqlValue x = args_[k].evaluate(row, types);
        if (x.is_error()) return x;
        if (!x.is_null()) return conform(std::move(x), k);
      }
      return SqlValue::null();
    case F::kIfNull: {
      SqlValue x = args_[0].evaluate(row, types);
      if (x.is_error()) return x;
      if (!x.is_null()) return conform(std::move(x), 0);
      return conform(args_[1].evaluate(row, types), 1);
    }
    case F::kIf: {
      SqlValue c = args_[0].evaluate(row, types);
      if (c.is_error()) return c;
      size_t k = c.truth().value_or(false) ? 1 : 2;
      return conform(args_[k].evaluate(row, types), k);
    }
    case F::kNullIf: {
      if (v[0].is_null()) return v[0];
      // Compared as shown, like `=`: each DECIMAL rounded to its type's scale.
      SqlValue a = v[0], b = v[1];
      for (size_t k = 0; k < 2 && bound_; ++k) {
        SqlValue& x = k == 0 ? a : b;
        const ExprType& t = args_[k].type();
        if (x.kind == VK::kDecimal && t.cls == Class::kDecimal && x.dec.scale() > t.scale)
          x.dec = x.dec.rescaled(t.scale);
      }
      auto cmp = compare_sql_values(a, b);
      if (cmp && *cmp == 0) return SqlValue::null();
      return conform(v[0], 0);
    }
    case F::kConcat:
    case F::kConcatWs: {
      std::string out;
      bool ws = f == F::kConcatWs;
      if (ws && v[0].is_null()) return SqlValue::null();
      std::string sep = ws ? scalar::display(v[0], bound_ ? &args_[0].type() : nullptr) : "";
      bool first = true;
      for (size_t k = ws ? 1 : 0; k < v.size(); ++k) {
        if (v[k].is_null()) {
          if (ws) continue;
          return SqlValue::null();
        }
        if (ws && !first) out += sep;
        out += scalar::display(v[k], bound_ ? &args_[k].type() : nullptr);
        first = false;
      }
      return SqlValue::string(std::move(out), me ? me->type : nullptr);
    }
    case F::kLength:
    case F::kCharLength:
    case F::kUpper:
    case F::kLower: {
      if (v[0].is_null()) return v[0];
      std::string s = scalar::display(v[0], bound_ ? &args_[0].type() : nullptr);
      if (f == F::kLength) return SqlValue::integer(static_cast<int64_t>(s.size()));
      if (f == F::kCharLength) {
        bool utf8 = !bound_ || !args_[0].type().type ||
                    args_[0].type().type->collation.encoding == Collation::Encoding::kUtf8;
        return SqlValue::integer(static_cast<int64_t>(utf8 ? utf8_chars(s) : s.size()));
      }
      // Case mapping is the collation's (MariaDB's unicase tables, case_map.h), which bind()
      // made sure the merge has for a string column; numbers and an unbound tree map ASCII.
      const ValueType* vt =
          bound_ && args_[0].type().cls == Class::kString ? args_[0].type().type : nullptr;
      // A binary string: unchanged, as the server leaves it (also the type of an aggregate over
      // an empty table of NULLs, a lookup join without driving rows).
      if (vt && is_binary(vt->collation))
        return SqlValue::string(std::move(s), me ? me->type : nullptr);
      if (vt && vt->collation.case_map) {
        auto mapped = vt->collation.case_map->apply(
            s, vt->collation.encoding == Collation::Encoding::kUtf8, f == F::kUpper);
        if (!mapped)
          return SqlValue::error(1235, std::string(function_name(f)) +
                                           "() of text its column's character set does not "
                                           "hold over several shards is not supported");
        return SqlValue::string(std::move(*mapped), me ? me->type : nullptr);
      }
      if (!is_ascii(s))
        return SqlValue::error(1235, std::string(function_name(f)) +
                                         "() of non-ASCII text over several shards is not "
                                         "supported");
      for (auto& ch : s)
        ch = static_cast<char>(f == F::kUpper ? std::toupper(static_cast<unsigned char>(ch))
                                              : std::tolower(static_cast<unsigned char>(ch)));
      return SqlValue::string(std::move(s), me ? me->type : nullptr);
    }
  }
  return SqlValue::null();
}

SqlValue ScalarExpr::evaluate_cast(const Row& row, std::span<const ValueType> types) const {
  SqlValue x = args_[0].evaluate(row, types);
  if (x.is_null() || x.is_error()) return x;
  const ExprType* from = bound_ ? &args_[0].type() : nullptr;
  switch (cast_.kind) {
    case CastTarget::Kind::kSigned:
    case CastTarget::Kind::kUnsigned: {
      bool uns = cast_.kind == CastTarget::Kind::kUnsigned;
      x = scalar::to_number(x);
      if (x.kind == VK::kInt) {
        // The bits reinterpreted: CAST(-1 AS UNSIGNED) = 18446744073709551615.
        SqlValue r = x;
        r.uns = uns;
        return r;
      }
      if (x.kind == VK::kDouble) {
        double d = std::rint(x.d);  // CAST(2.5e0 AS SIGNED) = 2
        if (uns) {
          if (d <= 0) return SqlValue::uinteger(0);
          if (d >= 18446744073709551615.0) return SqlValue::uinteger(UINT64_MAX);
          return SqlValue::uinteger(static_cast<uint64_t>(d));
        }
        if (d <= -9223372036854775808.0) return SqlValue::integer(INT64_MIN);
        if (d >= 9223372036854775807.0) return SqlValue::integer(INT64_MAX);
        return SqlValue::integer(static_cast<int64_t>(d));
      }
      // DECIMAL: rounded half away from zero, clipped to the range (CAST(-1.5 AS UNSIGNED) = 0).
      Decimal r = x.dec.rescaled(0);
      if (uns) {
        if (r.negative()) return SqlValue::uinteger(0);
        if (r.compare(Decimal::from_uint(UINT64_MAX)) > 0) return SqlValue::uinteger(UINT64_MAX);
        uint64_t u = 0;
        std::string t = r.to_string();
        std::from_chars(t.data(), t.data() + t.size(), u);
        return SqlValue::uinteger(u);
      }
      if (r.compare(Decimal::from_int(INT64_MAX)) > 0) return SqlValue::integer(INT64_MAX);
      if (r.compare(Decimal::from_int(INT64_MIN)) < 0) return SqlValue::integer(INT64_MIN);
      return SqlValue::integer(r.to_int().value_or(0));
    }
    case CastTarget::Kind::kDecimal: {
      Decimal d = scalar::as_decimal(scalar::to_number(x)).rescaled(cast_.scale);
      // Out of range: the largest value of DECIMAL(M,D), as the server clips (with a warning).
      std::string nines(static_cast<size_t>(cast_.precision - cast_.scale), '9');
      if (nines.empty()) nines = "0";
      if (cast_.scale > 0) nines += "." + std::string(static_cast<size_t>(cast_.scale), '9');
      Decimal max = *Decimal::parse(nines);
      if (d.compare(max) > 0) return SqlValue::decimal(max);
      if (d.compare(max.negated()) < 0) return SqlValue::decimal(max.negated());
      return SqlValue::decimal(d);
    }
    case CastTarget::Kind::kChar: {
      std::string s = scalar::display(x, from);
      if (cast_.length) {
        // CHAR(N): the first N characters.
        size_t chars = 0, i = 0;
        for (; i < s.size(); ++i) {
          if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) {
            if (chars == *cast_.length) break;
            ++chars;
          }
        }
        s.resize(i);
      }
      return SqlValue::string(std::move(s));
    }
    case CastTarget::Kind::kDouble:
      return SqlValue::real(scalar::as_double(scalar::to_number(x)));
  }
  return x;
}

SqlValue ScalarExpr::evaluate_case(const Row& row, std::span<const ValueType> types) const {
  size_t first = has_operand_ ? 1 : 0;
  size_t end = args_.size() - (has_else_ ? 1 : 0);
  SqlValue operand;
  if (has_operand_) {
    operand = args_[0].evaluate(row, types);
    if (operand.is_error()) return operand;
  }
  auto result = [&](size_t k) {
    SqlValue x = args_[k].evaluate(row, types);
    if (!bound_ || x.is_error()) return x;
    return scalar::convert(std::move(x), args_[k].type(), type_);
  };
  for (size_t k = first; k + 1 < end; k += 2) {
    SqlValue w = args_[k].evaluate(row, types);
    if (w.is_error()) return w;
    bool hit = false;
    if (has_operand_) {
      auto c = compare_sql_values(operand, w);
      hit = c && *c == 0;
    } else {
      hit = w.truth().value_or(false);
    }
    if (hit) return result(k + 1);
  }
  if (has_else_) return result(args_.size() - 1);
  return SqlValue::null();
}

}  // namespace tessera::exec
