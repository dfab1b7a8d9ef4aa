// A Cursor without a server (as Vitess tests its engine with a fake VCursor): each route() or
// scatter() takes the next scripted Attempt and records what the primitive asked for, so
// tests read as "the server answered this, then that; the engine did this".
#pragma once
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exec/engine/cursor.h"
#include "exec/engine/fan_out.h"
#include "exec/engine/primitive.h"

namespace tessera::exec::engine::testing {

class FakeCursor : public Cursor {
 public:
  // Scripted answers, in order; an exhausted script answers kAnswered.
  std::deque<Attempt> script;
  bool retry_allowed = true;
  bool output = false;
  bool transaction = false;
  int max_deadlocks = 3;

  // What happened, one line per call, e.g. "route s1 SELECT 1", "settle s1 discard".
  std::vector<std::string> log;
  std::vector<std::chrono::milliseconds> pauses;
  std::vector<protocol::ErrPacket> errors;  // what the client was told
  std::vector<std::string> lost;            // report_lost messages

  asio::awaitable<Attempt> route(const Target& target, std::string_view sql) override {
    log.push_back("route " + name(target) + " " + std::string(sql) +
                  (target.role == Role::kReadSplit ? " [read split]" : ""));
    co_return next(target);
  }
  // Scatter reads: each shard's rows (text-protocol payloads, one INT column "a"), or an
  // error its head answers with once.
  struct FakeShard {
    std::vector<std::string> rows;
    std::optional<protocol::ErrPacket> head_error;
    std::vector<protocol::ColumnDefinition> columns;  // its head's; empty: head_columns
  };
  std::vector<FakeShard> shards;
  std::vector<size_t> read_pos;
  std::vector<std::string> sent_rows;  // what the client got
  std::vector<int> afters;             // each query's Query::after, as open_shards got them
  // Primitives that read in rounds (a lookup join): each open_shards takes the next round's
  // shards when there is one. `sqls`: every query's text, as sent.
  std::deque<std::vector<FakeShard>> rounds;
  std::vector<protocol::ColumnDefinition> head_columns;  // every head's; empty: one INT "a"
  std::vector<std::string> sqls;
  asio::awaitable<Attempt> open_shards(const std::vector<Query>& queries, Role role) override {
    if (!rounds.empty()) {
      shards = std::move(rounds.front());
      rounds.pop_front();
    }
    for (const auto& q : queries) sqls.emplace_back(q.sql);
    std::string line = "scatter";
    for (const auto& q : queries) line += " " + name(q.target);
    if (role == Role::kReadSplit) line += " [read split]";
    log.push_back(line);
    Attempt a = next(Target{});
    afters.clear();
    for (const auto& q : queries) afters.push_back(q.after);
    if (shards.size() < queries.size()) shards.resize(queries.size());
    read_pos.assign(queries.size(), 0);
    co_return a;
  }
  asio::awaitable<std::optional<protocol::ErrPacket>> read_head(
      size_t shard, std::vector<protocol::ColumnDefinition>& columns) override {
    if (auto err = std::exchange(shards[shard].head_error, std::nullopt)) co_return err;
    if (!shards[shard].columns.empty()) {
      columns = shards[shard].columns;
      co_return std::nullopt;
    }
    if (!head_columns.empty()) {
      columns = head_columns;
      co_return std::nullopt;
    }
    columns.push_back(protocol::ColumnDefinition::integer("a"));
    co_return std::nullopt;
  }
  asio::awaitable<ShardEvent> read_row(size_t shard, std::string& payload) override {
    ShardEvent e;
    if (read_pos[shard] < shards[shard].rows.size()) {
      payload = shards[shard].rows[read_pos[shard]++];
    } else {
      e.kind = ShardEvent::Kind::kEnd;
    }
    co_return e;
  }
  bool shard_ready(size_t) const override { return false; }
  asio::awaitable<void> drain_shards() override { co_return; }
  void stop_shards() override { log.push_back("stop shards"); }
  asio::awaitable<void> close_shards(bool failed) override {
    log.push_back(failed ? "close shards (discard)" : "close shards");
    co_return;
  }
  std::optional<protocol::ErrPacket> limit_error() const override { return std::nullopt; }
  MergeLimits limits;  // what merge_limits() answers
  MergeLimits merge_limits() const override { return limits; }
  void begin_result(const std::vector<protocol::ColumnDefinition>& columns) override {
    log.push_back("columns " + std::to_string(columns.size()));
  }
  bool send_row(std::string_view row, std::string&) override {
    sent_rows.emplace_back(row);
    return true;
  }
  bool output_full() const override { return false; }
  asio::awaitable<void> flush_rows() override { co_return; }
  asio::awaitable<void> end_result(uint16_t) override {
    log.push_back("end of result");
    co_return;
  }
  asio::awaitable<void> fail_result(const protocol::ErrPacket& error) override {
    log.push_back("result error " + std::to_string(error.code));
    errors.push_back(error);
    co_return;
  }
  void abort_client(std::string_view) override { log.push_back("client closed"); }
  void abandon_result() override {
    log.push_back("result abandoned");
    sent_rows.clear();
  }
  asio::awaitable<void> reply_error(const protocol::ErrPacket& error) override {
    log.push_back("reply error " + std::to_string(error.code));
    errors.push_back(error);
    co_return;
  }

  // Fan-out writes: each write takes the next scripted Attempt too (`oks` fills answered ones).
  std::deque<protocol::OkPacket> oks;
  bool atomic = false;
  asio::awaitable<WriteAttempt> write(const Target& target, std::string_view sql) override {
    log.push_back("write " + name(target) + " " + std::string(sql));
    WriteAttempt w;
    static_cast<Attempt&>(w) = next(target);
    if (w.kind == Attempt::Kind::kAnswered && !oks.empty()) {
      w.ok = oks.front();
      oks.pop_front();
    }
    co_return w;
  }
  bool one_copy_counts() const override { return true; }
  bool wants_atomic(const std::vector<Query>&, const FanOutSpec&) const override { return atomic; }
  asio::awaitable<Attempt> atomic_write(const std::vector<Query>& queries,
                                        const FanOutSpec&) override {
    std::string line = "atomic";
    for (const auto& q : queries) line += " " + name(q.target);
    log.push_back(line);
    co_return next(Target{});
  }
  protocol::OkPacket fan_out_ok;  // the last end_fan_out's
  asio::awaitable<void> end_fan_out(const FanOutSpec&, protocol::OkPacket total) override {
    fan_out_ok = total;
    log.push_back("ok " + std::to_string(total.affected_rows));
    co_return;
  }
  asio::awaitable<void> fail_fan_out(const Target& target, protocol::ErrPacket error,
                                     bool roll_back_all) override {
    log.push_back("fan-out error " + name(target) + " " + std::to_string(error.code) +
                  (roll_back_all ? " (rolled back)" : ""));
    errors.push_back(error);
    co_return;
  }
  // Sequences and transaction statements.
  bool reserve_ok = true;
  bool control_answers = false;
  asio::awaitable<bool> reserve_ids(const std::string& key) override {
    log.push_back("reserve ids " + key);
    co_return reserve_ok;
  }
  bool load_ok = true;
  asio::awaitable<bool> load_schema(const std::string& table) override {
    log.push_back("load schema " + table);
    co_return load_ok;
  }
  asio::awaitable<void> plan_again() override {
    log.push_back("plan again");
    co_return;
  }
  asio::awaitable<bool> control_transaction(TransactionStatement kind,
                                            std::string_view sql) override {
    const char* k = kind == TransactionStatement::kBegin    ? "begin"
                    : kind == TransactionStatement::kCommit ? "commit"
                    : kind == TransactionStatement::kXa     ? "xa"
                                                            : "rollback";
    log.push_back(std::string("control ") + k + " " + std::string(sql));
    co_return control_answers;
  }
  bool distributed = false;
  bool in_distributed_transaction() const override { return distributed; }
  StatementTxn statement_txn = StatementTxn::kOwn;
  bool found = false;  // CLIENT_FOUND_ROWS
  bool found_rows() const override { return found; }
  std::optional<protocol::ErrPacket> commit_error;
  asio::awaitable<StatementTxn> begin_statement_txn() override {
    log.push_back("begin statement txn");
    co_return statement_txn;
  }
  asio::awaitable<std::optional<protocol::ErrPacket>> end_statement_txn(bool commit) override {
    log.push_back(commit ? "commit statement txn" : "roll back statement txn");
    co_return commit ? commit_error : std::nullopt;
  }
  bool may_retry() const override { return retry_allowed; }
  bool output_started() const override { return output; }
  int deadlock_retries() const override { return max_deadlocks; }
  bool in_transaction() const override { return transaction; }
  void request_check(const Target& target) override { log.push_back("check " + name(target)); }
  void settle(const Target& target, Settle how) override {
    log.push_back("settle " + name(target) + (how == Settle::kDiscard ? " discard" : " release"));
  }
  void note_retry(const Attempt& attempt, bool deadlock, int count) override {
    log.push_back(std::string(deadlock ? "deadlock retry " : "failover retry ") +
                  std::to_string(count) + " after " + attempt.instance);
  }
  asio::awaitable<void> pause(std::chrono::milliseconds how_long) override {
    pauses.push_back(how_long);
    co_return;
  }
  asio::awaitable<void> finish(const Target& target) override {
    log.push_back("finish " + name(target));
    co_return;
  }
  asio::awaitable<void> report_lost(const Target& target, std::string_view what) override {
    log.push_back("lost " + name(target));
    lost.emplace_back(what);
    co_return;
  }
  asio::awaitable<void> report_error(const Target& target, const protocol::ErrPacket& error,
                                     Failure kind) override {
    const char* k = kind == Failure::kDeadlock          ? "deadlock"
                    : kind == Failure::kTransactionLost ? "transaction lost"
                                                        : "read-only";
    log.push_back("error " + name(target) + " " + std::to_string(error.code) + " (" + k + ")");
    errors.push_back(error);
    co_return;
  }

  // Runs `p` to completion on a private io_context.
  void run(const Primitive& p) {
    asio::io_context io;
    auto f = asio::co_spawn(io, p.run(*this), asio::use_future);
    io.run();
    f.get();
  }

 private:
  static std::string name(const Target& t) { return t.slice.empty() ? "default" : t.slice; }
  Attempt next(const Target& target) {
    if (script.empty()) return Attempt{};
    Attempt a = script.front();
    script.pop_front();
    if (a.slice.empty()) a.slice = target.slice;
    return a;
  }
};

// A text-protocol row of one cell.
inline std::string text_row(std::string_view cell) {
  std::string row(1, static_cast<char>(cell.size()));
  row.append(cell);
  return row;
}

inline Attempt answered() {
  return Attempt{};
}
inline Attempt rejected(uint16_t code, std::string instance = "10.0.0.1:3306") {
  Attempt a;
  a.kind = Attempt::Kind::kRejected;
  a.error = protocol::ErrPacket(protocol::ErrorCode{code, "HY000"}, "server says no");
  a.instance = std::move(instance);
  return a;
}
inline Attempt lost(bool sent, std::string instance = "10.0.0.1:3306") {
  Attempt a;
  a.kind = Attempt::Kind::kLost;
  a.failure = "Connection reset by peer";
  a.sent = sent;
  a.instance = std::move(instance);
  return a;
}
inline Attempt failed() {
  Attempt a;
  a.kind = Attempt::Kind::kFailed;
  return a;
}

}  // namespace tessera::exec::engine::testing
