#include "session/login_guard.h"

#include <gtest/gtest.h>

namespace tessera::session {
namespace {

using std::chrono::seconds;
using Clock = LoginThrottle::Clock;

TEST(LoginThrottle, BlocksThePairAfterTheLimitForTheBlockTime) {
  LoginThrottle t;
  t.configure(3, seconds(60));
  auto now = Clock::now();
  EXPECT_FALSE(t.failed("10.0.0.1", "app", now));
  EXPECT_FALSE(t.failed("10.0.0.1", "app", now));
  EXPECT_EQ(t.blocked_for("10.0.0.1", "app", now).count(), 0);
  EXPECT_TRUE(t.failed("10.0.0.1", "app", now));
  EXPECT_EQ(t.blocked_for("10.0.0.1", "app", now + seconds(1)), seconds(59));
  // other users from that address, and that user from elsewhere, are not affected
  EXPECT_EQ(t.blocked_for("10.0.0.1", "other", now).count(), 0);
  EXPECT_EQ(t.blocked_for("10.0.0.2", "app", now).count(), 0);
  EXPECT_EQ(t.blocked_for("10.0.0.1", "app", now + seconds(61)).count(), 0);
}

TEST(LoginThrottle, SuccessAndTimeForgetFailures) {
  LoginThrottle t;
  t.configure(2, seconds(10));
  auto now = Clock::now();
  EXPECT_FALSE(t.failed("ip", "u", now));
  t.succeeded("ip", "u");
  EXPECT_FALSE(t.failed("ip", "u", now));                // counting starts again
  EXPECT_FALSE(t.failed("ip", "u", now + seconds(11)));  // the earlier failure expired
  EXPECT_TRUE(t.failed("ip", "u", now + seconds(12)));
}

TEST(LoginThrottle, ZeroLimitNeverBlocks) {
  LoginThrottle t;
  t.configure(0, seconds(10));
  auto now = Clock::now();
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(t.failed("ip", "u", now));
  EXPECT_EQ(t.blocked_for("ip", "u", now).count(), 0);
  EXPECT_EQ(t.entries(), 0u);
}

TEST(LoginThrottle, MemoryIsBounded) {
  LoginThrottle t;
  t.configure(1, seconds(60), 100);
  auto now = Clock::now();
  EXPECT_TRUE(t.failed("attacker", "victim", now));
  for (int i = 0; i < 10000; ++i) t.failed("ip", "user" + std::to_string(i), now);
  EXPECT_LE(t.entries(), 100u);
  // the oldest entries went first; a fresh block of the newest user is still there
  EXPECT_GT(t.blocked_for("ip", "user9999", now).count(), 0);
}

TEST(ConnectionLimits, TotalAndPerIp) {
  ConnectionLimits l;
  l.configure(3, 2);
  EXPECT_EQ(l.admit("a"), ConnectionLimits::Verdict::kOk);
  EXPECT_EQ(l.admit("a"), ConnectionLimits::Verdict::kOk);
  EXPECT_EQ(l.admit("a"), ConnectionLimits::Verdict::kTooManyFromIp);
  EXPECT_EQ(l.admit("b"), ConnectionLimits::Verdict::kOk);
  EXPECT_EQ(l.admit("c"), ConnectionLimits::Verdict::kTooManyTotal);
  EXPECT_EQ(l.total(), 3u);
  l.release("a");
  EXPECT_EQ(l.from("a"), 1u);
  EXPECT_EQ(l.admit("c"), ConnectionLimits::Verdict::kOk);
  l.release("a");
  l.release("b");
  l.release("c");
  EXPECT_EQ(l.total(), 0u);
  EXPECT_EQ(l.from("a"), 0u);
}

TEST(ConnectionLimits, ZeroMeansUnlimited) {
  ConnectionLimits l;
  l.configure(0, 0);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(l.admit("a"), ConnectionLimits::Verdict::kOk);
  EXPECT_EQ(l.total(), 1000u);
}

}  // namespace
}  // namespace tessera::session
