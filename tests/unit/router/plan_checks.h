// What every plan must satisfy, whatever the statement: shared by plan_robustness_test.cc and
// fuzz/router/plan_fuzzer.cpp.
//   kRoute / kExplain: at least one query, each with a slice and SQL; every query's SQL parses
//   with the Tessera parser (the rewrite produced valid SQL) and names no sharded logical table
//   any more (every sharded name was replaced by its physical sub-table).
//   kError: a message and a non-zero error code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "router/plan.h"
#include "router/planner/table_scan.h"
#include "router/shard_rule.h"
#include "sql/parser.h"

namespace tessera::router::testing {

struct PlanProblem {
  enum Kind { kInvariant, kReparse, kUnrenamed } kind;
  std::string detail;
};

inline const char* plan_kind_name(PlanKind k) {
  switch (k) {
    case PlanKind::kDefaultSlice:
      return "default_slice";
    case PlanKind::kRoute:
      return "route";
    case PlanKind::kError:
      return "error";
    case PlanKind::kExplain:
      return "explain";
  }
  return "?";
}

// Appends what is wrong with `plan` to `out`. `parser` and `scratch` are reused for the re-parse.
inline void check_plan(const Plan& plan, const ShardRuleSet& rules, std::string_view current_db,
                       sql::Parser& parser, sql::Arena& scratch, std::vector<PlanProblem>& out) {
  switch (plan.kind) {
    case PlanKind::kError:
      if (plan.error.message.empty())
        out.push_back({PlanProblem::kInvariant, "kError with an empty message"});
      if (plan.error.code.code == 0)
        out.push_back({PlanProblem::kInvariant, "kError with error code 0: " + plan.error.message});
      return;
    case PlanKind::kRoute:
    case PlanKind::kExplain:
      break;
    default:
      return;
  }
  if (plan.queries.empty()) {
    out.push_back({PlanProblem::kInvariant,
                   std::string(plan_kind_name(plan.kind)) + " plan without queries"});
    return;
  }
  for (const auto& q : plan.queries) {
    if (q.slice.empty())
      out.push_back({PlanProblem::kInvariant, "query without a slice: " + q.sql});
    if (q.sql.empty()) {
      out.push_back({PlanProblem::kInvariant, "query on " + q.slice + " without SQL"});
      continue;
    }
    scratch.reset();
    // (A statement continuing the engine's WITH RECURSIVE list starts `, <cte> AS (...)`.)
    const std::string text =
        q.sql.rfind(", ", 0) == 0 ? "WITH RECURSIVE `__tj` AS (SELECT 1)" + q.sql : q.sql;
    sql::ParseResult r = parser.parse(text, scratch);
    if (!r.ok()) {
      out.push_back({PlanProblem::kReparse,
                     "[" + q.slice + "] " + q.sql + "\n    error: " + r.error.message});
      continue;
    }
    TableScan scan =
        scan_tables(*r.statement, rules, q.db.empty() ? current_db : std::string_view(q.db));
    if (!scan.sharded.empty())
      out.push_back({PlanProblem::kUnrenamed, "[" + q.slice + " db=" + q.db + "] " + q.sql +
                                                  "\n    still names sharded table " +
                                                  scan.sharded[0]->table()});
  }
}

}  // namespace tessera::router::testing
