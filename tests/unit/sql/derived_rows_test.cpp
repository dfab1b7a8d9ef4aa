#include "sql/derived_rows.h"

#include <gtest/gtest.h>

namespace tessera::sql {
namespace {

TEST(DerivedRows, LiteralRowsNameColumnsOnceAndQuoteText) {
  std::vector<DerivedColumn> cols{{"ID", true}, {"INFO"}};
  std::vector<DerivedRow> rows{{"1", "it's"}, {"2", std::nullopt}, {"x", "y"}};
  EXPECT_EQ(literal_rows(cols, rows),
            "SELECT 1 AS `ID`, 'it''s' AS `INFO` UNION ALL SELECT 2, NULL UNION ALL SELECT "
            "'x', 'y'");
}

TEST(DerivedRows, NoRowsStillHasColumns) {
  EXPECT_EQ(literal_rows({{"A"}}, {}), "SELECT NULL AS `A` FROM DUAL WHERE 0");
}

TEST(DerivedRows, ParseShow) {
  auto s = parse_show("SHOW STATUS");
  EXPECT_EQ(s.what, ShowRequest::What::kSessionStatus);
  EXPECT_TRUE(s.filter.empty());
  s = parse_show("show session status like 'Com%'");
  EXPECT_EQ(s.what, ShowRequest::What::kSessionStatus);
  EXPECT_TRUE(s.filter_is_like);
  EXPECT_EQ(s.filter, " like 'Com%'");
  s = parse_show("SHOW LOCAL STATUS WHERE Value > 0;");
  EXPECT_EQ(s.what, ShowRequest::What::kSessionStatus);
  EXPECT_FALSE(s.filter_is_like);
  EXPECT_EQ(parse_show("SHOW GLOBAL STATUS").what, ShowRequest::What::kNone);
  EXPECT_EQ(parse_show("SHOW STATUS FROM x").what, ShowRequest::What::kNone);
  s = parse_show("SHOW FULL PROCESSLIST");
  EXPECT_EQ(s.what, ShowRequest::What::kProcesslist);
  EXPECT_TRUE(s.full);
  EXPECT_EQ(parse_show("show processlist").what, ShowRequest::What::kProcesslist);
  EXPECT_EQ(parse_show("SHOW FULL TABLES").what, ShowRequest::What::kNone);
}

TEST(DerivedRows, ReplaceTable) {
  EXPECT_EQ(*replace_table("SELECT COUNT(*) FROM information_schema.processlist WHERE user='a'",
                           "information_schema", "PROCESSLIST", "D"),
            "SELECT COUNT(*) FROM (D) AS `processlist` WHERE user='a'");
  // the client's alias is kept; quoted names match
  EXPECT_EQ(*replace_table("select p.id from `INFORMATION_SCHEMA`.`PROCESSLIST` p",
                           "information_schema", "processlist", "D"),
            "select p.id from (D) p");
  EXPECT_EQ(*replace_table("select 1 from information_schema.processlist as x",
                           "information_schema", "processlist", "D"),
            "select 1 from (D) as x");
  // a string or another table is not a reference
  EXPECT_FALSE(replace_table("select 'information_schema.processlist'", "information_schema",
                             "processlist", "D"));
  EXPECT_FALSE(replace_table("select * from information_schema.processlist_x", "information_schema",
                             "processlist", "D"));
  // a bare name counts only inside information_schema
  EXPECT_FALSE(
      replace_table("select * from processlist", "information_schema", "processlist", "D", "demo"));
  EXPECT_EQ(*replace_table("select * from processlist", "information_schema", "processlist", "D",
                           "information_schema"),
            "select * from (D) AS `processlist`");
}

}  // namespace
}  // namespace tessera::sql
