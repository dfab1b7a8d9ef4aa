// Non-recursive WITH over several shards, written as derived tables.
//
// MariaDB runs a non-recursive CTE as a derived table at each place the statement reads it.
// The planner answers derived tables over sharded tables (a co-located route, or
// Planner::materialize, which runs the inner query first and ships its rows), but not WITH.
// So a statement it refuses with a WITH is printed again with each reference `c [AS a]`
// replaced by `(<c's body>) AS a` (the CTE's column list, if any, as the body's column
// aliases) and the WITH clause dropped, and that text is planned instead.
//
// Refused (nullopt text, `why` says which): WITH RECURSIVE; a WITH inside a subquery (a name
// could then mean either); `TABLE c`; index hints or partitions on a reference; a CTE read
// before its own definition or inside itself; a column list over a body whose first SELECT
// has `*` or a different number of columns; '?' placeholders without bound values (each copy
// of a body would number its own).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "router/planner/table_scan.h"
#include "sql/ast/statement.h"

namespace tessera::router {

struct InlinedCtes {
  std::optional<std::string> sql;  // the statement without WITH
  std::string why;                 // when not
};

// `scan`: scan_tables of `s` (its cte_refs). `param_literals`: bound values printed in place of
// '?' (sharded COM_STMT_EXECUTE), or null. Changes the select-list aliases of CTE bodies that
// have a column list: plan `s` no further afterwards.
InlinedCtes inline_ctes(sql::SelectStatement& s, const TableScan& scan, uint32_t param_count,
                        const std::vector<std::string>* param_literals);

}  // namespace tessera::router
