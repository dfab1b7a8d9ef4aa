// The window operator (exec/window.h): ranking with peers, value functions, aggregates over
// the default and explicit frames, NULLs first, partitions under a case-insensitive
// collation, results printed as their columns say, and a tiny budget (the sort spills, a
// partition beyond the budget is 1038).
#include "exec/window.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "exec/merge_pipeline.h"
#include "exec/spill_file.h"
#include "exec_test_util.h"

namespace tessera::exec {
namespace {

using protocol::ColumnDefinition;
using testing::Cells;
using testing::kNull;

struct Run {
  std::vector<Cells> rows;
  std::optional<MergeError> error;
};

std::vector<ValueType> types_of(const std::vector<ColumnDefinition>& cols) {
  std::vector<ValueType> t;
  for (const auto& c : cols) t.push_back(ValueType::of(c));
  return t;
}

Run run(WindowSpec spec, std::vector<ColumnDefinition> cols, const std::vector<Cells>& input,
        std::shared_ptr<MemoryBudget> budget = nullptr, std::vector<ValueType> types = {}) {
  Run r;
  if (types.empty()) types = types_of(cols);
  if (auto e = WindowOperator::unsupported(spec, cols, types)) {
    r.error = *e;
    return r;
  }
  WindowOperator op(std::move(spec), std::move(cols), std::move(types), 0, std::move(budget));
  for (const auto& c : input) {
    if (auto s = op.add(testing::row(c)); !s) {
      r.error = s.error();
      return r;
    }
  }
  if (auto s = op.finish(); !s) {
    r.error = s.error();
    return r;
  }
  for (;;) {
    Row out;
    auto got = op.next(out);
    if (!got) {
      r.error = got.error();
      return r;
    }
    if (!*got) break;
    r.rows.push_back(testing::cells_of(out));
  }
  return r;
}

WindowFunction fn(WindowKind kind, size_t column, size_t argument = 0) {
  WindowFunction f;
  f.kind = kind;
  f.column = column;
  f.argument = argument;
  return f;
}

// Rows (g, o, result) with the result column filled.
std::vector<ColumnDefinition> g_o_result(ColumnDefinition result) {
  return {testing::int_col(), testing::int_col(), std::move(result)};
}

TEST(WindowOperator, RankingWithPeersAndNullsFirst) {
  WindowSpec spec;
  spec.partition = {0};
  spec.order = {{1, false}};
  auto cols = g_o_result(testing::int_col());
  cols.push_back(testing::int_col());
  cols.push_back(testing::int_col());
  cols.push_back(testing::int_col());
  spec.functions = {fn(WindowKind::kRank, 2), fn(WindowKind::kDenseRank, 3),
                    fn(WindowKind::kRowNumber, 4), fn(WindowKind::kNtile, 5)};
  spec.functions[3].n = 2;
  auto r = run(spec, cols,
               {{"1", "5", "x", "x", "x", "x"},
                {"2", "1", "x", "x", "x", "x"},
                {"1", kNull, "x", "x", "x", "x"},
                {"1", "5", "x", "x", "x", "x"},
                {"1", "7", "x", "x", "x", "x"}});
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_EQ(r.rows.size(), 5u);
  // Partition 1: NULL, 5, 5, 7 (NULL first ascending); then partition 2.
  EXPECT_EQ(r.rows[0], (Cells{"1", kNull, "1", "1", "1", "1"}));
  EXPECT_EQ(r.rows[1], (Cells{"1", "5", "2", "2", "2", "1"}));
  EXPECT_EQ(r.rows[2], (Cells{"1", "5", "2", "2", "3", "2"}));
  EXPECT_EQ(r.rows[3], (Cells{"1", "7", "4", "3", "4", "2"}));
  EXPECT_EQ(r.rows[4], (Cells{"2", "1", "1", "1", "1", "1"}));
}

TEST(WindowOperator, PercentRankCumeDistAndDescendingOrder) {
  WindowSpec spec;
  spec.order = {{1, true}};
  auto cols = g_o_result(testing::double_col());
  // (MariaDB's CUME_DIST and PERCENT_RANK columns fix 10 decimals.)
  cols.push_back(testing::column(protocol::FieldType::kDouble, 0, 63, 10));
  spec.functions = {fn(WindowKind::kPercentRank, 2), fn(WindowKind::kCumeDist, 3)};
  auto r = run(spec, cols,
               {{"0", "1", kNull, kNull},
                {"0", "3", kNull, kNull},
                {"0", "3", kNull, kNull},
                {"0", kNull, kNull, kNull}});
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.rows[0], (Cells{"0", "3", "0", "0.5000000000"}));
  EXPECT_EQ(r.rows[1], (Cells{"0", "3", "0", "0.5000000000"}));
  EXPECT_EQ(r.rows[2], (Cells{"0", "1", "0.6666666666666666", "0.7500000000"}));
  EXPECT_EQ(r.rows[3], (Cells{"0", kNull, "1", "1.0000000000"}));  // NULL last descending
}

TEST(WindowOperator, NtileSpreadsTheRemainderOverTheFirstBuckets) {
  WindowSpec spec;
  spec.order = {{1, false}};
  auto cols = g_o_result(testing::int_col());
  spec.functions = {fn(WindowKind::kNtile, 2)};
  spec.functions[0].n = 3;
  std::vector<Cells> in;
  for (int i = 0; i < 7; ++i) in.push_back({"0", std::to_string(i), kNull});
  auto r = run(spec, cols, in);
  ASSERT_FALSE(r.error);
  std::string buckets;
  for (auto& row : r.rows) buckets += *row[2];
  EXPECT_EQ(buckets, "1112233");
  spec.functions[0].n = 9;  // more buckets than rows: one row each
  r = run(spec, cols, {{"0", "1", kNull}, {"0", "2", kNull}});
  EXPECT_EQ(*r.rows[1][2], "2");
}

TEST(WindowOperator, LagLeadWithOffsetAndDefaultInTheResultsType) {
  WindowSpec spec;
  spec.order = {{0, false}};
  // (o, d DECIMAL(10,2), default INT, LAG(d, 2, 0), LEAD(d))
  std::vector<ColumnDefinition> cols = {testing::int_col(), testing::decimal_col(2),
                                        testing::int_col(), testing::decimal_col(2),
                                        testing::decimal_col(2)};
  spec.functions = {fn(WindowKind::kLag, 3, 1), fn(WindowKind::kLead, 4, 1)};
  spec.functions[0].n = 2;
  spec.functions[0].default_column = 2;
  auto r = run(spec, cols,
               {{"1", "1.50", "0", kNull, kNull},
                {"2", kNull, "0", kNull, kNull},
                {"3", "3.25", "0", kNull, kNull}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows[0], (Cells{"1", "1.50", "0", "0.00", kNull}));
  EXPECT_EQ(r.rows[1], (Cells{"2", kNull, "0", "0.00", "3.25"}));
  EXPECT_EQ(r.rows[2], (Cells{"3", "3.25", "0", "1.50", kNull}));
  // A default of another type than the result's (a string into DECIMAL): not known exact.
  cols[2] = testing::text_col();
  r = run(spec, cols, {{"1", "1.50", "zero", kNull, kNull}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code.code, 1235);
}

TEST(WindowOperator, AggregatesOverTheDefaultFrameIncludePeers) {
  WindowSpec spec;
  spec.partition = {0};
  spec.order = {{1, false}};
  // (g, o, x, SUM(x) DECIMAL(32,0), AVG(x) DECIMAL(14,4), COUNT(x), COUNT(*), MIN, MAX)
  std::vector<ColumnDefinition> cols = {
      testing::int_col(),      testing::int_col(),      testing::int_col(),
      testing::decimal_col(0), testing::decimal_col(4), testing::int_col(),
      testing::int_col(),      testing::int_col(),      testing::int_col()};
  spec.functions = {fn(WindowKind::kSum, 3, 2),   fn(WindowKind::kAvg, 4, 2),
                    fn(WindowKind::kCount, 5, 2), fn(WindowKind::kCountStar, 6),
                    fn(WindowKind::kMin, 7, 2),   fn(WindowKind::kMax, 8, 2)};
  const Cells blank(6, kNull);
  auto with = [&](Cells c) {
    c.insert(c.end(), blank.begin(), blank.end());
    return c;
  };
  auto r = run(spec, cols,
               {with({"1", "1", "10"}), with({"1", "2", "1"}), with({"1", "2", kNull}),
                with({"1", "3", "-4"}), with({"2", "1", kNull})});
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_EQ(r.rows.size(), 5u);
  EXPECT_EQ(r.rows[0], (Cells{"1", "1", "10", "10", "10.0000", "1", "1", "10", "10"}));
  // Peers (o = 2) share the frame up to the last of them.
  EXPECT_EQ(r.rows[1], (Cells{"1", "2", "1", "11", "5.5000", "2", "3", "1", "10"}));
  EXPECT_EQ(r.rows[2], (Cells{"1", "2", kNull, "11", "5.5000", "2", "3", "1", "10"}));
  EXPECT_EQ(r.rows[3], (Cells{"1", "3", "-4", "7", "2.3333", "3", "4", "-4", "10"}));
  // Only NULLs: SUM / AVG / MIN / MAX NULL, COUNT 0.
  EXPECT_EQ(r.rows[4], (Cells{"2", "1", kNull, kNull, kNull, "0", "1", kNull, kNull}));
  // Without ORDER BY the frame is the whole partition.
  spec.order.clear();
  r = run(spec, cols, {with({"1", "1", "10"}), with({"1", "2", "1"})});
  EXPECT_EQ(*r.rows[0][3], "11");
  EXPECT_EQ(*r.rows[1][3], "11");
}

TEST(WindowOperator, RowsFramesSlide) {
  WindowSpec spec;
  spec.order = {{0, false}};
  std::vector<ColumnDefinition> cols = {testing::int_col(),      testing::decimal_col(2),
                                        testing::decimal_col(2), testing::decimal_col(2),
                                        testing::decimal_col(2), testing::decimal_col(2),
                                        testing::decimal_col(2)};
  using T = WindowBound::Type;
  auto framed = [&](WindowKind k, size_t col, T s, uint64_t so, T e, uint64_t eo) {
    WindowFunction f = fn(k, col, 1);
    f.frame = WindowFrame{true, {s, so, {}}, {e, eo, {}}};
    return f;
  };
  spec.functions = {
      framed(WindowKind::kSum, 2, T::kPreceding, 1, T::kCurrentRow, 0),
      framed(WindowKind::kMax, 3, T::kPreceding, 1, T::kFollowing, 1),
      framed(WindowKind::kMin, 4, T::kCurrentRow, 0, T::kUnboundedFollowing, 0),
      framed(WindowKind::kSum, 5, T::kPreceding, 3, T::kPreceding, 2),
      framed(WindowKind::kFirstValue, 6, T::kFollowing, 1, T::kFollowing, 2),
  };
  std::vector<Cells> in;
  const char* xs[] = {"1.00", "5.00", "2.00", "4.00", "3.00"};
  for (int i = 0; i < 5; ++i) {
    Cells c = {std::to_string(i), xs[i]};
    c.resize(7, kNull);
    in.push_back(c);
  }
  auto r = run(spec, cols, in);
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_EQ(r.rows.size(), 5u);
  const char* sum1[] = {"1.00", "6.00", "7.00", "6.00", "7.00"};
  const char* max3[] = {"5.00", "5.00", "5.00", "4.00", "4.00"};
  const char* min_rest[] = {"1.00", "2.00", "2.00", "3.00", "3.00"};
  const std::optional<std::string> lagged[] = {kNull, kNull, "1.00", "6.00", "7.00"};
  const std::optional<std::string> ahead[] = {"5.00", "2.00", "4.00", "3.00", kNull};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(*r.rows[i][2], sum1[i]) << i;
    EXPECT_EQ(*r.rows[i][3], max3[i]) << i;
    EXPECT_EQ(*r.rows[i][4], min_rest[i]) << i;
    EXPECT_EQ(r.rows[i][5], lagged[i]) << i;
    EXPECT_EQ(r.rows[i][6], ahead[i]) << i;
  }
}

TEST(WindowOperator, ValueFunctionsOverTheFrame) {
  WindowSpec spec;
  spec.order = {{0, false}};
  std::vector<ColumnDefinition> cols = {testing::int_col(), testing::text_col(),
                                        testing::text_col(), testing::text_col(),
                                        testing::text_col()};
  spec.functions = {fn(WindowKind::kFirstValue, 2, 1), fn(WindowKind::kLastValue, 3, 1),
                    fn(WindowKind::kNthValue, 4, 1)};
  spec.functions[2].n = 2;
  auto r = run(spec, cols,
               {{"1", "a", kNull, kNull, kNull},
                {"2", "b", kNull, kNull, kNull},
                {"2", "c", kNull, kNull, kNull}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows[0], (Cells{"1", "a", "a", "a", kNull}));
  // LAST_VALUE over the default frame is the current row's last peer.
  EXPECT_EQ(r.rows[1], (Cells{"2", "b", "a", "c", "b"}));
  EXPECT_EQ(r.rows[2], (Cells{"2", "c", "a", "c", "b"}));
}

TEST(WindowOperator, PartitionsUnderACaseInsensitiveCollation) {
  WindowSpec spec;
  spec.partition = {0};
  spec.order = {{1, false}};
  std::vector<ColumnDefinition> cols = {testing::text_col(), testing::int_col(),
                                        testing::int_col()};
  auto types = types_of(cols);
  types[0].collation = Collation::from_name("utf8mb4_unicode_ci", Collation::Encoding::kUtf8);
  spec.functions = {fn(WindowKind::kRowNumber, 2)};
  auto r = run(spec, cols,
               {{"straße", "3", kNull},
                {"STRASSE", "1", kNull},
                {"strase", "2", kNull},
                {"Strasse ", "2", kNull}},
               nullptr, types);
  ASSERT_FALSE(r.error) << r.error->message;
  // ß = ss under unicode_ci, trailing spaces padded: one partition of three, then strase.
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.rows[0][0], "strase");
  EXPECT_EQ(r.rows[1], (Cells{"STRASSE", "1", "1"}));
  EXPECT_EQ(r.rows[2], (Cells{"Strasse ", "2", "2"}));
  EXPECT_EQ(r.rows[3], (Cells{"straße", "3", "3"}));
}

TEST(WindowOperator, WhatIsNotExactIsRefused) {
  WindowSpec spec;
  spec.functions = {fn(WindowKind::kSum, 1, 0)};
  auto r = run(spec, {testing::double_col(), testing::double_col()}, {{"1.5", kNull}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code.code, 1235);
  spec.functions = {fn(WindowKind::kMax, 1, 0)};
  r = run(spec, {testing::text_col(), testing::text_col()}, {{"a", kNull}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code.code, 1235);
}

// RANGE frames with an offset, as MariaDB 10.11 answered them over keys 1, 2, NULL, 4, 4,
// NULL, 10 (ids 1..7): NULL keys below every number, a NULL row framed by the NULL rows at an
// offset bound, DESC turning PRECEDING toward the larger keys.
TEST(WindowOperator, RangeFramesWithOffsets) {
  using T = WindowBound::Type;
  const std::vector<Cells> keys = {{"1", "1"}, {"2", "2"},   {"3", kNull}, {"4", "4"},
                                   {"5", "4"}, {"6", kNull}, {"7", "10"}};
  auto count = [&](bool desc, T s, const char* so, T e, const char* eo,
                   WindowKind kind = WindowKind::kCountStar) {
    WindowSpec spec;
    spec.order = {{1, desc}};
    WindowFunction f = fn(kind, 2, 0);
    f.frame = WindowFrame{false, {s, 0, so}, {e, 0, eo}};
    spec.functions = {f};
    std::vector<Cells> in;
    for (auto c : keys) {
      c.push_back(kNull);
      in.push_back(c);
    }
    auto r = run(spec, {testing::int_col(), testing::int_col(), testing::decimal_col(0)}, in);
    EXPECT_FALSE(r.error) << r.error->message;
    std::vector<std::optional<std::string>> by_id(keys.size());
    for (const auto& row : r.rows) by_id[std::stoi(*row[0]) - 1] = row[2];
    std::string out;
    for (const auto& v : by_id) out += (out.empty() ? "" : ",") + v.value_or("N");
    return out;
  };
  EXPECT_EQ(count(false, T::kPreceding, "2", T::kCurrentRow, ""), "1,2,2,3,3,2,1");
  EXPECT_EQ(count(false, T::kFollowing, "1", T::kFollowing, "3", WindowKind::kSum),
            "11,9,9,N,N,9,N");
  EXPECT_EQ(count(true, T::kPreceding, "2", T::kFollowing, "1"), "2,4,2,2,2,2,1");
  EXPECT_EQ(count(false, T::kUnboundedPreceding, "", T::kPreceding, "1"), "2,3,2,4,4,2,6");
  EXPECT_EQ(count(false, T::kPreceding, "1", T::kUnboundedFollowing, ""), "5,5,7,3,3,7,1");
  EXPECT_EQ(count(false, T::kFollowing, "1", T::kUnboundedFollowing, ""), "4,3,7,1,1,7,0");
  EXPECT_EQ(count(false, T::kCurrentRow, "", T::kFollowing, "1"), "2,1,2,2,2,2,1");
  EXPECT_EQ(count(true, T::kUnboundedPreceding, "", T::kPreceding, "1"), "4,3,7,1,1,7,0");
  EXPECT_EQ(count(true, T::kFollowing, "1", T::kUnboundedFollowing, ""), "2,3,2,4,4,2,6");
  EXPECT_EQ(count(false, T::kPreceding, "3", T::kPreceding, "1"), "0,1,2,2,2,2,0");
  // A fractional offset over integer keys: the bound rounded half away from zero to an integer
  // (MariaDB over keys -3..3: 1.5 PRECEDING of -1 is -3, of 1 is -1; 1.5 FOLLOWING of -2 is -1).
  EXPECT_EQ(count(false, T::kPreceding, "1.5", T::kCurrentRow, ""), "1,2,2,2,2,2,1");
  WindowSpec spec;
  spec.order = {{0, false}};
  WindowFunction f = fn(WindowKind::kCountStar, 1, 0);
  std::vector<Cells> in;
  for (int x = -3; x <= 3; ++x) in.push_back({std::to_string(x), kNull});
  auto counts = [&](WindowFrame frame, bool desc) {
    spec.order[0].descending = desc;
    f.frame = frame;
    spec.functions = {f};
    auto r = run(spec, {testing::int_col(), testing::int_col()}, in);
    EXPECT_FALSE(r.error);
    std::map<int, std::string> by_key;
    for (const auto& row : r.rows) by_key[std::stoi(*row[0])] = *row[1];
    std::string out;
    for (const auto& [k, v] : by_key) out += v;
    return out;
  };
  EXPECT_EQ(counts(WindowFrame{false, {T::kPreceding, 0, "1.5"}, {T::kCurrentRow, 0, {}}}, false),
            "1233322");
  EXPECT_EQ(counts(WindowFrame{false, {T::kCurrentRow, 0, {}}, {T::kFollowing, 0, "1.5"}}, false),
            "2233321");
  EXPECT_EQ(counts(WindowFrame{false, {T::kPreceding, 0, "1.5"}, {T::kCurrentRow, 0, {}}}, true),
            "2233321");
}

TEST(WindowOperator, RangeFrameOverDecimalKeysAndWhatStaysWithTheServer) {
  using T = WindowBound::Type;
  WindowSpec spec;
  spec.order = {{1, false}};
  WindowFunction f = fn(WindowKind::kCountStar, 2, 0);
  f.frame = WindowFrame{false, {T::kPreceding, 0, "0.5"}, {T::kCurrentRow, 0, {}}};
  spec.functions = {f};
  std::vector<ColumnDefinition> cols = {testing::int_col(), testing::decimal_col(2),
                                        testing::int_col()};
  const std::vector<Cells> in = {{"1", "1.50", kNull}, {"2", "2.00", kNull}, {"3", kNull, kNull},
                                 {"4", "3.75", kNull}, {"5", "4.00", kNull}, {"6", kNull, kNull},
                                 {"7", "9.99", kNull}};
  auto r = run(spec, cols, in);
  ASSERT_FALSE(r.error) << r.error->message;
  std::map<std::string, std::string> got;
  for (const auto& row : r.rows) got[*row[0]] = *row[2];
  EXPECT_EQ(
      got,
      (std::map<std::string, std::string>{
          {"1", "1"}, {"2", "2"}, {"3", "2"}, {"4", "1"}, {"5", "2"}, {"6", "2"}, {"7", "1"}}));
  // MariaDB's frame cursors miscount a frame whose start passes its end: the server's.
  spec.functions[0].frame = WindowFrame{false, {T::kFollowing, 0, "1"}, {T::kPreceding, 0, "1"}};
  r = run(spec, cols, in);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code.code, 1235);
  spec.functions[0].frame = WindowFrame{false, {T::kPreceding, 0, "1"}, {T::kPreceding, 0, "2"}};
  EXPECT_TRUE(run(spec, cols, in).error);
  // DOUBLE keys (moved in binary floating point), two ORDER BY keys: the server's.
  spec.functions[0].frame = WindowFrame{false, {T::kPreceding, 0, "1"}, {T::kCurrentRow, 0, {}}};
  r = run(spec, {testing::int_col(), testing::double_col(), testing::int_col()},
          {{"1", "1", kNull}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code.code, 1235);
  spec.order.push_back({0, false});
  EXPECT_TRUE(run(spec, cols, in).error);
}

// Two window specifications: one pass each, the second sorting the rows the first filled
// (its results carried as columns), over rows from several shards.
TEST(WindowPasses, ChainedSpecificationsEachSortTheRows) {
  // (id, g, x, ROW_NUMBER() OVER (PARTITION BY g ORDER BY id), RANK() OVER (ORDER BY x DESC),
  //  SUM(x) OVER (PARTITION BY g))
  std::vector<ColumnDefinition> cols = {testing::int_col(), testing::int_col(),
                                        testing::int_col(), testing::int_col(),
                                        testing::int_col(), testing::decimal_col(0)};
  MergeSpec spec;
  WindowSpec by_g;
  by_g.partition = {1};
  by_g.order = {{0, false}};
  by_g.functions = {fn(WindowKind::kRowNumber, 3)};
  WindowSpec by_x;
  by_x.order = {{2, true}};
  by_x.functions = {fn(WindowKind::kRank, 4)};
  WindowSpec whole_g;
  whole_g.partition = {1};
  whole_g.functions = {fn(WindowKind::kSum, 5, 2)};
  spec.windows = {by_g, by_x, whole_g};
  spec.order_by = {{0, false}};
  auto r =
      testing::run(spec, cols,
                   {{{"1", "1", "5", kNull, kNull, kNull}, {"4", "2", "7", kNull, kNull, kNull}},
                    {{"2", "1", "7", kNull, kNull, kNull}, {"3", "2", "1", kNull, kNull, kNull}},
                    {{"5", "1", kNull, kNull, kNull, kNull}}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"1", "1", "5", "1", "3", "12"},
                                        {"2", "1", "7", "2", "1", "12"},
                                        {"3", "2", "1", "1", "4", "8"},
                                        {"4", "2", "7", "2", "1", "8"},
                                        {"5", "1", kNull, "3", "5", "12"}}));
}

// Windows over GROUP BY: the groups merged first (SUM(x) per g), computed columns and HAVING
// applied, then RANK() OVER (ORDER BY SUM(x) DESC) and SUM(SUM(x)) OVER (ORDER BY g) over the
// group rows, then an expression over a window result.
TEST(WindowPasses, WindowsOverMergedGroups) {
  // (g, SUM(x), RANK, running SUM(SUM(x)), RANK + 100); hidden: SUM(x) + 1
  std::vector<ColumnDefinition> cols = {testing::int_col(), testing::decimal_col(0),
                                        testing::int_col(), testing::decimal_col(0),
                                        testing::int_col(), testing::decimal_col(0)};
  MergeSpec spec;
  spec.hidden_columns = 1;
  spec.grouped = true;
  spec.group_by = {0};
  AggregateSpec sum;
  sum.kind = AggregateKind::kSum;
  sum.column = 1;
  spec.aggregates = {sum};
  spec.computed.emplace_back(5, ScalarExpr::arith(ScalarExpr::ArithOp::kAdd, ScalarExpr::column(1),
                                                  ScalarExpr::int_literal(1)));
  // HAVING SUM(x) + 1 > 2 drops g = 3 (SUM 1).
  spec.having = ScalarExpr::compare(ScalarExpr::CompareOp::kGt, ScalarExpr::column(5),
                                    ScalarExpr::int_literal(2));
  WindowSpec by_sum;
  by_sum.order = {{1, true}};
  by_sum.functions = {fn(WindowKind::kRank, 2)};
  WindowSpec by_g;
  by_g.order = {{0, false}};
  by_g.functions = {fn(WindowKind::kSum, 3, 1)};
  spec.windows = {by_sum, by_g};
  spec.window_computed.emplace_back(
      4, ScalarExpr::arith(ScalarExpr::ArithOp::kAdd, ScalarExpr::column(2),
                           ScalarExpr::int_literal(100)));
  spec.order_by = {{0, false}};
  const Cells blank = {kNull, kNull, kNull, kNull};
  auto row = [&](const char* g, const char* x) {
    Cells c = {g, x};
    c.insert(c.end(), blank.begin(), blank.end());
    return c;
  };
  auto r = testing::run(spec, cols,
                        {{row("1", "5"), row("2", "4"), row("3", "1")},
                         {row("1", "1"), row("2", "4"), row("4", "6")}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"1", "6", "2", "6", "102"},
                                        {"2", "8", "1", "14", "101"},
                                        {"4", "6", "2", "20", "102"}}));
}

class WindowSpill : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "tessera-window-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(WindowSpill, ManySmallPartitionsSortOnDiskAndAPartitionPastTheBudgetIs1038) {
  WindowSpec spec;
  spec.partition = {0};
  spec.order = {{1, false}};
  std::vector<ColumnDefinition> cols = {testing::int_col(), testing::int_col(),
                                        testing::decimal_col(0)};
  spec.functions = {fn(WindowKind::kSum, 2, 1)};
  std::vector<Cells> in;
  for (int i = 0; i < 3000; ++i) in.push_back({std::to_string(i % 300), std::to_string(i), kNull});
  const uint64_t before = spill_totals().files;
  auto r = run(spec, cols, in, std::make_shared<MemoryBudget>(16 * 1024, dir_));
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_GT(spill_totals().files, before);
  ASSERT_EQ(r.rows.size(), 3000u);
  // Partition 0 holds 0, 300, ..., 2700: running sums 0, 300, 900 ...
  EXPECT_EQ(r.rows[0], (Cells{"0", "0", "0"}));
  EXPECT_EQ(r.rows[2], (Cells{"0", "600", "900"}));
  EXPECT_EQ(r.rows[9], (Cells{"0", "2700", "13500"}));
  // One partition of every row: more than the budget holds.
  for (auto& c : in) c[0] = "0";
  r = run(spec, cols, in, std::make_shared<MemoryBudget>(16 * 1024, dir_));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code.code, 1038);
}

}  // namespace
}  // namespace tessera::exec
