// Hostile statement shapes through the planner (issue 15, defect 2): a 60,000-term OR routes and
// rewrites as a short one does, a 100,000-item IN list routes in linear time, a 100,000-term sum
// is refused by the parser, and the deepest statements the parser accepts are planned (table
// scan, key extraction, rewrite, merge preparation) on a thread with a small stack.
#include <gtest/gtest.h>
#include <pthread.h>

#include <chrono>
#include <functional>
#include <set>

#include "config/namespace_config.h"
#include "plan_checks.h"
#include "router/planner.h"
#include "router/shard_rule.h"
#include "sharded_namespace.h"
#include "sql/parser.h"

namespace tessera::router {
namespace {

std::string chain(int n, std::string_view op, const std::function<std::string(int)>& term) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i) s.append(op);
    s.append(term(i));
  }
  return s;
}

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

struct Planned {
  sql::ParseResult parsed;
  Plan plan;
};

class DeepStatementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ns_ = config::parse_namespace(testing::kShardedNamespace, "ns.json");
    rules_ = ShardRuleSet::build(ns_);
  }

  // Plans `sql` in db_ks with fresh parser state (callable from any thread).
  Planned plan(const std::string& sql, sql::Arena& arena, sql::Parser& parser) const {
    Planned out;
    arena.reset();
    out.parsed = parser.parse(sql, arena);
    if (!out.parsed.ok()) return out;
    PlanInput in;
    in.rules = rules_.get();
    in.current_db = "db_ks";
    in.sequence_config = &ns_.global_sequences;
    out.plan = plan_statement(sql, out.parsed, in, arena);
    return out;
  }
  Planned plan(const std::string& sql) { return plan(sql, arena_, parser_); }

  std::set<int> indexes(const Plan& p) const {
    std::set<int> out;
    for (auto& q : p.queries) out.insert(q.index);
    return out;
  }

  void check(const Plan& p) {
    std::vector<testing::PlanProblem> problems;
    sql::Parser parser;
    sql::Arena scratch;
    testing::check_plan(p, *rules_, "db_ks", parser, scratch, problems);
    for (auto& pr : problems) ADD_FAILURE() << pr.detail.substr(0, 200);
  }

  config::Namespace ns_;
  std::shared_ptr<const ShardRuleSet> rules_;
  sql::Arena arena_;
  sql::Parser parser_;
};

TEST_F(DeepStatementTest, SixtyThousandOrTermsRouteAndRewriteAsBefore) {
  // tbl_ks: hash on id over 3 sub-tables. Ids 1, 4, 7, ... all live in tbl_ks_0001.
  std::string cond =
      chain(60000, " OR ", [](int i) { return "id = " + std::to_string(3 * i + 1); });
  std::string sql = "SELECT * FROM tbl_ks WHERE " + cond;
  auto p = plan(sql);
  ASSERT_TRUE(p.parsed.ok()) << p.parsed.error.message;
  ASSERT_EQ(p.plan.kind, PlanKind::kRoute) << p.plan.error.message;
  ASSERT_EQ(p.plan.queries.size(), 1u);
  EXPECT_EQ(p.plan.queries[0].index, 1);
  EXPECT_EQ(p.plan.queries[0].slice, "slice-2");
  EXPECT_EQ(p.plan.queries[0].sql, "SELECT * FROM `tbl_ks_0001` AS `tbl_ks` WHERE " + cond);
  check(p.plan);

  // Spread over two sub-tables: two routes, each with the whole condition.
  cond = chain(60000, " OR ", [](int i) { return "id = " + std::to_string(3 * i + 1 + i % 2); });
  p = plan("SELECT * FROM tbl_ks WHERE " + cond);
  ASSERT_EQ(p.plan.kind, PlanKind::kRoute);
  EXPECT_EQ(indexes(p.plan), (std::set<int>{1, 2}));
  check(p.plan);

  // One term that does not narrow: every shard, as for a short OR.
  p = plan("SELECT * FROM tbl_ks WHERE " + cond + " OR name = 'x'");
  EXPECT_EQ(indexes(p.plan), (std::set<int>{0, 1, 2}));
  // AND with a narrowing term: the intersection, as before.
  p = plan("SELECT * FROM tbl_ks WHERE (" + cond + ") AND id = 4");
  EXPECT_EQ(indexes(p.plan), (std::set<int>{1}));
  // The same condition in UPDATE and DELETE.
  p = plan("UPDATE tbl_ks SET name = 'y' WHERE " + cond);
  EXPECT_EQ(indexes(p.plan), (std::set<int>{1, 2}));
  check(p.plan);
  p = plan("DELETE FROM tbl_ks WHERE " + cond);
  EXPECT_EQ(indexes(p.plan), (std::set<int>{1, 2}));
  check(p.plan);
}

TEST_F(DeepStatementTest, HundredThousandItemInListRoutesInLinearTime) {
  auto t0 = std::chrono::steady_clock::now();
  std::string items = chain(100000, ",", [](int i) { return std::to_string(3 * i); });
  auto p = plan("SELECT * FROM tbl_ks WHERE id IN (" + items + ")");
  ASSERT_EQ(p.plan.kind, PlanKind::kRoute);
  EXPECT_EQ(indexes(p.plan), (std::set<int>{0}));
  check(p.plan);
  items = chain(100000, ",", [](int i) { return std::to_string(i); });
  p = plan("SELECT id FROM tbl_ks WHERE id IN (" + items + ") ORDER BY id");
  ASSERT_EQ(p.plan.kind, PlanKind::kRoute);
  EXPECT_EQ(indexes(p.plan), (std::set<int>{0, 1, 2}));
  check(p.plan);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  EXPECT_LT(ms, kAsan ? 10000 : 2000);
}

TEST_F(DeepStatementTest, HundredThousandTermSumIsRefusedByTheParser) {
  std::string sql =
      "SELECT * FROM tbl_ks WHERE id = " + chain(100000, "+", [](int) { return std::string("1"); });
  auto p = plan(sql);
  EXPECT_FALSE(p.parsed.ok());
  EXPECT_TRUE(p.parsed.error.too_deep) << p.parsed.error.message;
}

// The deepest trees the parser accepts, through every planner walk, on a small stack.
TEST_F(DeepStatementTest, DeepestAcceptedStatementsPlanOnASmallStack) {
  auto sum = [](int n) { return chain(n, " + ", [](int) { return std::string("1"); }); };
  int lo = 1, hi = 100000;
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    if (plan("SELECT * FROM tbl_ks WHERE id = " + sum(mid)).parsed.ok())
      lo = mid;
    else
      hi = mid - 1;
  }
  EXPECT_GE(lo, 1000);
  int n = lo - 20;
  std::vector<std::string> deepest = {
      "SELECT * FROM tbl_ks WHERE id = " + sum(n),
      "SELECT * FROM tbl_ks WHERE " + sum(n) + " = id",
      "SELECT id, " + sum(n) + " FROM tbl_ks WHERE id IN (1, 2) ORDER BY 2",
      "SELECT name, COUNT(*) c FROM tbl_ks GROUP BY name HAVING c + " + sum(n) + " > 0",
      "SELECT * FROM tbl_ks WHERE id IN (SELECT id FROM tbl_ks2 WHERE id = " + sum(n - 20) + ")",
      "UPDATE tbl_ks SET name = " + sum(n) + " WHERE id = 1",
      "INSERT INTO tbl_ks (id, name) VALUES (1, " + sum(n) + ")",
      "SELECT * FROM tbl_ks " + chain(n, " ", [](int) { return "JOIN tbl_ks2 USING (id)"; }),
      "SELECT id FROM tbl_ks WHERE id = 1 " +
          chain(n, " ", [](int) { return "UNION SELECT id FROM tbl_ks WHERE id = 1"; }),
  };
  size_t stack = kAsan ? (4u << 20) : (1u << 20);
  for (const std::string& sql : deepest) {
    Planned outside = plan(sql);
    ASSERT_TRUE(outside.parsed.ok()) << sql.substr(0, 80) << ": " << outside.parsed.error.message;
    on_small_stack(stack, [&] {
      sql::Arena arena;
      sql::Parser parser;
      Planned p = plan(sql, arena, parser);
      EXPECT_NE(p.plan.kind, PlanKind::kDefaultSlice) << sql.substr(0, 80);
      if (p.plan.kind == PlanKind::kError) {
        EXPECT_NE(p.plan.error.code.code, 0);
      }
      for (auto& q : p.plan.queries) EXPECT_FALSE(q.sql.empty());
    });
  }
}

}  // namespace
}  // namespace tessera::router
