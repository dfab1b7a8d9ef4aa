// LookupJoin: a join whose tables are not placed alike (different shard rules, an unsharded or
// a global table without a copy beside every shard, or sharded tables not joined on their
// keys), answered as one server holding every row would.
//
// One table drives (the planner picks it: never the NULL-extended side of an outer join). Its
// rows are read first, every column (`SELECT d.* ... WHERE <conditions on it alone>`), under
// character_set_results=NULL so each value comes in its column's own character set. Then the
// client's whole statement runs over the other tables, once per batch of driving rows, with
// the driving table replaced by those rows written as literals (literal_rows.h):
//
//   WITH `__tj`(`id`, `name`, ...) AS (VALUES (1, _utf8mb4 X'..' COLLATE ..), ...)
//   SELECT ... FROM `__tj` AS `d` JOIN `orders_0001` AS `o` ON ... WHERE ... GROUP BY ...
//
// so the server evaluates the join condition, the select list, WHERE, GROUP BY and the rest
// with its own types and collations. The statement was rewritten for merging as a scatter's
// is (partial aggregates, hidden sort and collation columns), and every batch's results on
// every target feed one merge pipeline, unordered (concatenated: hashing GROUP BY, in-memory
// ORDER BY bounded by LIMIT, spilling beyond the statement's memory budget).
//
// An outer join whose inner side spans several targets would be NULL-extended by every target
// that has no match, so each batch asks every target which driving rows match (`probes`:
// `SELECT DISTINCT __tj_row ...` with the row numbers in the CTE) while it runs the statement
// with the LEFT JOIN made an inner join there (`inner`: the same matched pairs, none
// NULL-extended), then runs the statement as written on one target (`complement`) over the
// rows no target matched, which that target NULL-extends.
//
// Memory: the driving side is held whole (literal text), within the statement's memory budget
// (merge_memory_bytes, shared with both merges); a larger driving side is an error naming the
// budget (shipped, so not spilled), unless the plan has a hash join (`hash_join`,
// hash_join_read.h), which takes over then, as it does past `hash_join_rows` driving rows:
// before any batch was shipped, the driving read is given up and both tables are read whole.
// Batches are bounded by rows and bytes.
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exec/engine/hash_join_read.h"
#include "exec/engine/materialized_stages.h"
#include "exec/engine/merge_info.h"
#include "exec/engine/primitive.h"
#include "exec/engine/retry_policy.h"
#include "exec/row.h"
#include "protocol/column_definition.h"

namespace tessera::exec::engine {

struct LookupJoinSpec {
  // Subqueries of the statement materialized before the driver, in order, each shipped as its
  // own CTE into the later queries that name it (materialized_stages.h). None: no hash join.
  std::vector<MaterializedStage> stages;
  std::vector<Query> driver;  // the driving table's rows, concatenated
  // How the driver's streams merge: empty for a table's sub-tables (concatenated); a
  // materialized subquery's scatter merge (its aggregates, ORDER BY, LIMIT) otherwise.
  MergeInfo driver_merge;
  // A materialized subquery or derived table: its whole result in one statement (an error
  // beyond batch_bytes), since halves of the set would answer IN / NOT IN differently.
  bool single_batch = false;
  // The CTE's column names (a derived table's column list); empty: the driver's column names.
  std::vector<std::string> cte_columns;
  // `WITH RECURSIVE` in front: each inner statement starts `, <its own CTEs> SELECT ...`
  // (a statement with WITH RECURSIVE, its list continuing the engine's).
  bool recursive = false;
  // The driving table's name in the statement (its alias) and driver[0]'s table as its query
  // names it (`db`.`sub`): when a column definition's collation id may stand for another
  // (literal_rows.h), the engine asks there which collation each column has.
  std::string qualifier;
  std::string driver_table;  // empty for a subquery: driver[0]'s own text is asked instead
  // The statement per target of the other side, without the WITH clause the engine puts in
  // front of it (the CTE named `cte`, with the driving table's columns).
  std::vector<Query> inner;
  // An outer join over several targets: per target, which driving rows (`row_column`) match;
  // empty when the statement's NULL-extension is exact as it runs.
  std::vector<Query> probes;
  std::vector<Query> complement;  // with probes: the statement as written, on one target
  // The client's column types: the whole statement with LIMIT 0 where every table is (read
  // with the driving rows); without it, the first batch's columns.
  std::optional<Query> types;
  // A table with the driving table's columns on the inner statement's slice (`db`.`t`), or
  // empty: the CTE's body is then `SELECT * FROM <it> WHERE 0 UNION ALL VALUES ...`, so its
  // columns have the table's types (INT(11), VARCHAR(32)) rather than the literals' (VALUES
  // sizes a column by its longest value shipped). For a statement that runs whole over the
  // shipped rows with no types query of its own (WITH RECURSIVE).
  std::string typed_by;
  std::string cte = "__tj";
  std::string row_column = "__tj_row";
  MergeInfo merge;
  size_t batch_rows = 500;
  size_t batch_bytes = 1 << 20;  // literal text per batch statement
  // The same join read on both sides and joined in Tessera (hash_join_read.h), for a two-table
  // equi-join whose shape it answers: taken when the driving rows pass the namespace's
  // hash_join_rows (MergeLimits; 0: from the start) or the statement's memory budget, before
  // any batch was shipped. Null: none.
  std::shared_ptr<const HashJoinRead> hash_join;
  bool hash_join_first = false;  // the statement's `/*+ HASH_JOIN */`: whatever the threshold
};

// Driving rows read already, in place of the driver's read (a recursive walk's:
// recursive_walk.h): their columns as the driver would have read them, and the rows.
struct GivenRows {
  std::vector<protocol::ColumnDefinition> columns;
  std::vector<Row> rows;
};

class LookupJoin final : public Primitive {
 public:
  LookupJoin(LookupJoinSpec spec, Role role, StatementTraits traits)
      : spec_(std::move(spec)), role_(role), traits_(traits) {}

  asio::awaitable<void> run(Cursor& cursor) const override;
  void describe(std::vector<PlanLine>& out, int depth) const override;

  // `may_switch`: the hash join may take over (false once it said it cannot compare the keys).
  // `given`: the driving rows, not read here.
  asio::awaitable<Attempt> once(Cursor& cursor, bool may_switch = true,
                                const GivenRows* given = nullptr) const;
  const LookupJoinSpec& spec() const { return spec_; }

 private:
  LookupJoinSpec spec_;
  Role role_;
  StatementTraits traits_;
};

}  // namespace tessera::exec::engine
