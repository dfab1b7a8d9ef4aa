// Issue 18 items 2-5 in the planner and shard functions: quoted integer keys read as the server
// reads them, global tables on the preserved side of outer joins, mycat databases joined with
// global tables, mycat_string keys under a collation.
#include <gtest/gtest.h>

#include <set>

#include "config/namespace_config.h"
#include "router/key_collation.h"
#include "router/planner.h"
#include "router/shard_functions/text_number.h"
#include "router/shard_rule.h"
#include "sql/parser.h"

namespace tessera::router {
namespace {

constexpr const char* kNamespace = R"({
  "name": "ns", "allowed_dbs": {"db": true}, "default_slice": "slice-1",
  "slices": [
    {"name": "slice-1", "user_name": "u", "password": "p", "master": "127.0.0.1:3306", "capacity": 1, "max_capacity": 2, "idle_timeout": 60},
    {"name": "slice-2", "user_name": "u", "password": "p", "master": "127.0.0.1:3307", "capacity": 1, "max_capacity": 2, "idle_timeout": 60},
    {"name": "slice-3", "user_name": "u", "password": "p", "master": "127.0.0.1:3308", "capacity": 1, "max_capacity": 2, "idle_timeout": 60}
  ],
  "shard_rules": [
    {"db": "db", "table": "h", "type": "hash", "key": "id", "locations": [2,2,2], "slices": ["slice-1","slice-2","slice-3"]},
    {"db": "db", "table": "m", "type": "mod", "key": "id", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"]},
    {"db": "db", "table": "g", "type": "global", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"]},
    {"db": "db", "table": "mm", "type": "mycat_mod", "key": "id", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"], "databases": ["hdms[0-2]"]},
    {"db": "db", "table": "ms", "type": "mycat_string", "key": "code", "partition_count": "2,1", "partition_length": "256,512", "hash_slice": "0:0", "key_collation": "utf8mb4_general_ci", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"], "databases": ["ms[0-2]"]},
    {"db": "db", "table": "ms0", "type": "mycat_string", "key": "code", "partition_count": "2,1", "partition_length": "256,512", "hash_slice": "0:0", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"], "databases": ["msz[0-2]"]}
  ],
  "users": [{"user_name": "app", "password": "pw", "namespace": "ns", "rw_flag": 2, "rw_split": 0}]
})";

class ExactRoutingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ns_ = config::parse_namespace(kNamespace, "ns.json");
    rules_ = ShardRuleSet::build(ns_);
  }

  Plan plan(const std::string& sql) {
    sql_ = sql;
    arena_.reset();
    parsed_ = parser_.parse(sql_, arena_);
    EXPECT_TRUE(parsed_.ok()) << sql << ": " << parsed_.error.message;
    PlanInput in;
    in.rules = rules_.get();
    in.current_db = "db";
    return plan_statement(sql_, parsed_, in, arena_);
  }

  std::vector<int> indexes(const std::string& sql) {
    Plan p = plan(sql);
    EXPECT_EQ(p.kind, PlanKind::kRoute) << sql << ": " << p.error.message;
    std::vector<int> out;
    for (auto& q : p.queries) out.push_back(q.index);
    return out;
  }

  config::Namespace ns_;
  std::shared_ptr<const ShardRuleSet> rules_;
  sql::Arena arena_;
  sql::Parser parser_;
  sql::ParseResult parsed_;
  std::string sql_;
};

// Gaea's hash of an integer key over 6 tables.
int hash6(int64_t v) {
  return static_cast<int>(static_cast<uint64_t>(v) % 6);
}

TEST(TextNumber, ReadsTheWayMariaDbDoes) {
  using K = TextNumber::Kind;
  struct Case {
    const char* text;
    K kind;
    bool whole;
    ShardValue integer;
  };
  const Case cases[] = {
      {"-1000000000000000002", K::kInteger, true, ShardValue::of(int64_t{-1000000000000000002})},
      {"  +0012  ", K::kInteger, true, ShardValue::of(int64_t{12})},
      {"\t12\t", K::kInteger, true, ShardValue::of(int64_t{12})},
      {"1e3", K::kInteger, true, ShardValue::of(int64_t{1000})},
      {"1.23e2", K::kInteger, true, ShardValue::of(int64_t{123})},
      {"12.000", K::kInteger, true, ShardValue::of(int64_t{12})},
      {"12.", K::kInteger, true, ShardValue::of(int64_t{12})},
      {"-9223372036854775808", K::kInteger, true, ShardValue::of(INT64_MIN)},
      {"9223372036854775808", K::kInteger, true, ShardValue::of_unsigned(uint64_t{1} << 63)},
      {"18446744073709551615", K::kInteger, true, ShardValue::of_unsigned(UINT64_MAX)},
      {"12.5", K::kFraction, true, ShardValue::of(int64_t{13})},
      {"-12.5", K::kFraction, true, ShardValue::of(int64_t{-13})},
      {"14.4", K::kFraction, true, ShardValue::of(int64_t{14})},
      {".5", K::kFraction, true, ShardValue::of(int64_t{1})},
      {"12abc", K::kInteger, false, ShardValue::of(int64_t{12})},
      {"abc", K::kInteger, false, ShardValue::of(int64_t{0})},
      {"", K::kInteger, false, ShardValue::of(int64_t{0})},
  };
  for (auto& c : cases) {
    TextNumber n = read_text_number(c.text);
    EXPECT_EQ(n.kind, c.kind) << c.text;
    EXPECT_EQ(n.whole, c.whole) << c.text;
    EXPECT_EQ(n.integer, c.integer) << c.text;
  }
  EXPECT_EQ(read_text_number("18446744073709551616").kind, TextNumber::Kind::kOutOfRange);
  EXPECT_EQ(read_text_number("-9223372036854775809").kind, TextNumber::Kind::kOutOfRange);
  EXPECT_EQ(read_text_number("1e30").kind, TextNumber::Kind::kOutOfRange);
  EXPECT_EQ(read_text_number("0e99999").kind, TextNumber::Kind::kInteger);
}

TEST_F(ExactRoutingTest, QuotedKeysRouteByTheNumberTheServerReads) {
  const int64_t k = -1000000000000000002;
  EXPECT_EQ(indexes("SELECT * FROM h WHERE id = '-1000000000000000002'"),
            std::vector<int>{hash6(k)});
  EXPECT_EQ(indexes("SELECT * FROM h WHERE id = ' -1000000000000000002 '"),
            std::vector<int>{hash6(k)});
  EXPECT_EQ(indexes("UPDATE h SET v = 1 WHERE id = '-1000000000000000002'"),
            std::vector<int>{hash6(k)});
  EXPECT_EQ(indexes("INSERT INTO h (id) VALUES ('-1000000000000000002')"),
            std::vector<int>{hash6(k)});
  EXPECT_EQ(indexes("SELECT * FROM h WHERE id = '+0001e3'"), std::vector<int>{hash6(1000)});
  EXPECT_EQ(indexes("SELECT * FROM h WHERE id = 1e3"), std::vector<int>{hash6(1000)});
  // 9223372036854775807e0 is the double 2^63: a signed BIGINT cannot hold it, so the server
  // compares as doubles and every id rounding to 2^63 matches, wherever it lives.
  EXPECT_EQ(indexes("UPDATE h SET v = 1 WHERE id = 9223372036854775807e0").size(), 6u);
  // A fraction is stored rounded; it equals no integer.
  EXPECT_EQ(indexes("INSERT INTO h (id) VALUES ('12.5')"), std::vector<int>{hash6(13)});
  // '12abc' compares as 12 with an integer column, and a string column holds it where Gaea
  // hashes the text: both shards.
  EXPECT_EQ(indexes("SELECT * FROM h WHERE id = '12abc'").size(), 2u);
  // mod cannot place text at all: only the integer reading remains.
  EXPECT_EQ(indexes("SELECT * FROM m WHERE id = '12abc'"), std::vector<int>{0});
  EXPECT_EQ(indexes("SELECT * FROM m WHERE id = ' 13 '"), std::vector<int>{1});
}

TEST_F(ExactRoutingTest, GlobalTableOnThePreservedSideIsRefusedOverSeveralShards) {
  // `g LEFT JOIN h` / `h RIGHT JOIN g` of two tables: a lookup join (g drives; each row
  // NULL-extended once).
  for (const char* sql : {"SELECT g.gid, h.id FROM g LEFT JOIN h ON h.grp = g.gid",
                          "SELECT * FROM g LEFT JOIN h ON h.grp = g.gid WHERE h.id IS NULL",
                          "SELECT g.gid, h.id FROM h RIGHT JOIN g ON h.grp = g.gid"}) {
    Plan p = plan(sql);
    ASSERT_EQ(p.kind, PlanKind::kRoute) << sql << ": " << p.error.message;
    EXPECT_EQ(p.result, ResultMode::kLookupJoin) << sql;
    ASSERT_TRUE(p.join) << sql;
    EXPECT_EQ(p.join->complement, 1u) << sql;
  }
  // Shapes it does not take: refused rather than answered with a row per shard.
  for (const char* sql : {"SELECT COUNT(*) FROM (SELECT 1 FROM g) x LEFT JOIN h ON h.id = 1"}) {
    Plan p = plan(sql);
    ASSERT_EQ(p.kind, PlanKind::kError) << sql;
    EXPECT_EQ(p.error.code.code, 1235) << sql;
    EXPECT_NE(p.error.message.find("preserved side"), std::string::npos) << p.error.message;
  }
  // The sharded table on the preserved side, or a key that pins one shard: exact, answered.
  EXPECT_EQ(indexes("SELECT * FROM h LEFT JOIN g ON h.grp = g.gid").size(), 6u);
  EXPECT_EQ(indexes("SELECT * FROM g RIGHT JOIN h ON h.grp = g.gid").size(), 6u);
  EXPECT_EQ(indexes("SELECT * FROM g LEFT JOIN h ON h.grp = g.gid WHERE h.id = 7").size(), 1u);
}

TEST_F(ExactRoutingTest, MycatDatabaseQueriesQualifyTheGlobalTable) {
  Plan p = plan("SELECT mm.id, g.name FROM mm JOIN g ON g.gid = mm.gid WHERE mm.id = 4");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].db, "hdms1");
  EXPECT_EQ(p.queries[0].sql,
            "SELECT mm.id, g.name FROM mm JOIN `db`.`g` ON g.gid = mm.gid WHERE mm.id = 4");
  p = plan("SELECT id FROM mm WHERE gid IN (SELECT gid FROM g) AND id = 4");
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].sql,
            "SELECT id FROM mm WHERE gid IN (SELECT gid FROM `db`.`g`) AND id = 4");
}

TEST_F(ExactRoutingTest, MycatStringKeysUnderACollation) {
  auto one = [&](const std::string& sql) {
    auto i = indexes(sql);
    EXPECT_EQ(i.size(), 1u) << sql;
    return i.empty() ? -1 : i[0];
  };
  int dave = one("SELECT * FROM ms WHERE code = 'dave'");
  EXPECT_EQ(one("SELECT * FROM ms WHERE code = 'Dave'"), dave);
  EXPECT_EQ(one("SELECT * FROM ms WHERE code = 'DAVE   '"), dave);
  EXPECT_EQ(one("INSERT INTO ms (code) VALUES ('dAvE')"), dave);
  int andre = one("SELECT * FROM ms WHERE code = 'andré'");
  EXPECT_EQ(one("SELECT * FROM ms WHERE code = 'ANDRE'"), andre);
  // Without key_collation: Gaea's placement, the bytes as written.
  std::set<int> seen;
  for (const char* v : {"dave", "Dave", "DAVE", "dAve", "daVe", "davE"})
    seen.insert(one(std::string("SELECT * FROM ms0 WHERE code = '") + v + "'"));
  EXPECT_GT(seen.size(), 1u);
}

TEST(KeyCollation, CanonicalForms) {
  auto ci = KeyCollation::find("UTF8MB4_GENERAL_CI");
  ASSERT_TRUE(ci);
  auto text = [&](const KeyCollation& c, std::string_view s) {
    auto r = c.canonical(s);
    return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "<error>";
  };
  EXPECT_EQ(text(*ci, "Dave  "), "DAVE");
  EXPECT_EQ(text(*ci, "zoë"), "ZOE");
  EXPECT_EQ(text(*ci, "straße"), "STRASE");  // general_ci weighs ß as S
  EXPECT_EQ(text(*ci, " a"), " A");          // leading spaces count
  EXPECT_EQ(text(*ci, "\xff"), "<error>");
  auto bin = KeyCollation::find("utf8mb4_bin");
  ASSERT_TRUE(bin);
  EXPECT_EQ(text(*bin, "Dave  "), "Dave");
  EXPECT_FALSE(KeyCollation::find("utf8mb4_unicode_ci"));
}

TEST(KeyCollation, RulesRefuseUnknownCollations) {
  std::string json = kNamespace;
  auto pos = json.find("utf8mb4_general_ci");
  json.replace(pos, 18, "utf8mb4_unicode_ci");
  auto ns = config::parse_namespace(json, "ns.json");
  try {
    ShardRuleSet::build(ns);
    FAIL() << "utf8mb4_unicode_ci accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("key_collation"), std::string::npos) << e.what();
  }
}

TEST(KeyCollation, OnlyMycatStringRulesTakeOne) {
  std::string json = kNamespace;
  auto pos = json.find(R"("key": "id", "locations": [2,2,2])");
  json.insert(pos, R"("key_collation": "utf8mb4_bin", )");
  auto ns = config::parse_namespace(json, "ns.json");
  try {
    ShardRuleSet::build(ns);
    FAIL() << "key_collation on a hash rule accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("mycat_string rules only"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tessera::router
