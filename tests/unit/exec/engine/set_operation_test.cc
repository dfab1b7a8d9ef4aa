// SetOperation against a fake cursor: the metadata queries first, branches read one after the
// other on the connections the branch before used (Query::after), rows combined by the set
// merge (one INT column "a" everywhere).
#include "exec/engine/set_operation.h"

#include <gtest/gtest.h>

#include "fake_cursor.h"

namespace tessera::exec::engine {
namespace {

using testing::FakeCursor;
using Lines = std::vector<std::string>;

StatementTraits read_traits() {
  StatementTraits t;
  t.is_read = true;
  return t;
}

SetBranch branch(std::vector<std::string> slices) {
  SetBranch b;
  for (auto& s : slices) b.queries.push_back(Query{Target{s, "db", Role::kPrimary}, "SELECT a"});
  b.scatter = b.queries.size() > 1;
  return b;
}

// b0 <op> b1
SetOperation two_branches(exec::SetOpKind op, bool all, SetBranch b0, SetBranch b1) {
  SetOperationSpec spec;
  exec::SetNode l, r, n;
  l.branch = 0;
  r.branch = 1;
  n.op = op;
  n.all = all;
  n.left = 0;
  n.right = 1;
  spec.nodes = {l, r, n};
  spec.root = 2;
  Query meta{Target{"s0", "db", Role::kPrimary}, "SELECT ... LIMIT 0"};
  Query coll{Target{"s0", "db", Role::kPrimary}, "SET STATEMENT ... LIMIT 0"};
  std::vector<SetBranch> branches{std::move(b0), std::move(b1)};
  return SetOperation(meta, coll, {}, std::move(branches), spec, Role::kPrimary, read_traits());
}

TEST(SetOperation, UnionReadsBranchesInTurnOnSharedConnections) {
  FakeCursor c;
  c.shards.resize(6);  // metadata, collations, branch 1 on s0 and s1, branch 2 on s0 and s1
  c.shards[2].rows = {testing::text_row("1"), testing::text_row("2")};
  c.shards[3].rows = {testing::text_row("2"), testing::text_row("3")};
  c.shards[4].rows = {testing::text_row("3"), testing::text_row("4")};
  c.run(two_branches(exec::SetOpKind::kUnion, false, branch({"s0", "s1"}), branch({"s0", "s1"})));
  EXPECT_EQ(c.sent_rows, (Lines{testing::text_row("1"), testing::text_row("2"),
                                testing::text_row("3"), testing::text_row("4")}));
  EXPECT_EQ(c.log,
            (Lines{"scatter s0 s0 s0 s1 s0 s1", "columns 1", "close shards", "end of result"}));
  // the collations query after the metadata one; branch 1's s0 part after them; branch 2's
  // parts after branch 1's on the same slice
  EXPECT_EQ(c.afters, (std::vector<int>{-1, 0, 1, -1, 2, 3}));
}

TEST(SetOperation, ExceptAllCountsCopies) {
  FakeCursor c;
  c.shards.resize(4);
  c.shards[2].rows = {testing::text_row("1"), testing::text_row("1"), testing::text_row("2")};
  c.shards[3].rows = {testing::text_row("1")};
  c.run(two_branches(exec::SetOpKind::kExcept, true, branch({"s1"}), branch({"s2"})));
  EXPECT_EQ(c.sent_rows, (Lines{testing::text_row("1"), testing::text_row("2")}));
}

TEST(SetOperation, BranchHeadErrorBeforeAnyRowIsTheClients) {
  FakeCursor c;
  c.shards.resize(4);
  c.shards[2].head_error = protocol::ErrPacket(protocol::ErrorCode{1146, "42S02"}, "no table");
  c.run(two_branches(exec::SetOpKind::kUnion, true, branch({"s1"}), branch({"s2"})));
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].code, 1146);
  EXPECT_NE(c.errors[0].message.find("on slice s1"), std::string::npos);
}

TEST(SetOperation, DescribesTheTree) {
  std::vector<PlanLine> lines;
  two_branches(exec::SetOpKind::kIntersect, false, branch({"s0", "s1"}), branch({"s2"}))
      .describe(lines, 0);
  std::vector<std::string> ops;
  for (auto& l : lines) ops.push_back(std::string(2 * l.depth, ' ') + l.op);
  EXPECT_EQ(ops, (Lines{"SetOperation", "  SetMerge", "    Scatter", "      Route", "      Route",
                        "    Route"}));
  EXPECT_EQ(lines[1].detail, "INTERSECT");
}

}  // namespace
}  // namespace tessera::exec::engine
