// The merge's expression evaluator end to end: SQL text parsed, mapped to merged-row columns
// (as the planner maps aggregates), built by resolve_merge(), typed by bind() and evaluated.
// Expected texts were recorded from MariaDB 10.11 with the same column types:
//   SELECT <expr> FROM (SELECT CAST(10 AS SIGNED) c0, CAST(2.50 AS DECIMAL(10,2)) c1,
//     CAST('abc' AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_general_ci c2,
//     CAST(NULL AS SIGNED) c3, 0.5e0 c4, CAST(18446744073709551615 AS UNSIGNED) c5,
//     CAST(7 AS DECIMAL(30,0)) c6, CAST(3 AS SIGNED) c7) t
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exec/engine/merge_resolve.h"
#include "exec/scalar_expr.h"
#include "sql/parser.h"

namespace tessera::exec::engine {
namespace {

using protocol::ColumnDefinition;
using protocol::FieldType;
constexpr std::nullopt_t kNull = std::nullopt;

ColumnDefinition def(FieldType t, uint8_t decimals = 0, uint16_t flags = 0, uint16_t cs = 63) {
  ColumnDefinition c;
  c.name = "c";
  c.type = t;
  c.decimals = decimals;
  c.flags = flags;
  c.charset = cs;
  return c;
}

struct Evaluated {
  std::optional<std::string> text;
  std::optional<std::string> error;  // bind() refusal or a run-time error
};

class ScalarEval : public ::testing::Test {
 protected:
  // c0..c7 as in the file comment, then the row of the expression under test.
  std::vector<ColumnDefinition> columns{
      def(FieldType::kLongLong),
      def(FieldType::kNewDecimal, 2),
      def(FieldType::kVarString, 0, 0, 45),
      def(FieldType::kLongLong),
      def(FieldType::kDouble, 31),
      def(FieldType::kLongLong, 0, protocol::column_flag::kUnsigned),
      def(FieldType::kNewDecimal, 0),
      def(FieldType::kLongLong),
  };
  std::vector<std::optional<std::string>> cells{
      "10", "2.50", "abc", kNull, "0.5", "18446744073709551615", "7", "3"};
  // c2's collation, as COLLATION() named it, and the charset its cells arrive in.
  std::string c2_collation = "utf8mb4_general_ci";
  Collation::Encoding c2_encoding = Collation::Encoding::kUtf8;

  Evaluated eval(const std::string& expr, std::optional<ColumnDefinition> result = {}) {
    std::string sql = "SELECT " + expr;
    sql::Arena arena;
    sql::Parser parser;
    auto parsed = parser.parse(sql, arena);
    if (!parsed.ok()) return {kNull, "parse: " + parsed.error.message};
    auto* select = static_cast<sql::SelectStatement*>(parsed.statement);
    auto* core = static_cast<sql::SelectCore*>(select->query->body);
    MergeInfo m;
    ComputedColumn cc;
    cc.column = 8;
    cc.value.expr = core->items[0].expr;
    map_columns(core->items[0].expr, cc.value.columns);
    m.computed.push_back(cc);
    auto spec = resolve_merge(m, 9, MergeLimits{});
    if (!spec) return {kNull, spec.error().message};
    auto& e = spec->computed[0].second;
    std::vector<ValueType> types;
    std::vector<ColumnDefinition> all = columns;
    all.push_back(result.value_or(def(FieldType::kVarString, 0, 0, 45)));
    for (auto& c : all) types.push_back(ValueType::of(c));
    types[2].collation = Collation::from_name(c2_collation, c2_encoding);
    std::unique_ptr<bool[]> known(new bool[all.size()]());
    known[2] = true;
    if (auto err = e.bind(all, types, std::span<const bool>(known.get(), all.size())))
      return {kNull, *err};
    auto row_cells = cells;
    row_cells.push_back(kNull);
    Row row = Row::of(row_cells);
    SqlValue v = e.evaluate(row, types);
    if (v.is_error()) return {kNull, v.s};
    return {e.text(v), kNull};
  }

  // AVG(c0) read from SUM (c6: 10) and COUNT (c7: 3), as the merge maps an AVG; its own
  // column (c1 here: DECIMAL(10,4)) gives its type.
  Evaluated eval_avg(const std::string& expr) {
    std::string sql = "SELECT " + expr;
    sql::Arena arena;
    sql::Parser parser;
    auto parsed = parser.parse(sql, arena);
    if (!parsed.ok()) return {kNull, "parse: " + parsed.error.message};
    auto* core = static_cast<sql::SelectCore*>(
        static_cast<sql::SelectStatement*>(parsed.statement)->query->body);
    MergeInfo m;
    AggregateColumn avg;
    avg.kind = AggregateKind::kAvg;
    avg.column = 1;
    avg.sum_column = 6;
    avg.count_column = 7;
    m.aggregates.push_back(avg);
    ComputedColumn cc;
    cc.column = 8;
    cc.value.expr = core->items[0].expr;
    find_avg(core->items[0].expr, cc.value.columns);
    m.computed.push_back(cc);
    auto spec = resolve_merge(m, 9, MergeLimits{});
    if (!spec) return {kNull, spec.error().message};
    auto& e = spec->computed[0].second;
    std::vector<ColumnDefinition> all = columns;
    all[1] = def(FieldType::kNewDecimal, 4);
    all.push_back(def(FieldType::kVarString, 0, 0, 45));
    std::vector<ValueType> types;
    for (auto& c : all) types.push_back(ValueType::of(c));
    std::unique_ptr<bool[]> known(new bool[all.size()]());
    if (auto err = e.bind(all, types, std::span<const bool>(known.get(), all.size())))
      return {kNull, *err};
    auto row_cells = cells;
    row_cells[6] = "10";
    row_cells.push_back(kNull);
    SqlValue v = e.evaluate(Row::of(row_cells), types);
    if (v.is_error()) return {kNull, v.s};
    return {e.text(v), kNull};
  }

  static void find_avg(const sql::Expr* e,
                       std::vector<std::pair<const sql::Expr*, uint32_t>>& out) {
    if (!e) return;
    using namespace sql;
    if (e->kind == ExprKind::Function) {
      auto* f = static_cast<const Function*>(e);
      if (f->name == "AVG") {
        out.emplace_back(e, 1u);
        return;
      }
      for (auto* a : f->args) find_avg(a, out);
    } else if (e->kind == ExprKind::Binary) {
      find_avg(static_cast<const Binary*>(e)->left, out);
      find_avg(static_cast<const Binary*>(e)->right, out);
    } else if (e->kind == ExprKind::Cast) {
      find_avg(static_cast<const Cast*>(e)->operand, out);
    }
  }

  // Every column reference c<N> reads merged-row column N.
  static void map_columns(const sql::Expr* e,
                          std::vector<std::pair<const sql::Expr*, uint32_t>>& out) {
    if (!e) return;
    using namespace sql;
    switch (e->kind) {
      case ExprKind::Column: {
        auto* c = static_cast<const ColumnRef*>(e);
        out.emplace_back(e, static_cast<uint32_t>(c->column().name[1] - '0'));
        return;
      }
      case ExprKind::Function:
        for (auto* a : static_cast<const Function*>(e)->args) map_columns(a, out);
        return;
      case ExprKind::Unary:
        map_columns(static_cast<const Unary*>(e)->operand, out);
        return;
      case ExprKind::Binary:
        map_columns(static_cast<const Binary*>(e)->left, out);
        map_columns(static_cast<const Binary*>(e)->right, out);
        return;
      case ExprKind::Cast:
        map_columns(static_cast<const Cast*>(e)->operand, out);
        return;
      case ExprKind::IsTest:
        map_columns(static_cast<const IsTest*>(e)->operand, out);
        return;
      case ExprKind::Between: {
        auto* b = static_cast<const Between*>(e);
        map_columns(b->operand, out);
        map_columns(b->low, out);
        map_columns(b->high, out);
        return;
      }
      case ExprKind::InList: {
        auto* in = static_cast<const InList*>(e);
        map_columns(in->operand, out);
        for (auto* x : in->items) map_columns(x, out);
        return;
      }
      case ExprKind::Case: {
        auto* c = static_cast<const Case*>(e);
        map_columns(c->operand, out);
        for (auto& w : c->whens) {
          map_columns(w.when, out);
          map_columns(w.then, out);
        }
        map_columns(c->else_expr, out);
        return;
      }
      default:
        return;
    }
  }
};

struct Case {
  const char* expr;
  std::optional<const char*> text;
};

TEST_F(ScalarEval, MatchesTheServer) {
  const std::vector<Case> cases{
#include "scalar_eval_cases.inc"
  };
  for (const auto& c : cases) {
    auto r = eval(c.expr);
    ASSERT_FALSE(r.error) << c.expr << ": " << *r.error;
    if (!c.text) {
      EXPECT_EQ(r.text, std::nullopt) << c.expr;
    } else {
      EXPECT_EQ(r.text, std::optional<std::string>(*c.text)) << c.expr;
    }
  }
}

TEST_F(ScalarEval, DecimalsKeepTheServersInternalDigits) {
  // 1/3 is 0.333333333 inside the server: ROUND and CAST see the digits the text hides,
  // comparisons round to the shown scale first, BETWEEN and multi-item IN do not.
  EXPECT_EQ(eval("ROUND(c0 / 3, 8)").text, "3.33333333");
  EXPECT_EQ(eval("CAST(c0 / 3 AS DECIMAL(20,12))").text, "3.333333333000");
  EXPECT_EQ(eval("c0 / 3 = 3.3333").text, "1");
  EXPECT_EQ(eval("c0 / 3 > 3.3333").text, "0");
  EXPECT_EQ(eval("c0 / 3 IN (3.3333)").text, "1");
  EXPECT_EQ(eval("c0 / 3 IN (3.3333, 3.3334)").text, "0");
  EXPECT_EQ(eval("c0 / 3 BETWEEN 3.3333 AND 3.3333").text, "0");
  EXPECT_EQ(eval("NULLIF(c0 / 3, 3.3333)").text, kNull);
  // The quotient's fraction: whole 9-digit words for each operand's fraction plus
  // div_precision_increment less the padding those words added.
  EXPECT_EQ(eval("CAST(c1 * 10000 / 3 AS DECIMAL(30,20))").text, "8333.33333333300000000000");
  EXPECT_EQ(eval("CAST(c1 / 3 * 1.0000000 / 3 AS DECIMAL(40,30))").text,
            "0.277777777666666666666666666000");
}

TEST_F(ScalarEval, IntegerOverflowIsTheServersError) {
  auto r = eval("c5 + 1");
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->find("BIGINT UNSIGNED value is out of range"), std::string::npos);
  r = eval("c0 - 11 - c5");
  ASSERT_TRUE(r.error);
  r = eval("CAST(9223372036854775807 AS SIGNED) + c0");
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->find("BIGINT value is out of range"), std::string::npos);
  r = eval("c7 - 4 + c5");  // -1 + 18446744073709551615 fits BIGINT UNSIGNED
  ASSERT_FALSE(r.error) << *r.error;
  EXPECT_EQ(r.text, "18446744073709551614");
}

TEST_F(ScalarEval, NullRules) {
  EXPECT_EQ(eval("c3 + 1").text, kNull);
  EXPECT_EQ(eval("GREATEST(c0, c3)").text, kNull);
  EXPECT_EQ(eval("CONCAT_WS(c3, c2)").text, kNull);
  EXPECT_EQ(eval("COALESCE(c3, c3)").text, kNull);
  EXPECT_EQ(eval("c0 / 0").text, kNull);
  EXPECT_EQ(eval("c1 DIV 0").text, kNull);
  EXPECT_EQ(eval("IF(c3, 1, 2)").text, "2");
  EXPECT_EQ(eval("c3 IS NULL").text, "1");
}

TEST_F(ScalarEval, DoublesPrintAsTheirTypeSays) {
  EXPECT_EQ(eval("ROUND(c4 * 5)").text, "2");             // rint: half to even
  EXPECT_EQ(eval("ROUND(c4 * 3, 3)").text, "1.500");      // fixed decimals
  EXPECT_EQ(eval("c4 / 3").text, "0.16666666666666666");  // shortest form
  EXPECT_EQ(eval("CAST(c4 * 5 AS SIGNED)").text, "2");
}

TEST_F(ScalarEval, UnimplementedIsRefusedByName) {
  auto r = eval("SQRT(c0)");
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->find("SQRT()"), std::string::npos) << *r.error;
  r = eval("CAST(c0 AS DATE)");
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->find("CAST to DATE"), std::string::npos) << *r.error;
  // AVG read as a double: the server's digits depend on its plan (SUM as a double / COUNT, or
  // the DECIMAL quotient of its temporary table).
  r = eval_avg("CAST(AVG(c0) AS DOUBLE)");
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->find("AVG() of an exact value read as a double"), std::string::npos)
      << *r.error;
  r = eval_avg("COALESCE(AVG(c0), 1) * 1e0");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(eval_avg("ROUND(AVG(c0), 6)").text, "3.333333");  // (10 + 0 + 0) / 3
  EXPECT_EQ(eval_avg("AVG(c0) * 3").text, "10.0000");         // 9.999999999 shown with 4 digits
  r = eval("GREATEST(c2, c0)");
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->find("GREATEST() of strings mixed with numbers"), std::string::npos)
      << *r.error;
  cells[2] = "\xc3\xa9t\xc3\xa9";
  EXPECT_EQ(eval("CHAR_LENGTH(c2)").text, "3");
  EXPECT_EQ(eval("LENGTH(c2)").text, "5");
}

// UPPER/LOWER map case as the column's collation does (exec/case_map.h); expected values from
// MariaDB 10.11: SELECT UPPER(x), LOWER(x) FROM (SELECT CONVERT(_utf8mb4'...' USING cs)
// COLLATE c AS x) a.
TEST_F(ScalarEval, UpperLowerUnderTheColumnsCollation) {
  cells[2] = "été ß ǅ ς Жук iı 中 😀 ⱥ  ";
  EXPECT_EQ(eval("UPPER(c2)").text, "ÉTÉ ß Ǆ Σ ЖУК II 中 😀 ⱥ  ");
  EXPECT_EQ(eval("LOWER(c2)").text, "été ß ǆ ς жук iı 中 😀 ⱥ  ");
  c2_collation = "utf8mb4_bin";
  EXPECT_EQ(eval("UPPER(c2)").text, "ÉTÉ ß Ǆ Σ ЖУК II 中 😀 ⱥ  ");
  c2_collation = "utf8mb4_unicode_520_ci";
  EXPECT_EQ(eval("UPPER(c2)").text, "ÉTÉ ß Ǆ Σ ЖУК II 中 😀 Ⱥ  ");
  // uca1400: the merge compares it by the server's weights, and maps case itself.
  c2_collation = "utf8mb4_uca1400_ai_ci";
  EXPECT_EQ(eval("UPPER(c2)").text, "ÉTÉ ß Ǆ Σ ЖУК II 中 😀 Ⱥ  ");
  c2_collation = "utf8mb4_turkish_ci";
  EXPECT_EQ(eval("UPPER(c2)").text, "ÉTÉ ß Ǆ Σ ЖУК İI 中 😀 ⱥ  ");
  cells[2] = "İI";
  EXPECT_EQ(eval("LOWER(c2)").text, "iı");
  // A latin1 column, its cells as UTF-8 or as its own bytes.
  c2_collation = "latin1_swedish_ci";
  cells[2] = "ÿµé";
  EXPECT_EQ(eval("UPPER(c2)").text, "ÿµÉ");
  c2_encoding = Collation::Encoding::kLatin1;
  cells[2] = "\xff\xb5\xe9";
  EXPECT_EQ(eval("UPPER(c2)").text, "\xff\xb5\xc9");
  // A collation without a recorded map, or a utf8 column read in latin1: refused at bind.
  c2_collation = "cp1251_general_ci";
  c2_encoding = Collation::Encoding::kUtf8;
  auto r = eval("UPPER(c2)");
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->find("UPPER() of a string other than"), std::string::npos) << *r.error;
  c2_collation = "utf8mb4_general_ci";
  c2_encoding = Collation::Encoding::kLatin1;
  r = eval("LOWER(c2)");
  ASSERT_TRUE(r.error);
  // Numbers map as their text.
  EXPECT_EQ(eval("UPPER(c0)").text, "10");
  // A binary string is left as it is (SELECT UPPER(_binary X'C3A961') = 0xC3A961).
  c2_collation = "binary";
  c2_encoding = Collation::Encoding::kUtf8;
  cells[2] =
      "\xc3\xa9"
      "a";
  EXPECT_EQ(eval("UPPER(c2)").text,
            "\xc3\xa9"
            "a");
}

}  // namespace
}  // namespace tessera::exec::engine
