// What a namespace allows one session: statements not on its black_sql list, statements that
// finish within max_sql_execute_time and return at most max_sql_result_size rows, and at most
// max_connections sessions per user.
#include <spdlog/spdlog.h>

#include "frontend/client_session.h"
#include "frontend/worker.h"
#include "protocol/error_codes.h"
#include "session/connection_hygiene.h"
#include "session/statement_guard.h"
#include "sql/fingerprint.h"

namespace tessera::frontend {

using namespace protocol;

namespace {
// MySQL's ER_QUERY_TIMEOUT (max_execution_time exceeded).
constexpr ErrorCode kQueryTimeout{3024, "HY000"};
// ER_SPECIFIC_ACCESS_DENIED_ERROR: the statement is not allowed here, whatever its arguments.
constexpr ErrorCode kStatementDenied{1227, "42000"};
}  // namespace

bool ClientSession::blacklist_applies() const {
  return namespace_ && !namespace_->black_sql.empty();
}

asio::awaitable<bool> ClientSession::refuse_blacklisted(std::string_view sql) {
  if (!blacklist_applies()) co_return false;
  // The lists of the generation this session runs with, so they match namespace_.
  const auto& lists = snapshot_ ? snapshot_->black_lists : worker_.context().black_lists();
  auto ns = lists->find(namespace_->name);
  if (ns == lists->end()) co_return false;
  // Every statement the server will run for this text (each of a multi-statement, those inside
  // compound statements, prepared literals), lexed as the server lexes this session, in the
  // normalised form the list was built in (sql/fingerprint.h: normalize_fingerprint).
  auto candidates = session::black_sql_candidates(sql, session::lex_options(state_));
  if (!candidates.refusal.empty()) {
    spdlog::info("client {} ({}@{}): statement refused, black_sql cannot check it: {}", peer_text(),
                 user_->user_name, namespace_->name, candidates.refusal);
    co_await send_error(kStatementDenied, "Statement refused: namespace '" + namespace_->name +
                                              "' has a black_sql list and " + candidates.refusal);
    co_return true;
  }
  for (const auto& [text, lex] : candidates.texts) {
    auto form = sql::black_sql_form(text, fingerprint_scratch_, lex);
    auto hit = ns->second.find(form.digest);
    if (hit == ns->second.end() || hit->second != form.text) continue;
    spdlog::info("client {} ({}@{}): statement refused by black_sql: {}", peer_text(),
                 user_->user_name, namespace_->name, form.text);
    co_await send_error(kStatementDenied, "Statement refused: its fingerprint '" + form.text +
                                              "' is on the black_sql list of " + "namespace '" +
                                              namespace_->name + "'");
    co_return true;
  }
  co_return false;
}

asio::awaitable<bool> ClientSession::refuse_multi_statement(std::string_view sql,
                                                            const sql::LexOptions& lex) {
  size_t second = 0;
  if (!session::may_hold_several_statements(sql, lex, &second)) co_return false;
  // Without CLIENT_MULTI_STATEMENTS the server's grammar ends at the first ';' and answers
  // what follows with a syntax error before running anything: so does Tessera (its backend
  // connections have multi-statements on, so passing the text on would run them all).
  int line = 1, column = 1;
  sql::line_column(sql, second, &line, &column);
  std::string near(sql.substr(second, 80));
  co_await send_error({1064, "42000"},
                      "You have an error in your SQL syntax; check the manual that corresponds to "
                      "your MySQL server version for the right syntax to use near '" +
                          near + "' at line " + std::to_string(line) +
                          " (Tessera: several statements in one query need "
                          "CLIENT_MULTI_STATEMENTS)");
  co_return true;
}

void ClientSession::arm_statement_limits() {
  watchdog_.reset();
  if (!namespace_) return;
  if (namespace_->max_sql_execute_time.count() > 0 || namespace_->max_sql_result_size > 0) {
    watchdog_.emplace(client_.socket().get_executor(), namespace_->max_sql_execute_time);
  }
}

uint64_t ClientSession::result_row_limit() const {
  return namespace_ && namespace_->max_sql_result_size > 0
             ? static_cast<uint64_t>(namespace_->max_sql_result_size)
             : 0;
}

ErrPacket ClientSession::timeout_error() const {
  auto limit = watchdog_ ? watchdog_->limit() : namespace_->max_sql_execute_time;
  return ErrPacket(kQueryTimeout,
                   "Query execution was interrupted, maximum statement execution time exceeded "
                   "(max_sql_execute_time of namespace '" +
                       namespace_->name + "' is " + std::to_string(limit.count()) + " ms)");
}

ErrPacket ClientSession::too_many_rows_error() const {
  return ErrPacket(errc::kUnknownError,
                   "Result has more rows than " + std::to_string(result_row_limit()) +
                       " (max_sql_result_size of namespace '" + namespace_->name +
                       "'); narrow the query with WHERE or LIMIT, or raise max_sql_result_size");
}

asio::awaitable<void> ClientSession::release_watched(backend::BackendConnection* conn) {
  if (watchdog_ && conn) co_await watchdog_->release(*conn);
}

bool ClientSession::take_user_slot(const config::User& user) {
  free_user_slot();
  // Counted even without a limit, so one set by a reload sees the sessions already open.
  auto counter = worker_.context().user_connections(user.namespace_name, user.user_name);
  int now = counter->fetch_add(1) + 1;
  if (user.max_connections > 0 && now > user.max_connections) {
    counter->fetch_sub(1);
    return false;
  }
  user_slot_ = std::move(counter);
  return true;
}

void ClientSession::free_user_slot() {
  if (user_slot_) user_slot_->fetch_sub(1);
  user_slot_.reset();
}

bool ClientSession::may_assign_variables(const sql::StatementInfo& info) {
  using sql::StatementKind;
  // Plain DML cannot assign a session variable: skip the scan on the hot path.
  switch (info.kind) {
    case StatementKind::Select:
    case StatementKind::Insert:
    case StatementKind::Replace:
    case StatementKind::Update:
    case StatementKind::Delete:
      return info.is_multi_statement;
    default:
      return true;
  }
}

asio::awaitable<bool> ClientSession::refuse_protected_variables(std::string_view sql,
                                                                const sql::StatementInfo& info) {
  if (!may_assign_variables(info)) co_return false;
  auto name = session::protected_variable_assignment(sql);
  if (!name) co_return false;
  tally_.error_code = kStatementDenied.code;
  co_await send_error(kStatementDenied,
                      "Access denied; the session variable '" + std::string(*name) +
                          "' is managed by Tessera and cannot be changed by clients");
  co_return true;
}

}  // namespace tessera::frontend
