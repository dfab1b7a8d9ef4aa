#include "txn/recovery.h"

#include <spdlog/spdlog.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>
#include <map>
#include <set>

#include "backend/backend_error.h"
#include "txn/parallel.h"
#include "txn/txn_counters.h"
#include "txn/xid.h"

namespace tessera::txn {

namespace {
constexpr uint16_t kXaerNota = 1397;
}

RecoveryService::RecoveryService(TxnManager& manager, RecoveryTargets targets,
                                 std::chrono::milliseconds interval,
                                 std::chrono::milliseconds connect_timeout)
    : manager_(manager),
      targets_(std::move(targets)),
      interval_(interval),
      connect_timeout_(connect_timeout) {}

RecoveryService::~RecoveryService() {
  stop();
}

RecoveryPass RecoveryService::run_once() {
  asio::io_context io{1};
  auto future = asio::co_spawn(io, pass(), asio::use_future);
  io.run();
  return future.get();
}

void RecoveryService::start() {
  asio::co_spawn(io_, loop(), asio::detached);
  thread_ = std::thread([this] {
    try {
      io_.run();
    } catch (const std::exception& e) {
      spdlog::critical("XA recovery thread stopped by an exception: {}", e.what());
    }
  });
}

void RecoveryService::stop() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

asio::awaitable<void> RecoveryService::loop() {
  asio::steady_timer timer(io_);
  for (;;) {
    timer.expires_after(interval_);
    auto [ec] = co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    co_await pass();
  }
}

asio::awaitable<RecoveryPass> RecoveryService::pass() {
  // The snapshot comes first: a decision whose transaction was not in flight at this moment has
  // every remaining branch prepared already, so the scan below sees them all.
  TxnManager::Snapshot before = manager_.snapshot();
  std::vector<RecoveryTarget> all = targets_();
  std::map<std::string, RecoveryTarget> servers;  // one XA RECOVER per server
  for (auto& t : all) servers.emplace(t.endpoint.address(), t);

  RecoveryPass result;
  result.servers = servers.size();
  std::set<std::string> unfinished;  // gtrids with a branch still prepared after this pass
  auto ex = co_await asio::this_coro::executor;
  std::vector<Task> tasks;
  for (auto& entry : servers) {
    // Named references, not a structured binding: clang 14 cannot capture bindings.
    const std::string& key = entry.first;
    const RecoveryTarget& target = entry.second;
    tasks.push_back([&, ex]() -> asio::awaitable<void> {
      const std::string where = "slice " + target.slice + " (" + key + ")";
      std::optional<std::string> failure;
      try {
        backend::ConnectOptions opts;
        opts.timeout = connect_timeout_;
        auto conn = co_await backend::BackendConnection::connect(ex, target.endpoint, opts);
        auto r = co_await conn->query("XA RECOVER");
        if (!r.ok) {
          failure = "XA RECOVER: " + r.err.message;
        } else {
          for (auto& row : r.rows) {
            auto xid = parse_recover_row(row);
            if (!xid || !owned_by(*xid, manager_.tag())) continue;
            auto verdict = manager_.verdict(xid->gtrid);
            if (verdict == TxnManager::Verdict::kLeave) {
              ++result.left;
              unfinished.insert(xid->gtrid);
              continue;
            }
            bool commit = verdict == TxnManager::Verdict::kCommit;
            auto done = co_await conn->query((commit ? "XA COMMIT " : "XA ROLLBACK ") + xid->sql());
            if (done.ok || done.err.code == kXaerNota) {
              spdlog::info("XA recovery: {} {} branch {} on {}",
                           commit ? "committed" : "rolled back", xid->gtrid, xid->bqual, where);
              if (commit) {
                ++result.committed;
                txn_counters().recovered_commits++;
              } else {
                ++result.rolled_back;
                txn_counters().recovered_rollbacks++;
              }
            } else {
              unfinished.insert(xid->gtrid);
              failure = "XA " + std::string(commit ? "COMMIT" : "ROLLBACK") + " of " + xid->gtrid +
                        ": " + done.err.message;
            }
          }
        }
        conn->socket().close();
      } catch (const backend::BackendError& e) {
        failure = e.err().message;
      } catch (const std::system_error& e) {
        failure = e.code().message();
      } catch (const std::exception& e) {
        failure = e.what();
      }
      if (failure) {
        ++result.unreachable;
        txn_counters().recovery_errors++;
        spdlog::warn("XA recovery: {}: {}", where, *failure);
      }
    });
  }
  co_await run_all(tasks);

  if (result.unreachable == 0) {
    std::vector<std::string> forget;
    for (auto& g : before.decided) {
      if (!before.in_flight.count(g) && !unfinished.count(g)) forget.push_back(g);
    }
    manager_.forget(forget);
    result.forgotten = forget.size();
    manager_.compact_if_worthwhile(first_pass_);
    first_pass_ = false;
  }
  txn_counters().recovery_passes++;
  if (result.committed || result.rolled_back) {
    spdlog::info(
        "XA recovery pass: {} server(s), {} committed, {} rolled back, {} in flight, {} "
        "unreachable",
        result.servers, result.committed, result.rolled_back, result.left, result.unreachable);
  }
  co_return result;
}

}  // namespace tessera::txn
