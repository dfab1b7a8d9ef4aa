// Read-only allow-list, black_sql candidates and session lexing options (issue 15, defect 4).
#include "session/statement_guard.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace tessera::session {
namespace {

std::string refusal(std::string_view sql, const sql::LexOptions& o = {},
                    const std::set<std::string>& prepared = {}) {
  return check_read_only(sql, o, prepared, true).refusal;
}

TEST(LexOptions, FromSqlModeAndCharset) {
  auto o = lex_options_for("STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES", "utf8mb4");
  EXPECT_TRUE(o.no_backslash_escapes);
  EXPECT_FALSE(o.ansi_quotes);
  EXPECT_EQ(o.multibyte, sql::Multibyte::kNone);
  EXPECT_TRUE(lex_options_for("ANSI_QUOTES", "").ansi_quotes);
  EXPECT_TRUE(lex_options_for("REAL_AS_FLOAT,PIPES_AS_CONCAT,ANSI", "").ansi_quotes);
  EXPECT_TRUE(lex_options_for("ORACLE", "").ansi_quotes);
  EXPECT_EQ(lex_options_for("", "gbk").multibyte, sql::Multibyte::kGbk);
  EXPECT_EQ(lex_options_for("", "cp932").multibyte, sql::Multibyte::kSjis);
  EXPECT_EQ(lex_options_for("", "BIG5").multibyte, sql::Multibyte::kBig5);
  EXPECT_EQ(lex_options_for("", "gb18030").multibyte, sql::Multibyte::kGb18030);
}

TEST(LexOptions, FromSessionState) {
  SessionState s;
  s.collation = 28;  // gbk_chinese_ci from the handshake
  EXPECT_EQ(lex_options(s).multibyte, sql::Multibyte::kGbk);
  s.vars["character_set_client"] = "utf8mb4";  // SET NAMES utf8mb4, as tracked
  EXPECT_EQ(lex_options(s).multibyte, sql::Multibyte::kNone);
  s.vars["sql_mode"] = "NO_BACKSLASH_ESCAPES";
  EXPECT_TRUE(lex_options(s).no_backslash_escapes);
  EXPECT_FALSE(charsets_agree(s));  // connection charset still gbk from the handshake
  s.vars["character_set_connection"] = "utf8mb4";
  EXPECT_TRUE(charsets_agree(s));
}

TEST(ReadOnly, AllowsReads) {
  for (const char* sql : {"SELECT 1",
                          "select * from t where id = 1 for update",
                          "SHOW TABLES",
                          "DESCRIBE t",
                          "EXPLAIN DELETE FROM t",
                          "SET NAMES utf8mb4",
                          "SET autocommit = 0",
                          "SET @@session.sql_mode = 'ANSI'",
                          "SET @x = 5",
                          "USE db",
                          "BEGIN",
                          "BEGIN WORK",
                          "START TRANSACTION READ ONLY",
                          "COMMIT",
                          "ROLLBACK",
                          "SAVEPOINT a",
                          "UNLOCK TABLES",
                          "LOCK TABLES t READ",
                          "DO SLEEP(0)",
                          "SELECT 1 INTO @v",
                          "SELECT 1; SELECT 2",
                          "PREPARE s FROM 'SELECT ?'",
                          "EXECUTE IMMEDIATE 'SELECT 1'",
                          "DEALLOCATE PREPARE s",
                          "HELP 'contents'",
                          "SET STATEMENT max_statement_time=1 FOR SELECT 1",
                          "ANALYZE SELECT 1",
                          "/*!40101 SET NAMES utf8 */",
                          "(SELECT 1)",
                          "WITH a AS (SELECT 1) SELECT * FROM a",
                          "SELECT 1;"}) {
    EXPECT_EQ(refusal(sql), "") << sql;
  }
}

TEST(ReadOnly, RefusesEverythingElse) {
  for (const char* sql : {"DELETE FROM t",
                          "SELECT 1; DELETE FROM t",
                          "select 1;delete from t;",
                          "PREPARE s FROM 'DELETE FROM t'",
                          "PREPARE s FROM @q",
                          "PREPARE s FROM CONCAT('a')",
                          "EXECUTE IMMEDIATE 'DELETE FROM t'",
                          "EXECUTE IMMEDIATE @q",
                          "EXECUTE s",
                          "BEGIN NOT ATOMIC DELETE FROM t; END",
                          "IF 1 THEN DELETE FROM t; END IF",
                          "lbl: BEGIN NOT ATOMIC SELECT 1; END",
                          "GRANT ALL ON *.* TO x",
                          "REVOKE ALL ON *.* FROM x",
                          "CREATE USER x",
                          "DROP USER x",
                          "SELECT 1 INTO OUTFILE '/tmp/x'",
                          "SELECT 1 INTO DUMPFILE '/tmp/x'",
                          "SET GLOBAL max_connections = 5",
                          "SET @@global.max_connections = 5",
                          "SET PERSIST x = 1",
                          "SET sql_mode='', GLOBAL read_only=0",
                          "SET PASSWORD = 'x'",
                          "LOAD DATA INFILE 'x' INTO TABLE t",
                          "LOAD XML INFILE 'x' INTO TABLE t",
                          "CALL p()",
                          "DO GET_LOCK('a', 0)",
                          "SELECT NEXTVAL(s)",
                          "SELECT NEXT VALUE FOR s",
                          "SELECT SETVAL(s, 5)",
                          "LOCK TABLES t WRITE",
                          "XA START 'x'",
                          "HANDLER t OPEN",
                          "ANALYZE DELETE FROM t",
                          "EXPLAIN ANALYZE DELETE FROM t",
                          "SET STATEMENT max_statement_time=1 FOR DELETE FROM t",
                          "TRUNCATE t",
                          "KILL QUERY 5",
                          "FLUSH TABLES",
                          "INSERT INTO t VALUES (1)",
                          "WITH a AS (SELECT 1) DELETE FROM t",
                          "BEGIN DELETE FROM t",
                          "SELECT 'unterminated",
                          "SET NAMES gbk; SELECT 1",
                          "CREATE TEMPORARY TABLE x (a INT)",
                          "PREPARE s FROM 'PREPARE s2 FROM ''DELETE FROM t'''",
                          "RENAME USER a TO b",
                          "/*!50701 SELECT 1 FROM (*/ DELETE FROM t",
                          "SELECT 1 /*!999999 '*/; DELETE FROM t; -- '"}) {
    EXPECT_NE(refusal(sql), "") << sql;
  }
}

TEST(ReadOnly, LexesUnderTheSessionsModeAndCharset) {
  std::string_view q = "SELECT '\\'; DELETE FROM t; -- '";
  EXPECT_EQ(refusal(q), "");
  EXPECT_NE(refusal(q, lex_options_for("NO_BACKSLASH_ESCAPES", "")), "");
  EXPECT_NE(refusal("SELECT \"\\\"; DELETE FROM t; -- \"", lex_options_for("ANSI_QUOTES", "")), "");
  EXPECT_NE(refusal("SELECT '\xbf\\'; DELETE FROM t; -- '", lex_options_for("", "gbk")), "");
  EXPECT_NE(refusal("SELECT '\x81\\'; DELETE FROM t; -- '", lex_options_for("", "sjis")), "");
  // The prepared text is unescaped and checked under the same rules.
  EXPECT_NE(refusal("PREPARE s FROM 'SELECT ''\\\\''; DELETE FROM t'"), "");
}

TEST(ReadOnly, ExecuteOnlyWhatWasCheckedAtPrepare) {
  auto v = check_read_only("PREPARE S1 FROM 'SELECT 1'", {}, {}, true);
  ASSERT_EQ(v.refusal, "");
  ASSERT_EQ(v.prepared, std::vector<std::string>{"s1"});
  std::set<std::string> mine{"s1"};
  EXPECT_EQ(refusal("EXECUTE s1", {}, mine), "");
  EXPECT_EQ(refusal("EXECUTE `S1` USING @a", {}, mine), "");
  EXPECT_NE(refusal("EXECUTE s2", {}, mine), "");
  EXPECT_EQ(refusal("PREPARE s3 FROM 'SELECT 2'; EXECUTE s3"), "");
  auto d = check_read_only("DEALLOCATE PREPARE s1", {}, mine, true);
  EXPECT_EQ(d.deallocated, std::vector<std::string>{"s1"});
  // Non-ASCII prepared text while the connection charset differs from the client's.
  EXPECT_NE(check_read_only("PREPARE s FROM 'SELECT \xc3\xa9'", {}, {}, false).refusal, "");
}

bool has(const BlackSqlCandidates& c, std::string_view text) {
  return std::any_of(c.texts.begin(), c.texts.end(), [&](const auto& t) {
    std::string_view s = t.first;
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    return s == text;
  });
}

TEST(BlackSql, EveryStatementIsACandidate) {
  auto c = black_sql_candidates("SELECT 1; DELETE FROM t", {});
  EXPECT_TRUE(has(c, "DELETE FROM t"));
  c = black_sql_candidates("PREPARE s FROM 'DELETE FROM t'", {});
  EXPECT_TRUE(has(c, "DELETE FROM t"));
  c = black_sql_candidates("EXECUTE IMMEDIATE 'DELETE FROM t'", {});
  EXPECT_TRUE(has(c, "DELETE FROM t"));
  c = black_sql_candidates("BEGIN NOT ATOMIC SELECT 1; DELETE FROM t; END", {});
  EXPECT_TRUE(has(c, "DELETE FROM t"));
  c = black_sql_candidates("SELECT '\\'; DELETE FROM t; -- '",
                           lex_options_for("NO_BACKSLASH_ESCAPES", ""));
  EXPECT_TRUE(has(c, "DELETE FROM t"));
  EXPECT_EQ(c.refusal, "");
  c = black_sql_candidates("SET sql_mode = 'ANSI_QUOTES'; SELECT 1", {});
  EXPECT_NE(c.refusal, "");
}

TEST(MultiStatement, SeveralStatementsUnderSomeReading) {
  size_t second = 0;
  EXPECT_TRUE(may_hold_several_statements("SELECT 1; DELETE FROM t", {}, &second));
  EXPECT_EQ(second, 10u);
  EXPECT_FALSE(may_hold_several_statements("SELECT 1;", {}, &second));
  EXPECT_FALSE(may_hold_several_statements("SELECT '\\'; DELETE FROM t; -- '", {}, &second));
  EXPECT_TRUE(may_hold_several_statements("SELECT '\\'; DELETE FROM t; -- '",
                                          lex_options_for("NO_BACKSLASH_ESCAPES", ""), &second));
  EXPECT_TRUE(
      may_hold_several_statements("SELECT 1 /*!999999 '*/; DELETE FROM t; -- '", {}, &second));
  EXPECT_FALSE(may_hold_several_statements("SELECT /*!50701 1, */ 2", {}, &second));
}

// SQL built at run time (frontend/dynamic_sql.cc): where its expression is, and where none can
// be read in time.
TEST(DynamicSql, FindsTheExpressionOfAWholeStatement) {
  using Where = DynamicSql::Where;
  auto span = [](std::string_view sql, const DynamicSql& d) {
    return std::string(sql.substr(d.expr_begin, d.expr_end - d.expr_begin));
  };
  std::string_view a = "PREPARE s FROM @v";
  auto d = find_dynamic_sql(a, {});
  EXPECT_EQ(d.where, Where::kWhole);
  EXPECT_TRUE(d.variable);
  EXPECT_EQ(span(a, d), "@v");
  std::string_view b = "execute immediate CONCAT('SELECT ', CONVERT(@x USING utf8mb4)) USING 1, 2;";
  d = find_dynamic_sql(b, {});
  EXPECT_EQ(d.where, Where::kWhole);
  EXPECT_FALSE(d.variable);
  EXPECT_EQ(span(b, d), "CONCAT('SELECT ', CONVERT(@x USING utf8mb4))");
  std::string_view c = "EXECUTE IMMEDIATE @`odd name` USING @p";
  d = find_dynamic_sql(c, {});
  EXPECT_TRUE(d.variable);
  EXPECT_EQ(span(c, d), "@`odd name`");

  for (std::string_view sql :
       {"SET @v = 'KILL 5'; EXECUTE IMMEDIATE @v", "PREPARE s FROM @v; EXECUTE s",
        "EXECUTE IMMEDIATE 'EXECUTE IMMEDIATE @v'", "PREPARE s FROM 'PREPARE t FROM @v'"}) {
    EXPECT_EQ(find_dynamic_sql(sql, {}).where, Where::kElsewhere) << sql;
  }
  for (std::string_view sql :
       {"PREPARE s FROM 'SELECT 1'", "EXECUTE IMMEDIATE 'SELECT 1' USING 2", "SELECT 'prepare'",
        "EXECUTE s USING @v", "BEGIN NOT ATOMIC EXECUTE IMMEDIATE @v; END", "PREPARE s FROM"}) {
    EXPECT_EQ(find_dynamic_sql(sql, {}).where, Where::kNone) << sql;
  }
}

TEST(DynamicSql, ProgramBodiesAreRefusedForBlackSql) {
  EXPECT_FALSE(black_sql_candidates("EXECUTE IMMEDIATE @v", {}).refusal.size());
  EXPECT_FALSE(
      black_sql_candidates("BEGIN NOT ATOMIC EXECUTE IMMEDIATE @v; END", {}).refusal.empty());
  EXPECT_FALSE(black_sql_candidates("CREATE PROCEDURE p() BEGIN PREPARE s FROM @v; END", {})
                   .refusal.empty());
  EXPECT_TRUE(black_sql_candidates("BEGIN NOT ATOMIC EXECUTE IMMEDIATE 'SELECT 1'; END", {})
                  .refusal.empty());
}

TEST(DynamicSql, QuoteLiteralReadsBackTheSameBytes) {
  sql::LexOptions plain;
  EXPECT_EQ(quote_literal("KILL 5", plain), "'KILL 5'");
  EXPECT_EQ(quote_literal("it's", plain), "'it''s'");
  EXPECT_EQ(quote_literal("a\\b", plain), "'a\\\\b'");
  sql::LexOptions nbe;
  nbe.no_backslash_escapes = true;
  EXPECT_EQ(quote_literal("a\\b", nbe), "'a\\b'");
  sql::LexOptions gbk;
  gbk.multibyte = sql::Multibyte::kGbk;
  // 0x81 0x5C is one gbk character: its second byte is no backslash and is not doubled.
  EXPECT_EQ(quote_literal("\x81\x5c' OR 1", gbk), "'\x81\x5c'' OR 1'");
  // A value every reading agrees on: the checked statement's literal unescapes to the value.
  for (std::string_view v : {"", "\\", "'", "\\'", "a\0b", "DELETE FROM t; -- '\\"}) {
    for (const auto& o : {plain, nbe, gbk}) {
      auto lit = quote_literal(v, o);
      ASSERT_TRUE(lit.has_value()) << v;
    }
  }
}

}  // namespace
}  // namespace tessera::session
