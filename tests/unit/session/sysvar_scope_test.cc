#include "session/sysvar_scope.h"

#include <gtest/gtest.h>

namespace tessera::session {
namespace {

std::string scoped(std::string_view sql) {
  auto out = scope_bare_sysvar_assignments(sql, {});
  return out ? *out : "(unchanged)";
}

TEST(SysvarScope, BareAssignmentsGetSessionScope) {
  EXPECT_EQ(scoped("set @@wait_timeout = 1"), "set @@session.wait_timeout = 1");
  EXPECT_EQ(scoped("SET @@wait_timeout=10000,@@interactive_timeout=2540"),
            "SET @@session.wait_timeout=10000,@@session.interactive_timeout=2540");
  EXPECT_EQ(scoped("SET autocommit = 0, @@sql_mode := 'ANSI'"),
            "SET autocommit = 0, @@session.sql_mode := 'ANSI'");
  EXPECT_EQ(scoped("/* c */ SET @@`wait_timeout` = 5"), "/* c */ SET @@session.`wait_timeout` = 5");
  EXPECT_EQ(scoped("SET @@x = 1; SELECT @@x; set @@y = (SELECT 2)"),
            "SET @@session.x = 1; SELECT @@x; set @@session.y = (SELECT 2)");
}

TEST(SysvarScope, DynamicStatementTextsToo) {
  EXPECT_EQ(scoped("EXECUTE IMMEDIATE 'SET @@x = 1'"), "EXECUTE IMMEDIATE 'SET @@session.x = 1'");
  EXPECT_EQ(scoped("execute immediate \"set @@x=1, @@y=2\""),
            "execute immediate \"set @@session.x=1, @@session.y=2\"");
  EXPECT_EQ(scoped("PREPARE s FROM 'SET @@x = ?'; SET @@y = 2"),
            "PREPARE s FROM 'SET @@session.x = ?'; SET @@session.y = 2");
  // escapes: the literal's text is not its bytes, left alone
  EXPECT_EQ(scoped("EXECUTE IMMEDIATE 'SET @@x = ''a'''"), "(unchanged)");
  EXPECT_EQ(scoped("EXECUTE IMMEDIATE 'SET @@x = \\'a\\''"), "(unchanged)");
  EXPECT_EQ(scoped("EXECUTE IMMEDIATE 'SELECT @@x = 1'"), "(unchanged)");
  EXPECT_EQ(scoped("EXECUTE IMMEDIATE CONCAT('SET @@x = ', 1)"), "(unchanged)");
  EXPECT_EQ(scoped("SELECT 'SET @@x = 1' FROM t"), "(unchanged)");
}

TEST(SysvarScope, EverythingElseIsLeftAlone) {
  EXPECT_EQ(scoped("SET @@session.wait_timeout = 1"), "(unchanged)");
  EXPECT_EQ(scoped("SET @@global.wait_timeout = 1"), "(unchanged)");
  EXPECT_EQ(scoped("SET @@local.wait_timeout = 1"), "(unchanged)");
  EXPECT_EQ(scoped("SET wait_timeout = @@wait_timeout"), "(unchanged)");
  EXPECT_EQ(scoped("SET @a = @@wait_timeout"), "(unchanged)");
  EXPECT_EQ(scoped("SET STATEMENT @@max_statement_time = 1 FOR SELECT 1"), "(unchanged)");
  EXPECT_EQ(scoped("SELECT @@wait_timeout = 1"), "(unchanged)");
  EXPECT_EQ(scoped("UPDATE t SET c = @@wait_timeout"), "(unchanged)");
  EXPECT_EQ(scoped("SET x = (SELECT @@y = 1)"), "(unchanged)");
  EXPECT_EQ(scoped("SET NAMES utf8mb4"), "(unchanged)");
  EXPECT_EQ(scoped("SELECT '; SET @@x = 1'"), "(unchanged)");
}

}  // namespace
}  // namespace tessera::session
