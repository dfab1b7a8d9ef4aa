// Outer joins that cannot run per shard: a global table on the preserved side of a LEFT/RIGHT
// JOIN whose other side is sharded. Each shard NULL-extends the global rows that match nothing
// *on that shard*, so a global row matched on one shard still comes back NULL-extended from
// every other shard, and a row matched nowhere comes back once per shard (issue 18 item 2).
// On one shard the join is exact; over several the planner refuses it with this message.
#pragma once

#include <optional>
#include <string>

#include "router/planner/table_scan.h"
#include "sql/ast/query.h"

namespace tessera::router {

// The first such join in the query's own FROM clauses (joins, parenthesised joins, derived
// tables, UNION branches), described for an error message; nullopt when there is none.
std::optional<std::string> global_preserved_outer_join(const sql::Query& q, const TableScan& scan);

}  // namespace tessera::router
