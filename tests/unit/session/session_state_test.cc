#include <gtest/gtest.h>

#include "session/session_state.h"

namespace tessera::session {
namespace {

TEST(SqlValueLiteral, QuotesAndEscapes) {
  EXPECT_EQ(sql_value_literal("42"), "42");
  EXPECT_EQ(sql_value_literal("-1.5"), "-1.5");
  EXPECT_EQ(sql_value_literal("ON"), "'ON'");
  EXPECT_EQ(sql_value_literal(""), "''");
  EXPECT_EQ(sql_value_literal("a'b\\c"), "'a''b\\\\c'");
  EXPECT_EQ(sql_value_literal("1e5"), "'1e5'");
}

TEST(Collations, KnownIds) {
  EXPECT_EQ(charset_of_collation(45), "utf8mb4");
  EXPECT_EQ(collation_name(33), "utf8mb3_general_ci");
  // Every MariaDB collation below 256 (handshake ids), e.g. koi8r and cp1251
  EXPECT_EQ(charset_of_collation(7), "koi8r");
  EXPECT_EQ(collation_name(51), "cp1251_general_ci");
  // Unknown ids (17), and the character sets no client may use (ucs2 = 35), have none
  EXPECT_EQ(charset_of_collation(17), "");
  EXPECT_EQ(charset_of_collation(35), "");
}

TEST(SyncStatement, NothingToDoWhenStatesMatch) {
  SessionState s;
  s.vars = {{"sql_mode", "ANSI"}};
  EXPECT_EQ(build_sync_statement(s, s.collation, s.vars), "");
}

TEST(SyncStatement, ResetsVariablesTheSessionNeverSet) {
  SessionState s;
  std::map<std::string, std::string> conn = {{"autocommit", "OFF"}, {"sql_mode", "ANSI"}};
  EXPECT_EQ(build_sync_statement(s, s.collation, conn),
            "SET @@session.autocommit = DEFAULT, @@session.sql_mode = DEFAULT");
}

TEST(SyncStatement, AppliesSessionValuesQuoted) {
  SessionState s;
  s.vars = {{"autocommit", "OFF"}, {"sort_buffer_size", "262144"}};
  EXPECT_EQ(build_sync_statement(s, s.collation, {}),
            "SET @@session.autocommit = 'OFF', @@session.sort_buffer_size = 262144");
}

TEST(SyncStatement, CharsetVariablesResetThroughSetNames) {
  SessionState s;
  s.collation = 33;
  std::map<std::string, std::string> conn = {{"character_set_client", "latin1"}};
  // DEFAULT would pick the global value, not the handshake's character set.
  EXPECT_EQ(build_sync_statement(s, 45, conn), "SET NAMES utf8mb3 COLLATE utf8mb3_general_ci");
  s.vars = {{"time_zone", "+08:00"}};
  EXPECT_EQ(build_sync_statement(s, 33, conn),
            "SET NAMES utf8mb3 COLLATE utf8mb3_general_ci, @@session.time_zone = '+08:00'");
}

TEST(SyncStatement, HostileValuesStayLiterals) {
  SessionState s;
  s.vars = {{"sql_mode", "'; DROP TABLE t; --"}};
  EXPECT_EQ(build_sync_statement(s, s.collation, {}),
            "SET @@session.sql_mode = '''; DROP TABLE t; --'");
}

}  // namespace
}  // namespace tessera::session
