// The planner's merge description resolved against the shards' real column count.
#include "exec/engine/merge_resolve.h"

#include <gtest/gtest.h>

namespace tessera::exec::engine {
namespace {

TEST(MergeResolve, HiddenPositionsCountFromTheVisibleColumnsEnd) {
  // SELECT * ... ORDER BY a: the planner cannot know how many columns `*` has, so the sort
  // key and the collation column it appended are numbered from the first hidden column.
  MergeInfo m;
  m.hidden_columns = 2;
  m.order_by.push_back({kHiddenBase + 0, true});
  m.collation_columns.emplace_back(kHiddenBase + 0, kHiddenBase + 1);
  m.limit = 10;
  MergeLimits limits;
  limits.max_result_rows = 500;
  auto spec = resolve_merge(m, /*total_columns=*/7, limits);
  ASSERT_TRUE(spec) << spec.error().message;
  ASSERT_EQ(spec->order_by.size(), 1u);
  EXPECT_EQ(spec->order_by[0].column, 5u);
  EXPECT_TRUE(spec->order_by[0].descending);
  EXPECT_EQ(spec->collation_columns[0], (std::pair<size_t, size_t>{5, 6}));
  EXPECT_EQ(spec->limit, std::optional<uint64_t>(10));
  EXPECT_EQ(spec->max_result_rows, 500u);
  EXPECT_EQ(spec->hidden_columns, 2u);
}

TEST(MergeResolve, AggregatesKeepTheirKindAndColumns) {
  MergeInfo m;
  m.grouped = true;
  m.group_by = {0};
  AggregateColumn avg;
  avg.column = 1;
  avg.kind = AggregateKind::kAvg;
  avg.sum_column = kHiddenBase;
  avg.count_column = kHiddenBase + 1;
  m.aggregates.push_back(avg);
  m.hidden_columns = 2;
  auto spec = resolve_merge(m, 4, MergeLimits{});
  ASSERT_TRUE(spec);
  ASSERT_EQ(spec->aggregates.size(), 1u);
  EXPECT_EQ(spec->aggregates[0].kind, AggregateKind::kAvg);
  EXPECT_EQ(spec->aggregates[0].sum_column, 2u);
  EXPECT_EQ(spec->aggregates[0].count_column, 3u);
}

TEST(MergeResolve, FewerColumnsThanPlannedIsAnError) {
  MergeInfo m;
  m.hidden_columns = 3;
  auto spec = resolve_merge(m, 2, MergeLimits{});
  ASSERT_FALSE(spec);
  EXPECT_NE(spec.error().message.find("fewer columns"), std::string::npos);
}

TEST(MergeResolve, HavingOverAColumnAndALiteral) {
  // HAVING c > 5 with c mapped to result column 1.
  sql::ColumnRef c;
  sql::Literal five;
  five.literal_kind = sql::LiteralKind::Integer;
  five.text = "5";
  sql::Binary gt;
  gt.op = sql::BinaryOp::Gt;
  gt.left = &c;
  gt.right = &five;
  MergeInfo m;
  m.grouped = true;
  m.having.expr = &gt;
  m.having.columns.emplace_back(&c, 1);
  auto spec = resolve_merge(m, 2, MergeLimits{});
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_TRUE(spec->having.has_value());
}

TEST(MergeResolve, HavingTheMergeCannotEvaluateIsRefused) {
  // What the merge has no value for (a column the planner did not map): 1235, never a wrong
  // answer.
  sql::ColumnRef unmapped;  // a column the planner did not map to a result column
  MergeInfo m;
  m.grouped = true;
  m.having.expr = &unmapped;
  auto spec = resolve_merge(m, 1, MergeLimits{});
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error().code.code, 1235);
}

}  // namespace
}  // namespace tessera::exec::engine
