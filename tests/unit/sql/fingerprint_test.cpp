#include "sql/fingerprint.h"

#include <gtest/gtest.h>

namespace tessera::sql {
namespace {

std::string fp(std::string_view s) {
  return fingerprint(s).text;
}

TEST(Fingerprint, LiteralsBecomePlaceholders) {
  EXPECT_EQ(fp("select * from t where id = 5 and name='x'"),
            "SELECT * FROM t WHERE id = ? AND name = ?");
  EXPECT_EQ(fp("SELECT a FROM t WHERE b = -1.5e3 AND c = X'1f' AND d = _utf8mb4'q'"),
            "SELECT a FROM t WHERE b = ? AND c = ? AND d = ?");
  EXPECT_EQ(fp("SELECT a - 1 FROM t"), "SELECT a - ? FROM t");
  EXPECT_EQ(fp("SELECT DATE '2020-01-01', N'x', 0x1F, b'1', 0b1"), "SELECT ?, ?, ?, ?, ?");
}

TEST(Fingerprint, WhitespaceCommentsAndCase) {
  EXPECT_EQ(fp("SELECT  /* c */ a\n FROM `t`  -- x\n WHERE  id=?;"),
            "SELECT a FROM t WHERE id = ?");
  EXPECT_EQ(fingerprint("select a from t").digest, fingerprint("SELECT a   FROM t").digest);
  EXPECT_NE(fingerprint("select a from t").digest, fingerprint("select b from t").digest);
}

TEST(Fingerprint, InListsCollapse) {
  EXPECT_EQ(fp("SELECT * FROM t WHERE id IN (1, 2, 3)"), "SELECT * FROM t WHERE id IN (...)");
  EXPECT_EQ(fingerprint("SELECT * FROM t WHERE id IN (1)").digest,
            fingerprint("SELECT * FROM t WHERE id in (4,5,6,7)").digest);
  EXPECT_EQ(fp("SELECT * FROM t WHERE id IN (SELECT a FROM u)"),
            "SELECT * FROM t WHERE id IN (SELECT a FROM u)");
}

TEST(Fingerprint, MultiRowValuesCollapse) {
  EXPECT_EQ(fp("INSERT INTO t (a,b) VALUES (1,'x'),(2,'y'),(3,'z')"),
            "INSERT INTO t(a, b) VALUES (?, ?)");
  EXPECT_EQ(fingerprint("INSERT INTO t VALUES (1)").digest,
            fingerprint("insert into t values (1),(2)").digest);
}

TEST(Fingerprint, FunctionCallsAndQualifiedNames) {
  EXPECT_EQ(fp("SELECT COUNT(*), db.t.c FROM db.t"), "SELECT COUNT(*), db.t.c FROM db.t");
}

TEST(Fingerprint, ReusedBufferKeepsCapacity) {
  std::string out;
  fingerprint_into("SELECT 1", out);
  auto cap = out.capacity();
  fingerprint_into("SELECT 2", out);
  EXPECT_EQ(out.capacity(), cap);
  EXPECT_EQ(out, "SELECT ?");
}

}  // namespace
}  // namespace tessera::sql
