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

SetMerge::SetMerge(SetSpec spec, std::vector<ValueType> types, unsigned level)
    : spec_(std::move(spec)),
      types_(std::move(types)),
      level_(level),
      share_(spec_.budget),
      limit_(spec_.offset, spec_.limit) {
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
    std::vector<size_t> columns(compared_columns());
    for (size_t c = 0; c < columns.size(); ++c) columns[c] = key_column(c);
    distinct_.emplace(types_, std::move(columns), spec_.max_rows, spec_.budget, level_);
  } else {
    mode_ = Mode::kCounted;
  }
  for (auto& k : spec_.order_by) k.column = key_column(k.column);
  if (!spec_.order_by.empty()) {
    std::optional<uint64_t> keep;
    if (spec_.limit) keep = spec_.offset + *spec_.limit;
    sort_.emplace(RowComparator(spec_.order_by, types_), keep, spec_.max_rows, spec_.budget);
  }
  if (spec_.limit && *spec_.limit == 0) done_ = true;
}

SetMerge::~SetMerge() = default;

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
  for (size_t c = 0; c < compared_columns(); ++c) {
    size_t k = key_column(c);
    if (k < types_.size() && k < row.size()) append_key(types_[k], row.get(k), key);
  }
  return key;
}

Status SetMerge::account(size_t bytes) {
  share_.charge(bytes);
  if (spec_.max_rows != 0 && index_.size() > spec_.max_rows)
    return too_many_rows("has more distinct rows than", spec_.max_rows);
  if (share_.over()) {
    if (!share_.can_spill())
      return share_.budget()->out_of_memory("a set operation over several shards");
    if (share_.should_spill() && !partitions_) {
      if (level_ >= 6)
        return share_.budget()->out_of_memory("a set operation over rows of one hash partition");
      auto f = SpillFile::create(*share_.budget());
      if (!f) return f.error();
      file_ = std::move(*f);
      partitions_ = std::make_unique<SpillPartitions>(*file_);
    }
  }
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
      auto first = distinct_->admit(row);
      if (!first) return first.error();
      if (!*first) return {};
      return emit(std::move(row));
    }
    case Mode::kCounted: {
      std::string key = key_of(row);
      auto it = index_.find(key);
      if (it != index_.end()) {
        ++entries_[it->second].counts[branch];
        return {};
      }
      if (partitions_) {
        std::string record;
        record.push_back(static_cast<char>(branch & 0xff));
        record.push_back(static_cast<char>((branch >> 8) & 0xff));
        encode_row(row, record);
        return partitions_->add(spill_partition(key, level_), record);
      }
      size_t bytes = key.size() + row.memory_bytes() + 8 * spec_.branches + 96;
      index_.emplace(std::move(key), entries_.size());
      Entry e;
      e.row = std::move(row);
      e.counts.assign(spec_.branches, 0);
      e.counts[branch] = 1;
      entries_.push_back(std::move(e));
      return account(bytes);
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

Result<bool> SetMerge::open_partition() {
  while (partition_ < streams_.size() && streams_[partition_].empty()) ++partition_;
  if (partition_ >= streams_.size()) return false;
  SpillReader reader(*file_, std::move(streams_[partition_++]));
  SetSpec sub;
  sub.nodes = spec_.nodes;
  sub.root = spec_.root;
  sub.branches = spec_.branches;
  sub.max_rows = spec_.max_rows;
  sub.budget = spec_.budget;
  sub.keys = spec_.keys;  // (and every column: the rows come back here whole)
  child_ = std::make_unique<SetMerge>(std::move(sub), types_, level_ + 1);
  std::string_view record;
  for (;;) {
    auto more = reader.next(record);
    if (!more) return more.error();
    if (!*more) break;
    if (record.size() < 2) return corrupt_spill();
    size_t branch = static_cast<unsigned char>(record[0]) |
                    (size_t(static_cast<unsigned char>(record[1])) << 8);
    auto row = decode_row(record.substr(2));
    if (!row || branch >= spec_.branches) return corrupt_spill();
    if (Status s = child_->add(branch, std::move(*row)); !s) return s.error();
  }
  if (Status s = child_->finish(); !s) return s.error();
  return true;
}

Result<bool> SetMerge::produce(Row& out) {
  for (;;) {
    if (copies_left_ > 0) {
      Entry& e = entries_[produce_entry_];
      if (--copies_left_ == 0) {
        out = std::move(e.row);
        ++produce_entry_;
      } else {
        out = e.row;
      }
      return true;
    }
    if (produce_entry_ < entries_.size()) {
      copies_left_ = multiplicity(entries_[produce_entry_].counts);
      if (copies_left_ == 0) ++produce_entry_;
      continue;
    }
    if (!entries_.empty()) {
      // Every entry held is out: what they held is free for the partitions.
      std::vector<Entry>().swap(entries_);
      share_.release_all();
    }
    if (child_) {
      if (child_->next(out)) return true;
      if (child_->error()) return *child_->error();
      child_.reset();
    }
    auto opened = open_partition();
    if (!opened) return opened.error();
    if (!*opened) return false;
  }
}

Status SetMerge::finish() {
  if (finished_) return {};
  finished_ = true;
  if (mode_ == Mode::kDistinct && distinct_->spilled()) {
    // The rows put aside: each new key's first row, after the others; into the sort now, or
    // to the client as it reads (next()).
    if (Status s = distinct_->finish(); !s) return s;
    deferring_ = true;
    Row r;
    while (sort_ && !done_) {
      auto more = distinct_->next_deferred(r);
      if (!more) return more.error();
      if (!*more) break;
      if (auto st = emit(std::move(r)); !st.ok()) return st;
    }
    if (sort_) deferring_ = false;
  }
  if (mode_ == Mode::kCounted) {
    index_.clear();
    if (partitions_) {
      auto streams = partitions_->take();
      if (!streams) return streams.error();
      streams_ = std::move(*streams);
    }
    producing_ = true;
    if (sort_) {
      // Everything goes through the sort (which spills) before the first row is known.
      Row r;
      for (;;) {
        auto more = produce(r);
        if (!more) return more.error();
        if (!*more) break;
        if (auto st = emit(std::move(r)); !st.ok()) return st;
      }
      producing_ = false;
    }
  }
  if (sort_) {
    if (Status s = sort_->finish(); !s) return s;
    sorting_ = true;
  }
  return {};
}

bool SetMerge::next(Row& out) {
  for (;;) {
    if (!out_.empty()) {
      out = std::move(out_.front());
      out_.pop_front();
      if (spec_.visible && out.size() > spec_.visible) out.truncate(spec_.visible);
      return true;
    }
    if (error_ || done_) return false;
    if (deferring_) {
      Row r;
      auto more = distinct_->next_deferred(r);
      if (!more) {
        error_ = more.error();
        return false;
      }
      if (!*more) {
        deferring_ = false;
        continue;
      }
      if (auto st = emit(std::move(r)); !st.ok()) {
        error_ = st.error();
        return false;
      }
      continue;
    }
    if (producing_) {
      Row r;
      auto more = produce(r);
      if (!more) {
        error_ = more.error();
        return false;
      }
      if (!*more) {
        producing_ = false;
        continue;
      }
      if (auto st = emit(std::move(r)); !st.ok()) {
        error_ = st.error();
        return false;
      }
      continue;
    }
    if (sorting_) {
      Row r;
      if (!sort_->next(r)) {
        if (sort_->error()) error_ = *sort_->error();
        sorting_ = false;
        sort_.reset();
        continue;
      }
      if (limit_.take() == OffsetLimit::Verdict::kEmit) out_.push_back(std::move(r));
      if (limit_.exhausted()) done_ = true;
      continue;
    }
    return false;
  }
}

}  // namespace tessera::exec
