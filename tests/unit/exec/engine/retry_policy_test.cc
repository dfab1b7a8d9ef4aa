// The retry rules as a pure function: every combination of what happened and what the session
// allows, without a server.
#include "exec/engine/retry_policy.h"

#include <gtest/gtest.h>

namespace tessera::exec::engine {
namespace {

Attempt make(Attempt::Kind kind, uint16_t code = 0, bool sent = false) {
  Attempt a;
  a.kind = kind;
  a.error = protocol::ErrPacket(protocol::ErrorCode{code, "HY000"}, "m");
  a.sent = sent;
  a.instance = "h:1";
  return a;
}

RetryFacts allowed() {
  RetryFacts f;
  f.may_retry = true;
  f.max_deadlock_retries = 3;
  return f;
}

TEST(RetryPolicy, LostAndRejectedAskForATopologyCheck) {
  RetryState st;
  EXPECT_TRUE(
      decide_after(make(Attempt::Kind::kLost), {}, allowed(), st, false, "s").check_topology);
  RetryState st2;
  EXPECT_TRUE(
      decide_after(make(Attempt::Kind::kRejected, kErReadOnly), {}, allowed(), st2, false, "s")
          .check_topology);
  RetryState st3;
  // A deadlock says nothing about the topology.
  EXPECT_FALSE(
      decide_after(make(Attempt::Kind::kRejected, kErDeadlock), {}, allowed(), st3, false, "s")
          .check_topology);
}

TEST(RetryPolicy, OneFailoverRetryPerStatement) {
  RetryState st;
  auto d1 =
      decide_after(make(Attempt::Kind::kRejected, kErReadOnly), {}, allowed(), st, false, "s");
  EXPECT_EQ(d1.next, Decision::Next::kRetry);
  auto d2 = decide_after(make(Attempt::Kind::kLost), {}, allowed(), st, false, "s");
  EXPECT_EQ(d2.next, Decision::Next::kReportLost);  // the one retry is spent
}

TEST(RetryPolicy, SessionBoundStatementsAreNotRetried) {
  RetryFacts f = allowed();
  f.may_retry = false;
  RetryState st;
  EXPECT_EQ(decide_after(make(Attempt::Kind::kLost), {}, f, st, false, "s").next,
            Decision::Next::kReportLost);
  EXPECT_EQ(decide_after(make(Attempt::Kind::kRejected, kErDeadlock), {}, f, st, false, "s").next,
            Decision::Next::kReportError);
}

TEST(RetryPolicy, DeadlockPausesDouble) {
  RetryState st;
  std::vector<int64_t> pauses;
  for (int i = 0; i < 3; ++i) {
    auto d =
        decide_after(make(Attempt::Kind::kRejected, kErDeadlock), {}, allowed(), st, false, "s");
    ASSERT_EQ(d.next, Decision::Next::kRetry);
    pauses.push_back(d.pause.count());
  }
  EXPECT_EQ(pauses, (std::vector<int64_t>{5, 10, 20}));
  auto last =
      decide_after(make(Attempt::Kind::kRejected, kErDeadlock), {}, allowed(), st, false, "s");
  EXPECT_EQ(last.next, Decision::Next::kReportError);
  EXPECT_EQ(last.failure, Failure::kDeadlock);
}

TEST(RetryPolicy, OnlyRetryableCodesAreKeptFromTheClient) {
  EXPECT_TRUE(is_retryable_rejection(1290));
  EXPECT_TRUE(is_retryable_rejection(1836));
  EXPECT_TRUE(is_retryable_rejection(1213));
  EXPECT_FALSE(
      is_retryable_rejection(1205));  // lock wait timeout: only the statement is rolled back
  EXPECT_FALSE(is_retryable_rejection(1062));
}

}  // namespace
}  // namespace tessera::exec::engine
