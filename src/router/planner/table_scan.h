// Finds every base-table reference of a statement (FROM/JOIN, subqueries, derived tables, CTE
// bodies, INSERT ... SELECT, multi-table UPDATE/DELETE, DDL targets) and resolves it against the
// namespace's shard rules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "router/shard_rule.h"
#include "sql/ast/statement.h"

namespace tessera::router {

struct TableUse {
  sql::TableName* node = nullptr;  // null for names held as bare ObjectName (DELETE targets)
  sql::ObjectName* name = nullptr;
  std::string db;                   // logical db it resolves to (explicit schema or current db)
  const ShardRule* rule = nullptr;  // null: unsharded, lives on the default slice
  bool in_subquery = false;         // below a subquery/derived table (not the statement's own FROM)
  bool insert_target = false;       // INSERT/REPLACE INTO this table: never gets an alias
  int block = -1;                   // TableScan::blocks index of the query block naming it
  // The name columns use to qualify this table: its alias, else the table name.
  std::string_view qualifier() const;
};

struct TableScan {
  std::vector<TableUse> uses;
  // Distinct rules seen, sharded (not global) ones first in order of appearance.
  std::vector<const ShardRule*> sharded;
  std::vector<const ShardRule*> globals;
  bool has_unsharded = false;
  bool references_sharded_db = false;  // any table in a db that has rules
  // Bare names that name a CTE of the statement (not base tables, so not in `uses`): where
  // they are (`node` null for `TABLE c`), the CTE, and the index of the CTE whose body holds
  // the reference in its WITH (-1: outside every CTE body). For cte_inline.h.
  struct CteRef {
    sql::TableName* node = nullptr;
    const sql::Cte* cte = nullptr;
    int in_body = -1;
  };
  std::vector<CteRef> cte_refs;
  int with_clauses = 0;  // WITH clauses anywhere in the statement
  // Query blocks (a SELECT's FROM..HAVING, or an UPDATE/DELETE statement): the names a column
  // reference in the block can see, for correlated subqueries (correlation.h). A subquery in
  // an expression sees its enclosing block's tables; a derived table or CTE body sees none.
  struct Block {
    int parent = -1;  // the enclosing block whose tables the block's columns may name
    std::vector<const sql::Expr*> conditions;   // WHERE and every ON of the block
    std::vector<std::string_view> other_names;  // derived tables and CTEs named in its FROM
  };
  std::vector<Block> blocks;
};

TableScan scan_tables(sql::Statement& stmt, const ShardRuleSet& rules, std::string_view current_db);

// Case-insensitive ASCII comparison for identifiers.
bool same_name(std::string_view a, std::string_view b);

}  // namespace tessera::router
