// What one statement becomes once the namespace's shard rules have been applied: the queries to
// send (slice, physical db, rewritten SQL) and how to combine their results. EXPLAIN prints
// exactly this.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/error_codes.h"
#include "sql/ast/expression.h"

namespace tessera::router {

struct ShardQuery {
  std::string slice;
  std::string db;  // physical database the statement runs in (empty: the session's database)
  std::string sql;
  int index = -1;  // sub-table index; -1 for unsharded and global tables
};

enum class PlanKind : uint8_t {
  kDefaultSlice,  // touches no rule: send the client's statement unchanged to the default slice
  kRoute,         // run `queries` and combine their results as `result` says
  kError,         // answer with `error`
  kExplain,       // answer locally: one row per query of `explained`
  kLocalResult,   // answer locally with `local_rows` (SHOW TABLES with logical names...)
};

enum class ResultMode : uint8_t {
  kRelay,        // one query: relay its response as it is
  kMerge,        // several result sets: combine per MergeInfo
  kSumAffected,  // several writes: one OK whose affected rows is the sum
  kShowTables,   // SHOW [FULL] TABLES on the default slice, physical names mapped to logical
};

enum class AggregateKind : uint8_t {
  kCount,
  kSum,
  kMin,
  kMax,
  kAvg,            // from hidden SUM and COUNT columns; printed with the AVG column's decimals
  kGroupConcat,    // partial strings joined with `separator`, in arrival order
  kCountDistinct,  // distinct non-NULL values of the hidden `argument_column`
  kSumDistinct,
  kAvgDistinct,
  kGroupConcatDistinct,
};

struct AggregateColumn {
  uint32_t column = 0;  // result column the aggregate fills
  AggregateKind kind = AggregateKind::kCount;
  uint32_t sum_column = 0;    // kAvg
  uint32_t count_column = 0;  // kAvg
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
};

struct MergeInfo {
  uint32_t hidden_columns = 0;
  std::vector<SortKey> order_by;     // final order of the client's result
  std::vector<SortKey> shard_order;  // order each shard's stream arrives in (k-way merge keys)
  bool grouped = false;              // GROUP BY or aggregates: combine rows per group
  std::vector<uint32_t> group_by;    // group key columns (empty with aggregates: one group)
  std::vector<AggregateColumn> aggregates;
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
  uint64_t offset = 0;
  std::optional<uint64_t> limit;
};

// Error codes are the header-only constants of protocol/error_codes.h; the router builds no
// packets itself.
struct PlanError {
  protocol::ErrorCode code = protocol::errc::kUnknownError;
  std::string message;
};

struct LocalRows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

struct Plan {
  PlanKind kind = PlanKind::kDefaultSlice;
  ResultMode result = ResultMode::kRelay;
  std::vector<ShardQuery> queries;
  MergeInfo merge;
  bool is_write = false;
  // Every query writes a copy of the same rows (global-table writes, CREATE/DROP DATABASE on
  // every slice): one copy's affected rows is what a single server would report, and the
  // namespace's `global_write_affected_rows` decides between that and the sum.
  bool writes_copies = false;
  // INSERT into a table whose ids come from a global sequence: the id handed out, for
  // LAST_INSERT_ID().
  uint64_t generated_id = 0;
  // kError because a global sequence's segment is empty: "db.table" to refill before planning
  // again.
  std::string needs_sequence;
  // EXPLAIN: the explained statement's plan, printed type/slice/db/sql.
  std::string explain_type;  // "shard", "unshard", "global"
  PlanError error;
  LocalRows local;
  // kShowTables: (physical name -> logical name) for the current database's rules, and logical
  // tables to list even when the default slice holds none of their physical tables.
  std::vector<std::pair<std::string, std::string>> table_aliases;
  std::vector<std::string> logical_tables;

  static Plan make_error(protocol::ErrorCode code, std::string message) {
    Plan p;
    p.kind = PlanKind::kError;
    p.error = PlanError{code, std::move(message)};
    return p;
  }
};

}  // namespace tessera::router
