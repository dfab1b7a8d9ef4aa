#include "exec/aggregate.h"

#include <charconv>
#include <cmath>

#include "exec/scalar_expr.h"

namespace tessera::exec {
namespace {

using protocol::FieldType;

// DECIMAL columns carry their exact scale; 31 means "not fixed" (floating point results).
constexpr uint8_t kNotFixedDecimals = 31;

bool is_float_column(const protocol::ColumnDefinition& def) {
  return def.type == FieldType::kFloat || def.type == FieldType::kDouble;
}

bool is_variance(AggregateKind k) {
  return k == AggregateKind::kVarPop || k == AggregateKind::kVarSamp ||
         k == AggregateKind::kStddevPop || k == AggregateKind::kStddevSamp;
}

bool is_distinct(AggregateKind k) {
  return k == AggregateKind::kCountDistinct || k == AggregateKind::kSumDistinct ||
         k == AggregateKind::kAvgDistinct || k == AggregateKind::kGroupConcatDistinct;
}

// Cuts at most `max` bytes without splitting a UTF-8 character.
size_t utf8_cut(std::string_view s, size_t max) {
  if (s.size() <= max) return s.size();
  size_t n = max;
  while (n > 0 && (static_cast<uint8_t>(s[n]) & 0xc0) == 0x80) --n;
  return n;
}

std::optional<double> to_double(std::string_view v) {
  double d = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return d;
}

}  // namespace

std::string format_double(double v) {
  if (v == 0) return "0";
  if (std::isnan(v)) return "NaN";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, ec == std::errc() ? p : buf);
  size_t e = s.find('e');
  if (e == std::string::npos) return s;
  std::string mantissa = s.substr(0, e);
  std::string exp = s.substr(e + 1);
  bool neg = !exp.empty() && exp[0] == '-';
  if (!exp.empty() && (exp[0] == '+' || exp[0] == '-')) exp.erase(0, 1);
  while (exp.size() > 1 && exp[0] == '0') exp.erase(0, 1);
  return mantissa + "e" + (neg ? "-" : "") + exp;
}

AggregateContext::AggregateContext(std::vector<AggregateSpec> aggs,
                                   std::vector<protocol::ColumnDefinition> cols,
                                   size_t concat_max_len)
    : aggregates(std::move(aggs)), columns(std::move(cols)), group_concat_max_len(concat_max_len) {
  types.reserve(columns.size());
  for (const auto& c : columns) types.push_back(ValueType::of(c));
}

GroupAccumulator::GroupAccumulator(const AggregateContext& ctx)
    : ctx_(&ctx), states_(ctx.aggregates.size()) {
  for (size_t i = 0; i < states_.size(); ++i) {
    const AggregateSpec& spec = ctx.aggregates[i];
    size_t col = spec.kind == AggregateKind::kAvg || is_variance(spec.kind) ? spec.sum_column
                 : is_distinct(spec.kind)                                   ? spec.argument_column
                                                                            : spec.column;
    states_[i].use_double = col < ctx.columns.size() && is_float_column(ctx.columns[col]);
    if (spec.kind == AggregateKind::kBitAnd) states_[i].bits = ~uint64_t{0};
  }
}

void GroupAccumulator::add_concat(const AggregateSpec& spec, State& st, std::string_view v) {
  if (st.truncated) return;
  size_t max = ctx_->group_concat_max_len;
  if (st.any) st.text.append(spec.separator);
  st.text.append(v);
  st.any = true;
  if (st.text.size() > max) {
    st.text.resize(utf8_cut(st.text, max));
    st.truncated = true;
  }
}

void GroupAccumulator::add_value(const AggregateSpec& spec, State& st, std::string_view v,
                                 size_t type_column) {
  switch (spec.kind) {
    case AggregateKind::kCount:
    case AggregateKind::kCountDistinct: {
      uint64_t n = 1;
      if (spec.kind == AggregateKind::kCount) {
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec != std::errc()) n = 0;
      }
      st.count += n;
      st.any = true;
      break;
    }
    case AggregateKind::kSum:
    case AggregateKind::kSumDistinct:
    case AggregateKind::kAvgDistinct:
      if (st.use_double) {
        st.dsum += to_double(v).value_or(0);
      } else if (auto d = Decimal::parse(v)) {
        st.sum = st.sum + *d;
      } else {
        // Not a decimal text after all (an exponent): continue in double like the server.
        st.use_double = true;
        st.dsum = st.sum.to_double() + to_double(v).value_or(0);
      }
      ++st.count;
      st.any = true;
      break;
    case AggregateKind::kMin:
    case AggregateKind::kMax: {
      const ValueType& t = ctx_->types[type_column];
      if (!st.best) {
        st.best = std::string(v);
      } else {
        int c = compare_values(t, v, *st.best);
        if (spec.kind == AggregateKind::kMin ? c < 0 : c > 0) st.best->assign(v);
      }
      st.any = true;
      break;
    }
    case AggregateKind::kGroupConcat:
    case AggregateKind::kGroupConcatDistinct:
      add_concat(spec, st, v);
      break;
    case AggregateKind::kBitAnd:
    case AggregateKind::kBitOr:
    case AggregateKind::kBitXor: {
      uint64_t b = 0;
      std::from_chars(v.data(), v.data() + v.size(), b);
      if (spec.kind == AggregateKind::kBitAnd) {
        st.bits &= b;
      } else if (spec.kind == AggregateKind::kBitOr) {
        st.bits |= b;
      } else {
        st.bits ^= b;
      }
      st.any = true;
      break;
    }
    case AggregateKind::kAvg:
    case AggregateKind::kVarPop:
    case AggregateKind::kVarSamp:
    case AggregateKind::kStddevPop:
    case AggregateKind::kStddevSamp:
      break;  // handled in add()
  }
}

// Adds a SUM partial to an exact sum, or to a double one once a partial is not a decimal.
void add_partial_sum(std::string_view v, bool& use_double, Decimal& sum, double& dsum) {
  if (use_double) {
    dsum += to_double(v).value_or(0);
  } else if (auto d = Decimal::parse(v)) {
    sum = sum + *d;
  } else {
    use_double = true;
    dsum = sum.to_double() + to_double(v).value_or(0);
  }
}

void GroupAccumulator::add(const Row& row) {
  if (!first_) {
    first_ = row;
    memory_ += row.memory_bytes();
  }
  for (size_t i = 0; i < states_.size(); ++i) {
    const AggregateSpec& spec = ctx_->aggregates[i];
    State& st = states_[i];
    if (spec.kind == AggregateKind::kAvg) {
      auto sum = row.get(spec.sum_column);
      auto count = row.get(spec.count_column);
      if (count) {
        uint64_t n = 0;
        std::from_chars(count->data(), count->data() + count->size(), n);
        st.count += n;
      }
      if (sum) {
        AggregateSpec as_sum = spec;
        as_sum.kind = AggregateKind::kSum;
        uint64_t keep = st.count;
        add_value(as_sum, st, *sum, spec.sum_column);
        st.count = keep;  // the count comes from the COUNT column, not from partials seen
      }
      continue;
    }
    if (is_variance(spec.kind)) {
      auto count = row.get(spec.count_column);
      if (!count) continue;
      uint64_t n = 0;
      std::from_chars(count->data(), count->data() + count->size(), n);
      if (n == 0) continue;
      st.count += n;
      bool was_double = st.use_double;
      add_partial_sum(row.get(spec.sum_column).value_or("0"), st.use_double, st.sum, st.dsum);
      if (st.use_double && !was_double) st.dsumsq = st.sumsq.to_double();
      bool sq_double = st.use_double;
      add_partial_sum(row.get(spec.sumsq_column).value_or("0"), sq_double, st.sumsq, st.dsumsq);
      if (sq_double && !st.use_double) {
        st.use_double = true;
        st.dsum = st.sum.to_double();
      }
      st.any = true;
      continue;
    }
    if (is_distinct(spec.kind)) {
      auto v = row.get(spec.argument_column);
      if (!v) continue;
      std::string key;
      size_t key_column = spec.argument_key_column.value_or(spec.argument_column);
      append_key(ctx_->types[key_column], row.get(key_column), key);
      bool null_argument = false;
      for (size_t k = 0; k < spec.more_arguments.size(); ++k) {
        size_t col = spec.more_arguments[k];
        if (!row.get(col)) null_argument = true;
        size_t kc = k < spec.more_argument_keys.size() && spec.more_argument_keys[k]
                        ? *spec.more_argument_keys[k]
                        : col;
        append_key(ctx_->types[kc], row.get(kc), key);
      }
      if (null_argument) continue;
      auto [it, inserted] = st.seen.insert(std::move(key));
      if (!inserted) continue;
      memory_ += it->size() + 32;
      add_value(spec, st, *v, spec.argument_column);
      continue;
    }
    auto v = row.get(spec.column);
    if (!v) continue;
    if (spec.key_column && (spec.kind == AggregateKind::kMin || spec.kind == AggregateKind::kMax)) {
      // Compared by the key (the value's weights), but the value is what the client gets.
      auto k = row.get(*spec.key_column);
      if (!k) continue;
      int c = st.best_key ? compare_values(ctx_->types[*spec.key_column], *k, *st.best_key) : 0;
      if (!st.best_key || (spec.kind == AggregateKind::kMin ? c < 0 : c > 0)) {
        st.best = std::string(*v);
        st.best_key = std::string(*k);
      }
      st.any = true;
      continue;
    }
    add_value(spec, st, *v, spec.column);
  }
}

std::optional<std::string> GroupAccumulator::value_of(const AggregateSpec& spec,
                                                      const State& st) const {
  const protocol::ColumnDefinition* def =
      spec.column < ctx_->columns.size() ? &ctx_->columns[spec.column] : nullptr;
  switch (spec.kind) {
    case AggregateKind::kCount:
    case AggregateKind::kCountDistinct:
      return std::to_string(st.count);
    case AggregateKind::kSum:
    case AggregateKind::kSumDistinct:
      if (!st.any) return std::nullopt;
      if (st.use_double) return format_double(st.dsum);
      if (def && def->type == FieldType::kNewDecimal && def->decimals < kNotFixedDecimals) {
        return st.sum.to_string(def->decimals);
      }
      return st.sum.to_string();
    case AggregateKind::kAvg:
    case AggregateKind::kAvgDistinct: {
      if (!st.any || st.count == 0) return std::nullopt;
      bool as_double = st.use_double || (def && is_float_column(*def));
      if (as_double) {
        double sum = st.use_double ? st.dsum : st.sum.to_double();
        return format_double(sum / static_cast<double>(st.count));
      }
      // MariaDB gives AVG of an exact value 4 more decimals than its argument; the planner's
      // AVG column definition carries the exact count, used when known.
      int scale = def && def->decimals < kNotFixedDecimals ? def->decimals : st.sum.scale() + 4;
      auto q = Decimal::divide(st.sum, Decimal::from_uint(st.count), scale);
      return q ? std::optional<std::string>(q->to_string()) : std::nullopt;
    }
    case AggregateKind::kMin:
    case AggregateKind::kMax:
      return st.best;
    case AggregateKind::kBitAnd:
    case AggregateKind::kBitOr:
    case AggregateKind::kBitXor:
      return std::to_string(st.bits);
    case AggregateKind::kVarPop:
    case AggregateKind::kVarSamp:
    case AggregateKind::kStddevPop:
    case AggregateKind::kStddevSamp: {
      bool samp = spec.kind == AggregateKind::kVarSamp || spec.kind == AggregateKind::kStddevSamp;
      if (!st.any || st.count == 0 || (samp && st.count == 1)) return std::nullopt;
      double var = 0;
      double n = static_cast<double>(st.count);
      if (st.use_double) {
        var = (st.dsumsq - st.dsum * st.dsum / n) / (samp ? n - 1 : n);
        if (var < 0) var = 0;
      } else {
        // Exact until here: (n * SUM(x*x) - SUM(x)^2) / (n * (n or n-1)), rounded once.
        Decimal num = Decimal::from_uint(st.count) * st.sumsq - st.sum * st.sum;
        Decimal den =
            Decimal::from_uint(st.count) * Decimal::from_uint(samp ? st.count - 1 : st.count);
        auto q = Decimal::divide(num, den, num.scale() + 40);
        var = q ? q->to_double() : 0;
      }
      if (spec.kind == AggregateKind::kStddevPop || spec.kind == AggregateKind::kStddevSamp)
        var = std::sqrt(var);
      // Shown with the type's decimals (STDDEV of an integer: 4) like the server.
      if (!spec.full_precision && def && def->decimals < kNotFixedDecimals)
        return scalar::fixed_double(var, def->decimals);
      return format_double(var);
    }
    case AggregateKind::kGroupConcat:
    case AggregateKind::kGroupConcatDistinct:
      if (!st.any) return std::nullopt;
      return st.text;
  }
  return std::nullopt;
}

Row GroupAccumulator::result() const {
  size_t n = ctx_->columns.size();
  std::vector<const std::optional<std::string>*> overrides(n, nullptr);
  std::vector<std::optional<std::string>> values(states_.size());
  for (size_t i = 0; i < states_.size(); ++i) {
    const AggregateSpec& spec = ctx_->aggregates[i];
    values[i] = value_of(spec, states_[i]);
    if (spec.column < n) overrides[spec.column] = &values[i];
    // MIN/MAX's key column goes with the value it chose (a later ORDER BY sorts by it).
    if (spec.key_column && *spec.key_column < n &&
        (spec.kind == AggregateKind::kMin || spec.kind == AggregateKind::kMax))
      overrides[*spec.key_column] = &states_[i].best_key;
  }
  // AVG's hidden SUM and COUNT get the group's totals too: an expression over AVG recomputes
  // it from them with the server's digits (ScalarExpr::average).
  std::vector<std::optional<std::string>> avg_parts(2 * states_.size());
  for (size_t i = 0; i < states_.size(); ++i) {
    const AggregateSpec& spec = ctx_->aggregates[i];
    const State& st = states_[i];
    if (spec.kind != AggregateKind::kAvg) continue;
    if (st.any) avg_parts[2 * i] = st.use_double ? format_double(st.dsum) : st.sum.to_string();
    avg_parts[2 * i + 1] = std::to_string(st.count);
    if (spec.sum_column < n) overrides[spec.sum_column] = &avg_parts[2 * i];
    if (spec.count_column < n) overrides[spec.count_column] = &avg_parts[2 * i + 1];
  }
  Row out;
  for (size_t c = 0; c < n; ++c) {
    if (overrides[c]) {
      const auto& v = *overrides[c];
      v ? out.append(std::string_view(*v)) : out.append_null();
    } else if (first_ && c < first_->size()) {
      out.append_cell(first_->get(c));
    } else {
      out.append_null();
    }
  }
  return out;
}

}  // namespace tessera::exec
