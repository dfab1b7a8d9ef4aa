#include "exec/shard_merge.h"

#include <gtest/gtest.h>

#include "exec_test_util.h"

namespace tessera::exec {
namespace {

using testing::Cells;
using testing::kNull;

RowComparator by_int(bool desc = false) {
  return RowComparator({SortKey{0, desc}}, {ValueType::of(testing::int_col())});
}

// Drives a merge to the end, answering wants() from `shards`.
template <typename Merge>
std::vector<std::string> drain(Merge& m, const std::vector<std::vector<std::string>>& shards,
                               size_t* max_pending = nullptr) {
  std::vector<size_t> pos(shards.size(), 0);
  std::vector<bool> finished(shards.size(), false);
  std::vector<std::string> out;
  size_t offered_not_emitted = 0;
  Row r;
  while (true) {
    if (m.next(r)) {
      out.emplace_back(r.cell(0));
      --offered_not_emitted;
      continue;
    }
    if (m.done()) break;
    auto w = m.wants();
    EXPECT_TRUE(w);
    if (!w) break;
    size_t s = *w;
    if (s == kAnyShard) {
      s = 0;
      while (finished[s]) ++s;
    }
    if (pos[s] < shards[s].size()) {
      EXPECT_TRUE(m.offer(s, Row::of({shards[s][pos[s]++]})).ok());
      ++offered_not_emitted;
      if (max_pending) *max_pending = std::max(*max_pending, offered_not_emitted);
    } else {
      finished[s] = true;
      EXPECT_TRUE(m.finish(s).ok());
    }
  }
  return out;
}

TEST(OrderedMerge, MergesUnevenStreamsWithEmptyShards) {
  OrderedMerge m(4, by_int());
  size_t max_pending = 0;
  auto out =
      drain(m, {{"1", "4", "9", "10", "11"}, {}, {"-3", "5"}, {"2", "2", "100"}}, &max_pending);
  EXPECT_EQ(out, (std::vector<std::string>{"-3", "1", "2", "2", "4", "5", "9", "10", "11", "100"}));
  EXPECT_LE(max_pending, 4u);  // never more than one row per shard
}

TEST(OrderedMerge, DescendingWithNullsLast) {
  RowComparator cmp({SortKey{0, true}}, {ValueType::of(testing::int_col())});
  OrderedMerge m(2, cmp);
  std::vector<size_t> pos(2, 0);
  std::vector<std::vector<Cells>> shards{{{"5"}, {"1"}, {kNull}}, {{"7"}, {kNull}}};
  std::vector<Cells> out;
  Row r;
  while (!m.done()) {
    if (m.next(r)) {
      out.push_back(testing::cells_of(r));
      continue;
    }
    size_t s = *m.wants();
    if (pos[s] < shards[s].size()) {
      ASSERT_TRUE(m.offer(s, Row::of(shards[s][pos[s]++])).ok());
    } else {
      ASSERT_TRUE(m.finish(s).ok());
    }
  }
  EXPECT_EQ(out, (std::vector<Cells>{{"7"}, {"5"}, {"1"}, {kNull}, {kNull}}));
}

TEST(OrderedMerge, AllShardsEmpty) {
  OrderedMerge m(3, by_int());
  EXPECT_TRUE(drain(m, {{}, {}, {}}).empty());
  EXPECT_TRUE(m.done());
}

TEST(OrderedMerge, TiesKeepShardOrder) {
  RowComparator cmp({SortKey{0, false}},
                    {ValueType::of(testing::text_col()), ValueType::of(testing::text_col())});
  OrderedMerge m(2, cmp);
  ASSERT_TRUE(m.offer(0, Row::of({"a", "first"})).ok());
  ASSERT_TRUE(m.offer(1, Row::of({"A", "second"})).ok());
  Row r;
  ASSERT_TRUE(m.next(r));
  EXPECT_EQ(r.cell(1), "first");
  EXPECT_EQ(m.wants(), 0u);  // the shard just emitted must refill before anything else
  EXPECT_FALSE(m.next(r));
}

TEST(OrderedMerge, RejectsMisuse) {
  OrderedMerge m(2, by_int());
  EXPECT_EQ(m.wants(), 0u);
  ASSERT_TRUE(m.offer(0, Row::of({"1"})).ok());
  EXPECT_FALSE(m.offer(0, Row::of({"2"})).ok());  // shard 0 already has a row waiting
  EXPECT_FALSE(m.finish(0).ok());
  EXPECT_FALSE(m.offer(5, Row::of({"2"})).ok());
  ASSERT_TRUE(m.finish(1).ok());
  EXPECT_FALSE(m.finish(1).ok());
}

TEST(Concatenation, TakesRowsFromAnyShard) {
  Concatenation c(3);
  EXPECT_EQ(c.wants(), kAnyShard);
  auto out = drain(c, {{"3", "1"}, {}, {"2"}});
  EXPECT_EQ(out, (std::vector<std::string>{"3", "1", "2"}));
  EXPECT_FALSE(c.wants());
}

TEST(Concatenation, RejectsRowsAfterFinish) {
  Concatenation c(1);
  ASSERT_TRUE(c.finish(0).ok());
  EXPECT_FALSE(c.offer(0, Row::of({"1"})).ok());
  EXPECT_TRUE(c.done());
}

}  // namespace
}  // namespace tessera::exec
