// ReadThenWrite against a fake cursor: the rows read (merged), then written by primary key in
// the statement's own transaction or under savepoints in the client's; a shard-key change
// moves a row by DELETE where it was and INSERT where its new key routes. (Every column is an
// INT; the fake shard function is key % 3.)
#include "exec/engine/read_then_write.h"

#include <gtest/gtest.h>

#include "fake_cursor.h"

namespace tessera::exec::engine {
namespace {

using testing::FakeCursor;
using testing::text_row;
using Lines = std::vector<std::string>;
using Shards = std::vector<FakeCursor::FakeShard>;

// A text-protocol row of integer cells.
std::string cells(std::initializer_list<int> values) {
  std::string row;
  for (int v : values) row += text_row(std::to_string(v));
  return row;
}

FakeCursor::FakeShard shard(std::vector<std::string> rows) {
  FakeCursor::FakeShard s;
  s.rows = std::move(rows);
  return s;
}

Attempt server_error(uint16_t code, std::string message) {
  Attempt a;
  a.kind = Attempt::Kind::kServerError;
  a.error = protocol::ErrPacket(protocol::ErrorCode{code, "23000"}, std::move(message));
  return a;
}

protocol::OkPacket ok_rows(uint64_t n, std::string info = "") {
  protocol::OkPacket ok;
  ok.affected_rows = n;
  ok.info = std::move(info);
  return ok;
}

// `UPDATE t SET id = <new> ...` over t_0 (slice s0) and t_1 (s1) of three sub-tables; a read
// row is (id, v, new id).
ReadThenWriteSpec key_move() {
  ReadThenWriteSpec s;
  s.moves_key = true;
  s.reads = {Query{Target{"s0", "db", Role::kPrimary}, "SELECT id, v, new FROM t_0"},
             Query{Target{"s1", "db", Role::kPrimary}, "SELECT id, v, new FROM t_1"}};
  s.pk = {0};
  s.pk_names = {"`id`"};
  s.key = 0;
  s.row_columns = 2;
  s.assigned = {{0, 2}};
  s.new_key = 2;
  s.route = [](std::optional<std::string_view> cell, bool integer,
               bool) -> std::variant<int, std::string> {
    if (!cell || !integer) return std::string("no sub-table");
    return std::stoi(std::string(*cell)) % 3;
  };
  for (int i = 0; i < 3; ++i) {
    WriteTable t;
    t.index = i;
    t.target = Target{"s" + std::to_string(i), "db", Role::kPrimary};
    const std::string sub = "t_" + std::to_string(i);
    if (i < 2) t.write = "UPDATE " + sub + " SET id = new WHERE ";
    t.remove = "DELETE FROM " + sub + " WHERE ";
    t.insert = "INSERT INTO " + sub + " (`id`, `v`) VALUES ";
    s.tables.push_back(std::move(t));
  }
  return s;
}

FakeCursor with_columns() {
  FakeCursor c;
  c.head_columns = {protocol::ColumnDefinition::integer("id"),
                    protocol::ColumnDefinition::integer("v"),
                    protocol::ColumnDefinition::integer("__tsr_new0")};
  return c;
}

TEST(ReadThenWrite, RowsWhoseKeyRoutesElsewhereMoveTheRestAreUpdatedInPlace) {
  FakeCursor c = with_columns();
  // t_0 holds 3 (its new key 3 stays) and 6 (new key 7 goes to t_1); t_1 holds 4 (-> 5, t_2).
  c.shards = Shards{shard({cells({3, 30, 3}), cells({6, 60, 7})}), shard({cells({4, 40, 5})})};
  c.oks = {ok_rows(1), ok_rows(1), ok_rows(0, "Rows matched: 1  Changed: 0  Warnings: 0"),
           ok_rows(1), ok_rows(1)};
  ReadThenWrite p(key_move());
  c.run(p);
  EXPECT_EQ(c.log, (Lines{"begin statement txn", "scatter s0 s1", "close shards",
                          "write s0 DELETE FROM t_0 WHERE `id` IN (6)",
                          "write s1 DELETE FROM t_1 WHERE `id` IN (4)",
                          "write s0 UPDATE t_0 SET id = new WHERE `id` IN (3)",
                          "write s1 INSERT INTO t_1 (`id`, `v`) VALUES (7, 60)",
                          "write s2 INSERT INTO t_2 (`id`, `v`) VALUES (5, 40)",
                          "commit statement txn", "ok 2"}));
  // The server's counts: three rows matched, the two moved changed.
  EXPECT_EQ(c.fan_out_ok.info, "Rows matched: 3  Changed: 2  Warnings: 0");
  EXPECT_TRUE(c.errors.empty());
}

TEST(ReadThenWrite, WithFoundRowsTheAffectedRowsAreTheMatchedOnes) {
  FakeCursor c = with_columns();
  c.found = true;
  c.shards = Shards{shard({cells({3, 30, 3}), cells({6, 60, 7})}), shard({})};
  c.oks = {ok_rows(1), ok_rows(1, "Rows matched: 1  Changed: 0  Warnings: 0"), ok_rows(1)};
  ReadThenWrite p(key_move());
  c.run(p);
  EXPECT_EQ(c.log.back(), "ok 2");
  EXPECT_EQ(c.fan_out_ok.info, "Rows matched: 2  Changed: 1  Warnings: 0");
}

TEST(ReadThenWrite, ADuplicateWhereTheRowGoesRollsEverythingBack) {
  FakeCursor c = with_columns();
  c.shards = Shards{shard({cells({6, 60, 7})}), shard({})};
  c.oks = {ok_rows(1)};
  c.script = {Attempt{}, Attempt{}, server_error(1062, "Duplicate entry '7' for key 'PRIMARY'")};
  ReadThenWrite p(key_move());
  c.run(p);
  EXPECT_EQ(c.log, (Lines{"begin statement txn", "scatter s0 s1", "close shards",
                          "write s0 DELETE FROM t_0 WHERE `id` IN (6)",
                          "write s1 INSERT INTO t_1 (`id`, `v`) VALUES (7, 60)",
                          "roll back statement txn", "fan-out error s1 1062"}));
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].message,
            "Duplicate entry '7' for key 'PRIMARY' (on slice s1); nothing was written on any "
            "sub-table");
}

TEST(ReadThenWrite, InsideTheClientsTransactionASavepointUndoesTheStatementAlone) {
  FakeCursor c = with_columns();
  c.statement_txn = StatementTxn::kClient;
  c.shards = Shards{shard({cells({6, 60, 7})}), shard({})};
  c.oks = {ok_rows(0), ok_rows(1), ok_rows(0)};
  c.script = {Attempt{}, Attempt{}, Attempt{}, Attempt{},
              server_error(1062, "Duplicate entry '7' for key 'PRIMARY'")};
  ReadThenWrite p(key_move());
  c.run(p);
  EXPECT_EQ(
      c.log,
      (Lines{"begin statement txn", "scatter s0 s1", "close shards",
             "write s0 SAVEPOINT `__tessera_stmt`", "write s0 DELETE FROM t_0 WHERE `id` IN (6)",
             "write s1 SAVEPOINT `__tessera_stmt`",
             "write s1 INSERT INTO t_1 (`id`, `v`) VALUES (7, 60)",
             "write s0 ROLLBACK TO SAVEPOINT `__tessera_stmt`",
             "write s1 ROLLBACK TO SAVEPOINT `__tessera_stmt`", "fan-out error s1 1062"}));
}

TEST(ReadThenWrite, ANullKeyNoSubTableTakesIsUpdatedWhereItIs) {
  FakeCursor c = with_columns();
  c.shards = Shards{shard({text_row("6") + text_row("60") + std::string(1, '\xfb')}), shard({})};
  c.oks = {ok_rows(1, "Rows matched: 1  Changed: 1  Warnings: 0")};
  ReadThenWrite p(key_move());
  c.run(p);
  EXPECT_EQ(c.log, (Lines{"begin statement txn", "scatter s0 s1", "close shards",
                          "write s0 UPDATE t_0 SET id = new WHERE `id` IN (6)",
                          "commit statement txn", "ok 1"}));
}

TEST(ReadThenWrite, OrderByLimitWritesTheFirstRowsByPrimaryKey) {
  ReadThenWriteSpec s = key_move();
  s.moves_key = false;
  s.is_delete = true;
  s.row_columns = 0;
  s.assigned.clear();
  s.read_merge.limit = 2;  // concatenated, the first two rows
  s.tables[0].write = "DELETE FROM t_0 WHERE ";
  s.tables[1].write = "DELETE FROM t_1 WHERE ";
  FakeCursor c;
  c.head_columns = {protocol::ColumnDefinition::integer("id")};
  c.shards = Shards{shard({text_row("3"), text_row("6")}), shard({text_row("4")})};
  c.oks = {ok_rows(2)};
  ReadThenWrite p(std::move(s));
  c.run(p);
  EXPECT_EQ(c.log, (Lines{"begin statement txn", "scatter s0 s1", "close shards",
                          "write s0 DELETE FROM t_0 WHERE `id` IN (3, 6)", "commit statement txn",
                          "ok 2"}));
}

TEST(ReadThenWrite, ARowTheWriteDoesNotFindFailsTheStatement) {
  ReadThenWriteSpec s = key_move();
  s.moves_key = false;
  s.row_columns = 0;
  s.assigned.clear();
  FakeCursor c;
  c.head_columns = {protocol::ColumnDefinition::integer("id")};
  c.shards = Shards{shard({text_row("3")}), shard({})};
  c.oks = {ok_rows(0, "Rows matched: 0  Changed: 0  Warnings: 0")};
  ReadThenWrite p(std::move(s));
  c.run(p);
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_NE(c.errors[0].message.find("holds 0 of the 1 rows"), std::string::npos)
      << c.errors[0].message;
  EXPECT_EQ(c.log[c.log.size() - 2], "roll back statement txn");
}

TEST(ReadThenWrite, ADeadlockRunsTheStatementAgainWhole) {
  FakeCursor c = with_columns();
  // The first run's write is the deadlock victim; the second run reads and writes anew.
  c.rounds.push_back(Shards{shard({cells({6, 60, 7})}), shard({})});
  c.rounds.push_back(Shards{shard({cells({6, 60, 7})}), shard({})});
  c.script = {Attempt{}, server_error(1213, "Deadlock found when trying to get lock")};
  c.oks = {ok_rows(1), ok_rows(1)};
  ReadThenWrite p(key_move());
  c.run(p);
  EXPECT_EQ(c.log, (Lines{"begin statement txn", "scatter s0 s1", "close shards",
                          "write s0 DELETE FROM t_0 WHERE `id` IN (6)", "roll back statement txn",
                          "deadlock retry 1 after ", "begin statement txn", "scatter s0 s1",
                          "close shards", "write s0 DELETE FROM t_0 WHERE `id` IN (6)",
                          "write s1 INSERT INTO t_1 (`id`, `v`) VALUES (7, 60)",
                          "commit statement txn", "ok 1"}));
  EXPECT_TRUE(c.errors.empty());
}

TEST(ReadThenWrite, ABestEffortNamespaceAnswersItself) {
  FakeCursor c = with_columns();
  c.statement_txn = StatementTxn::kRefused;
  ReadThenWrite p(key_move());
  c.run(p);
  EXPECT_EQ(c.log, (Lines{"begin statement txn"}));
}

TEST(ReadThenWrite, UpdateInfoParses) {
  EXPECT_EQ(parse_update_info("Rows matched: 12  Changed: 3  Warnings: 1"),
            std::make_optional(std::make_pair(uint64_t(12), uint64_t(3))));
  EXPECT_FALSE(parse_update_info(""));
  EXPECT_FALSE(parse_update_info("Records: 3  Duplicates: 0  Warnings: 0"));
}

}  // namespace
}  // namespace tessera::exec::engine
