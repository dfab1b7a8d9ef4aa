#include "txn/session_txn.h"

#include <spdlog/spdlog.h>

#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "backend/backend_error.h"
#include "protocol/error_codes.h"
#include "txn/failpoint.h"
#include "txn/parallel.h"
#include "txn/txn_counters.h"

namespace tessera::txn {

using backend::BackendConnection;
using protocol::ErrPacket;

namespace {

constexpr uint16_t kXaerNota = 1397;  // XAER_NOTA: unknown XID (already finished)

// Runs one XA statement on a participant's connection. nullopt, or the error for the client:
// a backend's own error keeps its code and SQLSTATE and gains the slice's name; a failed
// connection becomes 2013 and is marked broken.
asio::awaitable<std::optional<ErrPacket>> run(BackendConnection* c, const std::string& slice,
                                              const std::string& sql, std::string_view step) {
  if (!c || c->broken) {
    co_return ErrPacket(protocol::errc::kBackendLost, "Lost connection to backend of slice " +
                                                          slice + " before " + std::string(step));
  }
  std::optional<ErrPacket> err;
  try {
    auto r = co_await c->query(sql);
    if (!r.ok) {
      err = r.err;
      err->message += " (on slice " + slice + ", " + std::string(step) + ")";
    }
  } catch (const backend::BackendError& e) {
    c->broken = true;
    err = e.err();
    err->message += " (on slice " + slice + ", " + std::string(step) + ")";
  } catch (const std::system_error& e) {
    c->broken = true;
    err = ErrPacket(protocol::errc::kBackendLost, "Lost connection to backend of slice " + slice +
                                                      " during " + std::string(step) + ": " +
                                                      e.code().message());
  } catch (const std::exception& e) {
    c->broken = true;
    err = ErrPacket(protocol::errc::kBackendLost, "Lost connection to backend of slice " + slice +
                                                      " during " + std::string(step) + ": " +
                                                      e.what());
  }
  co_return err;
}

}  // namespace

void SessionTxn::begin() {
  open_ = true;
}

SessionTxn::Branch* SessionTxn::find(const std::string& slice) {
  for (auto& b : branches_) {
    if (b.slice == slice) return &b;
  }
  return nullptr;
}

bool SessionTxn::has(const std::string& slice) const {
  for (auto& b : branches_) {
    if (b.slice == slice) return true;
  }
  return false;
}

std::vector<std::string> SessionTxn::slices() const {
  std::vector<std::string> out;
  for (auto& b : branches_) out.push_back(b.slice);
  return out;
}

asio::awaitable<std::optional<ErrPacket>> SessionTxn::join(const std::string& slice,
                                                           BackendConnection& conn) {
  if (has(slice)) co_return std::nullopt;
  if (gtrid_.empty()) {
    gtrid_ = manager_.next_gtrid();
    txn_counters().xa_started++;
  }
  Branch b;
  b.slice = slice;
  b.xid = Xid{gtrid_, bqual_for_slice(slice), kFormatId};
  auto err = co_await run(&conn, slice, "XA START " + b.xid.sql(), "XA START");
  if (err) co_return err;
  branches_.push_back(std::move(b));
  co_return std::nullopt;
}

void SessionTxn::note_write(const std::string& slice) {
  if (auto* b = find(slice)) b->wrote = true;
}

void SessionTxn::lost(const std::string& slice) {
  for (auto it = branches_.begin(); it != branches_.end(); ++it) {
    if (it->slice == slice) {
      branches_.erase(it);
      return;
    }
  }
}

void SessionTxn::close() {
  open_ = false;
  gtrid_.clear();
  branches_.clear();
}

void SessionTxn::abandon() {
  if (!branches_.empty()) txn_counters().rollbacks++;
  close();
}

asio::awaitable<std::optional<ErrPacket>> SessionTxn::one_phase(Branch& b, BackendConnection* c) {
  std::string x = b.xid.sql();
  auto err = co_await run(c, b.slice, "XA END " + x + "; XA COMMIT " + x + " ONE PHASE",
                          "XA COMMIT ONE PHASE");
  if (!err) b.state = State::kDone;
  co_return err;
}

asio::awaitable<std::optional<ErrPacket>> SessionTxn::prepare(Branch& b, BackendConnection* c) {
  std::string x = b.xid.sql();
  auto err = co_await run(c, b.slice, "XA END " + x + "; XA PREPARE " + x, "XA PREPARE");
  if (!err) {
    b.state = State::kPrepared;
    failpoint::hit(failpoint::Point::kAfterPrepare);
  }
  co_return err;
}

asio::awaitable<void> SessionTxn::rollback_branch(Branch& b, BackendConnection* c) {
  if (b.state == State::kDone) co_return;
  if (!c || c->broken) {
    b.state = State::kDone;
    // Unprepared: the server dropped it with the connection. Prepared: recovery finds it
    // undecided and rolls it back.
    co_return;
  }
  std::string x = b.xid.sql();
  // An active branch needs XA END first; an idle, prepared or rollback-only one (a deadlock
  // victim, a failed prepare) takes XA ROLLBACK alone. If neither works the connection is
  // closed, which drops an unprepared branch; a prepared one is left to recovery.
  std::optional<ErrPacket> err;
  if (b.state == State::kActive) {
    err = co_await run(c, b.slice, "XA END " + x + "; XA ROLLBACK " + x, "XA ROLLBACK");
  }
  if (b.state != State::kActive || (err && !c->broken)) {
    err = co_await run(c, b.slice, "XA ROLLBACK " + x, "XA ROLLBACK");
  }
  if (err && err->code != kXaerNota) {
    spdlog::warn("XA {}: rollback of slice {} failed: {}", b.xid.gtrid, b.slice, err->message);
    c->broken = true;
  }
  b.state = State::kDone;
}

asio::awaitable<void> SessionTxn::rollback_all(const ConnFor& conn_for) {
  std::vector<Task> tasks;
  for (auto& b : branches_) {
    tasks.push_back([&b, &conn_for, this]() -> asio::awaitable<void> {
      co_await rollback_branch(b, conn_for(b.slice));
    });
  }
  co_await run_all(tasks);
}

asio::awaitable<void> SessionTxn::rollback(const ConnFor& conn_for) {
  if (!branches_.empty()) {
    co_await rollback_all(conn_for);
    txn_counters().rollbacks++;
  }
  close();
}

asio::awaitable<std::optional<ErrPacket>> SessionTxn::commit(const ConnFor& conn_for) {
  if (branches_.empty()) {
    close();
    co_return std::nullopt;
  }
  size_t writers = 0;
  for (auto& b : branches_) writers += b.wrote ? 1 : 0;
  std::optional<ErrPacket> failure;
  if (writers >= 2) {
    failure = co_await two_phase(conn_for);
    close();
    co_return failure;
  }
  // One writer at most: end the readers first (their locks are no longer needed once no more
  // statements come), then the writer commits in one phase, as a plain COMMIT would.
  std::vector<Task> readers;
  for (auto& b : branches_) {
    if (b.wrote) continue;
    readers.push_back([&b, &conn_for, &failure, this]() -> asio::awaitable<void> {
      auto err = co_await one_phase(b, conn_for(b.slice));
      if (err && !failure) failure = err;
    });
  }
  co_await run_all(readers);
  for (auto& b : branches_) {
    if (!b.wrote || failure) continue;
    failure = co_await one_phase(b, conn_for(b.slice));
  }
  if (failure) {
    co_await rollback_all(conn_for);
    txn_counters().rollbacks++;
    txn_counters().commit_failures++;
  } else {
    txn_counters().one_phase_commits++;
  }
  close();
  co_return failure;
}

asio::awaitable<std::optional<ErrPacket>> SessionTxn::two_phase(const ConnFor& conn_for) {
  manager_.enter_flight(gtrid_);
  std::optional<ErrPacket> failure;
  // Phase 1: writers prepare, readers finish in one phase.
  std::vector<Task> phase1;
  for (auto& b : branches_) {
    phase1.push_back([&b, &conn_for, &failure, this]() -> asio::awaitable<void> {
      auto* c = conn_for(b.slice);
      std::optional<ErrPacket> err;
      if (b.wrote)
        err = co_await prepare(b, c);
      else
        err = co_await one_phase(b, c);
      if (err && !failure) failure = err;
    });
  }
  co_await run_all(phase1);
  if (!failure) {
    if (auto log_error = co_await manager_.decide(gtrid_)) {
      failure = ErrPacket(protocol::errc::kUnknownError,
                          *log_error + "; the transaction was rolled back on every slice");
    }
  }
  if (failure) {
    co_await rollback_all(conn_for);
    // Anything left prepared is undecided: recovery rolls it back.
    manager_.leave_flight(gtrid_, true);
    txn_counters().rollbacks++;
    txn_counters().commit_failures++;
    co_return failure;
  }
  if (auto pause = failpoint::pause_after_decision(); pause.count() > 0) {
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex, pause);
    co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
  // Phase 2: the decision is durable; a branch that cannot be committed now is recovery's.
  bool settled = true;
  std::vector<Task> phase2;
  for (auto& b : branches_) {
    if (b.state != State::kPrepared) continue;
    phase2.push_back([&b, &conn_for, &settled, this]() -> asio::awaitable<void> {
      auto err = co_await run(conn_for(b.slice), b.slice, "XA COMMIT " + b.xid.sql(), "XA COMMIT");
      if (!err || err->code == kXaerNota) {  // NOTA: recovery committed it first
        b.state = State::kDone;
        failpoint::hit(failpoint::Point::kAfterCommit);
        co_return;
      }
      settled = false;
      txn_counters().branches_left_prepared++;
      spdlog::warn(
          "XA {}: commit of slice {} failed after the decision ({}); recovery will "
          "commit it",
          gtrid_, b.slice, err->message);
      if (auto* c = conn_for(b.slice)) c->broken = true;
    });
  }
  if (failpoint::serial_commits()) {
    for (auto& task : phase2) co_await task();
  } else {
    co_await run_all(phase2);
  }
  manager_.leave_flight(gtrid_, settled);
  txn_counters().two_phase_commits++;
  co_return std::nullopt;
}

}  // namespace tessera::txn
