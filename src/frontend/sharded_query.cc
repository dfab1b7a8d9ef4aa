// Statements of a namespace with shard rules: parse, plan (router/), then run the plan's
// queries on the slices' backend connections and answer the client: a relayed result, one OK
// for a fan-out write, a merged result set, or a locally built one (EXPLAIN, SHOW TABLES).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <set>

#include "backend/backend_error.h"
#include "frontend/client_session.h"
#include "frontend/worker.h"
#include "protocol/constants.h"
#include "protocol/error_codes.h"
#include "protocol/text_result.h"
#include "router/planner.h"
#include "router/planner/table_scan.h"
#include "sql/parser.h"

namespace tessera::frontend {

using namespace protocol;

namespace {

// Does the text mention a table the rules know? Used when the statement could not be parsed:
// passing it to the default slice could then write one copy of a global table, or a table that
// only exists split into shards.
const router::ShardRule* mentioned_rule(std::string_view sql, const router::ShardRuleSet& rules) {
  std::string lower(sql);
  for (auto& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  for (auto& r : rules.rules()) {
    std::string t = r->table();
    for (auto& c : t) c = char(std::tolower(static_cast<unsigned char>(c)));
    size_t pos = 0;
    while ((pos = lower.find(t, pos)) != std::string::npos) {
      auto word = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
      };
      bool start = pos == 0 || !word(lower[pos - 1]);
      bool end = pos + t.size() >= lower.size() || !word(lower[pos + t.size()]);
      if (start && end) return r.get();
      pos += t.size();
    }
  }
  return nullptr;
}

std::string command_packet(std::string_view sql) {
  std::string p;
  p.reserve(sql.size() + 1);
  p.push_back(static_cast<char>(Command::kQuery));
  p.append(sql);
  return p;
}

}  // namespace

bool ClientSession::slices_in_transaction() const {
  for (auto& [name, lease] : slice_conns_) {
    if (lease && (lease.joined_transaction() || (lease->status_flags & status::kInTrans)))
      return true;
  }
  return false;
}

bool ClientSession::client_in_transaction() const {
  return xa_open() || (conn_ && (conn_->status_flags & status::kInTrans)) ||
         slices_in_transaction();
}

void ClientSession::release_slices() {
  // Its statement may have been killed half-way: the distributed transaction is over too (the
  // rule below closes every connection of a gone client).
  if (client_gone_) xa_abandon();
  for (auto& [name, lease] : slice_conns_) lease.end_use(lease_facts(lease));
}

void ClientSession::drop_slices() {
  xa_abandon();
  for (auto& [name, lease] : slice_conns_) lease.discard();
}

asio::awaitable<backend::BackendConnection*> ClientSession::slice_connection(
    const std::string& slice, const std::string& db) {
  if (slice == namespace_->default_slice) {
    if (!co_await ensure_backend()) co_return nullptr;
    if (!db.empty() && conn_->db != db) {
      std::optional<std::string> failure;
      try {
        auto r = co_await conn_->init_db(db);
        if (!r.ok) failure = r.err.message;
      } catch (const std::exception& e) {
        failure = failure_text(e);
      }
      if (failure) {
        co_await send_error(errc::kBadDb,
                            "cannot use database " + db + " on slice " + slice + ": " + *failure);
        co_return nullptr;
      }
    }
    co_return conn_.get();
  }
  auto& lease = slice_conns_.try_emplace(slice, slice).first->second;
  if (!lease) {
    // The slice's current primary (issue 6), held while a failover is in progress.
    backend::ConnectionPool* pool = co_await write_pool(slice, db.empty() ? state_.db : db);
    if (!pool) co_return nullptr;
    lease.aim(pool);
  }
  // best_effort: the slice joins the client's transaction with a plain BEGIN; xa: with XA START.
  bool start_txn = !xa_ && client_in_transaction() && !lease.joined_transaction();
  const std::string& want_db = db.empty() ? state_.db : db;
  backend::ConnectOptions opts = connect_options(want_db.empty());
  std::optional<ErrPacket> failure;
  if (auto refused = co_await lease.acquire(opts, want_db, &replay_)) {
    // A refused database leaves the connection as it was: the rule decides, as at any end.
    if (refused->stage == backend::LeaseError::Stage::kDatabase) lease.end_use(lease_facts(lease));
    worker_.context().counters.backend_errors++;
    co_await send_error(refused->err);
    co_return nullptr;
  }
  if (!failure && start_txn) {
    // The client opened a transaction (on the default slice); this slice joins it.
    auto r = co_await lease.query("BEGIN");
    if (!r.ok)
      failure = r.err;
    else
      lease.set_joined_transaction(true);
  }
  if (!failure && xa_join_) {
    failure = co_await xa_join(slice, *lease);
    if (!failure && xa_open() && xa_->has(slice)) lease.set_joined_transaction(true);
  }
  if (failure) {
    worker_.context().counters.backend_errors++;
    lease.discard();
    co_await send_error(*failure);
    co_return nullptr;
  }
  co_return lease.get();
}

// COMMIT / ROLLBACK reach every slice the transaction touched, then the default slice (the
// caller's normal path). Without XA (a later issue) a failure part-way is reported as such.
asio::awaitable<std::optional<ErrPacket>> ClientSession::end_slice_transactions(
    std::string_view sql) {
  std::optional<ErrPacket> failure;
  for (auto& [name, lease] : slice_conns_) {
    if (!lease || !(lease.joined_transaction() || (lease->status_flags & status::kInTrans)))
      continue;
    auto r = co_await lease.query(sql);  // (a lost connection is discarded: rolled back there)
    if (!r.ok && !failure) {
      failure = r.err;
      failure->message += lease ? " (on slice " + name + ")" : " (ending the transaction)";
    }
    lease.set_joined_transaction(false);
  }
  release_slices();
  co_return failure;
}

asio::awaitable<bool> ClientSession::try_sharded(std::string_view sql,
                                                 const sql::StatementInfo& info) {
  if (!rules_ || rules_->empty()) co_return false;
  if (xa_ && co_await try_transaction_control(sql, info)) co_return true;
  using sql::StatementKind;
  if (info.kind == StatementKind::Commit || info.kind == StatementKind::Rollback) {
    if (!slice_conns_.empty() && slices_in_transaction()) {
      auto failure = co_await end_slice_transactions(sql);
      if (failure) {
        // The default slice still ends its part; the client hears about the failure.
        if (conn_) {
          std::optional<std::string> lost;
          try {
            co_await conn_->query(sql);
          } catch (const std::exception& e) {
            lost = failure_text(e);
          }
          if (lost) drop_backend();
        }
        after_statement(&info);
        co_await send_error(*failure);
        co_return true;
      }
    }
    co_return false;
  }
  if (!arena_) arena_ = std::make_unique<sql::Arena>();
  arena_->reset();
  sql::ParseResult parsed = parse_for_plan(sql);
  if (!parsed.ok()) {
    if (auto* r = mentioned_rule(sql, *rules_)) {
      std::string why =
          info.is_multi_statement
              ? "multi-statement queries that touch sharded or global tables are not supported"
              : "Tessera could not parse this statement (" + parsed.error.message +
                    ") and it mentions " + std::string(r->is_global() ? "global" : "sharded") +
                    " table " + r->table() + ", so it cannot be routed safely";
      co_await send_error(parsed.error.too_deep ? errc::kStackOverrun : ErrorCode{1064, "42000"},
                          why);
      co_return true;
    }
    co_return false;
  }
  router::PlanInput in;
  in.rules = rules_.get();
  in.current_db = state_.db;
  in.sequences = &worker_.sequences();
  in.sequence_config = &namespace_->global_sequences;
  router::Plan plan = router::plan_statement(sql, parsed, in, *arena_);
  if (plan.kind == router::PlanKind::kError && !plan.needs_sequence.empty()) {
    if (!co_await refill_sequence(plan.needs_sequence)) co_return true;
    arena_->reset();
    parsed = parse_for_plan(sql);
    plan = router::plan_statement(sql, parsed, in, *arena_);
  }
  if (plan.kind == router::PlanKind::kDefaultSlice) co_return false;
  co_await execute_plan(plan, info);
  co_return true;
}

sql::ParseResult ClientSession::parse_for_plan(std::string_view sql) {
  return parser_.parse(sql, *arena_);
}

asio::awaitable<void> ClientSession::execute_plan(router::Plan& plan,
                                                  const sql::StatementInfo& info) {
  switch (plan.kind) {
    case router::PlanKind::kError:
      co_await send_error(plan.error.code, plan.error.message);
      co_return;
    case router::PlanKind::kExplain:
      co_await send_explain(plan);
      co_return;
    case router::PlanKind::kLocalResult:
    case router::PlanKind::kDefaultSlice:
      co_await send_error(errc::kUnknownError, "internal error: unexpected plan");
      co_return;
    case router::PlanKind::kRoute:
      break;
  }
  for (const auto& q : plan.queries) tally_.backend_sql.push_back(q.sql);  // statistics
  switch (plan.result) {
    case router::ResultMode::kRelay:
      if (plan.generated_id == 0) {
        co_await run_relay(plan.queries[0], info);
        co_return;
      }
      [[fallthrough]];
    case router::ResultMode::kSumAffected:
      co_await run_fan_out(plan, info);
      co_return;
    case router::ResultMode::kShowTables:
      co_await run_show_tables(plan);
      co_return;
    case router::ResultMode::kMerge:
      co_await run_merge(plan);
      co_return;
  }
}

asio::awaitable<std::optional<std::string>> ClientSession::on_slice(
    const std::string& slice, const std::function<asio::awaitable<void>()>& work) {
  std::optional<std::string> failure;
  std::optional<ConnSwap> swap;
  if (slice != namespace_->default_slice)
    swap.emplace(*this, slice_conns_.try_emplace(slice, slice).first->second);
  try {
    co_await work();
  } catch (const std::exception& e) {
    failure = failure_text(e);
  }
  swap.reset();
  co_return failure;
}

asio::awaitable<void> ClientSession::run_relay(const router::ShardQuery& q,
                                               const sql::StatementInfo& info) {
  if (user_->rw_split && route_statement(info).target == session::RouteTarget::kReplica) {
    // A read on one slice: that slice's replicas serve it like an unsharded read.
    const config::Slice* cfg = namespace_->find_slice(q.slice);
    std::string packet = command_packet(q.sql);
    const std::string& db = q.db.empty() ? state_.db : q.db;
    if (cfg && co_await run_on_replica(*cfg, packet, db)) co_return;
  }
  auto* c = co_await slice_connection(q.slice, q.db);
  if (!c) co_return;
  const bool on_default = c == conn_.get();
  std::string packet = command_packet(q.sql);
  std::function<asio::awaitable<void>()> relay = [&]() -> asio::awaitable<void> {
    uint8_t seq = 0;
    co_await conn_->socket().write_packet(packet, seq);
    co_await relay_response(RelayMode::kQuery);
  };
  if (xa_open()) relay_error_note_ = " (on slice " + q.slice + ")";
  auto failure = co_await on_slice(q.slice, relay);
  relay_error_note_.clear();
  if (failure) {
    co_await send_slice_failure(q.slice, *failure);
    co_return;
  }
  co_await xa_after_relay();
  if (on_default) {
    after_statement(&info);
    co_return;
  }
  keep_for_diagnostics_ = false;
  release_slices();
}

asio::awaitable<void> ClientSession::send_slice_failure(const std::string& slice,
                                                        std::string_view what) {
  if (slice == namespace_->default_slice) {
    co_await send_backend_failure(what);
    co_return;
  }
  if (auto it = slice_conns_.find(slice); it != slice_conns_.end()) it->second.discard();
  worker_.context().counters.backend_errors++;
  bool rolled_back = xa_open();
  // The other slices of a distributed transaction must not commit without this one.
  if (rolled_back) co_await xa_abort();
  if (sent_this_command_) {
    spdlog::warn("client {}: slice {} failed mid-result: {}", peer_text(), slice, what);
    client_.close();
    co_return;
  }
  co_await send_error(errc::kBackendLost,
                      "Lost connection to backend of slice " + slice + ": " + failure_reason(what) +
                          (rolled_back ? "; the transaction was rolled back on every slice" : ""));
}

bool ClientSession::one_copy_count(const router::Plan& plan) const {
  return plan.writes_copies &&
         namespace_->global_write_affected_rows == config::GlobalAffectedRows::kSingle;
}

// Runs every query in turn and answers with one OK: affected rows summed, or for copies of one
// write (global tables) one copy's count unless the namespace asks for Gaea's sum (a
// global-table INSERT on three slices then reports 3).
asio::awaitable<void> ClientSession::run_fan_out(const router::Plan& plan,
                                                 const sql::StatementInfo& info) {
  if (wants_atomic_write(plan, info)) {
    co_await run_atomic_write(plan, info);
    co_return;
  }
  OkPacket total;
  std::vector<std::string> done;
  for (auto& q : plan.queries) {
    auto* c = co_await slice_connection(q.slice, q.db);
    if (!c) co_return;
    std::optional<std::string> failure;
    backend::SimpleResult r;
    if (watchdog_) watchdog_->watch(*c);
    try {
      r = co_await c->query(q.sql);
    } catch (const std::exception& e) {
      failure = failure_text(e);
    }
    if (failure) {
      co_await send_slice_failure(q.slice, *failure);
      co_return;
    }
    co_await release_watched(c);
    if (watchdog_ && watchdog_->timed_out()) {
      // Over max_sql_execute_time: the slices not reached yet are left alone.
      if (r.ok) done.push_back(q.slice);
      ErrPacket err = timeout_error();
      if (!done.empty() && plan.is_write) {
        std::string list;
        for (auto& d : done) list += (list.empty() ? "" : ", ") + d;
        err.message += " (already applied on " + list + ")";
      }
      if (c == conn_.get()) after_statement(&info);
      release_slices();
      co_await send_error(err);
      co_return;
    }
    if (!r.ok) {
      ErrPacket err = r.err;
      if (xa_open() && ((!done.empty() && plan.is_write) || err.code == txn::kErLockDeadlock)) {
        // Half a statement inside a distributed transaction (or a deadlock, after which the
        // server has rolled its branch back): the whole transaction goes, as a deadlock would
        // take it on one server.
        err.message +=
            " (on slice " + q.slice + "; the transaction was rolled back on every slice)";
        co_await xa_abort();
        if (c == conn_.get()) after_statement(&info);
        release_slices();
        co_await send_error(err);
        co_return;
      }
      if (!done.empty() && plan.is_write) {
        std::string list;
        for (auto& d : done) list += (list.empty() ? "" : ", ") + d;
        err.message += " (on slice " + q.slice + "; already applied on " + list + ")";
      }
      if (c == conn_.get()) after_statement(&info);
      release_slices();
      co_await send_error(err);
      co_return;
    }
    state_.absorb_ok(r.ok_packet, *c);
    if (!one_copy_count(plan) || done.empty()) {
      total.affected_rows += r.ok_packet.affected_rows;
      total.warnings = static_cast<uint16_t>(total.warnings + r.ok_packet.warnings);
    }
    if (total.last_insert_id == 0) total.last_insert_id = r.ok_packet.last_insert_id;
    done.push_back(q.slice + ":" + (q.index >= 0 ? std::to_string(q.index) : std::string("*")));
  }
  if (plan.generated_id != 0) {
    total.last_insert_id = plan.generated_id;
    state_.last_insert_id = plan.generated_id;
  }
  total.status_flags = state_.status_flags & ~status::kSessionStateChanged;
  if (conn_) after_statement(&info);
  release_slices();
  out_.clear();
  uint8_t seq = reply_seq_;
  append_frames(out_, total.encode(client_caps_), seq);
  co_await flush();
}

asio::awaitable<void> ClientSession::run_show_tables(const router::Plan& plan) {
  std::set<std::string> names;
  std::map<std::string, std::string> types;
  size_t columns = 1;
  for (auto& q : plan.queries) {
    auto* c = co_await slice_connection(q.slice, q.db);
    if (!c) co_return;
    std::optional<std::string> failure;
    backend::SimpleResult r;
    try {
      r = co_await c->query(q.sql);
    } catch (const std::exception& e) {
      failure = failure_text(e);
    }
    if (failure) {
      drop_slices();
      co_await send_backend_failure(*failure);
      co_return;
    }
    if (!r.ok) {
      release_slices();
      if (conn_) after_statement(nullptr);
      co_await send_error(r.err);
      co_return;
    }
    for (auto& row : r.rows) {
      if (row.empty()) continue;
      columns = std::max(columns, row.size());
      std::string name = row[0];
      if (name == "tessera_sequence") continue;  // global-sequence bookkeeping, not user data
      for (auto& [physical, logical] : plan.table_aliases) {
        if (physical == name) name = logical;
      }
      names.insert(name);
      if (row.size() > 1) types[name] = row[1];
    }
  }
  release_slices();
  if (conn_) after_statement(nullptr);
  std::string db = state_.db;
  TextResultBuilder b(client_caps_, state_.status_flags & ~status::kSessionStateChanged,
                      client_mariadb_caps_ & mariadb_cap::kExtendedTypeInfo);
  b.add_column(ColumnDefinition::text("Tables_in_" + db, 64 * 4));
  if (columns > 1) b.add_column(ColumnDefinition::text("Table_type", 64 * 4));
  for (auto& n : names) {
    std::vector<std::optional<std::string>> row{n};
    if (columns > 1) row.push_back(types.count(n) ? types[n] : std::string("BASE TABLE"));
    b.add_row(row);
  }
  out_.clear();
  uint8_t seq = reply_seq_;
  b.finish(out_, seq);
  co_await flush();
}

asio::awaitable<void> ClientSession::send_explain(const router::Plan& plan) {
  TextResultBuilder b(client_caps_, state_.status_flags & ~status::kSessionStateChanged,
                      client_mariadb_caps_ & mariadb_cap::kExtendedTypeInfo);
  b.add_column(ColumnDefinition::text("type", 64));
  b.add_column(ColumnDefinition::text("slice", 256));
  b.add_column(ColumnDefinition::text("db", 256));
  b.add_column(ColumnDefinition::text("sql", 65535));
  for (auto& q : plan.queries) {
    std::vector<std::optional<std::string>> row{plan.explain_type, q.slice, q.db, q.sql};
    b.add_row(row);
  }
  out_.clear();
  uint8_t seq = reply_seq_;
  b.finish(out_, seq);
  co_await flush();
}

}  // namespace tessera::frontend
