// One statement of an unsharded namespace, with the failover fast path of issue 6 and the
// deadlock retry of multi-writer slices (seed 003):
//   - ERROR 1290 (read-only) / 1836 (read-only mode) from the primary: the topology is checked
//     at once; an autocommit statement (it certainly did not run) is sent again to the new
//     primary once; inside a transaction the client is told the transaction is gone.
//   - The connection lost: a check is asked for too. Before the statement was sent it is
//     retried; after, a write's outcome is unknown and the client is told so (a read is
//     simply run again).
//   - ERROR 1213 (deadlock) on an autocommit statement: InnoDB rolled it back whole, so it is
//     retried after a short, growing pause, [proxy] deadlock_retries times at most.
// Errors are recognised on the first response packet, before anything reaches the client.
#include <spdlog/spdlog.h>

#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "frontend/client_session.h"
#include "frontend/worker.h"
#include "protocol/constants.h"
#include "protocol/error_codes.h"
#include "topology/topology.h"

namespace tessera::frontend {

using namespace protocol;

namespace {

constexpr uint16_t kReadOnlyError = 1290;      // ER_OPTION_PREVENTS_STATEMENT (--read-only)
constexpr uint16_t kReadOnlyModeError = 1836;  // ER_READ_ONLY_MODE
constexpr uint16_t kDeadlockError = 1213;      // ER_LOCK_DEADLOCK

bool is_read_only_rejection(uint16_t code) {
  return code == kReadOnlyError || code == kReadOnlyModeError;
}

std::string endpoint_text(const backend::BackendConnection& c) {
  return c.endpoint().address();
}

}  // namespace

asio::awaitable<void> ClientSession::run_with_failover(std::string_view payload,
                                                       const sql::StatementInfo& info) {
  write_key_ = write_key_for(payload.substr(1));
  const int max_deadlock_retries = config_->proxy().deadlock_retries;
  int deadlocks = 0;
  bool failover_retried = false;
  for (;;) {
    const bool retryable = may_retry_statement() && !info.is_multi_statement;
    if (!co_await ensure_backend()) co_return;
    const std::string instance = endpoint_text(*conn_);
    std::optional<std::string> failure;
    std::optional<ErrPacket> early;  // an error answer kept from the client, for now
    bool sent = false;
    try {
      if (info.calls(sql::kSessionFnLastInsertIdIndex) && state_.last_insert_id != 0 &&
          conn_->last_insert_id != state_.last_insert_id) {
        // LAST_INSERT_ID() is per connection: carry the session's value over.
        co_await conn_->query("DO LAST_INSERT_ID(" + std::to_string(state_.last_insert_id) + ")");
      }
      if (xa_open()) relay_error_note_ = " (on slice " + namespace_->default_slice + ")";
      uint8_t seq = 0;
      co_await conn_->socket().write_packet(payload, seq);
      sent = true;
      auto& be = conn_->socket();
      // max_sql_execute_time counts from here: the first packet can be the long wait.
      if (watchdog_) watchdog_->watch(*conn_);
      if (!be.buffered_frame()) co_await be.next_frame();
      Frame f = *be.buffered_frame();
      if (!f.payload.empty() && static_cast<uint8_t>(f.payload[0]) == kErrHeader &&
          f.payload.size() < kMaxFramePayload) {
        auto err = ErrPacket::decode(f.payload);
        if (err && (is_read_only_rejection(err->code) || err->code == kDeadlockError)) {
          early = std::move(err);
          be.consume(f);
          if (watchdog_) co_await watchdog_->release(*conn_);
        }
      }
      if (!early) co_await relay_response(RelayMode::kQuery);
    } catch (const std::exception& e) {
      failure = failure_text(e);
    }
    relay_error_note_.clear();

    if (failure) {
      topology().request_check(namespace_->name, namespace_->default_slice);
      // Not sent: it certainly did not run. A read may simply run again.
      bool rerun = !sent || info.is_read();
      if (retryable && rerun && !failover_retried && !sent_this_command_) {
        failover_retried = true;
        drop_backend();
        retry_after_instance_ = instance;
        retry_after_time_ = std::chrono::system_clock::now();
        worker_.context().counters.failover_retries++;
        spdlog::info("failover: client {}: lost connection to {} ({}); {} again", peer_text(),
                     instance, *failure, sent ? "reading" : "sending the statement");
        continue;
      }
      if (sent && !info.is_read() && !sent_this_command_) {
        *failure +=
            "; the statement was sent and its outcome is unknown (it may or may not "
            "have committed): check before retrying";
      }
      co_await send_backend_failure(*failure);
      co_return;
    }

    if (early && is_read_only_rejection(early->code)) {
      topology().request_check(namespace_->name, namespace_->default_slice);
      if (retryable && !failover_retried) {
        // Rejected before it ran: send it again to the primary the monitor finds now.
        failover_retried = true;
        release_backend();
        retry_after_instance_ = instance;
        retry_after_time_ = std::chrono::system_clock::now();
        worker_.context().counters.failover_retries++;
        spdlog::info("failover: client {}: {} is read-only (error {}); retrying on the new primary",
                     peer_text(), instance, early->code);
        continue;
      }
      if (client_in_transaction()) {
        // The transaction's earlier statements live on a server that no longer takes writes:
        // end it there (closing the connection rolls it back) and say so.
        drop_backend();
        unpin();
        state_.status_flags &= ~status::kInTrans;
        early->message = "The primary of slice " + namespace_->default_slice + " (" + instance +
                         ") became read-only during your transaction (a failover); the "
                         "transaction was rolled back, retry it. Server said: " +
                         early->message;
      }
      co_await send_error(*early);
      after_statement(nullptr);
      co_return;
    }

    if (early && early->code == kDeadlockError) {
      if (retryable && deadlocks < max_deadlock_retries) {
        ++deadlocks;
        release_backend();
        worker_.context().counters.deadlock_retries++;
        // 5, 10, 20, ... ms: the other transaction gets time to finish.
        asio::steady_timer pause(worker_.io(), std::chrono::milliseconds(5 << (deadlocks - 1)));
        spdlog::info("failover: client {}: deadlock on {}; retry {} of {}", peer_text(), instance,
                     deadlocks, max_deadlock_retries);
        co_await pause.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        continue;
      }
      if (deadlocks > 0) {
        early->message +=
            " (Tessera retried the statement " + std::to_string(deadlocks) + " times)";
      }
      keep_for_diagnostics_ = true;
      co_await send_error(*early);
      // A deadlock inside a distributed transaction rolled back this branch: the others go too.
      if (xa_open()) co_await xa_abort();
      after_statement(&info);
      co_return;
    }
    co_await xa_after_relay();
    after_statement(&info);
    co_return;
  }
}

}  // namespace tessera::frontend
