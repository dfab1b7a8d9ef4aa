// Rewrites a SELECT that runs on several shards so its results can be combined exactly:
// partial aggregates (AVG -> SUM and COUNT), hidden columns for ORDER BY / GROUP BY / HAVING
// expressions, LIMIT offset+count per shard, HAVING taken off the shards and re-applied after
// the merge. Queries whose merge would not be exact are refused with a message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "router/plan.h"
#include "sql/arena.h"
#include "sql/ast/query.h"

namespace tessera::router {

// What becomes of the statement's window functions.
enum class WindowMode : uint8_t {
  kRefuse,    // refused (the caller ships the table to one server instead)
  kPerShard,  // each computed whole on one shard (window_pushdown.h): merged as plain columns
  kEngine,    // evaluated by the merge over every shard's rows (exec/window.h)
};

std::optional<std::string> prepare_scatter_select(sql::Query& q, MergeInfo& merge,
                                                  sql::Arena& arena,
                                                  WindowMode windows = WindowMode::kRefuse);

// Aggregate functions by name; nullopt for anything else.
std::optional<AggregateKind> aggregate_kind(const sql::Function& f);
bool contains_aggregate(const sql::Expr* e);
// An integer literal's value (LIMIT counts); nullopt for anything else.
std::optional<uint64_t> limit_value(const sql::Expr* e);

}  // namespace tessera::router
