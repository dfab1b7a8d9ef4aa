// Hostile statement shapes (issue 15, defect 2): long operator chains, huge IN lists, deep unary
// and parenthesis nesting. The parser must either build a tree every later walk can recurse
// over within a thread's stack, or fail with ParseError::too_deep; nothing may crash.
#include <gtest/gtest.h>
#include <pthread.h>

#include <chrono>
#include <functional>
#include <string>

#include "sql/classify.h"
#include "sql/fingerprint.h"
#include "sql/parser.h"
#include "sql/writer.h"

namespace tessera::sql {
namespace {

// "t0 op t1 op ... t(n-1)" with term(i) giving each term's text.
std::string chain(int n, std::string_view op, const std::function<std::string(int)>& term) {
  std::string s;
  s.reserve(size_t(n) * (op.size() + 8));
  for (int i = 0; i < n; ++i) {
    if (i) s.append(op);
    s.append(term(i));
  }
  return s;
}

std::string ones(int n, std::string_view op) {
  return chain(n, op, [](int) { return std::string("1"); });
}

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.append(s);
  return out;
}

// Height of an expression tree over the node kinds these tests build (the trees here are known
// to be shallow enough to recurse over, or this is what would show they are not).
int height(const Expr* e) {
  if (!e) return 0;
  switch (e->kind) {
    case ExprKind::Binary: {
      auto* b = static_cast<const Binary*>(e);
      return 1 + std::max(height(b->left), height(b->right));
    }
    case ExprKind::Unary:
      return 1 + height(static_cast<const Unary*>(e)->operand);
    default:
      return 1;
  }
}

const Expr* where_of(const ParseResult& r) {
  auto* q = static_cast<const SelectStatement*>(r.statement)->query;
  return static_cast<const SelectCore*>(q->body)->where;
}

// Runs fn on a thread whose whole stack is `bytes`: overflowing it crashes the test binary,
// which is the point (the walks must fit with room to spare).
void on_small_stack(size_t bytes, const std::function<void()>& fn) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, bytes), 0);
  pthread_t t;
  auto run = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&t, &attr, run, const_cast<std::function<void()>*>(&fn)), 0);
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
#else
constexpr bool kAsan = false;
#endif

class DeepExpressionTest : public ::testing::Test {
 protected:
  // The AST points into the text: keep the current one alive until the next parse.
  ParseResult parse(std::string sql) {
    arena_.reset();
    text_ = std::move(sql);
    return parser_.parse(text_, arena_);
  }
  static void expect_too_deep(const ParseResult& r, const std::string& what) {
    EXPECT_FALSE(r.ok()) << what;
    EXPECT_TRUE(r.error.too_deep) << what << ": " << r.error.message;
    EXPECT_NE(r.error.message.find("too deeply nested"), std::string::npos) << r.error.message;
  }

  Arena arena_;
  Parser parser_;
  std::string text_;
};

TEST_F(DeepExpressionTest, HundredThousandTermSumIsRefusedAsTooDeep) {
  std::string sql = "SELECT * FROM t_sharded WHERE id = " + ones(100000, "+");
  ASSERT_GT(sql.size(), 200000u);
  ParseResult r = parse(sql);
  expect_too_deep(r, "+ chain");
  EXPECT_EQ(r.error.line, 1);
  // The lexer-level paths see the same text on every statement.
  EXPECT_EQ(classify(sql).kind, StatementKind::Select);
  Fingerprint f = fingerprint(sql);
  EXPECT_EQ(f.text.substr(0, 33), "SELECT * FROM t_sharded WHERE id ");
}

TEST_F(DeepExpressionTest, EveryChainingOperatorIsBounded) {
  for (const char* op : {"+",  "-", "*",  "/",      " DIV ",    " MOD ",       "%",
                         "^",  "|", "&",  "<<",     ">>",       "=",           "<=>",
                         "<>", "<", ">=", " LIKE ", " REGEXP ", " IS NULL = ", "->'$'+"}) {
    std::string sql = "SELECT a FROM t WHERE " +
                      chain(50000, op, [](int i) { return "c" + std::to_string(i % 7); });
    expect_too_deep(parse(sql), op);
  }
  // Postfix and keyword chains.
  expect_too_deep(parse("SELECT a " + repeat(" COLLATE utf8mb4_bin", 20000)), "COLLATE");
  expect_too_deep(parse("SELECT a" + repeat(" IS NOT NULL", 20000)), "IS NOT NULL");
  expect_too_deep(parse("SELECT a" + repeat(" IN (1, 2)", 20000)), "IN");
  expect_too_deep(parse("SELECT a" + repeat(" BETWEEN 1 AND 2", 20000)), "BETWEEN");
  expect_too_deep(parse("SELECT 1 " + repeat(" UNION SELECT 1", 20000)), "UNION");
  expect_too_deep(parse("SELECT 1 FROM t " + repeat(" JOIN t", 20000)), "JOIN");
  expect_too_deep(parse("SELECT 1 FROM t " + repeat(" STRAIGHT_JOIN t ON 1", 20000)), "JOIN ON");
}

TEST_F(DeepExpressionTest, ShortChainsStillParse) {
  // Chains below the bound parse as before: left-deep, printed back unchanged.
  std::string sum = ones(1000, " + ");
  ParseResult r = parse("SELECT " + sum);
  ASSERT_TRUE(r.ok()) << r.error.message;
  EXPECT_EQ(to_sql(*r.statement), "SELECT " + sum);
  // Several long chains side by side are bounded by the highest one, not their sum.
  std::string wide = "SELECT " + chain(20, ", ", [&](int) { return sum; });
  r = parse(wide + " FROM t WHERE " + sum + " = " + sum);
  ASSERT_TRUE(r.ok()) << r.error.message;
}

TEST_F(DeepExpressionTest, ChainsInsideChainsAddUp) {
  // A parenthesised 1,500-term chain as the first operand of another 1,500-term chain makes one
  // 3,000-level spine: refused, though each chain alone is accepted.
  std::string inner = "(" + ones(1500, "+") + ")";
  ASSERT_TRUE(parse("SELECT " + inner).ok());
  expect_too_deep(parse("SELECT " + inner + repeat("+1", 1500)), "nested chains");
  // Through function arguments and subqueries too.
  std::string fn = "abs(" + ones(1500, "+") + ")";
  expect_too_deep(parse("SELECT " + fn + repeat("+1", 1500)), "chain around a function");
  std::string sub = "(SELECT " + ones(1500, "+") + ")";
  expect_too_deep(parse("SELECT " + sub + repeat("+1", 1500)), "chain around a subquery");
}

TEST_F(DeepExpressionTest, SixtyThousandOrTermsParseBalancedAndPrintUnchanged) {
  std::string cond = chain(60000, " OR ", [](int i) { return "id = " + std::to_string(i + 1); });
  std::string sql = "SELECT * FROM t_sharded WHERE " + cond;
  ParseResult r = parse(sql);
  ASSERT_TRUE(r.ok()) << r.error.message;
  const Expr* w = where_of(r);
  // ceil(log2(60000)) = 16 levels of OR above the comparisons.
  EXPECT_EQ(height(w), 16 + 2);
  // Leftmost and rightmost operands in place: the operands keep their order.
  const Expr* left = w;
  while (left->kind == ExprKind::Binary && static_cast<const Binary*>(left)->op == BinaryOp::Or)
    left = static_cast<const Binary*>(left)->left;
  ASSERT_EQ(left->kind, ExprKind::Binary);
  EXPECT_EQ(static_cast<const Literal*>(static_cast<const Binary*>(left)->right)->text, "1");
  EXPECT_EQ(left->pos, sql.find("id = 1"));
  // Printed back exactly as written (the operator between operands is the source's).
  std::string printed = to_sql(*r.statement);
  EXPECT_EQ(printed, sql);
  // And the printed text parses to the same tree.
  WriteOptions canonical;
  canonical.canonical = true;
  std::string c1 = to_sql(*r.statement, canonical);
  Arena arena2;
  ParseResult r2 = parser_.parse(printed, arena2);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(to_sql(*r2.statement, canonical), c1);
}

TEST_F(DeepExpressionTest, LogicalChainsOfEachOperatorAreBalanced) {
  for (const char* op : {" OR ", " || ", " AND ", " && ", " XOR "}) {
    std::string cond = chain(100000, op, [](int i) { return "c" + std::to_string(i); });
    ParseResult r = parse("SELECT a FROM t WHERE " + cond);
    ASSERT_TRUE(r.ok()) << op << ": " << r.error.message;
    EXPECT_EQ(height(where_of(r)), 17 + 1) << op;
  }
  // A run ends where the operator changes; each run is balanced on its own.
  ParseResult r = parse("SELECT a OR b OR c AND d AND e OR f XOR g XOR h");
  ASSERT_TRUE(r.ok());
  WriteOptions canonical;
  canonical.canonical = true;
  auto* q = static_cast<SelectStatement*>(r.statement)->query;
  std::string out;
  to_sql(*static_cast<SelectCore*>(q->body)->items[0].expr, out, canonical);
  EXPECT_EQ(out, "((`a` OR `b`) OR (((`c` AND `d`) AND `e`) OR ((`f` XOR `g`) XOR `h`)))");
  out.clear();
  r = parse("SELECT a OR b OR c OR d OR e");
  q = static_cast<SelectStatement*>(r.statement)->query;
  to_sql(*static_cast<SelectCore*>(q->body)->items[0].expr, out, canonical);
  EXPECT_EQ(out, "(((`a` OR `b`) OR (`c` OR `d`)) OR `e`)");
  // Mixed with parentheses and NOT: the printed text keeps every parenthesis as written.
  std::string mixed = "SELECT a FROM t WHERE (a = 1 OR NOT b = 2) AND (c OR d OR (e AND f)) OR g";
  r = parse(mixed);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(to_sql(*r.statement), mixed);
}

TEST_F(DeepExpressionTest, HundredThousandItemInListIsFlatAndLinear) {
  std::string items = chain(100000, ",", [](int i) { return std::to_string(i); });
  std::string sql = "SELECT * FROM t_sharded WHERE id IN (" + items + ")";
  auto t0 = std::chrono::steady_clock::now();
  ParseResult r = parse(sql);
  ASSERT_TRUE(r.ok()) << r.error.message;
  const Expr* w = where_of(r);
  ASSERT_EQ(w->kind, ExprKind::InList);
  EXPECT_EQ(static_cast<const InList*>(w)->items.size(), 100000u);
  EXPECT_EQ(to_sql(*r.statement), "SELECT * FROM t_sharded WHERE id IN (" +
                                      chain(100000, ", ", [](int i) { return std::to_string(i); }) +
                                      ")");
  EXPECT_EQ(fingerprint(sql).text, "SELECT * FROM t_sharded WHERE id IN (...)");
  (void)classify(sql);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  EXPECT_LT(ms, kAsan ? 5000 : 1000);  // quadratic would be minutes
}

TEST_F(DeepExpressionTest, DeepUnaryAndParenthesisNestingIsRefusedNotCrashed) {
  for (const char* prefix : {"-", "- ", "~", "!", "+", "NOT ", "BINARY "}) {
    expect_too_deep(parse("SELECT " + repeat(prefix, 100000) + "1"), prefix);
    ParseResult r = parse("SELECT " + repeat(prefix, 50) + "1");
    EXPECT_TRUE(r.ok()) << prefix << ": " << r.error.message;
  }
  expect_too_deep(parse("SELECT " + repeat("(", 100000) + "1" + repeat(")", 100000)), "parens");
  expect_too_deep(parse("SELECT " + repeat("abs(", 100000) + "1" + repeat(")", 100000)), "calls");
  expect_too_deep(parse(repeat("SELECT * FROM (", 30000) + "SELECT 1" + repeat(") d", 30000)),
                  "derived tables");
  expect_too_deep(parse("SELECT 1 FROM t WHERE " + repeat("a IN (SELECT a FROM t WHERE ", 30000) +
                        "1" + repeat(")", 30000)),
                  "IN subqueries");
  expect_too_deep(parse("SELECT " + repeat("@a := ", 100000) + "1"), ":= chain");
  expect_too_deep(parse("SELECT " + repeat("CASE WHEN ", 100000) + "1"), "CASE nesting");
  // Mixed unary and binary: - 1 - - 1 - - 1 ...
  expect_too_deep(parse("SELECT " + chain(100000, " - ", [](int) { return "-1"; })), "- -1");
}

// The deepest statements the parser accepts, walked by every AST walk in the sql module, on a
// thread with a small stack: the bound must leave the walks plenty of room. (The router's walks
// get the same treatment in tests/unit/router/deep_statement_test.cc.)
TEST_F(DeepExpressionTest, DeepestAcceptedStatementsFitInASmallStack) {
  // Longest accepted chain: find it from the bound rather than hard-coding it.
  int lo = 1, hi = 100000;
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    if (parse("SELECT " + ones(mid, "+")).ok())
      lo = mid;
    else
      hi = mid - 1;
  }
  EXPECT_GE(lo, 1000);
  std::vector<std::string> deepest = {
      "SELECT " + ones(lo, "+"),
      "SELECT a FROM t WHERE " + chain(lo, " = ", [](int i) { return "c" + std::to_string(i); }),
      "SELECT a FROM t WHERE " + repeat("(", 60) + ones(lo - 300, " - ") + repeat(")", 60),
      "SELECT 1 " + repeat(" UNION SELECT 1", lo - 10),
      "SELECT 1 FROM t " + repeat(" JOIN t", lo - 10),
      "SELECT a " + repeat(" COLLATE utf8mb4_bin", lo - 10),
  };
  // The writer takes about 200 bytes a level (2 frames), 400 KiB for the deepest tree; the
  // planner's walks more under ASan (see DepthGuard). 1 MiB (4 MiB under ASan) leaves a
  // margin, and a worker thread has 8 MiB (app/main.cc sets it).
  size_t stack = kAsan ? (4u << 20) : (1u << 20);
  for (const std::string& sql : deepest) {
    ParseResult r = parse(sql);
    ASSERT_TRUE(r.ok()) << sql.substr(0, 60) << ": " << r.error.message;
    on_small_stack(stack, [&] {
      Arena arena;
      Parser parser;
      ParseResult pr = parser.parse(sql, arena);
      if (!pr.ok()) return;
      std::string printed = to_sql(*pr.statement);
      WriteOptions canonical;
      canonical.canonical = true;
      std::string c = to_sql(*pr.statement, canonical);
      WriterHooks none;
      std::string spliced = rewrite(sql, *pr.statement, none);
      (void)fingerprint(sql);
      (void)classify(sql);
      EXPECT_EQ(spliced, sql);
    });
  }
}

}  // namespace
}  // namespace tessera::sql
