// SequenceFetch, SchemaFetch and TransactionControl against a fake cursor: a sequence's refill
// (a table's columns read) is followed by a second plan (and nothing when it was refused); a
// transaction statement the session's distributed transaction answers never reaches the default
// slice, one it leaves runs there as a Route (with that Route's retries).
#include <gtest/gtest.h>

#include <memory>

#include "exec/engine/route.h"
#include "exec/engine/schema_fetch.h"
#include "exec/engine/sequence_fetch.h"
#include "exec/engine/transaction_control.h"
#include "fake_cursor.h"

namespace tessera::exec::engine {
namespace {

using testing::FakeCursor;
using testing::rejected;
using Lines = std::vector<std::string>;

TEST(SequenceFetch, ReservesThenPlansAgain) {
  FakeCursor c;
  c.run(SequenceFetch("db_ks.t_seq"));
  EXPECT_EQ(c.log, (Lines{"reserve ids db_ks.t_seq", "plan again"}));
}

TEST(SequenceFetch, RefusedReservationStops) {
  FakeCursor c;
  c.reserve_ok = false;
  c.run(SequenceFetch("db_ks.t_seq"));
  EXPECT_EQ(c.log, (Lines{"reserve ids db_ks.t_seq"}));
}

TEST(SequenceFetch, Describes) {
  std::vector<PlanLine> lines;
  SequenceFetch("db_ks.t_seq").describe(lines, 0);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].op, "SequenceFetch");
  EXPECT_NE(lines[0].detail.find("db_ks.t_seq"), std::string::npos);
}

// A table's columns are read, then the statement is planned again; a failed read (the cursor
// told the client) plans nothing.
TEST(SchemaFetch, LoadsThenPlansAgain) {
  FakeCursor c;
  c.run(SchemaFetch("db_ks.tbl_ks"));
  EXPECT_EQ(c.log, (Lines{"load schema db_ks.tbl_ks", "plan again"}));
}

TEST(SchemaFetch, FailedLoadStops) {
  FakeCursor c;
  c.load_ok = false;
  c.run(SchemaFetch("db_ks.tbl_ks"));
  EXPECT_EQ(c.log, (Lines{"load schema db_ks.tbl_ks"}));
  std::vector<PlanLine> lines;
  SchemaFetch("db_ks.tbl_ks").describe(lines, 0);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].op, "SchemaFetch");
  EXPECT_NE(lines[0].detail.find("db_ks.tbl_ks"), std::string::npos);
}

std::shared_ptr<const Primitive> default_route(std::string_view sql) {
  StatementTraits traits;
  return std::make_shared<Route>(Route::Borrow{}, Target{}, sql, traits);
}

TEST(TransactionControl, DistributedTransactionAnswersItself) {
  FakeCursor c;
  c.control_answers = true;
  c.run(TransactionControl(TransactionStatement::kCommit, "COMMIT", default_route("COMMIT")));
  EXPECT_EQ(c.log, (Lines{"control commit COMMIT"}));
}

TEST(TransactionControl, WhatItLeavesRunsOnTheDefaultSlice) {
  FakeCursor c;
  c.run(TransactionControl(TransactionStatement::kRollback, "ROLLBACK", default_route("ROLLBACK")));
  EXPECT_EQ(c.log,
            (Lines{"control rollback ROLLBACK", "route default ROLLBACK", "finish default"}));
}

TEST(TransactionControl, TheDefaultRouteKeepsItsRetries) {
  // A COMMIT refused by a primary that turned read-only, outside any transaction the session
  // still holds (autocommit): retried once on the new primary, as any Route.
  FakeCursor c;
  c.script = {rejected(kErReadOnly)};
  c.run(TransactionControl(TransactionStatement::kBegin, "BEGIN", default_route("BEGIN")));
  EXPECT_EQ(c.log, (Lines{"control begin BEGIN", "route default BEGIN", "check default",
                          "settle default release", "failover retry 1 after 10.0.0.1:3306",
                          "route default BEGIN", "finish default"}));
}

TEST(TransactionControl, DescribesItsDefaultRoute) {
  std::vector<PlanLine> lines;
  TransactionControl(TransactionStatement::kXa, "XA START 'x'", default_route("XA START 'x'"))
      .describe(lines, 0);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].op, "TransactionControl");
  EXPECT_EQ(lines[1].op, "Route");
  EXPECT_EQ(lines[1].depth, 1);
}

}  // namespace
}  // namespace tessera::exec::engine
