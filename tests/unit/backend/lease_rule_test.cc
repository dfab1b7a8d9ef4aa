// The rule that ends every use of a leased backend connection (backend/lease_rule.h), as a
// pure function of the connection's flags and the session's facts.
#include "backend/lease_rule.h"

#include <gtest/gtest.h>

namespace tessera::backend {
namespace {

LeaseEnd end(ConnectionFacts c, SessionFacts s) {
  return end_of_use(c, s);
}

TEST(LeaseRule, CleanConnectionNobodyNeedsGoesBackToThePool) {
  EXPECT_EQ(end({}, {}), LeaseEnd::kRelease);
}

TEST(LeaseRule, EachReasonToKeepKeeps) {
  EXPECT_EQ(end({.in_transaction = true}, {}), LeaseEnd::kKeep);
  EXPECT_EQ(end({}, {.in_transaction = true}), LeaseEnd::kKeep);
  EXPECT_EQ(end({}, {.pinned = true}), LeaseEnd::kKeep);
  EXPECT_EQ(end({}, {.keep_for_diagnostics = true}), LeaseEnd::kKeep);
}

TEST(LeaseRule, GoneClientClosesWhateverTiesTheSession) {
  // A statement killed half-way may have left anything: never handed to another session,
  // not even kept for a transaction nobody will finish.
  SessionFacts all{
      .client_gone = true, .in_transaction = true, .pinned = true, .keep_for_diagnostics = true};
  EXPECT_EQ(end({}, {.client_gone = true}), LeaseEnd::kDiscard);
  EXPECT_EQ(end({.in_transaction = true}, all), LeaseEnd::kDiscard);
}

TEST(LeaseRule, StateNotProvablyCleanIsClosedEvenWhenPinned) {
  EXPECT_EQ(end({.state_unknown = true}, {}), LeaseEnd::kDiscard);
  EXPECT_EQ(end({.in_transaction = true, .state_unknown = true}, {.pinned = true}),
            LeaseEnd::kDiscard);
}

TEST(LeaseRule, BrokenConnectionIsClosedUnlessATransactionOrPinNeedsTheError) {
  EXPECT_EQ(end({.unusable = true}, {}), LeaseEnd::kDiscard);
  // Diagnostics cannot be read from a broken connection: not worth keeping it.
  EXPECT_EQ(end({.unusable = true}, {.keep_for_diagnostics = true}), LeaseEnd::kDiscard);
  // A transaction or pin keeps it, so the session's next statement fails on it (2013) rather
  // than running on a fresh connection outside its transaction or without its pinned state.
  EXPECT_EQ(end({.in_transaction = true, .unusable = true}, {}), LeaseEnd::kKeep);
  EXPECT_EQ(end({.unusable = true}, {.in_transaction = true}), LeaseEnd::kKeep);
  EXPECT_EQ(end({.unusable = true}, {.pinned = true}), LeaseEnd::kKeep);
}

TEST(LeaseRule, StatementOnlyLeaseIsNeverKept) {
  // A scatter part's own lease ends with its statement: a transaction the statement opened
  // there (autocommit=0) or a pin closes it rather than handing it on; diagnostics alone do
  // not keep it from the pool.
  const SessionFacts once{.statement_only = true};
  EXPECT_EQ(end({}, once), LeaseEnd::kRelease);
  EXPECT_EQ(end({.in_transaction = true}, once), LeaseEnd::kDiscard);
  EXPECT_EQ(end({}, {.in_transaction = true, .statement_only = true}), LeaseEnd::kDiscard);
  EXPECT_EQ(end({}, {.pinned = true, .statement_only = true}), LeaseEnd::kDiscard);
  EXPECT_EQ(end({}, {.keep_for_diagnostics = true, .statement_only = true}), LeaseEnd::kRelease);
  // Stopped mid-result (its response not read to the end) or broken: closed.
  EXPECT_EQ(end({.unusable = true}, once), LeaseEnd::kDiscard);
  EXPECT_EQ(end({.unusable = true}, {.keep_for_diagnostics = true, .statement_only = true}),
            LeaseEnd::kDiscard);
  EXPECT_EQ(end({}, {.client_gone = true, .statement_only = true}), LeaseEnd::kDiscard);
}

TEST(LeaseRule, NoCombinationReleasesAConnectionSomethingTiesOrSpoiled) {
  // Over every combination of the facts: released only when nothing at all is set (for a
  // statement-only lease: nothing but diagnostics), a gone client or an unknown state always
  // closes, and a statement-only lease is never kept.
  for (unsigned bits = 0; bits < (1u << 8); ++bits) {
    ConnectionFacts c{.in_transaction = bool(bits & 1),
                      .unusable = bool(bits & 2),
                      .state_unknown = bool(bits & 4)};
    SessionFacts s{.client_gone = bool(bits & 8),
                   .in_transaction = bool(bits & 16),
                   .pinned = bool(bits & 32),
                   .keep_for_diagnostics = bool(bits & 64),
                   .statement_only = bool(bits & 128)};
    LeaseEnd e = end_of_use(c, s);
    SCOPED_TRACE(bits);
    const unsigned ties = bits & (s.statement_only ? 63u : 127u);
    EXPECT_EQ(e == LeaseEnd::kRelease, ties == 0);
    if (s.client_gone || c.state_unknown) {
      EXPECT_EQ(e, LeaseEnd::kDiscard);
    }
    if (s.statement_only) {
      EXPECT_NE(e, LeaseEnd::kKeep);
    }
  }
}

TEST(LeaseRule, NamesItsDecisions) {
  EXPECT_EQ(to_string(LeaseEnd::kKeep), "keep");
  EXPECT_EQ(to_string(LeaseEnd::kRelease), "release");
  EXPECT_EQ(to_string(LeaseEnd::kDiscard), "discard");
}

}  // namespace
}  // namespace tessera::backend
