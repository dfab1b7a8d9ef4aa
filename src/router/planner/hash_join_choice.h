// Whether a cross-shard join planned as a lookup join (planner.cc `lookup_join`) can also run
// as a hash join (exec/engine/hash_join_read.h), and how: which expressions each side's read
// computes, the join keys, and how a joined row becomes a row of the statement as rewritten
// for merging (select_merge.h). The engine takes the hash join in place of the lookup join
// when the driving rows pass the namespace's `hash_join_rows` (or the statement's memory
// budget), or from the start under the hint `/*+ HASH_JOIN */`; `/*+ NO_HASH_JOIN */` plans
// none.
//
// The shape it takes: two tables, `a [INNER] JOIN b ON ...`, `a LEFT JOIN b ON ...` or
// `FROM a, b WHERE ...`, at least one condition `a.x = b.y` between qualified columns (the
// keys), every other condition reading one table alone (sent with that table's read; for a
// LEFT JOIN only ON conditions on `b` and WHERE conditions on `a`), and a select list (after
// the rewriting: hidden columns included) whose every item reads one table alone, or is
// COUNT/SUM/MIN/MAX/AVG (not DISTINCT) of an argument that does, or COUNT(*), or a column the
// merge recomputes from such aggregates. For a LEFT JOIN an item of `b` must be a bare column
// (or the merge's collation or weight column of one), since a NULL-extended row has no value
// of an expression to give. Anything else: no hash join (the lookup join answers as before).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exec/engine/hash_join_read.h"
#include "exec/engine/merge_info.h"
#include "sql/ast/query.h"

namespace tessera::router {

// The statement's hint about the hash join.
enum class HashJoinHint : uint8_t { kNone, kForce, kNever };
HashJoinHint hash_join_hint(std::string_view select_hint);

struct HashJoinShape {
  // Per side (0: probe, the left table; 1: build, the right one): the read's select list (the
  // keys first) and its conditions.
  std::vector<const sql::Expr*> items[2];
  // Parallel to items: an aggregate to print as its argument inside the item (the merge's
  // collation or weight column of MIN(x) / MAX(x) is, over one row, that of x).
  std::vector<const sql::Function*> unwrap[2];
  std::vector<const sql::Expr*> where[2];
  size_t keys = 0;  // items[s][0..keys) are the keys, pairwise equal
  std::vector<exec::engine::JoinedCell> project;
  bool outer = false;
};

// `core` as rewritten for merging (`merge` its description); `probe` / `build` the tables'
// qualifiers; `on` the join's ON (null for a comma join); `outer`: LEFT JOIN. nullopt with
// `why` when the hash join does not take the statement.
std::optional<HashJoinShape> hash_join_shape(const sql::SelectCore& core,
                                             const exec::engine::MergeInfo& merge,
                                             std::string_view probe, std::string_view build,
                                             const sql::Expr* on, bool outer, std::string& why);

}  // namespace tessera::router
