#include "session/connection_hygiene.h"

#include <gtest/gtest.h>

namespace tessera::session {
namespace {

bool leaves(std::string_view sql) {
  return leaves_server_state(sql::classify(sql));
}

TEST(LeavesServerState, PlainStatementsDoNot) {
  EXPECT_FALSE(leaves("SELECT * FROM t WHERE id = 1"));
  EXPECT_FALSE(leaves("INSERT INTO t VALUES (1)"));
  EXPECT_FALSE(leaves("UPDATE t SET a = 1"));
  EXPECT_FALSE(leaves("SET sql_mode = 'ANSI'"));
  EXPECT_FALSE(leaves("BEGIN"));
  EXPECT_FALSE(leaves("COMMIT"));
  EXPECT_FALSE(leaves("SHOW TABLES"));
  EXPECT_FALSE(leaves("USE demo"));
}

TEST(LeavesServerState, StatefulStatementsDo) {
  EXPECT_TRUE(leaves("LOCK TABLES t WRITE"));
  EXPECT_TRUE(leaves("HANDLER t OPEN"));
  EXPECT_TRUE(leaves("SELECT GET_LOCK('x', 0)"));
  EXPECT_TRUE(leaves("DO RELEASE_LOCK('x')"));
  EXPECT_TRUE(leaves("EXECUTE IMMEDIATE 'SELECT GET_LOCK(''x'', 0)'"));
  EXPECT_TRUE(leaves("PREPARE s FROM 'SELECT 1'"));
  EXPECT_TRUE(leaves("CREATE TEMPORARY TABLE tt (a INT)"));
  EXPECT_TRUE(leaves("SET @a = 1"));
  EXPECT_TRUE(leaves("XA START 'x'"));
  EXPECT_TRUE(leaves("CALL p()"));
  EXPECT_TRUE(leaves("LOAD DATA LOCAL INFILE 'x' INTO TABLE t"));
  EXPECT_TRUE(leaves("SELECT 1; LOCK TABLES t WRITE"));
  EXPECT_TRUE(leaves("BEGIN NOT ATOMIC SELECT 1; END"));
  EXPECT_TRUE(leaves("SELECT 'unterminated"));
}

TEST(ProtectedVariables, AssignmentsAreFound) {
  EXPECT_EQ(protected_variable_assignment("SET sql_log_bin = 0"), "sql_log_bin");
  EXPECT_EQ(protected_variable_assignment("set SESSION SQL_LOG_BIN:=0"), "sql_log_bin");
  EXPECT_EQ(protected_variable_assignment("SET @@session.session_track_state_change=OFF"),
            "session_track_state_change");
  EXPECT_EQ(protected_variable_assignment(
                "SET autocommit=0, session_track_system_variables='', sql_mode='ANSI'"),
            "session_track_system_variables");
  EXPECT_EQ(protected_variable_assignment("SET `pseudo_thread_id` = 7"), "pseudo_thread_id");
  EXPECT_EQ(
      protected_variable_assignment("SET STATEMENT sql_log_bin=0 FOR INSERT INTO t VALUES(1)"),
      "sql_log_bin");
  EXPECT_EQ(protected_variable_assignment("EXECUTE IMMEDIATE 'SET sql_log_bin=0'"), "sql_log_bin");
  EXPECT_EQ(protected_variable_assignment("PREPARE s FROM \"SET session_track_schema=OFF\""),
            "session_track_schema");
  EXPECT_EQ(protected_variable_assignment("SELECT 1; SET sql_log_bin=0"), "sql_log_bin");
}

TEST(ProtectedVariables, ReadsAndOtherVariablesPass) {
  EXPECT_FALSE(protected_variable_assignment("SELECT @@sql_log_bin"));
  EXPECT_FALSE(protected_variable_assignment("SELECT @@session_track_state_change = 1"));
  EXPECT_FALSE(protected_variable_assignment("SET sql_mode = 'ANSI', autocommit = 0"));
  EXPECT_FALSE(protected_variable_assignment("INSERT INTO notes VALUES ('SET sql_log_bin=0')"));
  EXPECT_FALSE(protected_variable_assignment("SHOW VARIABLES LIKE 'sql_log_bin'"));
}

}  // namespace
}  // namespace tessera::session
