// RecursiveWalk: WITH RECURSIVE over one sharded table (a tree or graph kept in one table:
// categories by parent, employees by manager), answered by walking the recursion across the
// shards first, then letting one server evaluate the statement over the rows the walk touched.
//
//   WITH RECURSIVE r (v, d) AS (SELECT a, 0 FROM t WHERE a = 1           -- anchor
//                               UNION ALL
//                               SELECT t.b, r.d + 1 FROM t JOIN r ON t.a = r.v WHERE r.d < 3)
//   SELECT v, MIN(d) FROM r GROUP BY v
//
// The walk (in Tessera, iteration by iteration):
//   anchor  every shard: `SELECT t.*, <anchor items> FROM <sub-table> AS t WHERE ...` (or the
//           anchor alone on the default slice when it reads no table)
//   step    every shard, with the rows the last iteration produced (`frontier`) as literals:
//           `WITH r (v, d, __rw_row) AS (VALUES ...) SELECT t.*, r.__rw_row, <step items> FROM
//           <sub-table> AS t JOIN r ON ... WHERE ...`
// until an iteration produces no row not produced before. Each answer names the table row it
// came from (`t.*`), so the walk ends knowing every row of the table the server's own recursion
// can read: the anchor's rows, and each row the step joins to a row of the CTE.
//
// The statement as written then runs on one server over those rows alone, shipped as the CTE
// `__tj` in place of the table (the LookupJoin `ship`, with the rows handed over instead of its
// whole-table read). The server's recursion over them is its recursion over the whole table:
// the step reads a table row only through the join with a CTE row, and every CTE row it makes
// the walk made too (same values: see below), so every row it can join is there; rows that
// match nothing change nothing. So types, conversions, UNION's duplicate removal under the
// column's collation, errors, warnings and max_recursive_iterations are the server's own.
// Copies: a table without a key may hold equal rows; one CTE row's step answer has every copy
// of a row it joins, so each (shard, row) is shipped as many times as the most any one CTE row
// (or the anchor, per shard) returned it.
//
// Same values: the CTE's columns have the anchor's types, and the server converts each step
// value into them (rounding a DECIMAL, cutting a string in a non-strict sql_mode), which could
// join other rows than the value unconverted. The walk ships its frontier as literals of the
// anchor's types, and gives up when a step value might not convert to itself (an integer out of
// the column's range, more fraction digits than its scale, a string longer than the column or
// in another character set, a different temporal or floating type). A string item whose
// definition's collation id may stand for another (utf8mb4_unicode_ci's 224 is also every
// uca1400 one's) is written in the collation the server names for it (`COLLATION()` of the
// anchor's items, materialized_stages.h `ask_collations`), as the lookup join does. It also gives
// up past `max_iterations`, past `max_bytes` of rows, when a walk statement fails, or when it
// touched no row (an empty `__tj` would type the statement's columns NULL). Giving up runs the
// LookupJoin as planned: the whole table shipped (today's bound: one 16 MiB statement).
// The walk's duplicate test is by bytes, never coarser than the server's, so it can only touch
// more rows than needed, never fewer.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "exec/engine/lookup_join.h"
#include "exec/engine/primitive.h"
#include "exec/engine/retry_policy.h"

namespace tessera::exec::engine {

struct RecursiveWalkSpec {
  // The anchor: per shard of the table `SELECT t.*, <items>` (anchor_reads_table), or one
  // query of the items alone.
  std::vector<Query> anchor;
  bool anchor_reads_table = false;
  // The step per shard of the table, without the WITH clause the walk puts in front of it:
  // `SELECT t.*, <cte>.<row_column>, <items> FROM ...`.
  std::vector<Query> step;
  std::string cte;                       // the CTE's name
  std::vector<std::string> cte_columns;  // its column list; empty: the anchor's column names
  size_t width = 0;                      // the CTE's column count
  std::string row_column = "__rw_row";
  size_t max_iterations = 10000;
  size_t max_bytes = 16u << 20;  // rows held, and literal text per walk statement
};

class RecursiveWalk final : public Primitive {
 public:
  RecursiveWalk(RecursiveWalkSpec spec, std::shared_ptr<const LookupJoin> ship, Role role,
                StatementTraits traits)
      : spec_(std::move(spec)), ship_(std::move(ship)), role_(role), traits_(traits) {}

  asio::awaitable<void> run(Cursor& cursor) const override;
  void describe(std::vector<PlanLine>& out, int depth) const override;

  const RecursiveWalkSpec& spec() const { return spec_; }

 private:
  asio::awaitable<Attempt> once(Cursor& cursor) const;

  RecursiveWalkSpec spec_;
  std::shared_ptr<const LookupJoin> ship_;
  Role role_;
  StatementTraits traits_;
};

}  // namespace tessera::exec::engine
