// HashJoinRead: a cross-shard equi-join whose both sides are read whole and joined in Tessera
// by exec/HashJoin (issue 19: "a hash join for large unselective sides"), the alternative a
// lookup join (lookup_join.h) switches to when its driving side is large.
//
// Each side is one table read by its own scatter (`build`, `probe`: one query per sub-table,
// concatenated), `SELECT <what the statement needs of it> FROM <sub-table> AS <alias> WHERE
// <conditions on it alone>`: its key columns, and every select-list expression of the
// statement (rewritten to merge as a scatter's is: partial aggregates, hidden ORDER BY / GROUP
// BY / collation / weight columns) that reads that table alone, or an aggregate's argument
// that does. So the server still evaluates every expression, with its own types; Tessera only
// joins. The sides are read in the session's character set (the cells go to the client as
// they are), the keys compared by exec/HashJoin under the comparison's type: strings under
// the keys' collation (both keys' COLLATION() must name the same one, and one the merge
// implements natively for the cells' encoding), numbers by value (INT = DECIMAL 1.00), NULL
// never equal. Inner join, and LEFT JOIN with the probe side preserved.
//
// Each joined row (probe cells, then build cells) is projected to one row of the rewritten
// statement (`project`: a cell, 1 for COUNT(*), 0/1 for COUNT(x), NULL for a column the merge
// recomputes) and fed to one merge pipeline as the rows of a single shard, whose column
// definitions are the rewritten statement's with LIMIT 0 (`types`) on a slice holding both
// tables: GROUP BY and aggregates, HAVING, DISTINCT, ORDER BY and LIMIT run there, within the
// statement's memory budget (the hash join's build side shares it and spills beyond it).
//
// What it cannot compare exactly (key types of different families, a collation the merge
// does not implement natively, different collations on the two keys) it finds at the result
// heads, before anything reached the client, and says so (`unsupported`): the lookup join
// then runs as planned. So does a join that fails before the client has a row (its build side
// beyond the budget with spilling off, the rows of one key beyond it).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "exec/engine/merge_info.h"
#include "exec/engine/primitive.h"
#include "exec/engine/retry_policy.h"

namespace tessera::exec::engine {

// One column of the rewritten statement, made from a joined row (probe cells, then build's).
struct JoinedCell {
  enum class Kind : uint8_t {
    kCell,     // the joined row's cell `from`
    kSticky,   // the same, but a NULL-extended row takes the build side's first value (a
               // COLLATION() column, constant per column, which the merge reads once)
    kOne,      // COUNT(*) of one row
    kNonNull,  // COUNT(x) of one row: 1, or 0 when cell `from` is NULL
    kNull,     // a column the merge recomputes (an expression over aggregates)
  };
  Kind kind = Kind::kCell;
  uint32_t from = 0;
};

struct HashJoinReadSpec {
  std::vector<Query> build;  // one per sub-table, concatenated
  std::vector<Query> probe;
  // The rewritten statement with LIMIT 0 (the merge's column definitions), then one row of
  // COLLATION(<key>) per key, build keys first, then probe keys (on a slice holding both).
  Query types;
  Query key_collations;
  std::vector<uint32_t> build_keys;  // columns of a build row
  std::vector<uint32_t> probe_keys;  // columns of a probe row
  bool probe_outer = false;          // LEFT JOIN, probe side preserved
  std::vector<JoinedCell> project;   // one per column of the rewritten statement
  MergeInfo merge;
  // Why the plan has it, for EXPLAIN ("driving rows > 100000").
  std::string when;
};

class HashJoinRead final : public Primitive {
 public:
  HashJoinRead(HashJoinReadSpec spec, Role role, StatementTraits traits)
      : spec_(std::move(spec)), role_(role), traits_(traits) {}

  // Alone (tests): an `unsupported` join answers 1235.
  asio::awaitable<void> run(Cursor& cursor) const override;
  void describe(std::vector<PlanLine>& out, int depth) const override;

  // One attempt. `unsupported`: nothing was answered and no stream is open; the caller runs
  // its own plan instead.
  asio::awaitable<Attempt> once(Cursor& cursor, bool& unsupported) const;
  const HashJoinReadSpec& spec() const { return spec_; }

 private:
  HashJoinReadSpec spec_;
  Role role_;
  StatementTraits traits_;
};

}  // namespace tessera::exec::engine
