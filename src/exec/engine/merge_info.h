// What a scatter's merge must do, as the planner describes it (router/planner/select_merge.cc)
// and the engine resolves it once the shards' column count is known (merge_resolve.h): column
// positions, sort and group keys, aggregates, HAVING and computed columns over the planned
// statement's expressions, OFFSET/LIMIT.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exec/aggregate.h"
#include "exec/window.h"
#include "sql/ast/expression.h"

namespace tessera::exec::engine {

using AggregateKind = exec::AggregateKind;

struct AggregateColumn {
  uint32_t column = 0;  // result column the aggregate fills
  AggregateKind kind = AggregateKind::kCount;
  uint32_t sum_column = 0;    // kAvg, variance kinds: SUM(x)
  uint32_t count_column = 0;  // kAvg, variance kinds: COUNT(x)
  uint32_t sumsq_column = 0;  // variance kinds: SUM(x*x)
  // COUNT(DISTINCT a, b, ...): the hidden columns of b, ... (a is argument_column).
  std::vector<uint32_t> more_arguments;
  // DISTINCT kinds and ordered GROUP_CONCAT: the hidden column holding the argument, which
  // shards also group by.
  uint32_t argument_column = 0;
  std::string separator = ",";
};

// Column positions below count from the left of each shard's result, except that hidden
// columns are appended after the client-visible ones; `hidden_columns` says how many there are
// and positions >= kHiddenBase are resolved as (column count - hidden_columns + (p - kHiddenBase))
// at execution time, because `SELECT *` has a column count the planner cannot know.
inline constexpr uint32_t kHiddenBase = 1u << 30;

struct SortKey {
  uint32_t column = 0;
  bool descending = false;
};

// HAVING: the original expression; every aggregate call and column inside it is mapped to a
// result column (by node identity) so the executor can evaluate it on merged rows.
struct HavingInfo {
  const sql::Expr* expr = nullptr;
  std::vector<std::pair<const sql::Expr*, uint32_t>> columns;
};

// A visible column whose value is an expression over aggregates (SUM(b) + COUNT(*)): each
// shard computes it from its partials (giving the column its type), the merge recomputes it
// from the merged aggregates.
struct ComputedColumn {
  uint32_t column = 0;
  HavingInfo value;  // same mapping form as HAVING
  // An expression over window results: computed after the window passes (else before HAVING).
  bool after_windows = false;
};

// Window functions the merge evaluates (exec/window.h), positions as above.
struct WindowFunctionInfo {
  exec::WindowKind kind = exec::WindowKind::kRowNumber;
  uint32_t column = 0;    // the result column (the shard's per-shard value, overwritten)
  uint32_t argument = 0;  // the argument's column
  std::optional<uint32_t> default_column;  // LAG / LEAD's default
  uint64_t n = 1;                          // LAG / LEAD offset, NTILE, NTH_VALUE
  std::optional<exec::WindowFrame> frame;  // nullopt: the default frame
};
// One window specification (PARTITION BY / ORDER BY) and the calls over it: one pass.
struct WindowInfo {
  std::vector<uint32_t> partition;
  std::vector<SortKey> order;
  std::vector<WindowFunctionInfo> functions;
};

struct MergeInfo {
  uint32_t hidden_columns = 0;
  std::vector<SortKey> order_by;     // final order of the client's result
  std::vector<SortKey> shard_order;  // order each shard's stream arrives in (k-way merge keys)
  bool grouped = false;              // GROUP BY or aggregates: combine rows per group
  std::vector<uint32_t> group_by;    // group key columns (empty with aggregates: one group)
  std::vector<AggregateColumn> aggregates;
  // WITH ROLLUP: per group key, the columns holding it (see exec::MergeSpec::rollup).
  std::vector<std::vector<uint32_t>> rollup;
  bool distinct = false;  // SELECT DISTINCT / UNION
  // (column, hidden column holding COLLATION(<its expression>)): see exec::MergeSpec.
  std::vector<std::pair<uint32_t, uint32_t>> collation_columns;
  // (column, hidden column holding its WEIGHT_STRING() when the merge needs it): likewise.
  std::vector<std::pair<uint32_t, uint32_t>> weight_columns;
  // The select list has `*`: its columns have no expression the planner could ask the
  // collation of, so the merge refuses to compare their strings (see exec::MergeSpec).
  bool unnamed_columns = false;
  HavingInfo having;
  std::vector<ComputedColumn> computed;
  std::vector<WindowInfo> windows;  // one pass each, in this order
  uint64_t offset = 0;
  std::optional<uint64_t> limit;
};

}  // namespace tessera::exec::engine
