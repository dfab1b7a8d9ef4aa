#include "exec/set_merge.h"

#include <algorithm>
#include <utility>

namespace tessera::exec {

namespace {

using protocol::ColumnDefinition;
using protocol::FieldType;

constexpr protocol::ErrorCode kNotSupported{1235, "42000"};

bool is_integer(FieldType t) {
  switch (t) {
    case FieldType::kTiny:
    case FieldType::kShort:
    case FieldType::kLong:
    case FieldType::kLongLong:
    case FieldType::kInt24:
      return true;
    default:
      return false;
  }
}

bool is_decimal(FieldType t) {
  return t == FieldType::kDecimal || t == FieldType::kNewDecimal;
}

bool is_string(FieldType t) {
  switch (t) {
    case FieldType::kVarchar:
    case FieldType::kVarString:
    case FieldType::kString:
    case FieldType::kTinyBlob:
    case FieldType::kMediumBlob:
    case FieldType::kLongBlob:
    case FieldType::kBlob:
    case FieldType::kEnum:
    case FieldType::kSet:
    case FieldType::kJson:
      return true;
    default:
      return false;
  }
}

bool is_datetime(FieldType t) {
  return t == FieldType::kDatetime || t == FieldType::kTimestamp;
}

// DECIMAL's and temporal types' fractional digits (decimals 39 is "not fixed").
uint8_t fraction_digits(const ColumnDefinition& c) {
  return c.decimals >= 39 ? 0 : c.decimals;
}

std::string type_name(FieldType t) {
  switch (t) {
    case FieldType::kFloat:
      return "FLOAT";
    case FieldType::kDouble:
      return "DOUBLE";
    case FieldType::kBit:
      return "BIT";
    case FieldType::kYear:
      return "YEAR";
    case FieldType::kTime:
      return "TIME";
    case FieldType::kDate:
      return "DATE";
    case FieldType::kDatetime:
      return "DATETIME";
    case FieldType::kTimestamp:
      return "TIMESTAMP";
    case FieldType::kGeometry:
      return "GEOMETRY";
    default:
      if (is_integer(t)) return "integer";
      if (is_decimal(t)) return "DECIMAL";
      if (is_string(t)) return "string";
      return "type " + std::to_string(static_cast<int>(t));
  }
}

}  // namespace

Result<std::vector<CellConversion>> union_conversions(const std::vector<ColumnDefinition>& branch,
                                                      const std::vector<ColumnDefinition>& result) {
  if (branch.size() < result.size())
    return MergeError{protocol::ErrorCode{1222, "21000"},
                      "The used SELECT statements have a different number of columns"};
  std::vector<CellConversion> out(result.size());
  for (size_t i = 0; i < result.size(); ++i) {
    const ColumnDefinition& b = branch[i];
    const ColumnDefinition& u = result[i];
    CellConversion& c = out[i];
    if (b.type == FieldType::kNull) continue;  // only NULLs: nothing to convert
    if (b.type == u.type && fraction_digits(b) == fraction_digits(u)) continue;
    const uint8_t digits = fraction_digits(u);
    bool ok = false;
    if (is_string(u.type)) {
      // The text of a number, date or string is the same in a string column (FLOAT's is
      // not: the server prints a float widened to double there; BIT's bytes neither).
      ok = b.type != FieldType::kFloat && b.type != FieldType::kDouble &&
           b.type != FieldType::kBit && b.type != FieldType::kGeometry;
    } else if (is_decimal(u.type)) {
      if (is_integer(b.type) || is_decimal(b.type)) {
        ok = fraction_digits(b) <= digits;
        if (digits > fraction_digits(b)) {
          c.kind = CellConversion::Kind::kPadFraction;
          c.digits = digits;
        }
      }
    } else if (is_integer(u.type)) {
      ok = is_integer(b.type);
    } else if (is_datetime(u.type)) {
      if (b.type == FieldType::kDate) {
        ok = true;
        c.kind = CellConversion::Kind::kDateToDatetime;
        c.digits = digits;
      } else if (is_datetime(b.type) && fraction_digits(b) <= digits) {
        ok = true;
        c.kind = CellConversion::Kind::kPadFraction;
        c.digits = digits;
      }
    } else if (u.type == FieldType::kTime && b.type == FieldType::kTime) {
      ok = fraction_digits(b) <= digits;
      c.kind = CellConversion::Kind::kPadFraction;
      c.digits = digits;
    }
    if (!ok && is_string(b.type) && b.column_length == 0) {
      ok = true;
      c.kind = CellConversion::Kind::kNullOnly;
    }
    if (!ok)
      return MergeError{kNotSupported, "a set operation over several shards whose column " +
                                           std::to_string(i + 1) + " ('" + u.name + "') is " +
                                           type_name(b.type) + " in one branch and " +
                                           type_name(u.type) + " in the result is not supported"};
  }
  return out;
}

bool convert_to_union(const std::vector<CellConversion>& conversions, Row& row) {
  bool any = false;
  for (auto& c : conversions) any |= c.kind != CellConversion::Kind::kNone;
  if (!any) return true;
  for (size_t i = 0; i < row.size() && i < conversions.size(); ++i) {
    if (conversions[i].kind == CellConversion::Kind::kNullOnly && !row.is_null(i)) return false;
  }
  Row out;
  for (size_t i = 0; i < row.size(); ++i) {
    auto cell = row.get(i);
    if (!cell || i >= conversions.size() || conversions[i].kind == CellConversion::Kind::kNone) {
      out.append_cell(cell);
      continue;
    }
    const CellConversion& c = conversions[i];
    if (c.kind == CellConversion::Kind::kNullOnly) {
      out.append(*cell);
      continue;
    }
    std::string text(*cell);
    if (c.kind == CellConversion::Kind::kDateToDatetime) {
      // A zero date stays zero ("0000-00-00" -> "0000-00-00 00:00:00"), as the server prints.
      text += " 00:00:00";
      if (c.digits) text += "." + std::string(c.digits, '0');
    } else {
      size_t dot = text.find('.');
      size_t have = dot == std::string::npos ? 0 : text.size() - dot - 1;
      if (c.digits > have) {
        if (dot == std::string::npos) text += '.';
        text.append(c.digits - have, '0');
      }
    }
    out.append(text);
  }
  row = std::move(out);
  return true;
}

SetMerge::SetMerge(SetSpec spec, std::vector<ValueType> types)
    : spec_(std::move(spec)), types_(std::move(types)), limit_(spec_.offset, spec_.limit) {
  bool only_union = true, only_all = true, only_distinct = true;
  for (const SetNode& n : spec_.nodes) {
    if (n.branch >= 0) continue;
    only_union &= n.op == SetOpKind::kUnion;
    only_all &= n.all;
    only_distinct &= !n.all;
  }
  if (only_union && only_all) {
    mode_ = Mode::kConcatenate;
  } else if (only_union && only_distinct) {
    mode_ = Mode::kDistinct;
  } else {
    mode_ = Mode::kCounted;
  }
  if (!spec_.order_by.empty()) {
    std::optional<uint64_t> keep;
    if (spec_.limit) keep = spec_.offset + *spec_.limit;
    sort_.emplace(RowComparator(spec_.order_by, types_), keep, spec_.max_rows, spec_.max_bytes);
  }
  if (spec_.limit && *spec_.limit == 0) done_ = true;
}

const char* SetMerge::mode_name() const {
  switch (mode_) {
    case Mode::kConcatenate:
      return "concatenate";
    case Mode::kDistinct:
      return "distinct";
    case Mode::kCounted:
      return "counted";
  }
  return "?";
}

std::string SetMerge::key_of(const Row& row) const {
  std::string key;
  for (size_t c = 0; c < types_.size() && c < row.size(); ++c)
    append_key(types_[c], row.get(c), key);
  return key;
}

Status SetMerge::account(size_t bytes) {
  bytes_ += bytes;
  if (spec_.max_bytes != 0 && bytes_ > spec_.max_bytes)
    return MergeError{protocol::errc::kUnknownError,
                      "set operation over several shards holds more than " +
                          std::to_string(spec_.max_bytes) +
                          " bytes of distinct rows (the merge memory budget); narrow the "
                          "branches with WHERE, or use UNION ALL"};
  if (spec_.max_rows != 0 && index_.size() > spec_.max_rows)
    return too_many_rows("has more distinct rows than", spec_.max_rows);
  return {};
}

Status SetMerge::emit(Row row) {
  if (done_) return {};
  if (sort_) return sort_->add(std::move(row));
  if (limit_.take() == OffsetLimit::Verdict::kEmit) {
    // max_sql_result_size bounds the rows the client gets, whichever branch they came from.
    if (spec_.max_rows != 0 && limit_.emitted() > spec_.max_rows)
      return too_many_rows("has more rows than", spec_.max_rows);
    out_.push_back(std::move(row));
  }
  if (limit_.exhausted()) done_ = true;
  return {};
}

Status SetMerge::add(size_t branch, Row row) {
  if (done_) return {};
  switch (mode_) {
    case Mode::kConcatenate:
      return emit(std::move(row));
    case Mode::kDistinct: {
      std::string key = key_of(row);
      size_t bytes = key.size() + 48;
      if (!index_.emplace(std::move(key), 0).second) return {};
      if (auto st = account(bytes); !st.ok()) return st;
      return emit(std::move(row));
    }
    case Mode::kCounted: {
      std::string key = key_of(row);
      auto it = index_.find(key);
      if (it == index_.end()) {
        size_t bytes = key.size() + row.memory_bytes() + 8 * spec_.branches + 96;
        index_.emplace(std::move(key), entries_.size());
        Entry e;
        e.row = std::move(row);
        e.counts.assign(spec_.branches, 0);
        e.counts[branch] = 1;
        entries_.push_back(std::move(e));
        return account(bytes);
      }
      ++entries_[it->second].counts[branch];
      return {};
    }
  }
  return {};
}

uint64_t SetMerge::multiplicity(const std::vector<uint64_t>& counts) const {
  // Nodes only refer to earlier ones (the planner builds them bottom-up), so one pass suffices.
  std::vector<uint64_t> v(spec_.nodes.size(), 0);
  for (size_t i = 0; i < spec_.nodes.size(); ++i) {
    const SetNode& n = spec_.nodes[i];
    if (n.branch >= 0) {
      v[i] = counts[static_cast<size_t>(n.branch)];
      continue;
    }
    uint64_t l = v[static_cast<size_t>(n.left)], r = v[static_cast<size_t>(n.right)];
    uint64_t m = 0;
    switch (n.op) {
      case SetOpKind::kUnion:
        m = l + r;
        break;
      case SetOpKind::kIntersect:
        m = std::min(l, r);
        break;
      case SetOpKind::kExcept:
        m = n.all ? (l > r ? l - r : 0) : (r == 0 ? l : 0);
        break;
    }
    v[i] = n.all ? m : (m > 0 ? 1 : 0);
  }
  return v[static_cast<size_t>(spec_.root)];
}

Status SetMerge::finish() {
  if (finished_) return {};
  finished_ = true;
  if (mode_ == Mode::kCounted) {
    for (size_t i = 0; i < entries_.size() && !done_; ++i) {
      uint64_t m = multiplicity(entries_[i].counts);
      for (uint64_t k = 0; k < m && !done_; ++k) {
        Row copy = k + 1 == m ? std::move(entries_[i].row) : entries_[i].row;
        const size_t bytes = copy.memory_bytes();
        if (auto st = emit(std::move(copy)); !st.ok()) return st;
        // Without a sort the extra copies wait in the output: bounded by the budget too.
        if (!sort_ && k > 0) {
          if (auto st = account(bytes); !st.ok()) return st;
        }
      }
    }
    entries_.clear();
    index_.clear();
  }
  if (sort_) {
    sort_->finish();
    Row r;
    while (!done_ && sort_->next(r)) {
      if (limit_.take() == OffsetLimit::Verdict::kEmit) out_.push_back(std::move(r));
      if (limit_.exhausted()) done_ = true;
    }
    sort_.reset();
  }
  return {};
}

bool SetMerge::next(Row& out) {
  if (out_.empty()) return false;
  out = std::move(out_.front());
  out_.pop_front();
  return true;
}

}  // namespace tessera::exec
