// Planner and rewriter: statements over the seed 000 rules (tbl_ks hashed on id over three
// slices, tbl_ks2 linked to it, tbl_global global) plus a second hash rule for cross-shard
// cases.
#include <gtest/gtest.h>

#include "config/namespace_config.h"
#include "router/planner.h"
#include "router/shard_rule.h"
#include "sql/parser.h"

namespace tessera::router {
namespace {

constexpr const char* kNamespace = R"({
  "name": "ns", "allowed_dbs": {"db_ks": true}, "default_slice": "slice-1",
  "slices": [
    {"name": "slice-1", "user_name": "u", "password": "p", "master": "127.0.0.1:3306", "capacity": 1, "max_capacity": 2, "idle_timeout": 60},
    {"name": "slice-2", "user_name": "u", "password": "p", "master": "127.0.0.1:3307", "capacity": 1, "max_capacity": 2, "idle_timeout": 60},
    {"name": "slice-3", "user_name": "u", "password": "p", "master": "127.0.0.1:3308", "capacity": 1, "max_capacity": 2, "idle_timeout": 60}
  ],
  "shard_rules": [
    {"db": "db_ks", "table": "tbl_ks", "type": "hash", "key": "id", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"]},
    {"db": "db_ks", "table": "tbl_ks2", "type": "linked", "parent_table": "tbl_ks", "key": "id"},
    {"db": "db_ks", "table": "tbl_global", "type": "global", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"]},
    {"db": "db_ks", "table": "other", "type": "hash", "key": "oid", "locations": [2,2,2], "slices": ["slice-1","slice-2","slice-3"]},
    {"db": "db_ks", "table": "seqd", "type": "hash", "key": "id", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"]},
    {"db": "db_ks", "table": "my_t", "type": "mycat_mod", "key": "id", "locations": [2,2], "slices": ["slice-1","slice-2"], "databases": ["db_ks_[0-3]"]}
  ],
  "global_sequences": [{"db": "db_ks", "table": "seqd", "type": "mysql", "pk_name": "id", "slice_name": "slice-1"}],
  "users": [{"user_name": "app", "password": "pw", "namespace": "ns", "rw_flag": 2, "rw_split": 0}]
})";

class FixedSequence : public SequenceSource {
 public:
  std::optional<uint64_t> take(std::string_view, std::string_view, uint64_t count) override {
    uint64_t first = next;
    next += count;
    return first;
  }
  uint64_t next = 1000;
};

class PlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ns_ = config::parse_namespace(kNamespace, "ns.json");
    rules_ = ShardRuleSet::build(ns_);
  }

  Plan plan(const std::string& sql, const std::vector<ShardValue>* params = nullptr) {
    sql_ = sql;
    arena_.reset();
    parsed_ = parser_.parse(sql_, arena_);
    EXPECT_TRUE(parsed_.ok()) << sql << ": " << parsed_.error.message;
    PlanInput in;
    in.rules = rules_.get();
    in.current_db = "db_ks";
    in.params = params;
    in.sequences = &seq_;
    in.sequence_config = &ns_.global_sequences;
    in.metadata_only = metadata_only_;
    in.schema = with_schema_ ? &rules_->schema() : nullptr;
    in.schema_loaded = schema_loaded_;
    return plan_statement(sql_, parsed_, in, arena_);
  }

  // The namespace's schema catalog learns `db_ks.table`'s columns ("name", "name:invisible",
  // "name:pk" for one of the primary key, "name:generated").
  void learn(const std::string& table, std::initializer_list<const char*> names) {
    TableSchema t;
    for (std::string n : names) {
      SchemaColumn c;
      c.invisible = n.ends_with(":invisible");
      c.primary_key = n.ends_with(":pk");
      c.generated = n.ends_with(":generated");
      c.name = n.substr(0, n.find(':'));
      t.columns.push_back(c);
    }
    t.loaded_at = TableSchema::Clock::now();
    rules_->schema().publish("db_ks", table, std::move(t));
  }

  bool metadata_only_ = false;  // COM_STMT_PREPARE's planning
  bool with_schema_ = true;     // frontend passes the rules' catalog
  bool schema_loaded_ = false;  // this command read columns already (a SchemaFetch ran)

  config::Namespace ns_;
  std::shared_ptr<const ShardRuleSet> rules_;
  sql::Arena arena_;
  sql::Parser parser_;
  sql::ParseResult parsed_;
  std::string sql_;
  FixedSequence seq_;
};

TEST_F(PlannerTest, UnshardedTablesGoToTheDefaultSlice) {
  EXPECT_EQ(plan("SELECT * FROM plain WHERE a = 1").kind, PlanKind::kDefaultSlice);
  EXPECT_EQ(plan("INSERT INTO plain VALUES (1)").kind, PlanKind::kDefaultSlice);
  EXPECT_EQ(plan("SELECT 1").kind, PlanKind::kDefaultSlice);
}

TEST_F(PlannerTest, PointSelectRoutesToOneSubTable) {
  auto p = plan("SELECT * FROM tbl_ks WHERE id = 4");
  ASSERT_EQ(p.kind, PlanKind::kRoute);
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.result, ResultMode::kRelay);
  EXPECT_EQ(p.queries[0].slice, "slice-2");  // 4 % 3 = 1
  EXPECT_EQ(p.queries[0].sql, "SELECT * FROM `tbl_ks_0001` AS `tbl_ks` WHERE id = 4");
}

TEST_F(PlannerTest, KeyOnTheRightAndInLists) {
  auto p = plan("SELECT * FROM tbl_ks WHERE 5 = id");
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].index, 2);
  p = plan("SELECT * FROM tbl_ks WHERE id IN (1, 4, 7)");
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].index, 1);
  p = plan("SELECT * FROM tbl_ks WHERE id IN (1, 2)");
  EXPECT_EQ(p.queries.size(), 2u);
  p = plan("SELECT * FROM tbl_ks WHERE id = 1 OR id = 2");
  EXPECT_EQ(p.queries.size(), 2u);
  p = plan("SELECT * FROM tbl_ks WHERE id = 1 AND id = 2");  // contradiction: one shard answers
  EXPECT_EQ(p.queries.size(), 1u);
  p = plan("SELECT * FROM tbl_ks WHERE id = 1 OR name = 'x'");
  EXPECT_EQ(p.queries.size(), 3u);
  p = plan("SELECT * FROM tbl_ks WHERE id = -1");
  ASSERT_EQ(p.queries.size(), 1u);
}

TEST_F(PlannerTest, HostileNamesAndAliases) {
  auto p = plan("SELECT `t`.`id`, t.`col` FROM `db_ks`.`tbl_ks` AS t WHERE t.id = 3");
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].sql,
            "SELECT `t`.`id`, t.`col` FROM `db_ks`.`tbl_ks_0000` AS t WHERE t.id = 3");
  p = plan("SELECT tbl_ks.id FROM TBL_KS WHERE tbl_ks.id = 3");
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].sql,
            "SELECT tbl_ks.id FROM `tbl_ks_0000` AS `TBL_KS` WHERE tbl_ks.id = 3");
  // A string that looks like a table name is not a table.
  p = plan("SELECT 'tbl_ks' FROM tbl_ks WHERE id = 3 AND name = 'tbl_ks_0001'");
  EXPECT_EQ(p.queries[0].sql,
            "SELECT 'tbl_ks' FROM `tbl_ks_0000` AS `tbl_ks` WHERE id = 3 AND name = 'tbl_ks_0001'");
}

TEST_F(PlannerTest, ScatterSelectMergesOrderAndLimit) {
  auto p = plan("SELECT id, name FROM tbl_ks ORDER BY name DESC LIMIT 10, 5");
  ASSERT_EQ(p.queries.size(), 3u);
  EXPECT_EQ(p.result, ResultMode::kMerge);
  ASSERT_EQ(p.merge.order_by.size(), 1u);
  EXPECT_EQ(p.merge.order_by[0].column, 1u);
  EXPECT_TRUE(p.merge.order_by[0].descending);
  EXPECT_EQ(p.merge.offset, 10u);
  EXPECT_EQ(*p.merge.limit, 5u);
  EXPECT_NE(p.queries[0].sql.find("LIMIT 15"), std::string::npos) << p.queries[0].sql;
  EXPECT_EQ(p.queries[0].sql.find("10"), std::string::npos) << p.queries[0].sql;
}

TEST_F(PlannerTest, AvgBecomesSumAndCount) {
  auto p = plan("SELECT g, AVG(v) AS a FROM tbl_ks GROUP BY g HAVING a > 2");
  ASSERT_EQ(p.queries.size(), 3u);
  EXPECT_TRUE(p.merge.grouped);
  // SUM and COUNT for AVG, then the group key's collation and (where needed) weight string.
  EXPECT_EQ(p.merge.hidden_columns, 4u);
  ASSERT_EQ(p.merge.aggregates.size(), 1u);
  EXPECT_EQ(p.merge.aggregates[0].kind, AggregateKind::kAvg);
  EXPECT_EQ(p.merge.aggregates[0].sum_column, kHiddenBase + 0);
  EXPECT_EQ(p.merge.aggregates[0].count_column, kHiddenBase + 1);
  ASSERT_NE(p.merge.having.expr, nullptr);
  const std::string& sql = p.queries[0].sql;
  EXPECT_NE(sql.find("SUM(v) AS `__tessera_h0`"), std::string::npos) << sql;
  EXPECT_NE(sql.find("COUNT(v) AS `__tessera_h1`"), std::string::npos) << sql;
  EXPECT_EQ(sql.find("HAVING"), std::string::npos) << sql;
  EXPECT_NE(sql.find("GROUP BY g ORDER BY 1"), std::string::npos) << sql;
}

// Issue 18: every column the merge compares carries the server's collation of its expression
// in a hidden COLLATION() column; numeric aggregates and literals need none.
TEST_F(PlannerTest, ComparedColumnsCarryTheirCollation) {
  auto p = plan("SELECT name, COUNT(*) FROM tbl_ks GROUP BY name ORDER BY name");
  ASSERT_EQ(p.merge.collation_columns.size(), 1u);
  EXPECT_EQ(p.merge.collation_columns[0], std::make_pair(0u, kHiddenBase + 0));
  EXPECT_NE(
      p.queries[0].sql.find("CONCAT(COLLATION(name), ' ', "
                            "HEX(WEIGHT_STRING(CONCAT(COALESCE(LEFT(name, 0), ''), ' '))), '') "
                            "AS `__tessera_h0`"),
      std::string::npos)
      << p.queries[0].sql;
  // ... and its WEIGHT_STRING() where the merge cannot weigh it itself.
  ASSERT_EQ(p.merge.weight_columns.size(), 1u);
  EXPECT_EQ(p.merge.weight_columns[0], std::make_pair(0u, kHiddenBase + 1));
  EXPECT_NE(p.queries[0].sql.find(", NULL, WEIGHT_STRING(name)) AS `__tessera_h1`"),
            std::string::npos)
      << p.queries[0].sql;

  p = plan("SELECT id FROM tbl_ks ORDER BY CONCAT(name, id) DESC LIMIT 3");
  ASSERT_EQ(p.merge.collation_columns.size(), 1u);
  EXPECT_EQ(p.merge.collation_columns[0], std::make_pair(kHiddenBase + 0, kHiddenBase + 1));
  EXPECT_NE(p.queries[0].sql.find("CONCAT(COLLATION(CONCAT(name, id)), ' '"), std::string::npos)
      << p.queries[0].sql;

  p = plan("SELECT MAX(name), COUNT(DISTINCT name), SUM(id) FROM tbl_ks");
  ASSERT_EQ(p.merge.collation_columns.size(), 2u);
  EXPECT_NE(p.queries[0].sql.find("COLLATION(MAX(name))"), std::string::npos) << p.queries[0].sql;
  EXPECT_EQ(p.queries[0].sql.find("COLLATION(SUM"), std::string::npos) << p.queries[0].sql;

  p = plan("SELECT DISTINCT name, id FROM tbl_ks");
  EXPECT_EQ(p.merge.collation_columns.size(), 2u);
  // `*` hides which expression a column is: the metadata's collation is used.
  p = plan("SELECT DISTINCT * FROM tbl_ks");
  EXPECT_TRUE(p.merge.collation_columns.empty());
}

TEST_F(PlannerTest, CountDistinctGroupsShardsByItsArgument) {
  auto p = plan("SELECT COUNT(DISTINCT name) FROM tbl_ks");
  ASSERT_EQ(p.queries.size(), 3u);
  EXPECT_EQ(p.merge.aggregates[0].kind, AggregateKind::kCountDistinct);
  EXPECT_EQ(p.merge.aggregates[0].argument_column, kHiddenBase + 0);
  EXPECT_NE(p.queries[0].sql.find("GROUP BY name"), std::string::npos) << p.queries[0].sql;
}

TEST_F(PlannerTest, ExpressionsOverAggregatesUseHiddenColumns) {
  // ROUND(AVG(v), 1): the shards compute the expression (its type), AVG(v) and AVG's SUM and
  // COUNT in hidden columns; the merge recomputes column 0 from them.
  auto p = plan("SELECT ROUND(AVG(v), 1) FROM tbl_ks");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  ASSERT_EQ(p.merge.computed.size(), 1u);
  EXPECT_EQ(p.merge.computed[0].column, 0u);
  ASSERT_EQ(p.merge.aggregates.size(), 1u);
  EXPECT_EQ(p.merge.aggregates[0].kind, AggregateKind::kAvg);
  EXPECT_EQ(p.merge.aggregates[0].column, kHiddenBase + 0);
  EXPECT_NE(p.queries[0].sql.find("ROUND(AVG(v), 1), AVG(v) AS `__tessera_h0`, SUM(v) AS "
                                  "`__tessera_h1`, COUNT(v) AS `__tessera_h2`"),
            std::string::npos)
      << p.queries[0].sql;
  // ORDER BY an expression over aggregates: a hidden computed column the merge sorts by.
  p = plan("SELECT g FROM tbl_ks GROUP BY g ORDER BY SUM(v) / COUNT(*) DESC");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  ASSERT_EQ(p.merge.computed.size(), 1u);
  // h0 SUM(v), h1 COUNT(*), then h2 the expression itself.
  EXPECT_EQ(p.merge.computed[0].column, kHiddenBase + 2);
  ASSERT_EQ(p.merge.order_by.size(), 1u);
  EXPECT_EQ(p.merge.order_by[0].column, kHiddenBase + 2);
  EXPECT_TRUE(p.merge.order_by[0].descending);
  // ... or the select-list column holding the same expression.
  p = plan("SELECT g, SUM(v) / COUNT(*) FROM tbl_ks GROUP BY g ORDER BY SUM(v) / COUNT(*)");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  ASSERT_EQ(p.merge.order_by.size(), 1u);
  EXPECT_EQ(p.merge.order_by[0].column, 1u);
  // Functions, CASE, CAST, DIV and MOD over aggregates and group columns.
  for (const char* sql :
       {"SELECT g, g * 2 + SUM(v) FROM tbl_ks GROUP BY g",
        "SELECT CAST(SUM(v) AS SIGNED), COALESCE(MAX(v), 0), CONCAT(MIN(name), '-', MAX(name)) "
        "FROM tbl_ks",
        "SELECT CASE WHEN COUNT(*) > 2 THEN 'many' ELSE 'few' END, SUM(v) DIV 2, SUM(v) MOD 3, "
        "-MAX(v), IF(MIN(v) IS NULL, 0, 1) FROM tbl_ks"}) {
    p = plan(sql);
    EXPECT_EQ(p.kind, PlanKind::kRoute) << sql << ": " << p.error.message;
  }
}

TEST_F(PlannerTest, BitAndVarianceAggregatesMerge) {
  auto p = plan("SELECT BIT_OR(v), VAR_SAMP(v) FROM tbl_ks");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  ASSERT_EQ(p.merge.aggregates.size(), 2u);
  EXPECT_EQ(p.merge.aggregates[0].kind, AggregateKind::kBitOr);
  EXPECT_EQ(p.merge.aggregates[1].kind, AggregateKind::kVarSamp);
  EXPECT_EQ(p.merge.aggregates[1].count_column, kHiddenBase + 0);
  EXPECT_EQ(p.merge.aggregates[1].sum_column, kHiddenBase + 1);
  EXPECT_EQ(p.merge.aggregates[1].sumsq_column, kHiddenBase + 2);
  EXPECT_NE(p.queries[0].sql.find("SUM((v * v))"), std::string::npos) << p.queries[0].sql;
  // COUNT(DISTINCT a, b): shards group by both, the merge counts the distinct pairs.
  p = plan("SELECT COUNT(DISTINCT v, name) FROM tbl_ks");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  ASSERT_EQ(p.merge.aggregates.size(), 1u);
  EXPECT_EQ(p.merge.aggregates[0].kind, AggregateKind::kCountDistinct);
  EXPECT_EQ(p.merge.aggregates[0].argument_column, kHiddenBase + 0);
  ASSERT_EQ(p.merge.aggregates[0].more_arguments.size(), 1u);
  EXPECT_EQ(p.merge.aggregates[0].more_arguments[0], kHiddenBase + 1);
  EXPECT_NE(p.queries[0].sql.find("GROUP BY v, name"), std::string::npos) << p.queries[0].sql;
}

TEST_F(PlannerTest, UnmergeableQueriesAreComputedOrShipped) {
  // What no merge of shard results answers ships the table's rows to one server instead;
  // what the merge's evaluator has is computed after the merge.
  auto shipped = [&](const char* sql) {
    Plan p = plan(sql);
    return p.result == ResultMode::kLookupJoin && p.join && p.join->single_batch;
  };
  EXPECT_TRUE(shipped("SELECT SQRT(AVG(v)) FROM tbl_ks"));
  EXPECT_TRUE(shipped("SELECT JSON_ARRAYAGG(v) FROM tbl_ks"));
  EXPECT_TRUE(shipped("SELECT VARIANCE(DISTINCT v) FROM tbl_ks"));
  EXPECT_EQ(plan("SELECT ROUND(AVG(v), 1) FROM tbl_ks").result, ResultMode::kMerge);
  // An expression over aggregates is recomputed after the merge from hidden aggregates.
  auto computed = plan("SELECT g, SUM(v) + COUNT(*) AS t FROM tbl_ks GROUP BY g");
  ASSERT_EQ(computed.kind, PlanKind::kRoute) << computed.error.message;
  ASSERT_EQ(computed.merge.computed.size(), 1u);
  EXPECT_EQ(computed.merge.computed[0].column, 1u);
  EXPECT_EQ(computed.merge.computed[0].value.columns.size(), 2u);
  EXPECT_EQ(plan("SELECT STDDEV(v) FROM tbl_ks").result, ResultMode::kMerge);
  EXPECT_TRUE(shipped("SELECT GROUP_CONCAT(DISTINCT v ORDER BY w) FROM tbl_ks"));
  EXPECT_TRUE(shipped("SELECT GROUP_CONCAT(v ORDER BY w), GROUP_CONCAT(v ORDER BY v) FROM tbl_ks"));
  // A window function numbers each shard's rows alone: computed by the merge instead (two
  // windows: two passes).
  EXPECT_FALSE(
      plan("SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM tbl_ks").merge.windows.empty());
  EXPECT_FALSE(
      plan("SELECT id FROM tbl_ks ORDER BY RANK() OVER (ORDER BY v)").merge.windows.empty());
  EXPECT_EQ(plan("SELECT id, RANK() OVER (ORDER BY v), RANK() OVER (ORDER BY id) FROM tbl_ks")
                .merge.windows.size(),
            2u);
  EXPECT_EQ(plan("SELECT GROUP_CONCAT(v ORDER BY w, v) FROM tbl_ks").kind, PlanKind::kRoute);
  EXPECT_EQ(plan("SELECT GROUP_CONCAT(v ORDER BY v) FROM tbl_ks").kind, PlanKind::kRoute);
  // On one shard everything is the server's business.
  EXPECT_EQ(plan("SELECT COUNT(*) + 1 FROM tbl_ks WHERE id = 1").kind, PlanKind::kRoute);
}

TEST_F(PlannerTest, JoinsStayOnOneShardOrAreRefused) {
  auto p = plan("SELECT * FROM tbl_ks, tbl_ks2 WHERE tbl_ks.id = tbl_ks2.id");
  ASSERT_EQ(p.kind, PlanKind::kRoute);
  EXPECT_EQ(p.queries.size(), 3u);
  EXPECT_NE(p.queries[1].sql.find("`tbl_ks2_0001` AS `tbl_ks2`"), std::string::npos);
  p = plan("SELECT * FROM tbl_global g JOIN tbl_ks k ON k.id = g.id WHERE k.id = 2");
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].sql,
            "SELECT * FROM tbl_global g JOIN `tbl_ks_0002` k ON k.id = g.id WHERE k.id = 2");
  // Not on the keys, sharded differently, or with an unsharded table: a lookup join.
  for (const char* sql : {"SELECT * FROM tbl_ks a JOIN tbl_ks2 b ON a.name = b.name",
                          "SELECT * FROM tbl_ks a JOIN other b ON a.id = b.oid",
                          "SELECT * FROM tbl_ks a JOIN plain b ON a.id = b.id"}) {
    p = plan(sql);
    ASSERT_EQ(p.kind, PlanKind::kRoute) << sql << ": " << p.error.message;
    EXPECT_EQ(p.result, ResultMode::kLookupJoin) << sql;
  }
  // A shape the lookup join does not take: still refused, naming the tables.
  p = plan("SELECT * FROM tbl_ks a JOIN other b ON a.id = b.oid JOIN my_t c ON c.x = b.y");
  ASSERT_EQ(p.kind, PlanKind::kError);
  EXPECT_NE(p.error.message.find("cross-shard join"), std::string::npos);
}

TEST_F(PlannerTest, LookupJoinHasAHashJoinForTwoTablesOnEqualColumns) {
  // Each side read with what the statement needs of it (the keys first, then the rewritten
  // select list's expressions of that table, aggregates' arguments), its own conditions with
  // it; the statement rewritten for merging with LIMIT 0 and the keys' collations on a slice
  // holding both tables.
  auto p = plan(
      "SELECT a.v, COUNT(*), SUM(b.w) FROM tbl_ks a JOIN other b ON a.v = b.v "
      "WHERE a.id > 2 AND b.w > 1 GROUP BY a.v");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  ASSERT_TRUE(p.hash_join);
  const HashJoinPlan& h = *p.hash_join;
  EXPECT_EQ(h.build, 6u);  // other's sub-tables
  EXPECT_EQ(h.probe, 3u);  // tbl_ks's
  EXPECT_EQ(h.keys, 1u);
  EXPECT_FALSE(h.outer);
  EXPECT_FALSE(h.forced);
  ASSERT_EQ(h.queries.size(), 6u + 3u + 2u);
  EXPECT_EQ(h.queries[0].sql, "SELECT b.v, b.w FROM `db_ks`.`other_0000` AS `b` WHERE (b.w > 1)");
  // (the key, which a.v also reads, then GROUP BY a.v's hidden collation and weight columns)
  const std::string& probe = h.queries[6].sql;
  EXPECT_EQ(probe.rfind("SELECT a.v, CONCAT(COLLATION(a.v), ' ', ", 0), 0u) << probe;
  EXPECT_NE(probe.find("NULL, WEIGHT_STRING(a.v)) FROM `db_ks`.`tbl_ks_0000` AS `a` WHERE "
                       "(a.id > 2)"),
            std::string::npos)
      << probe;
  EXPECT_NE(h.queries[9].sql.find("LIMIT 0"), std::string::npos) << h.queries[9].sql;
  EXPECT_EQ(h.queries[10].sql,
            "SELECT COLLATION(b.v), COLLATION(a.v) FROM (SELECT 1) AS `__tj_one` LEFT JOIN "
            "`db_ks`.`other_0000` AS `b` ON 0 LEFT JOIN `db_ks`.`tbl_ks_0000` AS `a` ON 0");
  // a.v, COUNT(*), SUM(b.w), the hidden ones: the probe's key, 1, the build's second column
  // (after the probe's three), the probe's second.
  ASSERT_EQ(h.project.size(), 5u);
  EXPECT_EQ(h.project[0].kind, exec::engine::JoinedCell::Kind::kCell);
  EXPECT_EQ(h.project[0].from, 0u);
  EXPECT_EQ(h.project[1].kind, exec::engine::JoinedCell::Kind::kOne);
  EXPECT_EQ(h.project[2].kind, exec::engine::JoinedCell::Kind::kCell);
  EXPECT_EQ(h.project[2].from, 3u + 1u);
  EXPECT_EQ(h.project[3].kind, exec::engine::JoinedCell::Kind::kCell);  // (kSticky if LEFT)
  EXPECT_EQ(h.project[3].from, 1u);

  // An inner join builds the side its own conditions narrow.
  p = plan("SELECT a.id, b.oid FROM tbl_ks a JOIN other b ON a.v = b.v WHERE a.id > 7");
  ASSERT_TRUE(p.hash_join) << p.error.message;
  EXPECT_EQ(p.hash_join->build, 3u);  // tbl_ks's
  EXPECT_EQ(p.hash_join->queries[0].sql,
            "SELECT a.v, a.id FROM `db_ks`.`tbl_ks_0000` AS `a` WHERE (a.id > 7)");

  // Hinted: from the start; NO_HASH_JOIN: none.
  p = plan("SELECT /*+ HASH_JOIN */ a.id, b.oid FROM tbl_ks a LEFT JOIN other b ON a.v = b.v");
  ASSERT_TRUE(p.hash_join) << p.error.message;
  EXPECT_TRUE(p.hash_join->forced);
  EXPECT_TRUE(p.hash_join->outer);
  p = plan("SELECT /*+ NO_HASH_JOIN */ a.id, b.oid FROM tbl_ks a JOIN other b ON a.v = b.v");
  EXPECT_EQ(p.result, ResultMode::kLookupJoin);
  EXPECT_FALSE(p.hash_join);

  // Shapes it leaves to the lookup join alone.
  for (const char* sql : {
           "SELECT a.id FROM tbl_ks a JOIN other b ON a.v < b.v",       // no equality
           "SELECT a.v + b.w FROM tbl_ks a JOIN other b ON a.v = b.v",  // both tables
           "SELECT * FROM tbl_ks a JOIN other b ON a.v = b.v",          // `*`
           "SELECT COUNT(DISTINCT b.w) FROM tbl_ks a JOIN other b ON a.v = b.v",
           "SELECT a.id FROM tbl_ks a JOIN other b ON a.v = b.v WHERE a.x = 1 OR b.w = 2",
           "SELECT a.id, b.w + 1 FROM tbl_ks a LEFT JOIN other b ON a.v = b.v",  // NULL-extended
           "SELECT a.id FROM tbl_ks a LEFT JOIN other b ON a.v = b.v WHERE b.w = 1",
           "SELECT a.id FROM tbl_ks a JOIN plain b ON a.id = b.id",  // an unsharded table
       }) {
    p = plan(sql);
    ASSERT_EQ(p.result, ResultMode::kLookupJoin) << sql << ": " << p.error.message;
    EXPECT_FALSE(p.hash_join) << sql;
  }
}

TEST_F(PlannerTest, LookupJoinShipsTheDrivingRows) {
  // The driving table (first in FROM) with its own conditions, keyed to one sub-table; the
  // statement over the other table on each of its sub-tables, the driving table named `__tj`.
  auto p = plan(
      "SELECT a.id, b.oid, a.v + b.w FROM tbl_ks a JOIN other b ON a.v = b.v "
      "WHERE a.id = 2 AND b.w > 1 ORDER BY b.oid LIMIT 3");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  ASSERT_TRUE(p.join);
  EXPECT_EQ(p.join->driver, 1u);
  EXPECT_EQ(p.join->inner, 6u);
  EXPECT_EQ(p.join->probes, 0u);
  EXPECT_EQ(p.queries[0].sql,
            "SET STATEMENT character_set_results=NULL FOR SELECT `a`.* FROM "
            "`db_ks`.`tbl_ks_0002` AS `a` WHERE (a.id = 2)");
  EXPECT_EQ(p.join->qualifier, "a");
  EXPECT_EQ(p.join->driver_table, "`db_ks`.`tbl_ks_0002`");
  EXPECT_NE(p.queries[1].sql.find("FROM `__tj` AS a JOIN `other_0000` AS b"), std::string::npos)
      << p.queries[1].sql;
  EXPECT_NE(p.queries[1].sql.find("LIMIT 3"), std::string::npos);
  // Batches arrive one after the other: the merge sorts, it does not k-way merge.
  EXPECT_TRUE(p.merge.shard_order.empty());
  EXPECT_EQ(p.merge.order_by.size(), 1u);
  EXPECT_TRUE(p.root);

  // A LEFT JOIN over several sub-tables: probes, the statement as an inner join on each, and
  // as written on one for the rows no sub-table matched.
  p = plan("SELECT k.id, o.oid FROM tbl_ks k LEFT JOIN other o ON o.v = k.v");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  EXPECT_EQ(p.join->probes, 6u);
  EXPECT_EQ(p.join->complement, 1u);
  EXPECT_EQ(p.queries.size(), 3u + 6u + 6u + 1u + 1u);  // ..., the types query
  EXPECT_TRUE(p.join->types);
  EXPECT_EQ(p.queries.back().sql,
            "SELECT k.id, o.oid FROM `tbl_ks_0000` AS k LEFT JOIN `other_0000` AS o ON o.v = k.v "
            "LIMIT 0");
  EXPECT_EQ(p.queries[3].sql.find("LEFT"), std::string::npos) << p.queries[3].sql;
  EXPECT_EQ(p.queries[9].sql,
            "SELECT DISTINCT `k`.`__tj_row` FROM `__tj` AS `k` JOIN `db_ks`.`other_0000` AS `o` "
            "ON o.v = k.v");
  EXPECT_NE(p.queries[p.queries.size() - 2].sql.find("LEFT JOIN"), std::string::npos);
  // An unaliased driving table keeps its name for the columns that qualify with it.
  p = plan("SELECT tbl_ks.v FROM tbl_ks JOIN other ON other.v = tbl_ks.v");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  EXPECT_NE(p.queries[3].sql.find("FROM `__tj` AS `tbl_ks` JOIN"), std::string::npos)
      << p.queries[3].sql;
  // Only a table no outer join NULL-extends drives: here `other`, the RIGHT JOIN's preserved
  // side, probed like a LEFT JOIN's.
  p = plan("SELECT * FROM tbl_ks k RIGHT JOIN other o ON o.v = k.v");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  ASSERT_TRUE(p.join);
  EXPECT_EQ(p.join->complement, 1u);
  EXPECT_EQ(p.queries[p.join->driver + p.join->inner].sql,
            "SELECT DISTINCT `o`.`__tj_row` FROM `__tj` AS `o` JOIN `db_ks`.`tbl_ks_0000` AS `k` "
            "ON o.v = k.v");
  p = plan("SELECT * FROM tbl_ks k JOIN other o ON o.v = k.v WHERE o.oid = 5");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  EXPECT_EQ(p.queries[0].sql.find("o.oid"), std::string::npos);
}

TEST_F(PlannerTest, UncorrelatedSubqueriesAreMaterialized) {
  // The subquery planned alone (a merged scatter), its result the CTE the statement reads.
  auto p = plan("SELECT id FROM tbl_ks WHERE v IN (SELECT MAX(w) FROM other GROUP BY g)");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  ASSERT_TRUE(p.join);
  EXPECT_TRUE(p.join->single_batch);
  EXPECT_EQ(p.join->driver, 6u);
  EXPECT_TRUE(p.join->driver_merge.grouped);
  EXPECT_EQ(p.queries[0].sql.rfind("SET STATEMENT character_set_results=NULL FOR SELECT MAX(w)", 0),
            0u)
      << p.queries[0].sql;
  EXPECT_EQ(p.queries[6].sql,
            "SELECT id FROM `tbl_ks_0000` AS `tbl_ks` WHERE v IN (SELECT * FROM `__tj`)");
  // A derived table keeps its alias and column list; the rest runs where it would alone.
  p = plan("SELECT d.x FROM (SELECT g, COUNT(*) FROM other GROUP BY g) AS d (x, n) WHERE d.n > 1");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  EXPECT_EQ(p.join->cte_columns, (std::vector<std::string>{"x", "n"}));
  ASSERT_EQ(p.queries.size(), 8u);  // 6 sub-tables, the statement, its types (LIMIT 0)
  EXPECT_EQ(p.queries[6].sql, "SELECT d.x FROM `__tj` AS d WHERE d.n > 1");
  EXPECT_TRUE(p.join->types);
  EXPECT_EQ(p.queries[7].sql,
            "SELECT d.x FROM (SELECT g, COUNT(*) FROM `other_0000` AS `other` GROUP BY g) AS "
            "d(x, n) WHERE d.n > 1 LIMIT 0");
  // Scalar and EXISTS.
  p = plan("SELECT id, (SELECT COUNT(*) FROM other) FROM tbl_ks WHERE id = 1");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  EXPECT_EQ(p.join->inner, 1u);
  p = plan("SELECT COUNT(*) FROM tbl_global WHERE NOT EXISTS (SELECT 1 FROM other WHERE w = 2)");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  // Correlated other than by equalities in its WHERE: refused. LIMIT in an IN subquery: the
  // server's own refusal.
  p = plan("SELECT k.id FROM tbl_ks k WHERE k.v IN (SELECT o.w FROM other o WHERE o.g > k.g)");
  ASSERT_EQ(p.kind, PlanKind::kError);
  p = plan("SELECT id FROM tbl_ks WHERE v IN (SELECT w FROM other LIMIT 3)");
  ASSERT_EQ(p.kind, PlanKind::kError);
  EXPECT_NE(p.error.message.find("LIMIT & IN/ALL/ANY/SOME"), std::string::npos);
}

TEST_F(PlannerTest, WindowsPartitionedByTheShardKeyRunPerShard) {
  // Every partition lives on one shard: each shard computes the windows, the results merge as
  // any scatter select's (a window result is a column).
  auto per_shard = [&](const char* sql) {
    Plan p = plan(sql);
    return p.kind == PlanKind::kRoute && p.result == ResultMode::kMerge && p.queries.size() == 3;
  };
  EXPECT_TRUE(per_shard("SELECT id, ROW_NUMBER() OVER (PARTITION BY id ORDER BY v) FROM tbl_ks"));
  EXPECT_TRUE(per_shard(
      "SELECT id, SUM(v) OVER (PARTITION BY g, tbl_ks.id ORDER BY v ROWS 2 PRECEDING) AS s "
      "FROM tbl_ks ORDER BY s, id LIMIT 3"));
  EXPECT_TRUE(
      per_shard("SELECT id, RANK() OVER w, LAG(v) OVER (w ORDER BY v) FROM tbl_ks WINDOW w AS "
                "(PARTITION BY id)"));
  EXPECT_TRUE(per_shard("SELECT id FROM tbl_ks ORDER BY COUNT(*) OVER (PARTITION BY id), id"));
  EXPECT_TRUE(per_shard(
      "SELECT a.id, ROW_NUMBER() OVER (PARTITION BY a.id, b.id ORDER BY a.v) FROM tbl_ks a "
      "JOIN tbl_ks2 b ON a.id = b.id"));
  auto p = plan("SELECT id, ROW_NUMBER() OVER (PARTITION BY id ORDER BY v) AS r FROM tbl_ks");
  EXPECT_EQ(p.queries[0].sql,
            "SELECT id, ROW_NUMBER() OVER (PARTITION BY id ORDER BY v) AS r FROM `tbl_ks_0000` "
            "AS `tbl_ks`");
  // Not pinned: off the key, an expression of it, no PARTITION BY, a named window off the key,
  // an alias named as the key, a partition by one of two joined tables' keys: the merge
  // computes them (the shipped table standing by).
  auto in_merge = [&](const char* sql) {
    Plan p = plan(sql);
    return p.kind == PlanKind::kRoute && p.result == ResultMode::kMerge &&
           !p.merge.windows.empty() && p.explain_type == "shard, window functions in the merge";
  };
  EXPECT_TRUE(in_merge("SELECT id, ROW_NUMBER() OVER (PARTITION BY v ORDER BY id) FROM tbl_ks"));
  EXPECT_TRUE(in_merge("SELECT id, ROW_NUMBER() OVER (PARTITION BY id + 0) FROM tbl_ks"));
  EXPECT_TRUE(in_merge("SELECT id, COUNT(*) OVER () FROM tbl_ks"));
  EXPECT_TRUE(in_merge("SELECT id, RANK() OVER w FROM tbl_ks WINDOW w AS (PARTITION BY v)"));
  EXPECT_TRUE(in_merge("SELECT v AS id, ROW_NUMBER() OVER (PARTITION BY id) FROM tbl_ks"));
  EXPECT_TRUE(
      in_merge("SELECT a.id, ROW_NUMBER() OVER (PARTITION BY a.id ORDER BY a.v) FROM tbl_ks a "
               "JOIN tbl_ks2 b ON a.id = b.id"));
  EXPECT_TRUE(
      plan("SELECT id, ROW_NUMBER() OVER (PARTITION BY id) FROM tbl_ks").merge.windows.empty());
  // Windows over GROUP BY results (HAVING before them), two different windows (one pass each),
  // RANGE with an offset: the merge too.
  EXPECT_TRUE(in_merge("SELECT g, SUM(SUM(v)) OVER (PARTITION BY g) FROM tbl_ks GROUP BY g"));
  EXPECT_TRUE(
      in_merge("SELECT g, SUM(v), RANK() OVER (ORDER BY SUM(v) DESC) FROM tbl_ks GROUP BY g HAVING "
               "COUNT(*) > 1"));
  EXPECT_TRUE(
      in_merge("SELECT id, RANK() OVER (PARTITION BY id ORDER BY v), RANK() OVER (ORDER BY v) FROM "
               "tbl_ks"));
  EXPECT_EQ(plan("SELECT id, RANK() OVER (PARTITION BY id ORDER BY v), RANK() OVER (ORDER BY v), "
                 "DENSE_RANK() OVER (ORDER BY v) FROM tbl_ks")
                .merge.windows.size(),
            2u);
  EXPECT_TRUE(
      in_merge("SELECT id, SUM(v) OVER (ORDER BY id RANGE BETWEEN 2 PRECEDING AND CURRENT ROW) "
               "FROM tbl_ks"));
  // `*` with windows in the merge: the table's columns from the catalog (read first).
  EXPECT_EQ(plan("SELECT *, ROW_NUMBER() OVER (ORDER BY v) FROM tbl_ks").needs_schema,
            "db_ks.tbl_ks");
  learn("tbl_ks", {"id", "v", "g"});
  EXPECT_TRUE(in_merge("SELECT *, ROW_NUMBER() OVER (ORDER BY v) FROM tbl_ks"));
  EXPECT_TRUE(in_merge("SELECT t.*, RANK() OVER (ORDER BY v) FROM tbl_ks t"));
  EXPECT_EQ(plan("SELECT *, ROW_NUMBER() OVER (ORDER BY v) FROM tbl_ks")
                .queries[0]
                .sql.rfind("SELECT `tbl_ks`.`id`, `tbl_ks`.`v`, `tbl_ks`.`g`, ROW_NUMBER()", 0),
            0u);
  // Shipped: a DISTINCT aggregate inside a window.
  auto shipped = [&](const char* sql) {
    Plan p = plan(sql);
    return p.result == ResultMode::kLookupJoin && p.join && p.join->single_batch;
  };
  EXPECT_TRUE(shipped("SELECT g, SUM(COUNT(DISTINCT v)) OVER () FROM tbl_ks GROUP BY g"));
  // One shard: the server's business as ever.
  EXPECT_EQ(plan("SELECT ROW_NUMBER() OVER () FROM tbl_ks WHERE id = 1").queries.size(), 1u);
}

TEST_F(PlannerTest, WhatNoMergeAnswersShipsTheTableToOneServer) {
  // Window functions over several shards the merge does not compute (a DISTINCT window call):
  // the table's rows (its own conditions applied, unqualified columns included) shipped whole
  // to the default slice.
  auto p = plan(
      "SELECT id, ROW_NUMBER() OVER (PARTITION BY g ORDER BY id), COUNT(DISTINCT v) OVER () "
      "FROM other "
      "WHERE w > 2 AND other.v < 9 ORDER BY id");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  ASSERT_TRUE(p.join);
  EXPECT_TRUE(p.join->single_batch);
  EXPECT_EQ(p.join->inner, 1u);
  EXPECT_EQ(p.queries[0].sql,
            "SET STATEMENT character_set_results=NULL FOR SELECT `other`.* FROM "
            "`db_ks`.`other_0000` AS `other` WHERE (w > 2) AND (other.v < 9)");
  const auto& shipped = p.queries[p.join->driver];
  EXPECT_EQ(shipped.slice, "slice-1");
  EXPECT_EQ(shipped.sql,
            "SELECT id, ROW_NUMBER() OVER (PARTITION BY g ORDER BY id), COUNT(DISTINCT v) OVER () "
            "FROM `__tj` AS `other` "
            "WHERE w > 2 AND other.v < 9 ORDER BY id");
  // The client's column types: the statement with LIMIT 0 over one sub-table.
  EXPECT_TRUE(p.join->types);
  EXPECT_EQ(p.queries.back().sql.substr(p.queries.back().sql.size() - 7), "LIMIT 0");
  // WITH ROLLUP over a column outside the keys (the server writes some row's value there);
  // the merge's rewriting does not leak into the shipped statement.
  p = plan("SELECT g, v, SUM(w) FROM other GROUP BY g WITH ROLLUP");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  EXPECT_EQ(p.queries[p.join->driver].sql,
            "SELECT g, v, SUM(w) FROM `__tj` AS `other` GROUP BY g WITH ROLLUP");
}

TEST_F(PlannerTest, RollupOverKeysAndAggregatesIsRolledUpByTheMerge) {
  // The shards group without ROLLUP, sorted by the keys (DESC kept); the merge adds the
  // super-aggregates, with the shipped statement standing by (a collation it cannot order).
  auto p = plan("SELECT g, v, SUM(w), COUNT(*) + 1 FROM other GROUP BY g DESC, v WITH ROLLUP");
  ASSERT_EQ(p.result, ResultMode::kMerge) << p.error.message;
  ASSERT_EQ(p.merge.rollup.size(), 2u);
  EXPECT_EQ(p.merge.rollup[0][0], 0u);
  EXPECT_EQ(p.merge.rollup[1][0], 1u);
  ASSERT_GE(p.merge.shard_order.size(), 2u);
  EXPECT_TRUE(p.merge.shard_order[0].descending);
  EXPECT_FALSE(p.merge.shard_order[1].descending);
  EXPECT_TRUE(p.fallback);
  for (const auto& q : p.queries) {
    EXPECT_EQ(q.sql.find("ROLLUP"), std::string::npos) << q.sql;
    EXPECT_NE(q.sql.find("ORDER BY 1 DESC, 2"), std::string::npos) << q.sql;
  }
  // ROLLUP with ORDER BY is the server's error 1221: shipped, so the server answers it.
  p = plan("SELECT g, SUM(w) FROM other GROUP BY g WITH ROLLUP ORDER BY g");
  EXPECT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
}

TEST_F(PlannerTest, PreparingAStatementThatRunsInRoundsPreparesItWhole) {
  // COM_STMT_PREPARE asks one slice for parameters and columns: the whole statement, every
  // table a sub-table there, whatever runs first when it executes.
  metadata_only_ = true;
  for (const char* sql :
       {"SELECT a.id, b.oid FROM tbl_ks a JOIN other b ON a.v = b.v WHERE a.id = ?",
        "SELECT id FROM tbl_ks WHERE v IN (SELECT w FROM other WHERE g = ?)",
        "SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM other WHERE w > ?"}) {
    Plan p = plan(sql);
    ASSERT_EQ(p.kind, PlanKind::kRoute) << sql << ": " << p.error.message;
    ASSERT_EQ(p.queries.size(), 1u) << sql;
    EXPECT_EQ(p.queries[0].sql.find("__tj"), std::string::npos) << p.queries[0].sql;
    EXPECT_NE(p.queries[0].sql.find("?"), std::string::npos) << p.queries[0].sql;
  }
}

TEST_F(PlannerTest, SubqueriesOverColocatedTables) {
  auto p = plan("SELECT * FROM tbl_ks WHERE id IN (SELECT id FROM tbl_ks2 WHERE v > 1)");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_NE(p.queries[0].sql.find("FROM `tbl_ks2_0000`"), std::string::npos) << p.queries[0].sql;
  // Not `key IN (SELECT key ...)`: the subquery runs first, over every shard (materialized).
  p = plan("SELECT * FROM tbl_ks WHERE v > (SELECT AVG(v) FROM tbl_ks)");
  EXPECT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
}

TEST_F(PlannerTest, SubqueriesCorrelatedOnTheShardKeyRunPerShard) {
  // tbl_ks2 is linked to tbl_ks by id: each outer row's subquery rows are on its own shard,
  // whatever the subquery computes or where it stands.
  for (const char* sql :
       {"SELECT COUNT(*) FROM tbl_ks k WHERE EXISTS (SELECT 1 FROM tbl_ks2 c WHERE c.id = k.id)",
        "SELECT COUNT(*) FROM tbl_ks k WHERE NOT EXISTS (SELECT 1 FROM tbl_ks2 c "
        "WHERE k.id = c.id AND c.v > 2)",
        "SELECT k.id, (SELECT MAX(c.v) FROM tbl_ks2 c WHERE c.id = k.id) FROM tbl_ks k",
        "SELECT COUNT(*) FROM tbl_ks k WHERE k.v > 3 OR k.v IN (SELECT c.v FROM tbl_ks2 c "
        "WHERE c.id = k.id LIMIT 2)",
        // a chain: the inner subquery is tied to the middle one, which is tied to the outer row
        "SELECT COUNT(*) FROM tbl_ks k WHERE EXISTS (SELECT 1 FROM tbl_ks2 c WHERE c.id = k.id "
        "AND EXISTS (SELECT 1 FROM tbl_ks k2 WHERE k2.id = c.id))",
        // unqualified: the subquery's one table has the key, so the server reads it there
        "SELECT COUNT(*) FROM tbl_ks k WHERE EXISTS (SELECT 1 FROM tbl_ks2 WHERE id = k.id)",
        "DELETE FROM tbl_ks WHERE NOT EXISTS (SELECT 1 FROM tbl_ks2 c WHERE c.id = tbl_ks.id)"}) {
    Plan p = plan(sql);
    ASSERT_EQ(p.kind, PlanKind::kRoute) << sql << ": " << p.error.message;
    EXPECT_NE(p.result, ResultMode::kLookupJoin) << sql;
    ASSERT_EQ(p.queries.size(), 3u) << sql;  // one sub-table per slice
    EXPECT_NE(p.queries[0].sql.find("tbl_ks2_0000"), std::string::npos) << p.queries[0].sql;
  }
  // Not tied to the outer row's key: the key equality under OR, against another column, in a
  // derived table (which cannot see the outer row), or the outer name hidden by the subquery's.
  for (const char* sql :
       {"SELECT COUNT(*) FROM tbl_ks k WHERE EXISTS (SELECT 1 FROM tbl_ks2 c WHERE c.id = k.id "
        "OR c.v = 1)",
        "SELECT COUNT(*) FROM tbl_ks k WHERE EXISTS (SELECT 1 FROM tbl_ks2 c WHERE c.id = k.v)",
        "SELECT COUNT(*) FROM tbl_ks k WHERE EXISTS (SELECT 1 FROM tbl_ks2 k WHERE k.id = k.id)"}) {
    Plan p = plan(sql);
    EXPECT_TRUE(p.kind == PlanKind::kError || p.result == ResultMode::kLookupJoin)
        << sql << " planned per shard: " << (p.queries.empty() ? "" : p.queries[0].sql);
  }
}

TEST_F(PlannerTest, CorrelatedSubqueriesBecomeSemiAndAntiJoins) {
  // Tables placed differently: EXISTS correlated by an equality becomes an uncorrelated IN,
  // which runs first (materialized) and is shipped.
  auto p = plan(
      "SELECT COUNT(*) FROM tbl_ks k WHERE EXISTS (SELECT 1 FROM other o WHERE o.g = k.v AND "
      "o.w > 2)");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  ASSERT_TRUE(p.join);
  EXPECT_EQ(p.queries[0].sql.rfind("SET STATEMENT character_set_results=NULL FOR SELECT o.g AS "
                                   "`__c0` FROM `other_0000` AS o WHERE o.w > 2",
                                   0),
            0u)
      << p.queries[0].sql;
  EXPECT_NE(p.queries[p.join->driver].sql.find("WHERE (k.v IN (SELECT * FROM `__tj`))"),
            std::string::npos)
      << p.queries[p.join->driver].sql;
  // NOT EXISTS: a NULL outer value has no match (so passes); NULL inner values match nothing.
  p = plan(
      "SELECT COUNT(*) FROM tbl_ks k WHERE NOT EXISTS (SELECT 1 FROM other o WHERE o.g = k.v)");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  EXPECT_NE(p.queries[0].sql.find("FROM `other_0000` AS o WHERE o.g IS NOT NULL"),
            std::string::npos)
      << p.queries[0].sql;
  EXPECT_NE(
      p.queries[p.join->driver].sql.find("(k.v IS NULL OR k.v NOT IN (SELECT * FROM `__tj`))"),
      std::string::npos)
      << p.queries[p.join->driver].sql;
  // A correlated IN: a row IN over both columns, named apart for the CTE.
  p = plan("SELECT k.id FROM tbl_ks k WHERE k.v IN (SELECT o.w FROM other o WHERE o.w = k.id)");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  EXPECT_NE(p.queries[0].sql.find("SELECT o.w AS `__c0`, o.w AS `__c1` FROM"), std::string::npos)
      << p.queries[0].sql;
  EXPECT_NE(p.queries[p.join->driver].sql.find("(k.v, k.id) IN (SELECT * FROM `__tj`)"),
            std::string::npos)
      << p.queries[p.join->driver].sql;
  // A scalar aggregate: grouped by the correlation column in a derived table, LEFT JOINed
  // (at most one row per outer row); an empty group counts 0.
  p = plan(
      "SELECT k.id, (SELECT COUNT(*) FROM other o WHERE o.g = k.v AND o.w > 1) AS n FROM tbl_ks "
      "k");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  EXPECT_NE(p.queries[0].sql.find("SELECT o.g AS `__c0`, COUNT(*) AS `__v`, "), std::string::npos)
      << p.queries[0].sql;
  EXPECT_NE(p.queries[0].sql.find("FROM `other_0000` AS o WHERE o.w > 1 GROUP BY o.g"),
            std::string::npos)
      << p.queries[0].sql;
  EXPECT_NE(p.queries[p.join->driver].sql.find(
                "SELECT k.id, COALESCE(`__sq0`.`__v`, 0) AS n FROM `tbl_ks_0000` AS k LEFT JOIN "
                "`__tj` AS `__sq0` ON `__sq0`.`__c0` = k.v"),
            std::string::npos)
      << p.queries[p.join->driver].sql;
  // (the client's columns: the statement as written)
  EXPECT_NE(p.queries.back().sql.find("(SELECT COUNT(*) FROM"), std::string::npos)
      << p.queries.back().sql;
  // Not rewritten: an aggregate (EXISTS of an aggregate is always true), a correlation other
  // than an equality, one under OR.
  for (const char* sql :
       {"SELECT COUNT(*) FROM tbl_ks k WHERE EXISTS (SELECT MAX(o.w) FROM other o WHERE o.g = "
        "k.v)",
        "SELECT COUNT(*) FROM tbl_ks k WHERE EXISTS (SELECT 1 FROM other o WHERE o.g < k.v)",
        "SELECT COUNT(*) FROM tbl_ks k WHERE k.v = 1 OR EXISTS (SELECT 1 FROM other o WHERE o.g = "
        "k.v)",
        // a scalar subquery that is not one aggregate: the server's answer depends on its rows
        // (an error beyond one), and BIT_OR of no rows is 0, not NULL
        "SELECT k.id, (SELECT o.w FROM other o WHERE o.g = k.v) FROM tbl_ks k",
        "SELECT k.id, (SELECT BIT_OR(o.w) FROM other o WHERE o.g = k.v) FROM tbl_ks k",
        "SELECT k.id, (SELECT MAX(o.w) + 1 FROM other o WHERE o.g = k.v) FROM tbl_ks k"}) {
    EXPECT_EQ(plan(sql).kind, PlanKind::kError) << sql;
  }
}

TEST_F(PlannerTest, PreparingACorrelatedSubqueryPreparesTheStatementAsWritten) {
  // COM_STMT_PREPARE: parameters and columns of the client's text (a decorrelated scalar would
  // name its column `__v`).
  metadata_only_ = true;
  auto p =
      plan("SELECT k.id, (SELECT MAX(o.w) FROM other o WHERE o.g = k.v AND o.w > ?) FROM tbl_ks k");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_NE(p.queries[0].sql.find("(SELECT MAX(o.w) FROM"), std::string::npos) << p.queries[0].sql;
  EXPECT_EQ(p.queries[0].sql.find("__sq"), std::string::npos) << p.queries[0].sql;
}

TEST_F(PlannerTest, NonRecursiveWithOverSeveralShardsRunsAsDerivedTables) {
  // Refused before (a CTE is read like a subquery that is not co-located); now each reference
  // is the CTE's body as a derived table, which runs first (materialized).
  auto p = plan(
      "WITH c AS (SELECT v AS gk, COUNT(*) AS cnt FROM tbl_ks GROUP BY v) "
      "SELECT c.gk, c.cnt FROM c WHERE c.cnt > 1 ORDER BY c.gk");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_EQ(p.result, ResultMode::kLookupJoin);
  bool outer_seen = false;
  for (auto& q : p.queries) {
    EXPECT_EQ(q.sql.find("WITH c"), std::string::npos) << q.sql;
    outer_seen |=
        q.sql.find("FROM `__tj` AS `c` WHERE c.cnt > 1 ORDER BY c.gk") != std::string::npos;
  }
  EXPECT_TRUE(outer_seen);
  // A column list names the body's columns.
  p = plan(
      "WITH a (x, y) AS (SELECT id, v FROM tbl_ks WHERE v > 0) SELECT y, COUNT(*) FROM a "
      "GROUP BY y");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  bool aliased = false;
  for (auto& q : p.queries)
    aliased |= q.sql.find("SELECT id AS x, v AS y FROM") != std::string::npos;
  EXPECT_TRUE(aliased);
  // A CTE over another one is a derived table inside a derived table: the inner one runs
  // first, the rest over its rows on one server.
  p = plan(
      "WITH a AS (SELECT id, v FROM tbl_ks WHERE v > 0), "
      "b AS (SELECT v, COUNT(*) AS n FROM a GROUP BY v) SELECT v, n FROM b ORDER BY v");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  EXPECT_EQ(p.queries[p.join->driver].sql,
            "SELECT v, n FROM (SELECT v, COUNT(*) AS n FROM `__tj` AS `a` GROUP BY v) AS `b` ORDER "
            "BY v");
  // Read twice: one subquery, its rows read by both.
  p = plan(
      "WITH c AS (SELECT v AS gk, COUNT(*) AS cnt FROM tbl_ks GROUP BY v) SELECT c1.gk, c2.cnt "
      "FROM c c1 JOIN c c2 ON c2.gk = c1.gk");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  EXPECT_EQ(p.queries[p.join->driver].sql,
            "SELECT c1.gk, c2.cnt FROM `__tj` AS c1 JOIN `__tj` AS c2 ON c2.gk = c1.gk");
  // Read in an IN subquery.
  p = plan(
      "WITH c AS (SELECT v AS m FROM tbl_ks) SELECT id FROM tbl_ks WHERE v IN (SELECT m FROM c)");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  EXPECT_NE(p.queries[p.join->driver].sql.find("IN (SELECT m FROM `__tj` AS `c`)"),
            std::string::npos)
      << p.queries[p.join->driver].sql;
  // WITH RECURSIVE over one sharded table: the table shipped whole, the statement run on one
  // server over it, its own CTE list continuing the engine's `WITH RECURSIVE __tj ...`.
  p = plan(
      "WITH RECURSIVE c AS (SELECT id FROM tbl_ks UNION SELECT t.id + 1 FROM tbl_ks t JOIN c ON "
      "t.id = c.id WHERE c.id < 3) SELECT * FROM c");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  ASSERT_TRUE(p.join);
  EXPECT_TRUE(p.join->recursive);
  EXPECT_EQ(p.join->driver, 3u);
  EXPECT_EQ(p.queries[3].sql,
            ", c AS (SELECT id FROM `__tj` AS `tbl_ks` UNION SELECT t.id + 1 FROM `__tj` AS t JOIN "
            "c ON t.id = c.id WHERE c.id < 3) SELECT * FROM c");
  // Refusals keep naming the cause.
  p = plan(
      "WITH c AS (SELECT * FROM tbl_ks) SELECT * FROM (WITH c AS (SELECT 1) SELECT * FROM c) d "
      "JOIN c ON 1");
  EXPECT_EQ(p.kind, PlanKind::kError);
}

TEST_F(PlannerTest, InsertSplitsRowsPerSubTable) {
  auto p = plan("INSERT INTO tbl_ks (id, name) VALUES (1, 'a'), (2, 'b'), (4, 'c')");
  ASSERT_EQ(p.kind, PlanKind::kRoute);
  ASSERT_EQ(p.queries.size(), 2u);
  EXPECT_EQ(p.result, ResultMode::kSumAffected);
  EXPECT_EQ(p.queries[0].sql, "INSERT INTO `tbl_ks_0001` (id, name) VALUES (1, 'a'), (4, 'c')");
  EXPECT_EQ(p.queries[1].sql, "INSERT INTO `tbl_ks_0002` (id, name) VALUES (2, 'b')");
  p = plan("INSERT INTO tbl_ks SET id = 3, name = 'x'");
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].slice, "slice-1");
}

TEST_F(PlannerTest, InsertSelectBetweenColocatedTablesRunsPerShard) {
  auto p = plan("INSERT INTO tbl_ks2 (id, v) SELECT id, v FROM tbl_ks WHERE v > 1");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  ASSERT_EQ(p.queries.size(), 3u);
  EXPECT_EQ(p.result, ResultMode::kSumAffected);
  EXPECT_EQ(p.queries[1].sql,
            "INSERT INTO `tbl_ks2_0001` (id, v) SELECT id, v FROM `tbl_ks_0001` AS `tbl_ks` "
            "WHERE v > 1");
  p = plan("INSERT INTO tbl_ks2 (id, v) SELECT k.id, k.v FROM tbl_ks k WHERE k.id = 4");
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].slice, "slice-2");
  // The key must come from a co-located key column.
  EXPECT_EQ(plan("INSERT INTO tbl_ks2 (id, v) SELECT v, id FROM tbl_ks").kind, PlanKind::kError);
  EXPECT_EQ(plan("INSERT INTO tbl_ks2 (id, v) SELECT oid, v FROM other").kind, PlanKind::kError);
  // `SELECT *`: the source's columns are read first (then it routes: see
  // InsertSelectWithoutColumnListRunsPerShard).
  EXPECT_EQ(plan("INSERT INTO tbl_ks2 SELECT * FROM tbl_ks").needs_schema, "db_ks.tbl_ks");
  // Unsharded target from global tables: the default slice has a copy.
  p = plan("INSERT INTO plain SELECT * FROM tbl_global");
  ASSERT_EQ(p.kind, PlanKind::kRoute);
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].slice, "slice-1");
  EXPECT_EQ(plan("INSERT INTO plain SELECT * FROM tbl_ks").kind, PlanKind::kError);
}

TEST_F(PlannerTest, InsertWithoutKeyIsRefusedUnlessASequenceSuppliesIt) {
  auto p = plan("INSERT INTO tbl_ks (name) VALUES ('a')");
  ASSERT_EQ(p.kind, PlanKind::kError);
  EXPECT_NE(p.error.message.find("shard key"), std::string::npos);
  p = plan("INSERT INTO seqd (name) VALUES ('a'), ('b')");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_EQ(p.generated_id, 1000u);
  ASSERT_EQ(p.queries.size(), 2u);  // 1000 % 3 = 1, 1001 % 3 = 2
  EXPECT_EQ(p.queries[0].sql, "INSERT INTO `seqd_0001` (name, id) VALUES ('a', 1000)");
}

// INSERT without a column list (issue 19, schema tracking): the shard key's position comes
// from the table's columns as the backends have them; unknown columns are read first.
TEST_F(PlannerTest, InsertWithoutColumnListReadsTheColumnsFirst) {
  auto p = plan("INSERT INTO tbl_ks VALUES (1, 'a')");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_EQ(p.needs_schema, "db_ks.tbl_ks");
  EXPECT_TRUE(p.queries.empty());
  ASSERT_TRUE(p.root);
  std::vector<exec::engine::PlanLine> lines;
  p.root->describe(lines, 0);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].op, "SchemaFetch");
  // REPLACE and INSERT ... SELECT alike; EXPLAIN too (it plans the statement).
  EXPECT_EQ(plan("REPLACE INTO tbl_ks VALUES (1, 'a')").needs_schema, "db_ks.tbl_ks");
  EXPECT_EQ(plan("INSERT INTO tbl_ks2 SELECT id, v FROM tbl_ks").needs_schema, "db_ks.tbl_ks2");
  EXPECT_EQ(plan("EXPLAIN INSERT INTO tbl_ks VALUES (1, 'a')").needs_schema, "db_ks.tbl_ks");
  // Without a catalog (no frontend): refused as before.
  with_schema_ = false;
  p = plan("INSERT INTO tbl_ks VALUES (1, 'a')");
  ASSERT_EQ(p.kind, PlanKind::kError);
  EXPECT_EQ(p.error.code.code, 1235);
  EXPECT_NE(p.error.message.find("needs a column list"), std::string::npos);
}

TEST_F(PlannerTest, InsertWithoutColumnListRoutesByTheKeysPosition) {
  learn("tbl_ks", {"id", "name"});
  auto p = plan("INSERT INTO tbl_ks VALUES (1, 'a'), (2, 'b'), (4, 'c')");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_TRUE(p.needs_schema.empty());
  ASSERT_EQ(p.queries.size(), 2u);
  EXPECT_EQ(p.result, ResultMode::kSumAffected);
  EXPECT_EQ(p.queries[0].sql, "INSERT INTO `tbl_ks_0001` VALUES (1, 'a'), (4, 'c')");
  EXPECT_EQ(p.queries[1].sql, "INSERT INTO `tbl_ks_0002` VALUES (2, 'b')");
  p = plan("INSERT IGNORE INTO tbl_ks VALUES (5, 'x')");
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].index, 2);
  p = plan("REPLACE INTO tbl_ks VALUE (3, 'x')");
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].index, 0);
  // The key need not be the first column; an invisible column is not among the values.
  learn("other", {"name", "hidden:invisible", "oid"});
  p = plan("INSERT INTO other VALUES ('x', 4)");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].index, 4);
  // An explicit list still decides where its values go.
  p = plan("INSERT INTO other (oid, name) VALUES (5, 'x')");
  EXPECT_EQ(p.queries[0].index, 5);
  // The key given as NULL is refused, as with a list.
  p = plan("INSERT INTO tbl_ks VALUES (NULL, 'a')");
  ASSERT_EQ(p.kind, PlanKind::kError);
  EXPECT_EQ(p.error.code.code, 1048);
  // Rows of defaults only: no key, as `() VALUES ()`.
  p = plan("INSERT INTO tbl_ks VALUES ()");
  ASSERT_EQ(p.kind, PlanKind::kError);
  EXPECT_EQ(p.error.code.code, 1364);
  // A prepared statement's metadata plan needs no key: no columns read.
  metadata_only_ = true;
  with_schema_ = true;
  rules_->schema().forget("db_ks", "tbl_ks");
  p = plan("INSERT INTO tbl_ks VALUES (?, ?)");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_TRUE(p.needs_schema.empty());
  ASSERT_EQ(p.queries.size(), 1u);
}

TEST_F(PlannerTest, InsertWithoutColumnListCountsValuesAsTheServer) {
  learn("tbl_ks", {"id", "name"});
  // A mismatch with columns not read for this statement: read them again first (they may
  // have changed on the backends).
  auto p = plan("INSERT INTO tbl_ks VALUES (1, 'a', 'extra')");
  EXPECT_EQ(p.needs_schema, "db_ks.tbl_ks");
  p = plan("INSERT INTO tbl_ks VALUES (1, 'a'), (2)");
  EXPECT_EQ(p.needs_schema, "db_ks.tbl_ks");
  // Once read for it: the server's error, naming the first row that does not match.
  schema_loaded_ = true;
  p = plan("INSERT INTO tbl_ks VALUES (1, 'a'), (2)");
  ASSERT_EQ(p.kind, PlanKind::kError);
  EXPECT_EQ(p.error.code.code, 1136);
  EXPECT_EQ(p.error.code.sqlstate, "21S01");
  EXPECT_EQ(p.error.message, "Column count doesn't match value count at row 2");
  p = plan("INSERT INTO tbl_ks VALUES (1)");
  EXPECT_EQ(p.error.message, "Column count doesn't match value count at row 1");
  learn("tbl_ks2", {"id", "v"});
  p = plan("INSERT INTO tbl_ks2 SELECT id, v, name FROM tbl_ks");
  EXPECT_EQ(p.error.code.code, 1136);
  // A table whose columns lack the shard key (a rule naming a column the table lacks).
  learn("tbl_ks", {"a", "b"});
  p = plan("INSERT INTO tbl_ks VALUES (1, 2)");
  EXPECT_EQ(p.error.code.code, 1054);
}

TEST_F(PlannerTest, StarOverAJoinIsEachTablesColumnsWhenTheMergeMustNameThem) {
  // DISTINCT `*` over a lookup join: the columns are read first, then named in FROM order.
  auto p = plan("SELECT DISTINCT * FROM tbl_ks k JOIN other o ON o.v = k.v");
  EXPECT_FALSE(p.needs_schema.empty());
  learn("tbl_ks", {"id", "name"});
  learn("other", {"oid", "v"});
  p = plan("SELECT DISTINCT * FROM tbl_ks k JOIN other o ON o.v = k.v");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  EXPECT_NE(p.queries[p.join->driver].sql.find(
                "SELECT DISTINCT `k`.`id`, `k`.`name`, `o`.`oid`, `o`.`v`"),
            std::string::npos)
      << p.queries[p.join->driver].sql;
  // `t.*` and a position; NATURAL JOIN (whose `*` merges columns) is left as it was.
  p = plan("SELECT o.*, k.id FROM tbl_ks k JOIN other o ON o.v = k.v ORDER BY 2");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  EXPECT_NE(p.queries[p.join->driver].sql.find("SELECT `o`.`oid`, `o`.`v`, k.id"),
            std::string::npos)
      << p.queries[p.join->driver].sql;
  p = plan("SELECT DISTINCT * FROM tbl_ks k NATURAL JOIN other o");
  EXPECT_TRUE(p.kind == PlanKind::kError ||
              p.queries.back().sql.find("`k`.`id`") == std::string::npos);
}

// A global table needs no key, but its value count is checked as one server checks it (else
// every copy would answer 1136 and the fan-out would report it as a copy's error).
TEST_F(PlannerTest, InsertIntoGlobalTableWithoutColumnListCountsValues) {
  EXPECT_EQ(plan("INSERT INTO tbl_global VALUES (1, 'g')").needs_schema, "db_ks.tbl_global");
  learn("tbl_global", {"id", "name"});
  auto p = plan("INSERT INTO tbl_global VALUES (1, 'g')");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_EQ(p.queries.size(), 3u);
  EXPECT_EQ(p.schema_used, "db_ks.tbl_global");
  EXPECT_EQ(plan("INSERT INTO tbl_global VALUES (1)").needs_schema, "db_ks.tbl_global");
  schema_loaded_ = true;
  p = plan("INSERT INTO tbl_global VALUES (1, 'g'), (2)");
  EXPECT_EQ(p.error.message, "Column count doesn't match value count at row 2");
  // With a list, or without the catalog, the copies are written as before.
  EXPECT_EQ(plan("INSERT INTO tbl_global (id) VALUES (1)").queries.size(), 3u);
  with_schema_ = false;
  EXPECT_EQ(plan("INSERT INTO tbl_global VALUES (1)").queries.size(), 3u);
}

TEST_F(PlannerTest, InsertSelectWithoutColumnListRunsPerShard) {
  learn("tbl_ks2", {"id", "v"});
  auto p = plan("INSERT INTO tbl_ks2 SELECT id, v FROM tbl_ks WHERE v > 1");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  ASSERT_EQ(p.queries.size(), 3u);
  EXPECT_EQ(p.queries[1].sql,
            "INSERT INTO `tbl_ks2_0001` SELECT id, v FROM `tbl_ks_0001` AS `tbl_ks` WHERE v > 1");
  // The key's position decides which selected column must be a co-located key.
  learn("tbl_ks2", {"v", "id"});
  EXPECT_EQ(plan("INSERT INTO tbl_ks2 SELECT id, v FROM tbl_ks").kind, PlanKind::kError);
  EXPECT_EQ(plan("INSERT INTO tbl_ks2 SELECT v, id FROM tbl_ks").kind, PlanKind::kRoute);
  // `SELECT *` from one table: its columns (read first), the key found among them.
  rules_->schema().forget("db_ks", "tbl_ks2");
  p = plan("INSERT INTO tbl_ks2 SELECT * FROM tbl_ks");
  EXPECT_EQ(p.needs_schema, "db_ks.tbl_ks");
  EXPECT_TRUE(p.is_write);
  learn("tbl_ks", {"id", "v"});
  EXPECT_EQ(plan("INSERT INTO tbl_ks2 SELECT * FROM tbl_ks").needs_schema, "db_ks.tbl_ks2");
  learn("tbl_ks2", {"id", "v"});
  p = plan("INSERT INTO tbl_ks2 SELECT * FROM tbl_ks WHERE id = 4");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].sql,
            "INSERT INTO `tbl_ks2_0001` SELECT `tbl_ks`.`id`, `tbl_ks`.`v` FROM `tbl_ks_0001` AS "
            "`tbl_ks` WHERE id = 4");
  p = plan("INSERT INTO tbl_ks2 (v, id) SELECT k.* FROM tbl_ks k");
  EXPECT_EQ(p.kind, PlanKind::kError);  // the key's value would be tbl_ks.v
  p = plan("INSERT INTO tbl_ks2 (id, v) SELECT k.* FROM tbl_ks k");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_EQ(p.queries.size(), 3u);
  // From a join: still refused.
  EXPECT_EQ(plan("INSERT INTO tbl_ks2 SELECT * FROM tbl_ks a JOIN tbl_ks b ON a.id = b.id").kind,
            PlanKind::kError);
}

// A global sequence fills NULL / DEFAULT keys (as AUTO_INCREMENT would), with a list or not.
TEST_F(PlannerTest, InsertWithoutColumnListTakesSequenceIds) {
  learn("seqd", {"id", "name"});
  auto p = plan("INSERT INTO seqd VALUES (NULL, 'a'), (DEFAULT, 'b'), (7, 'c')");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_EQ(p.generated_id, 1000u);
  ASSERT_EQ(p.queries.size(), 2u);  // 1000 % 3 = 1, 1001 % 3 = 2 with 7 % 3 = 1
  EXPECT_EQ(p.queries[0].sql, "INSERT INTO `seqd_0001` VALUES (1000, 'a'), (7, 'c')");
  EXPECT_EQ(p.queries[1].sql, "INSERT INTO `seqd_0002` VALUES (1001, 'b')");
  p = plan("INSERT INTO seqd (id, name) VALUES (NULL, 'x')");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_EQ(p.generated_id, 1002u);
  EXPECT_EQ(p.queries[0].sql, "INSERT INTO `seqd_0000` (id, name) VALUES (1002, 'x')");
  // Every key given: no ids taken.
  p = plan("INSERT INTO seqd VALUES (8, 'y')");
  EXPECT_EQ(p.generated_id, 0u);
  // Defaults only: the sequence's id for the key.
  p = plan("INSERT INTO seqd VALUES ()");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_EQ(p.queries[0].sql, "INSERT INTO `seqd_0001` (id) VALUES (1003)");
}

// `SELECT DISTINCT *` / ORDER BY a position over `*` of one sharded table across shards: `*`
// becomes the table's columns (from the catalog, read first), so the merge can name each
// column's collation; other `*` statements need no columns.
TEST_F(PlannerTest, StarThatTheMergeComparesBecomesTheTablesColumns) {
  auto p = plan("SELECT DISTINCT * FROM tbl_ks");
  EXPECT_EQ(p.needs_schema, "db_ks.tbl_ks");
  EXPECT_FALSE(p.is_write);
  EXPECT_TRUE(plan("SELECT * FROM tbl_ks ORDER BY id").needs_schema.empty());
  EXPECT_TRUE(plan("SELECT DISTINCT * FROM tbl_ks WHERE id = 4").needs_schema.empty());
  // (over a join too: each table's columns)
  EXPECT_FALSE(
      plan("SELECT DISTINCT * FROM tbl_ks t JOIN tbl_ks2 u ON t.id = u.id").needs_schema.empty());
  learn("tbl_ks", {"id", "name", "secret:invisible"});
  p = plan("SELECT DISTINCT * FROM tbl_ks");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  ASSERT_EQ(p.queries.size(), 3u);
  EXPECT_EQ(p.result, ResultMode::kMerge);
  EXPECT_FALSE(p.merge.unnamed_columns);
  EXPECT_EQ(p.queries[0].sql.rfind("SELECT DISTINCT `tbl_ks`.`id`, `tbl_ks`.`name`", 0), 0u)
      << p.queries[0].sql;
  p = plan("SELECT t.* FROM tbl_ks t ORDER BY 2 DESC LIMIT 3");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_FALSE(p.merge.unnamed_columns);
  EXPECT_EQ(p.queries[0].sql.rfind("SELECT `t`.`id`, `t`.`name`", 0), 0u) << p.queries[0].sql;
  // COM_STMT_PREPARE plans one sub-table: nothing to merge, no columns needed.
  metadata_only_ = true;
  rules_->schema().forget("db_ks", "tbl_ks");
  p = plan("SELECT DISTINCT * FROM tbl_ks");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_TRUE(p.needs_schema.empty());
  EXPECT_EQ(p.queries.size(), 1u);
  metadata_only_ = false;
  learn("tbl_ks", {"id", "name", "secret:invisible"});
  // A position past the columns stays `*`: the shards answer the server's 1054.
  p = plan("SELECT * FROM tbl_ks ORDER BY 3");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_TRUE(p.merge.unnamed_columns);
}

TEST_F(PlannerTest, DdlMarksTheTablesColumnsChanged) {
  auto p = plan("ALTER TABLE tbl_ks ADD COLUMN extra INT");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_EQ(p.schema_changes, (std::vector<std::string>{"db_ks.tbl_ks"}));
  EXPECT_EQ(plan("DROP TABLE tbl_global").schema_changes,
            (std::vector<std::string>{"db_ks.tbl_global"}));
  EXPECT_TRUE(plan("SELECT * FROM tbl_ks").schema_changes.empty());
}

TEST_F(PlannerTest, PreparedParametersRoute) {
  std::vector<ShardValue> params{ShardValue::of(int64_t{5})};
  auto p = plan("SELECT * FROM tbl_ks WHERE id = ?", &params);
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].index, 2);
  EXPECT_EQ(p.queries[0].sql, "SELECT * FROM `tbl_ks_0002` AS `tbl_ks` WHERE id = ?");
  p = plan("SELECT * FROM tbl_ks WHERE id = ?");  // value unknown: every shard
  EXPECT_EQ(p.queries.size(), 3u);
}

TEST_F(PlannerTest, UpdatesAndDeletes) {
  auto p = plan("UPDATE tbl_ks SET name = 'x' WHERE id = 2");
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].sql, "UPDATE `tbl_ks_0002` AS `tbl_ks` SET name = 'x' WHERE id = 2");
  p = plan("DELETE FROM tbl_ks WHERE name = 'x'");
  ASSERT_EQ(p.queries.size(), 3u);
  EXPECT_EQ(p.result, ResultMode::kSumAffected);
  EXPECT_EQ(p.queries[2].sql, "DELETE FROM `tbl_ks_0002` WHERE name = 'x'");
}

// An UPDATE of the shard key (issue 19): the rows are read FOR UPDATE with each SET value as
// their own shard evaluates it, then written by primary key where they are or moved.
TEST_F(PlannerTest, ShardKeyUpdatesReadTheRowsThenMoveThem) {
  // The table's columns are not known yet: read them first.
  auto p = plan("UPDATE tbl_ks SET id = 5 WHERE id = 2");
  EXPECT_EQ(p.needs_schema, "db_ks.tbl_ks");
  learn("tbl_ks", {"id", "name"});
  p = plan("UPDATE tbl_ks SET id = 5 WHERE id = 2");
  ASSERT_EQ(p.kind, PlanKind::kError);
  EXPECT_NE(p.error.message.find("PRIMARY KEY"), std::string::npos) << p.error.message;
  learn("tbl_ks", {"id:pk", "name", "twice:generated", "note:invisible"});
  p = plan("UPDATE tbl_ks SET id = id + 1, name = 'x' WHERE id = 2");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_EQ(p.result, ResultMode::kReadThenWrite);
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].sql,
            "SET STATEMENT character_set_results=NULL FOR SELECT `id`, `name`, `note`, id + 1 AS "
            "`__tsr_new0`, 'x' AS `__tsr_new1` FROM `tbl_ks_0002` AS `tbl_ks` WHERE id = 2 FOR "
            "UPDATE");
  ASSERT_TRUE(p.read_then_write);
  const auto& spec = *p.read_then_write;
  EXPECT_TRUE(spec.moves_key);
  EXPECT_FALSE(spec.is_delete);
  EXPECT_EQ(spec.pk, std::vector<size_t>{0});
  EXPECT_EQ(spec.pk_names, std::vector<std::string>{"`id`"});
  EXPECT_EQ(spec.key, 0u);
  EXPECT_EQ(spec.new_key, 3u);
  EXPECT_EQ(spec.row_columns, 3u);  // the generated column is never written
  ASSERT_EQ(spec.assigned.size(), 2u);
  EXPECT_EQ(spec.assigned[1], std::make_pair(size_t(1), size_t(4)));
  // Every sub-table can receive a row; only the one read is written in place.
  ASSERT_EQ(spec.tables.size(), 3u);
  EXPECT_EQ(spec.tables[2].write,
            "UPDATE `tbl_ks_0002` AS `tbl_ks` SET id = id + 1, name = 'x' WHERE ");
  EXPECT_TRUE(spec.tables[0].write.empty());
  EXPECT_EQ(spec.tables[0].remove, "DELETE FROM `db_ks`.`tbl_ks_0000` WHERE ");
  EXPECT_EQ(spec.tables[1].insert,
            "INSERT INTO `db_ks`.`tbl_ks_0001` (`id`, `name`, `note`) VALUES ");
  EXPECT_EQ(spec.tables[1].target.slice, "slice-2");
  ASSERT_TRUE(spec.route);
  EXPECT_EQ(std::get<int>(spec.route(std::string_view("5"), true, false)), 2);
  EXPECT_EQ(std::get<int>(spec.route(std::string_view("3"), true, false)), 0);
  // The prepared statement's metadata plan needs no rows.
  metadata_only_ = true;
  p = plan("UPDATE tbl_ks SET id = ? WHERE id = ?");
  EXPECT_EQ(p.kind, PlanKind::kRoute);
  EXPECT_NE(p.result, ResultMode::kReadThenWrite);
  metadata_only_ = false;

  // What cannot be done exactly is refused, naming why.
  for (const char* sql : {"UPDATE IGNORE tbl_ks SET id = 5 WHERE id = 2",
                          "UPDATE tbl_ks SET name = 'x', id = name WHERE id = 2",
                          "UPDATE tbl_ks SET id = 5, id = 6 WHERE id = 2",
                          "UPDATE tbl_ks SET id = DEFAULT WHERE id = 2",
                          "UPDATE tbl_ks a JOIN tbl_ks2 b ON a.id = b.id SET a.id = 5"}) {
    p = plan(sql);
    ASSERT_EQ(p.kind, PlanKind::kError) << sql;
    EXPECT_EQ(p.error.code.code, 1235) << sql;
    EXPECT_NE(p.error.message.find("updating the shard key column id of tbl_ks"), std::string::npos)
        << p.error.message;
  }
  p = plan("UPDATE tbl_ks SET id = 5, nope = 1 WHERE id = 2");
  EXPECT_EQ(p.error.code.code, 1054);
  rules_->schema().forget("db_ks", "tbl_ks");
}

// ORDER BY / LIMIT over several shards (issue 19): the primary keys of the first n rows in that
// order over every shard (the scatter merge), then the statement by primary key.
TEST_F(PlannerTest, OrderByLimitWritesOverShardsReadTheirRowsFirst) {
  learn("tbl_ks", {"id:pk", "name"});
  auto p = plan("DELETE FROM tbl_ks WHERE name > 'a' ORDER BY id DESC LIMIT 2");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_EQ(p.result, ResultMode::kReadThenWrite);
  ASSERT_EQ(p.queries.size(), 3u);
  // (the merge's hidden collation columns follow the primary key)
  EXPECT_TRUE(
      p.queries[1].sql.starts_with("SET STATEMENT character_set_results=NULL FOR SELECT `id`, "))
      << p.queries[1].sql;
  EXPECT_TRUE(p.queries[1].sql.ends_with(
      " FROM `tbl_ks_0001` AS `tbl_ks` WHERE name > 'a' ORDER BY id DESC LIMIT 2 FOR UPDATE"))
      << p.queries[1].sql;
  EXPECT_EQ(p.merge.limit, std::optional<uint64_t>(2));
  ASSERT_EQ(p.merge.order_by.size(), 1u);
  ASSERT_TRUE(p.read_then_write);
  const auto& spec = *p.read_then_write;
  EXPECT_TRUE(spec.is_delete);
  EXPECT_FALSE(spec.moves_key);
  ASSERT_EQ(spec.tables.size(), 3u);
  EXPECT_EQ(spec.tables[1].write, "DELETE FROM `tbl_ks_0001` WHERE ");
  EXPECT_TRUE(spec.tables[1].insert.empty());
  // One shard: the statement as written.
  p = plan("UPDATE tbl_ks SET name = 'z' WHERE id = 2 ORDER BY name LIMIT 1");
  EXPECT_EQ(p.result, ResultMode::kRelay);
  rules_->schema().forget("db_ks", "tbl_ks");
  p = plan("DELETE FROM tbl_ks ORDER BY id LIMIT 1");
  EXPECT_EQ(p.needs_schema, "db_ks.tbl_ks");
}

TEST_F(PlannerTest, GlobalTables) {
  auto p = plan("INSERT INTO tbl_global (id) VALUES (1)");
  ASSERT_EQ(p.queries.size(), 3u);
  EXPECT_EQ(p.result, ResultMode::kSumAffected);
  p = plan("SELECT * FROM tbl_global");
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].slice, "slice-1");
}

TEST_F(PlannerTest, DdlFansOutToEveryPhysicalTable) {
  auto p = plan("CREATE TABLE IF NOT EXISTS tbl_ks (id INT PRIMARY KEY, name VARCHAR(10))");
  ASSERT_EQ(p.queries.size(), 3u);
  EXPECT_EQ(p.queries[2].sql,
            "CREATE TABLE IF NOT EXISTS `tbl_ks_0002` (id INT PRIMARY KEY, name VARCHAR(10))");
  EXPECT_EQ(p.queries[2].slice, "slice-3");
  p = plan("ALTER TABLE other ADD COLUMN c INT");
  EXPECT_EQ(p.queries.size(), 6u);
  p = plan("CREATE DATABASE IF NOT EXISTS db_ks CHARACTER SET utf8mb4");
  // Three slices, plus the mycat rule's four physical databases.
  ASSERT_EQ(p.queries.size(), 7u);
  EXPECT_EQ(p.queries[0].sql, "CREATE DATABASE IF NOT EXISTS db_ks CHARACTER SET utf8mb4");
  bool found = false;
  for (auto& q : p.queries) {
    if (q.sql == "CREATE DATABASE IF NOT EXISTS `db_ks_2` CHARACTER SET utf8mb4") {
      found = true;
      EXPECT_EQ(q.slice, "slice-2");
    }
  }
  EXPECT_TRUE(found);
  p = plan("SELECT * FROM my_t WHERE id = 3");
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.queries[0].db, "db_ks_3");
  EXPECT_EQ(p.queries[0].sql, "SELECT * FROM my_t WHERE id = 3");
  p = plan("DROP TABLE tbl_ks, plain");
  EXPECT_EQ(p.kind, PlanKind::kError);
}

TEST_F(PlannerTest, StatementsThatWouldTouchOneCopyAreRefused) {
  for (const char* sql :
       {"LOAD DATA INFILE '/tmp/x' INTO TABLE tbl_global",
        "LOAD DATA LOCAL INFILE 'x' INTO TABLE tbl_ks", "CREATE VIEW v AS SELECT * FROM tbl_ks",
        "HANDLER tbl_ks OPEN", "LOCK TABLES tbl_global WRITE"}) {
    auto p = plan(sql);
    EXPECT_EQ(p.kind, PlanKind::kError) << sql;
    EXPECT_EQ(p.error.code.code, 1235) << sql;
  }
  EXPECT_EQ(plan("LOAD DATA INFILE '/tmp/x' INTO TABLE plain").kind, PlanKind::kDefaultSlice);
  EXPECT_EQ(plan("CREATE VIEW v AS SELECT * FROM plain").kind, PlanKind::kDefaultSlice);
}

TEST_F(PlannerTest, ExplainPrintsEveryShard) {
  auto p = plan("EXPLAIN SELECT * FROM tbl_ks");
  ASSERT_EQ(p.kind, PlanKind::kExplain);
  ASSERT_EQ(p.queries.size(), 3u);
  EXPECT_EQ(p.explain_type, "shard");
  EXPECT_EQ(p.queries[0].db, "db_ks");
  EXPECT_EQ(p.queries[0].sql, "SELECT * FROM `tbl_ks_0000` AS `tbl_ks`");
  p = plan("EXPLAIN SELECT * FROM plain");
  ASSERT_EQ(p.kind, PlanKind::kExplain);
  EXPECT_EQ(p.explain_type, "unshard");
}

}  // namespace
}  // namespace tessera::router

// UNION / INTERSECT / EXCEPT over sharded tables (issue 19): a SetOperation of branches each
// planned alone, two metadata queries first, nested units for parentheses and INTERSECT's
// precedence; shapes not supported are refused naming them.
namespace tessera::router {
namespace {

using tessera::exec::SetOpKind;

TEST_F(PlannerTest, SetOperationPlansEachBranchAlone) {
  Plan p = plan(
      "SELECT id FROM tbl_ks WHERE id = 1 UNION ALL SELECT oid FROM other "
      "INTERSECT SELECT id FROM tbl_global ORDER BY id DESC LIMIT 2, 5");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  EXPECT_EQ(p.result, ResultMode::kSetOperation);
  ASSERT_TRUE(p.set_op);
  const SetPlan& s = *p.set_op;
  // metadata, its collations, the INTERSECT unit's metadata, then the branches' queries
  ASSERT_EQ(s.units, 1u);
  EXPECT_NE(p.queries[0].sql.find("LIMIT 0"), std::string::npos) << p.queries[0].sql;
  EXPECT_EQ(p.queries[1].sql.rfind("SET STATEMENT character_set_results=NULL FOR ", 0), 0u);
  ASSERT_EQ(s.branches.size(), 3u);
  EXPECT_FALSE(s.branches[0].scatter);  // id = 1: one sub-table
  EXPECT_EQ(s.branches[0].count, 1u);
  EXPECT_TRUE(s.branches[1].scatter);  // `other` on six sub-tables
  EXPECT_EQ(s.branches[1].count, 6u);
  EXPECT_FALSE(s.branches[2].scatter);  // a global table: one copy
  EXPECT_EQ(s.branches[0].first, 3u);
  // UNION ALL(b0, INTERSECT(b1, b2)): INTERSECT binds tighter and is a unit of its own
  const auto& nodes = s.spec.nodes;
  const auto& root = nodes[static_cast<size_t>(s.spec.root)];
  EXPECT_EQ(root.op, SetOpKind::kUnion);
  EXPECT_TRUE(root.all);
  const auto& right = nodes[static_cast<size_t>(root.right)];
  EXPECT_EQ(right.op, SetOpKind::kIntersect);
  EXPECT_FALSE(right.all);
  ASSERT_EQ(s.spec.unit_nodes.size(), 1u);
  EXPECT_EQ(s.spec.unit_nodes[0], root.right);
  ASSERT_EQ(s.spec.order_by.size(), 1u);
  EXPECT_EQ(s.spec.order_by[0].name, "id");
  EXPECT_TRUE(s.spec.order_by[0].descending);
  EXPECT_EQ(s.spec.offset, 2u);
  EXPECT_EQ(s.spec.limit, 5u);
  EXPECT_TRUE(p.root);
}

// Rows compared across shards carry the server's weight strings (planner/set_weights.h):
// per column COLLATION(e) and IF(<native>, NULL, WEIGHT_STRING(e)) after a plain branch's own
// columns; a pushed-down UNION is wrapped to add them over the union's columns.
TEST_F(PlannerTest, SetOperationBranchesCarryWeightStrings) {
  Plan p = plan("SELECT id, 'x' FROM tbl_ks INTERSECT SELECT DISTINCT oid, 'y' FROM other");
  ASSERT_EQ(p.result, ResultMode::kSetOperation) << p.error.message;
  const SetPlan& s = *p.set_op;
  ASSERT_EQ(s.branches.size(), 2u);
  EXPECT_EQ(s.branches[0].weighed, (std::vector<size_t>{0, 1}));
  const std::string& b0 = p.queries[s.branches[0].first].sql;
  EXPECT_NE(b0.find("COLLATION(id)"), std::string::npos) << b0;
  EXPECT_NE(b0.find("WEIGHT_STRING(id)"), std::string::npos) << b0;
  EXPECT_NE(b0.find("WEIGHT_STRING('x')"), std::string::npos) << b0;
  // a branch's own DISTINCT would tell 'a' from 'a ' by them: none
  EXPECT_TRUE(s.branches[1].weighed.empty());
  EXPECT_EQ(p.queries[s.branches[1].first].sql.find("__tessera_sw"), std::string::npos);
  // the names query also asks each union column's space weights (the padding)
  EXPECT_NE(p.queries.back().sql.find("HEX(WEIGHT_STRING(CONCAT(COALESCE(LEFT("), std::string::npos)
      << p.queries.back().sql;
  // UNION ALL compares nothing: unchanged
  p = plan("SELECT id FROM tbl_ks UNION ALL SELECT oid FROM other");
  ASSERT_EQ(p.result, ResultMode::kSetOperation) << p.error.message;
  EXPECT_TRUE(p.set_op->branches[0].weighed.empty());
  EXPECT_EQ(p.queries[p.set_op->branches[0].first].sql.find("WEIGHT_STRING"), std::string::npos);
  // ... unless it is ordered
  p = plan("SELECT id FROM tbl_ks UNION ALL SELECT oid FROM other ORDER BY 1");
  ASSERT_EQ(p.result, ResultMode::kSetOperation) << p.error.message;
  EXPECT_EQ(p.set_op->branches[1].weighed, (std::vector<size_t>{0}));
  // pushed down: the whole UNION on each shard, wrapped
  p = plan("SELECT id FROM tbl_ks WHERE id > 3 UNION SELECT id FROM tbl_ks");
  ASSERT_EQ(p.result, ResultMode::kSetOperation) << p.error.message;
  ASSERT_EQ(p.set_op->branches.size(), 1u);
  EXPECT_EQ(p.set_op->branches[0].weighed, (std::vector<size_t>{0}));
  const std::string& w = p.queries[p.set_op->branches[0].first].sql;
  EXPECT_EQ(w.rfind("WITH `__tessera_s`(`__tessera_c0`) AS (SELECT ", 0), 0u) << w;
  EXPECT_NE(w.find("WEIGHT_STRING(`__tessera_c0`)) FROM `__tessera_s`"), std::string::npos) << w;
}

TEST_F(PlannerTest, SetOperationRefusalsNameTheShape) {
  Plan p = plan("SELECT id FROM tbl_ks UNION SELECT oid FROM other ORDER BY id + 1");
  ASSERT_EQ(p.kind, PlanKind::kError);
  EXPECT_EQ(p.error.code.code, 1235);
  EXPECT_NE(p.error.message.find("ORDER BY an expression"), std::string::npos) << p.error.message;
  p = plan("SELECT id FROM tbl_ks UNION (SELECT oid FROM other UNION SELECT 1 ORDER BY 1 LIMIT 1)");
  ASSERT_EQ(p.kind, PlanKind::kError);
  EXPECT_NE(p.error.message.find("parenthesised set operation"), std::string::npos)
      << p.error.message;
  p = plan("SELECT id FROM tbl_ks UNION SELECT id FROM tbl_ks FOR UPDATE");
  ASSERT_EQ(p.kind, PlanKind::kError);
  EXPECT_NE(p.error.message.find("FOR UPDATE"), std::string::npos) << p.error.message;
  // A branch's own refusal says which branch.
  p = plan("SELECT id FROM tbl_ks UNION SELECT SQRT(COUNT(*)) FROM tbl_ks");
  ASSERT_EQ(p.kind, PlanKind::kError);
  EXPECT_NE(p.error.message.find("branch 2"), std::string::npos) << p.error.message;
}

TEST_F(PlannerTest, SetOperationInParenthesesAndMycatMetadataSlice) {
  Plan p = plan("(SELECT id FROM tbl_ks UNION SELECT id FROM my_t)");
  ASSERT_EQ(p.result, ResultMode::kSetOperation) << p.error.message;
  // my_t lives on slice-1 and slice-2 only; the default slice holds both tables
  EXPECT_EQ(p.queries[0].slice, "slice-1");
}

}  // namespace
}  // namespace tessera::router
