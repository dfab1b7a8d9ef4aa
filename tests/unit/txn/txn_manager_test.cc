#include "txn/txn_manager.h"

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>

#include "temp_dir.h"
#include "txn/xid.h"

namespace tessera::txn {
namespace {

std::optional<std::string> decide(TxnManager& m, const std::string& g) {
  asio::io_context io;
  auto f = asio::co_spawn(io, m.decide(g), asio::use_future);
  io.run();
  return f.get();
}

TEST(TxnManager, GtridsAreOursAndUnique) {
  test::TempDir dir;
  TxnManager m("proxy-a", dir.path() / "xa.log");
  std::string a = m.next_gtrid(), b = m.next_gtrid();
  EXPECT_NE(a, b);
  EXPECT_TRUE(owned_by(Xid{a, "s", kFormatId}, m.tag()));
  EXPECT_LE(a.size(), 64u);
}

TEST(TxnManager, RecoveryVerdicts) {
  test::TempDir dir;
  TxnManager m("proxy-a", dir.path() / "xa.log");
  std::string g = m.next_gtrid();
  EXPECT_EQ(m.verdict(g), TxnManager::Verdict::kRollback);  // presumed abort
  m.enter_flight(g);
  EXPECT_EQ(m.verdict(g), TxnManager::Verdict::kLeave);  // a session is committing it
  EXPECT_FALSE(decide(m, g));
  EXPECT_EQ(m.verdict(g), TxnManager::Verdict::kLeave);
  m.leave_flight(g, /*settled=*/false);  // a branch could not be committed
  EXPECT_EQ(m.verdict(g), TxnManager::Verdict::kCommit);
  auto snap = m.snapshot();
  EXPECT_TRUE(snap.decided.count(g));
  m.forget({g});
  EXPECT_EQ(m.verdict(g), TxnManager::Verdict::kRollback);
}

TEST(TxnManager, SettledDecisionsAreNotKept) {
  test::TempDir dir;
  TxnManager m("proxy-a", dir.path() / "xa.log");
  std::string g = m.next_gtrid();
  m.enter_flight(g);
  EXPECT_FALSE(decide(m, g));
  m.leave_flight(g, /*settled=*/true);
  EXPECT_EQ(m.decided_count(), 0u);
}

TEST(TxnManager, DecisionsOutliveTheProcessUntilCompacted) {
  test::TempDir dir;
  std::string kept, settled;
  {
    TxnManager m("proxy-a", dir.path() / "xa.log");
    kept = m.next_gtrid();
    settled = m.next_gtrid();
    m.enter_flight(kept);
    m.enter_flight(settled);
    EXPECT_FALSE(decide(m, kept));
    EXPECT_FALSE(decide(m, settled));
    m.leave_flight(settled, true);
    // "crash" with `kept` still in flight
  }
  {
    TxnManager m("proxy-a", dir.path() / "xa.log");
    // Both records are in the file; until a recovery pass says otherwise both count as decided.
    EXPECT_EQ(m.verdict(kept), TxnManager::Verdict::kCommit);
    EXPECT_EQ(m.verdict(settled), TxnManager::Verdict::kCommit);
    m.forget({settled});
    m.compact_if_worthwhile(/*force=*/true);
    EXPECT_EQ(m.log().records_in_file(), 1u);
  }
  TxnManager m("proxy-a", dir.path() / "xa.log");
  EXPECT_EQ(m.verdict(kept), TxnManager::Verdict::kCommit);
  EXPECT_EQ(m.verdict(settled), TxnManager::Verdict::kRollback);
}

}  // namespace
}  // namespace tessera::txn
