// The planner: a parsed statement plus the namespace's shard rules -> a Plan (router/plan.h).
// It never does I/O; what it needs from outside (global-sequence ids, tables' columns) comes
// through PlanInput.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "exec/engine/retry_policy.h"
#include "router/plan.h"
#include "router/schema_catalog.h"
#include "router/shard_rule.h"
#include "router/shard_value.h"
#include "sql/arena.h"
#include "sql/parser.h"

namespace tessera::router {

// Hands out global-sequence ids from a segment the caller keeps filled. `take` returns the first
// of `count` consecutive ids, or nullopt when the segment cannot cover them (the caller refills
// it, with I/O, and plans again).
class SequenceSource {
 public:
  virtual ~SequenceSource() = default;
  virtual std::optional<uint64_t> take(std::string_view db, std::string_view table,
                                       uint64_t count) = 0;
};

struct PlanInput {
  const ShardRuleSet* rules = nullptr;
  std::string_view current_db;                      // the session's logical database
  const std::vector<ShardValue>* params = nullptr;  // bound '?' values (prepared statements)
  // Text to print in place of each '?' (SQL literals); null keeps the placeholders.
  const std::vector<std::string>* param_literals = nullptr;
  // COM_STMT_PREPARE: parameter values are unknown; plan for the first sub-table only, to
  // learn the statement's parameters and columns there.
  bool metadata_only = false;
  SequenceSource* sequences = nullptr;
  const std::vector<config::GlobalSequence>* sequence_config = nullptr;
  // The namespace's schema catalog (ShardRuleSet::schema()): an INSERT without a column list
  // takes the table's columns from it. Null: such an INSERT is refused (1235). The planner
  // reads it only when a statement needs columns, so other statements pay nothing for it.
  const SchemaStore* schema = nullptr;
  // The cursor read columns for this command already (SchemaFetch): a statement whose values
  // do not match them is the client's mistake, not a stale catalog, and is answered as such.
  bool schema_loaded = false;
  // What the statement is for retrying (exec/engine/retry_policy.h): from the session's
  // classification of the text.
  exec::engine::StatementTraits traits;
};

// Statement kinds whose plan is the default slice, unchanged, whenever the text names no table
// of a rule (ShardRuleSet::may_be_named_in false): SELECT, INSERT, REPLACE, UPDATE, DELETE, as
// the session classifies them. A session need not parse those. SHOW, EXPLAIN and database DDL
// are planned without naming a table, so they are not among them.
bool plans_by_named_tables(sql::StatementKind kind);

// `parsed` must come from `sql`; the planner may change the AST (it lives in `arena`).
Plan plan_statement(std::string_view sql, sql::ParseResult& parsed, const PlanInput& in,
                    sql::Arena& arena);

}  // namespace tessera::router
