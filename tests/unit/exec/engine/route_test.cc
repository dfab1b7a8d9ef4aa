// Route and Scatter against a fake cursor: the failover and deadlock rules of
// exec/engine/retry_policy.h, applied the same way to a single route and to a scatter.
#include "exec/engine/route.h"

#include <gtest/gtest.h>

#include "exec/engine/fan_out.h"
#include "exec/engine/scatter.h"
#include "fake_cursor.h"

namespace tessera::exec::engine {
namespace {

using testing::answered;
using testing::failed;
using testing::FakeCursor;
using testing::lost;
using testing::rejected;
using Lines = std::vector<std::string>;

StatementTraits write_traits() {
  return StatementTraits{};
}
StatementTraits read_traits() {
  StatementTraits t;
  t.is_read = true;
  return t;
}

Route route_to(const std::string& slice, StatementTraits traits, Role role = Role::kPrimary) {
  return Route(Target{slice, "db_0", role}, "UPDATE t SET a = 1 WHERE id = 7", traits);
}

TEST(Route, AnsweredFinishesOnce) {
  FakeCursor c;
  c.run(route_to("s1", write_traits()));
  EXPECT_EQ(c.log, (Lines{"route s1 UPDATE t SET a = 1 WHERE id = 7", "finish s1"}));
}

TEST(Route, ReadOnlyPrimaryRetriedOnceOnTheNewPrimary) {
  FakeCursor c;
  c.script = {rejected(kErReadOnly), answered()};
  c.run(route_to("s1", write_traits()));
  EXPECT_EQ(c.log, (Lines{"route s1 UPDATE t SET a = 1 WHERE id = 7", "check s1",
                          "settle s1 release", "failover retry 1 after 10.0.0.1:3306",
                          "route s1 UPDATE t SET a = 1 WHERE id = 7", "finish s1"}));
  EXPECT_TRUE(c.errors.empty());
}

TEST(Route, ReadOnlyTwiceIsTheClientsAnswer) {
  FakeCursor c;
  c.script = {rejected(kErReadOnlyMode), rejected(kErReadOnlyMode)};
  c.run(route_to("s1", write_traits()));
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].code, kErReadOnlyMode);
  EXPECT_EQ(c.log.back(), "error s1 1836 (read-only)");
}

TEST(Route, ReadOnlyInsideATransactionEndsIt) {
  FakeCursor c;
  c.retry_allowed = false;
  c.transaction = true;
  c.script = {rejected(kErReadOnly, "10.0.0.9:3306")};
  c.run(route_to("s2", write_traits()));
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.log.back(), "error s2 1290 (transaction lost)");
  EXPECT_NE(c.errors[0].message.find("The primary of slice s2 (10.0.0.9:3306) became read-only "
                                     "during your transaction"),
            std::string::npos)
      << c.errors[0].message;
  EXPECT_NE(c.errors[0].message.find("server says no"), std::string::npos);
}

TEST(Route, LostBeforeSendingIsRetriedOnce) {
  FakeCursor c;
  c.script = {lost(/*sent=*/false), lost(/*sent=*/false)};
  c.run(route_to("s1", write_traits()));
  EXPECT_EQ(c.log, (Lines{"route s1 UPDATE t SET a = 1 WHERE id = 7", "check s1",
                          "settle s1 discard", "failover retry 1 after 10.0.0.1:3306",
                          "route s1 UPDATE t SET a = 1 WHERE id = 7", "check s1", "lost s1"}));
  ASSERT_EQ(c.lost.size(), 1u);
  EXPECT_EQ(c.lost[0], "Connection reset by peer");  // not sent: nothing uncertain to say
}

TEST(Route, WriteLostAfterSendingHasAnUnknownOutcome) {
  FakeCursor c;
  c.script = {lost(/*sent=*/true)};
  c.run(route_to("s1", write_traits()));
  ASSERT_EQ(c.lost.size(), 1u);
  EXPECT_NE(c.lost[0].find("outcome is unknown"), std::string::npos) << c.lost[0];
  EXPECT_EQ(c.log.size(), 3u);  // route, check, lost: no retry
}

TEST(Route, ReadLostAfterSendingRunsAgain) {
  FakeCursor c;
  c.script = {lost(/*sent=*/true), answered()};
  c.run(route_to("s1", read_traits(), Role::kReadSplit));
  EXPECT_EQ(c.log.back(), "finish s1");
  EXPECT_TRUE(c.lost.empty());
}

TEST(Route, NothingIsRetriedOnceTheClientHasBytes) {
  FakeCursor c;
  c.output = true;
  c.script = {lost(/*sent=*/true)};
  c.run(route_to("s1", read_traits()));
  ASSERT_EQ(c.lost.size(), 1u);
  EXPECT_EQ(c.lost[0], "Connection reset by peer");
}

TEST(Route, MultiStatementsAreNeverRetried) {
  FakeCursor c;
  StatementTraits t = read_traits();
  t.multi_statement = true;
  c.script = {lost(/*sent=*/false)};
  c.run(route_to("s1", t));
  EXPECT_EQ(c.lost.size(), 1u);
}

TEST(Route, DeadlockRetriedWithGrowingPauses) {
  FakeCursor c;
  c.script = {rejected(kErDeadlock), rejected(kErDeadlock), answered()};
  c.run(route_to("s1", write_traits()));
  EXPECT_EQ(c.pauses, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(5),
                                                              std::chrono::milliseconds(10)}));
  EXPECT_EQ(c.log.back(), "finish s1");
  EXPECT_EQ(c.log[1], "settle s1 release");  // a deadlock victim's connection is clean
  EXPECT_EQ(c.log[2], "deadlock retry 1 after 10.0.0.1:3306");
}

TEST(Route, DeadlockRetriesRunOut) {
  FakeCursor c;
  c.max_deadlocks = 2;
  c.script = {rejected(kErDeadlock), rejected(kErDeadlock), rejected(kErDeadlock)};
  c.run(route_to("s1", write_traits()));
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.log.back(), "error s1 1213 (deadlock)");
  EXPECT_NE(c.errors[0].message.find("(Tessera retried the statement 2 times)"), std::string::npos);
}

TEST(Route, DeadlockInsideATransactionIsNotRetried) {
  FakeCursor c;
  c.retry_allowed = false;
  c.transaction = true;
  c.script = {rejected(kErDeadlock)};
  c.run(route_to("s1", write_traits()));
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].message, "server says no");
  EXPECT_TRUE(c.pauses.empty());
}

TEST(Route, FailedConnectIsAlreadyAnswered) {
  FakeCursor c;
  c.script = {failed()};
  c.run(route_to("s1", write_traits()));
  EXPECT_EQ(c.log, (Lines{"route s1 UPDATE t SET a = 1 WHERE id = 7"}));
}

TEST(Route, DescribesItself) {
  std::vector<PlanLine> lines;
  route_to("s1", read_traits(), Role::kReadSplit).describe(lines, 0);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].op, "Route");
  EXPECT_EQ(lines[0].slice, "s1");
  EXPECT_EQ(lines[0].db, "db_0");
  EXPECT_EQ(lines[0].detail, "read split");
}

Scatter scatter_over(std::vector<std::string> slices, Role role = Role::kReadSplit,
                     MergeInfo merge = MergeInfo{}) {
  std::vector<Query> qs;
  for (auto& s : slices) qs.push_back(Query{Target{s, "db", role}, "SELECT a FROM t"});
  return Scatter(std::move(qs), role, std::move(merge), read_traits());
}

MergeInfo ordered_by_a() {
  MergeInfo m;
  m.order_by.push_back({0, false});
  m.shard_order.push_back({0, false});
  return m;
}

TEST(Scatter, MergesTheShardsInOrder) {
  FakeCursor c;
  c.shards.resize(2);
  c.shards[0].rows = {testing::text_row("1"), testing::text_row("4")};
  c.shards[1].rows = {testing::text_row("2"), testing::text_row("3")};
  c.run(scatter_over({"s0", "s1"}, Role::kReadSplit, ordered_by_a()));
  EXPECT_EQ(c.sent_rows, (Lines{testing::text_row("1"), testing::text_row("2"),
                                testing::text_row("3"), testing::text_row("4")}));
  EXPECT_EQ(c.log,
            (Lines{"scatter s0 s1 [read split]", "columns 1", "close shards", "end of result"}));
}

TEST(Scatter, LimitStopsEarly) {
  MergeInfo m = ordered_by_a();
  m.limit = 2;
  FakeCursor c;
  c.shards.resize(2);
  c.shards[0].rows = {testing::text_row("1"), testing::text_row("4")};
  c.shards[1].rows = {testing::text_row("2"), testing::text_row("3")};
  c.run(scatter_over({"s0", "s1"}, Role::kPrimary, m));
  EXPECT_EQ(c.sent_rows, (Lines{testing::text_row("1"), testing::text_row("2")}));
}

TEST(Scatter, LostShardBeforeAnyRowRerunsTheWholeRead) {
  FakeCursor c;
  c.script = {lost(/*sent=*/true), answered()};
  c.run(scatter_over({"s0", "s1"}));
  EXPECT_EQ(c.log, (Lines{"scatter s0 s1 [read split]", "check default", "settle default discard",
                          "failover retry 1 after 10.0.0.1:3306", "scatter s0 s1 [read split]",
                          "columns 1", "close shards", "end of result"}));
}

TEST(Scatter, ReadOnlyHeadRerunsTheRead) {
  FakeCursor c;
  c.shards.resize(2);
  c.shards[1].head_error = protocol::ErrPacket(protocol::ErrorCode{kErReadOnly, "HY000"}, "ro");
  c.run(scatter_over({"s0", "s1"}, Role::kPrimary));
  EXPECT_EQ(c.log, (Lines{"scatter s0 s1", "close shards", "check s1", "settle s1 release",
                          "failover retry 1 after ", "scatter s0 s1", "columns 1", "close shards",
                          "end of result"}));
}

TEST(Scatter, DeadlockedShardNamesItsSlice) {
  FakeCursor c;
  c.max_deadlocks = 0;
  c.shards.resize(2);
  c.shards[1].head_error = protocol::ErrPacket(protocol::ErrorCode{kErDeadlock, "40001"}, "dl");
  c.run(scatter_over({"s0", "s1"}));
  EXPECT_EQ(c.log.back(), "error s1 1213 (deadlock)");
}

TEST(Scatter, AnyOtherShardErrorIsTheClientsAnswer) {
  FakeCursor c;
  c.shards.resize(2);
  c.shards[1].head_error =
      protocol::ErrPacket(protocol::ErrorCode{1146, "42S02"}, "Table 'db.t_1' doesn't exist");
  c.run(scatter_over({"s0", "s1"}));
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].message, "Table 'db.t_1' doesn't exist (on slice s1)");
  EXPECT_EQ(c.log.back(), "reply error 1146");
}

TEST(Scatter, DescribesItsRoutes) {
  std::vector<PlanLine> lines;
  scatter_over({"s0", "s1"}).describe(lines, 0);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].op, "Scatter");
  EXPECT_EQ(lines[1].depth, 1);
  EXPECT_EQ(lines[2].slice, "s1");
}

FanOut fan_out_over(std::vector<std::string> slices, bool copies) {
  std::vector<Query> qs;
  for (auto& s : slices) qs.push_back(Query{Target{s, "db", Role::kPrimary}, "DELETE FROM t"});
  FanOutSpec spec;
  spec.writes_copies = copies;
  return FanOut(std::move(qs), spec, write_traits());
}

protocol::OkPacket ok_rows(uint64_t n) {
  protocol::OkPacket ok;
  ok.affected_rows = n;
  return ok;
}

TEST(FanOut, SumsAffectedRows) {
  FakeCursor c;
  c.oks = {ok_rows(2), ok_rows(3)};
  c.run(fan_out_over({"s0", "s1"}, /*copies=*/false));
  EXPECT_EQ(c.log, (Lines{"write s0 DELETE FROM t", "write s1 DELETE FROM t", "ok 5"}));
}

TEST(FanOut, CopiesCountOnce) {
  FakeCursor c;
  c.oks = {ok_rows(1), ok_rows(1), ok_rows(1)};
  c.run(fan_out_over({"s0", "s1", "s2"}, /*copies=*/true));
  EXPECT_EQ(c.log.back(), "ok 1");
}

TEST(FanOut, ReadOnlyTargetIsSentAgainThereOnly) {
  // s0 applied the write; s1's primary turned read-only: s1's write did not happen, so it is
  // sent again to s1's new primary, and s0 is not written twice.
  FakeCursor c;
  c.script = {answered(), rejected(kErReadOnly), answered()};
  c.oks = {ok_rows(1), ok_rows(1)};
  c.run(fan_out_over({"s0", "s1"}, /*copies=*/true));
  EXPECT_EQ(c.log, (Lines{"write s0 DELETE FROM t", "write s1 DELETE FROM t", "check s1",
                          "settle s1 release", "failover retry 1 after 10.0.0.1:3306",
                          "write s1 DELETE FROM t", "ok 1"}));
}

TEST(FanOut, DeadlockedTargetIsRetriedAlone) {
  FakeCursor c;
  c.script = {answered(), rejected(kErDeadlock), answered()};
  c.oks = {ok_rows(4), ok_rows(6)};
  c.run(fan_out_over({"s0", "s1"}, /*copies=*/false));
  EXPECT_EQ(c.pauses.size(), 1u);
  EXPECT_EQ(c.log.back(), "ok 10");
}

TEST(FanOut, ServerErrorNamesWhereItAlreadyApplied) {
  FakeCursor c;
  Attempt dup;
  dup.kind = Attempt::Kind::kServerError;
  dup.error = protocol::ErrPacket(protocol::ErrorCode{1062, "23000"}, "Duplicate entry");
  c.script = {answered(), dup};
  c.run(fan_out_over({"s0", "s1"}, /*copies=*/false));
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].message, "Duplicate entry (on slice s1; already applied on s0:*)");
  EXPECT_EQ(c.log.back(), "fan-out error s1 1062");
}

TEST(FanOut, InsideADistributedTransactionEverythingRollsBack) {
  FakeCursor c;
  c.retry_allowed = false;
  c.transaction = true;
  c.distributed = true;
  c.script = {answered(), rejected(kErDeadlock)};
  c.run(fan_out_over({"s0", "s1"}, /*copies=*/false));
  EXPECT_EQ(c.log.back(), "fan-out error s1 1213 (rolled back)");
  EXPECT_NE(c.errors[0].message.find("rolled back on every slice"), std::string::npos);
}

TEST(FanOut, LostAfterSendingIsReportedNotRepeated) {
  FakeCursor c;
  c.script = {answered(), lost(/*sent=*/true)};
  c.run(fan_out_over({"s0", "s1"}, /*copies=*/false));
  ASSERT_EQ(c.lost.size(), 1u);
  EXPECT_EQ(c.log.back(), "lost s1");
  EXPECT_NE(c.lost[0].find("outcome is unknown"), std::string::npos) << c.lost[0];
  EXPECT_NE(c.lost[0].find("already applied on s0:*"), std::string::npos) << c.lost[0];
}

TEST(FanOut, AtomicWriteRetriesWhole) {
  FakeCursor c;
  c.atomic = true;
  Attempt r = rejected(kErDeadlock);
  r.slice = "s1";
  c.script = {r, answered()};
  c.run(fan_out_over({"s0", "s1"}, /*copies=*/false));
  EXPECT_EQ(c.log, (Lines{"atomic s0 s1", "settle s1 release",
                          "deadlock retry 1 after 10.0.0.1:3306", "atomic s0 s1"}));
}

TEST(FanOut, DescribesItsRoutes) {
  std::vector<PlanLine> lines;
  fan_out_over({"s0", "s1", "s2"}, true).describe(lines, 0);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].detail, "copies");
}

// A primitive that answers for the scatter: records that it ran.
class Answers final : public Primitive {
 public:
  explicit Answers(bool& ran) : ran_(ran) {}
  asio::awaitable<void> run(Cursor&) const override {
    ran_ = true;
    co_return;
  }
  void describe(std::vector<PlanLine>&, int) const override {}

 private:
  bool& ran_;
};

TEST(Scatter, AMergeThatCannotCompareFallsBackBeforeAnyRowIsSent) {
  // DISTINCT over `*` with a string column: the merge learns at the first row that it has no
  // collation to compare by (1235); the statement shipped elsewhere answers instead.
  MergeInfo merge;
  merge.distinct = true;
  merge.unnamed_columns = true;
  Scatter s = scatter_over({"s1", "s2"}, Role::kPrimary, merge);
  bool ran = false;
  s.set_fallback(std::make_shared<Answers>(ran));
  FakeCursor c;
  c.head_columns = {protocol::ColumnDefinition::text("s")};
  c.shards.resize(2);
  c.shards[0].rows = {testing::text_row("x")};
  c.run(s);
  EXPECT_TRUE(ran);
  EXPECT_TRUE(c.errors.empty());
  EXPECT_TRUE(c.sent_rows.empty());
  EXPECT_NE(std::find(c.log.begin(), c.log.end(), "result abandoned"), c.log.end());
  // Without one, the client gets the refusal.
  Scatter plain = scatter_over({"s1", "s2"}, Role::kPrimary, merge);
  FakeCursor d;
  d.head_columns = {protocol::ColumnDefinition::text("s")};
  d.shards.resize(2);
  d.shards[0].rows = {testing::text_row("x")};
  d.run(plain);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].code, 1235);
}

}  // namespace
}  // namespace tessera::exec::engine
