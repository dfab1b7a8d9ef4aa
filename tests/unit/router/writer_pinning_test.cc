#include "router/writer_pinning.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace tessera::router {
namespace {

std::vector<std::string> keys(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(writer_key("db", "t" + std::to_string(i)));
  return out;
}

TEST(WriterPinning, KeyIsLowerCaseSchemaDotTable) {
  EXPECT_EQ(writer_key("DB_ks", "Tbl_A"), "db_ks.tbl_a");
}

TEST(WriterPinning, NoLiveWriter) {
  EXPECT_EQ(pick_writer("db.t", {}), -1);
}

TEST(WriterPinning, SpreadsTablesOverWriters) {
  std::vector<std::string> writers{"10.0.0.1:3306", "10.0.0.2:3306", "10.0.0.3:3306"};
  std::vector<int> count(3);
  for (const auto& k : keys(3000)) count[pick_writer(k, writers)]++;
  for (int c : count) EXPECT_NEAR(c, 1000, 150);
}

TEST(WriterPinning, OrderOfWritersDoesNotMatter) {
  std::vector<std::string> a{"10.0.0.1:3306", "10.0.0.2:3306", "10.0.0.3:3306"};
  std::vector<std::string> b{"10.0.0.3:3306", "10.0.0.1:3306", "10.0.0.2:3306"};
  for (const auto& k : keys(500)) EXPECT_EQ(a[pick_writer(k, a)], b[pick_writer(k, b)]) << k;
}

// Only the dead writer's tables move, and they come back when it returns.
TEST(WriterPinning, DeadWritersTablesMoveOthersStay) {
  std::vector<std::string> all{"10.0.0.1:3306", "10.0.0.2:3306", "10.0.0.3:3306"};
  std::vector<std::string> without2{"10.0.0.1:3306", "10.0.0.3:3306"};
  int moved = 0;
  for (const auto& k : keys(1000)) {
    std::string before = all[pick_writer(k, all)];
    std::string during = without2[pick_writer(k, without2)];
    if (before == "10.0.0.2:3306") {
      ++moved;
    } else {
      EXPECT_EQ(before, during) << k;
    }
    EXPECT_EQ(all[pick_writer(k, all)], before);
  }
  EXPECT_GT(moved, 250);
  EXPECT_LT(moved, 420);
}

TEST(WriterPinning, ConfiguredMappingWinsWhileItsWriterLives) {
  std::vector<std::string> writers{"a:1", "b:1"};
  std::map<std::string, std::string> map;
  // find a key the hash puts on a:1, then pin it to b:1
  std::string key;
  for (const auto& k : keys(100)) {
    if (pick_writer(k, writers) == 0) {
      key = k;
      break;
    }
  }
  ASSERT_FALSE(key.empty());
  map[key] = "b:1";
  EXPECT_EQ(pick_writer(key, writers, map), 1);
  std::vector<std::string> only_a{"a:1"};
  EXPECT_EQ(pick_writer(key, only_a, map), 0);  // b is down: the table still has a writer
}

}  // namespace
}  // namespace tessera::router
