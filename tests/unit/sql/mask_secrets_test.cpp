#include "sql/mask_secrets.h"

#include <gtest/gtest.h>

namespace tessera::sql {
namespace {

TEST(MaskSecrets, AccountStatements) {
  EXPECT_EQ(mask_secrets("CREATE USER 'bob'@'%' IDENTIFIED BY 's3cret'"),
            "CREATE USER 'bob'@'%' IDENTIFIED BY '***'");
  EXPECT_EQ(mask_secrets("alter user bob identified by \"pw\", amy identified by 'x'"),
            "alter user bob identified by '***', amy identified by '***'");
  EXPECT_EQ(mask_secrets("GRANT ALL ON db.* TO 'u'@'h' IDENTIFIED BY 'pw' WITH GRANT OPTION"),
            "GRANT ALL ON db.* TO 'u'@'h' IDENTIFIED BY '***' WITH GRANT OPTION");
  EXPECT_EQ(mask_secrets(
                "CREATE USER u IDENTIFIED BY PASSWORD '*94BDCEBE19083CE2A1F959FD02F964C7AF4CFC29'"),
            "CREATE USER u IDENTIFIED BY PASSWORD '***'");
  EXPECT_EQ(mask_secrets("CREATE USER u IDENTIFIED VIA ed25519 USING PASSWORD('pw')"),
            "CREATE USER u IDENTIFIED VIA ed25519 USING PASSWORD('***')");
  EXPECT_EQ(mask_secrets("CREATE USER u IDENTIFIED WITH mysql_native_password AS X'41'"),
            "CREATE USER u IDENTIFIED WITH mysql_native_password AS '***'");
}

TEST(MaskSecrets, SetPasswordAndFunctions) {
  EXPECT_EQ(mask_secrets("SET PASSWORD = 'pw'"), "SET PASSWORD = '***'");
  EXPECT_EQ(mask_secrets("set password for 'u'@'h' = PASSWORD('pw')"),
            "set password for 'u'@'h' = PASSWORD('***')");
  EXPECT_EQ(mask_secrets("SELECT PASSWORD('pw'), 'visible'"), "SELECT PASSWORD('***'), 'visible'");
  EXPECT_EQ(mask_secrets("CHANGE MASTER TO MASTER_USER='r', MASTER_PASSWORD='pw', MASTER_PORT=1"),
            "CHANGE MASTER TO MASTER_USER='r', MASTER_PASSWORD='***', MASTER_PORT=1");
}

TEST(MaskSecrets, LeavesOrdinaryStatementsAlone) {
  for (std::string_view sql :
       {"SELECT 'identified by x' FROM t", "SELECT password FROM users WHERE name = 'bob'",
        "INSERT INTO t VALUES ('IDENTIFIED', 'PASSWORD(')", "SET @a = 'x'",
        "/* IDENTIFIED BY 'c' */ SELECT 1", "UPDATE t SET password = 'hash' WHERE id = 1"}) {
    EXPECT_EQ(mask_secrets(sql), sql) << sql;
  }
}

TEST(MaskSecrets, MultiStatementsEndTheTrigger) {
  EXPECT_EQ(mask_secrets("CREATE USER a IDENTIFIED BY 'p'; SELECT 'keep'"),
            "CREATE USER a IDENTIFIED BY '***'; SELECT 'keep'");
  EXPECT_EQ(mask_secrets("SELECT 1; SET PASSWORD = 'p'"), "SELECT 1; SET PASSWORD = '***'");
}

}  // namespace
}  // namespace tessera::sql
