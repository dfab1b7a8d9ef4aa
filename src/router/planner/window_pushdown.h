// Window functions over several shards that each shard can compute alone: every window's
// PARTITION BY names the shard key column of every sharded table the statement reads, so each
// partition's rows all live on one shard (a rule of any type places equal key values
// together). Such a statement runs per shard and merges like any scatter select: a window
// result is then just a column. Anything else (a partition by an expression of the key, by
// another column, no PARTITION BY, windows over GROUP BY results) is not pinned.
#pragma once
#include <vector>

#include "router/planner/table_scan.h"
#include "sql/ast/query.h"

namespace tessera::router {

// The window specifications a call uses, innermost first: its own `OVER (...)` or the named
// window, then each named window it builds on (`OVER (w ORDER BY x)`, `WINDOW w2 AS (w1)`).
// Empty when a name is not defined (the server's error).
std::vector<const sql::WindowSpec*> window_chain(const sql::Function& f,
                                                 const sql::SelectCore& core);

// `q`'s top block `core` calls a window function (select list, ORDER BY or a WINDOW clause).
bool calls_window_functions(const sql::Query& q, const sql::SelectCore& core);

// True when `q` (its top block `core`, over the tables of `scan`) calls window functions and
// every one of them is partitioned by the shard key of each sharded table of its FROM, with no
// GROUP BY, HAVING or aggregate besides the windows.
bool windows_pinned_to_shards(const sql::Query& q, const sql::SelectCore& core,
                              const TableScan& scan);

}  // namespace tessera::router
