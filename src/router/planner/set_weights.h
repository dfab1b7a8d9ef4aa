// The hidden columns a set operation's rows carry so the engine can compare strings in a
// collation it does not implement itself (exec/engine/set_operation.h), as the ORDER BY / GROUP
// BY merges do (select_merge.h): per union column, COLLATION(e) and
// IF(<the merge compares e natively>, NULL, WEIGHT_STRING(e)). The engine compares such a
// column by the weights, after checking that each branch's collation is the union column's.
// The client's columns and each branch's own DISTINCT are unchanged: only branches without
// DISTINCT / GROUP BY / aggregates get them, and the pushed-down statement is wrapped whole.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sql/arena.h"
#include "sql/ast/query.h"

namespace tessera::router {

// Appends the pair to `branch`'s select list after its own items, for each item that is a
// column or a literal, when the branch is a plain projection (no `*`, DISTINCT, GROUP BY,
// HAVING, window or aggregate); returns the positions (from 0) of the items that got them,
// in order (empty: none, the branch unchanged).
std::vector<size_t> add_set_weight_columns(sql::Query& branch, sql::Arena& arena);

// The statement `sql` (a whole set operation, run on one shard) with the pair appended for
// each of its `columns` result columns, computed over the union's own columns:
// WITH `__tessera_s`(...) AS (sql) SELECT ... FROM `__tessera_s`.
std::string wrap_set_weight_columns(const std::string& sql, size_t columns);

}  // namespace tessera::router
