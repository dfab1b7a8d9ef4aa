#include "router/explain.h"

#include <fmt/format.h>

#include "sql/writer.h"

namespace tessera::router {

namespace {

// Keeps one cell or fact on one line: the texts are line- and tab-separated.
std::string one_line(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string error_text(const PlanError& e) {
  return fmt::format("ERROR {} ({}): {}", e.code.code, e.code.sqlstate, one_line(e.message));
}

const char* kind_name(PlanKind k) {
  switch (k) {
    case PlanKind::kDefaultSlice:
      return "default slice (the statement goes there unchanged)";
    case PlanKind::kRoute:
      return "route";
    case PlanKind::kError:
      return "error";
    case PlanKind::kExplain:
      return "explain";
  }
  return "?";
}

const char* result_name(ResultMode m) {
  switch (m) {
    case ResultMode::kRelay:
      return "relay";
    case ResultMode::kMerge:
      return "merge";
    case ResultMode::kSumAffected:
      return "sum affected rows";
    case ResultMode::kShowTables:
      return "show tables (physical names mapped to logical)";
    case ResultMode::kSetOperation:
      return "set operation (branches combined by the engine)";
    case ResultMode::kLookupJoin:
      return "lookup join (the driving rows shipped to the other tables' statement)";
    case ResultMode::kReadThenWrite:
      return "read then write (the rows read FOR UPDATE, then written by primary key)";
  }
  return "?";
}

const char* aggregate_name(AggregateKind k) {
  switch (k) {
    case AggregateKind::kCount:
      return "count";
    case AggregateKind::kSum:
      return "sum";
    case AggregateKind::kMin:
      return "min";
    case AggregateKind::kMax:
      return "max";
    case AggregateKind::kAvg:
      return "avg";
    case AggregateKind::kGroupConcat:
      return "group_concat";
    case AggregateKind::kCountDistinct:
      return "count distinct";
    case AggregateKind::kSumDistinct:
      return "sum distinct";
    case AggregateKind::kAvgDistinct:
      return "avg distinct";
    case AggregateKind::kGroupConcatDistinct:
      return "group_concat distinct";
    case AggregateKind::kBitAnd:
      return "bit_and";
    case AggregateKind::kBitOr:
      return "bit_or";
    case AggregateKind::kBitXor:
      return "bit_xor";
    case AggregateKind::kVarPop:
      return "var_pop";
    case AggregateKind::kVarSamp:
      return "var_samp";
    case AggregateKind::kStddevPop:
      return "stddev_pop";
    case AggregateKind::kStddevSamp:
      return "stddev_samp";
  }
  return "?";
}

// `#n` for a visible column, `hn` for the n-th hidden one.
std::string column(uint32_t pos) {
  if (pos >= kHiddenBase) return fmt::format("h{}", pos - kHiddenBase);
  return fmt::format("#{}", pos);
}

std::string sort_keys(const std::vector<SortKey>& keys) {
  std::string out;
  for (auto& k : keys) {
    if (!out.empty()) out += ", ";
    out += column(k.column);
    if (k.descending) out += " desc";
  }
  return out;
}

std::string expr_sql(const sql::Expr* e) {
  if (!e) return "(none)";
  std::string text;
  sql::to_sql(*e, text);
  return one_line(text);
}

// HAVING and computed columns: the expression, then what each of its parts is read from.
std::string mapped_expression(const HavingInfo& h) {
  std::string out = expr_sql(h.expr);
  if (h.columns.empty()) return out;
  out += " with ";
  bool first = true;
  for (auto& [e, pos] : h.columns) {
    if (!first) out += ", ";
    first = false;
    out += expr_sql(e) + " = " + column(pos);
  }
  return out;
}

const char* window_name(exec::WindowKind k) {
  using K = exec::WindowKind;
  switch (k) {
    case K::kRowNumber:
      return "row_number";
    case K::kRank:
      return "rank";
    case K::kDenseRank:
      return "dense_rank";
    case K::kPercentRank:
      return "percent_rank";
    case K::kCumeDist:
      return "cume_dist";
    case K::kNtile:
      return "ntile";
    case K::kLag:
      return "lag";
    case K::kLead:
      return "lead";
    case K::kFirstValue:
      return "first_value";
    case K::kLastValue:
      return "last_value";
    case K::kNthValue:
      return "nth_value";
    case K::kCountStar:
      return "count(*)";
    case K::kCount:
      return "count";
    case K::kSum:
      return "sum";
    case K::kAvg:
      return "avg";
    case K::kMin:
      return "min";
    case K::kMax:
      return "max";
  }
  return "?";
}

std::string frame_text(const exec::WindowFrame& f) {
  using T = exec::WindowBound::Type;
  auto bound = [](const exec::WindowBound& b) -> std::string {
    switch (b.type) {
      case T::kUnboundedPreceding:
        return "unbounded preceding";
      case T::kPreceding:
        return b.range_offset.empty() ? fmt::format("{} preceding", b.offset)
                                      : b.range_offset + " preceding";
      case T::kCurrentRow:
        return "current row";
      case T::kFollowing:
        return b.range_offset.empty() ? fmt::format("{} following", b.offset)
                                      : b.range_offset + " following";
      case T::kUnboundedFollowing:
        return "unbounded following";
    }
    return "?";
  };
  return std::string(f.rows ? "rows " : "range ") + bound(f.start) + " .. " + bound(f.end);
}

void describe_window(const exec::engine::WindowInfo& w, std::string& text) {
  std::string keys;
  for (auto c : w.partition) keys += (keys.empty() ? "" : ", ") + column(c);
  text = "window: partition by " + (keys.empty() ? std::string("(none)") : keys);
  text += "; order by " + (w.order.empty() ? std::string("(none)") : sort_keys(w.order));
  for (const auto& f : w.functions) {
    text += "; " + column(f.column) + " " + window_name(f.kind);
    using K = exec::WindowKind;
    if (f.kind != K::kCountStar && f.kind != K::kNtile && f.kind != K::kRowNumber &&
        f.kind != K::kRank && f.kind != K::kDenseRank && f.kind != K::kPercentRank &&
        f.kind != K::kCumeDist)
      text += " of " + column(f.argument);
    if (f.kind == K::kLag || f.kind == K::kLead || f.kind == K::kNtile || f.kind == K::kNthValue)
      text += fmt::format(" n {}", f.n);
    if (f.default_column) text += " default " + column(*f.default_column);
    if (f.frame) text += " " + frame_text(*f.frame);
  }
}

void describe_merge(const MergeInfo& m, std::string_view indent, std::string& out) {
  auto line = [&](std::string_view text) {
    out += indent;
    out += text;
    out += '\n';
  };
  if (m.hidden_columns) line(fmt::format("hidden columns: {}", m.hidden_columns));
  if (!m.order_by.empty()) line("order by: " + sort_keys(m.order_by));
  if (!m.shard_order.empty()) line("shard order: " + sort_keys(m.shard_order));
  if (m.grouped) {
    std::string keys;
    for (auto g : m.group_by) keys += (keys.empty() ? "" : ", ") + column(g);
    line("group by: " + (keys.empty() ? std::string("(one group)") : keys));
  }
  for (auto& a : m.aggregates) {
    std::string text = column(a.column) + " " + aggregate_name(a.kind);
    if (a.kind == AggregateKind::kAvg)
      text += " of sum " + column(a.sum_column) + " / count " + column(a.count_column);
    if (a.kind == AggregateKind::kCountDistinct || a.kind == AggregateKind::kSumDistinct ||
        a.kind == AggregateKind::kAvgDistinct || a.kind == AggregateKind::kGroupConcatDistinct ||
        (a.kind == AggregateKind::kGroupConcat && a.argument_column != 0))
      text += " argument " + column(a.argument_column);
    for (auto c : a.more_arguments) text += ", " + column(c);
    if (a.kind == AggregateKind::kVarPop || a.kind == AggregateKind::kVarSamp ||
        a.kind == AggregateKind::kStddevPop || a.kind == AggregateKind::kStddevSamp)
      text += " of count " + column(a.count_column) + ", sum " + column(a.sum_column) +
              ", sum of squares " + column(a.sumsq_column);
    if (a.kind == AggregateKind::kGroupConcat || a.kind == AggregateKind::kGroupConcatDistinct)
      text += " separator '" + one_line(a.separator) + "'";
    line("aggregate: " + text);
  }
  if (m.distinct) line("distinct");
  for (auto& [col, hidden] : m.collation_columns)
    line("collation of " + column(col) + ": " + column(hidden));
  for (auto& [col, hidden] : m.weight_columns)
    line("weight of " + column(col) + ": " + column(hidden));
  if (m.unnamed_columns) line("unnamed columns (*): strings not compared");
  for (auto& c : m.computed) {
    if (!c.after_windows) line("computed " + column(c.column) + ": " + mapped_expression(c.value));
  }
  if (m.having.expr) line("having: " + mapped_expression(m.having));
  for (const auto& w : m.windows) {
    std::string text;
    describe_window(w, text);
    line(text);
  }
  for (auto& c : m.computed) {
    if (c.after_windows) line("computed " + column(c.column) + ": " + mapped_expression(c.value));
  }
  if (m.offset) line(fmt::format("offset: {}", m.offset));
  if (m.limit) line(fmt::format("limit: {}", *m.limit));
}

}  // namespace

std::vector<ExplainRow> explain_rows(const Plan& plan) {
  std::vector<ExplainRow> rows;
  if (!plan.explain_tree.empty()) {
    // A set operation: one row per operator, indented by depth; routes carry their SQL.
    for (const auto& line : plan.explain_tree) {
      std::string type = std::string(2 * static_cast<size_t>(line.depth), ' ') + line.op;
      if (!line.detail.empty()) type += " (" + line.detail + ")";
      rows.push_back({std::move(type), line.slice, line.db, line.sql});
    }
    return rows;
  }
  rows.reserve(plan.queries.size());
  for (auto& q : plan.queries) rows.push_back({plan.explain_type, q.slice, q.db, q.sql});
  return rows;
}

std::string explain_text(const Plan& plan) {
  std::string out;
  switch (plan.kind) {
    case PlanKind::kError:
      return error_text(plan.error) + "\n";
    case PlanKind::kDefaultSlice:
      return "(to the default slice unchanged: the server answers)\n";
    case PlanKind::kRoute:
    case PlanKind::kExplain:
      break;
  }
  for (auto& c : kExplainColumns) {
    if (&c != &kExplainColumns[0]) out += '\t';
    out += c.name;
  }
  out += '\n';
  for (auto& r : explain_rows(plan)) {
    out += fmt::format("{}\t{}\t{}\t{}\n", one_line(r.type), one_line(r.slice), one_line(r.db),
                       one_line(r.sql));
  }
  return out;
}

std::string describe_plan(const Plan& plan, std::string_view indent,
                          const std::vector<ExplainRow>* explained) {
  std::string out;
  auto line = [&](std::string_view text) {
    out += indent;
    out += text;
    out += '\n';
  };
  line(std::string("plan: ") + kind_name(plan.kind));
  switch (plan.kind) {
    case PlanKind::kDefaultSlice:
      return out;
    case PlanKind::kError:
      line(error_text(plan.error));
      return out;
    case PlanKind::kExplain:
      return out + explain_text(plan);
    case PlanKind::kRoute:
      break;
  }
  line(std::string("result: ") + result_name(plan.result));
  if (plan.is_write)
    line(plan.writes_copies ? "write: copies of the same rows" : "write");
  else
    line("read");
  if (plan.generated_id) line(fmt::format("generated id: {}", plan.generated_id));
  bool as_explained = explained && explained->size() == plan.queries.size();
  for (size_t i = 0; as_explained && i < plan.queries.size(); ++i) {
    as_explained = (*explained)[i].slice == plan.queries[i].slice &&
                   (*explained)[i].sql == plan.queries[i].sql;
  }
  if (as_explained) {
    std::string indexes;
    size_t n = 0;
    for (auto& q : plan.queries) {
      if (q.index < 0) continue;
      indexes += fmt::format("{}{}", n++ ? ", " : "", q.index);
    }
    if (n) indexes = fmt::format(" (sub-table{} {})", n > 1 ? "s" : "", indexes);
    line(fmt::format("queries: as explained{}", indexes));
  }
  for (auto& q : plan.queries) {
    if (as_explained) break;
    std::string target = q.slice + (q.db.empty() ? "" : " " + q.db);
    if (q.index >= 0) target += fmt::format(" [{}]", q.index);
    line("query " + one_line(target) + ": " + one_line(q.sql));
  }
  // The primitives the engine runs (exec/engine), one line each, children indented; their
  // SQL is the queries' above.
  if (plan.root) {
    std::vector<exec::engine::PlanLine> tree;
    plan.root->describe(tree, 0);
    for (const auto& p : tree) {
      std::string text = "engine: " + std::string(2 * p.depth, ' ') + p.op;
      if (!p.slice.empty()) text += " " + p.slice + (p.db.empty() ? "" : " " + p.db);
      if (!p.detail.empty()) text += " (" + p.detail + ")";
      line(text);
    }
  }
  for (auto& [physical, logical] : plan.table_aliases)
    line("alias: " + physical + " -> " + logical);
  if (plan.result == ResultMode::kMerge || plan.result == ResultMode::kLookupJoin ||
      (plan.result == ResultMode::kReadThenWrite &&
       (!plan.merge.order_by.empty() || plan.merge.limit)))
    describe_merge(plan.merge, indent, out);
  if (plan.set_op) {
    for (size_t i = 0; i < plan.set_op->branches.size(); ++i) {
      const auto& b = plan.set_op->branches[i];
      if (!b.scatter) continue;
      line(fmt::format("branch {} merge:", i + 1));
      const size_t before = out.size();
      describe_merge(b.merge, std::string(indent) + "  ", out);
      if (out.size() == before) line("  concatenation");
    }
  }
  return out;
}

}  // namespace tessera::router
