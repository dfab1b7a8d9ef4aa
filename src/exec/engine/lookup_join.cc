#include "exec/engine/lookup_join.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backend/backend_error.h"
#include "exec/engine/literal_rows.h"
#include "exec/engine/merge_resolve.h"
#include "exec/engine/merged_read.h"
#include "exec/engine/retrying.h"
#include "exec/merge_pipeline.h"
#include "exec/row.h"

namespace tessera::exec::engine {

namespace {

constexpr protocol::ErrorCode kNotSupported{1235, "42000"};

void append_quoted(std::string& out, std::string_view name) {
  out += '`';
  for (char ch : name) {
    if (ch == '`') out += '`';
    out += ch;
  }
  out += '`';
}

// `SET STATEMENT ... FOR WITH `cte`(`a`, `b`[, `row`]) AS (`. MariaDB 10.11 builds a key
// on a materialized CTE's column as wide as its longest value and cuts the probing value to
// it (derived_with_keys), so 'strasse' (7 characters) looked up against 'straße' (6) under
// utf8mb4_unicode_520_ci compared 'strass' and missed a row the same join of two tables
// finds: the statement runs without such keys.
// `staged`: the definitions of earlier stages' CTEs the statement names (materialized_stages.h),
// first in the list.
std::string cte_head(const LookupJoinSpec& spec,
                     const std::vector<protocol::ColumnDefinition>& columns, bool with_row,
                     std::string_view staged) {
  // (Rows typed as a table's columns are as wide as the table's, so keys on them cut nothing,
  // as keys on the table itself: the server may build them, as it does over the table.)
  std::string out = spec.typed_by.empty() || !staged.empty()
                        ? "SET STATEMENT optimizer_switch='derived_with_keys=off' FOR WITH "
                        : "WITH ";
  if (spec.recursive) out += "RECURSIVE ";
  if (!staged.empty()) {
    out += staged;
    out += ", ";
  }
  append_quoted(out, spec.cte);
  out += '(';
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) out += ", ";
    append_quoted(out, i < spec.cte_columns.size() ? std::string_view(spec.cte_columns[i])
                                                   : std::string_view(columns[i].name));
  }
  if (with_row) {
    out += ", ";
    append_quoted(out, spec.row_column);
  }
  out += ") AS (";
  return out;
}

// The CTE's body over driving rows [from, to) (`tuples[i - from]` each "(lit, ...)"); `only`
// picks some.
std::string cte_body(const std::vector<std::string>& tuples, size_t from, size_t to, size_t columns,
                     bool with_row, const std::vector<bool>* only = nullptr,
                     std::string_view typed_by = {}) {
  std::string out;
  bool any = false;
  if (!typed_by.empty() && !with_row) {
    // The table's own types (see LookupJoinSpec::typed_by), with or without rows.
    out = "SELECT * FROM ";
    out += typed_by;
    out += " WHERE 0";
    for (size_t i = from; i < to; ++i) {
      if (only && !(*only)[i - from]) continue;
      out += any ? ", " : " UNION ALL VALUES ";
      any = true;
      out += tuples[i - from];
    }
    out += ") ";
    return out;
  }
  for (size_t i = from; i < to; ++i) {
    if (only && !(*only)[i - from]) continue;
    out += any ? ", " : "VALUES ";
    any = true;
    const std::string& t = tuples[i - from];
    if (with_row) {
      out.append(t, 0, t.size() - 1);
      out += ", ";
      out += std::to_string(i);
      out += ')';
    } else {
      out += t;
    }
  }
  if (!any) {
    // No driving rows: an empty table of the same columns (the statement still answers: its
    // columns, COUNT(*) = 0, ...).
    out = "SELECT ";
    for (size_t i = 0; i < columns + (with_row ? 1 : 0); ++i) out += i ? ", NULL" : "NULL";
    out += " FROM DUAL WHERE 0";
  }
  out += ") ";
  return out;
}

}  // namespace

asio::awaitable<void> LookupJoin::run(Cursor& cursor) const {
  // A named function object: GCC 12 mishandles temporaries inside co_await expressions.
  std::function<asio::awaitable<Attempt>()> attempt = [&]() { return once(cursor); };
  co_await run_streams_retrying(cursor, role_, traits_, attempt);
}

asio::awaitable<Attempt> LookupJoin::once(Cursor& c, bool may_switch,
                                          const GivenRows* given) const {
  Attempt answered;
  const MergeLimits limits = c.merge_limits();
  // The hash join in place of this one (lookup_join.h `hash_join`): from the start, or once the
  // driving rows read pass the threshold or the budget.
  const bool may_hash = may_switch && spec_.hash_join && spec_.stages.empty() &&
                        (spec_.hash_join_first || limits.hash_join_rows >= 0);
  bool switching = may_hash && (spec_.hash_join_first || limits.hash_join_rows == 0);
  if (switching) {
    bool unsupported = false;
    Attempt a = co_await spec_.hash_join->once(c, unsupported);
    if (!unsupported) co_return a;
    co_return co_await once(c, false);
  }
  // One budget for the statement: the driving rows held, and both merges.
  const std::shared_ptr<MemoryBudget> budget = limits.statement_budget();
  std::optional<std::string> failure;

  // ---- the driving rows, each as a literal tuple ----
  std::vector<protocol::ColumnDefinition> client_columns;  // the types query's
  std::vector<protocol::ColumnDefinition> driving;
  size_t driver_columns = 0;  // the driver's, hidden ones included
  std::vector<Row> rows;
  // The driving rows' part of the budget, held as long as they are (through every batch), so
  // the batches' merge has only what is left.
  BudgetShare held(budget);
  // ---- the statement's other subqueries first, each shipped as its own CTE ----
  StageCtes staged;
  std::vector<std::string> driver_texts;  // the driver's queries with the CTEs they name
  std::vector<Query> drivers = spec_.driver;
  if (!given && !spec_.stages.empty()) {
    // (one statement carries them all, and a batch of driving rows in a join's)
    constexpr size_t kStatementBytes = 16u << 20;
    const size_t cap = spec_.single_batch || spec_.batch_bytes >= kStatementBytes
                           ? spec_.batch_bytes
                           : kStatementBytes - spec_.batch_bytes;
    auto ended = co_await run_stages(c, spec_.stages, role_, limits, budget, held, cap, staged);
    if (ended) co_return *ended;
    driver_texts.reserve(drivers.size());
    for (const auto& q : drivers) driver_texts.push_back(staged.apply(q.sql));
    for (size_t i = 0; i < drivers.size(); ++i) drivers[i].sql = driver_texts[i];
  }
  if (given) {
    driving = given->columns;
    driver_columns = driving.size();
    rows = given->rows;
    for (const auto& r : rows) held.charge(r.memory_bytes());
  } else {
    // (with the types query last: it answers no rows)
    std::vector<Query> first = drivers;
    if (spec_.types) first.push_back(*spec_.types);
    Attempt opened = co_await c.open_shards(first, role_);
    if (opened.kind != Attempt::Kind::kAnswered) co_return opened;
  }
  if (!given) try {
      const size_t n = spec_.driver.size();
      std::optional<protocol::ErrPacket> shard_error;
      std::optional<protocol::ErrPacket> retryable;
      std::string retryable_slice;
      for (size_t i = 0; i < n; ++i) {
        std::vector<protocol::ColumnDefinition> cols;
        auto err = co_await c.read_head(i, cols);
        if (err && !shard_error) {
          shard_error = *err;
          shard_error->message += " (on slice " + spec_.driver[i].target.slice + ")";
          if (is_retryable_rejection(err->code)) {
            retryable = *err;
            retryable_slice = spec_.driver[i].target.slice;
          }
        }
        if (!err && i == 0) driving = std::move(cols);
        if (!err && i > 0 && !shard_error && cols.size() != driving.size())
          shard_error = protocol::ErrPacket(protocol::errc::kUnknownError,
                                            "shards returned different column counts; are the "
                                            "physical tables' definitions the same on every "
                                            "slice?");
      }
      if (spec_.types && !shard_error) {
        auto err = co_await c.read_head(n, client_columns);
        if (err) {
          shard_error = *err;
          shard_error->message += " (on slice " + spec_.types->target.slice + ")";
        } else {
          std::string payload;
          for (;;) {
            ShardEvent ev = co_await c.read_row(n, payload);
            if (ev.kind == ShardEvent::Kind::kRow) continue;
            if (ev.kind == ShardEvent::Kind::kError) shard_error = ev.error;
            break;
          }
        }
      }
      // The driving rows come through a merge pipeline: a table's sub-tables concatenated, or a
      // materialized subquery's shards merged as its scatter would merge them.
      std::unique_ptr<MergePipeline> pipeline;
      if (!shard_error) {
        auto made = open_merge(spec_.driver_merge, driving, n, limits, budget);
        if (!made) {
          shard_error = protocol::ErrPacket(made.error().code, made.error().message);
        } else {
          pipeline = std::move(*made);
          driver_columns = driving.size();
          driving = pipeline->visible_columns();
        }
      }
      if (shard_error)
        co_return co_await answer_head_error(c, *shard_error, retryable, retryable_slice);
      std::optional<protocol::ErrPacket> error;
      size_t shipped = 0;
      MergedRead read;
      std::vector<bool> ended(n, false);
      Row row;
      for (;;) {
        auto polled = pipeline->next(row);
        if (!polled) {
          read.merge_error = polled.error();
          break;
        }
        if (*polled == MergePipeline::Poll::kDone) break;
        if (*polled == MergePipeline::Poll::kRow) {
          held.charge(row.memory_bytes());
          shipped += 2 * row.payload().size() + 48 * row.size();  // as literals, about
          rows.push_back(std::move(row));
          row = Row();
          if (may_hash &&
              (rows.size() > static_cast<uint64_t>(limits.hash_join_rows) || held.over())) {
            // Large enough that reading the other side whole and joining here beats shipping
            // these rows into it batch by batch (and they need not fit the budget).
            switching = true;
            break;
          }
          if (spec_.single_batch && shipped + staged.bytes > spec_.batch_bytes) {
            // One statement must hold them all: stop reading now rather than at the end.
            error = protocol::ErrPacket(
                kNotSupported,
                "the rows a cross-shard statement would ship to one server exceed "
                "one statement (" +
                    std::to_string(spec_.batch_bytes) + " bytes); narrow it with WHERE");
            break;
          }
          if (held.over()) {
            // They are shipped to the servers in batches afterwards, so they are held, not spilled.
            MergeError over =
                held_rows_over_budget(*budget, "the driving rows of a cross-shard join",
                                      "narrow the driving table with WHERE");
            error = protocol::ErrPacket(over.code, over.message);
            break;
          }
          continue;
        }
        if (!co_await read.feed(c, *pipeline, spec_.driver, 0, ended)) break;
      }
      if (!error && read.row_error) error = read.row_error;
      if (!error && read.merge_error)
        error = protocol::ErrPacket(read.merge_error->code, read.merge_error->message);
      if (error || switching) c.stop_shards();
      co_await c.drain_shards();
      co_await c.close_shards(/*failed=*/false);
      if (switching) {
        rows.clear();
        rows.shrink_to_fit();
        held.release_all();
      }
      if (error) {
        if (auto limit = c.limit_error()) error = *limit;
        co_await c.reply_error(*error);
        co_return answered;
      }
    } catch (const std::exception& e) {
      failure = backend::failure_text(e);
    }
  if (failure) co_return co_await shard_failure(c, *failure, "a join's driving read");
  if (switching) {
    bool unsupported = false;
    Attempt a = co_await spec_.hash_join->once(c, unsupported);
    if (!unsupported) co_return a;
    co_return co_await once(c, false);
  }

  // ---- each column's collation, where its definition's id may stand for another ----
  std::vector<std::string> collations(driving.size());
  bool ask = false;
  for (const auto& col : driving) ask |= collation_id_ambiguous(col.charset);
  if (ask) {
    std::string sql;
    if (spec_.driver_table.empty()) {
      // A subquery's result: its text as a CTE whose columns are named by position.
      sql = staged.apply(subquery_collations_sql(drivers[0].sql, driver_columns, driving.size()));
    } else {
      sql = "SELECT ";
      for (size_t k = 0; k < driving.size(); ++k) {
        if (k) sql += ", ";
        sql += "COLLATION(";
        append_quoted(sql, spec_.qualifier);
        sql += '.';
        append_quoted(sql, driving[k].name);
        sql += ')';
      }
      // One row whatever the table holds: its columns NULL-extended.
      sql += " FROM (SELECT 1) AS `__tj_one` LEFT JOIN " + spec_.driver_table + " AS ";
      append_quoted(sql, spec_.qualifier);
      sql += " ON 0";
    }
    auto ended =
        co_await ask_collations(c, role_, spec_.driver[0], std::move(sql), driving, collations);
    if (ended) co_return *ended;
  }
  // Every driving row as a literal tuple "(v1, v2, ...)": checked once for every column.
  {
    std::string why, probe;
    for (size_t k = 0; k < driving.size(); ++k) {
      probe.clear();
      if (!append_cell_literal(probe, std::string_view("x"), driving[k], collations[k], why)) {
        co_await c.reply_error(
            protocol::ErrPacket(kNotSupported, "a cross-shard join shipping " + why + " (column " +
                                                   driving[k].name + ") is not supported"));
        co_return answered;
      }
    }
  }
  auto tuple_of = [&](const Row& row) {
    std::string out = "(", why;
    for (size_t k = 0; k < driving.size(); ++k) {
      if (k) out += ", ";
      append_cell_literal(out, row.get(k), driving[k], collations[k], why);
    }
    out += ')';
    return out;
  };

  // ---- batches: the statement over the other tables, once per batch of driving rows ----
  std::vector<std::pair<size_t, size_t>> batches;
  for (size_t i = 0; i < rows.size();) {
    size_t j = i, bytes = 0;
    // A literal is about twice its cell (hex) plus its introducer and collation.
    auto estimate = [&](const Row& r) { return 2 * r.payload().size() + 48 * driving.size(); };
    while (j < rows.size() && j - i < spec_.batch_rows &&
           (j == i || bytes + estimate(rows[j]) <= spec_.batch_bytes)) {
      bytes += estimate(rows[j]);
      ++j;
    }
    batches.emplace_back(i, j);
    i = j;
  }
  if (batches.empty()) batches.emplace_back(0, 0);
  if (spec_.single_batch && batches.size() > 1) {
    // A subquery's result is one set: halves of it would answer `IN`, `NOT IN` and scalar
    // subqueries differently.
    co_await c.reply_error(protocol::ErrPacket(
        kNotSupported, "the " + std::to_string(rows.size()) +
                           " rows a cross-shard statement would ship to one server exceed one "
                           "statement (" +
                           std::to_string(spec_.batch_bytes) + " bytes); narrow it with WHERE"));
    co_return answered;
  }
  const bool outer = !spec_.probes.empty() && !spec_.complement.empty();
  const size_t parts_per_batch = spec_.inner.size() + (outer ? 1 : 0);
  const size_t total_parts = batches.size() * parts_per_batch;
  std::string staged_list;  // the earlier stages' CTEs the statement names
  if (!staged.names.empty()) {
    std::string named;
    for (const auto* part : {&spec_.inner, &spec_.probes, &spec_.complement})
      for (const auto& q : *part) named += q.sql;
    staged_list = staged.named_in(named);
  }
  const std::string head = cte_head(spec_, driving, false, staged_list);
  const std::string head_row = outer ? cte_head(spec_, driving, true, staged_list) : std::string();

  std::unique_ptr<MergePipeline> pipeline;
  MergedRead read;
  std::optional<MergeError>& merge_error = read.merge_error;
  std::optional<protocol::ErrPacket>& row_error = read.row_error;
  size_t total_columns = 0;
  size_t next_part = 0;
  bool begun = false;     // the client has the result's columns
  bool open = false;      // a group of streams is open (closed before the next opens)
  bool finished = false;  // the pipeline is done (LIMIT reached)
  std::vector<std::string> texts;
  std::vector<Query> queries;
  Row row;
  try {
    for (size_t b = 0; b < batches.size() && !finished && !merge_error && !row_error; ++b) {
      const auto [from, to] = batches[b];
      const bool empty = from == to;
      const bool probing = outer && !empty;
      // Two rounds for an outer join: the probes with the inner join, then the rows no target
      // matched on one target.
      std::vector<bool> matched(to - from, false);
      std::vector<std::string> tuples;
      for (size_t i = from; i < to; ++i) tuples.push_back(tuple_of(rows[i]));
      for (int round = 0; round < (probing ? 2 : 1) && !finished && !merge_error && !row_error;
           ++round) {
        texts.clear();
        queries.clear();
        size_t probe_count = 0;
        if (round == 0) {
          if (probing) {
            const std::string body = cte_body(tuples, from, to, driving.size(), true);
            for (const auto& p : spec_.probes)
              texts.push_back(head_row + body + std::string(p.sql));
            probe_count = spec_.probes.size();
          }
          const std::string body =
              cte_body(tuples, from, to, driving.size(), false, nullptr, spec_.typed_by);
          // No driving rows: a join answers empty (one target gives the columns, COUNT(*) = 0);
          // a subquery's empty result still answers on every target (NOT IN, NOT EXISTS).
          const size_t targets = empty && !spec_.single_batch ? 1 : spec_.inner.size();
          for (size_t t = 0; t < targets; ++t)
            texts.push_back(head + body + std::string(spec_.inner[t].sql));
        } else {
          std::vector<bool> unmatched(matched.size());
          bool any = false;
          for (size_t k = 0; k < matched.size(); ++k) any |= (unmatched[k] = !matched[k]);
          if (!any) break;
          texts.push_back(head + cte_body(tuples, from, to, driving.size(), false, &unmatched) +
                          std::string(spec_.complement[0].sql));
        }
        for (size_t t = 0; t < texts.size(); ++t) {
          Query q = round == 1        ? spec_.complement[0]
                    : t < probe_count ? spec_.probes[t]
                                      : spec_.inner[t - probe_count];
          q.sql = texts[t];
          q.after = -1;
          queries.push_back(q);
        }
        if (open) {
          co_await c.drain_shards();
          co_await c.close_shards(/*failed=*/false);
          open = false;
        }
        Attempt opened = co_await c.open_shards(queries, role_);
        if (opened.kind != Attempt::Kind::kAnswered) {
          if (!begun) co_return opened;
          // Rows went out already: nothing can be run again.
          if (opened.kind == Attempt::Kind::kLost)
            c.abort_client("a cross-shard join lost a backend mid-result: " + opened.failure);
          Attempt failed;
          failed.kind = Attempt::Kind::kFailed;
          co_return failed;
        }
        open = true;
        // Heads: the first error (before any row reached the client it may be retried).
        std::vector<std::vector<protocol::ColumnDefinition>> columns(queries.size());
        std::optional<protocol::ErrPacket> shard_error;
        std::optional<protocol::ErrPacket> retryable;
        std::string retryable_slice;
        for (size_t i = 0; i < queries.size(); ++i) {
          auto err = co_await c.read_head(i, columns[i]);
          if (err && !shard_error) {
            shard_error = *err;
            shard_error->message += " (on slice " + queries[i].target.slice + ")";
            if (is_retryable_rejection(err->code)) {
              retryable = *err;
              retryable_slice = queries[i].target.slice;
            }
          }
        }
        if (!shard_error && !pipeline) {
          total_columns = columns[probe_count].size();
          auto spec = resolve_merge(spec_.merge, total_columns, limits, budget);
          if (!spec) {
            shard_error = protocol::ErrPacket(spec.error().code, spec.error().message);
          } else {
            auto made = MergePipeline::create(std::move(*spec), columns[probe_count], total_parts);
            if (!made) {
              shard_error = protocol::ErrPacket(made.error().code, made.error().message);
            } else {
              pipeline = std::move(*made);
            }
          }
        }
        for (size_t i = probe_count; i < queries.size() && !shard_error; ++i) {
          if (columns[i].size() != total_columns)
            shard_error = protocol::ErrPacket(protocol::errc::kUnknownError,
                                              "shards returned different column counts for a "
                                              "cross-shard join's statement");
        }
        if (shard_error) {
          if (!begun) {
            open = false;
            co_return co_await answer_head_error(c, *shard_error, retryable, retryable_slice);
          }
          row_error = *shard_error;
          break;
        }
        if (!begun) {
          // The tables' own types where the types query gave as many columns.
          auto visible = pipeline->visible_columns();
          c.begin_result(client_columns.size() == visible.size() ? client_columns : visible);
          begun = true;
        }
        // Probes: the driving rows some target matches.
        std::string payload;
        for (size_t i = 0; i < probe_count && !row_error; ++i) {
          for (;;) {
            ShardEvent ev = co_await c.read_row(i, payload);
            if (ev.kind == ShardEvent::Kind::kEnd) break;
            if (ev.kind == ShardEvent::Kind::kError) {
              row_error = ev.error;
              row_error->message += " (on slice " + queries[i].target.slice + ")";
              break;
            }
            auto r = Row::from_text_payload(std::move(payload), 1);
            payload = std::string();
            if (!r || r->is_null(0)) continue;
            const size_t at = std::strtoull(std::string(r->cell(0)).c_str(), nullptr, 10);
            if (at >= from && at < to) matched[at - from] = true;
          }
        }
        // The statement's results: one pipeline part each.
        for (size_t i = probe_count; i < queries.size() && !row_error && !merge_error; ++i) {
          const size_t part = next_part++;
          bool ended = false;
          while (!ended && !finished) {
            auto polled = pipeline->next(row);
            if (!polled) {
              merge_error = polled.error();
              break;
            }
            if (*polled == MergePipeline::Poll::kRow) {
              std::string why;
              if (!c.send_row(row.payload(), why)) {
                merge_error =
                    MergeError{protocol::errc::kUnknownError,
                               "cannot encode a merged row for the binary protocol: " + why};
                break;
              }
              if (c.output_full()) co_await c.flush_rows();
              continue;
            }
            if (*polled == MergePipeline::Poll::kDone) {
              finished = true;
              break;
            }
            ShardEvent ev = co_await c.read_row(i, payload);
            Status st;
            if (ev.kind == ShardEvent::Kind::kError) {
              row_error = std::move(ev.error);
              row_error->message += " (on slice " + queries[i].target.slice + ")";
              break;
            }
            if (ev.kind == ShardEvent::Kind::kEnd) {
              ended = true;
              read.warnings = static_cast<uint16_t>(read.warnings + ev.warnings);
              st = pipeline->finish(part);
            } else {
              st = pipeline->offer_payload(part, std::move(payload));
              payload = std::string();
            }
            if (!st.ok()) merge_error = st.error();
          }
        }
      }
      // Parts of this batch nothing ran for (an empty batch, no unmatched rows).
      while (!finished && !merge_error && !row_error && next_part < (b + 1) * parts_per_batch) {
        Status st = pipeline->finish(next_part++);
        if (!st.ok()) merge_error = st.error();
      }
    }
    // What the merge holds back until every part ended (a sort, groups).
    while (pipeline && !finished && !merge_error && !row_error) {
      auto polled = pipeline->next(row);
      if (!polled) {
        merge_error = polled.error();
        break;
      }
      if (*polled != MergePipeline::Poll::kRow) break;
      std::string why;
      if (!c.send_row(row.payload(), why)) {
        merge_error = MergeError{protocol::errc::kUnknownError,
                                 "cannot encode a merged row for the binary protocol: " + why};
        break;
      }
      if (c.output_full()) co_await c.flush_rows();
    }
    std::optional<protocol::ErrPacket> error = row_error;
    if (!error && merge_error) error = protocol::ErrPacket(merge_error->code, merge_error->message);
    co_await end_merged_result(c, error, read.warnings);
  } catch (const std::exception& e) {
    failure = backend::failure_text(e);
  }
  if (!failure) co_return answered;
  co_return co_await shard_failure(c, *failure, "a cross-shard join");
}

void LookupJoin::describe(std::vector<PlanLine>& out, int depth) const {
  std::string head = spec_.single_batch
                         ? "a subquery's whole result as `" + spec_.cte + "`"
                         : "driving rows in batches of " + std::to_string(spec_.batch_rows) +
                               " as `" + spec_.cte + "`";
  if (!spec_.probes.empty()) head += ", outer join probed on every target";
  describe_operator(out, depth, spec_.single_batch ? "Materialize" : "LookupJoin", std::move(head));
  for (const auto& stage : spec_.stages) {
    describe_operator(out, depth + 1, "Stage",
                      "a subquery's whole result as `" + stage.cte + "`, merged, run first");
    describe_routes(stage.queries, depth + 1, out);
  }
  describe_operator(out, depth + 1, "Driver",
                    spec_.single_batch ? "merged" : "every column, concatenated");
  describe_routes(spec_.driver, depth + 1, out);
  if (!spec_.probes.empty()) {
    describe_operator(out, depth + 1, "Probe", "matched driving rows, per batch");
    describe_routes(spec_.probes, depth + 1, out);
    describe_operator(out, depth + 1, "Unmatched",
                      "driving rows no target matched, NULL-extended on one");
    describe_routes(spec_.complement, depth + 1, out);
  }
  describe_operator(
      out, depth + 1, "Lookup",
      spec_.probes.empty() ? "per batch, merge" : "per batch, as an inner join, merge");
  describe_routes(spec_.inner, depth + 1, out);
  // The alternative it switches to (hash_join_read.h), with both sides' reads.
  if (spec_.hash_join) spec_.hash_join->describe(out, depth + 1);
}

}  // namespace tessera::exec::engine
