#include "exec/engine/materialized_stages.h"

#include <string>
#include <utility>
#include <vector>

#include "backend/backend_error.h"
#include "exec/engine/literal_rows.h"
#include "exec/engine/merge_resolve.h"
#include "exec/engine/merged_read.h"
#include "exec/engine/retry_policy.h"
#include "exec/merge_pipeline.h"
#include "exec/row.h"

namespace tessera::exec::engine {

namespace {

constexpr protocol::ErrorCode kNotSupported{1235, "42000"};
constexpr std::string_view kSetStatement = "SET STATEMENT ";
constexpr std::string_view kNoKeys = "optimizer_switch='derived_with_keys=off'";

void append_quoted(std::string& out, std::string_view name) {
  out += '`';
  for (char ch : name) {
    if (ch == '`') out += '`';
    out += ch;
  }
  out += '`';
}

std::string too_big(size_t bytes) {
  return "the rows a cross-shard statement would ship to one server exceed one statement (" +
         std::to_string(bytes) + " bytes); narrow it with WHERE";
}

}  // namespace

std::string StageCtes::named_in(std::string_view text) const {
  std::string list, quoted;
  for (size_t i = 0; i < names.size(); ++i) {
    quoted.clear();
    append_quoted(quoted, names[i]);
    if (text.find(quoted) == std::string_view::npos) continue;
    if (!list.empty()) list += ", ";
    list += definitions[i];
  }
  return list;
}

std::string StageCtes::apply(std::string_view sql) const {
  const std::string list = named_in(sql);
  if (list.empty()) return std::string(sql);
  std::string out(kSetStatement);
  if (sql.substr(0, kSetStatement.size()) == kSetStatement) {
    // (the prefixes Tessera writes itself: their values hold no " FOR ")
    const size_t for_at = sql.find(" FOR ");
    if (for_at == std::string_view::npos) return std::string(sql);
    std::string_view settings = sql.substr(kSetStatement.size(), for_at - kSetStatement.size());
    out += settings;
    if (settings.find("derived_with_keys") == std::string_view::npos) {
      out += ", ";
      out += kNoKeys;
    }
    sql.remove_prefix(for_at + 5);
  } else {
    out += kNoKeys;
  }
  out += " FOR WITH ";
  for (std::string_view with : {std::string_view("WITH RECURSIVE "), std::string_view("WITH ")}) {
    if (sql.substr(0, with.size()) != with) continue;
    // Its own WITH list continues after the shipped CTEs (theirs are literals: they name
    // nothing of it).
    if (with.size() > 5) out.insert(out.size() - 1, " RECURSIVE");
    sql.remove_prefix(with.size());
    out += list;
    out += ", ";
    out += sql;
    return out;
  }
  out += list;
  out += ' ';
  out += sql;
  return out;
}

std::string subquery_collations_sql(std::string_view text, size_t columns, size_t visible) {
  constexpr std::string_view kPrefix = "SET STATEMENT character_set_results=NULL FOR ";
  if (text.substr(0, kPrefix.size()) == kPrefix) text.remove_prefix(kPrefix.size());
  std::string names;
  for (size_t k = 0; k < columns; ++k) {
    if (k) names += ", ";
    names += "`__c" + std::to_string(k) + "`";
  }
  std::string sql = "SELECT ";
  for (size_t k = 0; k < visible; ++k)
    sql += (k ? ", COLLATION(`z`.`__c" : "COLLATION(`z`.`__c") + std::to_string(k) + "`)";
  return "WITH `__tjc`(" + names + ") AS (" + std::string(text) + ") " + sql +
         " FROM (SELECT 1) AS `__tj_one` LEFT JOIN (SELECT * FROM `__tjc` LIMIT 0) AS `z` ON 0";
}

asio::awaitable<std::optional<Attempt>> ask_collations(
    Cursor& c, Role role, const Query& at, std::string sql,
    const std::vector<protocol::ColumnDefinition>& driving, std::vector<std::string>& collations) {
  Attempt answered;
  std::vector<Query> one{at};
  one[0].sql = sql;
  one[0].after = -1;
  {
    Attempt opened = co_await c.open_shards(one, role);
    if (opened.kind != Attempt::Kind::kAnswered) co_return opened;
  }
  std::optional<std::string> failure;
  try {
    WholeRead read;
    std::optional<protocol::ErrPacket> error = co_await read_whole(c, 1, read);
    if (error) {
      co_await c.reply_error(*error);
      co_return answered;
    }
    // (one row: the first)
    if (!read.rows[0].empty() && read.rows[0][0].size() == driving.size()) {
      const Row& row = read.rows[0][0];
      for (size_t k = 0; k < driving.size(); ++k) {
        if (collation_id_ambiguous(driving[k].charset) && !row.is_null(k))
          collations[k] = std::string(row.cell(k));
      }
    }
  } catch (const std::exception& e) {
    failure = backend::failure_text(e);
  }
  if (failure) co_return co_await shard_failure(c, *failure, "a join's driving read");
  co_return std::nullopt;
}

namespace {

// One stage: its rows read and merged, written as the CTE's definition into `out`.
asio::awaitable<std::optional<Attempt>> run_stage(Cursor& c, const MaterializedStage& stage,
                                                  Role role, const MergeLimits& limits,
                                                  const std::shared_ptr<MemoryBudget>& budget,
                                                  BudgetShare& held, size_t max_bytes,
                                                  StageCtes& out) {
  Attempt answered;
  // (the texts first, then the views on them: Query::sql does not own its text)
  std::vector<std::string> texts;
  texts.reserve(stage.queries.size());
  for (const auto& q : stage.queries) texts.push_back(out.apply(q.sql));
  std::vector<Query> queries = stage.queries;
  for (size_t i = 0; i < queries.size(); ++i) {
    queries[i].sql = texts[i];
    queries[i].after = -1;
  }
  {
    Attempt opened = co_await c.open_shards(queries, role);
    if (opened.kind != Attempt::Kind::kAnswered) co_return opened;
  }
  const size_t n = queries.size();
  std::vector<protocol::ColumnDefinition> columns;
  size_t all_columns = 0;  // hidden ones included
  std::vector<Row> rows;
  size_t shipped = out.bytes;
  std::optional<std::string> failure;
  try {
    std::optional<protocol::ErrPacket> shard_error, retryable;
    std::string retryable_slice;
    for (size_t i = 0; i < n; ++i) {
      std::vector<protocol::ColumnDefinition> cols;
      auto err = co_await c.read_head(i, cols);
      if (err && !shard_error) {
        shard_error = *err;
        shard_error->message += " (on slice " + queries[i].target.slice + ")";
        if (is_retryable_rejection(err->code)) {
          retryable = *err;
          retryable_slice = queries[i].target.slice;
        }
      }
      if (!err && i == 0) columns = std::move(cols);
      if (!err && i > 0 && !shard_error && cols.size() != columns.size())
        shard_error = protocol::ErrPacket(protocol::errc::kUnknownError,
                                          "shards returned different column counts; are the "
                                          "physical tables' definitions the same on every "
                                          "slice?");
    }
    std::unique_ptr<MergePipeline> pipeline;
    if (!shard_error) {
      auto made = open_merge(stage.merge, columns, n, limits, budget);
      if (!made) {
        shard_error = protocol::ErrPacket(made.error().code, made.error().message);
      } else {
        pipeline = std::move(*made);
        all_columns = columns.size();
        columns = pipeline->visible_columns();
      }
    }
    if (shard_error)
      co_return co_await answer_head_error(c, *shard_error, retryable, retryable_slice);
    std::optional<protocol::ErrPacket> error;
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
        if (shipped > max_bytes) {
          error = protocol::ErrPacket(kNotSupported, too_big(max_bytes));
          break;
        }
        if (held.over()) {
          MergeError over = held_rows_over_budget(*budget, "the rows of a cross-shard subquery",
                                                  "narrow it with WHERE");
          error = protocol::ErrPacket(over.code, over.message);
          break;
        }
        continue;
      }
      if (!co_await read.feed(c, *pipeline, queries, 0, ended)) break;
    }
    if (!error && read.row_error) error = read.row_error;
    if (!error && read.merge_error)
      error = protocol::ErrPacket(read.merge_error->code, read.merge_error->message);
    if (error) c.stop_shards();
    co_await c.drain_shards();
    co_await c.close_shards(/*failed=*/false);
    if (error) {
      if (auto limit = c.limit_error()) error = *limit;
      co_await c.reply_error(*error);
      co_return answered;
    }
  } catch (const std::exception& e) {
    failure = backend::failure_text(e);
  }
  if (failure) co_return co_await shard_failure(c, *failure, "a cross-shard subquery's read");

  // Each column's collation, where its definition's id may stand for another.
  std::vector<std::string> collations(columns.size());
  bool ask = false;
  for (const auto& col : columns) ask |= collation_id_ambiguous(col.charset);
  if (ask) {
    std::string sql =
        out.apply(subquery_collations_sql(stage.queries[0].sql, all_columns, columns.size()));
    auto ended =
        co_await ask_collations(c, role, stage.queries[0], std::move(sql), columns, collations);
    if (ended) co_return ended;
  }
  std::string definition;
  append_quoted(definition, stage.cte);
  definition += '(';
  for (size_t k = 0; k < columns.size(); ++k) {
    if (k) definition += ", ";
    append_quoted(definition, k < stage.cte_columns.size() ? std::string_view(stage.cte_columns[k])
                                                           : std::string_view(columns[k].name));
  }
  definition += ") AS (";
  std::string why;
  for (size_t k = 0; k < columns.size(); ++k) {
    std::string probe;
    if (!append_cell_literal(probe, std::string_view("x"), columns[k], collations[k], why)) {
      co_await c.reply_error(protocol::ErrPacket(
          kNotSupported, "a cross-shard subquery shipping " + why + " (column " + columns[k].name +
                             ") is not supported"));
      co_return answered;
    }
  }
  if (rows.empty()) {
    // An empty set of the same columns (NOT IN, NOT EXISTS and COUNT still answer over it).
    definition += "SELECT ";
    for (size_t k = 0; k < columns.size(); ++k) definition += k ? ", NULL" : "NULL";
    definition += " FROM DUAL WHERE 0";
  } else {
    definition += "VALUES ";
    for (size_t i = 0; i < rows.size(); ++i) {
      definition += i ? ", (" : "(";
      for (size_t k = 0; k < columns.size(); ++k) {
        if (k) definition += ", ";
        append_cell_literal(definition, rows[i].get(k), columns[k], collations[k], why);
      }
      definition += ')';
    }
  }
  definition += ')';
  if (out.bytes + definition.size() > max_bytes) {
    co_await c.reply_error(protocol::ErrPacket(kNotSupported, too_big(max_bytes)));
    co_return answered;
  }
  out.bytes += definition.size();
  out.names.push_back(stage.cte);
  out.definitions.push_back(std::move(definition));
  co_return std::nullopt;
}

}  // namespace

asio::awaitable<std::optional<Attempt>> run_stages(Cursor& c,
                                                   const std::vector<MaterializedStage>& stages,
                                                   Role role, const MergeLimits& limits,
                                                   const std::shared_ptr<MemoryBudget>& budget,
                                                   BudgetShare& held, size_t max_bytes,
                                                   StageCtes& out) {
  for (const auto& stage : stages) {
    auto ended = co_await run_stage(c, stage, role, limits, budget, held, max_bytes, out);
    if (ended) co_return ended;
  }
  co_return std::nullopt;
}

}  // namespace tessera::exec::engine
