// The router's part of a statement that reads its rows before it writes them
// (exec/engine/read_then_write.h): an UPDATE of the shard key, UPDATE / DELETE ... ORDER BY
// ... LIMIT over several shards. The planner (planner.cc, `read_then_write`) builds the reads
// and the statements; what does not need the planner's state is here.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "exec/engine/read_then_write.h"
#include "router/shard_rule.h"
#include "sql/ast/expression.h"

namespace tessera::router {

// Where a shard-key value read from a row routes under `rule` (kept alive by the plan): an
// integer column's value as the number, anything else as its text, as a literal of the
// statement would route.
exec::engine::KeyRoute key_route(std::shared_ptr<const ShardRule> rule);

// `DELETE FROM `db`.`sub` WHERE ` and `INSERT INTO `db`.`sub` (`a`, `b`) VALUES `.
std::string remove_head(const SubTable& st);
std::string insert_head(const SubTable& st, const std::vector<std::string>& columns);

// `e` names one of `columns` (ASCII case folded), however qualified: MariaDB's single-table
// UPDATE evaluates a SET expression after the assignments left of it, so one reading a column
// assigned before it cannot be evaluated beside the others.
bool names_any_column(const sql::Expr* e, const std::vector<std::string>& columns);

}  // namespace tessera::router
