// SessionCursor: exec/engine's way to this session's backend connections and client.
#include "frontend/session_cursor.h"

#include "frontend/shard_streams.h"

#include <spdlog/spdlog.h>

#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "exec/engine/retry_policy.h"
#include "frontend/client_session.h"
#include "frontend/prepare_budget.h"
#include "frontend/worker.h"
#include "protocol/constants.h"
#include "protocol/error_codes.h"
#include "topology/topology.h"

namespace tessera::frontend {

using exec::engine::Attempt;
using exec::engine::Failure;
using exec::engine::Role;
using exec::engine::Settle;
using exec::engine::Target;
using namespace protocol;

SessionCursor::SessionCursor(ClientSession& session, const sql::StatementInfo& info,
                             std::string_view payload, bool binary_rows)
    : s_(session), info_(info), payload_(payload), binary_rows_(binary_rows) {}

SessionCursor::SessionCursor(ClientSession& session, const sql::StatementInfo& info, uint32_t id,
                             ClientStatement& stmt, protocol::StmtExecuteView& view, bool sharded)
    : s_(session),
      info_(info),
      stmt_id_(id),
      stmt_(&stmt),
      view_(&view),
      sharded_execute_(sharded),
      binary_rows_(true) {
  // No server-side cursor across a router: a sharded statement's rows are sent at once.
  if (sharded_execute_) view_->flags = 0;
}

const std::string& SessionCursor::slice_of(const Target& target) const {
  return target.slice.empty() ? s_.namespace_->default_slice : target.slice;
}

asio::awaitable<Attempt> SessionCursor::route(const Target& target, std::string_view sql) {
  Attempt a;
  a.slice = slice_of(target);
  on_replica_ = false;
  prepare_refused_.reset();

  // Read/write splitting: a read the session may send to a replica goes to one of the
  // slice's that has what the read must see; none qualifying, the primary serves it.
  // A server-side cursor stays on its connection for COM_STMT_FETCH: not from a replica.
  const bool opens_cursor = view_ && view_->flags != 0;
  if (target.role == Role::kReadSplit && !opens_cursor && reads_from_replica()) {
    const config::Slice* cfg = s_.namespace_->find_slice(a.slice);
    const std::string& db = target.db.empty() ? s_.state_.db : target.db;
    Attempt on_replica;
    std::function<asio::awaitable<void>()> work = [&]() -> asio::awaitable<void> {
      co_await send_and_relay(sql, on_replica);
    };
    if (cfg && co_await s_.run_on_replica(*cfg, work, db)) {
      on_replica_ = true;
      a.kind = Attempt::Kind::kAnswered;
      // A replica does not refuse reads as read-only; a deadlock there is the client's answer.
      if (on_replica.kind == Attempt::Kind::kRejected) co_await s_.send_error(on_replica.error);
      co_return a;
    }
  }

  backend::BackendConnection* c = nullptr;
  if (target.slice.empty()) {
    s_.rerunnable_read_ = !rerun_checked_ && info_.is_read() && !info_.is_multi_statement;
    const bool ensured = co_await s_.ensure_backend();
    s_.rerunnable_read_ = false;
    if (!ensured) {
      a.kind = Attempt::Kind::kFailed;
      co_return a;
    }
    c = s_.conn_.get();
  } else {
    c = co_await s_.slice_connection(target.slice, target.db);
    if (!c) {
      a.kind = Attempt::Kind::kFailed;
      co_return a;
    }
  }
  // Where it ran, as text only when a retry or a log needs it (formatting costs on every
  // statement otherwise).
  const std::string host = c->endpoint().host;
  const uint16_t port = c->endpoint().port;
  on_default_ = c == s_.conn_.get();
  if (s_.xa_open()) s_.relay_error_note_ = " (on slice " + a.slice + ")";
  std::optional<ClientSession::ConnSwap> swap;
  if (!on_default_) swap.emplace(s_, s_.slice_conns_[target.slice]);
  try {
    co_await send_and_relay(sql, a);
  } catch (const std::exception& e) {
    a.kind = Attempt::Kind::kLost;
    a.failure = failure_text(e);
  }
  swap.reset();
  s_.relay_error_note_.clear();
  if (a.kind == Attempt::Kind::kLost && on_default_ && s_.unchecked_conn_ && !s_.reply_.sent()) {
    // The pool lent this idle connection without a peek (an autocommit read: ensure_backend)
    // and the server had closed it (KILL, wait_timeout): not a failover, so no topology check
    // and no hold. The read runs again at once, on a connection the pool checks.
    s_.drop_backend();
    rerun_checked_ = true;
    Attempt again = co_await route(target, sql);
    rerun_checked_ = false;
    co_return again;
  }
  if (a.kind != Attempt::Kind::kAnswered) a.instance = config::format_host_port(host, port);
  co_return a;
}

asio::awaitable<void> SessionCursor::send_and_relay(std::string_view sql, Attempt& a) {
  auto& conn = *s_.conn_;
  a.kind = Attempt::Kind::kAnswered;
  if (info_.calls(sql::kSessionFnLastInsertIdIndex) && s_.state_.last_insert_id != 0 &&
      conn.last_insert_id != s_.state_.last_insert_id) {
    // LAST_INSERT_ID() is per connection: carry the session's value over.
    co_await conn.query("DO LAST_INSERT_ID(" + std::to_string(s_.state_.last_insert_id) + ")");
  }
  ClientSession::RelayMode mode = ClientSession::RelayMode::kQuery;
  if (stmt_) {
    // Prepared on this connection (kept for reuse within the budget), then executed with the
    // client's parameters and long data.
    ErrPacket err;
    // The client's own text (an unsharded EXECUTE) needs no copy; a sharded one's rewrite does.
    std::string rewritten;
    const std::string* text = &stmt_->sql;
    if (sql.data() != stmt_->sql.data() || sql.size() != stmt_->sql.size()) {
      rewritten.assign(sql);
      text = &rewritten;
    }
    // (Looked up first: nearly always prepared here already, and the coroutines that would
    // find it so cost on every execute.)
    const backend::BackendStatement* bs = nullptr;
    if (auto it = conn.prepared.find(*text); it != conn.prepared.end()) {
      bs = &it->second;
    } else {
      bs = co_await prepare_within_budget(conn, *text, err);
    }
    if (!bs) {
      prepare_refused_ = err;
      co_return;
    }
    if (!stmt_->long_data.empty()) co_await s_.send_long_data(bs->id, *stmt_);
    if (!(s_.client_caps_ & cap::kDeprecateEof) && info_.kind == sql::StatementKind::Call) {
      s_.relay_statements_.assign(1, true);  // its results all say more follow
    }
    std::string packet = view_->encode(bs->id, stmt_->param_types);
    uint8_t seq = 0;
    co_await conn.socket().write_packet(packet, seq);
    mode = ClientSession::RelayMode::kExecute;
  } else if (!payload_.empty() && sql.data() == payload_.data() + 1 &&
             sql.size() + 1 == payload_.size()) {
    // The client's own text: its packet goes as it came.
    uint8_t seq = 0;
    co_await conn.socket().write_packet(payload_, seq);
  } else {
    std::string packet;
    packet.reserve(sql.size() + 1);
    packet.push_back(static_cast<char>(Command::kQuery));
    packet.append(sql);
    uint8_t seq = 0;
    co_await conn.socket().write_packet(packet, seq);
  }
  a.sent = true;
  auto& be = conn.socket();
  // max_sql_execute_time counts from here: the first packet can be the long wait.
  if (s_.watchdog_) s_.watchdog_->watch(conn);
  if (!be.buffered_frame()) co_await be.next_frame();
  Frame f = *be.buffered_frame();
  if (!f.payload.empty() && static_cast<uint8_t>(f.payload[0]) == kErrHeader &&
      f.payload.size() < kMaxFramePayload) {
    auto err = ErrPacket::decode(f.payload);
    if (err && exec::engine::is_retryable_rejection(err->code)) {
      a.kind = Attempt::Kind::kRejected;
      a.error = std::move(*err);
      be.consume(f);
      if (s_.watchdog_) co_await s_.watchdog_->release(conn);
      co_return;
    }
  }
  co_await s_.relay_response(mode);
  if (stmt_ && !sharded_execute_) {
    if (stmt_->leaves_state) conn.needs_reset = true;
    if (view_->flags != 0 && (conn.status_flags & status::kCursorExists)) {
      s_.cursor_statement_ = stmt_id_;
      s_.cursor_rows_ = 0;
      s_.pin(session::PinReason::kCursor);
    }
  }
}

asio::awaitable<exec::engine::WriteAttempt> SessionCursor::write(const Target& target,
                                                                 std::string_view sql) {
  exec::engine::WriteAttempt w;
  w.slice = slice_of(target);
  auto* c = co_await s_.slice_connection(w.slice, target.db);
  if (!c) {
    w.kind = Attempt::Kind::kFailed;  // the error went to the client
    co_return w;
  }
  w.instance = c->endpoint().address();
  std::optional<std::string> failure;
  backend::SimpleResult r;
  if (s_.watchdog_) s_.watchdog_->watch(*c);
  try {
    r = co_await c->query(sql);
  } catch (const std::exception& e) {
    failure = failure_text(e);
  }
  if (failure) {
    w.kind = Attempt::Kind::kLost;
    w.sent = true;  // its outcome on that slice is unknown
    w.failure = *failure;
    co_return w;
  }
  co_await s_.release_watched(c);
  if (s_.watchdog_ && s_.watchdog_->timed_out()) {
    // Over max_sql_execute_time: the targets not reached yet are left alone.
    w.kind = Attempt::Kind::kServerError;
    w.timed_out = true;
    w.error = s_.timeout_error();
    if (r.ok) w.ok = r.ok_packet;
    co_return w;
  }
  if (!r.ok) {
    w.kind = exec::engine::is_retryable_rejection(r.err.code) ? Attempt::Kind::kRejected
                                                              : Attempt::Kind::kServerError;
    w.error = r.err;
    co_return w;
  }
  s_.state_.absorb_ok(r.ok_packet, *c);
  w.ok = r.ok_packet;
  co_return w;
}

asio::awaitable<bool> SessionCursor::reserve_ids(const std::string& key) {
  // A statement that needs more ids than one reservation holds (the sequence's max_limit)
  // would reserve forever: a few reservations, not more.
  constexpr int kMaxRefills = 3;
  if (++s_.sequence_refills_ > kMaxRefills) {
    co_await s_.send_error(errc::kUnknownError,
                           "global sequence for " + key +
                               " has no ids available: the statement needs more ids than one "
                               "reservation of the sequence holds (its max_limit)");
    co_return false;
  }
  co_return co_await s_.refill_sequence(key);
}

asio::awaitable<bool> SessionCursor::load_schema(const std::string& table) {
  // A statement is planned again after a load and trusts the columns then; more loads than a
  // few in one command would be a loop.
  constexpr int kMaxLoads = 3;
  if (++s_.schema_loads_ > kMaxLoads) {
    co_await s_.send_error(errc::kUnknownError,
                           "the columns of " + table + " keep changing while Tessera reads them");
    co_return false;
  }
  co_return co_await s_.load_schema(table);
}

asio::awaitable<void> SessionCursor::plan_again() {
  if (!again_) {
    co_await s_.send_error(errc::kUnknownError, "internal error: a plan that cannot be replanned");
    co_return;
  }
  co_await again_();
}

asio::awaitable<bool> SessionCursor::control_transaction(exec::engine::TransactionStatement,
                                                         std::string_view sql) {
  co_return co_await s_.control_transaction(sql, info_);
}

bool SessionCursor::one_copy_counts() const {
  return s_.namespace_->global_write_affected_rows == config::GlobalAffectedRows::kSingle;
}

bool SessionCursor::wants_atomic(const std::vector<exec::engine::Query>& queries,
                                 const exec::engine::FanOutSpec& spec) const {
  return s_.wants_atomic_write(queries, spec, info_);
}

asio::awaitable<Attempt> SessionCursor::atomic_write(
    const std::vector<exec::engine::Query>& queries, const exec::engine::FanOutSpec& spec) {
  co_return co_await s_.run_atomic_write(queries, spec, info_);
}

asio::awaitable<void> SessionCursor::end_fan_out(const exec::engine::FanOutSpec& spec,
                                                 OkPacket total) {
  if (spec.generated_id != 0) {
    total.last_insert_id = spec.generated_id;
    s_.state_.last_insert_id = spec.generated_id;
  }
  total.status_flags = s_.state_.status_flags & ~status::kSessionStateChanged;
  if (s_.conn_) s_.after_statement(&info_);
  s_.release_slices();
  co_await s_.reply_.send_ok(total);
}

asio::awaitable<void> SessionCursor::fail_fan_out(const Target& target, ErrPacket error,
                                                  bool roll_back_all) {
  (void)target;
  if (roll_back_all) co_await s_.xa_abort();
  if (s_.conn_) s_.after_statement(&info_);
  s_.release_slices();
  co_await s_.send_error(error);
}

bool SessionCursor::in_distributed_transaction() const {
  return s_.xa_open();
}

asio::awaitable<exec::engine::StatementTxn> SessionCursor::begin_statement_txn() {
  using exec::engine::StatementTxn;
  // Inside the client's transaction (autocommit=0 opens one with this statement) the slices
  // join it as any statement's do; the primitive undoes a failure through its savepoints.
  if (s_.client_in_transaction() || !(s_.state_.status_flags & status::kAutocommit))
    co_return StatementTxn::kClient;
  if (!s_.xa_) {
    // (named: GCC 12 mishandles temporaries inside co_await expressions)
    const ErrorCode not_supported{1235, "42000"};
    const std::string why =
        "this statement reads rows and then writes them on several sub-tables (a shard-key "
        "change, ORDER BY/LIMIT over several shards), which needs transaction_mode \"xa\" or an "
        "explicit transaction in a best_effort namespace";
    co_await s_.send_error(not_supported, why);
    co_return StatementTxn::kRefused;
  }
  // A transaction of its own, joined by every slice the statement reaches (slice_connection),
  // as run_atomic_write's; committed in one phase when a single slice wrote.
  s_.xa_->begin();
  co_return StatementTxn::kOwn;
}

asio::awaitable<std::optional<ErrPacket>> SessionCursor::end_statement_txn(bool commit) {
  if (!s_.xa_open()) co_return std::nullopt;
  if (!commit) {
    co_await s_.xa_abort();
    co_return std::nullopt;
  }
  auto failure = co_await s_.xa_commit();
  s_.xa_release_participants();
  co_return failure;
}

bool SessionCursor::found_rows() const {
  return s_.state_.found_rows;
}

bool SessionCursor::reads_from_replica() const {
  return s_.user_->rw_split && s_.route_statement(info_).target == session::RouteTarget::kReplica;
}

bool SessionCursor::may_retry() const {
  return s_.may_retry_statement() && !info_.is_multi_statement;
}

bool SessionCursor::output_started() const {
  return s_.reply_.sent();
}

int SessionCursor::deadlock_retries() const {
  return s_.config_->proxy().deadlock_retries;
}

bool SessionCursor::in_transaction() const {
  return s_.client_in_transaction();
}

void SessionCursor::request_check(const Target& target) {
  auto& topo = s_.topology();
  if (scattering_ && target.slice.empty()) {
    for (const auto& slice : scatter_slices_) topo.request_check(s_.namespace_->name, slice);
    return;
  }
  topo.request_check(s_.namespace_->name, slice_of(target));
}

void SessionCursor::settle(const Target& target, Settle how) {
  if (on_replica_) return;  // run_on_replica gave its connection back
  const std::string& slice = slice_of(target);
  if (target.slice.empty() || slice == s_.namespace_->default_slice) {
    if (how == Settle::kDiscard) {
      s_.drop_backend();
    } else {
      s_.release_backend();
    }
    if (target.slice.empty()) return;
  }
  auto it = s_.slice_conns_.find(slice);
  if (it == s_.slice_conns_.end() || !it->second) return;
  auto& lease = it->second;
  lease.set_joined_transaction(false);
  if (how == Settle::kDiscard) {
    lease.discard();
  } else {
    lease.end_use(s_.lease_facts(lease));
  }
}

void SessionCursor::note_retry(const Attempt& attempt, bool deadlock, int count) {
  auto& counters = s_.worker_.context().counters;
  const std::string where = attempt.instance.empty() ? std::string("a server") : attempt.instance;
  if (deadlock) {
    counters.deadlock_retries++;
    spdlog::info("failover: client {}: deadlock on {} (slice {}); retry {} of {}", s_.peer_text(),
                 where, attempt.slice, count, deadlock_retries());
    return;
  }
  counters.failover_retries++;
  s_.retry_after_instance_ = attempt.instance;
  s_.retry_after_time_ = std::chrono::system_clock::now();
  if (attempt.kind == Attempt::Kind::kLost) {
    spdlog::info("failover: client {}: lost connection to {} of slice {} ({}); {} again",
                 s_.peer_text(), where, attempt.slice, attempt.failure,
                 attempt.sent ? "reading" : "sending the statement");
  } else {
    spdlog::info(
        "failover: client {}: {} of slice {} is read-only (error {}); retrying on the "
        "new primary",
        s_.peer_text(), where, attempt.slice, attempt.error.code);
  }
}

asio::awaitable<void> SessionCursor::pause(std::chrono::milliseconds how_long) {
  asio::steady_timer timer(s_.worker_.io(), how_long);
  co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
}

void SessionCursor::wrap_up(const Target& target, bool with_info) {
  if (stmt_) {
    stmt_->long_data.clear();
    if (sharded_execute_) {
      s_.release_slices();
      if (s_.conn_) s_.after_statement(nullptr);
      return;
    }
  }
  if (target.slice.empty() || on_default_) {
    s_.after_statement(with_info ? &info_ : nullptr);
    return;
  }
  s_.keep_for_diagnostics_ = false;
  s_.release_slices();
}

asio::awaitable<void> SessionCursor::finish(const Target& target) {
  if (on_replica_) {
    if (stmt_) stmt_->long_data.clear();  // run_on_replica gave its connection back
  } else {
    if (!stmt_) co_await s_.xa_after_relay();
    // A statement the server would not prepare did not run: nothing of it to apply.
    wrap_up(target, /*with_info=*/!prepare_refused_);
  }
  if (prepare_refused_) co_await s_.send_error(*prepare_refused_);
}

asio::awaitable<void> SessionCursor::report_lost(const Target& target, std::string_view what) {
  if (stmt_) stmt_->long_data.clear();
  if (scattering_ && target.slice.empty()) {
    // The scatter gave up its connections already; `what` says what broke.
    co_await s_.send_error(errc::kBackendLost, std::string(what));
    co_return;
  }
  if (target.slice.empty()) {
    co_await s_.send_backend_failure(what);
    co_return;
  }
  co_await s_.send_slice_failure(target.slice, what);
}

asio::awaitable<void> SessionCursor::report_error(const Target& target, const ErrPacket& server,
                                                  Failure kind) {
  ErrPacket error = server;
  if (s_.xa_open()) {
    // Inside a distributed transaction the client must learn which slice refused, and that a
    // deadlock (the server rolled its branch back) ends the transaction on every slice.
    error.message += " (on slice " + slice_of(target) + ")";
    if (kind == Failure::kDeadlock)
      error.message += "; the transaction was rolled back on every slice";
  }
  switch (kind) {
    case Failure::kTransactionLost:
      // The transaction's connection goes (closing it rolls the transaction back there).
      settle(target, Settle::kDiscard);
      s_.drop_backend();
      s_.unpin();
      s_.state_.status_flags &= ~status::kInTrans;
      co_await s_.send_error(error);
      wrap_up(target, /*with_info=*/false);
      co_return;
    case Failure::kReadOnly:
      co_await s_.send_error(error);
      wrap_up(target, /*with_info=*/false);
      co_return;
    case Failure::kDeadlock:
      s_.keep_for_diagnostics_ = true;
      co_await s_.send_error(error);
      // A deadlock inside a distributed transaction rolled back this branch: the others go too.
      if (s_.xa_open()) co_await s_.xa_abort();
      wrap_up(target, /*with_info=*/true);
      co_return;
  }
}

}  // namespace tessera::frontend
