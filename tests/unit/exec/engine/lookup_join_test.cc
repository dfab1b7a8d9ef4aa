// LookupJoin against a fake cursor: the driving rows read first, then the statement over the
// other tables once per batch with the rows as a VALUES CTE; an outer join's probes and its
// unmatched rows NULL-extended once. (Every fake column is one INT named "a".)
#include "exec/engine/lookup_join.h"

#include <gtest/gtest.h>

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

LookupJoinSpec spec(size_t inner_targets) {
  LookupJoinSpec s;
  s.driver = {on("s0", "SELECT d.* FROM d0 AS d"), on("s1", "SELECT d.* FROM d1 AS d")};
  for (size_t i = 0; i < inner_targets; ++i)
    s.inner.push_back(on("s" + std::to_string(i), "SELECT x FROM `__tj` AS d JOIN t"));
  s.qualifier = "d";
  s.driver_table = "`db`.`d0`";
  return s;
}

FakeCursor::FakeShard rows(std::vector<std::string> cells) {
  FakeCursor::FakeShard s;
  for (auto& c : cells) s.rows.push_back(text_row(c));
  return s;
}

TEST(LookupJoin, BatchesOfDrivingRowsGoToEveryTarget) {
  LookupJoinSpec s = spec(2);
  s.batch_rows = 2;
  FakeCursor c;
  c.rounds.push_back(Shards{rows({"1", "2"}), rows({"3"})});
  c.rounds.push_back(Shards{rows({"10"}), rows({"11"})});
  c.rounds.push_back(Shards{rows({}), rows({"12"})});
  LookupJoin join(std::move(s), Role::kPrimary, StatementTraits{true, false});
  c.run(join);
  EXPECT_EQ(c.sent_rows, (Lines{text_row("10"), text_row("11"), text_row("12")}));
  ASSERT_EQ(c.sqls.size(), 6u);
  EXPECT_EQ(c.sqls[2],
            "SET STATEMENT optimizer_switch='derived_with_keys=off' FOR WITH `__tj`(`a`) AS "
            "(VALUES (1), (2)) SELECT x FROM `__tj` AS d JOIN t");
  EXPECT_EQ(c.sqls[3], c.sqls[2]);
  EXPECT_EQ(c.sqls[4],
            "SET STATEMENT optimizer_switch='derived_with_keys=off' FOR WITH `__tj`(`a`) AS "
            "(VALUES (3)) SELECT x FROM `__tj` AS d JOIN t");
  EXPECT_EQ(c.log, (Lines{"scatter s0 s1", "close shards", "scatter s0 s1", "columns 1",
                          "close shards", "scatter s0 s1", "close shards", "end of result"}));
}

TEST(LookupJoin, NoDrivingRowsStillAnswersOnce) {
  FakeCursor c;
  c.rounds.push_back(Shards{rows({}), rows({})});
  c.rounds.push_back(Shards{rows({})});
  LookupJoin join(spec(3), Role::kPrimary, StatementTraits{true, false});
  c.run(join);
  ASSERT_EQ(c.sqls.size(), 3u);  // one target: the columns (and COUNT(*) = 0) come from it
  EXPECT_EQ(c.sqls[2],
            "SET STATEMENT optimizer_switch='derived_with_keys=off' FOR WITH `__tj`(`a`) AS "
            "(SELECT NULL FROM DUAL WHERE 0) SELECT x FROM `__tj` AS d "
            "JOIN t");
  EXPECT_TRUE(c.sent_rows.empty());
  EXPECT_EQ(c.log.back(), "end of result");
}

TEST(LookupJoin, AnEmptySubqueryResultStillRunsOnEveryTarget) {
  LookupJoinSpec s = spec(3);
  s.single_batch = true;  // NOT IN / NOT EXISTS over an empty set is true everywhere
  FakeCursor c;
  c.rounds.push_back(Shards{rows({}), rows({})});
  c.rounds.push_back(Shards{rows({"1"}), rows({"2"}), rows({"3"})});
  LookupJoin join(std::move(s), Role::kPrimary, StatementTraits{true, false});
  c.run(join);
  EXPECT_EQ(c.sqls.size(), 2u + 3u);
  EXPECT_EQ(c.sent_rows, (Lines{text_row("1"), text_row("2"), text_row("3")}));
}

TEST(LookupJoin, StagesRunFirstEachShippedUnderItsOwnName) {
  // Three subqueries of one statement: `__tj` (two shards), then `__tj2` nested over it, then
  // the driver; each later query gets the CTEs it names put in front, into its WITH list.
  LookupJoinSpec s;
  MaterializedStage first;
  first.queries = {on("s0", "SET STATEMENT character_set_results=NULL FOR SELECT a FROM t0"),
                   on("s1", "SET STATEMENT character_set_results=NULL FOR SELECT a FROM t1")};
  first.cte = "__tj";
  MaterializedStage nested;
  nested.queries = {on("s0",
                       "SET STATEMENT character_set_results=NULL FOR SELECT a FROM u WHERE a IN "
                       "(SELECT * FROM `__tj`)")};
  nested.cte = "__tj2";
  s.stages = {first, nested};
  s.driver = {on("s0", "SET STATEMENT character_set_results=NULL FOR SELECT MAX(a) FROM v")};
  s.cte = "__tj3";
  s.single_batch = true;
  s.batch_bytes = 16u << 20;
  s.inner = {on("s0",
                "SELECT x FROM t WHERE x IN (SELECT * FROM `__tj2`) AND "
                "y > (SELECT * FROM `__tj3`)")};
  FakeCursor c;
  c.rounds.push_back(Shards{rows({"1", "2"}), rows({"3"})});
  c.rounds.push_back(Shards{rows({"2"})});
  c.rounds.push_back(Shards{rows({"9"})});
  c.rounds.push_back(Shards{rows({"5"})});
  LookupJoin join(std::move(s), Role::kPrimary, StatementTraits{true, false});
  c.run(join);
  ASSERT_EQ(c.sqls.size(), 5u);
  EXPECT_EQ(c.sqls[2],
            "SET STATEMENT character_set_results=NULL, "
            "optimizer_switch='derived_with_keys=off' FOR WITH `__tj`(`a`) AS (VALUES (1), "
            "(2), (3)) SELECT a FROM u WHERE a IN (SELECT * FROM `__tj`)");
  EXPECT_EQ(c.sqls[3], "SET STATEMENT character_set_results=NULL FOR SELECT MAX(a) FROM v");
  EXPECT_EQ(c.sqls[4],
            "SET STATEMENT optimizer_switch='derived_with_keys=off' FOR WITH `__tj2`(`a`) AS "
            "(VALUES (2)), `__tj3`(`a`) AS (VALUES (9)) SELECT x FROM t WHERE x IN (SELECT * "
            "FROM `__tj2`) AND y > (SELECT * FROM `__tj3`)");
  EXPECT_EQ(c.sent_rows, (Lines{text_row("5")}));
}

TEST(StageCtes, ApplyJoinsAStatementsOwnWith) {
  StageCtes ctes;
  ctes.names = {"__tj", "__tj2"};
  ctes.definitions = {"`__tj`(`a`) AS (VALUES (1))", "`__tj2`(`b`) AS (VALUES (2))"};
  EXPECT_EQ(ctes.apply("SELECT 1"), "SELECT 1");  // names none
  EXPECT_EQ(ctes.apply("WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r, `__tj2`"),
            "SET STATEMENT optimizer_switch='derived_with_keys=off' FOR WITH RECURSIVE "
            "`__tj2`(`b`) AS (VALUES (2)), r AS (SELECT 1) SELECT * FROM r, `__tj2`");
  EXPECT_EQ(ctes.apply("SET STATEMENT optimizer_switch='derived_with_keys=off' FOR WITH "
                       "`__tjc`(`x`) AS (SELECT * FROM `__tj`) SELECT 1"),
            "SET STATEMENT optimizer_switch='derived_with_keys=off' FOR WITH `__tj`(`a`) AS "
            "(VALUES (1)), `__tjc`(`x`) AS (SELECT * FROM `__tj`) SELECT 1");
}

TEST(LookupJoin, OuterJoinNullExtendsRowsNoTargetMatchedOnce) {
  LookupJoinSpec s = spec(2);
  s.probes = {on("s0", "SELECT DISTINCT d.__tj_row FROM `__tj` AS d JOIN t0"),
              on("s1", "SELECT DISTINCT d.__tj_row FROM `__tj` AS d JOIN t1")};
  s.complement = {on("s0", "SELECT x FROM `__tj` AS d LEFT JOIN t")};
  FakeCursor c;
  c.rounds.push_back(Shards{rows({"7", "8"}), rows({"9"})});
  // probes: row 0 matches on s0, row 2 on s1; the inner joins' rows
  c.rounds.push_back(Shards{rows({"0"}), rows({"2"}), rows({"70"}), rows({"90"})});
  c.rounds.push_back(Shards{rows({"0"})});  // the unmatched driving row (8), NULL-extended
  LookupJoin join(std::move(s), Role::kPrimary, StatementTraits{true, false});
  c.run(join);
  ASSERT_EQ(c.sqls.size(), 2u + 4u + 1u);
  EXPECT_EQ(c.sqls[2],
            "SET STATEMENT optimizer_switch='derived_with_keys=off' FOR WITH `__tj`(`a`, "
            "`__tj_row`) AS (VALUES (7, 0), (8, 1), (9, 2)) SELECT DISTINCT "
            "d.__tj_row FROM `__tj` AS d JOIN t0");
  EXPECT_EQ(c.sqls[6],
            "SET STATEMENT optimizer_switch='derived_with_keys=off' FOR WITH `__tj`(`a`) AS "
            "(VALUES (8)) SELECT x FROM `__tj` AS d LEFT JOIN t");
  EXPECT_EQ(c.sent_rows, (Lines{text_row("70"), text_row("90"), text_row("0")}));
}

TEST(LookupJoin, DrivingHeadErrorIsTheClients) {
  FakeCursor c;
  Shards driver{rows({}), rows({})};
  driver[1].head_error = protocol::ErrPacket(protocol::ErrorCode{1146, "42S02"}, "no table");
  c.rounds.push_back(driver);
  LookupJoin join(spec(2), Role::kPrimary, StatementTraits{true, false});
  c.run(join);
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].code, 1146);
  EXPECT_NE(c.errors[0].message.find("on slice s1"), std::string::npos);
  EXPECT_EQ(c.sqls.size(), 2u);  // nothing ran over the other tables
}

}  // namespace
}  // namespace tessera::exec::engine
