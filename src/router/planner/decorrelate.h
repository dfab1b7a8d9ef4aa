// Correlated subqueries as semi-joins and anti-joins (issue 19: "correlated ones as
// semi/anti-joins"), for tables not placed alike.
//
// A correlated subquery cannot run on its own: it names a row of the outer statement. When its
// correlation is a set of equalities between its columns and the outer row's, the subquery is
// the same as an uncorrelated one over those columns, which then runs first and is shipped as
// a CTE (planner materialize()):
//
//   EXISTS (SELECT .. FROM s WHERE s.x = o.y AND r)
//     -> o.y IN (SELECT s.x FROM s WHERE r)                                       (semi-join)
//   NOT EXISTS (SELECT .. FROM s WHERE s.x = o.y AND r)
//     -> (o.y IS NULL OR o.y NOT IN (SELECT s.x FROM s WHERE r AND s.x IS NOT NULL))  (anti-join)
//   o.a IN (SELECT s.b FROM s WHERE s.x = o.y AND r)
//     -> (o.a, o.y) IN (SELECT s.b, s.x FROM s WHERE r)
//
// Exact under SQL's NULL rules: `s.x = o.y` is never true with a NULL on either side, so a
// NULL o.y has no match (EXISTS false, NOT EXISTS true), and a NULL s.x matches nothing; the
// anti-join drops those rows first so that NOT IN answers only TRUE or FALSE. The comparisons
// are the server's own (`=` and IN compare alike, under the same collation derivation). Only
// conjuncts of the WHERE (so where an unknown result and false both drop the row), and only
// subqueries the rewrite keeps meaning for: one SELECT, no GROUP BY / HAVING / LIMIT /
// aggregates / window functions, and every outer reference in such an equality.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "sql/arena.h"
#include "sql/ast/query.h"

namespace tessera::router {

// `text` (printed SQL) qualifies a column by one of `names` (`n.` or `` `n`. `` not part of a
// longer name): a conservative test that a subquery names a table of the outer statement.
bool names_a_qualifier(std::string_view text, const std::vector<std::string>& names);

// Rewrites in place the WHERE conjuncts of `core` that are such subqueries, `outer_names` being
// the qualifiers of the statement's own tables. Returns how many it rewrote.
int decorrelate_where(sql::SelectCore& core, const std::vector<std::string>& outer_names,
                      sql::Arena& arena);

}  // namespace tessera::router
