// A plan printed for people: the rows Tessera answers `EXPLAIN <statement>` with (one per
// backend query: type, slice, db, sql), and a longer description of everything else the plan
// decides (its kind, how results are combined, errors). frontend sends the rows; the golden
// plan tests (tests/unit/router/golden/) check both texts in, so a change in what a statement
// becomes shows up as a diff of text rather than of struct fields.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "router/plan.h"

namespace tessera::router {

// EXPLAIN's result columns, with the lengths their column definitions announce.
struct ExplainColumn {
  std::string_view name;
  uint32_t length;
};
inline constexpr ExplainColumn kExplainColumns[] = {
    {"type", 64}, {"slice", 256}, {"db", 256}, {"sql", 65535}};

struct ExplainRow {
  std::string type;  // "shard", "unshard", "global"
  std::string slice;
  std::string db;
  std::string sql;
};

// One row per query of `plan` (for a kExplain plan: the explained statement's queries).
std::vector<ExplainRow> explain_rows(const Plan& plan);

// The client's view of `EXPLAIN ...` as text, the way mysqltest prints a result: a header line
// and one line per row, cells separated by tabs. A kError plan prints its error, a
// kDefaultSlice plan says the statement goes to the default slice unchanged.
std::string explain_text(const Plan& plan);

// Everything the plan decides, one fact per line, each line starting with `indent`: kind,
// result mode, read or write, queries, merge (order and group keys, aggregates, HAVING,
// limit/offset, hidden columns), errors with their code. Column positions print as `#n`,
// hidden columns (appended after the visible ones) as `h0`, `h1`... AST pointers are printed
// as SQL, so the plan's arena must still be alive. When `explained` (EXPLAIN's rows for the
// same statement) lists the same queries (slice and SQL, in order), one line says so instead of
// repeating them.
std::string describe_plan(const Plan& plan, std::string_view indent = "",
                          const std::vector<ExplainRow>* explained = nullptr);

}  // namespace tessera::router
