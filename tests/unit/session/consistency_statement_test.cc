#include "session/consistency_statement.h"

#include <gtest/gtest.h>

namespace tessera::session {
namespace {

using Kind = ConsistencyStatement::Kind;

TEST(ConsistencyStatement, SetForms) {
  for (auto q :
       {"SET SESSION tessera_read_consistency = 'SESSION'",
        "SET tessera_read_consistency='SESSION'",
        "set @@session.tessera_read_consistency = \"SESSION\"",
        "SET @@tessera_read_consistency := SESSION", "SET LOCAL tessera_read_consistency=session;",
        "SET /* c */ @@local.Tessera_Read_Consistency = 'SESSION'"}) {
    auto st = parse_consistency_statement(q);
    EXPECT_EQ(st.kind, Kind::kSet) << q;
    EXPECT_TRUE(st.value == "SESSION" || st.value == "session") << q << " -> " << st.value;
  }
  EXPECT_EQ(parse_consistency_statement("SET tessera_read_consistency = 'bogus'").value, "bogus");
}

TEST(ConsistencyStatement, SelectForms) {
  EXPECT_EQ(parse_consistency_statement("SELECT @@tessera_read_consistency").kind, Kind::kSelect);
  EXPECT_EQ(parse_consistency_statement("select @@session.tessera_read_consistency;").kind,
            Kind::kSelect);
  // Mixed with other items: not answered by Tessera (the server reports the unknown variable).
  EXPECT_EQ(parse_consistency_statement("SELECT 1, @@tessera_read_consistency").kind, Kind::kNone);
}

TEST(ConsistencyStatement, NotOurs) {
  EXPECT_EQ(parse_consistency_statement("SELECT 1").kind, Kind::kNone);
  EXPECT_EQ(parse_consistency_statement("SET autocommit = 1").kind, Kind::kNone);
  EXPECT_EQ(parse_consistency_statement("SELECT 'tessera_read_consistency'").kind, Kind::kNone);
  EXPECT_EQ(parse_consistency_statement("INSERT INTO t VALUES ('tessera_read_consistency')").kind,
            Kind::kNone);
}

TEST(ConsistencyStatement, Invalid) {
  EXPECT_EQ(parse_consistency_statement("SET GLOBAL tessera_read_consistency = 'SESSION'").kind,
            Kind::kInvalid);
  EXPECT_EQ(
      parse_consistency_statement("SET tessera_read_consistency = 'SESSION', autocommit=1").kind,
      Kind::kInvalid);
  EXPECT_EQ(parse_consistency_statement("SET tessera_read_consistency 'SESSION'").kind,
            Kind::kInvalid);
  EXPECT_EQ(parse_consistency_statement("SET tessera_read_consistency = 'SESSION").kind,
            Kind::kInvalid);
}

}  // namespace
}  // namespace tessera::session
