#include "exec/engine/hash_join_read.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backend/backend_error.h"
#include "exec/engine/hash_join_keys.h"
#include "exec/engine/merge_resolve.h"
#include "exec/engine/merged_read.h"
#include "exec/engine/retrying.h"
#include "exec/hash_join.h"
#include "exec/merge_pipeline.h"
#include "exec/row.h"

namespace tessera::exec::engine {

namespace {

constexpr protocol::ErrorCode kNotSupported{1235, "42000"};

// Reads one side's result heads (every stream's); nullopt with `columns` set, or the error.
asio::awaitable<std::optional<protocol::ErrPacket>> read_heads(
    Cursor& c, const std::vector<Query>& queries,
    std::vector<protocol::ColumnDefinition>& columns) {
  std::optional<protocol::ErrPacket> error;
  for (size_t i = 0; i < queries.size(); ++i) {
    std::vector<protocol::ColumnDefinition> cols;
    auto err = co_await c.read_head(i, cols);
    if (err && !error) {
      error = *err;
      error->message += " (on slice " + queries[i].target.slice + ")";
    }
    if (!err && i == 0) columns = std::move(cols);
    if (!err && i > 0 && !error && cols.size() != columns.size())
      error = protocol::ErrPacket(protocol::errc::kUnknownError,
                                  "shards returned different column counts; are the physical "
                                  "tables' definitions the same on every slice?");
  }
  co_return error;
}

}  // namespace

asio::awaitable<void> HashJoinRead::run(Cursor& cursor) const {
  bool unsupported = false;
  // A named function object: GCC 12 mishandles temporaries inside co_await expressions.
  std::function<asio::awaitable<Attempt>()> attempt = [&]() { return once(cursor, unsupported); };
  co_await run_streams_retrying(cursor, role_, traits_, attempt);
  if (unsupported) {
    protocol::ErrPacket err(kNotSupported, "this hash join's keys cannot be compared in Tessera");
    co_await cursor.reply_error(err);
  }
}

asio::awaitable<Attempt> HashJoinRead::once(Cursor& c, bool& unsupported) const {
  Attempt answered;
  unsupported = false;
  const MergeLimits limits = c.merge_limits();
  const std::shared_ptr<MemoryBudget> budget = limits.statement_budget();
  std::optional<std::string> failure;
  const size_t keys = spec_.build_keys.size();

  // ---- the merge's columns and the keys' collations, on a slice holding both tables ----
  std::vector<protocol::ColumnDefinition> merge_columns;
  std::vector<std::string> collations(2 * keys);
  {
    std::vector<Query> meta{spec_.types, spec_.key_collations};
    Attempt opened = co_await c.open_shards(meta, role_);
    if (opened.kind != Attempt::Kind::kAnswered) co_return opened;
  }
  try {
    WholeRead read;
    std::optional<protocol::ErrPacket> error = co_await read_whole(c, 2, read);
    if (error) {
      error->message += " (on slice " + spec_.types.target.slice + ")";
      co_await c.reply_error(*error);
      co_return answered;
    }
    merge_columns = std::move(read.heads[0]);
    // (one row: the first)
    if (!read.rows[1].empty() && read.rows[1][0].size() == 2 * keys) {
      const Row& row = read.rows[1][0];
      for (size_t k = 0; k < 2 * keys; ++k) {
        if (!row.is_null(k)) collations[k] = std::string(row.cell(k));
      }
    }
  } catch (const std::exception& e) {
    failure = backend::failure_text(e);
  }
  if (failure) co_return co_await shard_failure(c, *failure, "a hash join's metadata");

  // ---- the build side, held (spilled beyond the budget) ----
  std::optional<HashJoin> join;
  std::vector<protocol::ColumnDefinition> build_columns;
  std::vector<ValueType> key_types;
  std::vector<std::optional<std::string>> first_build;  // for kSticky cells
  // The join itself failed (the budget, one key's rows beyond it): before the client has a row,
  // the lookup join answers instead.
  bool join_failed = false;
  {
    Attempt opened = co_await c.open_shards(spec_.build, role_);
    if (opened.kind != Attempt::Kind::kAnswered) co_return opened;
  }
  try {
    auto error = co_await read_heads(c, spec_.build, build_columns);
    if (!error) {
      for (size_t k = 0; k < keys && !unsupported; ++k) {
        if (spec_.build_keys[k] >= build_columns.size()) {
          unsupported = true;
          break;
        }
        auto t =
            build_key_type(build_columns[spec_.build_keys[k]], collations[k], collations[keys + k]);
        if (!t) unsupported = true;
        if (t) key_types.push_back(*t);
      }
    }
    if (error || unsupported) {
      c.stop_shards();
      co_await c.drain_shards();
      co_await c.close_shards(/*failed=*/false);
      if (unsupported) co_return answered;
      co_await c.reply_error(*error);
      co_return answered;
    }
    HashJoinSpec hs;
    hs.build_keys.assign(spec_.build_keys.begin(), spec_.build_keys.end());
    hs.probe_keys.assign(spec_.probe_keys.begin(), spec_.probe_keys.end());
    hs.key_types = key_types;
    hs.probe_outer = spec_.probe_outer;
    hs.build_width = build_columns.size();
    hs.budget = budget;
    join.emplace(std::move(hs));
    std::string payload;
    for (size_t i = 0; i < spec_.build.size() && !error; ++i) {
      for (;;) {
        ShardEvent ev = co_await c.read_row(i, payload);
        if (ev.kind == ShardEvent::Kind::kEnd) break;
        if (ev.kind == ShardEvent::Kind::kError) {
          error = ev.error;
          error->message += " (on slice " + spec_.build[i].target.slice + ")";
          break;
        }
        auto row = Row::from_text_payload(std::move(payload), build_columns.size());
        payload = std::string();
        if (!row) {
          error = protocol::ErrPacket(protocol::errc::kUnknownError, "a malformed row");
          break;
        }
        if (first_build.empty()) {
          for (size_t k = 0; k < row->size(); ++k) {
            auto cell = row->get(k);
            first_build.push_back(cell ? std::optional<std::string>(std::string(*cell))
                                       : std::nullopt);
          }
        }
        Status st = join->add_build(std::move(*row));
        if (!st.ok()) {
          error = protocol::ErrPacket(st.error().code, st.error().message);
          join_failed = true;
          break;
        }
      }
    }
    if (!error) {
      Status st = join->finish_build();
      if (!st.ok()) error = protocol::ErrPacket(st.error().code, st.error().message);
    }
    if (error) c.stop_shards();
    co_await c.drain_shards();
    co_await c.close_shards(/*failed=*/false);
    if (join_failed && !c.limit_error()) {
      // (beyond the budget with spilling off, say): the lookup join may still answer.
      unsupported = true;
      co_return answered;
    }
    if (error) {
      if (auto limit = c.limit_error()) error = *limit;
      co_await c.reply_error(*error);
      co_return answered;
    }
  } catch (const std::exception& e) {
    failure = backend::failure_text(e);
  }
  if (failure) co_return co_await shard_failure(c, *failure, "a hash join's build side");

  // ---- the probe side: joined rows through the merge ----
  {
    Attempt opened = co_await c.open_shards(spec_.probe, role_);
    if (opened.kind != Attempt::Kind::kAnswered) co_return opened;
  }
  try {
    std::vector<protocol::ColumnDefinition> probe_columns;
    auto error = co_await read_heads(c, spec_.probe, probe_columns);
    if (!error) {
      for (size_t k = 0; k < keys && !unsupported; ++k) {
        if (spec_.probe_keys[k] >= probe_columns.size() ||
            !probe_key_fits(build_columns[spec_.build_keys[k]], probe_columns[spec_.probe_keys[k]]))
          unsupported = true;
      }
      for (const auto& p : spec_.project) {
        if (p.kind != JoinedCell::Kind::kOne && p.kind != JoinedCell::Kind::kNull &&
            p.from >= probe_columns.size() + build_columns.size())
          unsupported = true;
      }
      if (spec_.project.size() != merge_columns.size()) unsupported = true;
    }
    std::unique_ptr<MergePipeline> pipeline;
    if (!error && !unsupported) {
      auto made = open_merge(spec_.merge, merge_columns, 1, limits, budget);
      if (!made) {
        error = protocol::ErrPacket(made.error().code, made.error().message);
      } else {
        pipeline = std::move(*made);
      }
    }
    if (error || unsupported) {
      c.stop_shards();
      co_await c.drain_shards();
      co_await c.close_shards(/*failed=*/false);
      if (unsupported) co_return answered;
      co_await c.reply_error(*error);
      co_return answered;
    }
    c.begin_result(pipeline->visible_columns());

    const size_t probe_width = probe_columns.size();
    std::optional<MergeError> merge_error;
    Row joined, out;
    // One joined row as a row of the rewritten statement.
    auto project = [&](const Row& j) {
      Row r;
      for (const auto& p : spec_.project) {
        switch (p.kind) {
          case JoinedCell::Kind::kCell:
            r.append_cell(j.get(p.from));
            break;
          case JoinedCell::Kind::kSticky: {
            auto cell = j.get(p.from);
            if (!cell && p.from >= probe_width && p.from - probe_width < first_build.size() &&
                first_build[p.from - probe_width])
              cell = std::string_view(*first_build[p.from - probe_width]);
            r.append_cell(cell);
            break;
          }
          case JoinedCell::Kind::kOne:
            r.append_cell(std::string_view("1"));
            break;
          case JoinedCell::Kind::kNonNull:
            r.append_cell(std::string_view(j.is_null(p.from) ? "0" : "1"));
            break;
          case JoinedCell::Kind::kNull:
            r.append_cell(std::nullopt);
            break;
        }
      }
      return r;
    };
    // Sends what the merge has ready; false once it is done or failed.
    auto pump = [&]() -> asio::awaitable<bool> {
      for (;;) {
        auto polled = pipeline->next(out);
        if (!polled) {
          merge_error = polled.error();
          co_return false;
        }
        if (*polled == MergePipeline::Poll::kDone) co_return false;
        if (*polled == MergePipeline::Poll::kNeedInput) co_return true;
        std::string why;
        if (!c.send_row(out.payload(), why)) {
          merge_error = MergeError{protocol::errc::kUnknownError,
                                   "cannot encode a merged row for the binary protocol: " + why};
          co_return false;
        }
        if (c.output_full()) co_await c.flush_rows();
      }
    };
    // Every joined row the join has ready, into the merge.
    auto feed = [&]() -> asio::awaitable<bool> {
      while (join->next(joined)) {
        Status st = pipeline->offer(0, project(joined));
        if (!st.ok()) {
          merge_error = st.error();
          co_return false;
        }
        if (!co_await pump()) co_return false;
      }
      if (join->error()) {
        merge_error = *join->error();
        join_failed = true;
        co_return false;
      }
      co_return true;
    };
    uint16_t warnings = 0;
    std::string payload;
    bool going = co_await pump();
    for (size_t i = 0; i < spec_.probe.size() && going && !error; ++i) {
      for (;;) {
        ShardEvent ev = co_await c.read_row(i, payload);
        if (ev.kind == ShardEvent::Kind::kEnd) {
          warnings = static_cast<uint16_t>(warnings + ev.warnings);
          break;
        }
        if (ev.kind == ShardEvent::Kind::kError) {
          error = ev.error;
          error->message += " (on slice " + spec_.probe[i].target.slice + ")";
          break;
        }
        auto row = Row::from_text_payload(std::move(payload), probe_width);
        payload = std::string();
        if (!row) {
          error = protocol::ErrPacket(protocol::errc::kUnknownError, "a malformed row");
          break;
        }
        Status st = join->add_probe(*row);
        if (!st.ok()) {
          merge_error = st.error();
          join_failed = true;
          going = false;
          break;
        }
        if (!(going = co_await feed())) break;
      }
    }
    if (going && !error) {
      Status st = join->finish_probe();
      if (!st.ok()) {
        merge_error = st.error();
        join_failed = true;
        going = false;
      }
      // The rows held back, and the partitions on disk joined one after the other (next()
      // goes through them all).
      if (going) going = co_await feed();
      if (going) {
        Status fin = pipeline->finish(0);
        if (!fin.ok()) merge_error = fin.error();
        if (fin.ok()) co_await pump();
      }
    }
    if (join_failed && !error && !c.output_started() && !c.limit_error()) {
      c.stop_shards();
      co_await c.drain_shards();
      co_await c.close_shards(/*failed=*/false);
      c.abandon_result();
      unsupported = true;
      co_return answered;
    }
    if (!error && merge_error) error = protocol::ErrPacket(merge_error->code, merge_error->message);
    co_await end_merged_result(c, error, warnings);
  } catch (const std::exception& e) {
    failure = backend::failure_text(e);
  }
  if (!failure) co_return answered;
  co_return co_await shard_failure(c, *failure, "a hash join");
}

void HashJoinRead::describe(std::vector<PlanLine>& out, int depth) const {
  std::string head = spec_.probe_outer ? "LEFT JOIN, probe side preserved" : "inner join";
  head += ", " + std::to_string(spec_.build_keys.size()) + " key" +
          (spec_.build_keys.size() == 1 ? "" : "s") + ", merged as one shard";
  if (!spec_.when.empty()) head += "; when " + spec_.when;
  describe_operator(out, depth, "HashJoin", std::move(head));
  describe_operator(out, depth + 1, "Build", "held, grace hash partitions beyond the budget");
  describe_routes(spec_.build, depth + 1, out);
  describe_operator(out, depth + 1, "Probe", "streamed");
  describe_routes(spec_.probe, depth + 1, out);
  describe_operator(out, depth + 1, "Types", "the merge's columns and the keys' collations");
  describe_routes(std::vector<Query>{spec_.types, spec_.key_collations}, depth + 1, out);
}

}  // namespace tessera::exec::engine
