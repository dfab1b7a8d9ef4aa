// SetOperation: UNION [ALL|DISTINCT] / INTERSECT [ALL] / EXCEPT [ALL] whose branches run apart,
// each as it would alone (one route, or a scatter with its own merge: its ORDER BY, LIMIT,
// GROUP BY, DISTINCT), combined by exec/set_merge.h into the answer one server holding every
// row gives, then the set operation's own ORDER BY / OFFSET / LIMIT.
//
// The result's column types are the server's: MariaDB derives each union column from every
// branch (INT UNION VARCHAR is VARCHAR, lengths widen, the collation follows coercibility),
// so the planner adds two queries that run the whole set operation with `LIMIT 0` on one slice
// (every branch's tables renamed to sub-tables on that slice): one in the session's
// character_set_results (the client's column definitions), one with
// `SET STATEMENT character_set_results=NULL FOR` (the union columns' own collation ids, which
// the merge compares strings by). A set operation the server refuses (column counts, an
// illegal mix of collations) fails there, with the server's error.
//
// All queries are sent at once (the shards work in parallel); branches are then read one after
// the other, so UNION ALL streams branch after branch holding no rows. A retryable error or a
// lost connection before any row reached the client reruns the whole statement, as Scatter.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "exec/engine/merge_info.h"
#include "exec/engine/primitive.h"
#include "exec/engine/retry_policy.h"
#include "exec/set_merge.h"

namespace tessera::exec::engine {

struct SetBranch {
  std::vector<Query> queries;  // one: a route (relayed rows); several: merged by `merge`
  MergeInfo merge;
  bool scatter = false;  // several sub-tables (described as a Scatter)
  // Union columns (positions) whose COLLATION(e) and IF(<native>, NULL, WEIGHT_STRING(e)) the
  // branch's rows carry after its own columns, a pair each in this order
  // (router/planner/set_weights.h): a string column in a collation the merge does not compare
  // itself is compared by those weights when every branch has them in the union's collation.
  std::vector<size_t> weighed;
};

// The set operation's own ORDER BY item: a result column by position (from 0) or by name
// (matched against the result's column names, which come from the first branch).
struct SetOrderKey {
  int position = -1;
  std::string name;
  bool descending = false;
};

struct SetOperationSpec {
  std::vector<exec::SetNode> nodes;  // bottom-up; operators refer to earlier nodes only
  int root = 0;
  std::vector<SetOrderKey> order_by;
  uint64_t offset = 0;
  std::optional<uint64_t> limit;
  // Nested units: MariaDB gives a parenthesised set operation, and one that INTERSECT's
  // precedence nests (`a UNION b INTERSECT c`), column types of its own, and converts its
  // rows to the outer types from those (`'x' UNION (SELECT 1 INTERSECT SELECT 1.00)` answers
  // '1.00'); a left-deep chain is one unit typed from all its branches. The node of each unit
  // that has a metadata query of its own (SetOperation's `units`, in this order).
  std::vector<int> unit_nodes;
};

class SetOperation final : public Primitive {
 public:
  // `metadata`: the whole set operation with LIMIT 0 on one slice, in the client's result
  // charset; `collations`: the same under character_set_results=NULL.
  // `units`: each nested unit's statement with LIMIT 0 (spec.unit_nodes says whose).
  // `names`: the union columns' collation names by position (`COLLATION()` over the
  // metadata query as a CTE), for the ids that may stand for a uca1400 collation
  // (literal_rows.h: collation_id_ambiguous); without it such a column is not compared.
  SetOperation(Query metadata, Query collations, std::vector<Query> units,
               std::vector<SetBranch> branches, SetOperationSpec spec, Role role,
               StatementTraits traits, std::optional<Query> names = std::nullopt)
      : names_(std::move(names)),
        metadata_(std::move(metadata)),
        collations_(std::move(collations)),
        units_(std::move(units)),
        branches_(std::move(branches)),
        spec_(std::move(spec)),
        role_(role),
        traits_(traits) {}

  asio::awaitable<void> run(Cursor& cursor) const override;
  void describe(std::vector<PlanLine>& out, int depth) const override;

  asio::awaitable<Attempt> once(Cursor& cursor) const;
  const std::vector<SetBranch>& branches() const { return branches_; }
  const SetOperationSpec& spec() const { return spec_; }

 private:
  std::optional<Query> names_;
  Query metadata_;
  Query collations_;
  std::vector<Query> units_;
  std::vector<SetBranch> branches_;
  SetOperationSpec spec_;
  Role role_;
  StatementTraits traits_;
};

// The text of a set operator ("UNION ALL", "INTERSECT", ...), for EXPLAIN and messages.
std::string set_op_name(const exec::SetNode& node);

}  // namespace tessera::exec::engine
