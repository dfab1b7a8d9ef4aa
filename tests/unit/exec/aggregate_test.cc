#include "exec/aggregate.h"

#include <gtest/gtest.h>

#include "exec/group_merge.h"
#include "exec_test_util.h"

namespace tessera::exec {
namespace {

using testing::Cells;
using testing::kNull;

// Runs one group (no GROUP BY) over partial rows and returns the merged row.
Cells one_group(std::vector<AggregateSpec> aggs, std::vector<protocol::ColumnDefinition> cols,
                const std::vector<Cells>& rows, size_t concat_max = 1024) {
  auto ctx = std::make_shared<AggregateContext>(std::move(aggs), std::move(cols), concat_max);
  GroupMerge g(ctx, {}, false, 0);
  for (const auto& r : rows) EXPECT_TRUE(g.add(Row::of(r)).ok());
  g.finish();
  Row out;
  EXPECT_TRUE(g.next(out));
  Row extra;
  EXPECT_FALSE(g.next(extra));  // exactly one row
  return testing::cells_of(out);
}

AggregateSpec agg(AggregateKind kind, size_t column) {
  AggregateSpec a;
  a.kind = kind;
  a.column = column;
  return a;
}

TEST(Aggregate, CountSumsPartialCounts) {
  auto r = one_group({agg(AggregateKind::kCount, 0)}, {testing::int_col()}, {{"3"}, {"0"}, {"7"}});
  EXPECT_EQ(r, (Cells{"10"}));
  EXPECT_EQ(one_group({agg(AggregateKind::kCount, 0)}, {testing::int_col()}, {}), (Cells{"0"}));
}

TEST(Aggregate, SumIsExactForDecimals) {
  auto r = one_group({agg(AggregateKind::kSum, 0)}, {testing::decimal_col(2)},
                     {{"0.10"}, {"0.20"}, {kNull}, {"-1.05"}});
  EXPECT_EQ(r, (Cells{"-0.75"}));
  r = one_group({agg(AggregateKind::kSum, 0)}, {testing::decimal_col(0)},
                {{"9223372036854775807"}, {"9223372036854775807"}});
  EXPECT_EQ(r, (Cells{"18446744073709551614"}));
}

TEST(Aggregate, SumOfDoublesAndAllNull) {
  EXPECT_EQ(one_group({agg(AggregateKind::kSum, 0)}, {testing::double_col()}, {{"1.5"}, {"2.25"}}),
            (Cells{"3.75"}));
  EXPECT_EQ(one_group({agg(AggregateKind::kSum, 0)}, {testing::decimal_col(2)}, {{kNull}, {kNull}}),
            (Cells{kNull}));
  EXPECT_EQ(one_group({agg(AggregateKind::kSum, 0)}, {testing::decimal_col(2)}, {}),
            (Cells{kNull}));
}

TEST(Aggregate, MinMaxByColumnType) {
  std::vector<Cells> rows{{"9", "b"}, {"10", "A"}, {kNull, kNull}, {"-3", "C"}};
  auto r = one_group({agg(AggregateKind::kMin, 0), agg(AggregateKind::kMax, 1)},
                     {testing::int_col(), testing::text_col()}, rows);
  EXPECT_EQ(r, (Cells{"-3", "C"}));
  r = one_group({agg(AggregateKind::kMax, 0), agg(AggregateKind::kMin, 1)},
                {testing::int_col(), testing::text_col()}, rows);
  EXPECT_EQ(r, (Cells{"10", "A"}));
  r = one_group({agg(AggregateKind::kMin, 0)}, {testing::int_col()}, {{kNull}});
  EXPECT_EQ(r, (Cells{kNull}));
}

TEST(Aggregate, AvgFromHiddenSumAndCount) {
  AggregateSpec avg = agg(AggregateKind::kAvg, 0);
  avg.sum_column = 1;
  avg.count_column = 2;
  // AVG(int) is DECIMAL with 4 decimals: (1+2+2)/3 = 1.6667 (half away from zero).
  std::vector<protocol::ColumnDefinition> cols{testing::decimal_col(4), testing::decimal_col(0),
                                               testing::int_col()};
  auto r =
      one_group({avg}, cols, {{"1.5000", "3", "2"}, {"2.0000", "2", "1"}, {kNull, kNull, "0"}});
  // The hidden SUM and COUNT carry the group's totals (an expression over AVG reads them).
  EXPECT_EQ(r, (Cells{"1.6667", "5", "3"}));
  r = one_group({avg}, cols, {{"-1.0000", "-1", "3"}, {kNull, kNull, "0"}});
  EXPECT_EQ(r, (Cells{"-0.3333", "-1", "3"}));
  EXPECT_EQ(one_group({avg}, cols, {})[0], kNull);
  EXPECT_EQ(one_group({avg}, cols, {{kNull, kNull, "0"}})[0], kNull);
  // Of doubles: a double.
  std::vector<protocol::ColumnDefinition> dcols{testing::double_col(), testing::double_col(),
                                                testing::int_col()};
  EXPECT_EQ(one_group({avg}, dcols, {{"1", "1.5", "1"}, {"2", "2", "2"}})[0], "1.1666666666666667");
}

TEST(Aggregate, GroupConcatJoinsAndTruncates) {
  AggregateSpec gc = agg(AggregateKind::kGroupConcat, 0);
  gc.separator = "|";
  EXPECT_EQ(one_group({gc}, {testing::text_col()}, {{"a,b"}, {kNull}, {"c"}}), (Cells{"a,b|c"}));
  EXPECT_EQ(one_group({gc}, {testing::text_col()}, {{"abc"}, {"def"}}, 5), (Cells{"abc|d"}));
  // Never cuts a UTF-8 character in half.
  EXPECT_EQ(one_group({gc}, {testing::text_col()}, {{"ab\xc3\xa9"}}, 3), (Cells{"ab"}));
  EXPECT_EQ(one_group({gc}, {testing::text_col()}, {{kNull}}), (Cells{kNull}));
}

TEST(Aggregate, DistinctAggregatesFromPerShardDistinctValues) {
  // Shards return one row per distinct x (column 3, hidden); 'a' and 'A ' are one value
  // under utf8mb4_general_ci, NULL is not counted.
  std::vector<protocol::ColumnDefinition> cols{testing::int_col(), testing::decimal_col(0),
                                               testing::text_col(), testing::text_col()};
  AggregateSpec cnt = agg(AggregateKind::kCountDistinct, 0);
  cnt.argument_column = 3;
  AggregateSpec gc = agg(AggregateKind::kGroupConcatDistinct, 2);
  gc.argument_column = 3;
  std::vector<Cells> rows{{kNull, kNull, kNull, "a"},  {kNull, kNull, kNull, "b"},
                          {kNull, kNull, kNull, "A "}, {kNull, kNull, kNull, kNull},
                          {kNull, kNull, kNull, "c"},  {kNull, kNull, kNull, "b"}};
  auto r = one_group({cnt, gc}, cols, rows);
  EXPECT_EQ(r[0], "3");
  EXPECT_EQ(r[2], "a,b,c");

  std::vector<protocol::ColumnDefinition> num{testing::decimal_col(1), testing::decimal_col(5),
                                              testing::decimal_col(1)};
  AggregateSpec sum = agg(AggregateKind::kSumDistinct, 0);
  sum.argument_column = 2;
  AggregateSpec avg = agg(AggregateKind::kAvgDistinct, 1);
  avg.argument_column = 2;
  r = one_group(
      {sum, avg}, num,
      {{kNull, kNull, "1.0"}, {kNull, kNull, "2.5"}, {kNull, kNull, "1"}, {kNull, kNull, "2.50"}});
  EXPECT_EQ(r[0], "3.5");
  EXPECT_EQ(r[1], "1.75000");
  // No rows at all: COUNT(DISTINCT) is 0, SUM(DISTINCT) NULL.
  r = one_group({cnt}, cols, {});
  EXPECT_EQ(r[0], "0");
}

std::vector<Cells> group_rows(bool sorted, const std::vector<Cells>& rows) {
  // (g text, COUNT, SUM)
  std::vector<protocol::ColumnDefinition> cols{testing::text_col(), testing::int_col(),
                                               testing::decimal_col(0)};
  auto ctx = std::make_shared<AggregateContext>(
      std::vector<AggregateSpec>{agg(AggregateKind::kCount, 1), agg(AggregateKind::kSum, 2)}, cols,
      1024);
  GroupMerge g(ctx, {0}, sorted, 0);
  std::vector<Cells> out;
  Row r;
  for (const auto& in : rows) {
    EXPECT_TRUE(g.add(Row::of(in)).ok());
    while (g.next(r)) out.push_back(testing::cells_of(r));
  }
  g.finish();
  while (g.next(r)) out.push_back(testing::cells_of(r));
  EXPECT_TRUE(g.done());
  return out;
}

TEST(GroupMerge, StreamingEmitsEachGroupWhenTheKeyChanges) {
  std::vector<Cells> in{
      {kNull, "1", "5"}, {"a", "2", "1"}, {"A ", "1", "1"}, {"b", "4", "10"}, {"b", "1", kNull}};
  auto out = group_rows(true, in);
  EXPECT_EQ(out, (std::vector<Cells>{{kNull, "1", "5"}, {"a", "3", "2"}, {"b", "5", "10"}}));
}

TEST(GroupMerge, HashingGroupsUnsortedRowsInFirstSeenOrder) {
  std::vector<Cells> in{{"b", "4", "10"}, {"a", "2", "1"},    {kNull, "1", "5"},
                        {"A", "1", "1"},  {"b ", "1", kNull}, {kNull, "2", "1"}};
  auto out = group_rows(false, in);
  EXPECT_EQ(out, (std::vector<Cells>{{"b", "5", "10"}, {"a", "3", "2"}, {kNull, "3", "6"}}));
}

TEST(GroupMerge, EmptyInputWithGroupByHasNoRows) {
  EXPECT_TRUE(group_rows(true, {}).empty());
  EXPECT_TRUE(group_rows(false, {}).empty());
}

TEST(GroupMerge, HashingRefusesMoreGroupsThanTheLimit) {
  auto ctx = std::make_shared<AggregateContext>(std::vector<AggregateSpec>{},
                                                std::vector{testing::int_col()}, 1024);
  GroupMerge g(ctx, {0}, false, 2);
  EXPECT_TRUE(g.add(Row::of({"1"})).ok());
  EXPECT_TRUE(g.add(Row::of({"2"})).ok());
  EXPECT_TRUE(g.add(Row::of({"1"})).ok());
  Status s = g.add(Row::of({"3"}));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("max_sql_result_size"), std::string::npos);
}

TEST(FormatDouble, ShortestRoundTripWithMysqlExponent) {
  EXPECT_EQ(format_double(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(format_double(1e20), "1e20");
  EXPECT_EQ(format_double(1.5e-7), "1.5e-7");
  EXPECT_EQ(format_double(-2.5), "-2.5");
  EXPECT_EQ(format_double(-0.0), "0");
}

TEST(Aggregate, BitAggregatesCombineExactly) {
  protocol::ColumnDefinition ubig =
      testing::column(protocol::FieldType::kLongLong, protocol::column_flag::kUnsigned, 63);
  std::vector<Cells> rows{{"18446744073709551615", "12", "5"}, {"18446744073709551614", "3", "6"}};
  auto r = one_group({agg(AggregateKind::kBitAnd, 0), agg(AggregateKind::kBitOr, 1),
                      agg(AggregateKind::kBitXor, 2)},
                     {ubig, ubig, ubig}, rows);
  EXPECT_EQ(r, (Cells{"18446744073709551614", "15", "3"}));
  // No rows: the identities, as the server answers BIT_AND / BIT_OR over nothing.
  r = one_group({agg(AggregateKind::kBitAnd, 0), agg(AggregateKind::kBitOr, 1)}, {ubig, ubig}, {});
  EXPECT_EQ(r, (Cells{"18446744073709551615", "0"}));
}

TEST(Aggregate, VarianceFromExactPartials) {
  // Values 1, 2 | 4 on two shards: COUNT, SUM, SUM(x*x) per shard. MariaDB 10.11:
  // STDDEV_POP 1.2472, VAR_SAMP 2.3333 (4 decimals: the argument's 0 + 4).
  auto spec = [](AggregateKind k, size_t column) {
    AggregateSpec a = agg(k, column);
    a.count_column = 2;
    a.sum_column = 3;
    a.sumsq_column = 4;
    return a;
  };
  protocol::ColumnDefinition dbl4 = testing::column(protocol::FieldType::kDouble, 0, 63, 4);
  std::vector<Cells> rows{{kNull, kNull, "2", "3", "5"}, {kNull, kNull, "1", "4", "16"}};
  auto r = one_group(
      {spec(AggregateKind::kStddevPop, 0), spec(AggregateKind::kVarSamp, 1)},
      {dbl4, dbl4, testing::int_col(), testing::decimal_col(0), testing::decimal_col(0)}, rows);
  EXPECT_EQ(r[0], std::optional<std::string>("1.2472"));
  EXPECT_EQ(r[1], std::optional<std::string>("2.3333"));
  // Full precision for a hidden column an expression reads.
  AggregateSpec full = spec(AggregateKind::kStddevPop, 0);
  full.full_precision = true;
  r = one_group({full},
                {dbl4, dbl4, testing::int_col(), testing::decimal_col(0), testing::decimal_col(0)},
                rows);
  EXPECT_EQ(r[0], std::optional<std::string>("1.247219128924647"));
  // One value: VAR_SAMP is NULL, VAR_POP 0.
  r = one_group({spec(AggregateKind::kVarSamp, 0), spec(AggregateKind::kVarPop, 1)},
                {dbl4, dbl4, testing::int_col(), testing::decimal_col(0), testing::decimal_col(0)},
                {{kNull, kNull, "1", "7", "49"}});
  EXPECT_EQ(r[0], std::nullopt);
  EXPECT_EQ(r[1], std::optional<std::string>("0.0000"));
}

TEST(Aggregate, CountDistinctOfSeveralArguments) {
  // COUNT(DISTINCT a, b): tuples with a NULL are not counted; (1,x) twice counts once.
  AggregateSpec a = agg(AggregateKind::kCountDistinct, 0);
  a.argument_column = 1;
  a.more_arguments = {2};
  std::vector<Cells> rows{{"1", "1", "x"},   {"1", "1", "x"},   {"1", "1", "y"},
                          {"1", kNull, "x"}, {"1", "2", kNull}, {"1", "2", "x"}};
  auto r = one_group({a}, {testing::int_col(), testing::int_col(), testing::text_col(63)}, rows);
  EXPECT_EQ(r[0], std::optional<std::string>("3"));
}

}  // namespace
}  // namespace tessera::exec
