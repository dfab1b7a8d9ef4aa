// What the planner tells the merge about one scatter-gather SELECT. Every shard runs the
// rewritten statement and returns the same columns: first the client-visible ones, then
// `hidden_columns` extra ones the planner added (AVG's SUM and COUNT, ORDER BY expressions not
// selected, DISTINCT aggregate arguments). Column indexes below count from the left of that
// shard result and must already be resolved (no "hidden base" placeholders).
//
// The merge runs, in MySQL's order:
//   combine shard streams   k-way merge by `shard_order`, or concatenation when it is empty
//   GROUP BY / aggregates   when `grouped`; streaming when `shard_order` starts with every
//                           `group_by` column (any direction), hashing otherwise
//   computed columns        `computed`, over the merged aggregates
//   HAVING                  `having`, on the merged group rows
//   window functions        `windows` (window.h), one pass per window specification: every
//                           row sorted by its PARTITION BY / ORDER BY, result columns
//                           overwritten; the next pass sorts the rows again, carrying the
//                           results of the passes before it; then `window_computed`
//   DISTINCT                on the visible columns
//   ORDER BY                `order_by`; skipped when the stream already arrives in that order
//                           (order_by is a prefix of shard_order, or of its group-key prefix
//                           when grouped), else a sort keeping offset+limit rows (in memory,
//                           spilling sorted runs to disk beyond the budget)
//   OFFSET / LIMIT          then the hidden columns are dropped
//
// So for a plain `ORDER BY ... LIMIT`, set shard_order = order_by (and send ORDER BY and
// LIMIT offset+count to each shard): the merge then holds one row per shard and stops as soon
// as LIMIT rows are out, whatever the table size.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "exec/aggregate.h"
#include "exec/memory_budget.h"
#include "exec/scalar_expr.h"
#include "exec/sort_key.h"
#include "exec/window.h"

namespace tessera::exec {

struct MergeSpec {
  size_t hidden_columns = 0;
  // How each shard's rows are sorted (the ORDER BY sent to the shards). Empty: unordered.
  std::vector<SortKey> shard_order;
  // The client's ORDER BY over the merged rows.
  std::vector<SortKey> order_by;

  // GROUP BY or aggregate functions present. With `group_by` empty: one group, one output row
  // even when no shard returns a row.
  bool grouped = false;
  std::vector<size_t> group_by;
  // Aggregate result columns; see aggregate.h for the input shape each kind expects.
  std::vector<AggregateSpec> aggregates;
  // GROUP BY ... WITH ROLLUP: for each group key, the columns holding it (the key and any hidden
  // copy or weight of it), NULL in the super-aggregate rows (group_merge.h). Empty: no ROLLUP.
  // Only a streaming GROUP BY can roll up; otherwise the merge refuses (1235).
  std::vector<std::vector<size_t>> rollup;

  // Window functions evaluated over the combined (grouped, filtered) rows: one pass per
  // distinct PARTITION BY / ORDER BY, each sorting every row with the budget.
  std::vector<WindowSpec> windows;

  std::optional<ScalarExpr> having;
  // Columns whose value is an expression over the merged aggregates (SUM(b) + COUNT(*)):
  // recomputed on every group row before HAVING.
  std::vector<std::pair<size_t, ScalarExpr>> computed;
  // Columns whose value is an expression over window results (SUM(a) OVER w / COUNT(*) OVER w,
  // SUM(x) - LAG(SUM(x)) OVER w): computed on every row after the window passes.
  std::vector<std::pair<size_t, ScalarExpr>> window_computed;
  bool distinct = false;  // SELECT DISTINCT (also UNION's de-duplication)

  // (column, hidden column holding COLLATION(<that column's expression>)): the collation the
  // server orders and groups the column by. The result metadata cannot say (it carries the
  // result charset's default collation), so the name is read from the first row any shard
  // returns. Columns not listed use the metadata's collation id.
  // The hidden column reads "<collation name> <HEX(WEIGHT_STRING(' ')) in it>".
  std::vector<std::pair<size_t, size_t>> collation_columns;
  // (column, hidden column holding its WEIGHT_STRING(), or NULL where the shard judged the
  // merge's own tables exact: see Collation::native_names()). When the merge cannot compare
  // the column's cells exactly itself, every comparison of the column (ORDER BY, GROUP BY,
  // DISTINCT, MIN/MAX, DISTINCT aggregates) compares these weights instead; the values the
  // client sees are still the column's own.
  std::vector<std::pair<size_t, size_t>> weight_columns;
  // Visible columns came from `*` (SELECT DISTINCT *, ORDER BY 2 over `*`): a string column the
  // merge would compare without a collation column above is refused (1235) rather than
  // compared by a guessed collation.
  bool unnamed_columns = false;

  uint64_t offset = 0;
  std::optional<uint64_t> limit;

  // max_sql_result_size: more rows sent to the client, or held by a hash GROUP BY, DISTINCT
  // or sort, is an error, never a silent truncation. 0: no limit.
  uint64_t max_result_rows = 0;
  // The statement's memory budget for the rows the sort, hashing GROUP BY and DISTINCT hold,
  // and where they spill beyond it (memory_budget.h). Null: no limit.
  std::shared_ptr<MemoryBudget> budget;
  // The session's group_concat_max_len.
  size_t group_concat_max_len = 1024;
};

}  // namespace tessera::exec
