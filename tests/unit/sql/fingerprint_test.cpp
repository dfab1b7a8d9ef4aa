#include "sql/fingerprint.h"

#include "sql/classify.h"

#include <gtest/gtest.h>

namespace tessera::sql {
namespace {

std::string fp(std::string_view s) {
  return fingerprint(s).text;
}

// classify records its tokens for the statistics' fingerprint only where replaying them gives
// what lexing again would (sql/token_tape.h); the corpus test compares the two on every
// statement of MariaDB's test suite.
TEST(Fingerprint, ReplaysClassifyTokensOnlyWhereExact) {
  TokenTape tape;
  std::string lexed, replayed;
  const std::string_view plain = "SELECT c FROM sbtest1 WHERE id = 5 AND b IN (1, 2) AND d = 'x'";
  classify(plain, {}, &tape);
  ASSERT_TRUE(tape.replays(plain));
  EXPECT_EQ(fingerprint_into(plain, replayed, {}, &tape), fingerprint_into(plain, lexed));
  EXPECT_EQ(replayed, lexed);
  EXPECT_FALSE(tape.replays("SELECT c FROM sbtest1 WHERE id = 6 AND b IN (1, 2) AND d = 'x'"));

  // Comments (their lexing depends on the mode and the comment model), ANSI_QUOTES, other
  // texts, multi-statements cut short: nothing recorded.
  for (std::string_view text : {"SELECT 1 /* c */", "SELECT 1 -- c", "SELECT 1 # c",
                                "SELECT /*+ hint */ 1", "SELECT '--'", "SELECT 1; SELECT 2"}) {
    classify(text, {}, &tape);
    EXPECT_FALSE(tape.complete) << text;
  }
  LexOptions ansi;
  ansi.ansi_quotes = true;
  classify("SELECT \"a\" FROM t", ansi, &tape);
  EXPECT_FALSE(tape.complete);
  // A stale tape (another text) is lexed afresh, not replayed.
  classify(plain, {}, &tape);
  EXPECT_EQ(fp("SELECT x FROM t WHERE y = 1"),
            (fingerprint_into("SELECT x FROM t WHERE y = 1", replayed, {}, &tape), replayed));
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
