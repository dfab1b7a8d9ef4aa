// Materialized stages: the uncorrelated subqueries and derived tables of one statement run before
// its lookup join's driver (router planner.cc `materialize`, when a statement holds several).
//
// Each stage is a subquery planned alone (a route, or a scatter with its merge). The engine runs
// the stages in order, each one's whole result read through its merge and written as typed
// literals (literal_rows.h) under its own CTE name:
//
//   `__tj`(`a`, `b`) AS (VALUES (1, _utf8mb4 X'..' COLLATE ..), ...)
//
// and every later query that names that CTE (a later stage nested over it, the driver, the
// statement itself) gets the definition put in front, into its WITH list:
//
//   SET STATEMENT optimizer_switch='derived_with_keys=off' FOR WITH `__tj`(...) AS (VALUES ...),
//     `__tj2`(...) AS (VALUES ...) SELECT ... (SELECT * FROM `__tj`) ... (SELECT * FROM `__tj2`)
//
// so the server evaluates IN, EXISTS, the scalar subquery and the derived table over one set, as
// it would over the tables. (derived_with_keys is off for the reason lookup_join.cc's cte_head
// gives: a key on a CTE of literals cuts a longer probing string.)
//
// Bounded: the stages' rows are held within the statement's memory budget until the statement
// ran, and their literal text together (with the driver's) within one statement's bytes; beyond
// either the client gets an error naming the bound (1235 for the bytes), never a partial set.
#pragma once
#include <asio/awaitable.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exec/engine/cursor.h"
#include "exec/engine/merge_info.h"
#include "exec/memory_budget.h"
#include "protocol/column_definition.h"

namespace tessera::exec::engine {

struct MaterializedStage {
  std::vector<Query> queries;            // the subquery's route or scatter, each under
                                         // character_set_results=NULL
  MergeInfo merge;                       // how they merge (empty: concatenated)
  std::string cte;                       // the name its result is shipped under
  std::vector<std::string> cte_columns;  // a derived table's column list; empty: the result's
};

// The CTE definitions the stages made, in stage order.
struct StageCtes {
  std::vector<std::string> names;
  std::vector<std::string> definitions;  // "`name`(`a`, ...) AS (VALUES ...)"
  size_t bytes = 0;                      // their text together

  // The definitions of the CTEs `text` names ("`name`"), comma-separated; empty: none.
  std::string named_in(std::string_view text) const;
  // `sql` with the definitions it names in front (into its own WITH list, under
  // SET STATEMENT optimizer_switch='derived_with_keys=off'); as it is when it names none.
  std::string apply(std::string_view sql) const;
};

// Runs `stages` in order into `out` (each stage's queries with the definitions of the earlier
// ones they name). `held`: the rows' share of the statement's budget, kept as long as the
// caller keeps it; `max_bytes`: the definitions' text together. nullopt: every stage ran; an
// Attempt: the statement ended there (the client has its error, or the engine may run it again).
asio::awaitable<std::optional<Attempt>> run_stages(Cursor& c,
                                                   const std::vector<MaterializedStage>& stages,
                                                   Role role, const MergeLimits& limits,
                                                   const std::shared_ptr<MemoryBudget>& budget,
                                                   BudgetShare& held, size_t max_bytes,
                                                   StageCtes& out);

// The question lookup_join.cc and the stages ask when a column definition's collation id may
// stand for another (literal_rows.h collation_id_ambiguous): one row of COLLATION() of each of
// the `visible` columns of subquery `text` (its `columns` columns, hidden ones included; text
// without the character set prefix), NULL-extended so it answers whatever the subquery holds.
std::string subquery_collations_sql(std::string_view text, size_t columns, size_t visible);

// Runs `sql` at `at` and reads its one row into `collations` (for the ambiguous columns of
// `driving` only). nullopt: asked; an Attempt: the statement ended there.
asio::awaitable<std::optional<Attempt>> ask_collations(
    Cursor& c, Role role, const Query& at, std::string sql,
    const std::vector<protocol::ColumnDefinition>& driving, std::vector<std::string>& collations);

}  // namespace tessera::exec::engine
