// HashJoinRead against a fake cursor: the metadata queries, then the build side held, then the
// probe side streamed through the join and the merge as one shard; the key pairs it leaves to
// the lookup join; and LookupJoin switching to it (hinted, past hash_join_rows, past the
// budget) before any batch is shipped. (Every fake column is one INT named "a".)
#include "exec/engine/hash_join_read.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "exec/engine/hash_join_keys.h"
#include "exec/engine/lookup_join.h"
#include "exec/row.h"
#include "fake_cursor.h"

namespace tessera::exec::engine {
namespace {

using testing::FakeCursor;
using testing::text_row;
using Lines = std::vector<std::string>;
using Shards = std::vector<FakeCursor::FakeShard>;

Query on(const std::string& slice, std::string_view sql) {
  return Query{Target{slice, "db", Role::kPrimary}, sql};
}

FakeCursor::FakeShard rows(std::vector<std::optional<std::string>> cells) {
  FakeCursor::FakeShard s;
  for (auto& c : cells) s.rows.push_back(Row::of({c}).payload());
  return s;
}

// `SELECT a.k ... JOIN b ON a.k = b.k`: each side reads its key; the statement's one column
// is the probe's key (or COUNT(b.k), grouped).
HashJoinReadSpec spec() {
  HashJoinReadSpec s;
  s.build = {on("s0", "SELECT b.k FROM b0 AS b"), on("s1", "SELECT b.k FROM b1 AS b")};
  s.probe = {on("s0", "SELECT a.k FROM a0 AS a"), on("s1", "SELECT a.k FROM a1 AS a")};
  s.types = on("s0", "SELECT a.k FROM a0 AS a JOIN b0 AS b ON a.k = b.k LIMIT 0");
  s.key_collations = on("s0", "SELECT COLLATION(b.k), COLLATION(a.k) FROM ...");
  s.build_keys = {0};
  s.probe_keys = {0};
  s.project = {JoinedCell{JoinedCell::Kind::kCell, 0}};
  return s;
}

// The metadata round (types: no rows; collations: one row), then build, then probe.
void script(FakeCursor& c, Shards build, Shards probe) {
  c.rounds.push_back(Shards{rows({}), rows({})});
  c.rounds.push_back(std::move(build));
  c.rounds.push_back(std::move(probe));
}

Lines sorted(Lines l) {
  std::sort(l.begin(), l.end());
  return l;
}

TEST(HashJoinRead, InnerJoinMatchesEveryPairNullNever) {
  FakeCursor c;
  script(c, Shards{rows({"1", "2", "2"}), rows({"3", std::nullopt})},
         Shards{rows({"2", "4"}), rows({"3", std::nullopt, "1"})});
  HashJoinRead join(spec(), Role::kPrimary, StatementTraits{true, false});
  c.run(join);
  EXPECT_EQ(sorted(c.sent_rows),
            (Lines{text_row("1"), text_row("2"), text_row("2"), text_row("3")}));
  ASSERT_EQ(c.sqls.size(), 2u + 2u + 2u);
  EXPECT_EQ(c.sqls[2], "SELECT b.k FROM b0 AS b");  // the build side first
  EXPECT_EQ(c.sqls[4], "SELECT a.k FROM a0 AS a");
  EXPECT_EQ(c.log, (Lines{"scatter s0 s0", "close shards", "scatter s0 s1", "close shards",
                          "scatter s0 s1", "columns 1", "close shards", "end of result"}));
}

FakeCursor::FakeShard pairs(std::vector<std::optional<std::string>> keys) {
  FakeCursor::FakeShard s;
  for (auto& k : keys) s.rows.push_back(Row::of({k, std::string("0")}).payload());
  return s;
}

TEST(HashJoinRead, LeftJoinKeepsEveryProbeRowAndCountsMatches) {
  // SELECT a.k, COUNT(b.k) ... LEFT JOIN ... GROUP BY a.k: every head two INTs (k, x), the
  // statement's row (probe key, 0/1 whether the build key is there) per joined row.
  HashJoinReadSpec s = spec();
  s.probe_outer = true;
  s.project = {JoinedCell{JoinedCell::Kind::kCell, 0}, JoinedCell{JoinedCell::Kind::kNonNull, 2}};
  s.merge.grouped = true;
  s.merge.group_by = {0};
  AggregateColumn count;
  count.column = 1;
  count.kind = AggregateKind::kCount;
  s.merge.aggregates = {count};
  s.merge.order_by = {SortKey{0, false}};
  FakeCursor c;
  c.head_columns = {protocol::ColumnDefinition::integer("k"),
                    protocol::ColumnDefinition::integer("x")};
  script(c, Shards{pairs({"1", "1", "2"}), pairs({})},
         Shards{pairs({"1", "3"}), pairs({std::nullopt, "2", "3"})});
  HashJoinRead join(std::move(s), Role::kPrimary, StatementTraits{true, false});
  c.run(join);
  auto row = [](std::optional<std::string> k, std::string n) { return Row::of({k, n}).payload(); };
  EXPECT_EQ(c.sent_rows,
            (Lines{row(std::nullopt, "0"), row("1", "2"), row("2", "1"), row("3", "0")}));
}

TEST(HashJoinRead, WhatItCannotProjectIsLeftToTheLookupJoin) {
  HashJoinReadSpec s = spec();
  s.project.push_back(JoinedCell{JoinedCell::Kind::kCell, 1});  // 2 cells, 1 merge column
  FakeCursor c;
  script(c, Shards{rows({"1"}), rows({})}, Shards{rows({"1"}), rows({})});
  HashJoinRead join(std::move(s), Role::kPrimary, StatementTraits{true, false});
  c.run(join);  // alone it answers 1235; inside a lookup join, that runs instead
  EXPECT_TRUE(c.sent_rows.empty());
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].code, 1235);
  EXPECT_EQ(c.log.back(), "reply error 1235");
}

TEST(HashJoinRead, AJoinBeyondTheBudgetLeavesItToTheLookupJoin) {
  // Spilling off and a budget no row fits: the build side fails before the client has
  // anything, so the join says it cannot (alone: 1235; in a lookup join, that runs).
  FakeCursor c;
  c.limits.memory_bytes = 1;
  c.limits.spill_dir = "";
  script(c, Shards{rows({"1", "2"}), rows({})}, Shards{rows({"1"}), rows({})});
  HashJoinRead join(spec(), Role::kPrimary, StatementTraits{true, false});
  c.run(join);
  EXPECT_TRUE(c.sent_rows.empty());
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].code, 1235);
  EXPECT_EQ(c.sqls.size(), 2u + 2u);  // no probe read
}

TEST(HashJoinRead, KeyPairsComparedExactlyOrLeftToTheServer) {
  using protocol::ColumnDefinition;
  using protocol::FieldType;
  ColumnDefinition i = ColumnDefinition::integer("i");
  ColumnDefinition d = ColumnDefinition::integer("d");
  d.type = FieldType::kNewDecimal;
  d.decimals = 2;
  ColumnDefinition f = ColumnDefinition::integer("f");
  f.type = FieldType::kFloat;
  ColumnDefinition dbl = ColumnDefinition::integer("g");
  dbl.type = FieldType::kDouble;
  ColumnDefinition s = ColumnDefinition::text("s");
  s.charset = 224;  // utf8mb4 results
  // INT against DECIMAL: by value.
  auto t = build_key_type(i, "binary", "binary");
  ASSERT_TRUE(t);
  EXPECT_TRUE(probe_key_fits(i, d));
  std::string k1, k2;
  append_key(*t, "1", k1);
  append_key(*t, "1.00", k2);
  EXPECT_EQ(k1, k2);
  // FLOAT's text against DOUBLE, a number against a string: the server compares.
  EXPECT_FALSE(probe_key_fits(f, dbl));
  EXPECT_FALSE(probe_key_fits(i, s));
  EXPECT_FALSE(probe_key_fits(s, i));
  // Strings: one collation the merge implements, named alike on both keys.
  auto ci = build_key_type(s, "utf8mb4_unicode_ci", "utf8mb4_unicode_ci");
  ASSERT_TRUE(ci);
  std::string a, b;
  append_key(*ci, "Émile ", a);
  append_key(*ci, "emile", b);
  EXPECT_EQ(a, b);  // _ci, accents, PAD SPACE
  EXPECT_FALSE(build_key_type(s, "utf8mb4_unicode_ci", "utf8mb4_general_ci"));
  EXPECT_FALSE(build_key_type(s, "utf8mb4_uca1400_ai_ci", "utf8mb4_uca1400_ai_ci"));
  EXPECT_TRUE(probe_key_fits(s, s));
  // Cells converted to another character set (a utf8mb3 session over utf8mb4 keys gets '?'
  // for each 4-byte character): not compared here.
  auto mb3 = s;
  mb3.charset = 33;  // utf8mb3_general_ci
  EXPECT_FALSE(build_key_type(mb3, "utf8mb4_unicode_ci", "utf8mb4_unicode_ci"));
  EXPECT_FALSE(probe_key_fits(s, mb3));
}

TEST(HashJoinRead, TheLookupJoinSwitchesWhenHinted) {
  LookupJoinSpec l;
  l.driver = {on("s0", "SELECT d.* FROM a0 AS a"), on("s1", "SELECT d.* FROM a1 AS a")};
  l.inner = {on("s0", "SELECT ... FROM `__tj` AS a JOIN b0 AS b")};
  l.hash_join =
      std::make_shared<HashJoinRead>(spec(), Role::kPrimary, StatementTraits{true, false});
  l.hash_join_first = true;
  FakeCursor c;
  script(c, Shards{rows({"5"}), rows({})}, Shards{rows({"5", "6"}), rows({})});
  LookupJoin join(std::move(l), Role::kPrimary, StatementTraits{true, false});
  c.run(join);
  EXPECT_EQ(c.sent_rows, (Lines{text_row("5")}));
  ASSERT_EQ(c.sqls.size(), 6u);  // no driving read, no batch
  EXPECT_EQ(c.sqls[2], "SELECT b.k FROM b0 AS b");
}

TEST(HashJoinRead, TheLookupJoinSwitchesPastHashJoinRows) {
  LookupJoinSpec l;
  l.driver = {on("s0", "SELECT d.* FROM a0 AS a"), on("s1", "SELECT d.* FROM a1 AS a")};
  l.inner = {on("s0", "SELECT ... FROM `__tj` AS a JOIN b0 AS b")};
  l.hash_join =
      std::make_shared<HashJoinRead>(spec(), Role::kPrimary, StatementTraits{true, false});
  FakeCursor c;
  c.limits.hash_join_rows = 2;
  c.rounds.push_back(Shards{rows({"1", "2"}), rows({"3", "4"})});  // the driving read: 3 > 2
  script(c, Shards{rows({"2", "3"}), rows({})}, Shards{rows({"3", "4"}), rows({"2"})});
  LookupJoin join(std::move(l), Role::kPrimary, StatementTraits{true, false});
  c.run(join);
  EXPECT_EQ(sorted(c.sent_rows), (Lines{text_row("2"), text_row("3")}));
  ASSERT_EQ(c.sqls.size(), 2u + 6u);
  EXPECT_EQ(c.log[0], "scatter s0 s1");
  EXPECT_EQ(c.log[1], "stop shards");  // the driving read given up, no batch shipped
  // Below the threshold it stays a lookup join.
  FakeCursor below;
  below.limits.hash_join_rows = 10;
  below.rounds.push_back(Shards{rows({"1"}), rows({})});
  below.rounds.push_back(Shards{rows({"7"})});
  LookupJoinSpec l2;
  l2.driver = {on("s0", "SELECT d.* FROM a0 AS a"), on("s1", "SELECT d.* FROM a1 AS a")};
  l2.inner = {on("s0", "SELECT ... FROM `__tj` AS a JOIN b0 AS b")};
  l2.qualifier = "a";
  l2.driver_table = "`db`.`a0`";
  l2.hash_join =
      std::make_shared<HashJoinRead>(spec(), Role::kPrimary, StatementTraits{true, false});
  LookupJoin lookup(std::move(l2), Role::kPrimary, StatementTraits{true, false});
  below.run(lookup);
  EXPECT_EQ(below.sent_rows, (Lines{text_row("7")}));
  EXPECT_EQ(below.sqls.size(), 3u);
}

}  // namespace
}  // namespace tessera::exec::engine
