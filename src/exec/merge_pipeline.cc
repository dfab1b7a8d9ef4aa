#include "exec/merge_pipeline.h"

#include <algorithm>

namespace tessera::exec {
namespace {

MergeError bad_spec(const std::string& what) {
  return internal_error("merge plan: " + what + " is outside the shard result columns");
}

// "4A0B" -> the two bytes it spells (COLLATION columns carry a weight string in hex).
std::string unhex(std::string_view hex) {
  auto digit = [](char ch) {
    return ch >= '0' && ch <= '9'   ? ch - '0'
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                    : ch - 'a' + 10;
  };
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(digit(hex[i]) * 16 + digit(hex[i + 1])));
  return out;
}

// Does a stream sorted by `have` also come out sorted by `want`?
bool is_prefix(const std::vector<SortKey>& want, const std::vector<SortKey>& have) {
  if (want.size() > have.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].column != have[i].column || want[i].descending != have[i].descending) return false;
  }
  return true;
}

// Shards deliver rows grouped when their sort order starts with all group columns.
bool groups_arrive_sorted(const MergeSpec& spec) {
  if (spec.group_by.empty() || spec.shard_order.size() < spec.group_by.size()) return false;
  std::vector<size_t> lead;
  for (size_t i = 0; i < spec.group_by.size(); ++i) lead.push_back(spec.shard_order[i].column);
  std::vector<size_t> groups = spec.group_by;
  std::sort(lead.begin(), lead.end());
  std::sort(groups.begin(), groups.end());
  return lead == groups;
}

// A window keyed by an aggregate or an expression in a collation the merge compares by the
// server's weights: those weights are a shard's, of its partial value.
MergeError weighed_window_key(const std::string& name) {
  return MergeError{protocol::ErrorCode{1235, "42000"},
                    "a window over column '" + name +
                        "', a string computed after merging shards in a collation the merge "
                        "does not implement, is not supported"};
}

}  // namespace

Result<std::unique_ptr<MergePipeline>> MergePipeline::create(
    MergeSpec spec, std::vector<protocol::ColumnDefinition> columns, size_t shard_count) {
  size_t n = columns.size();
  if (n == 0 || spec.hidden_columns >= n) return bad_spec("the hidden column count");
  auto check = [n](size_t c) { return c < n; };
  for (auto [c, name] : spec.collation_columns) {
    if (!check(c) || !check(name)) return bad_spec("a collation column");
  }
  for (auto [c, w] : spec.weight_columns) {
    if (!check(c) || !check(w)) return bad_spec("a weight column");
  }
  for (const auto& k : spec.shard_order) {
    if (!check(k.column)) return bad_spec("a shard ORDER BY key");
  }
  for (const auto& k : spec.order_by) {
    if (!check(k.column)) return bad_spec("an ORDER BY key");
  }
  for (size_t c : spec.group_by) {
    if (!check(c)) return bad_spec("a GROUP BY column");
  }
  for (const auto& a : spec.aggregates) {
    bool more_ok = true;
    for (size_t c : a.more_arguments) more_ok = more_ok && check(c);
    if (!check(a.column) || !check(a.sum_column) || !check(a.count_column) ||
        !check(a.argument_column) || !check(a.sumsq_column) || !more_ok) {
      return bad_spec("an aggregate column");
    }
  }
  if (spec.having) {
    auto m = spec.having->max_column();
    if (m && !check(*m)) return bad_spec("a HAVING column");
  }
  for (const auto* list : {&spec.computed, &spec.window_computed}) {
    for (const auto& [column, e] : *list) {
      auto m = e.max_column();
      if (!check(column) || (m && !check(*m))) return bad_spec("a computed column");
    }
  }
  for (const auto& w : spec.windows) {
    for (const auto& f : w.functions) {
      if (!check(f.column) || !check(f.argument) || (f.default_column && !check(*f.default_column)))
        return bad_spec("a window function column");
    }
    for (size_t c : w.partition) {
      if (!check(c)) return bad_spec("a PARTITION BY column");
    }
    for (const auto& k : w.order) {
      if (!check(k.column)) return bad_spec("a window ORDER BY key");
    }
  }
  if (!spec.group_by.empty() || !spec.aggregates.empty()) spec.grouped = true;
  return std::unique_ptr<MergePipeline>(
      new MergePipeline(std::move(spec), std::move(columns), shard_count));
}

MergePipeline::MergePipeline(MergeSpec spec, std::vector<protocol::ColumnDefinition> columns,
                             size_t shard_count)
    : spec_(std::move(spec)),
      columns_(std::move(columns)),
      visible_(columns_.size() - spec_.hidden_columns),
      source_(std::in_place_type<Concatenation>, shard_count),
      limit_(spec_.offset, spec_.limit) {
  for (const auto& c : columns_) types_.push_back(ValueType::of(c));
  // Shards that deliver their rows sorted are merged k-way. Whether their order is also the
  // group order the merge may rely on is decided in configure(), once the collations are known;
  // until then the merge compares nothing.
  bool maybe_streaming = !spec_.grouped || spec_.group_by.empty() || groups_arrive_sorted(spec_);
  if (!spec_.shard_order.empty() && maybe_streaming) {
    source_.emplace<OrderedMerge>(shard_count, RowComparator(spec_.shard_order, types_));
  }
}

// A column of `*` has no expression the planner could wrap in COLLATION(), so a string among
// them that the merge orders or de-duplicates would be compared by a guess (the metadata
// carries the result charset's default collation, not the column's): refused instead.
void MergePipeline::refuse_unnamed_strings() {
  std::vector<size_t> compared;
  for (const auto& k : spec_.shard_order) compared.push_back(k.column);
  for (const auto& k : spec_.order_by) compared.push_back(k.column);
  if (spec_.distinct) {
    for (size_t c = 0; c < visible_; ++c) compared.push_back(c);
  }
  for (size_t c : compared) {
    if (c >= visible_ || types_[c].family != ValueFamily::kString || columns_[c].charset == 63)
      continue;
    bool named = false;
    for (auto [column, name_column] : spec_.collation_columns) named |= column == c;
    if (named) continue;
    error_ = MergeError{protocol::ErrorCode{1235, "42000"},
                        "DISTINCT or ORDER BY a position over `*` with string column '" +
                            columns_[c].name +
                            "' over several shards is not supported: name the columns"};
    return;
  }
}

void MergePipeline::configure(const Row* first) {
  configured_ = true;
  // The collations COLLATION(expr) named in the first row (all rows carry the same).
  std::vector<size_t> key(columns_.size());
  for (size_t c = 0; c < key.size(); ++c) key[c] = c;
  if (first) {
    for (auto [column, name_column] : spec_.collation_columns) {
      ValueType& t = types_[column];
      if (t.family != ValueFamily::kString || columns_[column].charset == 63)
        continue;  // numbers, and binary strings, compare as they are
      auto cell = first->get(name_column);
      if (!cell) continue;
      // "<name> <hex of the space's weight string>[ expr]" (expr: not a bare column)
      std::string_view name = *cell;
      std::string space;
      bool expression = false;
      if (size_t sp = name.find(' '); sp != std::string_view::npos) {
        std::string_view rest = name.substr(sp + 1);
        name = name.substr(0, sp);
        if (size_t sp2 = rest.find(' '); sp2 != std::string_view::npos) {
          expression = rest.substr(sp2 + 1) == "expr";
          rest = rest.substr(0, sp2);
        }
        space = unhex(rest);
      }
      t.collation = Collation::from_name(name, t.collation.encoding);
      // MariaDB sorts only expressions in 8-bit _bin collations NO PAD; a column (planned
      // with the weight string, so with this information) PAD SPACE like other collations.
      if (!expression && !space.empty()) t.collation.sort_no_pad = false;
      if (t.collation.kind != Collation::Kind::kApprox) continue;
      // Not comparable here: compare the server's weights of the value instead.
      for (auto [c, w] : spec_.weight_columns) {
        if (c != column) continue;
        types_[w].family = ValueFamily::kString;
        types_[w].collation = Collation::server_weights(name, space);
        if (!expression) types_[w].collation.sort_no_pad = false;
        key[column] = w;
      }
      // HAVING compares the value itself with literals, which only the server could weigh:
      // refuse rather than answer by an approximation.
      if (key[column] != column && spec_.having && spec_.having->uses_column(column)) {
        error_ = MergeError{protocol::ErrorCode{1235, "42000"},
                            "HAVING on a string in collation " + std::string(name) +
                                " over several shards is not supported"};
      }
    }
  }
  if (spec_.unnamed_columns) refuse_unnamed_strings();
  // A computed string compared by the server's weights would be compared by the weights of
  // one shard's partial value: refused.
  std::vector<size_t> merged_strings;
  for (const auto& [column, e] : spec_.window_computed) merged_strings.push_back(column);
  for (const auto& [column, e] : spec_.computed) merged_strings.push_back(column);
  for (size_t column : merged_strings) {
    if (!error_ && key[column] != column) {
      error_ = MergeError{protocol::ErrorCode{1235, "42000"},
                          "ordering or de-duplicating column '" + columns_[column].name +
                              "', a string expression over aggregates in a collation the merge "
                              "does not implement, over several shards is not supported"};
    }
  }
  if (!error_) bind_expressions(first);
  for (auto& k : spec_.shard_order) k.column = key[k.column];
  for (auto& k : spec_.order_by) k.column = key[k.column];
  for (auto& g : spec_.group_by) g = key[g];
  for (auto& a : spec_.aggregates) {
    if (key[a.column] != a.column) a.key_column = key[a.column];
    if (key[a.argument_column] != a.argument_column) a.argument_key_column = key[a.argument_column];
    a.more_argument_keys.clear();
    for (size_t c : a.more_arguments)
      a.more_argument_keys.push_back(key[c] != c ? std::optional<size_t>(key[c]) : std::nullopt);
    // A hidden aggregate feeds an expression: it keeps every digit (a visible STDDEV is shown
    // with its type's decimals, an expression over it rounds the full value).
    a.full_precision = a.column >= visible_;
  }
  if (auto* ordered = std::get_if<OrderedMerge>(&source_)) {
    ordered->set_order(RowComparator(spec_.shard_order, types_));
  }
  // Columns the merge computes: an aggregate's or expression's value, whose weights (where a
  // string is compared by them) are a shard's, of its own partial value.
  std::vector<bool> merged(columns_.size(), false);
  for (const auto& a : spec_.aggregates) merged[a.column] = true;
  for (const auto* list : {&spec_.computed, &spec_.window_computed}) {
    for (const auto& [column, e] : *list) merged[column] = true;
  }
  for (const auto& spec_w : spec_.windows) {
    if (error_) break;
    // Strings compared by the server's weights where the merge lacks the collation.
    WindowSpec w = spec_w;
    auto weighed_merged = [&](size_t c) { return key[c] != c && merged[c]; };
    for (auto& c : w.partition) {
      if (weighed_merged(c)) error_ = weighed_window_key(columns_[c].name);
      c = key[c];
    }
    for (auto& k : w.order) {
      if (weighed_merged(k.column)) error_ = weighed_window_key(columns_[k.column].name);
      k.column = key[k.column];
    }
    for (auto& f : w.functions) {
      if (key[f.argument] != f.argument) f.argument_key = key[f.argument];
      if (weighed_merged(f.argument) && (f.kind == WindowKind::kMin || f.kind == WindowKind::kMax))
        error_ = weighed_window_key(columns_[f.argument].name);
      // (The shards' weights are of their own per-shard value of the window.)
      if (key[f.column] != f.column && !error_) {
        error_ = MergeError{protocol::ErrorCode{1235, "42000"},
                            "ordering or de-duplicating column '" + columns_[f.column].name +
                                "', a window function's string result in a collation the "
                                "merge does not implement, over several shards is not "
                                "supported"};
      }
    }
    if (error_) break;
    if (auto e = WindowOperator::unsupported(w, columns_, types_)) {
      error_ = std::move(*e);
    } else {
      windows_.push_back(std::make_unique<WindowOperator>(std::move(w), columns_, types_,
                                                          spec_.max_result_rows, spec_.budget));
    }
  }

  // Streaming GROUP BY needs the shards' order to be the server's order of the group keys:
  // only with collations implemented exactly.
  bool exact_groups = true;
  for (size_t c : spec_.group_by) {
    if (types_[c].family == ValueFamily::kString && !types_[c].collation.exact())
      exact_groups = false;
  }
  bool streaming_groups =
      spec_.grouped && (spec_.group_by.empty() || (groups_arrive_sorted(spec_) && exact_groups));

  // The order rows leave the grouping stage in, to decide whether ORDER BY needs a sort.
  std::vector<SortKey> stream_order;
  if (!spec_.windows.empty()) {
    // (Rows leave the window stage by partition: ORDER BY sorts again.)
  } else if (!spec_.grouped) {
    stream_order = spec_.shard_order;
  } else if (spec_.group_by.empty()) {
    stream_order = spec_.order_by;  // one row is in every order
  } else if (streaming_groups) {
    stream_order.assign(
        spec_.shard_order.begin(),
        spec_.shard_order.begin() + static_cast<std::ptrdiff_t>(spec_.group_by.size()));
  }

  if (spec_.grouped) {
    auto ctx =
        std::make_shared<AggregateContext>(spec_.aggregates, columns_, spec_.group_concat_max_len);
    ctx->types = types_;
    groups_.emplace(std::move(ctx), spec_.group_by, streaming_groups, spec_.max_result_rows,
                    spec_.budget);
    if (!spec_.rollup.empty()) {
      // Super-aggregates close with their prefix, so ROLLUP needs the groups in key order; a
      // collation the merge only compares by the server's weights cannot tell it: the shipped
      // statement answers instead (1235 before any row).
      if (!streaming_groups) {
        error_ = MergeError{protocol::ErrorCode{1235, "42000"},
                            "WITH ROLLUP over several shards grouped by a string in a collation "
                            "the merge cannot order is not supported"};
        return;
      }
      groups_->set_rollup(spec_.rollup);
    }
  }
  if (spec_.distinct) {
    std::vector<size_t> distinct_columns(key.begin(),
                                         key.begin() + static_cast<std::ptrdiff_t>(visible_));
    distinct_.emplace(types_, std::move(distinct_columns), spec_.max_result_rows, spec_.budget);
  }
  if (!spec_.order_by.empty() && !is_prefix(spec_.order_by, stream_order)) {
    std::optional<uint64_t> keep;
    // Saturating: `LIMIT 5, 18446744073709551615` (MySQL's "all rows after 5") must not wrap.
    if (spec_.limit && *spec_.limit <= UINT64_MAX - spec_.offset) {
      keep = spec_.offset + *spec_.limit;
    }
    sort_.emplace(RowComparator(spec_.order_by, types_), keep, spec_.max_result_rows, spec_.budget);
  }
}

std::vector<protocol::ColumnDefinition> MergePipeline::visible_columns() const {
  std::vector<protocol::ColumnDefinition> out(
      columns_.begin(), columns_.begin() + static_cast<std::ptrdiff_t>(visible_));
  // The shards group without ROLLUP, so a key column may come NOT NULL; its super-aggregate
  // rows are NULL there, and the server says nullable. (columns_ keep the shards' flags: a
  // HAVING folds `IS NULL` by them, as the server does.)
  for (const auto& key : spec_.rollup) {
    for (size_t c : key) {
      if (c < out.size()) out[c].flags &= uint16_t(~protocol::column_flag::kNotNull);
    }
  }
  return out;
}

std::optional<size_t> MergePipeline::wants() const {
  if (done_ || error_) return std::nullopt;
  return std::visit([](const auto& s) { return s.wants(); }, source_);
}

Status MergePipeline::offer(size_t shard, Row row) {
  if (row.size() != columns_.size()) {
    return MergeError{protocol::errc::kMalformedPacket,
                      "shard " + std::to_string(shard) + " returned a row of " +
                          std::to_string(row.size()) + " columns, expected " +
                          std::to_string(columns_.size())};
  }
  if (!configured_) configure(&row);
  return std::visit([&](auto& s) { return s.offer(shard, std::move(row)); }, source_);
}

Status MergePipeline::offer_payload(size_t shard, std::string payload) {
  auto row = Row::from_text_payload(std::move(payload), columns_.size());
  if (!row) {
    return MergeError{protocol::errc::kMalformedPacket,
                      "shard " + std::to_string(shard) + " sent a malformed result row"};
  }
  return offer(shard, std::move(*row));
}

Status MergePipeline::finish(size_t shard) {
  return std::visit([&](auto& s) { return s.finish(shard); }, source_);
}

bool MergePipeline::source_next(Row& out) {
  return std::visit([&](auto& s) { return s.next(out); }, source_);
}

bool MergePipeline::source_done() const {
  return std::visit([](const auto& s) { return s.done(); }, source_);
}

MergePipeline::Pull MergePipeline::fail(MergeError e) {
  error_ = std::move(e);
  return Pull::kError;
}

MergePipeline::Pull MergePipeline::pull_grouped(Row& out) {
  if (!groups_) {
    if (source_next(out)) return Pull::kRow;
    return source_done() ? Pull::kEnd : Pull::kNeed;
  }
  for (;;) {
    if (groups_->next(out)) return Pull::kRow;
    if (groups_->error()) return fail(*groups_->error());
    if (groups_->done()) return Pull::kEnd;
    Row in;
    if (source_next(in)) {
      if (Status s = groups_->add(in); !s) return fail(s.error());
    } else if (source_done()) {
      if (Status s = groups_->finish(); !s) return fail(s.error());
    } else {
      return Pull::kNeed;
    }
  }
}

// Grouped rows with their computed columns, through HAVING.
MergePipeline::Pull MergePipeline::pull_having(Row& out) {
  for (;;) {
    Pull p = pull_grouped(out);
    if (p != Pull::kRow) return p;
    if (!spec_.computed.empty()) {
      if (auto e = apply_computed(out, spec_.computed)) return fail(std::move(*e));
    }
    if (spec_.having) {
      SqlValue keep = spec_.having->evaluate(out, types_);
      if (keep.is_error()) {
        return fail(MergeError{
            protocol::ErrorCode{keep.error_code, keep.error_code == 1690 ? "22003" : "42000"},
            keep.s});
      }
      if (!keep.truth().value_or(false)) continue;
    }
    return Pull::kRow;
  }
}

// Every row into the first window pass (it sorts them); once it has them all, each pass's rows
// into the next, then the last pass's rows with every window column filled and the
// expressions over them computed. A pass is dropped once read (its sort's memory and spill
// files with it).
MergePipeline::Pull MergePipeline::pull_windowed(Row& out) {
  if (windows_.empty()) return pull_having(out);
  while (windows_filled_ < windows_.size()) {
    WindowOperator& into = *windows_[windows_filled_];
    Row in;
    if (windows_filled_ == 0) {
      Pull p = pull_having(in);
      if (p == Pull::kRow) {
        if (Status s = into.add(std::move(in)); !s) return fail(s.error());
        continue;
      }
      if (p != Pull::kEnd) return p;
    } else {
      auto more = windows_[windows_filled_ - 1]->next(in);
      if (!more) return fail(more.error());
      if (*more) {
        if (Status s = into.add(std::move(in)); !s) return fail(s.error());
        continue;
      }
      windows_[windows_filled_ - 1].reset();
    }
    if (Status s = into.finish(); !s) return fail(s.error());
    ++windows_filled_;
  }
  auto more = windows_.back()->next(out);
  if (!more) return fail(more.error());
  if (!*more) return Pull::kEnd;
  if (!spec_.window_computed.empty()) {
    if (auto e = apply_computed(out, spec_.window_computed)) return fail(std::move(*e));
  }
  return Pull::kRow;
}

namespace {

// Does the evaluator's type of a computed column print as the column definition the shards
// sent for it says (they computed the same expression, so that is the server's type)?
bool type_agrees(const ExprType& t, const protocol::ColumnDefinition& def) {
  using protocol::FieldType;
  using C = ExprType::Class;
  if (t.cls == C::kNull) return true;  // always NULL
  bool uns = (def.flags & protocol::column_flag::kUnsigned) != 0;
  switch (def.type) {
    case FieldType::kDecimal:
    case FieldType::kNewDecimal:
      return (t.cls == C::kDecimal && t.scale == def.decimals) ||
             (t.cls == C::kInt && def.decimals == 0);
    case FieldType::kTiny:
    case FieldType::kShort:
    case FieldType::kLong:
    case FieldType::kInt24:
    case FieldType::kLongLong:
      return (t.cls == C::kInt && t.uns == uns) || (t.cls == C::kDecimal && t.scale == 0);
    case FieldType::kDouble:
      return t.cls == C::kDouble && t.scale == (def.decimals >= 31 ? -1 : def.decimals);
    case FieldType::kVarchar:
    case FieldType::kVarString:
    case FieldType::kString:
    case FieldType::kTinyBlob:
    case FieldType::kMediumBlob:
    case FieldType::kLongBlob:
    case FieldType::kBlob:
      return t.cls == C::kString;
    case FieldType::kDate:
    case FieldType::kDatetime:
    case FieldType::kTimestamp:
    case FieldType::kTime:
      return t.cls == C::kTemporal;
    case FieldType::kNull:
      return false;
    default:
      return false;
  }
}

}  // namespace

// The evaluator's types, once the collations are known: HAVING and computed columns.
void MergePipeline::bind_expressions(const Row* first) {
  // Columns whose collation the first row named (COLLATION(expr)): their string functions
  // know the column's own collation, not just the result charset's default.
  // Without a row there is no value whose collation could matter.
  std::unique_ptr<bool[]> known(new bool[columns_.size()]());
  for (size_t c = 0; c < columns_.size() && !first; ++c) known[c] = true;
  if (first) {
    for (auto [column, name_column] : spec_.collation_columns) {
      if (column < columns_.size() && first->get(name_column)) known[column] = true;
    }
  }
  std::span<const bool> collation_known(known.get(), columns_.size());
  const protocol::ErrorCode not_supported{1235, "42000"};
  if (spec_.having) {
    if (auto err = spec_.having->bind(columns_, types_, collation_known)) {
      error_ = MergeError{not_supported,
                          "HAVING with " + *err + " over several shards is not supported"};
      return;
    }
  }
  for (auto* list : {&spec_.computed, &spec_.window_computed}) {
    for (auto& [column, e] : *list) {
      // FLOAT text does not carry the float's binary value the server computes with, BIT and
      // geometry cells are not numbers or text: not read by computed columns.
      for (size_t c = 0; c < columns_.size(); ++c) {
        auto t = columns_[c].type;
        if (c != column && e.uses_column(c) &&
            (t == protocol::FieldType::kFloat || t == protocol::FieldType::kBit ||
             t == protocol::FieldType::kGeometry || t == protocol::FieldType::kJson)) {
          error_ = MergeError{not_supported,
                              "an expression over the FLOAT, BIT or geometry value "
                              "of column '" +
                                  columns_[c].name + "' over several shards is not supported"};
          return;
        }
      }
      if (auto err = e.bind(columns_, types_, collation_known)) {
        error_ = MergeError{not_supported, *err + " over several shards is not supported"};
        return;
      }
      if (column >= columns_.size() || !type_agrees(e.type(), columns_[column])) {
        error_ =
            MergeError{not_supported,
                       "the result type of column '" +
                           (column < columns_.size() ? columns_[column].name : std::string()) +
                           "' computed after merging shards is not the server's: not supported"};
        return;
      }
    }
  }
}

std::optional<MergeError> MergePipeline::apply_computed(
    Row& row, const std::vector<std::pair<size_t, ScalarExpr>>& computed) const {
  Row out;
  for (size_t c = 0; c < row.size(); ++c) {
    const ScalarExpr* expr = nullptr;
    for (auto& [column, e] : computed) {
      if (column == c) expr = &e;
    }
    if (!expr) {
      out.append_cell(row.get(c));
      continue;
    }
    SqlValue v = expr->evaluate(row, types_);
    if (v.is_error()) {
      return MergeError{protocol::ErrorCode{v.error_code, v.error_code == 1690 ? "22003" : "42000"},
                        v.s};
    }
    auto text = expr->text(v);
    text ? out.append(std::string_view(*text)) : out.append_null();
  }
  row = std::move(out);
  return std::nullopt;
}

MergePipeline::Pull MergePipeline::pull_filtered(Row& out) {
  for (;;) {
    Pull p = pull_windowed(out);
    if (p == Pull::kEnd && distinct_ && distinct_->spilled()) {
      // The rows DISTINCT put aside on disk (already through HAVING and computed columns).
      auto more = distinct_->next_deferred(out);
      if (!more) return fail(more.error());
      return *more ? Pull::kRow : Pull::kEnd;
    }
    if (p != Pull::kRow) return p;
    if (distinct_) {
      auto first = distinct_->admit(out);
      if (!first) return fail(first.error());
      if (!*first) continue;
    }
    return Pull::kRow;
  }
}

MergePipeline::Pull MergePipeline::pull_ordered(Row& out) {
  if (!sort_) return pull_filtered(out);
  while (!sort_filled_) {
    Row in;
    Pull p = pull_filtered(in);
    if (p == Pull::kRow) {
      if (Status s = sort_->add(std::move(in)); !s) return fail(s.error());
    } else if (p == Pull::kEnd) {
      if (Status s = sort_->finish(); !s) return fail(s.error());
      sort_filled_ = true;
    } else {
      return p;
    }
  }
  if (sort_->next(out)) return Pull::kRow;
  if (sort_->error()) return fail(*sort_->error());
  return Pull::kEnd;
}

Result<MergePipeline::Poll> MergePipeline::next(Row& out) {
  if (!configured_) {
    // Nothing to merge before the first row; every shard ended without one: no collations.
    if (!error_ && !source_done() && !limit_.exhausted()) return Poll::kNeedInput;
    configure(nullptr);
  }
  for (;;) {
    if (error_) return *error_;
    if (done_ || limit_.exhausted()) {
      done_ = true;
      return Poll::kDone;
    }
    switch (pull_ordered(out)) {
      case Pull::kError:
        return *error_;
      case Pull::kNeed:
        return Poll::kNeedInput;
      case Pull::kEnd:
        done_ = true;
        return Poll::kDone;
      case Pull::kRow:
        break;
    }
    if (limit_.take() == OffsetLimit::Verdict::kSkip) continue;
    if (spec_.max_result_rows != 0 && limit_.emitted() > spec_.max_result_rows) {
      error_ = too_many_rows("has more rows than", spec_.max_result_rows);
      return *error_;
    }
    out.truncate(visible_);
    return Poll::kRow;
  }
}

}  // namespace tessera::exec
