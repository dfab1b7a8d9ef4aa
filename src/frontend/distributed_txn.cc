// Transactions of `xa` namespaces (issue 7): the session's side of txn::SessionTxn.
//
// The client's BEGIN opens the transaction locally; every slice a statement of the transaction
// reaches joins it with XA START (ensure_backend for the default slice, slice_connection for the
// others, both through xa_join); COMMIT / ROLLBACK end it on every participant; the
// participants' connections stay with the session until then. A session with autocommit=0 is
// in an implicit transaction from its first data statement. Autocommit writes that reach
// several slices (global tables, multi-row INSERTs split over shards, scatter UPDATE/DELETE)
// run as a transaction of their own (run_atomic_write). DDL is never wrapped: it commits
// implicitly and MariaDB refuses it inside XA.
#include <spdlog/spdlog.h>

#include <charconv>
#include <map>

#include "backend/backend_error.h"
#include "exec/engine/retry_policy.h"
#include "frontend/client_session.h"
#include "frontend/worker.h"
#include "protocol/constants.h"
#include "protocol/error_codes.h"
#include "txn/parallel.h"

namespace tessera::frontend {

using namespace protocol;
using sql::StatementKind;

namespace {

// Statements that read or change table data take part in the transaction; SET, SHOW, USE and
// the like run wherever they run without opening a branch.
bool joins_transaction(StatementKind kind) {
  switch (kind) {
    case StatementKind::Select:
    case StatementKind::Insert:
    case StatementKind::Replace:
    case StatementKind::Update:
    case StatementKind::Delete:
    case StatementKind::LoadData:
    case StatementKind::Call:
    case StatementKind::Do:
    case StatementKind::Savepoint:
    case StatementKind::Execute:
    case StatementKind::Other:
      return true;
    default:
      return false;
  }
}

bool is_dml(StatementKind kind) {
  return kind == StatementKind::Insert || kind == StatementKind::Replace ||
         kind == StatementKind::Update || kind == StatementKind::Delete;
}

// An UPDATE that matched no row or a DELETE that removed none changed nothing on that slice:
// its branch can end in one phase like a reader's.
bool changed_nothing(StatementKind kind, const OkPacket& ok) {
  if (kind == StatementKind::Delete) return ok.affected_rows == 0;
  if (kind != StatementKind::Update) return false;
  constexpr std::string_view kMatched = "Rows matched: ";
  auto pos = ok.info.find(kMatched);
  if (pos == std::string::npos) return false;
  const char* p = ok.info.data() + pos + kMatched.size();
  uint64_t matched = 1;
  auto r = std::from_chars(p, ok.info.data() + ok.info.size(), matched);
  return r.ec == std::errc() && matched == 0;
}

// COMMIT AND CHAIN keeps a transaction open after the commit.
bool and_chain(std::string_view sql) {
  std::string upper(sql);
  for (auto& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
  return upper.find("CHAIN") != std::string::npos && upper.find("NO CHAIN") == std::string::npos;
}

}  // namespace

void ClientSession::xa_classify(const sql::StatementInfo& info) {
  xa_join_ = joins_transaction(info.kind);
  xa_write_ = xa_join_ && !(info.kind == StatementKind::Select && !info.has_locking_read);
}

txn::SessionTxn::ConnFor ClientSession::xa_connections() {
  return [this](const std::string& slice) -> backend::BackendConnection* {
    if (slice == namespace_->default_slice) return conn_.get();
    auto it = slice_conns_.find(slice);
    return it == slice_conns_.end() ? nullptr : it->second.get();
  };
}

asio::awaitable<std::optional<ErrPacket>> ClientSession::xa_commit() {
  // The commit's GTIDs are the session's writes (SESSION reads wait for them on replicas):
  // each participant reports its own in the XA COMMIT's OK (BackendConnection::observe_ok).
  std::vector<std::pair<backend::BackendConnection*, uint64_t>> before;
  if (conn_) before.emplace_back(conn_.get(), conn_->gtids_reported);
  for (auto& [name, lease] : slice_conns_) {
    if (lease) before.emplace_back(lease.get(), lease->gtids_reported);
  }
  auto conns = xa_connections();
  auto failure = co_await xa_->commit(conns);
  for (auto& [c, seen] : before) {
    if (c->gtids_reported != seen && !c->last_gtid.empty()) state_.remember_write(*c, c->last_gtid);
  }
  co_return failure;
}

asio::awaitable<std::optional<ErrPacket>> ClientSession::xa_join(const std::string& slice,
                                                                 backend::BackendConnection& c) {
  if (!xa_ || !xa_join_) co_return std::nullopt;
  if (!xa_->open()) {
    if (state_.status_flags & status::kAutocommit) co_return std::nullopt;
    // autocommit=0: the first data statement opens the transaction, as on a server.
    xa_->begin();
  }
  if (!xa_->has(slice)) {
    auto refused = co_await xa_->join(slice, c);
    if (refused) co_return refused;
  }
  if (xa_write_) xa_->note_write(slice);
  state_.status_flags |= status::kInTrans;
  co_return std::nullopt;
}

void ClientSession::xa_release_participants() {
  // The transaction is over on every participant. A broken connection's status flags still
  // say what they said before it broke (a transaction open): closed here, not kept for it.
  for (auto& [name, lease] : slice_conns_) {
    lease.set_joined_transaction(false);
    if (lease && lease->broken) lease.discard();
  }
  release_slices();
  if (conn_ && conn_->broken) {
    drop_backend();
  } else if (conn_) {
    after_statement(nullptr);
  }
  state_.status_flags &= ~status::kInTrans;
}

asio::awaitable<void> ClientSession::xa_abort() {
  if (!xa_open()) co_return;
  auto conns = xa_connections();
  co_await xa_->rollback(conns);
  xa_release_participants();
}

void ClientSession::xa_abandon() {
  if (!xa_open()) return;
  for (auto& slice : xa_->slices()) {
    if (slice == namespace_->default_slice) {
      drop_backend();
      continue;
    }
    auto it = slice_conns_.find(slice);
    if (it != slice_conns_.end()) it->second.discard();
  }
  xa_->abandon();
  state_.status_flags &= ~status::kInTrans;
}

asio::awaitable<bool> ClientSession::try_transaction_control(std::string_view sql,
                                                             const sql::StatementInfo& info) {
  switch (info.kind) {
    case StatementKind::Begin: {
      // BEGIN inside a transaction commits it first, as the server would.
      if (xa_->open()) {
        auto failure = co_await xa_commit();
        xa_release_participants();
        if (failure) {
          co_await send_error(*failure);
          co_return true;
        }
      }
      xa_->begin();
      state_.status_flags |= status::kInTrans;
      co_await send_ok();
      co_return true;
    }
    case StatementKind::Commit:
    case StatementKind::Rollback: {
      if (info.is_rollback_to_savepoint || !xa_->open()) co_return false;
      bool chain = and_chain(sql);
      auto conns = xa_connections();
      std::optional<ErrPacket> failure;
      if (info.kind == StatementKind::Commit) {
        failure = co_await xa_commit();
      } else {
        co_await xa_->rollback(conns);
      }
      xa_release_participants();
      if (failure) {
        co_await send_error(*failure);
        co_return true;
      }
      if (chain) {
        xa_->begin();
        state_.status_flags |= status::kInTrans;
      }
      co_await send_ok();
      co_return true;
    }
    case StatementKind::Xa:
      if (!xa_->open()) co_return false;
      co_await send_error(ErrorCode{1399, "XAE07"},
                          "XA statements cannot be used inside a transaction Tessera runs as XA "
                          "across slices; COMMIT or ROLLBACK it first");
      co_return true;
    default:
      co_return false;
  }
}

asio::awaitable<void> ClientSession::xa_after_relay() {
  if (xa_open() && relayed_error_code_ == txn::kErLockDeadlock) co_await xa_abort();
}

bool ClientSession::wants_atomic_write(const std::vector<exec::engine::Query>& queries,
                                       const exec::engine::FanOutSpec& spec,
                                       const sql::StatementInfo& info) const {
  return xa_ && !client_in_transaction() && (state_.status_flags & status::kAutocommit) &&
         spec.is_write && queries.size() > 1 && is_dml(info.kind);
}

asio::awaitable<exec::engine::Attempt> ClientSession::run_atomic_write(
    const std::vector<exec::engine::Query>& queries, const exec::engine::FanOutSpec& spec,
    const sql::StatementInfo& info) {
  using exec::engine::Attempt;
  Attempt answered;
  // The slices in plan order, each with its queries.
  std::vector<std::string> slices;
  std::map<std::string, std::vector<const exec::engine::Query*>> by_slice;
  for (auto& q : queries) {
    auto& list = by_slice[q.target.slice];
    if (list.empty()) slices.push_back(q.target.slice);
    list.push_back(&q);
  }
  const bool one_slice = slices.size() == 1;
  // Several sub-tables on one slice: one plain transaction there. Several slices: XA, whose
  // branches join as slice_connection acquires each slice's connection.
  if (!one_slice) xa_->begin();
  // Which branches wrote is known once their statements ran (changed_nothing below).
  xa_write_ = false;
  std::map<std::string, backend::BackendConnection*> conns;
  for (auto& s : slices) {
    auto* c = co_await slice_connection(s, by_slice[s].front()->target.db);
    if (!c) {  // the error went to the client
      co_await xa_abort();
      co_return answered;
    }
    conns[s] = c;
  }

  struct SliceOutcome {
    std::optional<ErrPacket> error;
    OkPacket total;
    bool wrote = false;
  };
  std::map<std::string, SliceOutcome> outcome;
  for (auto& s : slices) outcome[s];
  std::vector<txn::Task> tasks;
  for (auto& s : slices) {
    tasks.push_back([&, s]() -> asio::awaitable<void> {
      auto* c = conns[s];
      auto& out = outcome[s];
      try {
        if (one_slice) {
          auto r = co_await c->query("BEGIN");
          if (!r.ok) out.error = r.err;
        }
        for (auto* q : by_slice[s]) {
          if (out.error) break;
          if (!q->target.db.empty() && c->db != q->target.db) {
            auto r = co_await c->init_db(q->target.db);
            if (!r.ok) {
              out.error = r.err;
              break;
            }
          }
          auto r = co_await c->query(q->sql);
          if (!r.ok) {
            out.error = r.err;
            break;
          }
          state_.absorb_ok(r.ok_packet, *c);
          if (!changed_nothing(info.kind, r.ok_packet)) out.wrote = true;
          out.total.affected_rows += r.ok_packet.affected_rows;
          out.total.warnings = static_cast<uint16_t>(out.total.warnings + r.ok_packet.warnings);
          if (out.total.last_insert_id == 0) out.total.last_insert_id = r.ok_packet.last_insert_id;
        }
        if (one_slice) {
          auto r = co_await c->query(out.error ? "ROLLBACK" : "COMMIT");
          if (!r.ok && !out.error) out.error = r.err;
          if (r.ok) state_.absorb_ok(r.ok_packet, *c);  // the commit's GTID: a session write
        }
      } catch (const backend::BackendError& e) {
        c->broken = true;
        out.error = e.err();
      } catch (const std::exception& e) {
        c->broken = true;
        out.error = ErrPacket(errc::kBackendLost,
                              std::string("Lost connection to backend: ") + failure_text(e));
      }
      if (out.error) out.error->message += " (on slice " + s + ")";
    });
  }
  co_await txn::run_all(tasks);

  std::optional<ErrPacket> failure;
  std::string failed_slice;
  std::string failed_instance;
  OkPacket total;
  for (auto& s : slices) {
    auto& out = outcome[s];
    if (out.error && !failure) {
      failure = out.error;
      failed_slice = s;
      // Named while the connection is still the session's (a retry waits for news of it).
      failed_instance = conns[s]->endpoint().address();
    }
    if (!one_slice && out.wrote) xa_->note_write(s);
    if (!one_copy_count(spec) || s == slices.front()) {
      total.affected_rows += out.total.affected_rows;
      total.warnings = static_cast<uint16_t>(total.warnings + out.total.warnings);
    }
    if (total.last_insert_id == 0) total.last_insert_id = out.total.last_insert_id;
  }
  // Rolled back on every slice (the statements' own failure, before any commit): a deadlock
  // or a read-only primary can then be retried whole by the engine.
  bool rolled_back_whole = false;
  if (!one_slice) {
    auto xconns = xa_connections();
    if (failure) {
      co_await xa_->rollback(xconns);
      failure->message += "; nothing was written on any slice";
      rolled_back_whole = true;
    } else {
      failure = co_await xa_commit();
    }
  } else {
    rolled_back_whole = failure.has_value();
  }
  xa_release_participants();
  if (conn_) after_statement(&info);
  if (failure && rolled_back_whole && exec::engine::is_retryable_rejection(failure->code)) {
    Attempt rejected;
    rejected.kind = Attempt::Kind::kRejected;
    rejected.error = *failure;
    rejected.slice = failed_slice;
    rejected.instance = failed_instance;
    co_return rejected;
  }
  if (failure) {
    co_await send_error(*failure);
    co_return answered;
  }
  if (spec.generated_id != 0) {
    total.last_insert_id = spec.generated_id;
    state_.last_insert_id = spec.generated_id;
  }
  total.status_flags = state_.status_flags & ~status::kSessionStateChanged;
  co_await reply_.send_ok(total);
  co_return answered;
}

}  // namespace tessera::frontend
