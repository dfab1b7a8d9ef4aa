#include "exec/merge_pipeline.h"

#include <gtest/gtest.h>

#include "exec_test_util.h"

namespace tessera::exec {
namespace {

using testing::Cells;
using testing::kNull;
using testing::run;

std::vector<protocol::ColumnDefinition> int_text() {
  return {testing::int_col(), testing::text_col()};
}

TEST(MergePipeline, OrderedMergeWithLimitStopsReadingEarly) {
  MergeSpec spec;
  spec.shard_order = {{0, false}};
  spec.order_by = spec.shard_order;
  spec.offset = 1;
  spec.limit = 2;
  std::vector<std::vector<Cells>> shards{
      {{"1", "a"}, {"4", "b"}, {"7", "c"}, {"8", "d"}}, {{"2", "e"}, {"3", "f"}, {"9", "g"}}, {}};
  auto r = run(spec, int_text(), shards);
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"2", "e"}, {"3", "f"}}));
  // Only the rows needed to decide the first three were read, not every row.
  EXPECT_LT(r.rows_read[0] + r.rows_read[1], 7u);
}

TEST(MergePipeline, UnorderedConcatenationDropsHiddenColumns) {
  MergeSpec spec;
  spec.hidden_columns = 1;
  auto r = run(spec, int_text(), {{{"1", "x"}}, {}, {{"2", "y"}, {"3", "z"}}});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"1"}, {"2"}, {"3"}}));
}

TEST(MergePipeline, InMemorySortWhenShardsAreUnordered) {
  MergeSpec spec;
  spec.order_by = {{1, true}, {0, false}};
  spec.limit = 3;
  auto r =
      run(spec, int_text(), {{{"1", "b"}, {"2", "a"}}, {{"3", "c"}, {"4", kNull}}, {{"0", "B"}}});
  ASSERT_FALSE(r.error);
  // DESC on a _ci column: 'c', then 'b' and 'B' tie and order by column 0.
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"3", "c"}, {"0", "B"}, {"1", "b"}}));
}

TEST(MergePipeline, SortKeepsOnlyOffsetPlusLimitRows) {
  MergeSpec spec;
  spec.order_by = {{0, false}};
  spec.limit = 2;
  spec.max_result_rows = 100;  // the input is larger, but the sort never holds that many
  std::vector<Cells> many;
  for (int i = 500; i > 0; --i) many.push_back({std::to_string(i), "x"});
  auto r = run(spec, int_text(), {many, many});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"1", "x"}, {"1", "x"}}));
}

TEST(MergePipeline, HugeLimitAfterOffsetDoesNotWrap) {
  // MySQL's idiom for "every row after the first": LIMIT 1, 18446744073709551615.
  MergeSpec spec;
  spec.order_by = {{0, false}};
  spec.offset = 1;
  spec.limit = UINT64_MAX;
  auto r = run(spec, int_text(), {{{"3", "a"}, {"1", "b"}}, {{"2", "c"}}});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"2", "c"}, {"3", "a"}}));
}

TEST(MergePipeline, AggregatesWithoutGroupByGiveOneRowOnEmptyInput) {
  MergeSpec spec;
  AggregateSpec count;
  count.kind = AggregateKind::kCount;
  count.column = 0;
  AggregateSpec sum;
  sum.kind = AggregateKind::kSum;
  sum.column = 1;
  spec.aggregates = {count, sum};
  std::vector<protocol::ColumnDefinition> cols{testing::int_col(), testing::decimal_col(2)};
  auto r = run(spec, cols, {{}, {}, {}});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"0", kNull}}));
  r = run(spec, cols, {{{"2", "1.50"}}, {{"0", kNull}}, {{"5", "-0.25"}}});
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"7", "1.25"}}));
}

MergeSpec grouped_spec() {
  // SELECT g, COUNT(*), AVG(v) ... GROUP BY g; hidden: SUM(v), COUNT(v)
  MergeSpec spec;
  spec.hidden_columns = 2;
  spec.group_by = {0};
  AggregateSpec count;
  count.kind = AggregateKind::kCount;
  count.column = 1;
  AggregateSpec avg;
  avg.kind = AggregateKind::kAvg;
  avg.column = 2;
  avg.sum_column = 3;
  avg.count_column = 4;
  spec.aggregates = {count, avg};
  return spec;
}

std::vector<protocol::ColumnDefinition> grouped_cols() {
  return {testing::text_col(), testing::int_col(), testing::decimal_col(4), testing::decimal_col(0),
          testing::int_col()};
}

TEST(MergePipeline, StreamingGroupByOverSortedShards) {
  MergeSpec spec = grouped_spec();
  spec.shard_order = {{0, false}};
  spec.order_by = {{0, false}};
  auto r = run(spec, grouped_cols(),
               {{{"a", "2", "1.5000", "3", "2"}, {"c", "1", "1.0000", "1", "1"}},
                {{"A", "1", "4.0000", "4", "1"}, {"b", "1", kNull, kNull, "0"}}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows,
            (std::vector<Cells>{{"a", "3", "2.3333"}, {"b", "1", kNull}, {"c", "1", "1.0000"}}));
}

TEST(MergePipeline, HashedGroupByThenSortHavingAndLimit) {
  MergeSpec spec = grouped_spec();
  spec.order_by = {{1, true}};
  // HAVING COUNT(*) > 1
  spec.having = ScalarExpr::compare(ScalarExpr::CompareOp::kGt, ScalarExpr::column(1),
                                    ScalarExpr::int_literal(1));
  spec.limit = 2;
  auto r = run(spec, grouped_cols(),
               {{{"x", "1", kNull, "1", "1"}, {"y", "5", kNull, "10", "5"}},
                {{"z", "1", kNull, "2", "1"}, {"X ", "2", kNull, "5", "2"}},
                {{"y", "1", kNull, "0", "1"}}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"y", "6", "1.6667"}, {"x", "3", "2.0000"}}));
}

TEST(MergePipeline, DistinctOnVisibleColumns) {
  MergeSpec spec;
  spec.distinct = true;
  spec.hidden_columns = 1;
  auto r = run(spec, {testing::text_col(), testing::int_col()},
               {{{"a", "1"}, {"b", "2"}}, {{"A", "3"}, {kNull, "4"}}, {{kNull, "5"}, {"b ", "6"}}});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"a"}, {"b"}, {kNull}}));
}

TEST(MergePipeline, TooManyRowsIsAnErrorNotATruncation) {
  MergeSpec spec;
  spec.max_result_rows = 3;
  auto r = run(spec, int_text(), {{{"1", "a"}, {"2", "b"}}, {{"3", "c"}, {"4", "d"}}});
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->message.find("max_sql_result_size"), std::string::npos);
  EXPECT_EQ(r.rows.size(), 3u);
  // Exactly at the limit is fine.
  r = run(spec, int_text(), {{{"1", "a"}, {"2", "b"}}, {{"3", "c"}}});
  EXPECT_FALSE(r.error);
}

TEST(MergePipeline, LimitZeroAndOffsetPastTheEnd) {
  MergeSpec spec;
  spec.limit = 0;
  auto r = run(spec, int_text(), {{{"1", "a"}}});
  EXPECT_FALSE(r.error);
  EXPECT_TRUE(r.rows.empty());
  EXPECT_EQ(r.rows_read[0], 0u);
  spec.limit.reset();
  spec.offset = 5;
  r = run(spec, int_text(), {{{"1", "a"}}, {{"2", "b"}}});
  EXPECT_FALSE(r.error);
  EXPECT_TRUE(r.rows.empty());
}

TEST(MergePipeline, RejectsSpecsNamingMissingColumns) {
  MergeSpec spec;
  spec.order_by = {{5, false}};
  EXPECT_TRUE(run(spec, int_text(), {{}}).error);
  MergeSpec hidden;
  hidden.hidden_columns = 2;
  EXPECT_TRUE(run(hidden, int_text(), {{}}).error);
}

TEST(MergePipeline, MalformedPayloadIsAnError) {
  MergeSpec spec;
  auto p = MergePipeline::create(spec, int_text(), 1);
  ASSERT_TRUE(p);
  Row out;
  ASSERT_EQ(*(*p)->next(out), MergePipeline::Poll::kNeedInput);
  Status s = (*p)->offer_payload(0, std::string("\x01"
                                                "1",
                                                2));  // one cell of two
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code.code, protocol::errc::kMalformedPacket.code);
  ASSERT_TRUE((*p)->offer_payload(0, Row::of({"1", "a"}).payload()).ok());
  ASSERT_EQ(*(*p)->next(out), MergePipeline::Poll::kRow);
  EXPECT_EQ(out.payload(), Row::of({"1", "a"}).payload());
  EXPECT_EQ((*p)->visible_columns().size(), 2u);
}

// Issue 18: the collation comes from the hidden COLLATION(expr) column, not from the result
// metadata (which says utf8mb4_general_ci, the result charset's default, for every column).
TEST(MergePipeline, GroupsByTheCollationTheShardsNamed) {
  MergeSpec spec;
  spec.hidden_columns = 1;
  spec.group_by = {0};
  spec.shard_order = {{0, false}};
  AggregateSpec count;
  count.kind = AggregateKind::kCount;
  count.column = 1;
  spec.aggregates = {count};
  spec.collation_columns = {{0, 2}};
  std::vector<protocol::ColumnDefinition> cols{testing::text_col(), testing::int_col(),
                                               testing::text_col()};
  const std::string u = "utf8mb4_unicode_ci";
  // Each shard sorted by unicode_ci, as the server sorts: '_' before '%' (general_ci, and
  // byte order, put '%' first), 'ss' = 'ß'.
  auto r = run(spec, cols,
               {{{"a_b", "1", u}, {"a%b", "1", u}, {"strasse", "1", u}},
                {{"a%b", "1", u}, {"straße", "1", u}},
                {{"a_b", "2", u}}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"a_b", "3"}, {"a%b", "2"}, {"strasse", "2"}}));
}

// `SELECT DISTINCT *` / `ORDER BY 2` over `*`: the planner could not ask the collation of the
// star's columns, so strings among them are refused rather than compared by a guess; numbers
// and binary strings compare exactly and still merge.
TEST(MergePipeline, UnnamedStringColumnsAreRefused) {
  MergeSpec spec;
  spec.distinct = true;
  spec.unnamed_columns = true;
  auto r = run(spec, int_text(), {{{"1", "a"}}, {{"1", "A"}}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code.code, 1235);
  r = run(spec, int_text(), {{}, {}});
  ASSERT_TRUE(r.error) << "refused whatever the rows";

  MergeSpec ints;
  ints.distinct = true;
  ints.unnamed_columns = true;
  r = run(ints, {testing::int_col(), testing::int_col()}, {{{"1", "2"}}, {{"1", "2"}, {"3", "4"}}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"1", "2"}, {"3", "4"}}));

  MergeSpec ordered;
  ordered.unnamed_columns = true;
  ordered.order_by = {SortKey{1, false}};
  r = run(ordered, int_text(), {{{"1", "b"}}, {{"2", "a"}}});
  ASSERT_TRUE(r.error);
  ordered.order_by = {SortKey{0, false}};
  r = run(ordered, int_text(), {{{"2", "b"}}, {{"1", "a"}}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"1", "a"}, {"2", "b"}}));
}

TEST(MergePipeline, MinMaxAndDistinctUseTheNamedCollation) {
  MergeSpec spec;
  spec.hidden_columns = 1;
  AggregateSpec max;
  max.kind = AggregateKind::kMax;
  max.column = 0;
  spec.aggregates = {max};
  spec.collation_columns = {{0, 1}};
  std::vector<protocol::ColumnDefinition> cols{testing::text_col(), testing::text_col()};
  // general_ci weighs every emoji as U+FFFD: the second letter decides.
  auto r = run(spec, cols, {{{"🍺b", "utf8mb4_general_ci"}}, {{"😀a", "utf8mb4_general_ci"}}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"🍺b"}}));
  // Under utf8mb4_bin the code points decide.
  r = run(spec, cols, {{{"🍺b", "utf8mb4_bin"}}, {{"😀a", "utf8mb4_bin"}}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"😀a"}}));

  MergeSpec d;
  d.hidden_columns = 1;
  d.distinct = true;
  d.collation_columns = {{0, 1}};
  const std::string g = "utf8mb4_general_ci";
  r = run(d, cols, {{{"Øre", g}, {"straße", g}}, {{"ore", g}, {"strase", g}}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"Øre"}, {"straße"}, {"ore"}}));
}

// A collation Tessera does not implement: the group merge hashes instead of trusting the
// shards' order to match its approximate comparison.
TEST(MergePipeline, UnknownCollationsGroupByHashing) {
  MergeSpec spec;
  spec.hidden_columns = 1;
  spec.group_by = {0};
  spec.shard_order = {{0, false}};
  AggregateSpec count;
  count.kind = AggregateKind::kCount;
  count.column = 1;
  spec.aggregates = {count};
  spec.collation_columns = {{0, 2}};
  std::vector<protocol::ColumnDefinition> cols{testing::text_col(), testing::int_col(),
                                               testing::text_col()};
  const std::string x = "utf8mb4_uca1400_ai_ci";
  // The shards' order ('_' before 'b') disagrees with the approximation's ('B' < '_').
  auto r = run(spec, cols, {{{"_", "1", x}, {"b", "1", x}}, {{"b", "1", x}}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows.size(), 2u);
}

// Issue 18: a collation the merge has no table for is compared by the WEIGHT_STRING() each
// shard returns in a hidden column (here uca1400_ai_ci: 'a' = 'A' = 'a ' 2075, '_' 020C,
// 'b' 208F; the server sorts '_' before the letters). The client still gets the values.
TEST(MergePipeline, ServerWeightsDecideCollationsWithoutTables) {
  auto w = [](std::string_view hex) {
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
      out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
  };
  const std::string x = "utf8mb4_uca1400_ai_ci 0209";
  std::vector<protocol::ColumnDefinition> cols{testing::text_col(), testing::int_col(),
                                               testing::text_col(), testing::text_col()};
  const std::string a = w("2075"), a_sp = w("20750209"), u = w("020C"), b = w("208F");

  MergeSpec g;
  g.hidden_columns = 2;
  g.group_by = {0};
  g.shard_order = {{0, false}};
  g.order_by = {{0, false}};
  AggregateSpec count;
  count.kind = AggregateKind::kCount;
  count.column = 1;
  g.aggregates = {count};
  g.collation_columns = {{0, 2}};
  g.weight_columns = {{0, 3}};
  auto r = run(g, cols,
               {{{"_", "1", x, u}, {"a", "1", x, a}, {"b", "1", x, b}},
                {{"A ", "1", x, a_sp}, {"b", "1", x, b}},
                {{"_", "1", x, u}, {"A", "1", x, a}}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"_", "2"}, {"a", "3"}, {"b", "2"}}));

  // MIN/MAX: compared by the weights, the value itself returned.
  MergeSpec m;
  m.hidden_columns = 2;
  AggregateSpec mn;
  mn.kind = AggregateKind::kMax;
  mn.column = 0;
  m.aggregates = {mn};
  m.collation_columns = {{0, 2}};
  m.weight_columns = {{0, 3}};
  r = run(m, cols, {{{"b", "1", x, b}}, {{"_", "1", x, u}}, {{kNull, "1", x, kNull}}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"b", "1"}}));

  // DISTINCT: 'a', 'A ' and 'A' are one row.
  MergeSpec d;
  d.hidden_columns = 2;
  d.distinct = true;
  d.collation_columns = {{0, 1}};
  d.weight_columns = {{0, 2}};
  std::vector<protocol::ColumnDefinition> one{testing::text_col(), testing::text_col(),
                                              testing::text_col()};
  r = run(d, one, {{{"a", x, a}, {"_", x, u}}, {{"A ", x, a_sp}}, {{"A", x, a}}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"a"}, {"_"}}));
}

// MariaDB sorts latin1_bin NO PAD although 'a' = 'a ' under it (ORDER BY s COLLATE
// latin1_bin gives 'a', 'a\t', 'a ', 'a  '); the merge sorts as the server does.
TEST(MergePipeline, Latin1BinSortsWithoutPadding) {
  MergeSpec spec;
  spec.hidden_columns = 1;
  spec.order_by = {{0, false}, {1, false}};
  spec.collation_columns = {{0, 2}};
  std::vector<protocol::ColumnDefinition> cols{testing::text_col(), testing::int_col(),
                                               testing::text_col()};
  const std::string b = "latin1_bin";
  auto r = run(spec, cols, {{{"a ", "1", b}, {"a\t", "3", b}}, {{"a", "2", b}, {"a  ", "4", b}}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"a", "2"}, {"a\t", "3"}, {"a ", "1"}, {"a  ", "4"}}));
}

}  // namespace
}  // namespace tessera::exec

namespace tessera::exec {
namespace {

// Issue 19: a computed string (CONCAT(MAX(s), 'x')) in a collation compared by the shards'
// WEIGHT_STRING() would be ordered by the weights of one shard's partial value: refused.
TEST(MergePipeline, ComputedStringsComparedByServerWeightsAreRefused) {
  std::vector<protocol::ColumnDefinition> cols{testing::text_col(), testing::text_col(),
                                               testing::text_col(), testing::text_col()};
  MergeSpec spec;
  spec.hidden_columns = 3;
  spec.grouped = true;
  AggregateSpec max;
  max.kind = AggregateKind::kMax;
  max.column = 1;
  spec.aggregates = {max};
  spec.order_by = {{0, false}};
  spec.collation_columns = {{0, 2}};
  spec.weight_columns = {{0, 3}};
  spec.computed.emplace_back(
      0, ScalarExpr::function(ScalarExpr::Function::kConcat,
                              {ScalarExpr::column(1), ScalarExpr::string_literal("x")}));
  const std::string x = "utf8mb4_uca1400_ai_ci 0209";
  auto r = testing::run(spec, cols, {{{"ax", "a", x, "\x20\x75"}}, {{"bx", "b", x, "\x20\x8f"}}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code.code, 1235);
  EXPECT_NE(r.error->message.find("string expression over aggregates"), std::string::npos)
      << r.error->message;
  // Under a collation the merge implements, the merged value is computed and compared.
  spec.weight_columns.clear();
  const std::string g = "utf8mb4_general_ci 0020";
  r = testing::run(spec, cols, {{{"ax", "a", g, ""}}, {{"bx", "b", g, ""}}});
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], std::optional<std::string>("bx"));
}

// FLOAT cells print fewer digits than the float the server computes with: an expression over
// one is refused, HAVING still compares it.
TEST(MergePipeline, ComputedColumnsRefuseFloatCells) {
  std::vector<protocol::ColumnDefinition> cols{
      testing::double_col(), testing::column(protocol::FieldType::kFloat, 0, 63, 31)};
  MergeSpec spec;
  spec.hidden_columns = 1;
  spec.grouped = true;
  AggregateSpec max;
  max.kind = AggregateKind::kMax;
  max.column = 1;
  spec.aggregates = {max};
  spec.computed.emplace_back(0, ScalarExpr::arith(ScalarExpr::ArithOp::kAdd, ScalarExpr::column(1),
                                                  ScalarExpr::int_literal(1)));
  auto r = testing::run(spec, cols, {{{"2.1", "1.1"}}});
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code.code, 1235);
  EXPECT_NE(r.error->message.find("FLOAT"), std::string::npos) << r.error->message;
}

namespace rollup {

// (a INT, b INT, COUNT(*), SUM(x)) grouped by a, b, sorted by both on every shard.
std::vector<protocol::ColumnDefinition> columns() {
  auto not_null =
      testing::column(protocol::FieldType::kLongLong, protocol::column_flag::kNotNull, 63);
  return {not_null, testing::int_col(), testing::int_col(), testing::decimal_col(0)};
}
MergeSpec spec() {
  MergeSpec s;
  s.grouped = true;
  s.group_by = {0, 1};
  s.shard_order = {{0, false}, {1, false}};
  AggregateSpec count, sum;
  count.column = 2;
  count.kind = AggregateKind::kCount;
  sum.column = 3;
  sum.kind = AggregateKind::kSum;
  s.aggregates = {count, sum};
  s.rollup = {{0}, {1}};
  return s;
}
const std::vector<std::vector<Cells>> kShards = {
    {{"1", kNull, "1", "5"}, {"1", "2", "2", "7"}, {"2", "1", "1", "1"}},
    {{"1", "2", "1", "3"}, {"3", "1", "4", "-2"}}};

}  // namespace rollup

// After each group, the super-aggregates of the prefixes it closes, innermost first; the grand
// total last. A NULL key group stays a group of its own, distinct from the rollup rows.
TEST(MergePipeline, RollupAddsSuperAggregatesAsPrefixesClose) {
  auto r = run(rollup::spec(), rollup::columns(), rollup::kShards);
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"1", kNull, "1", "5"},
                                        {"1", "2", "3", "10"},
                                        {"1", kNull, "4", "15"},
                                        {"2", "1", "1", "1"},
                                        {"2", kNull, "1", "1"},
                                        {"3", "1", "4", "-2"},
                                        {"3", kNull, "4", "-2"},
                                        {kNull, kNull, "9", "14"}}));
}

TEST(MergePipeline, RollupRowsPassHavingAndLimitAndKeysBecomeNullable) {
  MergeSpec spec = rollup::spec();
  // HAVING COUNT(*) > 3
  spec.having = ScalarExpr::compare(ScalarExpr::CompareOp::kGt, ScalarExpr::column(2),
                                    ScalarExpr::int_literal(3));
  spec.limit = 2;
  auto p = MergePipeline::create(spec, rollup::columns(), 2);
  ASSERT_TRUE(p);
  EXPECT_EQ((*p)->visible_columns()[0].flags & protocol::column_flag::kNotNull, 0);
  auto r = run(spec, rollup::columns(), rollup::kShards);
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"1", kNull, "4", "15"}, {"3", "1", "4", "-2"}}));
}

TEST(MergePipeline, RollupOverNoRowsHasNoRows) {
  auto r = run(rollup::spec(), rollup::columns(), {{}, {}});
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_TRUE(r.rows.empty());
}

// `HAVING a IS NULL OR ...` over a NOT NULL column: the server folds the test to false, so
// the super-aggregates' NULL does not pass it.
TEST(MergePipeline, RollupHavingIsNullOverANotNullKeyIsFalse) {
  MergeSpec spec = rollup::spec();
  // HAVING a IS NULL OR COUNT(*) > 3
  spec.having =
      ScalarExpr::logical_or(ScalarExpr::is_null(ScalarExpr::column(0), false, true),
                             ScalarExpr::compare(ScalarExpr::CompareOp::kGt, ScalarExpr::column(2),
                                                 ScalarExpr::int_literal(3)));
  auto r = run(spec, rollup::columns(), rollup::kShards);
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows, (std::vector<Cells>{{"1", kNull, "4", "15"},
                                        {"3", "1", "4", "-2"},
                                        {"3", kNull, "4", "-2"},
                                        {kNull, kNull, "9", "14"}}));
  // Over a nullable column the super-aggregates answer it.
  spec.having = ScalarExpr::is_null(ScalarExpr::column(1), false, true);
  r = run(spec, rollup::columns(), rollup::kShards);
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.rows.size(), 5u);
}

}  // namespace
}  // namespace tessera::exec
