#include "exec/engine/set_operation.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend_error.h"
#include "exec/engine/literal_rows.h"
#include "exec/engine/merge_resolve.h"
#include "exec/engine/merged_read.h"
#include "exec/engine/retrying.h"
#include "exec/merge_pipeline.h"
#include "sql/ascii_case.h"

namespace tessera::exec::engine {

namespace {

constexpr protocol::ErrorCode kNotSupported{1235, "42000"};

std::string unhex(std::string_view hex) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 0;
  };
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(digit(hex[i]) * 16 + digit(hex[i + 1])));
  return out;
}

bool compares_rows(const SetOperationSpec& spec) {
  for (const auto& n : spec.nodes) {
    if (n.branch < 0 && (n.op != exec::SetOpKind::kUnion || !n.all)) return true;
  }
  return false;
}

}  // namespace

std::string set_op_name(const exec::SetNode& node) {
  std::string out = node.op == exec::SetOpKind::kUnion       ? "UNION"
                    : node.op == exec::SetOpKind::kIntersect ? "INTERSECT"
                                                             : "EXCEPT";
  if (node.all) out += " ALL";
  return out;
}

asio::awaitable<void> SetOperation::run(Cursor& cursor) const {
  // A named function object: GCC 12 mishandles temporaries inside co_await expressions.
  std::function<asio::awaitable<Attempt>()> attempt = [&]() { return once(cursor); };
  co_await run_streams_retrying(cursor, role_, traits_, attempt);
}

asio::awaitable<Attempt> SetOperation::once(Cursor& c) const {
  Attempt answered;
  // One memory budget for the statement: every branch's merge and the set merge share it.
  const std::shared_ptr<MemoryBudget> budget = c.merge_limits().statement_budget();
  // Streams: the metadata query, its collations, the nested units' metadata, then every
  // branch's queries in order. Branches are read one after the other, so a branch's parts run
  // on the connections the branch before it used on the same slice (Query::after): a set
  // operation holds, per slice, as many connections as its widest branch has parts there.
  std::vector<Query> all;
  all.push_back(metadata_);
  all.push_back(collations_);
  for (const auto& u : units_) all.push_back(u);
  const size_t names_at = names_ ? all.size() : SIZE_MAX;
  if (names_) all.push_back(*names_);
  for (size_t i = 1; i < all.size(); ++i) all[i].after = static_cast<int>(i - 1);
  const size_t meta_streams = all.size();
  std::map<std::string, std::vector<int>> ends;  // slice + db -> connections' last queries
  auto key = [](const Query& q) { return q.target.slice + '\n' + q.target.db; };
  ends[key(all[0])].push_back(static_cast<int>(meta_streams - 1));
  std::vector<size_t> first(branches_.size());
  for (size_t b = 0; b < branches_.size(); ++b) {
    first[b] = all.size();
    std::map<std::string, size_t> used;
    std::map<std::string, std::vector<int>> mine;
    for (const auto& q : branches_[b].queries) {
      Query part = q;
      const std::string k = key(q);
      auto& e = ends[k];
      size_t& u = used[k];
      if (u < e.size()) part.after = e[u++];
      mine[k].push_back(static_cast<int>(all.size()));
      all.push_back(part);
    }
    for (auto& [k, v] : mine) {
      auto& e = ends[k];
      for (size_t j = used[k]; j < e.size(); ++j) v.push_back(e[j]);
      e = v;
    }
  }
  {
    Attempt opened = co_await c.open_shards(all, role_);
    if (opened.kind != Attempt::Kind::kAnswered) co_return opened;
  }
  const size_t n = all.size();
  std::optional<std::string> failure;
  try {
    std::vector<std::vector<protocol::ColumnDefinition>> columns(n);
    std::optional<protocol::ErrPacket> shard_error;
    std::optional<protocol::ErrPacket> retryable;
    std::string retryable_slice;
    // Heads of streams [from, to): the first error is kept (retryable ones noted).
    std::vector<std::unique_ptr<MergePipeline>> pipelines(branches_.size());
    // Per branch, the conversions to each enclosing unit's types, innermost first, then to
    // the result's.
    std::vector<std::vector<std::vector<exec::CellConversion>>> conversions(branches_.size());
    std::unique_ptr<exec::SetMerge> merge;
    bool names_failed = false;
    for (size_t i = 0; i < meta_streams; ++i) {
      auto err = co_await c.read_head(i, columns[i]);
      if (err && i == names_at) {
        names_failed = true;  // the columns it asks for are then not compared
        continue;
      }
      if (err && !shard_error) {
        shard_error = *err;
        if (is_retryable_rejection(err->code)) {
          retryable = *err;
          retryable_slice = all[i].target.slice;
        }
      }
    }
    const std::vector<protocol::ColumnDefinition>& result = columns[0];
    std::vector<std::string> names;   // the union columns' collations, when asked
    std::vector<std::string> spaces;  // and the weight string of a space in each
    // The collation a union column compares strings in: "" when it cannot be told.
    auto union_collation = [&](size_t i) {
      const uint16_t id = columns[1][i].charset;
      if (!collation_id_ambiguous(id)) return column_collation_name(id);
      return i < names.size() ? names[i] : std::string();
    };
    if (!shard_error) {
      // The metadata queries answer no rows (LIMIT 0): read them to their ends.
      std::string payload;
      for (size_t i = 0; i < meta_streams && !shard_error; ++i) {
        if (i == names_at && names_failed) continue;
        for (;;) {
          ShardEvent ev = co_await c.read_row(i, payload);
          if (ev.kind == ShardEvent::Kind::kRow && i == names_at && names.empty()) {
            // (the collation names query answers one row)
            // (COLLATION() of each column, then HEX(WEIGHT_STRING(' ')) in it)
            if (auto row = Row::from_text_payload(std::move(payload), columns[i].size())) {
              const size_t half = row->size() / 2;
              for (size_t k = 0; k < row->size(); ++k) {
                std::string cell = row->is_null(k) ? std::string() : std::string(row->cell(k));
                if (k < half) {
                  names.push_back(std::move(cell));
                } else {
                  spaces.push_back(unhex(cell));
                }
              }
            }
            payload = std::string();
          }
          if (ev.kind == ShardEvent::Kind::kRow) continue;
          if (ev.kind == ShardEvent::Kind::kError) shard_error = ev.error;
          break;
        }
      }
    }
    if (!shard_error && columns[1].size() != result.size())
      shard_error = protocol::ErrPacket(protocol::errc::kUnknownError,
                                        "internal error: the set operation's metadata queries "
                                        "disagree on its columns");
    // The parent of every node, to find the units enclosing a branch.
    std::vector<int> parent(spec_.nodes.size(), -1);
    for (size_t i = 0; i < spec_.nodes.size(); ++i) {
      const auto& node = spec_.nodes[i];
      if (node.branch < 0) {
        parent[static_cast<size_t>(node.left)] = static_cast<int>(i);
        parent[static_cast<size_t>(node.right)] = static_cast<int>(i);
      }
    }
    // Reads branch b's heads and builds its merge and conversions; false with `shard_error`.
    // (Not a lambda: a coroutine lambda's captures would not outlive its first suspension.)
    size_t prepared = 0;  // branches [0, prepared) are ready
    auto build_branch = [&](size_t b) -> bool {
      const SetBranch& br = branches_[b];
      const size_t parts = br.queries.size();
      const size_t total = columns[first[b]].size();
      for (size_t k = 1; k < parts; ++k) {
        if (columns[first[b] + k].size() != total) {
          shard_error = protocol::ErrPacket(protocol::errc::kUnknownError,
                                            "shards returned different column counts; are the "
                                            "physical tables' definitions the same on every "
                                            "slice?");
          return false;
        }
      }
      auto spec = resolve_merge(br.merge, total, c.merge_limits(), budget);
      if (!spec) {
        shard_error = protocol::ErrPacket(spec.error().code, spec.error().message);
        return false;
      }
      auto made = MergePipeline::create(std::move(*spec), columns[first[b]], parts);
      if (!made) {
        shard_error = protocol::ErrPacket(made.error().code, made.error().message);
        return false;
      }
      pipelines[b] = std::move(*made);
      int leaf = -1;
      for (size_t i = 0; i < spec_.nodes.size(); ++i) {
        if (spec_.nodes[i].branch == static_cast<int>(b)) leaf = static_cast<int>(i);
      }
      std::vector<const std::vector<protocol::ColumnDefinition>*> steps;
      for (int at = leaf >= 0 ? parent[static_cast<size_t>(leaf)] : -1; at >= 0;
           at = parent[static_cast<size_t>(at)]) {
        for (size_t u = 0; u < spec_.unit_nodes.size() && u < units_.size(); ++u) {
          if (spec_.unit_nodes[u] == at) steps.push_back(&columns[2 + u]);
        }
      }
      steps.push_back(&result);
      std::vector<protocol::ColumnDefinition> from = pipelines[b]->visible_columns();
      for (const auto* to : steps) {
        auto conv = exec::union_conversions(from, *to);
        if (!conv) {
          shard_error = protocol::ErrPacket(conv.error().code, conv.error().message);
          return false;
        }
        conversions[b].push_back(std::move(*conv));
        from = *to;
      }
      return true;
    };
    // Branch 0's heads before the client sees anything (its errors may still be retried).
    if (!shard_error && !branches_.empty()) {
      for (size_t i = first[0]; i < first[0] + branches_[0].queries.size(); ++i) {
        auto err = co_await c.read_head(i, columns[i]);
        if (err && !shard_error) {
          shard_error = *err;
          shard_error->message += " (on slice " + all[i].target.slice + ")";
          if (is_retryable_rejection(err->code)) {
            retryable = *err;
            retryable_slice = all[i].target.slice;
          }
        }
      }
      if (!shard_error && build_branch(0)) prepared = 1;
    }
    // The union columns compared by the server's weights, and their collations' names.
    std::vector<size_t> weighed;
    std::vector<std::string> weighed_names;
    if (!shard_error) {
      // How the union's columns compare: by type, strings under the union column's own
      // collation (the second metadata query's ids).
      std::vector<exec::ValueType> types;
      for (size_t i = 0; i < result.size(); ++i) {
        exec::ValueType t = exec::ValueType::of(result[i]);
        if (t.family == exec::ValueFamily::kString && result[i].charset != 63 &&
            columns[1][i].charset != 63) {
          std::string name = union_collation(i);
          t.collation = name.empty() ? exec::Collation{}
                                     : exec::Collation::from_name(name, t.collation.encoding);
        }
        types.push_back(t);
      }
      exec::SetSpec set;
      set.nodes = spec_.nodes;
      set.root = spec_.root;
      set.branches = branches_.size();
      set.offset = spec_.offset;
      set.limit = spec_.limit;
      const MergeLimits limits = c.merge_limits();
      set.max_rows = limits.max_result_rows;
      set.budget = budget;
      std::vector<size_t> compared;
      if (compares_rows(spec_)) {
        for (size_t i = 0; i < result.size(); ++i) compared.push_back(i);
      }
      for (const auto& k : spec_.order_by) {
        exec::SortKey sk;
        sk.descending = k.descending;
        if (k.position >= 0) {
          sk.column = static_cast<size_t>(k.position);
        } else {
          sk.column = result.size();
          for (size_t i = 0; i < result.size() && sk.column == result.size(); ++i) {
            if (sql::iequals(result[i].name, k.name)) sk.column = i;
          }
        }
        if (sk.column >= result.size()) {
          shard_error = protocol::ErrPacket(
              protocol::ErrorCode{1054, "42S22"},
              "Unknown column '" + (k.position >= 0 ? std::to_string(k.position + 1) : k.name) +
                  "' in 'order clause'");
          break;
        }
        set.order_by.push_back(sk);
        compared.push_back(sk.column);
      }
      // A string in a collation the merge does not compare itself: by the server's weights
      // when every branch's rows carry them (SetBranch::weighed, checked to be in the union
      // column's collation as they come) and the space's weights (padding) are known.
      std::vector<size_t> keys(result.size());
      for (size_t i = 0; i < keys.size(); ++i) keys[i] = i;
      for (size_t col : compared) {
        if (shard_error) break;
        const auto& t = types[col];
        if (t.family != exec::ValueFamily::kString ||
            t.collation.kind != exec::Collation::Kind::kApprox || keys[col] != col)
          continue;
        std::string name = union_collation(col);
        bool weights = !name.empty() && col < spaces.size() && !spaces[col].empty();
        for (const auto& br : branches_) {
          weights =
              weights && std::find(br.weighed.begin(), br.weighed.end(), col) != br.weighed.end();
        }
        if (weights) {
          keys[col] = types.size();
          exec::ValueType w;
          w.family = exec::ValueFamily::kString;
          w.collation = exec::Collation::server_weights(name, spaces[col]);
          w.collation.sort_no_pad = false;  // a union column sorts as a column does
          types.push_back(w);
          weighed.push_back(col);
          weighed_names.push_back(name);
          continue;
        }
        shard_error = protocol::ErrPacket(
            kNotSupported, "a set operation over several shards comparing string column '" +
                               result[col].name + "' in collation " +
                               (name.empty() ? std::to_string(columns[1][col].charset) : name) +
                               " is not supported (the merge compares utf8mb3/utf8mb4 "
                               "general_ci, unicode_ci, unicode_520_ci, latin1_swedish_ci and "
                               "_bin collations exactly)");
      }
      if (!weighed.empty()) {
        set.visible = result.size();
        set.keys = std::move(keys);
      }
      if (!shard_error) merge = std::make_unique<exec::SetMerge>(std::move(set), std::move(types));
    }
    if (shard_error)
      co_return co_await answer_head_error(c, *shard_error, retryable, retryable_slice);

    // A branch's row as the set merge takes it: the result's columns, then the weight strings
    // of `weighed` (the branch's pairs after its own columns: COLLATION(e), weights), whose
    // collation must be the union column's (checked on the branch's first row).
    std::vector<bool> checked(branches_.size(), false);
    auto weights_of = [&](size_t b, Row& r, bool first) -> std::optional<std::string> {
      const size_t width = result.size();
      if (r.size() <= width) {
        if (weighed.empty()) return std::nullopt;
        return "a set operation over several shards comparing string column '" +
               result[weighed[0]].name + "' in collation " + weighed_names[0] +
               " is not supported (branch " + std::to_string(b + 1) + " has no weights)";
      }
      const auto& pairs = branches_[b].weighed;
      if (r.size() != width + 2 * pairs.size())
        return std::string("internal error: a set operation branch's weight columns");
      Row out;
      for (size_t i = 0; i < width; ++i) out.append_cell(r.get(i));
      for (size_t k = 0; k < weighed.size(); ++k) {
        size_t p =
            static_cast<size_t>(std::find(pairs.begin(), pairs.end(), weighed[k]) - pairs.begin());
        if (first && !sql::iequals(r.cell(width + 2 * p), weighed_names[k]))
          return "a set operation over several shards comparing string column '" +
                 result[weighed[k]].name + "' in collation " + weighed_names[k] + " with branch " +
                 std::to_string(b + 1) + "'s " + std::string(r.cell(width + 2 * p)) +
                 " is not supported";
        // (the server answers NULL for weights longer than max_allowed_packet)
        if (!r.is_null(weighed[k]) && r.is_null(width + 2 * p + 1))
          return "a set operation over several shards comparing string column '" +
                 result[weighed[k]].name + "' in collation " + weighed_names[k] +
                 " is not supported for a value the server gives no weight string of";
        out.append_cell(r.get(width + 2 * p + 1));
      }
      checked[b] = true;
      r = std::move(out);
      return std::nullopt;
    };
    c.begin_result(result);
    MergedRead read;
    std::optional<MergeError>& merge_error = read.merge_error;
    std::optional<protocol::ErrPacket>& row_error = read.row_error;
    Row row;
    // Sends what the set merge has ready; false on an error (merge_error set).
    auto send_ready = [&]() {
      Row out;
      while (merge->next(out)) {
        std::string why;
        if (!c.send_row(out.payload(), why)) {
          merge_error = MergeError{protocol::errc::kUnknownError,
                                   "cannot encode a merged row for the binary protocol: " + why};
          return false;
        }
      }
      if (merge->error()) {
        merge_error = *merge->error();
        return false;
      }
      return true;
    };
    for (size_t b = 0; b < branches_.size() && !merge_error && !row_error && !merge->done(); ++b) {
      if (b >= prepared) {
        // This branch's heads (its connections were the branch before's, now read).
        for (size_t i = first[b]; i < first[b] + branches_[b].queries.size(); ++i) {
          auto err = co_await c.read_head(i, columns[i]);
          if (err && !row_error) {
            row_error = *err;
            row_error->message += " (on slice " + all[i].target.slice + ")";
          }
        }
        if (row_error) break;
        if (!build_branch(b)) {
          // (the ErrorCode's sqlstate views shard_error, which outlives merge_error)
          merge_error = MergeError{protocol::ErrorCode{shard_error->code, shard_error->sqlstate},
                                   shard_error->message};
          break;
        }
        prepared = b + 1;
      }
      MergePipeline& p = *pipelines[b];
      const size_t parts = branches_[b].queries.size();
      std::vector<bool> ended(parts, false);
      for (;;) {
        auto polled = p.next(row);
        if (!polled) {
          merge_error = polled.error();
          break;
        }
        if (*polled == MergePipeline::Poll::kRow) {
          bool converted = true;
          for (const auto& step : conversions[b])
            converted = converted && convert_to_union(step, row);
          if (!converted) {
            merge_error = MergeError{
                kNotSupported,
                "a set operation over several shards with a value of an empty string type "
                "(such as MIN(NULL)) in a column of another type is not supported"};
            break;
          }
          if (auto err = weights_of(b, row, !checked[b])) {
            merge_error = MergeError{kNotSupported, *err};
            break;
          }
          Status st = merge->add(b, std::move(row));
          row = Row();
          if (!st.ok()) {
            merge_error = st.error();
            break;
          }
          if (!send_ready()) break;
          if (c.output_full()) co_await c.flush_rows();
          if (merge->done()) break;
          continue;
        }
        if (*polled == MergePipeline::Poll::kDone) break;
        if (!co_await read.feed(c, p, all, first[b], ended)) break;
      }
    }
    if (!merge_error && !row_error) {
      Status st = merge->finish();
      if (!st.ok()) {
        merge_error = st.error();
      } else {
        // A counted tree produces its rows as they are sent: flush between batches.
        Row out;
        while (!merge_error && merge->next(out)) {
          std::string why;
          if (!c.send_row(out.payload(), why)) {
            merge_error = MergeError{protocol::errc::kUnknownError,
                                     "cannot encode a merged row for the binary protocol: " + why};
            break;
          }
          if (c.output_full()) co_await c.flush_rows();
        }
        if (!merge_error && merge->error()) merge_error = *merge->error();
      }
    }
    // The merge's error first; a stream's ERR with its code and state.
    std::optional<protocol::ErrPacket> error;
    if (merge_error) {
      error = protocol::ErrPacket(merge_error->code, merge_error->message);
    } else if (row_error) {
      error = protocol::ErrPacket(protocol::ErrorCode{row_error->code, row_error->sqlstate},
                                  row_error->message);
    }
    co_await end_merged_result(c, error, read.warnings);
  } catch (const std::exception& e) {
    failure = backend::failure_text(e);
  }
  if (!failure) co_return answered;
  co_return co_await shard_failure(c, *failure, "a set operation");
}

void SetOperation::describe(std::vector<PlanLine>& out, int depth) const {
  // The tree as nested operators, each branch as its Route or Scatter with its queries.
  PlanLine head;
  head.depth = depth;
  head.op = "SetOperation";
  std::string detail;
  if (!spec_.order_by.empty()) {
    detail += "order by ";
    for (size_t i = 0; i < spec_.order_by.size(); ++i) {
      const auto& k = spec_.order_by[i];
      if (i) detail += ", ";
      detail += k.position >= 0 ? "#" + std::to_string(k.position) : k.name;
      if (k.descending) detail += " desc";
    }
  }
  if (spec_.limit || spec_.offset) {
    if (!detail.empty()) detail += ", ";
    detail += "offset " + std::to_string(spec_.offset) + " limit " +
              (spec_.limit ? std::to_string(*spec_.limit) : std::string("none"));
  }
  if (!detail.empty()) detail += ", ";
  detail += "types from " + metadata_.target.slice;
  head.detail = detail;
  out.push_back(std::move(head));
  // Nodes are bottom-up; print from the root down (iterative, bounded by the node count).
  std::vector<std::pair<int, int>> stack{{spec_.root, depth + 1}};
  while (!stack.empty()) {
    auto [index, d] = stack.back();
    stack.pop_back();
    const exec::SetNode& node = spec_.nodes[static_cast<size_t>(index)];
    if (node.branch < 0) {
      PlanLine line;
      line.depth = d;
      // (short: EXPLAIN's `type` column announces 64 characters)
      line.op = node.op == exec::SetOpKind::kUnion && node.all ? "Concatenate" : "SetMerge";
      line.detail = set_op_name(node);
      if (node.left == node.right) line.detail += ", pushed down to each shard";
      out.push_back(std::move(line));
      if (node.right != node.left) stack.emplace_back(node.right, d + 1);
      stack.emplace_back(node.left, d + 1);
      continue;
    }
    const SetBranch& br = branches_[static_cast<size_t>(node.branch)];
    if (br.scatter) {
      PlanLine line;
      line.depth = d;
      line.op = "Scatter";
      line.detail = spec_.nodes.size() == 1
                        ? std::string("the whole UNION ALL on each shard, concatenated")
                        : "branch " + std::to_string(node.branch + 1) + ", merge";
      out.push_back(std::move(line));
      describe_routes(br.queries, d, out);
    } else {
      PlanLine line;
      line.depth = d;
      line.op = "Route";
      line.slice = br.queries[0].target.slice;
      line.db = br.queries[0].target.db;
      line.sql = br.queries[0].sql;
      line.detail = "branch " + std::to_string(node.branch + 1);
      out.push_back(std::move(line));
    }
  }
}

}  // namespace tessera::exec::engine
