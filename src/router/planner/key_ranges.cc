#include "router/planner/key_ranges.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "router/planner/table_scan.h"
#include "router/shard_functions/text_number.h"
#include "sql/writer.h"

namespace tessera::router {

using namespace sql;

bool is_key_column(const Expr* e, const KeyColumns& key) {
  if (!e || e->kind != ExprKind::Column) return false;
  auto* c = static_cast<const ColumnRef*>(e);
  if (!same_name(c->column().name, key.key)) return false;
  if (c->n == 1) return true;
  std::string_view q = c->parts[c->n - 2].name;
  for (auto name : key.qualifiers) {
    if (same_name(name, q)) return true;
  }
  return false;
}

namespace {

// "-190", "+7", "0012", "5.00" -> the integer; anything else (spaces, exponents, fractions,
// overflow) -> nullopt.
std::optional<int64_t> integer_text(std::string_view s) {
  std::string_view digits = s;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  auto dot = digits.find('.');
  if (dot != std::string_view::npos) {
    if (digits.find_first_not_of('0', dot + 1) != std::string_view::npos) return std::nullopt;
    digits = digits.substr(0, dot);
  }
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return negative ? -v : v;
}

}  // namespace

std::optional<ShardValue> constant_value(const Expr* e, const std::vector<ShardValue>* params) {
  if (!e) return std::nullopt;
  switch (e->kind) {
    case ExprKind::Param: {
      auto* p = static_cast<const Param*>(e);
      if (!params || p->index >= params->size()) return std::nullopt;
      return (*params)[p->index];
    }
    case ExprKind::Unary: {
      auto* u = static_cast<const Unary*>(e);
      if (u->op == UnaryOp::Plus) return constant_value(u->operand, params);
      if (u->op != UnaryOp::Neg) return std::nullopt;
      auto inner = constant_value(u->operand, params);
      if (!inner) return std::nullopt;
      if (auto* i = std::get_if<int64_t>(&inner->v)) {
        if (*i == INT64_MIN) return std::nullopt;
        return ShardValue::of(-*i);
      }
      if (auto* u64 = std::get_if<uint64_t>(&inner->v)) {
        if (*u64 == uint64_t(INT64_MAX) + 1) return ShardValue::of(INT64_MIN);
        return std::nullopt;
      }
      if (auto* s = std::get_if<std::string>(&inner->v)) {
        if (!s->empty() && (*s)[0] == '-') return ShardValue::of(s->substr(1));
        return ShardValue::of("-" + *s);
      }
      return std::nullopt;
    }
    case ExprKind::Literal: {
      auto* l = static_cast<const Literal*>(e);
      switch (l->literal_kind) {
        case LiteralKind::Integer: {
          int64_t v = 0;
          auto r = std::from_chars(l->text.data(), l->text.data() + l->text.size(), v);
          if (r.ec == std::errc() && r.ptr == l->text.data() + l->text.size())
            return ShardValue::of(v);
          uint64_t u = 0;
          auto r2 = std::from_chars(l->text.data(), l->text.data() + l->text.size(), u);
          if (r2.ec == std::errc() && r2.ptr == l->text.data() + l->text.size())
            return ShardValue::of_unsigned(u);
          return ShardValue::of(std::string(l->text));
        }
        case LiteralKind::Decimal: {
          // 204.0 compares equal to the integer 204: route it as one.
          auto dot = l->text.find('.');
          bool integral = dot != std::string_view::npos && dot > 0 &&
                          l->text.find_first_not_of('0', dot + 1) == std::string_view::npos;
          if (integral) {
            int64_t v = 0;
            auto r = std::from_chars(l->text.data(), l->text.data() + dot, v);
            if (r.ec == std::errc() && r.ptr == l->text.data() + dot) return ShardValue::of(v);
          }
          return ShardValue::of(std::string(l->text));
        }
        case LiteralKind::Float: {
          // An integer column compares with the double's exact value (1e3 is 1000,
          // -1000000000000000002e0 is -10^18): route an integral double as that integer.
          std::string text(l->text);
          double d = std::strtod(text.c_str(), nullptr);
          if (std::isfinite(d) && d == std::floor(d)) {
            if (d >= -9223372036854775808.0 && d < 9223372036854775808.0)
              return ShardValue::of(static_cast<int64_t>(d));
            // From 2^63 on, a signed BIGINT column cannot hold the value, so the server
            // compares as doubles: `id = 9223372036854775807e0` (2^63) matches every id that
            // rounds to 2^63 (the top 512 values), wherever they live; in an UNSIGNED column it
            // is exactly 2^63. The column's signedness is not known here: every shard.
            if (d >= 0 && d < 18446744073709551616.0) return std::nullopt;
          }
          return ShardValue::of(std::move(text));
        }
        case LiteralKind::String:
        case LiteralKind::NString: {
          // The server compares '-190' with an integer key as the number -190, so a string
          // that spells an integer routes as that integer (Gaea hashes '-190' by CRC32 and
          // misses the row; '190' it already treats as a number).
          std::string s;
          decode_string_literal(l->text, s);
          if (auto n = integer_text(s)) return ShardValue::of(*n);
          return ShardValue::of(std::move(s));
        }
        case LiteralKind::Date:
        case LiteralKind::Time:
        case LiteralKind::Timestamp: {
          std::string s;
          decode_string_literal(l->text, s);
          return ShardValue::of(std::move(s));
        }
        case LiteralKind::Null:
          return ShardValue::null();
        case LiteralKind::True:
          return ShardValue::of(int64_t{1});
        case LiteralKind::False:
          return ShardValue::of(int64_t{0});
        default:
          return std::nullopt;
      }
    }
    default:
      return std::nullopt;
  }
}

namespace {

class Restrictor {
 public:
  Restrictor(const KeyColumns& key, const ShardFunction& fn, const std::vector<ShardValue>* params)
      : key_(key), fn_(fn), params_(params) {}

  std::optional<ShardError> error;

  // nullopt: unrestricted.
  std::optional<IndexSet> eval(const Expr* e) {
    if (!e || error) return std::nullopt;
    switch (e->kind) {
      case ExprKind::Binary:
        return binary(static_cast<const Binary*>(e));
      case ExprKind::InList: {
        auto* in = static_cast<const InList*>(e);
        if (in->negated || !is_key_column(in->operand, key_)) return std::nullopt;
        IndexSet out;
        for (auto* item : in->items) {
          auto v = constant_value(item, params_);
          if (!v) return std::nullopt;
          if (v->is_null()) continue;  // key IN (NULL) matches nothing
          if (!point(*v, out)) return std::nullopt;
        }
        return out;
      }
      case ExprKind::Between: {
        auto* b = static_cast<const Between*>(e);
        if (b->negated || !is_key_column(b->operand, key_)) return std::nullopt;
        auto lo = constant_value(b->low, params_);
        auto hi = constant_value(b->high, params_);
        if (!lo || !hi) return std::nullopt;
        return range(RangeBound{*lo, true}, RangeBound{*hi, true});
      }
      default:
        return std::nullopt;
    }
  }

 private:
  // A value the function cannot place (a non-integer for a range rule, a bad date) still
  // compares with the column on the server: the condition then does not narrow the shards.
  bool point(const ShardValue& v, IndexSet& out) {
    if (fn_.reads_integers()) {
      if (const auto* s = std::get_if<std::string>(&v.v)) return text_point(*s, out);
    }
    return point_integer(v, out);
  }

  bool point_integer(const ShardValue& v, IndexSet& out) {
    auto r = fn_.find(v);
    if (std::holds_alternative<ShardError>(r)) return false;
    out.insert(std::get<int>(r));
    return true;
  }

  // A text key compared with the key column of an integer-reading function. The column may be
  // an integer (the server compares the value of the text's numeric prefix exactly, see
  // text_number.h) or a string (its rows were placed by write_key below): the shards of both
  // readings. False: every shard.
  bool text_point(const std::string& s, IndexSet& out) {
    using Kind = TextNumber::Kind;
    TextNumber n = read_text_number(s);
    if (n.whole && (n.kind == Kind::kInteger || (n.kind == Kind::kFraction && !n.rounded_out))) {
      // Integer columns: only that integer (a fraction matches none). String columns: write_key
      // put the row by the same number.
      return point_integer(n.integer, out);
    }
    // '12abc', 'abc', '1e30': a string column holds it where Gaea puts it (a function that
    // cannot place text, mod or range, never let such a key be written); an integer column may
    // hold the prefix's integer.
    auto as_text = fn_.find(ShardValue::of(s));
    if (!std::holds_alternative<ShardError>(as_text)) out.insert(std::get<int>(as_text));
    if (n.kind == Kind::kInteger) return point_integer(n.integer, out);
    return true;
  }

  std::optional<IndexSet> range(std::optional<RangeBound> lo, std::optional<RangeBound> hi) {
    if ((lo && lo->value.is_null()) || (hi && hi->value.is_null())) return IndexSet{};
    auto r = fn_.find_range(lo, hi);
    if (std::holds_alternative<ShardError>(r)) return std::nullopt;
    auto& v = std::get<std::vector<int>>(r);
    return IndexSet(v.begin(), v.end());
  }

  std::optional<IndexSet> binary(const Binary* b) {
    switch (b->op) {
      case BinaryOp::And: {
        auto l = eval(b->left);
        auto r = eval(b->right);
        if (!l) return r;
        if (!r) return l;
        IndexSet out;
        for (int i : *l) {
          if (r->count(i)) out.insert(i);
        }
        return out;
      }
      case BinaryOp::Or:
      case BinaryOp::OrOr: {
        auto l = eval(b->left);
        if (!l) return std::nullopt;
        auto r = eval(b->right);
        if (!r) return std::nullopt;
        l->insert(r->begin(), r->end());
        return l;
      }
      case BinaryOp::Eq:
      case BinaryOp::NullSafeEq:
      case BinaryOp::Lt:
      case BinaryOp::Le:
      case BinaryOp::Gt:
      case BinaryOp::Ge:
        break;
      default:
        return std::nullopt;
    }
    // key OP value, or value OP key (mirror the operator).
    BinaryOp op = b->op;
    const Expr* value = nullptr;
    if (is_key_column(b->left, key_)) {
      value = b->right;
    } else if (is_key_column(b->right, key_)) {
      value = b->left;
      switch (op) {
        case BinaryOp::Lt:
          op = BinaryOp::Gt;
          break;
        case BinaryOp::Le:
          op = BinaryOp::Ge;
          break;
        case BinaryOp::Gt:
          op = BinaryOp::Lt;
          break;
        case BinaryOp::Ge:
          op = BinaryOp::Le;
          break;
        default:
          break;
      }
    } else {
      return std::nullopt;
    }
    auto v = constant_value(value, params_);
    if (!v) return std::nullopt;
    switch (op) {
      case BinaryOp::Eq:
      case BinaryOp::NullSafeEq: {
        if (v->is_null()) {
          // key = NULL matches nothing; key <=> NULL matches rows with a NULL key, which the
          // function cannot place: leave it unrestricted.
          if (op == BinaryOp::Eq) return IndexSet{};
          return std::nullopt;
        }
        IndexSet out;
        if (!point(*v, out)) return std::nullopt;
        return out;
      }
      case BinaryOp::Lt:
        return range(std::nullopt, RangeBound{*v, false});
      case BinaryOp::Le:
        return range(std::nullopt, RangeBound{*v, true});
      case BinaryOp::Gt:
        return range(RangeBound{*v, false}, std::nullopt);
      case BinaryOp::Ge:
        return range(RangeBound{*v, true}, std::nullopt);
      default:
        return std::nullopt;
    }
  }

  const KeyColumns& key_;
  const ShardFunction& fn_;
  const std::vector<ShardValue>* params_;
};

}  // namespace

ShardValue write_key(const ShardValue& value, const ShardFunction& fn) {
  if (!fn.reads_integers()) return value;
  const auto* s = std::get_if<std::string>(&value.v);
  if (!s) return value;
  TextNumber n = read_text_number(*s);
  // What an integer column stores; other text keeps Gaea's reading (a string key column; an
  // integer column refuses it in strict mode).
  if (n.whole && (n.kind == TextNumber::Kind::kInteger ||
                  (n.kind == TextNumber::Kind::kFraction && !n.rounded_out)))
    return n.integer;
  return value;
}

KeyRangeResult restrict_by_key(const Expr* where, const KeyColumns& key, const ShardFunction& fn,
                               const std::vector<ShardValue>* params) {
  Restrictor r(key, fn, params);
  KeyRangeResult out;
  out.indexes = r.eval(where);
  out.error = r.error;
  if (out.error) out.indexes.reset();
  return out;
}

}  // namespace tessera::router
