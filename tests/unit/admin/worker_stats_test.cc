#include "admin/worker_stats.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sql/classify.h"
#include "sql/fingerprint.h"

namespace tessera::admin {
namespace {

using std::chrono::microseconds;

const FingerprintStats* find(const FingerprintTable& t, std::string_view text) {
  for (const auto& [digest, s] : t) {
    if (s.fingerprint == text) return &s;
  }
  return nullptr;
}

TEST(WorkerStats, GroupsStatementsByFingerprintPerNamespace) {
  WorkerStats w;
  w.record_session("a", "select * from t where id = 1", microseconds(100), 1, 0);
  w.record_session("a", "SELECT * FROM t WHERE id = 22", microseconds(300), 1, 0);
  w.record_session("a", "select * from t where id = 'x'", microseconds(200), 0, 1064);
  w.record_session("b", "select * from t where id = 1", microseconds(100), 1, 0);
  w.record_session("a", "insert into t values (1, 2), (3, 4)", microseconds(50), 2, 0);

  auto a = w.fingerprints(SqlSide::kSession, "a");
  ASSERT_EQ(a.size(), 2u);
  const FingerprintStats* sel = nullptr;
  for (const auto& [d, s] : a) {
    if (s.fingerprint.rfind("SELECT", 0) == 0) sel = &s;
  }
  ASSERT_NE(sel, nullptr);
  EXPECT_EQ(sel->count, 3u);
  EXPECT_EQ(sel->errors, 1u);
  EXPECT_EQ(sel->rows, 2u);
  EXPECT_EQ(sel->latency.count(), 3u);
  EXPECT_EQ(sel->latency.max_us(), 300u);
  EXPECT_EQ(w.fingerprints(SqlSide::kSession, "b").size(), 1u);
  EXPECT_TRUE(w.fingerprints(SqlSide::kBackend, "a").empty());
  EXPECT_TRUE(w.fingerprints(SqlSide::kSession, "none").empty());
}

TEST(WorkerStats, MetricsCountTypesAndErrorCodes) {
  WorkerStats w;
  w.record_session("a", "select 1", microseconds(100), 1, 0);
  w.record_session("a", "SELECT 2", microseconds(2000), 1, 0);
  w.record_session("a", "update t set a = 1", microseconds(100), 3, 0);
  w.record_session("a", "selec 1", microseconds(100), 0, 1064);
  w.record_session("a", "begin", microseconds(10), 0, 0);
  auto m = w.metrics();
  ASSERT_EQ(m.count("a"), 1u);
  EXPECT_EQ(m["a"].statements_by_type["select"], 2u);
  EXPECT_EQ(m["a"].statements_by_type["update"], 1u);
  EXPECT_EQ(m["a"].statements_by_type["begin"], 1u);
  EXPECT_EQ(m["a"].statements_by_type["other"], 1u);
  EXPECT_EQ(m["a"].errors_by_code[1064], 1u);
  EXPECT_EQ(m["a"].latency.count, 5u);
  // 0.0021 s: above 0.001 and 0.0025 holds it.
  EXPECT_EQ(m["a"].latency.buckets[2], 1u);
}

TEST(WorkerStats, ResetForgetsOneNamespaceAndSide) {
  WorkerStats w;
  w.record_session("a", "select 1", microseconds(1), 1, 0);
  w.record_backend("a", "select 1", microseconds(1), 1, false);
  w.record_session("b", "select 1", microseconds(1), 1, 0);
  w.reset(SqlSide::kSession, "a");
  EXPECT_TRUE(w.fingerprints(SqlSide::kSession, "a").empty());
  EXPECT_EQ(w.fingerprints(SqlSide::kBackend, "a").size(), 1u);
  EXPECT_EQ(w.fingerprints(SqlSide::kSession, "b").size(), 1u);
  // /metrics counters never go back.
  EXPECT_EQ(w.metrics()["a"].statements_by_type["select"], 1u);
  // Recorded again after the reset (the namespace's table is a new one), other sides untouched.
  w.record_session("a", "select 2", microseconds(1), 1, 0);
  w.record_backend("a", "select 2", microseconds(1), 1, false);
  w.record_session("b", "select 2", microseconds(1), 1, 0);
  w.record_session("a", "select 3", microseconds(1), 1, 0);
  auto a = w.fingerprints(SqlSide::kSession, "a");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a.begin()->second.count, 2u);
  EXPECT_EQ(w.fingerprints(SqlSide::kBackend, "a").begin()->second.count, 2u);
  EXPECT_EQ(w.fingerprints(SqlSide::kSession, "b").begin()->second.count, 2u);
  EXPECT_EQ(w.metrics()["a"].statements_by_type["select"], 3u);
  EXPECT_EQ(w.metrics()["b"].statements_by_type["select"], 2u);
}

TEST(WorkerStats, TooManyFingerprintsFoldIntoOne) {
  WorkerStats w;
  for (size_t i = 0; i < WorkerStats::kMaxFingerprints + 10; ++i) {
    w.record_backend("a", "select c" + std::to_string(i) + " from t", microseconds(1), 0, false);
  }
  auto t = w.fingerprints(SqlSide::kBackend, "a");
  EXPECT_EQ(t.size(), WorkerStats::kMaxFingerprints + 1);
  const auto* other = find(t, "(other fingerprints)");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->count, 10u);
}

TEST(WorkerStats, OneKeyServesBothSides) {
  // A statement is fingerprinted once (key_of) and recorded on both sides with that key; a
  // prepared statement keeps its key and records it at every execution.
  WorkerStats w;
  StatementKey k = w.key_of("SELECT c FROM t WHERE id = 5");
  const uint64_t digest = k.digest;
  const std::string text(k.text);
  w.record_session("a", k, microseconds(10), 1, 0);
  w.record_backend("a", k, microseconds(10), 1, false);
  w.record_session("a", StatementKey{digest, text}, microseconds(10), 1, 0);
  w.record_session("a", "select c from t where id = 6", microseconds(10), 1, 0);
  auto session = w.fingerprints(SqlSide::kSession, "a");
  ASSERT_EQ(session.size(), 1u);
  EXPECT_EQ(session.begin()->first, digest);
  EXPECT_EQ(session.begin()->second.fingerprint, text);
  EXPECT_EQ(session.begin()->second.count, 3u);
  EXPECT_EQ(session.begin()->second.type, "select");
  EXPECT_EQ(w.fingerprints(SqlSide::kBackend, "a").begin()->second.count, 1u);
  EXPECT_EQ(w.metrics()["a"].statements_by_type["select"], 3u);
}

TEST(WorkerStats, KeysRememberedByShapeAreTheFingerprints) {
  // key_of with the classification tape remembers keys by the statement's shape (literals
  // replaced by their types): every key must be what fingerprinting the text gives, whichever
  // statement of the shape came first.
  const std::vector<std::string> statements = {
      "SELECT c FROM sbtest1 WHERE id=5",
      "SELECT c FROM sbtest1 WHERE id=77",
      "SELECT c FROM sbtest1 WHERE id='5'",
      "SELECT c FROM sbtest1 WHERE id=-5",
      "SELECT c FROM sbtest1 WHERE id=5-1",
      "SELECT c FROM sbtest1 WHERE id=5 - -1",
      "SELECT c FROM sbtest1 WHERE id = 1e5",
      "SELECT c FROM sbtest1 WHERE id = .5",
      "SELECT c FROM sbtest1 WHERE id = 0x1F",
      "SELECT c FROM sbtest1 WHERE id = X'1F'",
      "SELECT c FROM sbtest1 WHERE id = x'2F'",
      "SELECT c FROM sbtest1 WHERE id = N'a'",
      "SELECT c FROM sbtest1 WHERE id = _utf8'a'",
      "SELECT c FROM sbtest1 WHERE id = _latin1'b'",
      "SELECT c FROM sbtest1 WHERE id = _utf8 'a'",
      "SELECT c FROM sbtest1 WHERE d = DATE '2020-01-01'",
      "SELECT c FROM sbtest1 WHERE d = DATE '2021-02-02'",
      "SELECT c FROM sbtest1 WHERE d = TIMESTAMP'2021-02-02 00:00:00'",
      "SELECT c FROM sbtest1 WHERE id IN (1, 2, 3)",
      "SELECT c FROM sbtest1 WHERE id IN (4, 5, 6)",
      "SELECT c FROM sbtest1 WHERE id IN (4, 5, c)",
      "SELECT c FROM sbtest1 WHERE id IN (4, 'x', NULL)",
      "SELECT c FROM sbtest1 WHERE id BETWEEN 1 AND 99",
      "SELECT c FROM sbtest1 WHERE id BETWEEN 5 AND 6 ORDER BY c",
      "select c from sbtest1 where id=5",
      "SELECT c  FROM sbtest1 WHERE id=5;",
      "SELECT c FROM sbtest1 WHERE id=5 ;",
      "SELECT 'a' 'b', \"c\", 'it''s', 'x\\'y'",
      "SELECT 'q' 'r', \"s\", 'no''t', 'z\\'w'",
      "SELECT `a b`, `c`, t.`d`, t.1x FROM t",
      "SELECT 1.5, 2., 3.e2, 0b101, b'101', B'11' FROM dual",
      "SELECT 7.5, 8., 9.e2, 0b111, b'111', B'10' FROM dual",
      "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')",
      "INSERT INTO t VALUES (4, 'd'), (5, 'e'), (6, 'f')",
      "INSERT INTO t VALUES (4, 'd'), (5, 'e'), (6, f)",
      "INSERT INTO t (a, b) VALUE (1, 2) ON DUPLICATE KEY UPDATE b = 3",
      "UPDATE t SET a = a - 1 WHERE b <> 2 AND c != 3",
      "UPDATE t SET a = a - 9 WHERE b <> 8 AND c != 7",
      "SELECT @a := 1, @@session.x, ? FROM t WHERE x = ?",
      "SELECT 'unterminated",
      "SELECT 'other unterminated",
      "SELECT 1 abc, 2abc, 3 + 4",
      "SELECT 5 abc, 6abc, 7 + 8",
  };
  WorkerStats w;
  sql::TokenTape tape;
  for (int round = 0; round < 2; ++round) {
    for (const std::string& text : statements) {
      sql::classify(text, {}, &tape);
      const StatementKey k = w.key_of(text, &tape);
      const sql::Fingerprint f = sql::fingerprint(text);
      EXPECT_EQ(k.text, f.text) << text;
      EXPECT_EQ(k.digest, f.digest) << text;
    }
  }
  // A different tape (another text) is not replayed: the key is still the text's own.
  sql::classify("SELECT 1", {}, &tape);
  const StatementKey k = w.key_of("SELECT c FROM sbtest1 WHERE id=5", &tape);
  EXPECT_EQ(k.text, sql::fingerprint("SELECT c FROM sbtest1 WHERE id=5").text);
}

TEST(WorkerStats, FoldedStatementsKeepTheirOwnType) {
  // The overflow entry holds every type: /metrics still counts each statement as what it is.
  WorkerStats w;
  for (size_t i = 0; i < WorkerStats::kMaxFingerprints; ++i) {
    w.record_session("a", "select c" + std::to_string(i) + " from t", microseconds(1), 0, 0);
  }
  w.record_session("a", "update t set c9999 = 1", microseconds(1), 1, 0);
  w.record_session("a", "delete from t where c9999 = 1", microseconds(1), 1, 0);
  auto m = w.metrics()["a"].statements_by_type;
  EXPECT_EQ(m["select"], WorkerStats::kMaxFingerprints);
  EXPECT_EQ(m["update"], 1u);
  EXPECT_EQ(m["delete"], 1u);
}

TEST(StatementTypeLabel, FromFingerprintText) {
  EXPECT_EQ(statement_type_label("SELECT ?"), "select");
  EXPECT_EQ(statement_type_label("( SELECT ? ) UNION ( SELECT ? )"), "select");
  EXPECT_EQ(statement_type_label("INSERT INTO t VALUES (?)"), "insert");
  EXPECT_EQ(statement_type_label("START TRANSACTION"), "begin");
  EXPECT_EQ(statement_type_label("CREATE TABLE t (a INT)"), "ddl");
  EXPECT_EQ(statement_type_label("SETTINGS"), "other");
  EXPECT_EQ(statement_type_label(""), "other");
}

}  // namespace
}  // namespace tessera::admin
