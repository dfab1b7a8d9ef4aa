// What one statement becomes once the namespace's shard rules have been applied: the queries to
// send (slice, physical db, rewritten SQL) and how to combine their results. EXPLAIN prints
// exactly this.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exec/engine/hash_join_read.h"
#include "exec/engine/merge_info.h"
#include "exec/engine/primitive.h"
#include "exec/engine/read_then_write.h"
#include "exec/engine/set_operation.h"
#include "protocol/error_codes.h"

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
};

enum class ResultMode : uint8_t {
  kRelay,          // one query: relay its response as it is
  kMerge,          // several result sets: combine per MergeInfo
  kSumAffected,    // several writes: one OK whose affected rows is the sum
  kShowTables,     // SHOW [FULL] TABLES on the default slice, physical names mapped to logical
  kSetOperation,   // UNION / INTERSECT / EXCEPT whose branches run apart: `set_op` says how
  kLookupJoin,     // a join of tables not placed alike: `join` says which queries are what
  kReadThenWrite,  // an UPDATE / DELETE that reads its rows first (`queries`), then writes
                   // them as `read_then_write` says (a shard-key change, ORDER BY/LIMIT)
};

// How a scatter's results are combined: exec's types (the engine runs the merge), named here
// as the planner has always named them.
using exec::engine::AggregateColumn;
using exec::engine::AggregateKind;
using exec::engine::ComputedColumn;
using exec::engine::HavingInfo;
using exec::engine::kHiddenBase;
using exec::engine::MergeInfo;
using exec::engine::SortKey;

// A set operation planned branch by branch (exec/engine/set_operation.h): queries[0] and [1]
// ask one slice for the result's column types and collations, then each branch's queries.
struct SetPlanBranch {
  size_t first = 0;  // its first query in Plan::queries
  size_t count = 0;
  MergeInfo merge;       // how its queries merge (scatter), empty for one route
  bool scatter = false;  // several sub-tables
  // Union columns whose COLLATION() and weight string follow the branch's own columns
  // (planner/set_weights.h), in this order.
  std::vector<size_t> weighed;
};
struct SetPlan {
  size_t units = 0;  // queries[2 .. 2 + units): nested units' metadata (spec.unit_nodes)
  // The last query asks the union columns' collation names (set_operation.h); false when the
  // first branch's columns cannot be counted (`*`).
  bool names = false;
  std::vector<SetPlanBranch> branches;
  exec::engine::SetOperationSpec spec;
};

// A cross-shard join (exec/engine/lookup_join.h): Plan::queries holds the driving table's
// queries, then the statement per target of the other tables (its text follows the WITH
// clause the engine writes), then an outer join's probes and the statement as written for
// its unmatched rows; `merge` combines the statement's results.
// A subquery materialized before a lookup join's driver (exec/engine/materialized_stages.h):
// its `queries` come first in the plan's list, stage after stage.
struct StagePlan {
  size_t queries = 0;
  MergeInfo merge;
  std::string cte;
  std::vector<std::string> cte_columns;
};

struct JoinPlan {
  std::vector<StagePlan> stages;  // before the driver's queries, in order
  size_t driver = 0;
  size_t inner = 0;
  size_t probes = 0;
  size_t complement = 0;     // 0 or 1
  bool types = false;        // the last query: the client's column types (LIMIT 0)
  std::string qualifier;     // the driving table's name in the statement
  std::string driver_table;  // queries[0]'s table, as it names it
  // A materialized subquery: its merge, one batch, the CTE's column names (exec's spec).
  MergeInfo driver_merge;
  bool single_batch = false;
  std::vector<std::string> cte_columns;
  std::string cte = "__tj";  // the name the driving rows are shipped under
  // The statement's own WITH RECURSIVE list continues the engine's (exec's spec).
  bool recursive = false;
  std::string typed_by;  // exec's spec: the shipped rows typed as this table's
};

// A lookup join's alternative (exec/engine/hash_join_read.h; planner/hash_join_choice.h): both
// tables read whole, joined in Tessera. Its own queries: `build` reads, `probe` reads, then the
// statement as rewritten for merging with LIMIT 0 and the keys' COLLATION() query.
struct HashJoinPlan {
  std::vector<ShardQuery> queries;
  size_t build = 0;
  size_t probe = 0;
  size_t keys = 0;  // the first `keys` columns of either side's read
  std::vector<exec::engine::JoinedCell> project;
  bool outer = false;
  bool forced = false;  // `/*+ HASH_JOIN */`: from the start, whatever the namespace says
};

// A WITH RECURSIVE walked across the shards first (exec/engine/recursive_walk.h), so that the
// lookup join ships only the table's rows the recursion can read. Its own queries: the anchor
// (per shard `SELECT t.*, <items>`, or the items alone on the default slice) and the step per
// shard (`SELECT t.*, <cte>.<row_column>, <items> FROM ...`, the engine putting the WITH of
// the rows to join in front).
struct RecursiveWalkPlan {
  std::vector<ShardQuery> anchor;
  bool anchor_reads_table = false;
  std::vector<ShardQuery> step;
  std::string cte;
  std::vector<std::string> cte_columns;
  size_t width = 0;
  std::string row_column = "__rw_row";
};

// Error codes are the header-only constants of protocol/error_codes.h; the router builds no
// packets itself.
struct PlanError {
  protocol::ErrorCode code = protocol::errc::kUnknownError;
  std::string message;
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
  // A global sequence's segment is empty: "db.table" to reserve ids of. plan_statement makes
  // such a plan kRoute with a SequenceFetch root (reserve, then plan again).
  std::string needs_sequence;
  // The statement needs columns of a table the schema catalog lacks (router/schema_catalog.h):
  // "db.table" to read. plan_statement makes such a plan kRoute with a SchemaFetch root (read
  // the columns, then plan again).
  std::string needs_schema;
  // DDL through Tessera: the tables ("db.table") whose learned columns are out of date once it
  // ran; frontend forgets them after running the plan, so the next statement reads them again.
  std::vector<std::string> schema_changes;
  // An INSERT whose columns came from the schema catalog: "db.table". Should the backends
  // answer that the values do not fit its columns (1136, 1054: they changed behind Tessera's
  // back), frontend forgets them so the next statement reads them again.
  std::string schema_used;
  // EXPLAIN: the explained statement's plan, printed type/slice/db/sql.
  std::string explain_type;  // "shard", "unshard", "global"
  PlanError error;
  // kShowTables: (physical name -> logical name) for the current database's rules. Only the
  // default slice is asked: a table with no physical table there is not listed (open).
  std::vector<std::pair<std::string, std::string>> table_aliases;
  // kSetOperation: the branches and how they combine.
  std::optional<SetPlan> set_op;
  // kLookupJoin: how `queries` divide.
  std::optional<JoinPlan> join;
  // kLookupJoin: the hash join it may switch to (none when the shape is not one it takes).
  std::optional<HashJoinPlan> hash_join;
  std::optional<RecursiveWalkPlan> recursive_walk;  // kLookupJoin of a WITH RECURSIVE
  // kReadThenWrite: how the rows read (`queries`, merged by `merge`) are written; its reads
  // are filled in from `queries` when the primitive is attached.
  std::shared_ptr<exec::engine::ReadThenWriteSpec> read_then_write;
  // kMerge: the same statement with the table's rows shipped to one server, for when the
  // merge finds at run time it cannot answer (exec/engine/scatter.h set_fallback).
  std::shared_ptr<Plan> fallback;
  // kExplain of a set operation: the operator tree (each route with its SQL), which EXPLAIN
  // prints in place of the flat list of queries.
  std::vector<exec::engine::PlanLine> explain_tree;

  // The plan as the engine runs it (router/plan_primitives.h); null for the kinds frontend
  // still answers itself (errors, EXPLAIN, SHOW TABLES).
  std::shared_ptr<const exec::engine::Primitive> root;

  // Move-only: `root` borrows the text of `queries` (a copy's root would point into this one).
  Plan() = default;
  Plan(Plan&&) = default;
  Plan& operator=(Plan&&) = default;
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;

  static Plan make_error(protocol::ErrorCode code, std::string message) {
    Plan p;
    p.kind = PlanKind::kError;
    p.error = PlanError{code, std::move(message)};
    return p;
  }
};

}  // namespace tessera::router
