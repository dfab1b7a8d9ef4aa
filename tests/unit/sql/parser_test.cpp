#include "sql/parser.h"

#include <gtest/gtest.h>

#include <deque>

#include "sql/writer.h"

namespace tessera::sql {
namespace {

class ParserTest : public ::testing::Test {
 protected:
  // Canonical (fully parenthesised) form of one expression.
  std::string expr(std::string_view e) {
    std::string sql = "SELECT " + std::string(e);
    ParseResult r = parser_.parse(keep(sql), arena_);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.error.message;
    if (!r.ok()) return "<error>";
    auto* q = static_cast<SelectStatement*>(r.statement)->query;
    auto* core = static_cast<SelectCore*>(q->body);
    WriteOptions o;
    o.canonical = true;
    std::string out;
    to_sql(*core->items[0].expr, out, o);
    return out;
  }

  // Parses, prints, re-parses and checks the canonical forms agree; returns the printed SQL.
  std::string roundtrip(std::string_view sql, StatementKind kind) {
    ParseResult r = parser_.parse(keep(sql), arena_);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.error.message;
    if (!r.ok()) return "<error>";
    EXPECT_EQ(to_string(r.kind), to_string(kind)) << sql;
    std::string printed = to_sql(*r.statement);
    WriteOptions o;
    o.canonical = true;
    std::string c1 = to_sql(*r.statement, o);
    ParseResult r2 = parser_.parse(keep(printed), arena_);
    EXPECT_TRUE(r2.ok()) << printed << ": " << r2.error.message;
    if (!r2.ok()) return "<error>";
    EXPECT_EQ(c1, to_sql(*r2.statement, o)) << sql;
    return printed;
  }

  std::string_view keep(std::string_view s) {
    texts_.emplace_back(s);
    return texts_.back();
  }

  Arena arena_;
  Parser parser_;
  std::deque<std::string> texts_;
};

TEST_F(ParserTest, Precedence) {
  EXPECT_EQ(expr("1 + 2 * 3"), "(1 + (2 * 3))");
  EXPECT_EQ(expr("1 - 2 - 3"), "((1 - 2) - 3)");
  EXPECT_EQ(expr("a OR b AND c"), "(`a` OR (`b` AND `c`))");
  EXPECT_EQ(expr("a XOR b OR c"), "((`a` XOR `b`) OR `c`)");
  EXPECT_EQ(expr("NOT a = b"), "(NOT (`a` = `b`))");
  EXPECT_EQ(expr("NOT a AND b"), "((NOT `a`) AND `b`)");
  EXPECT_EQ(expr("a = 1 AND b BETWEEN 1 AND 2"), "((`a` = 1) AND (`b` BETWEEN 1 AND 2))");
  EXPECT_EQ(expr("a | b & c"), "(`a` | (`b` & `c`))");
  EXPECT_EQ(expr("a << 1 + 2"), "(`a` << (1 + 2))");
  EXPECT_EQ(expr("-a ^ b"), "((-`a`) ^ `b`)");
  EXPECT_EQ(expr("a + b * c ^ d"), "(`a` + (`b` * (`c` ^ `d`)))");
  EXPECT_EQ(expr("a DIV b MOD c"), "((`a` DIV `b`) % `c`)");
  EXPECT_EQ(expr("a || b && c"), "(`a` || (`b` AND `c`))");
  EXPECT_EQ(expr("a IS NOT NULL = 1"), "((`a` IS NOT NULL) = 1)");
  EXPECT_EQ(expr("a NOT LIKE 'x%' ESCAPE '!'"), "(`a` NOT LIKE 'x%' ESCAPE '!')");
  EXPECT_EQ(expr("a NOT IN (1, 2) OR b"), "((`a` NOT IN (1, 2)) OR `b`)");
  EXPECT_EQ(expr("@x := 1 + 2"), "(@x := (1 + 2))");
  EXPECT_EQ(expr("!a + b"), "((!`a`) + `b`)");
  EXPECT_EQ(expr("a COLLATE utf8_bin = b"), "((`a` COLLATE `utf8_bin`) = `b`)");
  EXPECT_EQ(expr("BINARY a = b"), "((BINARY `a`) = `b`)");
  EXPECT_EQ(expr("d + INTERVAL 1 DAY"), "(`d` + (INTERVAL 1 DAY))");
  EXPECT_EQ(expr("a = ANY (SELECT 1)"), "(`a` = ANY (SELECT 1))");
  EXPECT_EQ(expr("(1 + 2) * 3"), "((1 + 2) * 3)");
}

TEST_F(ParserTest, LiteralForms) {
  const char* literals[] = {"'a''b'",
                            "'it\\'s'",
                            "\"dq\"",
                            "'a' 'b'",
                            "_utf8mb4'x'",
                            "_latin1 X'41'",
                            "N'nat'",
                            "X'1F'",
                            "x'ab'",
                            "0x1F",
                            "b'101'",
                            "0b11",
                            "12",
                            "1.5",
                            ".5",
                            "1e10",
                            "1.5E-3",
                            "NULL",
                            "TRUE",
                            "FALSE",
                            "DATE '2020-01-01'",
                            "TIME '10:00:00'",
                            "TIMESTAMP '2020-01-01 00:00:00'",
                            "?",
                            "@v",
                            "@@session.sql_mode",
                            "@@global.x",
                            "@'quoted var'",
                            "{d '2020-01-01'}"};
  for (const char* l : literals) {
    std::string sql = std::string("SELECT ") + l;
    roundtrip(sql, StatementKind::Select);
  }
  EXPECT_EQ(expr("_utf8mb4'x'"), "_utf8mb4 'x'");
  EXPECT_EQ(expr("DATE '2020-01-01'"), "DATE '2020-01-01'");
}

TEST_F(ParserTest, ExpressionForms) {
  const char* exprs[] = {
      "CASE a WHEN 1 THEN 'x' ELSE 'y' END",
      "CASE WHEN a > 1 THEN 1 END",
      "CAST(a AS UNSIGNED)",
      "CAST(a AS DECIMAL(10,2))",
      "CAST(a AS CHAR(10) CHARACTER SET utf8mb4)",
      "CONVERT(a, SIGNED INTEGER)",
      "CONVERT(a USING latin1)",
      "DATE_ADD(d, INTERVAL 1 HOUR_MINUTE)",
      "a IS TRUE",
      "a IS NOT UNKNOWN",
      "a NOT BETWEEN 1 AND 2",
      "a REGEXP '^x'",
      "a NOT RLIKE 'x'",
      "a SOUNDS LIKE b",
      "EXISTS (SELECT 1)",
      "a IN (SELECT b FROM t)",
      "(a, b) = (1, 2)",
      "ROW(a, b) IN (ROW(1, 2))",
      "MATCH (a, b) AGAINST ('x' IN BOOLEAN MODE)",
      "doc->'$.a'",
      "doc->>'$.a'",
      "COUNT(*)",
      "COUNT(DISTINCT a, b)",
      "GROUP_CONCAT(DISTINCT a ORDER BY b DESC SEPARATOR ';')",
      "EXTRACT(YEAR FROM d)",
      "SUBSTRING(s FROM 2 FOR 3)",
      "TRIM(LEADING 'x' FROM s)",
      "TRIM(BOTH FROM s)",
      "POSITION('a' IN s)",
      "CHAR(65, 66 USING utf8)",
      "IF(a, b, c)",
      "LEFT(s, 2)",
      "REPLACE(s, 'a', 'b')",
      "INSERT(s, 1, 2, 'x')",
      "db.f(1)",
      ("ROW_NUMBER() OVER (PARTITION BY a ORDER BY b ROWS BETWEEN UNBOUNDED PRECEDING AND "
       "CURRENT ROW)"),
      "SUM(a) OVER w",
      "CURRENT_TIMESTAMP",
      "CURRENT_TIMESTAMP(6)",
      "- -1",
      "~a",
      "a <=> b",
      "a MEMBER OF ('[1]')",
      "VALUES(a)",
      "DEFAULT(a)",
      "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY a) OVER ()",
  };
  for (const char* e : exprs) roundtrip(std::string("SELECT ") + e, StatementKind::Select);
  EXPECT_EQ(roundtrip("SELECT - -1", StatementKind::Select), "SELECT - -1");
}

TEST_F(ParserTest, SelectClauses) {
  const char* sqls[] = {
      "SELECT DISTINCT HIGH_PRIORITY STRAIGHT_JOIN SQL_CALC_FOUND_ROWS a FROM t",
      "SELECT /*+ MAX_EXECUTION_TIME(10) */ a FROM t",
      "SELECT a AS x, b y, c 'z' FROM t AS t1",
      "SELECT t.*, db.t.c FROM db.t",
      "SELECT * FROM a JOIN b ON a.id = b.id LEFT JOIN c USING (id) RIGHT OUTER JOIN d ON 1",
      "SELECT * FROM a CROSS JOIN b STRAIGHT_JOIN c NATURAL JOIN d NATURAL LEFT JOIN e",
      "SELECT * FROM a INNER JOIN (b JOIN c ON b.x = c.x) ON a.y = b.y",
      "SELECT * FROM (SELECT 1 AS a) AS d (x)",
      "SELECT * FROM t USE INDEX (i1, i2) IGNORE KEY FOR ORDER BY (i3) FORCE INDEX (PRIMARY)",
      "SELECT * FROM t PARTITION (p0, p1) WHERE a = 1",
      "SELECT a, COUNT(*) FROM t GROUP BY a WITH ROLLUP HAVING COUNT(*) > 1",
      "SELECT a FROM t ORDER BY a DESC, b LIMIT 10",
      "SELECT a FROM t LIMIT 5, 10",
      "SELECT a FROM t LIMIT 10 OFFSET 5",
      "SELECT a FROM t WHERE id = 1 FOR UPDATE",
      "SELECT a FROM t FOR UPDATE OF t NOWAIT",
      "SELECT a FROM t FOR SHARE SKIP LOCKED",
      "SELECT a FROM t LOCK IN SHARE MODE",
      "SELECT a INTO @x FROM t",
      "SELECT a FROM t INTO @x",
      "SELECT a FROM t INTO OUTFILE '/tmp/x' FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY "
      "'\"' LINES TERMINATED BY '\\n'",
      "SELECT 1 UNION SELECT 2 UNION ALL SELECT 3 ORDER BY 1 LIMIT 2",
      "SELECT 1 INTERSECT SELECT 2 EXCEPT DISTINCT SELECT 3",
      "(SELECT a FROM t ORDER BY a LIMIT 1) UNION (SELECT b FROM u)",
      "WITH RECURSIVE c (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5) "
      "SELECT * FROM c",
      "SELECT a, SUM(b) OVER w FROM t WINDOW w AS (PARTITION BY a)",
      "SELECT * FROM t WHERE a IN (1, 2, 3) AND b NOT IN (SELECT c FROM u)",
      "SELECT * FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.a = t1.a)",
      "SELECT 1 FROM DUAL",
      "VALUES (1, 2), (3, 4)",
      "SELECT a FROM t ORDER BY a OFFSET 1 ROWS FETCH FIRST 2 ROWS ONLY",
  };
  for (const char* s : sqls) roundtrip(s, StatementKind::Select);
}

TEST_F(ParserTest, DmlStatements) {
  roundtrip("INSERT INTO t (a, b) VALUES (1, 'x'), (2, DEFAULT)", StatementKind::Insert);
  roundtrip("INSERT LOW_PRIORITY IGNORE INTO db.t PARTITION (p1) VALUE (1)", StatementKind::Insert);
  roundtrip("INSERT INTO t SET a = 1, b = b + 1", StatementKind::Insert);
  roundtrip("INSERT INTO t (a) SELECT a FROM u WHERE b > 1", StatementKind::Insert);
  roundtrip("INSERT INTO t (a, b) VALUES (1, 2) ON DUPLICATE KEY UPDATE b = VALUES(b) + 1",
            StatementKind::Insert);
  roundtrip("INSERT INTO t VALUES (1, 2) AS new ON DUPLICATE KEY UPDATE b = new.b",
            StatementKind::Insert);
  roundtrip("INSERT INTO t VALUES (?, ?)", StatementKind::Insert);
  roundtrip("REPLACE INTO t VALUES (1)", StatementKind::Replace);
  roundtrip("UPDATE t SET a = 1 WHERE id = 2 ORDER BY id LIMIT 1", StatementKind::Update);
  roundtrip("UPDATE LOW_PRIORITY IGNORE t1, t2 SET t1.a = t2.a WHERE t1.id = t2.id",
            StatementKind::Update);
  roundtrip("UPDATE t1 JOIN t2 ON t1.id = t2.id SET t1.a = 1", StatementKind::Update);
  roundtrip("DELETE FROM t WHERE id = 1 ORDER BY id LIMIT 1", StatementKind::Delete);
  roundtrip("DELETE QUICK IGNORE FROM t AS x PARTITION (p0) WHERE x.a = 1", StatementKind::Delete);
  roundtrip("DELETE t1, t2 FROM t1 JOIN t2 ON t1.id = t2.id WHERE t1.a = 1", StatementKind::Delete);
  roundtrip("DELETE FROM t1.*, t2 USING t1 JOIN t2 ON t1.id = t2.id", StatementKind::Delete);
  roundtrip("DELETE FROM t RETURNING id", StatementKind::Delete);
  roundtrip("WITH x AS (SELECT 1 AS id) DELETE FROM t WHERE id IN (SELECT id FROM x)",
            StatementKind::Delete);
  roundtrip(
      "LOAD DATA LOCAL INFILE '/tmp/f' REPLACE INTO TABLE t CHARACTER SET utf8 FIELDS "
      "TERMINATED BY ',' IGNORE 1 LINES (a, @b) SET c = @b",
      StatementKind::LoadData);
}

TEST_F(ParserTest, SessionStatements) {
  roundtrip("SET @a = 1, @@session.sql_mode = 'x', GLOBAL max_connections = 10",
            StatementKind::Set);
  roundtrip("SET autocommit = ON", StatementKind::Set);
  roundtrip("SET NAMES utf8mb4 COLLATE utf8mb4_bin", StatementKind::Set);
  roundtrip("SET NAMES DEFAULT", StatementKind::Set);
  roundtrip("SET CHARACTER SET latin1", StatementKind::Set);
  roundtrip("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED, READ ONLY",
            StatementKind::Set);
  roundtrip("SET TRANSACTION READ WRITE", StatementKind::Set);
  roundtrip("SET @x := 5", StatementKind::Set);
  roundtrip("SET STATEMENT max_statement_time = 1 FOR SELECT 1", StatementKind::Set);
  roundtrip("BEGIN", StatementKind::Begin);
  roundtrip("BEGIN WORK", StatementKind::Begin);
  roundtrip("START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT", StatementKind::Begin);
  roundtrip("COMMIT WORK AND NO CHAIN NO RELEASE", StatementKind::Commit);
  roundtrip("ROLLBACK AND CHAIN", StatementKind::Rollback);
  roundtrip("ROLLBACK WORK TO SAVEPOINT s1", StatementKind::Rollback);
  roundtrip("SAVEPOINT s1", StatementKind::Savepoint);
  roundtrip("RELEASE SAVEPOINT s1", StatementKind::Savepoint);
  roundtrip("XA START 'x', 'y', 1", StatementKind::Xa);
  roundtrip("XA END 'x' SUSPEND", StatementKind::Xa);
  roundtrip("XA COMMIT 'x' ONE PHASE", StatementKind::Xa);
  roundtrip("XA RECOVER", StatementKind::Xa);
  roundtrip("LOCK TABLES t READ, u AS x WRITE, v READ LOCAL", StatementKind::LockTables);
  roundtrip("UNLOCK TABLES", StatementKind::UnlockTables);
  roundtrip("USE `my db`", StatementKind::Use);
  roundtrip("KILL QUERY 12", StatementKind::Kill);
  roundtrip("KILL 12", StatementKind::Kill);
  roundtrip("PREPARE s FROM 'SELECT ?'", StatementKind::Prepare);
  roundtrip("PREPARE s FROM @sql", StatementKind::Prepare);
  roundtrip("EXECUTE s USING @a, @b", StatementKind::Execute);
  roundtrip("DEALLOCATE PREPARE s", StatementKind::Deallocate);
  roundtrip("DROP PREPARE s", StatementKind::Deallocate);
  roundtrip("CALL db.p(1, @x)", StatementKind::Call);
  roundtrip("CALL p", StatementKind::Call);
  roundtrip("DO SLEEP(1), RELEASE_LOCK('x')", StatementKind::Do);
}

TEST_F(ParserTest, ShowExplainDescribe) {
  const char* shows[] = {"SHOW TABLES",
                         "SHOW FULL TABLES FROM db LIKE 't%'",
                         "SHOW DATABASES",
                         "SHOW COLUMNS FROM t FROM db",
                         "SHOW FULL COLUMNS IN db.t WHERE Field = 'a'",
                         "SHOW INDEX FROM t",
                         "SHOW CREATE TABLE db.t",
                         "SHOW CREATE VIEW v",
                         "SHOW CREATE DATABASE d",
                         "SHOW GLOBAL STATUS LIKE 'x%'",
                         "SHOW SESSION VARIABLES WHERE Variable_name = 'x'",
                         "SHOW TABLE STATUS FROM db",
                         "SHOW GRANTS FOR 'u'@'localhost'",
                         "SHOW GRANTS",
                         "SHOW WARNINGS LIMIT 10",
                         "SHOW ENGINE INNODB STATUS",
                         "SHOW BINLOG EVENTS IN 'log.1' FROM 4 LIMIT 2",
                         "SHOW PROCESSLIST",
                         "SHOW MASTER STATUS",
                         "SHOW TRIGGERS FROM db"};
  for (const char* s : shows) roundtrip(s, StatementKind::Show);
  Arena a;
  ParseResult r = parser_.parse("SHOW COLUMNS FROM t FROM db", a);
  ASSERT_TRUE(r.ok());
  auto* s = static_cast<ShowStatement*>(r.statement);
  EXPECT_EQ(s->object.name.name, "t");
  EXPECT_EQ(s->database.name, "db");
  roundtrip("EXPLAIN SELECT * FROM t", StatementKind::Explain);
  roundtrip("EXPLAIN FORMAT=JSON SELECT * FROM t", StatementKind::Explain);
  roundtrip("EXPLAIN EXTENDED UPDATE t SET a = 1", StatementKind::Explain);
  roundtrip("ANALYZE SELECT 1", StatementKind::Explain);
  roundtrip("EXPLAIN FOR CONNECTION 5", StatementKind::Explain);
  roundtrip("DESCRIBE t", StatementKind::Describe);
  roundtrip("DESC db.t col", StatementKind::Describe);
  roundtrip("EXPLAIN t 'a%'", StatementKind::Describe);
}

TEST_F(ParserTest, Ddl) {
  roundtrip(
      "CREATE TABLE IF NOT EXISTS db.t (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, "
      "name VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT '' COMMENT 'n', "
      "price DECIMAL(10,2) DEFAULT 0.00, ts TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE "
      "CURRENT_TIMESTAMP, e ENUM('a','b'), g INT AS (id + 1) STORED, "
      "PRIMARY KEY (id), UNIQUE KEY uk (name(10)), KEY k USING BTREE (price DESC), "
      "FULLTEXT INDEX ft (name), CONSTRAINT fk FOREIGN KEY (id) REFERENCES u (id) ON DELETE "
      "CASCADE, CHECK (price >= 0)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='t'",
      StatementKind::CreateTable);
  roundtrip("CREATE TEMPORARY TABLE t LIKE u", StatementKind::CreateTable);
  roundtrip("CREATE TABLE t AS SELECT * FROM u", StatementKind::CreateTable);
  roundtrip("CREATE OR REPLACE TABLE t (a INT) PARTITION BY HASH (a) PARTITIONS 4",
            StatementKind::CreateTable);
  roundtrip(
      "ALTER TABLE t ADD COLUMN c INT NOT NULL AFTER b, DROP COLUMN d, "
      "MODIFY e TEXT, CHANGE f g INT FIRST, ADD INDEX i (c), DROP INDEX j, "
      "RENAME TO u, ALGORITHM=INPLACE, LOCK=NONE, ENGINE=InnoDB",
      StatementKind::AlterTable);
  roundtrip("ALTER TABLE t ALTER COLUMN a SET DEFAULT 1, DROP PRIMARY KEY, DROP FOREIGN KEY fk",
            StatementKind::AlterTable);
  roundtrip(
      "ALTER TABLE t RENAME COLUMN a TO b, RENAME INDEX i TO j, CONVERT TO CHARACTER SET "
      "utf8mb4",
      StatementKind::AlterTable);
  roundtrip("DROP TABLE IF EXISTS a, db.b", StatementKind::DropTable);
  roundtrip("DROP TEMPORARY TABLE t", StatementKind::DropTable);
  roundtrip("TRUNCATE TABLE t", StatementKind::TruncateTable);
  roundtrip("RENAME TABLE a TO b, db.c TO db.d", StatementKind::RenameTable);
  roundtrip("CREATE UNIQUE INDEX i ON t (a, b(10) DESC)", StatementKind::CreateIndex);
  roundtrip("DROP INDEX i ON t", StatementKind::DropIndex);
  roundtrip("CREATE DATABASE IF NOT EXISTS d DEFAULT CHARACTER SET utf8mb4",
            StatementKind::CreateDatabase);
  roundtrip("DROP SCHEMA IF EXISTS d", StatementKind::DropDatabase);
  roundtrip(
      "CREATE OR REPLACE ALGORITHM=MERGE DEFINER=`root`@`localhost` SQL SECURITY INVOKER "
      "VIEW v (a) AS SELECT 1 WITH CASCADED CHECK OPTION",
      StatementKind::CreateView);
  roundtrip("DROP VIEW IF EXISTS v1, v2", StatementKind::DropView);
}

TEST_F(ParserTest, AdministrativeStatements) {
  roundtrip("DROP PROCEDURE IF EXISTS db.p", StatementKind::OtherDdl);
  roundtrip("DROP FUNCTION f", StatementKind::OtherDdl);
  roundtrip("DROP TRIGGER IF EXISTS tr", StatementKind::OtherDdl);
  roundtrip("DROP USER 'u'@'localhost', u2", StatementKind::OtherDdl);
  roundtrip("DROP SEQUENCE s1, s2", StatementKind::OtherDdl);
  roundtrip("ANALYZE TABLE t1, t2", StatementKind::OtherDdl);
  roundtrip("ANALYZE TABLE t PERSISTENT FOR COLUMNS (a) INDEXES (PRIMARY)",
            StatementKind::OtherDdl);
  roundtrip("CHECK TABLE t FOR UPGRADE", StatementKind::OtherDdl);
  roundtrip("REPAIR NO_WRITE_TO_BINLOG TABLE t QUICK USE_FRM", StatementKind::OtherDdl);
  roundtrip("OPTIMIZE TABLE t", StatementKind::OtherDdl);
  roundtrip("CHECKSUM TABLE t EXTENDED", StatementKind::OtherDdl);
  roundtrip("FLUSH TABLES t1, t2 WITH READ LOCK", StatementKind::Other);
  roundtrip("FLUSH LOCAL STATUS, BINARY LOGS", StatementKind::Other);
  roundtrip("HANDLER t OPEN AS h", StatementKind::Other);
  roundtrip("HANDLER h READ a = (1, 2) WHERE b > 1 LIMIT 2", StatementKind::Other);
  roundtrip("HANDLER h READ FIRST", StatementKind::Other);
  roundtrip("HANDLER h CLOSE", StatementKind::Other);
  roundtrip("BACKUP STAGE START", StatementKind::Other);
  roundtrip("RESET MASTER", StatementKind::Other);
  roundtrip("ALTER VIEW v AS SELECT 2", StatementKind::OtherDdl);
  roundtrip("GRANT SELECT (a, b), INSERT ON db.t TO 'u'@'%' WITH GRANT OPTION",
            StatementKind::Other);
  roundtrip("GRANT ALL PRIVILEGES ON *.* TO u IDENTIFIED BY 'pw'", StatementKind::Other);
  roundtrip("REVOKE EXECUTE ON PROCEDURE db.p FROM u@localhost", StatementKind::Other);
  roundtrip("GRANT r1, r2 TO u", StatementKind::Other);
  roundtrip("GRANT PROXY ON 'a'@'%' TO 'b'@'%'", StatementKind::Other);
  roundtrip("CREATE USER IF NOT EXISTS 'u'@'localhost' IDENTIFIED BY 'x' REQUIRE SSL",
            StatementKind::OtherDdl);
  roundtrip("ALTER USER CURRENT_USER() IDENTIFIED WITH 'ed25519' USING PASSWORD('x')",
            StatementKind::OtherDdl);
  roundtrip("CREATE ROLE r1", StatementKind::OtherDdl);
  roundtrip("ALTER DATABASE d DEFAULT CHARACTER SET = utf8mb4", StatementKind::OtherDdl);
  roundtrip("ALTER SCHEMA COLLATE latin1_bin", StatementKind::OtherDdl);
}

TEST_F(ParserTest, StoredPrograms) {
  roundtrip(
      "CREATE DEFINER=`root`@`localhost` PROCEDURE db.p(IN a INT, OUT b VARCHAR(10)) "
      "MODIFIES SQL DATA COMMENT 'x' BEGIN DECLARE done INT DEFAULT 0; DECLARE c CURSOR FOR "
      "SELECT id FROM t; DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1; OPEN c; "
      "l1: LOOP FETCH c INTO b; IF done THEN LEAVE l1; ELSEIF a > 1 THEN ITERATE l1; ELSE "
      "INSERT INTO u VALUES (b); END IF; END LOOP l1; CLOSE c; END",
      StatementKind::OtherDdl);
  roundtrip("CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC RETURN x + 1",
            StatementKind::OtherDdl);
  roundtrip("CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = NEW.a + 1",
            StatementKind::OtherDdl);
  roundtrip("CREATE EVENT e ON SCHEDULE EVERY 1 HOUR STARTS CURRENT_TIMESTAMP DO DELETE FROM t",
            StatementKind::OtherDdl);
  roundtrip(
      "BEGIN NOT ATOMIC DECLARE x INT DEFAULT 1; WHILE x < 3 DO SET x = x + 1; END WHILE; "
      "REPEAT SET x = x - 1; UNTIL x = 0 END REPEAT; CASE x WHEN 0 THEN SELECT 0; ELSE "
      "SELECT 1; END CASE; END",
      StatementKind::Other);
  roundtrip("SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'boom', MYSQL_ERRNO = 1001",
            StatementKind::Other);
  roundtrip("GET DIAGNOSTICS CONDITION 1 @p = RETURNED_SQLSTATE, @m = MESSAGE_TEXT",
            StatementKind::Other);
}

TEST_F(ParserTest, ExecutableCommentsAndHints) {
  roundtrip("SELECT /*!40001 SQL_NO_CACHE */ a FROM t", StatementKind::Select);
  roundtrip("CREATE /*M!100100 OR REPLACE */ TABLE t (a INT)", StatementKind::CreateTable);
  std::string printed =
      roundtrip("SELECT /*+ BKA(t) */ a FROM t /* note */", StatementKind::Select);
  EXPECT_EQ(printed, "SELECT /*+ BKA(t) */ a FROM t");
  Arena a;
  EXPECT_TRUE(parser_.parse("/*master*/ SELECT 1", a).hint_master);
  EXPECT_TRUE(parser_.parse("SELECT /*+ MASTER */ 1", a).hint_master);
  EXPECT_TRUE(parser_.parse("SELECT 1 /* slave */", a).hint_slave);
  EXPECT_FALSE(parser_.parse("SELECT '/*master*/'", a).hint_master);
}

TEST_F(ParserTest, ErrorPositions) {
  Arena a;
  ParseResult r = parser_.parse("SELECT a\nFORM t", a);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.line, 2);
  EXPECT_EQ(r.error.column, 6);
  EXPECT_EQ(r.error.near, "t");
  EXPECT_NE(r.error.message.find("line 2, column 6"), std::string::npos);
  EXPECT_EQ(r.kind, StatementKind::Select);  // still routable

  r = parser_.parse("SELECT 'unterminated", a);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.column, 8);

  r = parser_.parse("UPDATE t SET a = WHERE b = 1", a);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.column, 18);
  EXPECT_EQ(r.kind, StatementKind::Update);

  r = parser_.parse("CHANGE MASTER TO MASTER_HOST='h'", a);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind, StatementKind::Other);
  EXPECT_EQ(r.error.column, 1);

  r = parser_.parse("SELECT 1; SELECT 2", a);
  EXPECT_FALSE(r.ok());
}

TEST_F(ParserTest, DeepNestingIsAnErrorNotACrash) {
  std::string sql = "SELECT " + std::string(5000, '(') + "1" + std::string(5000, ')');
  Arena a;
  ParseResult r = parser_.parse(sql, a);
  EXPECT_FALSE(r.ok());
}

TEST_F(ParserTest, ParamsAreNumbered) {
  Arena a;
  ParseResult r = parser_.parse("SELECT ? FROM t WHERE a = ? AND b IN (?, ?)", a);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.param_count, 4u);
}

}  // namespace
}  // namespace tessera::sql
