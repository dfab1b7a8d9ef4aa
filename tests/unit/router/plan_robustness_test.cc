// Planner robustness: every statement of MariaDB's test suite (package mariadb-test, extracted
// at test time like tests/unit/sql/corpus_test.cpp does) plus hostile hand-written statements
// and fuzzer regressions are parsed and planned against a sharded namespace
// (sharded_namespace.h: t1, t2, t3 hashed on a, t4 global, ...). Planning must never crash,
// throw or hang, and every plan must satisfy plan_checks.h: routes have queries with a slice and
// SQL that re-parses and names no sharded logical table; errors have a message and a code.
// Each statement is planned twice: as a query (no parameters) and as COM_STMT_PREPARE would
// (metadata_only, with bound values when it has '?').
// The corpus part is skipped (GTEST_SKIP, with a message) when the suite is not installed;
// TESSERA_SQL_CORPUS_DIR points it at another mysql-test/main directory.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "config/namespace_config.h"
#include "mysqltest_extract.h"
#include "plan_checks.h"
#include "router/planner.h"
#include "router/shard_rule.h"
#include "sharded_namespace.h"
#include "sql/classify.h"
#include "sql/parser.h"

namespace tessera::router {
namespace {

namespace fs = std::filesystem;
using testing::PlanProblem;

class CountingSequence : public SequenceSource {
 public:
  std::optional<uint64_t> take(std::string_view, std::string_view, uint64_t count) override {
    if (count > 1000000) return std::nullopt;  // "segment empty": the needs_sequence path
    uint64_t first = next;
    next += count;
    return first;
  }
  uint64_t next = 1000;
};

// Aborts the process (naming the statement) when one statement takes longer than `limit`.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit) : limit_(limit), thread_([this] { loop(); }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void begin(const std::string* sql) {
    std::lock_guard<std::mutex> l(mu_);
    current_ = sql;
    ++generation_;
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> l(mu_);
    uint64_t seen = generation_;
    while (!stop_) {
      if (cv_.wait_for(l, limit_, [&] { return stop_; })) return;
      if (generation_ == seen && current_) {
        std::fprintf(stderr, "planner hang: one statement took over %llds:\n%s\n",
                     static_cast<long long>(limit_.count()), current_->c_str());
        std::abort();
      }
      seen = generation_;
    }
  }
  std::chrono::seconds limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  uint64_t generation_ = 0;
  const std::string* current_ = nullptr;
  std::thread thread_;
};

struct Report {
  size_t statements = 0, parsed = 0, planned = 0;
  std::map<std::string, size_t> by_kind;  // plan kind of the query-mode plan
  size_t route_queries = 0, scatter = 0, prepared_plans = 0;
  std::map<PlanProblem::Kind, std::vector<std::string>> problems;
  double slowest_ms = 0;
  std::string slowest;

  size_t count(PlanProblem::Kind k) const {
    auto it = problems.find(k);
    return it == problems.end() ? 0 : it->second.size();
  }
  void print(const char* title) const {
    std::printf("%s: %zu statements, %zu parsed, %zu planned (+%zu prepared-mode plans)\n", title,
                statements, parsed, planned, prepared_plans);
    for (auto& [k, n] : by_kind) std::printf("  %-14s %8zu\n", k.c_str(), n);
    std::printf("  route queries %zu, scatter plans %zu\n", route_queries, scatter);
    std::printf("  problems: invariant %zu, re-parse %zu, unrenamed %zu\n",
                count(PlanProblem::kInvariant), count(PlanProblem::kReparse),
                count(PlanProblem::kUnrenamed));
    std::printf("  slowest statement %.1f ms: %.200s\n", slowest_ms, slowest.c_str());
  }
};

class PlanRobustness : public ::testing::Test {
 protected:
  void SetUp() override {
    ns_ = config::parse_namespace(testing::kShardedNamespace, "sharded_namespace.h");
    rules_ = ShardRuleSet::build(ns_);
    testing::learn_test_schemas(*rules_);
  }

  // Parses and plans `sql` in both modes, checking every plan; problems go to `rep` prefixed
  // with `where`.
  void run(const std::string& sql, const std::string& where, Report& rep) {
    ++rep.statements;
    auto started = std::chrono::steady_clock::now();
    arena_.reset();
    sql::ParseResult parsed = parser_.parse(sql, arena_);
    if (!parsed.ok()) return;
    ++rep.parsed;
    auto add = [&](const std::vector<PlanProblem>& found, const char* mode) {
      for (auto& p : found)
        rep.problems[p.kind].push_back(where + " (" + mode + ")\n  " + sql + "\n  " + p.detail);
    };
    // Query mode.
    {
      PlanInput in = input();
      std::vector<PlanProblem> found;
      try {
        Plan plan = plan_statement(sql, parsed, in, arena_);
        ++rep.planned;
        ++rep.by_kind[testing::plan_kind_name(plan.kind)];
        if (plan.kind == PlanKind::kRoute) {
          rep.route_queries += plan.queries.size();
          if (plan.result == ResultMode::kMerge) ++rep.scatter;
        }
        testing::check_plan(plan, *rules_, testing::kShardedDb, parser_, scratch_, found);
        // A session skips parsing what names no rule's table (frontend's try_sharded): the
        // plan it would have got must be the default slice's.
        const sql::StatementInfo info = sql::classify(sql);
        if (!info.is_multi_statement && plans_by_named_tables(info.kind) &&
            !rules_->may_be_named_in(sql)) {
          ++rep.by_kind["(names no rule's table)"];
          if (plan.kind != PlanKind::kDefaultSlice)
            found.push_back(
                {PlanProblem::kInvariant, std::string("names no rule's table, yet planned as ") +
                                              testing::plan_kind_name(plan.kind)});
        }
      } catch (const std::exception& e) {
        found.push_back({PlanProblem::kInvariant, std::string("threw: ") + e.what()});
      } catch (...) {
        found.push_back({PlanProblem::kInvariant, "threw a non-exception"});
      }
      add(found, "query");
    }
    // Prepared mode: metadata only, then with values bound to every '?'.
    for (int pass = 0; pass < (parsed.param_count ? 2 : 1); ++pass) {
      arena_.reset();
      sql::ParseResult again = parser_.parse(sql, arena_);
      if (!again.ok()) {
        rep.problems[PlanProblem::kInvariant].push_back(where + ": second parse failed\n  " + sql);
        return;
      }
      std::vector<ShardValue> params;
      std::vector<std::string> literals;
      for (uint32_t i = 0; i < again.param_count; ++i) {
        switch (i % 4) {
          case 0:
            params.push_back(ShardValue::of(int64_t(i) * 7 + 3));
            literals.push_back(std::to_string(int64_t(i) * 7 + 3));
            break;
          case 1:
            params.push_back(
                ShardValue::of(std::string("2014-0" + std::to_string(i % 9 + 1) + "-01")));
            literals.push_back("'2014-01-01'");
            break;
          case 2:
            params.push_back(ShardValue::null());
            literals.push_back("NULL");
            break;
          default:
            params.push_back(ShardValue::of_unsigned(UINT64_MAX));
            literals.push_back("18446744073709551615");
            break;
        }
      }
      PlanInput in = input();
      if (pass == 0) {
        in.metadata_only = true;
      } else {
        in.params = &params;
        in.param_literals = &literals;
      }
      std::vector<PlanProblem> found;
      try {
        Plan plan = plan_statement(sql, again, in, arena_);
        ++rep.prepared_plans;
        testing::check_plan(plan, *rules_, testing::kShardedDb, parser_, scratch_, found);
        // A session skips parsing what names no rule's table (frontend's try_sharded): the
        // plan it would have got must be the default slice's.
        const sql::StatementInfo info = sql::classify(sql);
        if (!info.is_multi_statement && plans_by_named_tables(info.kind) &&
            !rules_->may_be_named_in(sql)) {
          if (plan.kind != PlanKind::kDefaultSlice)
            found.push_back(
                {PlanProblem::kInvariant, std::string("names no rule's table, yet planned as ") +
                                              testing::plan_kind_name(plan.kind)});
        }
      } catch (const std::exception& e) {
        found.push_back({PlanProblem::kInvariant, std::string("threw: ") + e.what()});
      } catch (...) {
        found.push_back({PlanProblem::kInvariant, "threw a non-exception"});
      }
      add(found, pass == 0 ? "prepare" : "execute");
    }
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    if (ms > rep.slowest_ms) {
      rep.slowest_ms = ms;
      rep.slowest = sql;
    }
  }

  PlanInput input() {
    PlanInput in;
    in.rules = rules_.get();
    in.current_db = testing::kShardedDb;
    in.sequences = &seq_;
    in.sequence_config = &ns_.global_sequences;
    in.schema = &rules_->schema();
    in.schema_loaded = true;  // a value count that does not match is the client's 1136
    return in;
  }

  void expect_clean(const Report& rep, bool unrenamed_fails) {
    auto show = [&](PlanProblem::Kind k, const char* what) {
      auto it = rep.problems.find(k);
      if (it == rep.problems.end()) return;
      size_t shown = 0;
      for (auto& p : it->second) {
        if (++shown > 25) break;
        ADD_FAILURE() << what << ": " << p;
      }
    };
    show(PlanProblem::kInvariant, "plan invariant broken");
    show(PlanProblem::kReparse, "rewritten shard SQL does not parse");
    if (unrenamed_fails) show(PlanProblem::kUnrenamed, "sharded table name not rewritten");
  }

  config::Namespace ns_;
  std::shared_ptr<const ShardRuleSet> rules_;
  sql::Parser parser_;
  sql::Arena arena_, scratch_;
  CountingSequence seq_;
};

// Hand-written statements aimed at the planner's corners: key extraction over odd values,
// scatter merges, joins, subqueries, INSERT row splitting, DDL, EXPLAIN, global tables.
const char* const kHostile[] = {
    // key values
    "SELECT * FROM t1 WHERE a = NULL",
    "SELECT * FROM t1 WHERE a <=> NULL",
    "SELECT * FROM t1 WHERE a IN (NULL)",
    "SELECT * FROM t1 WHERE a IN (NULL, 1, -1, 18446744073709551615, -9223372036854775808)",
    "SELECT * FROM t1 WHERE a = 18446744073709551616",
    "SELECT * FROM t1 WHERE a = -18446744073709551616",
    "SELECT * FROM t1 WHERE a = 1e308 OR a = -1e-308 OR a = 0x7fffffffffffffffff",
    "SELECT * FROM t1 WHERE a = x'ff' OR a = b'1' OR a = _utf8mb4'x' COLLATE utf8mb4_bin",
    "SELECT * FROM t1 WHERE a = '' OR a = ' 12 ' OR a = '1.5' OR a = 1.5 OR a = .5e1",
    "SELECT * FROM t1 WHERE a = - - 1 OR a = -(-(1)) OR a = +1 OR a = ~0 OR a = !1",
    "SELECT * FROM t1 WHERE a BETWEEN 10 AND 1",
    "SELECT * FROM t1 WHERE a BETWEEN -9223372036854775808 AND 9223372036854775807",
    "SELECT * FROM t1 WHERE a BETWEEN NULL AND 3",
    "SELECT * FROM t1 WHERE a > 18446744073709551615 OR a < -9223372036854775808",
    "SELECT * FROM t1 WHERE a >= 3 AND a <= 2",
    "SELECT * FROM t1 WHERE NOT (a = 1) AND NOT a IN (1, 2)",
    "SELECT * FROM t1 WHERE (a, b) = (1, 2) OR (a, b) IN ((1, 2), (3, 4))",
    "SELECT * FROM t1 WHERE a = a OR 1 = a OR a = b OR t1.a = t2.a",
    "SELECT * FROM t1 WHERE a = 1 AND a = 2 AND a = 3 AND (a = 4 OR a = 5)",
    "SELECT * FROM t1 WHERE a = ? AND a IN (?, ?, ?) OR a BETWEEN ? AND ?",
    "SELECT * FROM t6 WHERE a = 99 OR a = 100 OR a = 299 OR a = 300 OR a = -1 OR a = 999999",
    "SELECT * FROM t6 WHERE a BETWEEN -5 AND 1000000 OR a > 18446744073709551615",
    "SELECT * FROM t6 WHERE a < -9223372036854775808 OR a BETWEEN 250 AND 50",
    "SELECT * FROM t7 WHERE d = '2014-05-01' OR d = '2015-01-01' OR d = 'junk' OR d = 20140501",
    "SELECT * FROM t7 WHERE d BETWEEN '2014-01-01' AND '2014-12-31 23:59:59'",
    "SELECT * FROM t7 WHERE d > '9999-12-31' OR d < '0000-00-00' OR d = NULL",
    "SELECT * FROM t5 WHERE b = 1 OR b = -1 OR b = 'x' OR b = 2.5",
    "SELECT * FROM t9 WHERE a = 1 OR a = -7 OR a = 'abc'",
    "SELECT * FROM t9, t1 WHERE t9.a = t1.a",
    // scatter merges
    "SELECT a, COUNT(*), SUM(b), AVG(b), MIN(b), MAX(b) FROM t1 GROUP BY a HAVING COUNT(*) > 1 "
    "ORDER BY 3 DESC LIMIT 5, 10",
    "SELECT b FROM t1 ORDER BY 0",
    "SELECT b FROM t1 ORDER BY 99",
    "SELECT b FROM t1 ORDER BY -1",
    "SELECT b FROM t1 GROUP BY 0",
    "SELECT b FROM t1 GROUP BY 99",
    "SELECT * FROM t1 ORDER BY 1, 2, 3 LIMIT 18446744073709551615 OFFSET 18446744073709551615",
    "SELECT * FROM t1 LIMIT 0",
    "SELECT * FROM t1 LIMIT ?, ?",
    "SELECT * FROM t1 LIMIT 1 OFFSET ?",
    "SELECT DISTINCT a, b FROM t1 ORDER BY b LIMIT 3",
    "SELECT DISTINCT COUNT(*) FROM t1",
    "SELECT COUNT(DISTINCT a, b) FROM t1",
    "SELECT SUM(DISTINCT b), AVG(DISTINCT b), COUNT(DISTINCT b) FROM t1 GROUP BY c",
    "SELECT GROUP_CONCAT(b SEPARATOR '') FROM t1",
    "SELECT GROUP_CONCAT(DISTINCT b ORDER BY b DESC SEPARATOR ';') FROM t1",
    "SELECT GROUP_CONCAT(b ORDER BY 1) FROM t1",
    "SELECT GROUP_CONCAT(b, c ORDER BY b LIMIT 2) FROM t1",
    "SELECT COUNT(*) FROM t1 HAVING COUNT(*) > 0",
    "SELECT b FROM t1 HAVING b > 0",
    "SELECT a FROM t1 HAVING SUM(b) > 1",
    "SELECT MAX(MIN(b)) FROM t1",
    "SELECT COUNT(*) OVER () FROM t1",
    "SELECT b, ROW_NUMBER() OVER (PARTITION BY c ORDER BY b) FROM t1",
    "SELECT a, b, COUNT(*) FROM t1 GROUP BY a, b WITH ROLLUP",
    "SELECT COUNT(*), b FROM t1",
    "SELECT *, COUNT(*) FROM t1",
    "SELECT t1.*, AVG(b) FROM t1 GROUP BY a",
    "SELECT AVG(b) AS x FROM t1 GROUP BY c ORDER BY x",
    "SELECT b AS a FROM t1 ORDER BY a",
    "SELECT SUM(b) FROM t1 ORDER BY SUM(b)",
    "SELECT c FROM t1 GROUP BY c ORDER BY COUNT(*) DESC, AVG(b)",
    "SELECT COUNT(*) FROM t1 GROUP BY c HAVING AVG(b) > 1 AND MAX(b) < (SELECT 1)",
    "SELECT (SELECT COUNT(*) FROM t4) FROM t1",
    "SELECT (SELECT MAX(a) FROM t1) FROM t1",
    "SELECT * FROM t1 ORDER BY (SELECT 1)",
    "SELECT * FROM t1 ORDER BY RAND() LIMIT 1",
    "SELECT * FROM t1 FOR UPDATE",
    "SELECT * FROM t1 LOCK IN SHARE MODE",
    "SELECT SQL_CALC_FOUND_ROWS * FROM t1 LIMIT 1",
    "SELECT * FROM t1 INTO OUTFILE '/tmp/x'",
    "SELECT b INTO @x FROM t1 LIMIT 1",
    // unions, CTEs, derived tables
    "SELECT a FROM t1 UNION SELECT a FROM t2",
    "SELECT a FROM t1 UNION ALL SELECT a FROM t1 ORDER BY a LIMIT 1",
    "(SELECT a FROM t1 WHERE a = 1) UNION (SELECT a FROM t1 WHERE a = 1)",
    "SELECT a FROM t1 WHERE a = 1 INTERSECT SELECT a FROM t2 WHERE a = 1",
    "SELECT a FROM t1 EXCEPT SELECT a FROM t4",
    "WITH t1 AS (SELECT 1 AS a) SELECT * FROM t1",
    "WITH x AS (SELECT * FROM t1) SELECT * FROM x WHERE a = 1",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r, "
    "t1",
    "SELECT * FROM (SELECT * FROM t1) d",
    "SELECT * FROM (SELECT * FROM t1 WHERE a = 1) d WHERE d.a = 1",
    "SELECT * FROM (SELECT * FROM (SELECT * FROM (SELECT * FROM t1) a) b) c",
    "SELECT * FROM t1 WHERE a IN (SELECT a FROM t2)",
    "SELECT * FROM t1 WHERE a IN (SELECT a FROM t1 WHERE a = 1)",
    "SELECT * FROM t1 WHERE a NOT IN (SELECT a FROM t2)",
    "SELECT * FROM t1 WHERE EXISTS (SELECT * FROM t2 WHERE t2.a = t1.a)",
    "SELECT * FROM t1 WHERE a = (SELECT a FROM t2 LIMIT 1)",
    "SELECT * FROM t1 WHERE a IN (SELECT b FROM t2)",
    "SELECT * FROM t1 WHERE a IN (SELECT a FROM t2 UNION SELECT a FROM t3)",
    "SELECT * FROM t1 WHERE a IN (SELECT a FROM t4)",
    "SELECT * FROM t1 WHERE a = ANY (SELECT a FROM t2)",
    "VALUES (1), (2)",
    "TABLE t1",
    "TABLE t4",
    // joins
    "SELECT * FROM t1 JOIN t2 USING (a)",
    "SELECT * FROM t1 NATURAL JOIN t2",
    "SELECT * FROM t1, t2",
    "SELECT * FROM t1 a, t1 b WHERE a.a = b.a AND a.a = 3",
    "SELECT * FROM t1 LEFT JOIN t2 ON t1.a = t2.a RIGHT JOIN t3 ON t3.a = t2.a WHERE t1.a = 1",
    "SELECT * FROM (t1, t2) JOIN (t3) ON t1.a = t3.a WHERE t1.a = t2.a",
    "SELECT * FROM t1 STRAIGHT_JOIN t2 ON t1.a = t2.a",
    "SELECT * FROM t1 CROSS JOIN t4",
    "SELECT * FROM t1 JOIN t8 ON t1.a = t8.a WHERE t8.a = 5",
    "SELECT * FROM t1 JOIN t5 ON t1.a = t5.b",
    "SELECT * FROM t1, plain",
    "SELECT * FROM t4, plain",
    "SELECT * FROM test.t1, db_ks.tbl_ks",
    "SELECT * FROM t1 JOIN t1 ON t1.a = t1.a",
    "SELECT * FROM t1 AS `t1_0000` WHERE `t1_0000`.a = 1",
    "SELECT * FROM `t``1`, `T1` WHERE `T1`.A = 1",
    "SELECT * FROM TEST.T1 WHERE A = 1",
    "SELECT * FROM t1 USE INDEX (i) FORCE INDEX FOR JOIN (j) WHERE a = 1",
    "SELECT * FROM t1 PARTITION (p0) WHERE a = 1",
    // INSERT / REPLACE
    "INSERT INTO t1 VALUES (1, 2)",
    "INSERT INTO t1 () VALUES ()",
    "INSERT INTO t1 (a) VALUES ()",
    "INSERT INTO t1 (a, b) VALUES (1), (2, 3, 4)",
    "INSERT INTO t1 (b, a) VALUES (1, 2), (3, 4), (5, 6), (7, NULL)",
    "INSERT INTO t1 (a) VALUES (DEFAULT)",
    "INSERT INTO t1 (a) VALUES (1 + 1)",
    "INSERT INTO t1 (a) VALUES (?), (?)",
    "INSERT INTO t1 (a) VALUES (18446744073709551615), (-9223372036854775808), ('x'), (x'00')",
    "INSERT INTO t1 (a, a) VALUES (1, 2)",
    "INSERT INTO t1 (A, b) VALUE (1, 2)",
    "INSERT INTO t1 SET a = 1, a = 2",
    "INSERT INTO t1 SET b = 1",
    "INSERT INTO t1 SET a = ?",
    "INSERT INTO t1 (a) VALUES (1) ON DUPLICATE KEY UPDATE a = a + 1",
    "INSERT INTO t1 (a) VALUES (1) ON DUPLICATE KEY UPDATE t1.a = 2, b = VALUES(b)",
    "INSERT INTO t1 (a, b) SELECT a, b FROM t2",
    "INSERT INTO t1 SELECT * FROM t1",
    "INSERT INTO plain SELECT * FROM t1",
    "INSERT INTO t4 SELECT * FROM t1",
    "INSERT INTO t4 SELECT * FROM plain",
    "INSERT INTO t4 VALUES (1)",
    "INSERT INTO t4 (a) VALUES ((SELECT MAX(a) FROM t4))",
    "INSERT INTO t3 (b) VALUES (1), (2), (3), (4)",
    "INSERT INTO t3 SET b = 1",
    "INSERT INTO t3 () VALUES ()",
    "INSERT INTO t3 VALUES (1)",
    "INSERT INTO t3 (b) SELECT 1",
    "INSERT INTO db_ks.seqd (name) VALUES ('x')",
    "INSERT INTO t7 (d) VALUES ('2014-05-05'), ('2014-11-11'), ('2013-01-01')",
    "INSERT INTO t6 (a) VALUES (0), (100), (200), (300), (-1)",
    "INSERT INTO t8 (a) VALUES (1)",
    "INSERT INTO t9 (a) VALUES (1), (2), (3), (4)",
    "INSERT IGNORE INTO t1 (a) VALUES (1)",
    "INSERT DELAYED INTO t1 (a) VALUES (1)",
    "INSERT INTO t1 (a) VALUES (1) RETURNING *",
    "INSERT INTO t1 PARTITION (p0) (a) VALUES (1)",
    "INSERT INTO t1 (a) VALUES (1) AS new ON DUPLICATE KEY UPDATE b = new.b",
    "REPLACE INTO t1 (a) VALUES (1), (2)",
    "REPLACE t1 SET a = 3",
    "REPLACE INTO t1 SELECT * FROM t2",
    // UPDATE / DELETE
    "UPDATE t1 SET b = 1",
    "UPDATE t1 SET a = 1",
    "UPDATE t1 SET t1.a = 1 WHERE a = 1",
    "UPDATE t1 x SET x.A = 1",
    "UPDATE t1 SET b = 1 ORDER BY b LIMIT 1",
    "UPDATE t1 SET b = 1 WHERE a = 1 ORDER BY b LIMIT 1",
    "UPDATE t1, t2 SET t1.b = t2.b WHERE t1.a = t2.a",
    "UPDATE t1 JOIN t2 ON t1.a = t2.a SET t2.a = 1",
    "UPDATE t1, t4 SET t4.b = 1",
    "UPDATE t4 SET b = 1",
    "UPDATE t4, plain SET t4.b = plain.b",
    "UPDATE t1 SET b = (SELECT MAX(b) FROM t1)",
    "UPDATE t1 SET b = (SELECT b FROM t4 LIMIT 1) WHERE a = 2",
    "DELETE FROM t1",
    "DELETE FROM t1 WHERE a = 1 ORDER BY b LIMIT 1",
    "DELETE FROM t1 LIMIT 1",
    "DELETE t1 FROM t1 JOIN t2 ON t1.a = t2.a",
    "DELETE t1, t2 FROM t1, t2 WHERE t1.a = t2.a",
    "DELETE FROM t1, t2 USING t1, t2 WHERE t1.a = t2.a AND t1.a = 9",
    "DELETE x FROM t1 AS x WHERE x.a = 1",
    "DELETE FROM t4",
    "DELETE t4 FROM t4, plain",
    "DELETE FROM t1 WHERE a IN (SELECT a FROM t1)",
    "DELETE FROM test.t1 WHERE test.t1.a = 1",
    "DELETE FROM t1 RETURNING a",
    // DDL
    "CREATE TABLE t1 (a INT PRIMARY KEY, b INT)",
    "CREATE TABLE IF NOT EXISTS test.t1 (a INT) ENGINE=InnoDB",
    "CREATE TABLE t1 LIKE t2",
    "CREATE TABLE t1 LIKE plain",
    "CREATE TABLE t1 AS SELECT 1 AS a",
    "CREATE TABLE t1 (a INT) PARTITION BY HASH (a) PARTITIONS 4",
    "CREATE TABLE t1 (a INT, FOREIGN KEY (a) REFERENCES t2 (a))",
    "CREATE TEMPORARY TABLE t1 (a INT)",
    "CREATE TABLE t4 (a INT)",
    "CREATE TABLE t4 SELECT * FROM t1",
    "ALTER TABLE t1 ADD COLUMN c INT",
    "ALTER TABLE t1 RENAME TO t9",
    "ALTER TABLE t1 RENAME t2",
    "ALTER TABLE t4 ADD INDEX (a)",
    "ALTER TABLE t1 DROP PRIMARY KEY, ADD PRIMARY KEY (a, b)",
    "ALTER TABLE t1 PARTITION BY KEY (a)",
    "ALTER TABLE t1 ENGINE = MyISAM",
    "DROP TABLE t1",
    "DROP TABLE IF EXISTS t1, t2",
    "DROP TABLE t1, t4",
    "DROP TEMPORARY TABLE t1",
    "TRUNCATE t1",
    "TRUNCATE TABLE t4",
    "CREATE INDEX i ON t1 (b)",
    "DROP INDEX i ON t1",
    "CREATE UNIQUE INDEX i ON t4 (a)",
    "RENAME TABLE t1 TO tx",
    "RENAME TABLE plain TO t1",
    "CREATE DATABASE test",
    "DROP DATABASE IF EXISTS test",
    "CREATE DATABASE db_ks",
    "DROP SCHEMA other_db",
    "CREATE VIEW v AS SELECT * FROM t1",
    "CREATE TRIGGER tr BEFORE INSERT ON t1 FOR EACH ROW SET @x = 1",
    "LOCK TABLES t1 READ",
    "LOCK TABLES t4 WRITE, plain READ",
    "LOCK TABLES plain READ",
    "UNLOCK TABLES",
    // SHOW / EXPLAIN
    "SHOW TABLES",
    "SHOW FULL TABLES",
    "SHOW TABLES FROM test",
    "SHOW TABLES FROM db_ks LIKE 't%'",
    "SHOW TABLES FROM nosuch",
    "SHOW CREATE TABLE t1",
    "SHOW COLUMNS FROM t1",
    "SHOW INDEX FROM t1",
    "EXPLAIN SELECT * FROM t1",
    "EXPLAIN SELECT * FROM t1 WHERE a = 1",
    "EXPLAIN INSERT INTO t1 (a) VALUES (1), (2)",
    "EXPLAIN UPDATE t1 SET b = 1",
    "EXPLAIN DELETE FROM t4",
    "EXPLAIN EXPLAIN SELECT * FROM t1",
    "EXPLAIN FORMAT=JSON SELECT * FROM t1",
    "EXPLAIN EXTENDED SELECT * FROM t1",
    "EXPLAIN t1",
    "EXPLAIN SELECT * FROM t1 a JOIN t2 b ON a.b = b.b",
    "EXPLAIN CREATE TABLE t1 (a INT)",
    "EXPLAIN INSERT INTO t3 (b) VALUES (1)",
    "EXPLAIN SELECT COUNT(*) FROM t1 GROUP BY b",
    "DESCRIBE t1",
    "DESC SELECT * FROM t1",
    "ANALYZE SELECT * FROM t1",
    // odd text around the statement
    "/* x */ SELECT /*+ hint */ * FROM t1 /* y */ WHERE a = 1 -- z\n",
    "SELECT * FROM t1 WHERE a = 1;",
    "  SELECT * FROM `t1` WHERE `a` = 1  ",
    "SELECT * FROM t1 WHERE a = 1 # trailing comment",
    "/*!40101 SELECT * FROM t1 WHERE a = 1 */",
    "SELECT /*!50000 * */ FROM t1",
    "SELECT * FROM t1 WHERE a = '\\'' OR b = \"\\\"\"",
    "SELECT 'FROM t1' FROM t1 WHERE a = 1",
    "SELECT t1 FROM t1 t1 WHERE t1.t1 = 1",
    "SELECT * FROM t1 WHERE a = 1 /*",
    "SELECT * FROM t1 WHERE a = 1 --",
    "HANDLER t1 OPEN",
    "LOAD DATA INFILE 'x' INTO TABLE t1",
    "CALL p()",
    "DO (SELECT COUNT(*) FROM t1)",
    "SET @x = (SELECT a FROM t1 LIMIT 1)",
    "PREPARE s FROM 'SELECT * FROM t1'",
    "CHECKSUM TABLE t1",
    "OPTIMIZE TABLE t1",
    "ANALYZE TABLE t1, t4",
    "REPAIR TABLE t1",
    "FLUSH TABLES t1",
    // names in another case than the rule's, TABLE statements, positions (bugs fixed here)
    "INSERT INTO T4 VALUES (1)",
    "REPLACE INTO TEST.T4 (a) VALUES (1)",
    "DELETE FROM T4 WHERE a = 1",
    "UPDATE T4 SET b = 1",
    "DELETE T4 FROM T4 WHERE a = 1",
    "INSERT INTO T1 (a) VALUES (1), (2)",
    "SELECT a FROM t1 WHERE a = 1 UNION TABLE t1",
    "SELECT * FROM t1 WHERE a IN (TABLE t8)",
    "TABLE t1 ORDER BY a LIMIT 1",
    "TABLE T4",
    "SELECT b FROM t1 ORDER BY ABS(COUNT(*))",
    "SELECT b FROM t1 ORDER BY STDDEV(b)",
    "SELECT COUNT(*) FROM t1 ORDER BY VARIANCE(b), COUNT(*)",
    "SELECT * FROM t1 ORDER BY 1073741825",
    "SELECT * FROM t1 ORDER BY b + 1, 1073741825",
    "SELECT * FROM t1 ORDER BY 4294967297",
    "SELECT * FROM t1 GROUP BY 18446744073709551615",
};

// Inputs the planner fuzzer (fuzz/router/plan_fuzzer.cpp) found problems with; each stays here
// as a regression case.
const char* const kFuzzRegressions[] = {
    // The lexer took an unterminated back-quoted part of a system variable as ending the
    // input; the scatter rewrite then printed `AS \`__tessera_h1\` FROM ...` inside the quotes.
    "SELECT a FROM t1 UNIt2 ORDER BY a\xfe\xff"
    "ba, @@glooooioba.`\xff\xff\xff\xef\xff\xffo(SESEL1)"
    "\xfe\xfe(\xfe\xfe\xdd\xb3IMIT 4",
    "SELECT a FROM t1 ORDER BY b, @@x.`abc",
    "SELECT a FROM t1 ORDER BY @@x.`abc`, @@`y`.`z`",
    // A '?' spliced with a literal fused with the word before it: "SELECtNULL FROM ...".
    "SELECt? FROM t0 WHERE a IN (SELECT a FROM t4 )",
    "SELECT?FROM t1 WHERE a=?AND b=?OR a IN(?)",
};

// Bugs this test and the fuzzer found, with the plan they must get now.
TEST_F(PlanRobustness, FixedBugs) {
  auto plan = [&](const std::string& sql, bool metadata_only = false) {
    arena_.reset();
    sql::ParseResult parsed = parser_.parse(sql, arena_);
    EXPECT_TRUE(parsed.ok()) << sql;
    PlanInput in = input();
    in.metadata_only = metadata_only;
    return plan_statement(sql, parsed, in, arena_);
  };
  // `TABLE t` cannot take an alias: was `TABLE `t1_0000` AS `t1``.
  Plan p = plan("TABLE t1", /*metadata_only=*/true);
  ASSERT_EQ(p.kind, PlanKind::kRoute);
  EXPECT_EQ(p.queries[0].sql, "TABLE `t1_0000`");
  // A global table named in another case: INSERT got `INSERT INTO `t4` AS `T4``, single-table
  // DELETE `DELETE FROM `t4` AS `T4`` (MariaDB takes no alias there).
  p = plan("INSERT INTO T4 VALUES (1, 2, 3, 4)");  // (t4's four columns: learn_test_schemas)
  ASSERT_EQ(p.kind, PlanKind::kRoute);
  EXPECT_EQ(p.queries[0].sql, "INSERT INTO `t4` VALUES (1, 2, 3, 4)");
  p = plan("DELETE FROM T4 WHERE a = 1");
  ASSERT_EQ(p.kind, PlanKind::kRoute);
  EXPECT_EQ(p.queries[0].sql, "DELETE FROM `t4` WHERE a = 1");
  p = plan("UPDATE T4 SET b = 1");
  ASSERT_EQ(p.kind, PlanKind::kRoute);
  EXPECT_EQ(p.queries[0].sql, "UPDATE `t4` AS `T4` SET b = 1");
  // ORDER BY a non-aggregate function over an aggregate (or an unmergeable aggregate)
  // dereferenced an empty optional<AggregateKind> (undefined behaviour; merged as COUNT).
  // Both are computed after the merge now; what the evaluator lacks ships t1's rows to one
  // server (a statement no merge answers).
  p = plan("SELECT b FROM t1 ORDER BY ABS(COUNT(*))");
  ASSERT_EQ(p.kind, PlanKind::kRoute) << p.error.message;
  ASSERT_EQ(p.merge.computed.size(), 1u);
  p = plan("SELECT b FROM t1 ORDER BY STDDEV(b)");
  ASSERT_EQ(p.result, ResultMode::kMerge) << p.error.message;
  p = plan("SELECT b FROM t1 ORDER BY SQRT(COUNT(*))");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  p = plan("SELECT b FROM t1 ORDER BY JSON_ARRAYAGG(b)");
  ASSERT_EQ(p.result, ResultMode::kLookupJoin) << p.error.message;
  // With `*`, a huge ORDER BY position became a hidden column (2^30 + 1) or wrapped to 32 bits.
  p = plan("SELECT * FROM t1 ORDER BY b + 1, 1073741825");
  ASSERT_EQ(p.kind, PlanKind::kError);
  EXPECT_NE(p.error.message.find("unknown column position 1073741825"), std::string::npos);
  p = plan("SELECT * FROM t1 ORDER BY 4294967297");
  ASSERT_EQ(p.kind, PlanKind::kError);
  p = plan("SELECT * FROM t1 ORDER BY 1073741824");
  ASSERT_EQ(p.kind, PlanKind::kRoute);
  // Fuzzer: a '?' replaced by its literal fused with the word next to it ("SELECtNULL").
  {
    std::string sql = "SELECT?FROM t1 WHERE a=?AND b=?";
    arena_.reset();
    sql::ParseResult parsed = parser_.parse(sql, arena_);
    ASSERT_TRUE(parsed.ok());
    std::vector<ShardValue> params{ShardValue::null(), ShardValue::of(int64_t{4}),
                                   ShardValue::of(std::string("x"))};
    std::vector<std::string> literals{"NULL", "4", "'x'"};
    PlanInput in = input();
    in.params = &params;
    in.param_literals = &literals;
    p = plan_statement(sql, parsed, in, arena_);
    ASSERT_EQ(p.kind, PlanKind::kRoute);
    ASSERT_EQ(p.queries.size(), 1u);
    // (the column keeps the name the server gives a prepared `SELECT ?`)
    EXPECT_EQ(p.queries[0].sql, "SELECT NULL AS `?` FROM `t1_0001` AS `t1` WHERE a=4 AND b='x'");
  }
  // Fuzzer: `@@x.\`abc` (unterminated) parsed, and text the scatter rewrite printed after it
  // ended up inside the quotes. It is a syntax error now.
  arena_.reset();
  EXPECT_FALSE(parser_.parse("SELECT a FROM t1 ORDER BY b, @@x.`abc", arena_).ok());
  p = plan("SELECT a FROM t1 ORDER BY @@x.`abc`");
  ASSERT_EQ(p.kind, PlanKind::kRoute);
  EXPECT_NE(p.queries[0].sql.find("@@x.`abc` AS `__tessera_h0`"), std::string::npos)
      << p.queries[0].sql;
}

TEST_F(PlanRobustness, HostileStatements) {
  Report rep;
  Watchdog dog(std::chrono::seconds(30));
  int i = 0;
  for (const char* sql : kHostile) {
    std::string s = sql;
    dog.begin(&s);
    run(s, "hostile[" + std::to_string(i++) + "]", rep);
  }
  rep.print("hostile");
  EXPECT_GT(rep.by_kind["route"], 100u);
  EXPECT_GT(rep.by_kind["error"], 20u);
  expect_clean(rep, /*unrenamed_fails=*/true);
}

TEST_F(PlanRobustness, FuzzRegressions) {
  Report rep;
  Watchdog dog(std::chrono::seconds(30));
  int i = 0;
  for (const char* sql : kFuzzRegressions) {
    std::string s = sql;
    dog.begin(&s);
    run(s, "fuzz[" + std::to_string(i++) + "]", rep);
  }
  rep.print("fuzz regressions");
  expect_clean(rep, /*unrenamed_fails=*/true);
}

TEST_F(PlanRobustness, MariaDbTestSuite) {
  const char* env = std::getenv("TESSERA_SQL_CORPUS_DIR");
  std::string dir = env && *env ? env : "/usr/share/mysql/mysql-test/main";
  std::vector<fs::path> files;
  if (fs::is_directory(dir)) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() == ".test") files.push_back(e.path());
    }
  }
  if (files.empty()) {
    std::printf(
        "SKIP: no MariaDB test corpus (*.test) in %s; install the Debian package "
        "mariadb-test or set TESSERA_SQL_CORPUS_DIR\n",
        dir.c_str());
    GTEST_SKIP() << "MariaDB test corpus not found in " << dir
                 << " (install mariadb-test or set TESSERA_SQL_CORPUS_DIR)";
  }
  std::sort(files.begin(), files.end());
  Report rep;
  Watchdog dog(std::chrono::seconds(60));
  for (const auto& path : files) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    for (const auto& st : sql::testing::extract_statements(ss.str())) {
      if (st.expects_parse_error) continue;
      if (sql::classify(st.sql).kind == sql::StatementKind::Empty) continue;
      dog.begin(&st.sql);
      run(st.sql, path.filename().string() + ":" + std::to_string(st.line), rep);
    }
  }
  rep.print("MariaDB test suite");
  if (const char* out = std::getenv("TESSERA_PLAN_PROBLEMS")) {
    std::ofstream o(out);
    for (auto& [k, list] : rep.problems)
      for (auto& p : list) o << int(k) << " " << p << "\n";
  }
  EXPECT_GT(rep.planned, 10000u);
  EXPECT_GT(rep.by_kind["route"], 1000u);
  EXPECT_GT(rep.by_kind["(names no rule's table)"], 1000u);  // the check above saw enough
  expect_clean(rep, /*unrenamed_fails=*/false);
}

}  // namespace
}  // namespace tessera::router
