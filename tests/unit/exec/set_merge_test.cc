// The set operations' combining step (exec/set_merge.h): UNION [ALL], INTERSECT [ALL],
// EXCEPT [ALL] over branch rows, compared under the union column's collation, with the union's
// ORDER BY / LIMIT and its memory budget; and the cell conversions to the union's types.
#include "exec/set_merge.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "exec_test_util.h"

namespace tessera::exec {
namespace {

using testing::Cells;
using testing::kNull;

// A tree over branches 0..n-1 folded left: ((b0 op0 b1) op1 b2) ...
SetSpec chain(std::vector<std::pair<SetOpKind, bool>> ops) {
  SetSpec s;
  s.branches = ops.size() + 1;
  SetNode leaf;
  leaf.branch = 0;
  s.nodes.push_back(leaf);
  int left = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    SetNode l;
    l.branch = static_cast<int>(i + 1);
    s.nodes.push_back(l);
    SetNode op;
    op.op = ops[i].first;
    op.all = ops[i].second;
    op.left = left;
    op.right = static_cast<int>(s.nodes.size() - 1);
    s.nodes.push_back(op);
    left = static_cast<int>(s.nodes.size() - 1);
  }
  s.root = left;
  return s;
}

ValueType text_type(const char* collation) {
  ValueType t;
  t.family = ValueFamily::kString;
  t.collation = Collation::from_name(collation, Collation::Encoding::kUtf8);
  return t;
}

ValueType int_type() {
  ValueType t;
  t.family = ValueFamily::kSignedInt;
  return t;
}

std::vector<Cells> run(SetSpec spec, std::vector<ValueType> types,
                       const std::vector<std::vector<Cells>>& branches,
                       std::optional<MergeError>* error = nullptr) {
  SetMerge m(std::move(spec), std::move(types));
  std::vector<Cells> out;
  Row r;
  for (size_t b = 0; b < branches.size() && !m.done(); ++b) {
    for (const auto& cells : branches[b]) {
      Status st = m.add(b, Row::of(cells));
      if (!st.ok()) {
        if (error) *error = st.error();
        return out;
      }
      while (m.next(r)) out.push_back(testing::cells_of(r));
      if (m.done()) break;
    }
  }
  Status st = m.finish();
  if (!st.ok()) {
    if (error) *error = st.error();
    return out;
  }
  while (m.next(r)) out.push_back(testing::cells_of(r));
  if (m.error() && error) *error = *m.error();
  return out;
}

std::vector<Cells> sorted(std::vector<Cells> rows) {
  std::sort(rows.begin(), rows.end());
  return rows;
}

TEST(SetMerge, UnionAllConcatenatesInBranchOrder) {
  auto rows =
      run(chain({{SetOpKind::kUnion, true}}), {int_type()}, {{{"1"}, {"1"}}, {{"1"}, {kNull}}});
  EXPECT_EQ(rows, (std::vector<Cells>{{"1"}, {"1"}, {"1"}, {kNull}}));
  SetMerge m(chain({{SetOpKind::kUnion, true}}), {int_type()});
  EXPECT_STREQ(m.mode_name(), "concatenate");
}

TEST(SetMerge, UnionDistinctStreamsFirstSeen) {
  SetMerge m(chain({{SetOpKind::kUnion, false}}), {int_type()});
  EXPECT_STREQ(m.mode_name(), "distinct");
  ASSERT_TRUE(m.add(0, Row::of({"2"})).ok());
  Row r;
  ASSERT_TRUE(m.next(r));  // out before the branch ends
  EXPECT_EQ(r.cell(0), "2");
}

TEST(SetMerge, NullsAreEqualForDistinct) {
  auto rows = run(chain({{SetOpKind::kUnion, false}}), {int_type(), text_type("utf8mb4_bin")},
                  {{{kNull, kNull}, {kNull, kNull}}, {{kNull, kNull}, {"1", kNull}}});
  EXPECT_EQ(sorted(rows), sorted({{kNull, kNull}, {"1", kNull}}));
}

TEST(SetMerge, GeneralCiFoldsCaseAndTrailingSpaces) {
  auto rows = run(chain({{SetOpKind::kUnion, false}}), {text_type("utf8mb4_general_ci")},
                  {{{"abc"}, {"ABC "}}, {{"Abc"}, {"abd"}}});
  // The first spelling seen stands for its class, as the server's temporary table keeps it.
  EXPECT_EQ(rows, (std::vector<Cells>{{"abc"}, {"abd"}}));
}

TEST(SetMerge, SharpSUnderGeneralCiAndUnicodeCi) {
  // utf8mb4_general_ci: 'ß' = 's'; utf8mb4_unicode_ci: 'ß' = 'ss' (and not 's').
  auto general = run(chain({{SetOpKind::kUnion, false}}), {text_type("utf8mb4_general_ci")},
                     {{{"ß"}}, {{"s"}, {"ss"}}});
  EXPECT_EQ(general, (std::vector<Cells>{{"ß"}, {"ss"}}));
  auto unicode = run(chain({{SetOpKind::kUnion, false}}), {text_type("utf8mb4_unicode_ci")},
                     {{{"ß"}}, {{"s"}, {"ss"}}});
  EXPECT_EQ(unicode, (std::vector<Cells>{{"ß"}, {"s"}}));
}

TEST(SetMerge, BinCollationKeepsCaseAndNoPadKeepsSpaces) {
  auto bin = run(chain({{SetOpKind::kUnion, false}}), {text_type("utf8mb4_bin")},
                 {{{"a"}}, {{"A"}, {"a "}}});
  EXPECT_EQ(bin, (std::vector<Cells>{{"a"}, {"A"}}));  // _bin is PAD SPACE: 'a ' = 'a'
  auto nopad = run(chain({{SetOpKind::kUnion, false}}), {text_type("utf8mb4_general_nopad_ci")},
                   {{{"a"}}, {{"A"}, {"a "}}});
  EXPECT_EQ(nopad, (std::vector<Cells>{{"a"}, {"a "}}));
}

TEST(SetMerge, IntersectAndExcept) {
  std::vector<std::vector<Cells>> in = {{{"1"}, {"1"}, {"2"}, {"3"}, {kNull}},
                                        {{"1"}, {"1"}, {"1"}, {"3"}, {kNull}}};
  EXPECT_EQ(sorted(run(chain({{SetOpKind::kIntersect, false}}), {int_type()}, in)),
            sorted({{"1"}, {"3"}, {kNull}}));
  EXPECT_EQ(sorted(run(chain({{SetOpKind::kIntersect, true}}), {int_type()}, in)),
            sorted({{"1"}, {"1"}, {"3"}, {kNull}}));
  EXPECT_EQ(run(chain({{SetOpKind::kExcept, false}}), {int_type()}, in),
            (std::vector<Cells>{{"2"}}));
  std::vector<std::vector<Cells>> twice = {{{"1"}, {"1"}, {"1"}, {"2"}}, {{"1"}}};
  EXPECT_EQ(sorted(run(chain({{SetOpKind::kExcept, true}}), {int_type()}, twice)),
            sorted({{"1"}, {"1"}, {"2"}}));
}

TEST(SetMerge, IntersectUnderCollation) {
  auto rows = run(chain({{SetOpKind::kIntersect, false}}), {text_type("utf8mb4_unicode_ci")},
                  {{{"Straße"}, {"x"}}, {{"STRASSE"}}});
  EXPECT_EQ(rows, (std::vector<Cells>{{"Straße"}}));
}

TEST(SetMerge, MixedTreeFollowsMultiplicities) {
  // (a UNION b) UNION ALL c: DISTINCT over a and b, c's copies kept.
  auto rows = run(chain({{SetOpKind::kUnion, false}, {SetOpKind::kUnion, true}}), {int_type()},
                  {{{"1"}, {"1"}}, {{"2"}}, {{"1"}, {"1"}}});
  EXPECT_EQ(sorted(rows), sorted({{"1"}, {"1"}, {"1"}, {"2"}}));
  // (a UNION ALL b) EXCEPT ALL c
  rows = run(chain({{SetOpKind::kUnion, true}, {SetOpKind::kExcept, true}}), {int_type()},
             {{{"1"}, {"1"}}, {{"1"}, {"2"}}, {{"1"}}});
  EXPECT_EQ(sorted(rows), sorted({{"1"}, {"1"}, {"2"}}));
}

TEST(SetMerge, OrderByAndLimit) {
  SetSpec spec = chain({{SetOpKind::kUnion, false}});
  spec.order_by = {SortKey{0, true}};
  spec.offset = 1;
  spec.limit = 2;
  auto rows = run(spec, {int_type()}, {{{"1"}, {"5"}, {kNull}}, {{"3"}, {"5"}, {"4"}}});
  EXPECT_EQ(rows, (std::vector<Cells>{{"4"}, {"3"}}));
  // LIMIT without ORDER BY stops the input.
  SetSpec lim = chain({{SetOpKind::kUnion, true}});
  lim.limit = 1;
  SetMerge m(lim, {int_type()});
  ASSERT_TRUE(m.add(0, Row::of({"7"})).ok());
  EXPECT_TRUE(m.done());
}

// A collation the merge lacks (utf8mb4_uca1400_ai_ci): each row carries the server's weight
// string of its value after the result's columns (SetSpec::keys), compared padded with the
// space's weight (PAD SPACE: 'a' = 'a '), and cut off on the way out.
ValueType uca_weights() {
  ValueType t;
  t.family = ValueFamily::kString;
  t.collation = Collation::server_weights("utf8mb4_uca1400_ai_ci", std::string("\x02\x09", 2));
  return t;
}

SetSpec weighed(SetSpec s) {
  s.visible = 1;
  s.keys = {1};
  return s;
}

TEST(SetMerge, ComparesByWeightColumnsAndCutsThemOff) {
  // weights recorded from MariaDB 10.11: 'a' 2075, 'A' 2075, 'a ' 2075 0209, 'ß' 22B6 22B6,
  // 'ss' 22B6 22B6, 'b' 208F
  const std::string a("\x20\x75", 2), a_sp("\x20\x75\x02\x09", 4), ss("\x22\xb6\x22\xb6", 4),
      b("\x20\x8f", 2);
  std::vector<ValueType> types{text_type("utf8mb4_uca1400_ai_ci"), uca_weights()};
  auto rows = run(weighed(chain({{SetOpKind::kUnion, false}})), types,
                  {{{"a", a}, {"ß", ss}}, {{"A", a}, {"a ", a_sp}, {"ss", ss}, {"b", b}}});
  EXPECT_EQ(rows, (std::vector<Cells>{{"a"}, {"ß"}, {"b"}}));
  // INTERSECT ALL counts copies by weight; ORDER BY sorts by weight (DESC here).
  SetSpec s = weighed(chain({{SetOpKind::kIntersect, true}}));
  SortKey k;
  k.column = 0;
  k.descending = true;
  s.order_by = {k};
  rows = run(
      s, types,
      {{{"a", a}, {"a ", a_sp}, {"b", b}, {"ß", ss}}, {{"A", a}, {"A", a}, {"B", b}, {"SS", ss}}});
  EXPECT_EQ(rows, (std::vector<Cells>{{"ß"}, {"b"}, {"a"}, {"a"}}));  // a class: its first row
  // NULL's weight is NULL: equal to NULL only.
  rows = run(weighed(chain({{SetOpKind::kExcept, false}})), types,
             {{{kNull, kNull}, {"a", a}}, {{"A ", a_sp}}});
  EXPECT_EQ(rows, (std::vector<Cells>{{kNull}}));
}

TEST(SetMerge, MemoryBudgetIsAClearError) {
  SetSpec spec = chain({{SetOpKind::kIntersect, false}});
  spec.budget = std::make_shared<MemoryBudget>(4096, "");  // spilling off
  std::vector<Cells> many;
  for (int i = 0; i < 1000; ++i) many.push_back({std::to_string(i)});
  std::optional<MergeError> error;
  run(spec, {int_type()}, {many, many}, &error);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code.code, 1038);
  EXPECT_NE(error->message.find("merge_memory_bytes"), std::string::npos) << error->message;
  // UNION ALL holds nothing, whatever the budget.
  SetSpec all = chain({{SetOpKind::kUnion, true}});
  all.budget = std::make_shared<MemoryBudget>(16, "");
  error.reset();
  EXPECT_EQ(run(all, {int_type()}, {many, many}, &error).size(), 2000u);
  EXPECT_FALSE(error);
}

TEST(SetMerge, MaxResultRowsCountsEveryBranch) {
  SetSpec spec = chain({{SetOpKind::kUnion, true}});
  spec.max_rows = 3;
  std::optional<MergeError> error;
  run(spec, {int_type()}, {{{"1"}, {"2"}}, {{"3"}, {"4"}}}, &error);
  ASSERT_TRUE(error);
  EXPECT_NE(error->message.find("max_sql_result_size"), std::string::npos) << error->message;
}

TEST(UnionConversions, WidenCellsToTheUnionType) {
  using protocol::FieldType;
  auto dec = testing::decimal_col(2);
  auto date = testing::column(FieldType::kDate, 0, 63);
  auto datetime = testing::column(FieldType::kDatetime, 0, 63, 0);
  auto conv = union_conversions({testing::int_col(), date}, {dec, datetime});
  ASSERT_TRUE(conv);
  Row r = Row::of({"7", "2020-01-02"});
  convert_to_union(*conv, r);
  EXPECT_EQ(testing::cells_of(r), (Cells{"7.00", "2020-01-02 00:00:00"}));
  auto half = union_conversions({testing::decimal_col(1)}, {dec});
  ASSERT_TRUE(half);
  Row h = Row::of({"-1.5"});
  convert_to_union(*half, h);
  EXPECT_EQ(h.cell(0), "-1.50");
  // Strings take any number's text as it is; a DOUBLE from an INT is refused (1235).
  EXPECT_TRUE(union_conversions({testing::int_col()}, {testing::text_col()}));
  // An empty string type (MIN(NULL)) converts its NULLs; a value there is refused.
  auto empty = testing::text_col();
  empty.column_length = 0;
  auto nulls = union_conversions({empty}, {dec});
  ASSERT_TRUE(nulls);
  Row n = Row::of({kNull});
  EXPECT_TRUE(convert_to_union(*nulls, n));
  Row v = Row::of({""});
  EXPECT_FALSE(convert_to_union(*nulls, v));
  auto refused = union_conversions({testing::int_col()}, {testing::double_col()});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code.code, 1235);
}

}  // namespace
}  // namespace tessera::exec
