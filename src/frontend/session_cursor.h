// The engine's cursor for one client command (exec/engine/cursor.h): how a primitive's
// "run this SQL there" becomes the session's backend connections, the client's protocol
// (text, or COM_STMT_EXECUTE with the client's parameters) and the session's bookkeeping.
// One is made per command that runs a plan and lives as long as the plan runs.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exec/engine/cursor.h"
#include "exec/engine/fan_out.h"
#include "protocol/response_packets.h"
#include "protocol/statement_packets.h"
#include "sql/classify.h"

namespace tessera::frontend {

class ClientSession;
struct ClientStatement;
struct ShardStream;
struct ShardStreams;

// The transaction statement `info` starts with (BEGIN, COMMIT, ROLLBACK, XA), if it does.
std::optional<exec::engine::TransactionStatement> transaction_statement(
    const sql::StatementInfo& info);

class SessionCursor final : public exec::engine::Cursor {
 public:
  // A COM_QUERY: `payload` is the command packet (the command byte, then `info`'s text), or
  // empty when the plan's SQL is Tessera's. `binary_rows`: a COM_STMT_EXECUTE whose values
  // the plan carries as literals; merged rows go out in binary form.
  SessionCursor(ClientSession& session, const sql::StatementInfo& info, std::string_view payload,
                bool binary_rows = false);
  // A COM_STMT_EXECUTE of client statement `id`; `sharded`: its text was planned with the
  // bound values (no server-side cursor then: rows are sent at once).
  SessionCursor(ClientSession& session, const sql::StatementInfo& info, uint32_t id,
                ClientStatement& stmt, protocol::StmtExecuteView& view, bool sharded);

  asio::awaitable<exec::engine::Attempt> route(const exec::engine::Target& target,
                                               std::string_view sql) override;
  ~SessionCursor() override;
  SessionCursor(const SessionCursor&) = delete;
  SessionCursor& operator=(const SessionCursor&) = delete;

  // shard_streams.cc: a scatter's shard streams and its merged result.
  asio::awaitable<exec::engine::Attempt> open_shards(
      const std::vector<exec::engine::Query>& queries, exec::engine::Role role) override;
  asio::awaitable<std::optional<protocol::ErrPacket>> read_head(
      size_t shard, std::vector<protocol::ColumnDefinition>& columns) override;
  asio::awaitable<exec::engine::ShardEvent> read_row(size_t shard, std::string& payload) override;
  bool shard_ready(size_t shard) const override;
  asio::awaitable<void> drain_shards() override;
  void stop_shards() override;
  asio::awaitable<void> close_shards(bool failed) override;
  std::optional<protocol::ErrPacket> limit_error() const override;
  exec::engine::MergeLimits merge_limits() const override;
  void begin_result(const std::vector<protocol::ColumnDefinition>& columns) override;
  bool send_row(std::string_view row, std::string& why) override;
  bool output_full() const override;
  asio::awaitable<void> flush_rows() override;
  asio::awaitable<void> end_result(uint16_t warnings) override;
  asio::awaitable<void> fail_result(const protocol::ErrPacket& error) override;
  void abort_client(std::string_view why) override;
  void abandon_result() override;
  asio::awaitable<void> reply_error(const protocol::ErrPacket& error) override;
  asio::awaitable<exec::engine::WriteAttempt> write(const exec::engine::Target& target,
                                                    std::string_view sql) override;
  bool one_copy_counts() const override;
  bool wants_atomic(const std::vector<exec::engine::Query>& queries,
                    const exec::engine::FanOutSpec& spec) const override;
  asio::awaitable<exec::engine::Attempt> atomic_write(
      const std::vector<exec::engine::Query>& queries,
      const exec::engine::FanOutSpec& spec) override;
  asio::awaitable<void> end_fan_out(const exec::engine::FanOutSpec& spec,
                                    protocol::OkPacket total) override;
  asio::awaitable<void> fail_fan_out(const exec::engine::Target& target, protocol::ErrPacket error,
                                     bool roll_back_all) override;
  asio::awaitable<bool> reserve_ids(const std::string& key) override;
  asio::awaitable<bool> load_schema(const std::string& table) override;
  asio::awaitable<void> plan_again() override;
  asio::awaitable<bool> control_transaction(exec::engine::TransactionStatement kind,
                                            std::string_view sql) override;
  // What plan_again() does: the caller's own entry, run again (it plans the statement anew).
  void set_plan_again(std::function<asio::awaitable<void>()> again) { again_ = std::move(again); }
  bool in_distributed_transaction() const override;
  asio::awaitable<exec::engine::StatementTxn> begin_statement_txn() override;
  asio::awaitable<std::optional<protocol::ErrPacket>> end_statement_txn(bool commit) override;
  bool found_rows() const override;
  bool may_retry() const override;
  bool output_started() const override;
  int deadlock_retries() const override;
  bool in_transaction() const override;
  void request_check(const exec::engine::Target& target) override;
  void settle(const exec::engine::Target& target, exec::engine::Settle how) override;
  void note_retry(const exec::engine::Attempt& attempt, bool deadlock, int count) override;
  asio::awaitable<void> pause(std::chrono::milliseconds how_long) override;
  asio::awaitable<void> finish(const exec::engine::Target& target) override;
  asio::awaitable<void> report_lost(const exec::engine::Target& target,
                                    std::string_view what) override;
  asio::awaitable<void> report_error(const exec::engine::Target& target,
                                     const protocol::ErrPacket& error,
                                     exec::engine::Failure kind) override;

 private:
  // The session may serve its read from a replica now (its user splits reads; no transaction,
  // pin or cursor holds it to the primary: session/read_routing.h).
  bool reads_from_replica() const;
  // The slice a target names ("" is the default slice).
  const std::string& slice_of(const exec::engine::Target& target) const;
  // Sends the statement on the session's conn_ (a slice's connection swapped in) and relays
  // its answer, keeping a retryable first error from the client.
  asio::awaitable<void> send_and_relay(std::string_view sql, exec::engine::Attempt& attempt);
  // After the statement: what the session does with the connections it used.
  void wrap_up(const exec::engine::Target& target, bool with_info);

  ClientSession& s_;
  const sql::StatementInfo& info_;
  std::string_view payload_;  // COM_QUERY: the client's packet
  // COM_STMT_EXECUTE
  uint32_t stmt_id_ = 0;
  ClientStatement* stmt_ = nullptr;
  protocol::StmtExecuteView* view_ = nullptr;
  bool sharded_execute_ = false;
  bool binary_rows_ = false;
  // The statement was answered from a replica (nothing left to settle on the primary side).
  bool on_replica_ = false;
  bool rerun_checked_ = false;  // route() runs a read again after an unchecked connection broke
  // The attempt ran on the default slice's own connection (conn_).
  bool on_default_ = true;
  // A scatter is under way: its slices, for topology checks and the messages, and its streams.
  std::vector<std::string> scatter_slices_;
  bool scattering_ = false;
  std::unique_ptr<ShardStreams> shards_;
  // Sends a part's query that waited for the part before it on the same connection, reading
  // the rest of that part's response ahead (shard_streams.h).
  asio::awaitable<void> start_part(size_t shard);
  // A part's own connection (borrowed from its pool, or a replica's lease) goes back.
  void give_back(ShardStream& s, bool discard);
  std::function<asio::awaitable<void>()> again_;
  // The server refused to prepare the statement: told the client after the bookkeeping.
  std::optional<protocol::ErrPacket> prepare_refused_;
};

}  // namespace tessera::frontend
