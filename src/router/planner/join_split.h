// How a join's FROM and conditions split around one table that drives a cross-shard join
// (exec/engine/lookup_join.h): the tables in FROM order with whether an outer join may
// NULL-extend each, and which conditions read the driving table alone (sent with its own
// query, so fewer rows travel).
#pragma once
#include <string_view>
#include <vector>

#include "sql/ast/query.h"

namespace tessera::router {

struct JoinLeaf {
  sql::TableName* table = nullptr;
  bool nullable = false;  // on the NULL-extended side of a LEFT / RIGHT JOIN
};

// The base tables of `from` in order. false for a FROM the lookup join does not take apart
// (a derived table, a table function).
bool join_leaves(const sql::ArenaVec<sql::TableRef*>& from, std::vector<JoinLeaf>& out,
                 bool& has_outer);

// `e` reads only columns qualified by `qualifier` (at least one), and nothing that must not be
// evaluated apart from the rest of the statement: no subquery, variable, aggregate, window
// function or function whose value changes per call (RAND(), UUID(), ...). `unqualified_ok`:
// a statement of one table, where an unqualified column can only be that table's.
bool reads_only(const sql::Expr* e, std::string_view qualifier, bool unqualified_ok = false);

// The conjuncts of `e`: its operands down every AND, in order (`e` itself when not an AND).
void conjuncts(const sql::Expr* e, std::vector<const sql::Expr*>& out);
void conjuncts(sql::Expr* e, std::vector<sql::Expr*>& out);

// `e` calls a window function (`f(...) OVER (...)` or `OVER w`) anywhere in it.
bool contains_window_function(const sql::Expr* e);
// Those calls, in the order written (none below another's arguments).
void window_functions(const sql::Expr* e, std::vector<const sql::Function*>& out);

}  // namespace tessera::router
