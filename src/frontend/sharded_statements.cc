// Prepared statements in namespaces with shard rules. A statement that touches a sharded or
// global table cannot be prepared once on the default slice: which sub-tables it reaches
// depends on the values bound at each EXECUTE. So:
//  - PREPARE plans it for the first sub-table only and prepares that text there, which gives
//    the client the real parameter count and column definitions;
//  - EXECUTE decodes the bound values and plans again. One target: the rewritten statement is
//    prepared on that slice's connection and executed in binary, relayed as it comes. Several
//    targets: the values are printed into the SQL as literals, the queries run as text, and
//    a merged result goes back in binary rows.
#include <spdlog/spdlog.h>

#include <functional>

#include "frontend/client_session.h"
#include "frontend/prepare_budget.h"
#include "frontend/session_cursor.h"
#include "frontend/worker.h"
#include "protocol/binary_values.h"
#include "protocol/constants.h"
#include "protocol/error_codes.h"
#include "router/planner.h"
#include "session/connection_hygiene.h"
#include "sql/parser.h"

namespace tessera::frontend {

using namespace protocol;

namespace {

constexpr ErrorCode kNotSupported{1235, "42000"};

router::ShardValue shard_value(const ParamValue& v) {
  switch (v.kind) {
    case ParamValue::Kind::kNull:
      return router::ShardValue::null();
    case ParamValue::Kind::kInt:
      return router::ShardValue::of(v.i);
    case ParamValue::Kind::kUInt:
      return router::ShardValue::of_unsigned(v.u);
    case ParamValue::Kind::kDouble: {
      std::string text;
      append_sql_literal(text, v);
      return router::ShardValue::of(std::move(text));
    }
    case ParamValue::Kind::kTemporal:
      return router::ShardValue::of(v.bytes);
    case ParamValue::Kind::kBytes: {
      // A string that spells an integer compares as that integer (see key_ranges.cc).
      const std::string& s = v.bytes;
      size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
      bool digits = i < s.size() && s.size() - i <= 18;
      for (size_t k = i; digits && k < s.size(); ++k) digits = s[k] >= '0' && s[k] <= '9';
      if (digits) return router::ShardValue::of(int64_t(std::stoll(s)));
      return router::ShardValue::of(s);
    }
  }
  return router::ShardValue::null();
}

}  // namespace

asio::awaitable<bool> ClientSession::try_prepare_sharded(std::string_view payload,
                                                         const sql::StatementInfo& info) {
  std::string_view sql = payload.substr(1);
  if (!arena_) arena_ = std::make_unique<sql::Arena>();
  arena_->reset();
  sql::ParseResult parsed = parse_for_plan(sql);
  if (!parsed.ok()) {
    // Too deep for Tessera to parse, so it cannot tell which tables the statement names:
    // refused (1436) rather than prepared on the default slice.
    if (parsed.error.too_deep) {
      co_await send_error(errc::kStackOverrun, parsed.error.message);
      co_return true;
    }
    co_return false;  // the backend's PREPARE reports the syntax error
  }
  router::PlanInput in;
  in.rules = rules_.get();
  in.schema = &rules_->schema();
  in.schema_loaded = schema_loads_ > 0;
  in.current_db = state_.db;
  in.metadata_only = true;
  in.sequence_config = &namespace_->global_sequences;
  router::Plan plan = router::plan_statement(sql, parsed, in, *arena_);
  if (!plan.needs_schema.empty()) {
    // Even the statement's metadata plan needs a table's columns (`INSERT ... SELECT *`):
    // read them (the client has been told when that fails), then plan again.
    if (!co_await load_schema(plan.needs_schema)) co_return true;
    arena_->reset();
    parsed = parse_for_plan(sql);
    in.schema_loaded = true;
    plan = router::plan_statement(sql, parsed, in, *arena_);
  }
  if (plan.kind == router::PlanKind::kDefaultSlice) co_return false;
  if (plan.kind == router::PlanKind::kError) {
    co_await send_error(plan.error.code, plan.error.message);
    co_return true;
  }
  if (plan.kind != router::PlanKind::kRoute || plan.result == router::ResultMode::kShowTables ||
      plan.queries.empty()) {
    co_await send_error(kNotSupported,
                        "this statement cannot be prepared in a sharded namespace; send it as "
                        "a plain query");
    co_return true;
  }
  const router::ShardQuery& q = plan.queries[0];
  auto* c = co_await slice_connection(q.slice, q.db);
  if (!c) co_return true;
  uint32_t id = next_statement_id_++;
  ClientStatement stmt;
  stmt.sql = std::string(sql);
  stmt.sharded = true;
  // Each EXECUTE is planned with this classification: whether it reads (replicas may serve
  // it, a lost connection runs it again), and the pins a text statement would take.
  stmt.leaves_state = session::leaves_server_state(info);
  stmt.info = info;
  stmt.info.database = {};
  statements_[id] = stmt;
  std::string packet;
  packet.push_back(static_cast<char>(Command::kStmtPrepare));
  packet += q.sql;
  bool prepared_ok = false;
  std::function<asio::awaitable<void>()> prepare_there = [&]() -> asio::awaitable<void> {
    // Within Tessera's budget on that server, as handle_prepare: past it, the copies kept on
    // this connection go first.
    if (conn_->prepared_budget_exhausted()) co_await conn_->close_other_prepared(stmt.sql);
    uint8_t seq = 0;
    co_await conn_->socket().write_packet(packet, seq);
    co_await relay_response(RelayMode::kPrepare, id);
    if (relayed_error_code_ == kErMaxPreparedStmtCount && !conn_->prepared.empty()) {
      // The relay held back a 1461 caused partly by statements kept here for reuse: close
      // them and prepare once more; a second 1461 is the client's answer.
      co_await conn_->close_other_prepared(stmt.sql);
      seq = 0;
      co_await conn_->socket().write_packet(packet, seq);
      co_await relay_response(RelayMode::kPrepare, id);
    }
    prepared_ok = conn_->prepared.count(stmt.sql) != 0;
    // relay_response filed the backend statement under the client's text; it was only
    // prepared for its metadata. Close it; EXECUTE prepares the text it needs.
    co_await conn_->close_prepared(stmt.sql);
  };
  auto failure = co_await on_slice(q.slice, prepare_there);
  if (failure) {
    statements_.erase(id);
    co_await send_slice_failure(q.slice, *failure);
    co_return true;
  }
  if (!prepared_ok) statements_.erase(id);  // the backend refused it (its ERR went to the client)
  keep_for_diagnostics_ = false;
  release_slices();
  if (conn_) after_statement(nullptr);
  co_return true;
}

asio::awaitable<void> ClientSession::execute_sharded(uint32_t id, ClientStatement& stmt,
                                                     StmtExecuteView& view) {
  DecodedParams params =
      decode_execute_params(view, stmt.param_types, stmt.num_params, stmt.long_data);
  if (!params.ok()) {
    co_await send_error(errc::kMalformedPacket, "malformed COM_STMT_EXECUTE: " + params.error);
    co_return;
  }
  std::vector<router::ShardValue> values;
  values.reserve(params.values.size());
  for (auto& p : params.values) values.push_back(shard_value(p));
  if (!arena_) arena_ = std::make_unique<sql::Arena>();
  arena_->reset();
  sql::ParseResult parsed = parse_for_plan(stmt.sql);
  if (!parsed.ok()) {
    co_await send_error(parsed.error.too_deep ? errc::kStackOverrun : ErrorCode{1064, "42000"},
                        parsed.error.message);
    co_return;
  }
  router::PlanInput in;
  in.rules = rules_.get();
  in.schema = &rules_->schema();
  in.schema_loaded = schema_loads_ > 0;
  in.current_db = state_.db;
  in.params = &values;
  // This plan only decides how the statement runs; ids from a global sequence are taken by
  // the plan with literals below (so the ids it prints are the ones it took: no gaps).
  SequenceCache::Peek peek(worker_.sequences());
  in.sequences = &peek;
  in.sequence_config = &namespace_->global_sequences;
  const sql::StatementInfo& info = stmt.info;
  in.traits.is_read = info.is_read();
  in.traits.multi_statement = info.is_multi_statement;
  router::Plan plan = router::plan_statement(stmt.sql, parsed, in, *arena_);
  // A global sequence's ids ran out (here or in the second plan below): a SequenceFetch
  // reserves more and has this EXECUTE planned again; a SchemaFetch reads a table's columns
  // first the same way.
  std::function<asio::awaitable<void>()> again = [&]() -> asio::awaitable<void> {
    co_await execute_sharded(id, stmt, view);
  };
  if (plan.root && (!plan.needs_sequence.empty() || !plan.needs_schema.empty())) {
    co_await execute_plan(plan, info, again);
    co_return;
  }
  if (plan.kind == router::PlanKind::kError) {
    co_await send_error(plan.error.code, plan.error.message);
    co_return;
  }
  if (plan.kind != router::PlanKind::kRoute || plan.queries.empty() ||
      plan.result == router::ResultMode::kShowTables) {
    co_await send_error(kNotSupported,
                        "this statement cannot be executed as a prepared statement in a sharded "
                        "namespace; send it as a plain query");
    co_return;
  }
  // (An id from a global sequence makes it a fan-out: the OK carries the id, and the text
  // must carry it too, so it runs as text below.)
  if (plan.result == router::ResultMode::kRelay && plan.generated_id == 0 && plan.root) {
    // One target: the rewritten text is prepared there (each sub-table's text is a statement
    // of its own on the slice: kept for reuse, within the budget, a 1461 recovered:
    // prepare_budget.h) and executed with the client's parameters.
    SessionCursor cursor(*this, info, id, stmt, view, /*sharded=*/true);
    co_await plan.root->run(cursor);
    forget_changed_schema(plan);
    co_return;
  }
  // Several targets (or a generated id): the values become literals and the queries run as
  // text; writes answer with one OK, reads with a merged result in binary rows.
  std::vector<std::string> literals;
  literals.reserve(params.values.size());
  bool no_backslash = state_.status_flags & status::kNoBackslashEscapes;
  for (auto& p : params.values) {
    std::string lit;
    append_sql_literal(lit, p, no_backslash);
    literals.push_back(std::move(lit));
  }
  in.param_literals = &literals;
  in.sequences = &worker_.sequences();
  arena_->reset();
  parsed = parse_for_plan(stmt.sql);
  plan = router::plan_statement(stmt.sql, parsed, in, *arena_);
  if (plan.kind == router::PlanKind::kError) {
    co_await send_error(plan.error.code, plan.error.message);
    co_return;
  }
  if (!plan.root) {
    co_await send_error(kNotSupported,
                        "this statement cannot be executed as a prepared statement in a sharded "
                        "namespace; send it as a plain query");
    co_return;
  }
  SessionCursor cursor(*this, info, {}, /*binary_rows=*/true);
  cursor.set_plan_again(again);
  co_await plan.root->run(cursor);
  forget_changed_schema(plan);
  stmt.long_data.clear();  // (the values went out as literals)
}

}  // namespace tessera::frontend
