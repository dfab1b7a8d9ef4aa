// Read/write splitting for users with rw_split=1: session/read_routing.h decides whether a
// statement may go to a replica; here a replica of the slice is chosen (by weight, skipping
// down or lagging ones, and for SESSION/GLOBAL consistency one that has applied what the read
// must see, waiting on one with MASTER_GTID_WAIT when none is known to), its pooled connection
// is synced to the session's state, and the statement's result is relayed from it. Whenever
// no replica qualifies the caller runs the statement on the primary as usual.
#include <spdlog/spdlog.h>

#include <array>
#include <vector>

#include "backend/backend_error.h"
#include "frontend/client_session.h"
#include "frontend/worker.h"
#include "protocol/constants.h"
#include "protocol/error_codes.h"
#include "protocol/text_result.h"
#include "session/consistency_statement.h"
#include "session/statement_guard.h"
#include "topology/topology.h"

namespace tessera::frontend {

using namespace protocol;

namespace {

constexpr size_t kMaxReplicas = 16;
// A replica that let a consistent read's wait time out is not waited on again for this long
// (a stopped SQL thread would otherwise cost every read the full timeout).
constexpr auto kWaitFailurePenalty = std::chrono::seconds(5);

std::string instance_key(const config::HostPort& hp) {
  return config::to_string(hp);
}

bool is_mariadb(const backend::BackendConnection& c) {
  return c.server_version().find("MariaDB") != std::string::npos;
}

}  // namespace

config::HostPort ClientSession::primary_address(const config::Slice& slice) {
  // The topology's primary (issue 6), whatever the configuration listed first; the
  // configuration's master while nothing is known or the slice has none right now.
  auto snap = topology().snapshot();
  const topology::SliceView* view = snap ? snap->find(namespace_->name, slice.name) : nullptr;
  if (view && view->primary >= 0) return view->instances[view->primary].address;
  return slice.master;
}

backend::ConnectionPool& ClientSession::primary_pool(const config::Slice& slice) {
  return worker_.pool_for(slice, primary_address(slice), user_);
}

session::RouteDecision ClientSession::route_statement(const sql::StatementInfo& info) const {
  session::RouteSession s;
  s.rw_split = user_->rw_split;
  s.read_only_user = user_->rw_flag == config::RwFlag::kReadOnly;
  s.in_read_only_transaction =
      replica_ && (replica_.joined_transaction() || (replica_->status_flags & status::kInTrans));
  s.in_transaction = (conn_ && (conn_->status_flags & status::kInTrans)) ||
                     (!s.in_read_only_transaction && (state_.status_flags & status::kInTrans)) ||
                     slices_in_transaction();
  s.autocommit = state_.status_flags & status::kAutocommit;
  // The session's primary connection holds something later statements depend on (temporary
  // tables, locks, user variables, an open cursor, the last statement's warnings).
  s.pinned = pinned_ != session::PinReason::kNone || keep_for_diagnostics_ || cursor_statement_;
  return session::decide_route(info, s);
}

bool ClientSession::read_only_applies() const {
  return user_->rw_flag == config::RwFlag::kReadOnly || (namespace_ && namespace_->read_only);
}

asio::awaitable<bool> ClientSession::refuse_read_only_write(std::string_view sql) {
  if (!read_only_applies()) co_return false;
  const bool user_read_only = user_->rw_flag == config::RwFlag::kReadOnly;
  // An allow-list over every statement the server will run (session/statement_guard.h):
  // what is not known to be a read is refused.
  auto verdict = session::check_read_only(sql, session::lex_options(state_), read_only_prepared_,
                                          session::charsets_agree(state_));
  if (verdict.refusal.empty()) {
    for (auto& name : verdict.deallocated) read_only_prepared_.erase(name);
    for (auto& name : verdict.prepared) read_only_prepared_.insert(std::move(name));
    co_return false;
  }
  std::string who = user_read_only ? "User '" + user_->user_name + "' is read-only (rw_flag=1)"
                                   : "Namespace '" + namespace_->name + "' is read-only";
  spdlog::info("client {} ({}@{}): statement refused, read-only: {}", peer_text(), user_->user_name,
               namespace_ ? namespace_->name : "", verdict.refusal);
  co_await send_error(errc::kOptionPreventsStatement,
                      who + " so Tessera cannot execute this statement: " + verdict.refusal);
  co_return true;
}

bool ClientSession::consistency_candidate(std::string_view sql, const sql::StatementInfo& info) {
  return (info.kind == sql::StatementKind::Set || info.kind == sql::StatementKind::Select) &&
         session::may_name_consistency_variable(sql);
}

asio::awaitable<bool> ClientSession::handle_consistency_statement(std::string_view sql,
                                                                  const sql::StatementInfo& info) {
  if (!consistency_candidate(sql, info)) co_return false;
  auto st = session::parse_consistency_statement(sql);
  using Kind = session::ConsistencyStatement::Kind;
  switch (st.kind) {
    case Kind::kNone:
      co_return false;
    case Kind::kInvalid: {
      bool scope = st.problem.find("SESSION variable") != std::string_view::npos;
      co_await send_error(scope ? ErrorCode{1228, "HY000"} : ErrorCode{1064, "42000"},
                          std::string(st.problem));
      co_return true;
    }
    case Kind::kSet: {
      auto level = session::parse_read_consistency(st.value);
      if (!level) {
        co_await send_error(ErrorCode{1231, "42000"},
                            "Variable 'tessera_read_consistency' can't be set to the value of '" +
                                std::string(st.value) + "' (use EVENTUAL, SESSION or GLOBAL)");
        co_return true;
      }
      consistency_ = *level;
      co_await send_ok();
      co_return true;
    }
    case Kind::kSelect: {
      TextResultBuilder b(client_caps_, state_.status_flags & ~status::kSessionStateChanged,
                          client_mariadb_caps_ & mariadb_cap::kExtendedTypeInfo);
      b.add_column(ColumnDefinition::text("@@tessera_read_consistency", 32));
      std::vector<std::optional<std::string>> row{std::string(session::to_string(consistency_))};
      b.add_row(row);
      co_await reply_.send_result(b);
      co_return true;
    }
  }
  co_return false;
}

void ClientSession::release_replica() {
  replica_.end_use(lease_facts(replica_));
}

void ClientSession::drop_replica() {
  replica_.discard();
}

asio::awaitable<std::optional<protocol::GtidSet>> ClientSession::primary_position(
    const config::Slice& slice) {
  // GLOBAL: what the slice's writer has committed as the read begins; on a multi-writer
  // slice, every live writer's position merged (each writes its own GTID domain, and a read
  // may touch tables pinned to any of them).
  std::vector<config::HostPort> writers;
  auto snap = topology().snapshot();
  const topology::SliceView* view = snap ? snap->find(namespace_->name, slice.name) : nullptr;
  if (view && view->multi_writer && !view->writers.empty()) {
    for (int w : view->writers) writers.push_back(view->instances[w].address);
  } else {
    writers.push_back(primary_address(slice));
  }
  std::optional<protocol::GtidSet> pos;
  for (const auto& address : writers) {
    // Tessera's own reading: nothing of the session's state is replayed, and the connection
    // goes back at once (nothing ties the session to it).
    backend::BackendLease probe(slice.name, &worker_.pool_for(slice, address, user_));
    std::optional<protocol::GtidSet> one;
    backend::ConnectOptions opts = connect_options(/*without_database=*/false);
    const std::string no_db;
    std::optional<ErrPacket> failure;
    if (auto refused = co_await probe.acquire(opts, no_db, nullptr)) {
      failure = std::move(refused->err);
    } else {
      auto r = co_await probe.query(is_mariadb(*probe) ? "SELECT @@gtid_binlog_pos"
                                                       : "SELECT @@gtid_executed");
      if (r.ok && !r.rows.empty() && !r.rows[0].empty()) one = GtidSet::parse(r.rows[0][0]);
      if (!r.ok) failure = std::move(r.err);
      probe.end_use(backend::SessionFacts{});
    }
    if (failure) {
      spdlog::debug("client {}: reading {}'s GTID position failed: {}", connection_id_,
                    instance_key(address), failure->message);
    }
    if (!one) co_return std::nullopt;  // one writer's position unknown: the primary serves
    if (!pos) {
      pos = std::move(one);
    } else {
      pos->merge(*one);
    }
  }
  co_return pos;
}

asio::awaitable<bool> ClientSession::choose_read_replica(const config::Slice& slice,
                                                         const std::string& db,
                                                         backend::BackendLease& into) {
  auto& topo = worker_.context().topology();
  auto snap = topo.snapshot();
  const topology::SliceView* view = snap ? snap->find(namespace_->name, slice.name) : nullptr;

  // Candidates: the slice's replicas (statistic users: its statistic replicas, if any).
  std::array<session::ReplicaCandidate, kMaxReplicas> cands{};
  std::array<const config::HostPort*, kMaxReplicas> addrs{};
  size_t n = 0;
  const bool statistic = user_->is_statistic_user() && !slice.statistic_slaves.empty();
  if (view) {
    auto want =
        statistic ? topology::ConfiguredRole::kStatisticSlave : topology::ConfiguredRole::kSlave;
    for (size_t i = 0; i < view->instances.size() && n < kMaxReplicas; ++i) {
      const auto& inst = view->instances[i];
      if (static_cast<int>(i) == view->primary || inst.configured_role != want) continue;
      cands[n].weight = inst.weight;
      cands[n].healthy = inst.health != topology::Health::kDown;
      cands[n].lag = inst.lag_seconds;
      addrs[n++] = &inst.address;
    }
  } else {
    for (const auto& a : statistic ? slice.statistic_slaves : slice.slaves) {
      if (n == kMaxReplicas) break;
      cands[n].weight = a.weight;
      addrs[n++] = &a.address;
    }
  }
  if (n == 0) co_return false;
  std::span<session::ReplicaCandidate> span(cands.data(), n);

  session::ReplicaFilter filter;
  filter.max_lag_seconds = static_cast<double>(slice.max_replication_lag.count());

  // What the read must see: the session's own writes (SESSION), or everything the primary
  // has committed (GLOBAL).
  std::optional<GtidSet> needed_set;
  const GtidSet* needed = nullptr;
  if (consistency_ == session::ReadConsistency::kSession) {
    // The session's writes on any instance of the slice, not only on today's primary: after
    // a failover or on a multi-writer slice they were made elsewhere, and the replicas that
    // follow the current writer(s) carry them all the same.
    auto absorb = [&](const config::HostPort& hp) {
      const GtidSet* w = state_.written_on(instance_key(hp));
      if (!w) return;
      if (!needed) {
        needed = w;
      } else {
        if (!needed_set) needed_set = *needed;
        needed_set->merge(*w);
        needed = &*needed_set;
      }
    };
    if (view) {
      for (const auto& inst : view->instances) absorb(inst.address);
    } else {
      absorb(slice.master);
    }
  } else if (consistency_ == session::ReadConsistency::kGlobal) {
    needed_set = co_await primary_position(slice);
    if (!needed_set) co_return false;  // cannot tell what is needed: the primary serves
    needed = &*needed_set;
  }
  if (needed && needed->empty()) needed = nullptr;

  int pick = -1;
  bool must_wait = false;
  std::array<bool, kMaxReplicas> verified_by_wait{};
  if (!needed) {
    pick = session::choose_replica(span, filter, read_turn_++);
  } else {
    auto now = std::chrono::steady_clock::now();
    for (size_t i = 0; i < n; ++i) {
      std::string key = instance_key(*addrs[i]);
      bool verified = consistency_ == session::ReadConsistency::kSession &&
                      verified_writes_ == state_.writes_tracked && verified_replica_ == key;
      verified_by_wait[i] = verified;
      cands[i].applied = verified || topo.has_applied(key, *needed);
      for (auto& [k, until] : wait_failures_) {
        if (k == key && until > now && !cands[i].applied) cands[i].healthy = false;
      }
    }
    filter.need_applied = true;
    pick = session::choose_replica(span, filter, read_turn_++);
    if (pick < 0) {
      // No replica is known to have the writes yet: wait on one (it usually has them already,
      // Tessera just has not heard).
      filter.need_applied = false;
      pick = session::choose_replica(span, filter, read_turn_++);
      must_wait = pick >= 0;
    }
    // A known position only says which replica to pick. MariaDB hands an event to binlog
    // readers (our follower) at the binlog write, before the storage engine's commit makes the
    // rows visible, so a read sent the instant the position arrives can still miss them: the
    // wait, which returns at once on a replica that has applied the writes, is the fence.
    // Later reads of the same writes on the same replica skip it.
    if (pick >= 0 && !verified_by_wait[pick]) must_wait = true;
  }
  if (pick < 0) co_return false;

  into.aim(slice.name, &worker_.pool_for(slice, *addrs[pick], user_));
  std::optional<std::string> failure;
  bool caught_up = true;
  // The replica connection carries the session's database, variables and character set too.
  backend::ConnectOptions opts = connect_options(/*without_database=*/db.empty());
  if (auto refused = co_await into.acquire(opts, db, &replay_)) {
    failure = refused->err.message;
  } else if (must_wait) {
    double seconds = static_cast<double>(slice.consistent_read_timeout.count()) / 1000.0;
    std::string gtids = needed->to_string();
    std::string wait =
        is_mariadb(*into)
            ? "SELECT MASTER_GTID_WAIT('" + gtids + "', " + std::to_string(seconds) + ")"
            : "SELECT WAIT_FOR_EXECUTED_GTID_SET('" + gtids + "', " + std::to_string(seconds) + ")";
    auto r = co_await into.query(wait);
    if (!into) failure = r.err.message;  // lost (a refusal is "not caught up")
    caught_up = r.ok && !r.rows.empty() && !r.rows[0].empty() && r.rows[0][0] == "0";
  }
  std::string key = instance_key(*addrs[pick]);
  if (failure) {
    spdlog::info("client {}: replica {} unusable for a read ({}); the primary serves it",
                 peer_text(), key, *failure);
    into.discard();
    co_return false;
  }
  if (!caught_up) {
    // Remember, so the next reads do not wait on it again at once; the primary serves this one.
    auto until = std::chrono::steady_clock::now() + kWaitFailurePenalty;
    bool found = false;
    for (auto& [k, u] : wait_failures_) {
      if (k == key) {
        u = until;
        found = true;
      }
    }
    if (!found) wait_failures_.emplace_back(key, until);
    into.end_use(lease_facts(into));
    co_return false;
  }
  if (must_wait && consistency_ == session::ReadConsistency::kSession) {
    verified_replica_ = key;
    verified_writes_ = state_.writes_tracked;
  }
  co_return true;
}

asio::awaitable<bool> ClientSession::run_on_replica(const config::Slice& slice,
                                                    std::string_view payload,
                                                    const std::string& db) {
  std::function<asio::awaitable<void>()> work = [&]() -> asio::awaitable<void> {
    uint8_t seq = 0;
    co_await conn_->socket().write_packet(payload, seq);
    co_await relay_response(RelayMode::kQuery);
  };
  co_return co_await run_on_replica(slice, work, db);
}

asio::awaitable<bool> ClientSession::run_on_replica(
    const config::Slice& slice, const std::function<asio::awaitable<void>()>& work,
    const std::string& db) {
  if (replica_ && replica_.slice() != slice.name) co_return false;  // RO txn elsewhere
  if (!replica_ && !co_await choose_read_replica(slice, db, replica_)) co_return false;
  // Anything the primary connection was kept for is not needed by a read sent elsewhere.
  if (conn_ && pinned_ == session::PinReason::kNone && !(conn_->status_flags & status::kInTrans)) {
    release_backend();
  }
  std::optional<std::string> failure;
  {
    ConnSwap swap(*this, replica_);
    try {
      co_await work();
    } catch (const std::exception& e) {
      failure = failure_text(e);
    }
  }
  if (failure) {
    drop_replica();
    if (!reply_.sent()) co_return false;  // nothing reached the client: the primary serves
    spdlog::warn("client {}: replica failed mid-result: {}", peer_text(), *failure);
    client_.close();
    co_return true;
  }
  // START TRANSACTION READ ONLY keeps the replica for the transaction's next reads.
  replica_.set_joined_transaction(replica_ && (replica_->status_flags & status::kInTrans));
  release_replica();
  co_return true;
}

}  // namespace tessera::frontend
