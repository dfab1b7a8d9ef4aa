#include "session/read_routing.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace tessera::session {
namespace {

RouteSession split() {
  RouteSession s;
  s.rw_split = true;
  return s;
}

RouteDecision route(std::string_view sql, RouteSession s = split()) {
  return decide_route(sql::classify(sql), s);
}

TEST(ReadRouting, PlainReadsGoToReplicas) {
  for (auto q : {"SELECT * FROM t WHERE id = 1", "select 1", "SHOW TABLES", "DESCRIBE t",
                 "EXPLAIN SELECT * FROM t", "SELECT c FROM t ORDER BY c LIMIT 3"}) {
    EXPECT_EQ(route(q).target, RouteTarget::kReplica) << q;
    EXPECT_EQ(route(q).reason, RouteReason::kRead) << q;
  }
}

TEST(ReadRouting, NoSplitUserAlwaysPrimary) {
  RouteSession s;  // rw_split = false
  EXPECT_EQ(route("SELECT 1", s).target, RouteTarget::kPrimary);
  EXPECT_EQ(route("SELECT 1", s).reason, RouteReason::kNoSplit);
  EXPECT_EQ(route("/*slave*/ SELECT 1", s).target, RouteTarget::kPrimary);
}

TEST(ReadRouting, WritesAndDdlGoToPrimary) {
  for (auto q : {"INSERT INTO t VALUES (1)", "UPDATE t SET a = 1", "DELETE FROM t",
                 "REPLACE INTO t VALUES (1)", "CREATE TABLE x (a int)", "DROP TABLE x",
                 "ALTER TABLE t ADD c int", "TRUNCATE TABLE t", "SET NAMES utf8mb4",
                 "SET autocommit = 1", "USE db", "CALL p()", "SELECT 1; SELECT 2"}) {
    EXPECT_EQ(route(q).target, RouteTarget::kPrimary) << q;
  }
}

TEST(ReadRouting, LockingReadsGoToPrimary) {
  for (auto q : {"SELECT * FROM t FOR UPDATE", "SELECT * FROM t LOCK IN SHARE MODE",
                 "SELECT * FROM t FOR SHARE"}) {
    EXPECT_EQ(route(q).target, RouteTarget::kPrimary) << q;
    EXPECT_EQ(route(q).reason, RouteReason::kLockingRead) << q;
  }
}

TEST(ReadRouting, SessionBoundStatementsGoToPrimary) {
  for (auto q : {"SELECT LAST_INSERT_ID()", "SELECT FOUND_ROWS()", "SELECT ROW_COUNT()",
                 "SELECT GET_LOCK('a', 1)", "SELECT RELEASE_LOCK('a')", "SELECT IS_FREE_LOCK('a')",
                 "SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 1", "SELECT @x := 1",
                 "SELECT a INTO @v FROM t LIMIT 1", "CREATE TEMPORARY TABLE tt (a int)",
                 "SELECT CONNECTION_ID()"}) {
    auto d = route(q);
    EXPECT_EQ(d.target, RouteTarget::kPrimary) << q;
  }
  EXPECT_EQ(route("SELECT LAST_INSERT_ID()").reason, RouteReason::kSessionBound);
}

TEST(ReadRouting, PinnedSessionReadsOnPrimary) {
  auto s = split();
  s.pinned = true;  // e.g. a temporary table exists on the primary connection
  EXPECT_EQ(route("SELECT * FROM tt", s).target, RouteTarget::kPrimary);
  EXPECT_EQ(route("SELECT * FROM tt", s).reason, RouteReason::kPinnedConnection);
}

TEST(ReadRouting, Hints) {
  EXPECT_EQ(route("/*master*/ SELECT 1").target, RouteTarget::kPrimary);
  EXPECT_EQ(route("/*+ master */ SELECT 1").reason, RouteReason::kMasterHint);
  EXPECT_EQ(route("SELECT /*master*/ 1").target, RouteTarget::kPrimary);
  EXPECT_EQ(route("/*slave*/ SELECT 1").target, RouteTarget::kReplica);
  EXPECT_EQ(route("/*slave*/ SELECT 1").reason, RouteReason::kReplicaHint);
  // A replica hint does not make a write or a locking read go to a replica.
  EXPECT_EQ(route("/*slave*/ INSERT INTO t VALUES (1)").target, RouteTarget::kPrimary);
  EXPECT_EQ(route("/*slave*/ SELECT * FROM t FOR UPDATE").target, RouteTarget::kPrimary);
}

TEST(ReadRouting, ReadWriteTransactionOnPrimaryFromItsFirstStatement) {
  EXPECT_EQ(route("BEGIN").target, RouteTarget::kPrimary);
  EXPECT_EQ(route("START TRANSACTION").target, RouteTarget::kPrimary);
  auto s = split();
  s.in_transaction = true;
  EXPECT_EQ(route("SELECT * FROM t", s).target, RouteTarget::kPrimary);
  EXPECT_EQ(route("SELECT * FROM t", s).reason, RouteReason::kTransaction);
  EXPECT_EQ(route("/*slave*/ SELECT 1", s).target, RouteTarget::kPrimary);
  auto manual = split();
  manual.autocommit = false;  // every statement opens (or continues) a transaction
  EXPECT_EQ(route("SELECT * FROM t", manual).target, RouteTarget::kPrimary);
}

TEST(ReadRouting, ReadOnlyTransactionPinnedToReplica) {
  auto d = route("START TRANSACTION READ ONLY");
  EXPECT_EQ(d.target, RouteTarget::kReplica);
  EXPECT_EQ(d.reason, RouteReason::kReadOnlyTxn);
  auto s = split();
  s.in_read_only_transaction = true;
  EXPECT_EQ(route("SELECT * FROM t", s).target, RouteTarget::kReplica);
  EXPECT_EQ(route("SELECT LAST_INSERT_ID()", s).target, RouteTarget::kReplica);
  EXPECT_EQ(route("COMMIT", s).target, RouteTarget::kReplica);
}

TEST(ReadRouting, ReadOnlyUserWritesRejected) {
  RouteSession s = split();
  s.read_only_user = true;
  for (auto q : {"INSERT INTO t VALUES (1)", "UPDATE t SET a = 1", "DELETE FROM t", "DROP TABLE t",
                 "CREATE TABLE x (a int)", "TRUNCATE t", "LOAD DATA INFILE 'x' INTO TABLE t"}) {
    EXPECT_EQ(route(q, s).target, RouteTarget::kRejectWrite) << q;
    EXPECT_EQ(route(q, s).reason, RouteReason::kReadOnlyUser) << q;
  }
  EXPECT_EQ(route("SELECT 1", s).target, RouteTarget::kReplica);
  EXPECT_EQ(route("SET NAMES utf8mb4", s).target, RouteTarget::kPrimary);
  s.rw_split = false;
  EXPECT_EQ(route("INSERT INTO t VALUES (1)", s).target, RouteTarget::kRejectWrite);
  EXPECT_EQ(route("SELECT 1", s).target, RouteTarget::kPrimary);
}

TEST(ReadConsistencyNames, ParseAndPrint) {
  EXPECT_EQ(parse_read_consistency("session"), ReadConsistency::kSession);
  EXPECT_EQ(parse_read_consistency("GLOBAL"), ReadConsistency::kGlobal);
  EXPECT_EQ(parse_read_consistency("Eventual"), ReadConsistency::kEventual);
  EXPECT_FALSE(parse_read_consistency("strong"));
  EXPECT_FALSE(parse_read_consistency(""));
  EXPECT_EQ(to_string(ReadConsistency::kSession), "SESSION");
}

TEST(ChooseReplica, FollowsWeightsExactly) {
  std::array<ReplicaCandidate, 2> c{};
  c[0].weight = 1;
  c[1].weight = 2;
  std::array<int, 2> hits{};
  for (uint64_t turn = 0; turn < 3000; ++turn) hits[choose_replica(c, {}, turn)]++;
  EXPECT_EQ(hits[0], 1000);
  EXPECT_EQ(hits[1], 2000);
}

TEST(ChooseReplica, SkipsDownLaggingAndUnapplied) {
  std::array<ReplicaCandidate, 3> c{};
  c[0].healthy = false;
  c[1].lag = 30.0;
  c[2].lag = 1.0;
  ReplicaFilter f;
  f.max_lag_seconds = 10;
  for (uint64_t t = 0; t < 10; ++t) EXPECT_EQ(choose_replica(c, f, t), 2);
  c[2].applied = false;
  f.need_applied = true;
  EXPECT_EQ(choose_replica(c, f, 0), -1);  // none qualifies: the caller uses the primary
  f.need_applied = false;
  f.max_lag_seconds = 0;  // no limit
  EXPECT_NE(choose_replica(c, f, 0), 0);
  f.avoid = 2;
  for (uint64_t t = 0; t < 10; ++t) EXPECT_EQ(choose_replica(c, f, t), 1);
}

TEST(ChooseReplica, UnknownLagIsNotExcluded) {
  std::array<ReplicaCandidate, 1> c{};
  c[0].lag = std::nullopt;
  EXPECT_EQ(choose_replica(c, {}, 7), 0);
  std::vector<ReplicaCandidate> none;
  EXPECT_EQ(choose_replica(none, {}, 0), -1);
}

}  // namespace
}  // namespace tessera::session
