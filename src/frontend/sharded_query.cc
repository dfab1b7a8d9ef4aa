// Statements of a namespace with shard rules: parse, plan (router/), then run the plan's
// queries on the slices' backend connections and answer the client: a relayed result, one OK
// for a fan-out write, a merged result set, or a locally built one (EXPLAIN, SHOW TABLES).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <set>
#include <utility>

#include "backend/backend_error.h"
#include "exec/engine/retry_policy.h"
#include "frontend/client_session.h"
#include "frontend/session_cursor.h"
#include "frontend/worker.h"
#include "protocol/constants.h"
#include "protocol/error_codes.h"
#include "protocol/text_result.h"
#include "router/explain.h"
#include "router/planner.h"
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
  const std::string& want_db = db.empty() ? state_.db : db;
  // The slice's current primary (issue 6), held while a failover is in progress. After a
  // failure the statement is being retried: news of the failed instance newer than the
  // failure first (every slice the retry acquires sees it; it names one instance). Not
  // connected at all (refused, or lost before the greeting: a server just killed), the
  // statement certainly did not run there: the monitor is asked to look and the slice's
  // primary is chosen again, a few times within the hold time, as for the default slice.
  std::string failed_instance = retry_after_instance_;
  std::chrono::system_clock::time_point failed_at = retry_after_time_;
  // best_effort: the slice joins the client's transaction with a plain BEGIN; xa: with XA START.
  bool start_txn = !xa_ && client_in_transaction() && !lease.joined_transaction();
  backend::ConnectOptions opts = connect_options(want_db.empty());
  for (int attempt = 0;; ++attempt) {
    if (!lease) {
      backend::ConnectionPool* pool =
          co_await write_pool(slice, want_db, failed_instance, failed_at);
      if (!pool) co_return nullptr;
      lease.aim(pool);
    }
    auto refused = co_await lease.acquire(opts, want_db, &replay_);
    if (!refused) break;
    if (refused->not_connected() && attempt < 3 && may_retry_statement()) {
      failed_instance = lease.pool()->endpoint().address();
      failed_at = std::chrono::system_clock::now();
      topology().request_check(namespace_->name, slice);
      worker_.context().counters.failover_retries++;
      spdlog::info(
          "failover: client {}: cannot connect to {} of slice {} ({}); retrying on the "
          "slice's primary",
          peer_text(), failed_instance, slice, refused->err.message);
      continue;
    }
    // A refused database leaves the connection as it was: the rule decides, as at any end.
    if (refused->stage == backend::LeaseError::Stage::kDatabase) lease.end_use(lease_facts(lease));
    worker_.context().counters.backend_errors++;
    co_await send_error(refused->err);
    co_return nullptr;
  }
  std::optional<ErrPacket> failure;
  if (start_txn) {
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

// What a transaction statement ends beyond the default slice: the session's distributed (XA)
// transaction, or the transactions other slices joined with a plain BEGIN. true: the client
// has its answer; false: the statement runs on the default slice as any other (after this
// ended the other slices' part). exec/engine/transaction_control.h runs it before that route.
asio::awaitable<bool> ClientSession::control_transaction(std::string_view sql,
                                                         const sql::StatementInfo& info) {
  if (xa_ && co_await try_transaction_control(sql, info)) co_return true;
  using sql::StatementKind;
  if (info.kind != StatementKind::Commit && info.kind != StatementKind::Rollback) co_return false;
  if (slice_conns_.empty() || !slices_in_transaction()) co_return false;
  auto failure = co_await end_slice_transactions(sql);
  if (!failure) co_return false;
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

bool ClientSession::names_no_rule_table(std::string_view sql,
                                        const sql::StatementInfo& info) const {
  // Such a statement over no sharded or global table plans to the default slice, and could
  // not be refused for naming one if it failed to parse: no need to parse it.
  return !info.is_multi_statement && router::plans_by_named_tables(info.kind) &&
         !rules_->may_be_named_in(sql);
}

asio::awaitable<bool> ClientSession::try_sharded(std::string_view sql,
                                                 const sql::StatementInfo& info) {
  if (!rules_ || rules_->empty()) co_return false;
  // (A single transaction statement comes as a TransactionControl plan: engine_run.cc; a
  // multi-statement or a dynamic one comes here.)
  if (transaction_statement(info)) {
    if (co_await control_transaction(sql, info)) co_return true;
    if (info.kind == sql::StatementKind::Commit || info.kind == sql::StatementKind::Rollback)
      co_return false;
  }
  if (names_no_rule_table(sql, info)) co_return false;
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
  in.schema = &rules_->schema();
  in.schema_loaded = schema_loads_ > 0;
  in.current_db = state_.db;
  in.sequences = &worker_.sequences();
  in.sequence_config = &namespace_->global_sequences;
  in.traits.is_read = info.is_read();
  in.traits.multi_statement = info.is_multi_statement;
  router::Plan plan = router::plan_statement(sql, parsed, in, *arena_);
  if (plan.kind == router::PlanKind::kDefaultSlice) co_return false;
  // A global sequence's ids ran out: the plan is a SequenceFetch, which plans this again.
  std::function<asio::awaitable<void>()> again = [this, sql, &info]() -> asio::awaitable<void> {
    co_await try_sharded(sql, info);
  };
  co_await execute_plan(plan, info, again);
  co_return true;
}

sql::ParseResult ClientSession::parse_for_plan(std::string_view sql) {
  return parser_.parse(sql, *arena_);
}

asio::awaitable<void> ClientSession::execute_plan(
    router::Plan& plan, const sql::StatementInfo& info,
    const std::function<asio::awaitable<void>()>& plan_again) {
  switch (plan.kind) {
    case router::PlanKind::kError:
      co_await send_error(plan.error.code, plan.error.message);
      co_return;
    case router::PlanKind::kExplain:
      co_await send_explain(plan);
      co_return;
    case router::PlanKind::kDefaultSlice:
      co_await send_error(errc::kUnknownError, "internal error: unexpected plan");
      co_return;
    case router::PlanKind::kRoute:
      break;
  }
  for (const auto& q : plan.queries) tally_.backend_sql.push_back(q.sql);  // statistics
  if (plan.root) {
    SessionCursor cursor(*this, info, {});
    cursor.set_plan_again(plan_again);
    co_await plan.root->run(cursor);
    forget_changed_schema(plan);
    co_return;
  }
  if (plan.result == router::ResultMode::kShowTables) {
    co_await run_show_tables(plan);
    co_return;
  }
  co_await send_error(errc::kUnknownError, "internal error: a plan without primitives");
}

void ClientSession::forget_changed_schema(const router::Plan& plan) {
  if (!rules_) return;
  // DDL through Tessera: the columns learned of its table are out of date (failed or not, it
  // may have changed some physical tables); the next statement that needs them reads them.
  for (const auto& table : plan.schema_changes) {
    if (auto names = router::SchemaCatalog::split_key(table))
      rules_->schema().forget(names->first, names->second);
  }
  // An INSERT planned from learned columns that the backend found not to fit its table (its
  // columns changed behind Tessera: DDL sent to the backends directly). The server's own
  // error went to the client (the shards' statements carry no column list, so a server
  // matches the values to its own columns and refuses them, never shifts them); the next
  // statement reads the columns again.
  constexpr uint16_t kErWrongValueCount = 1136, kErBadField = 1054;
  if (!plan.schema_used.empty() &&
      (tally_.error_code == kErWrongValueCount || tally_.error_code == kErBadField)) {
    if (auto names = router::SchemaCatalog::split_key(plan.schema_used)) {
      rules_->schema().forget(names->first, names->second);
      spdlog::info(
          "schema: the backends answered {} to an INSERT planned from the columns "
          "Tessera had of {}; they will be read again",
          tally_.error_code, plan.schema_used);
    }
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
  if (reply_.sent()) {
    spdlog::warn("client {}: slice {} failed mid-result: {}", peer_text(), slice, what);
    client_.close();
    co_return;
  }
  co_await send_error(errc::kBackendLost,
                      "Lost connection to backend of slice " + slice + ": " + failure_reason(what) +
                          (rolled_back ? "; the transaction was rolled back on every slice" : ""));
}

bool ClientSession::one_copy_count(const exec::engine::FanOutSpec& spec) const {
  return spec.writes_copies &&
         namespace_->global_write_affected_rows == config::GlobalAffectedRows::kSingle;
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
  co_await reply_.send_result(b);
}

asio::awaitable<void> ClientSession::send_explain(const router::Plan& plan) {
  TextResultBuilder b(client_caps_, state_.status_flags & ~status::kSessionStateChanged,
                      client_mariadb_caps_ & mariadb_cap::kExtendedTypeInfo);
  for (auto& c : router::kExplainColumns)
    b.add_column(ColumnDefinition::text(std::string(c.name), c.length));
  for (auto& r : router::explain_rows(plan)) {
    std::vector<std::optional<std::string>> row{std::move(r.type), std::move(r.slice),
                                                std::move(r.db), std::move(r.sql)};
    b.add_row(row);
  }
  co_await reply_.send_result(b);
}

}  // namespace tessera::frontend
