#include "exec/window.h"

#include <algorithm>
#include <charconv>

#include "exec/aggregate.h"
#include "exec/decimal.h"
#include "exec/scalar_expr.h"

namespace tessera::exec {
namespace {

using protocol::FieldType;

MergeError not_exact(const std::string& what) {
  return MergeError{
      protocol::ErrorCode{1235, "42000"},
      "window function over several shards: " + what + " is not computed exactly by the merge"};
}

bool is_integer_type(FieldType t) {
  return t == FieldType::kTiny || t == FieldType::kShort || t == FieldType::kInt24 ||
         t == FieldType::kLong || t == FieldType::kLongLong || t == FieldType::kYear;
}

bool is_decimal_type(FieldType t) {
  return t == FieldType::kNewDecimal || t == FieldType::kDecimal;
}

bool exact_number(const ValueType& t) {
  return t.family == ValueFamily::kSignedInt || t.family == ValueFamily::kUnsignedInt ||
         t.family == ValueFamily::kDecimal;
}

std::vector<SortKey> sort_keys(const WindowSpec& spec) {
  std::vector<SortKey> keys;
  for (size_t c : spec.partition) keys.push_back({c, false});
  for (const auto& k : spec.order) keys.push_back(k);
  return keys;
}

std::vector<SortKey> ascending(const std::vector<size_t>& cols) {
  std::vector<SortKey> keys;
  for (size_t c : cols) keys.push_back({c, false});
  return keys;
}

bool has_offset(const WindowFrame& f) {
  auto offset = [](const WindowBound& b) {
    return b.type == WindowBound::Type::kPreceding || b.type == WindowBound::Type::kFollowing;
  };
  return offset(f.start) || offset(f.end);
}

// A RANGE frame whose start can lie after its end (n FOLLOWING .. m PRECEDING, CURRENT ROW ..
// m PRECEDING, n PRECEDING .. m PRECEDING with n < m, ...): MariaDB's two frame cursors then
// count rows an ordered scan would not (`RANGE BETWEEN 1 FOLLOWING AND 1 PRECEDING` over keys
// 1, 2, 4, 4, 10 gives the last row 1), so such frames stay with the server.
bool may_cross(const WindowFrame& f) {
  using T = WindowBound::Type;
  // Order of a bound along the partition, offsets aside.
  auto rank = [](T t) {
    switch (t) {
      case T::kUnboundedPreceding:
        return 0;
      case T::kPreceding:
        return 1;
      case T::kCurrentRow:
        return 2;
      case T::kFollowing:
        return 3;
      case T::kUnboundedFollowing:
        return 4;
    }
    return 0;
  };
  const int s = rank(f.start.type), e = rank(f.end.type);
  if (f.start.type == T::kUnboundedFollowing || f.end.type == T::kUnboundedPreceding) return true;
  if (s > e) return true;
  if (s == e && (s == 1 || s == 3)) {
    auto a = Decimal::parse(f.start.range_offset), b = Decimal::parse(f.end.range_offset);
    if (!a || !b) return true;
    const int c = a->compare(*b);
    return s == 1 ? c < 0 : c > 0;
  }
  return false;
}

}  // namespace

std::optional<MergeError> WindowOperator::unsupported(
    const WindowSpec& spec, const std::vector<protocol::ColumnDefinition>& cols,
    const std::vector<ValueType>& types) {
  const size_t n = cols.size();
  for (size_t c : spec.partition) {
    if (c >= n) return internal_error("window plan: a PARTITION BY column is out of range");
  }
  for (const auto& k : spec.order) {
    if (k.column >= n) return internal_error("window plan: an ORDER BY column is out of range");
  }
  for (const auto& f : spec.functions) {
    if (f.column >= n || f.argument >= n || (f.default_column && *f.default_column >= n) ||
        (f.argument_key && *f.argument_key >= n))
      return internal_error("window plan: a window column is out of range");
    const auto& result = cols[f.column];
    switch (f.kind) {
      case WindowKind::kSum:
      case WindowKind::kAvg:
        if (!exact_number(types[f.argument]))
          return not_exact("SUM / AVG of a value that is not an integer or DECIMAL");
        if (!is_decimal_type(result.type) && !is_integer_type(result.type))
          return not_exact("SUM / AVG with a result that is not DECIMAL");
        break;
      case WindowKind::kMin:
      case WindowKind::kMax:
        if (types[f.argument].family == ValueFamily::kString && !f.argument_key)
          return not_exact("MIN / MAX of a string");
        break;
      case WindowKind::kPercentRank:
      case WindowKind::kCumeDist:
        if (result.type != FieldType::kDouble) return not_exact("PERCENT_RANK / CUME_DIST");
        break;
      case WindowKind::kNtile:
      case WindowKind::kNthValue:
        if (f.n == 0) return not_exact("NTILE / NTH_VALUE of 0");
        break;
      default:
        break;
    }
    if (f.frame && !f.frame->rows && has_offset(*f.frame)) {
      if (spec.order.size() != 1)
        return not_exact("a RANGE frame with an offset and other than one ORDER BY key");
      // (FLOAT / DOUBLE keys would be moved by the offset in binary floating point; the
      // server's unsigned arithmetic errs below 0.)
      const auto family = types[spec.order[0].column].family;
      if (family != ValueFamily::kSignedInt && family != ValueFamily::kDecimal)
        return not_exact(
            "a RANGE frame with an offset over a key that is not a signed "
            "integer or DECIMAL");
      for (const auto* b : {&f.frame->start, &f.frame->end}) {
        if (b->type != WindowBound::Type::kPreceding && b->type != WindowBound::Type::kFollowing)
          continue;
        auto d = Decimal::parse(b->range_offset);
        if (!d || d->negative()) return not_exact("a RANGE frame offset that is not a number");
      }
      if (may_cross(*f.frame)) return not_exact("a RANGE frame whose start may pass its end");
    }
  }
  return std::nullopt;
}

WindowOperator::WindowOperator(WindowSpec spec, std::vector<protocol::ColumnDefinition> columns,
                               std::vector<ValueType> types, uint64_t max_rows,
                               std::shared_ptr<MemoryBudget> budget)
    : spec_(std::move(spec)),
      columns_(std::move(columns)),
      types_(std::move(types)),
      partition_cmp_(ascending(spec_.partition), types_),
      order_cmp_(spec_.order, types_),
      sort_(RowComparator(sort_keys(spec_), types_), std::nullopt, max_rows, budget),
      share_(budget),
      budget_(std::move(budget)) {}

Status WindowOperator::add(Row row) {
  return sort_.add(std::move(row));
}

Status WindowOperator::finish() {
  if (auto s = sort_.finish(); !s) return s;
  Row first;
  if (sort_.next(first)) {
    lookahead_ = std::move(first);
  } else if (sort_.error()) {
    return *sort_.error();
  }
  input_done_ = true;
  return Status();
}

Result<bool> WindowOperator::next(Row& out) {
  if (!input_done_) return internal_error("window operator read before its input ended");
  if (emit_ >= rows_.size()) {
    if (!lookahead_) return false;
    if (auto s = fill_partition(); !s) return s.error();
  }
  Row& r = rows_[emit_];
  // The row again, each result column replaced.
  std::vector<std::optional<std::string_view>> cells(r.size());
  for (size_t c = 0; c < r.size(); ++c) cells[c] = r.get(c);
  for (size_t k = 0; k < spec_.functions.size(); ++k) {
    const auto& v = results_[k][emit_];
    cells[spec_.functions[k].column] =
        v ? std::optional<std::string_view>(*v) : std::optional<std::string_view>();
  }
  Row built;
  for (const auto& c : cells) built.append_cell(c);
  out = std::move(built);
  ++emit_;
  if (emit_ == rows_.size()) {
    rows_.clear();
    share_.release_all();
  }
  return true;
}

Status WindowOperator::fill_partition() {
  rows_.clear();
  share_.release_all();
  emit_ = 0;
  rows_.push_back(std::move(*lookahead_));
  lookahead_.reset();
  share_.charge(rows_.back().memory_bytes());
  for (;;) {
    Row r;
    if (!sort_.next(r)) {
      if (sort_.error()) return *sort_.error();
      break;
    }
    if (partition_cmp_.compare(rows_.front(), r) != 0) {
      lookahead_ = std::move(r);
      break;
    }
    share_.charge(r.memory_bytes());
    // (A partition is held whole, never spilled: past the whole budget it is an error.)
    if (budget_ && budget_->limit() && share_.held() > budget_->limit())
      return MergeError{protocol::ErrorCode{1038, "HY001"},
                        "Out of sort memory: a window function's partition needs more than " +
                            std::to_string(budget_->limit()) +
                            " bytes (merge_memory_bytes), and a partition is held in memory "
                            "whole; raise merge_memory_bytes, or narrow the query with WHERE"};
    rows_.push_back(std::move(r));
  }
  const size_t n = rows_.size();
  peer_first_.assign(n, 0);
  peer_end_.assign(n, n);
  for (size_t i = 1; i < n; ++i) {
    peer_first_[i] = order_cmp_.compare(rows_[i - 1], rows_[i]) == 0 ? peer_first_[i - 1] : i;
  }
  for (size_t i = n; i-- > 0;) {
    peer_end_[i] = (i + 1 < n && peer_first_[i + 1] == peer_first_[i]) ? peer_end_[i + 1] : i + 1;
  }
  results_.assign(spec_.functions.size(), {});
  for (size_t k = 0; k < spec_.functions.size(); ++k) {
    results_[k].assign(n, std::nullopt);
    if (auto s = compute(spec_.functions[k]); !s) return s;
  }
  return Status();
}

// MariaDB's RANGE frame with an offset: a bound at n PRECEDING / FOLLOWING of the current
// row's key v is at the rows whose key passes v - n or v + n (PRECEDING toward smaller keys
// under ASC, toward larger ones under DESC) rounded to the key's decimals; NULL keys sort below
// every number (first under ASC, last under DESC) and so fall outside any such bound of a number,
// while a row whose key is NULL has its peers (every NULL row) as the frame at an offset bound. The
// rows are sorted by the key, so each bound is found by binary search.
Status WindowOperator::range_frames(const WindowFunction& f) {
  using T = WindowBound::Type;
  const size_t n = rows_.size();
  const size_t key = spec_.order.front().column;
  const bool desc = spec_.order.front().descending;
  const int scale = is_decimal_type(columns_[key].type) ? columns_[key].decimals : 0;
  std::vector<std::optional<Decimal>> keys(n);
  for (size_t i = 0; i < n; ++i) {
    if (auto v = rows_[i].get(key)) {
      keys[i] = Decimal::parse(*v);
      if (!keys[i]) return not_exact("a RANGE frame's ORDER BY key that is not a number");
    }
  }
  auto offset_of = [](const WindowBound& b) { return *Decimal::parse(b.range_offset); };
  const Decimal start_offset =
      f.frame->start.range_offset.empty() ? Decimal() : offset_of(f.frame->start);
  const Decimal end_offset =
      f.frame->end.range_offset.empty() ? Decimal() : offset_of(f.frame->end);
  auto bound = [&](const WindowBound& b, const Decimal& offset, bool start, size_t i) -> size_t {
    switch (b.type) {
      case T::kUnboundedPreceding:
        return 0;
      case T::kUnboundedFollowing:
        return n;
      case T::kCurrentRow:
        return start ? peer_first_[i] : peer_end_[i];
      case T::kPreceding:
      case T::kFollowing:
        break;
    }
    if (!keys[i]) return start ? peer_first_[i] : peer_end_[i];
    const bool up = (b.type == T::kFollowing) != desc;  // toward larger keys
    // (The server compares the keys with the bound in the key's type: rounded half away from
    // zero to its decimals, 1 - 1.5 over an integer key being -1.)
    const Decimal target = (up ? *keys[i] + offset : *keys[i] - offset).rescaled(scale);
    // Is row j before the bound? (NULL below every number.)
    auto before = [&](size_t j) {
      const int c = keys[j] ? keys[j]->compare(target) : -1;
      if (!desc) return start ? c < 0 : c <= 0;
      return start ? c > 0 : c >= 0;
    };
    size_t lo = 0, hi = n;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (before(mid)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  };
  range_lo_.assign(n, 0);
  range_hi_.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    range_lo_[i] = bound(f.frame->start, start_offset, true, i);
    range_hi_[i] = std::max(range_lo_[i], bound(f.frame->end, end_offset, false, i));
  }
  return Status();
}

std::pair<size_t, size_t> WindowOperator::frame_of(const WindowFunction& f, size_t i) const {
  const size_t n = rows_.size();
  if (!range_lo_.empty()) return {range_lo_[i], range_hi_[i]};
  if (!f.frame) {
    // With ORDER BY: up to the current row's last peer; without, every row is a peer.
    return {0, peer_end_[i]};
  }
  using T = WindowBound::Type;
  auto position = [&](const WindowBound& b, bool start) -> size_t {
    switch (b.type) {
      case T::kUnboundedPreceding:
        return 0;
      case T::kPreceding:
        // (ROWS only; a bound before the partition is its start, an end before the start
        // leaves the frame empty.)
        if (b.offset > i) return start ? 0 : 0;
        return start ? i - b.offset : i - b.offset + 1;
      case T::kCurrentRow:
        if (!f.frame->rows) return start ? peer_first_[i] : peer_end_[i];
        return start ? i : i + 1;
      case T::kFollowing: {
        uint64_t p = i + b.offset + (start ? 0 : 1);
        return p > n ? n : static_cast<size_t>(p);
      }
      case T::kUnboundedFollowing:
        return n;
    }
    return 0;
  };
  size_t lo = position(f.frame->start, true), hi = position(f.frame->end, false);
  if (hi < lo) hi = lo;
  return {lo, hi};
}

// A value taken from column `from` printed as result column `to` prints it: the same type
// passes as it is; numbers into DECIMAL / integer columns are re-printed; anything else is not
// known to be exact (ok = false).
std::optional<std::string> WindowOperator::conform(std::optional<std::string_view> v, size_t from,
                                                   size_t to, bool& ok) const {
  if (!v) return std::nullopt;
  const auto& src = columns_[from];
  const auto& dst = columns_[to];
  if (src.type == dst.type && src.decimals == dst.decimals) return std::string(*v);
  // (Text is text in the result's character set, whatever the declared lengths.)
  if (types_[from].family == ValueFamily::kString && types_[to].family == ValueFamily::kString &&
      src.charset != 63 && dst.charset != 63)
    return std::string(*v);
  if (is_decimal_type(dst.type) || is_integer_type(dst.type)) {
    if (exact_number(types_[from])) {
      auto d = Decimal::parse(*v);
      if (d) {
        if (is_integer_type(dst.type) && d->scale() > 0 && !(d->truncated(0) == *d)) {
          ok = false;
          return std::nullopt;
        }
        return is_integer_type(dst.type) ? d->to_string(0) : d->to_string(dst.decimals);
      }
    }
  }
  ok = false;
  return std::nullopt;
}

// A double printed as the result column says: its fixed decimals (MariaDB gives PERCENT_RANK
// and CUME_DIST 10), or the shortest form that reads back the same.
std::string WindowOperator::as_double(double v, size_t column) const {
  const int decimals = columns_[column].decimals;
  return decimals < 31 ? scalar::fixed_double(v, decimals) : format_double(v);
}

Status WindowOperator::compute(const WindowFunction& f) {
  const size_t n = rows_.size();
  auto& out = results_[&f - spec_.functions.data()];
  auto integer = [](uint64_t v) { return std::to_string(v); };
  bool ok = true;
  switch (f.kind) {
    case WindowKind::kRowNumber:
      for (size_t i = 0; i < n; ++i) out[i] = integer(i + 1);
      return Status();
    case WindowKind::kRank:
      for (size_t i = 0; i < n; ++i) out[i] = integer(peer_first_[i] + 1);
      return Status();
    case WindowKind::kDenseRank: {
      uint64_t rank = 0;
      for (size_t i = 0; i < n; ++i) {
        if (peer_first_[i] == i) ++rank;
        out[i] = integer(rank);
      }
      return Status();
    }
    case WindowKind::kPercentRank:
      for (size_t i = 0; i < n; ++i) {
        double v = n > 1 ? static_cast<double>(peer_first_[i]) / static_cast<double>(n - 1) : 0;
        out[i] = as_double(v, f.column);
      }
      return Status();
    case WindowKind::kCumeDist:
      for (size_t i = 0; i < n; ++i)
        out[i] = as_double(static_cast<double>(peer_end_[i]) / static_cast<double>(n), f.column);
      return Status();
    case WindowKind::kNtile: {
      // n rows in b buckets: the first n % b buckets hold one row more.
      const uint64_t b = f.n, base = n / b, extra = n % b;
      for (size_t i = 0; i < n; ++i) {
        uint64_t bucket;
        if (i < extra * (base + 1)) {
          bucket = i / (base + 1);
        } else {
          bucket = extra + (base ? (i - extra * (base + 1)) / base : 0);
        }
        out[i] = integer(bucket + 1);
      }
      return Status();
    }
    case WindowKind::kLag:
    case WindowKind::kLead:
      for (size_t i = 0; i < n; ++i) {
        const bool lag = f.kind == WindowKind::kLag;
        const bool inside = lag ? f.n <= i : i + f.n < n;
        if (inside) {
          size_t j = lag ? i - f.n : i + f.n;
          out[i] = conform(rows_[j].get(f.argument), f.argument, f.column, ok);
        } else if (f.default_column) {
          out[i] = conform(rows_[i].get(*f.default_column), *f.default_column, f.column, ok);
        }
        if (!ok) return not_exact("LAG / LEAD's value in the result's type");
      }
      return Status();
    default:
      break;
  }
  // Functions over the frame. Frame bounds never move back as the row advances, so values
  // enter at hi and leave at lo: sums and counts by addition and subtraction, MIN / MAX by a
  // monotonic queue of candidate rows.
  range_lo_.clear();
  range_hi_.clear();
  if (f.frame && !f.frame->rows && has_offset(*f.frame)) {
    if (auto s = range_frames(f); !s) return s;
  }
  const bool is_min = f.kind == WindowKind::kMin;
  const size_t key = f.argument_key.value_or(f.argument);
  size_t lo = 0, hi = 0;
  uint64_t count = 0;
  Decimal sum;
  std::deque<size_t> best;  // rows whose value may still be the MIN / MAX, best first
  auto enter = [&](size_t j) -> bool {
    auto v = rows_[j].get(f.argument);
    if (f.kind == WindowKind::kCountStar) {
      ++count;
      return true;
    }
    if (!v) return true;
    ++count;
    if (f.kind == WindowKind::kSum || f.kind == WindowKind::kAvg) {
      auto d = Decimal::parse(*v);
      if (!d) return false;
      sum = sum + *d;
    } else if (f.kind == WindowKind::kMin || f.kind == WindowKind::kMax) {
      while (!best.empty()) {
        int c = compare_values(types_[key], *rows_[best.back()].get(key), *rows_[j].get(key));
        // (Equal values: the earlier row stays best, the server's first-seen.)
        if (is_min ? c > 0 : c < 0) {
          best.pop_back();
        } else {
          break;
        }
      }
      best.push_back(j);
    }
    return true;
  };
  auto leave = [&](size_t j) {
    auto v = rows_[j].get(f.argument);
    if (f.kind == WindowKind::kCountStar) {
      --count;
      return;
    }
    if (!v) return;
    --count;
    if (f.kind == WindowKind::kSum || f.kind == WindowKind::kAvg) {
      sum = sum - *Decimal::parse(*v);
    } else if (!best.empty() && best.front() == j) {
      best.pop_front();
    }
  };
  const auto& result = columns_[f.column];
  for (size_t i = 0; i < n; ++i) {
    auto [flo, fhi] = frame_of(f, i);
    switch (f.kind) {
      case WindowKind::kFirstValue:
        if (flo < fhi) out[i] = conform(rows_[flo].get(f.argument), f.argument, f.column, ok);
        break;
      case WindowKind::kLastValue:
        if (flo < fhi) out[i] = conform(rows_[fhi - 1].get(f.argument), f.argument, f.column, ok);
        break;
      case WindowKind::kNthValue:
        if (flo + f.n - 1 < fhi)
          out[i] = conform(rows_[flo + f.n - 1].get(f.argument), f.argument, f.column, ok);
        break;
      default: {
        // (An empty frame after a full one, or a bound that moved back: start again from it.)
        if (flo >= hi || flo < lo || fhi < hi) {
          while (lo < hi) leave(lo++);
          lo = hi = flo;
        }
        while (hi < fhi) {
          if (!enter(hi++)) return not_exact("a SUM / AVG argument that is not a number");
        }
        while (lo < flo) leave(lo++);
        switch (f.kind) {
          case WindowKind::kCountStar:
          case WindowKind::kCount:
            out[i] = integer(count);
            break;
          case WindowKind::kSum:
            if (count) {
              out[i] =
                  is_integer_type(result.type) ? sum.to_string(0) : sum.to_string(result.decimals);
            }
            break;
          case WindowKind::kAvg:
            if (count) {
              auto q = Decimal::divide(sum, Decimal::from_uint(count), result.decimals);
              if (!q) return not_exact("AVG");
              out[i] = q->to_string(result.decimals);
            }
            break;
          case WindowKind::kMin:
          case WindowKind::kMax:
            if (!best.empty())
              out[i] = conform(rows_[best.front()].get(f.argument), f.argument, f.column, ok);
            break;
          default:
            break;
        }
      }
    }
    if (!ok) return not_exact("a window value in the result's type");
  }
  return Status();
}

}  // namespace tessera::exec
