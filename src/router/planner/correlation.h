// Sharded tables under correlated subqueries that never leave the outer row's shard.
//
// `EXISTS (SELECT 1 FROM child c WHERE c.id = p.id AND ...)` over tables placed alike (one
// distribution, e.g. a linked table and its parent): for each row of `p`, the subquery only
// sees rows whose shard key equals that row's, and those live on the row's own shard. So the
// statement runs per shard as written, whatever the subquery does with those rows (NOT
// EXISTS, a scalar aggregate, IN, LIMIT), just as a join on the shard keys does. The key
// equality must be a conjunct of the subquery's own WHERE/ON (not under OR or NOT), and column
// names resolve as the server resolves them: the block's own tables first, then the enclosing
// blocks' (TableScan::blocks).
#pragma once
#include <vector>

#include "router/planner/table_scan.h"

namespace tessera::router {

// Per `scan.uses` entry: true for a sharded table under a subquery that a chain of shard-key
// equalities ties to a sharded table of the statement's own FROM (so to the outer row's shard).
// The caller has checked that every sharded table is placed alike (check_colocated).
std::vector<bool> correlated_on_key(const TableScan& scan);

}  // namespace tessera::router
