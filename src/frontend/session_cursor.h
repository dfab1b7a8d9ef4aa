// The engine's cursor for one client command (exec/engine/cursor.h): how a primitive's
// "run this SQL there" becomes the session's backend connections, the client's protocol
// (text, or COM_STMT_EXECUTE with the client's parameters) and the session's bookkeeping.
// One is made per command that runs a plan and lives as long as the plan runs.
#pragma once
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
  asio::awaitable<exec::engine::Attempt> scatter(const std::vector<exec::engine::Query>& queries,
                                                 exec::engine::Role role,
                                                 const exec::engine::MergeInfo& merge) override;
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
  bool in_distributed_transaction() const override;
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
  // The attempt ran on the default slice's own connection (conn_).
  bool on_default_ = true;
  // A scatter is under way: its slices, for topology checks and the messages.
  std::vector<std::string> scatter_slices_;
  bool scattering_ = false;
  // The server refused to prepare the statement: told the client after the bookkeeping.
  std::optional<protocol::ErrPacket> prepare_refused_;
};

}  // namespace tessera::frontend
