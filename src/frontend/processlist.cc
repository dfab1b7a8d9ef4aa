// SHOW [FULL] PROCESSLIST and information_schema.PROCESSLIST (issue 16 item 10). The server's
// list shows Tessera's pooled backend threads (every namespace's, under the slice account);
// a client must see client sessions instead: Tessera's sessions of its namespace, by the ids
// the handshake, CONNECTION_ID() and KILL use. The list is gathered from every worker, becomes
// a derived table, and the client's statement runs over it on the backend, so the server's
// own WHERE / ORDER BY / COUNT apply. What only the server knows about a running statement
// (State, Stage, examined rows, memory, ...; MariaDB 10.11's columns) comes from the server's
// PROCESSLIST row of the backend thread serving it, when that thread is on the server answering.
//
// Visibility, as the server's PROCESS privilege: a user sees its own sessions; a user with
// "process_privilege" sees its namespace's; nobody sees another namespace's.
#include <fmt/format.h>

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>

#include "frontend/client_session.h"
#include "frontend/worker.h"
#include "protocol/constants.h"
#include "session/statement_guard.h"

namespace tessera::frontend {

namespace {

std::string_view command_name(uint8_t command) {
  switch (command) {
    case 0x01:
      return "Quit";
    case 0x02:
      return "Init DB";
    case 0x03:
      return "Query";
    case 0x04:
      return "Field List";
    case 0x09:
      return "Statistics";
    case 0x0c:
      return "Processlist";
    case 0x0e:
      return "Ping";
    case 0x11:
      return "Change user";
    case 0x16:
      return "Prepare";
    case 0x17:
      return "Execute";
    case 0x18:
      return "Long Data";
    case 0x19:
      return "Close stmt";
    case 0x1a:
      return "Reset stmt";
    case 0x1b:
      return "Set option";
    case 0x1c:
      return "Fetch";
    case 0x1f:
      return "Reset connection";
    case 0xfa:
      return "Bulk_execute";
    default:
      return "Query";
  }
}

using Rows = std::vector<ClientSession::ProcessInfo>;

// On `worker`'s thread: its sessions of namespace `ns` (of `user` only unless `all`).
Rows collect(const Worker& worker, const std::string& ns, const std::string& user, bool all,
             std::chrono::steady_clock::time_point now) {
  Rows out;
  for (const ClientSession* s : worker.sessions()) {
    auto info = s->process_info(now);
    if (!info || info->ns != ns || (!all && info->user != user)) continue;
    out.push_back(std::move(*info));
  }
  return out;
}

}  // namespace

std::optional<ClientSession::ProcessInfo> ClientSession::process_info(
    std::chrono::steady_clock::time_point now) const {
  if (!namespace_ || !user_ || phase_ == Phase::kHandshake) return std::nullopt;
  ProcessInfo p;
  p.id = connection_id_;
  p.ns = namespace_->name;
  p.user = user_->user_name;
  // (Asking the socket for its peer changes nothing; PacketSocket only hands it out mutable.)
  std::error_code ec;
  auto remote = const_cast<protocol::PacketSocket&>(client_).socket().remote_endpoint(ec);
  p.host = ec ? peer_ip_ : peer_ip_ + ":" + std::to_string(remote.port());
  p.db = state_.db;
  p.time_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now - phase_since_).count());
  if (phase_ == Phase::kCommand && !command_.empty()) {
    const auto command = static_cast<uint8_t>(command_[0]);
    p.command = std::string(command_name(command));
    if (command == 0x03 || command == 0x16) {
      p.info = command_.substr(1);
    } else if ((command == 0x17 || command == 0x1c) && command_.size() >= 5) {
      auto it = statements_.find(protocol::read_statement_id(std::string_view(command_).substr(1)));
      if (it != statements_.end()) p.info = it->second.sql;
    }
  } else {
    p.command = "Sleep";
  }
  if (conn_) {
    p.backend = conn_->endpoint().address();
    p.backend_id = conn_->connection_id();
  }
  return p;
}

asio::awaitable<void> ClientSession::answer_processlist(std::string_view sql,
                                                        const sql::ShowRequest* show) {
  const sql::LexOptions lex = session::lex_options(state_);
  if (!show && !sql::replace_table(sql, "information_schema", "processlist", "@", state_.db, lex))
    co_return;  // the word is elsewhere (a string, another table): not ours
  if (!co_await ensure_backend()) co_return;
  const std::string here = conn_->endpoint().address();
  const std::string ns = namespace_->name;
  const std::string user = user_->user_name;
  const bool all = user_->process_privilege;
  const auto now = std::chrono::steady_clock::now();
  Rows rows;
  std::optional<std::string> failure;
  try {
    for (Worker* w : worker_.context().session_workers()) {
      if (w == &worker_) {
        Rows mine = collect(*w, ns, user, all, now);
        rows.insert(rows.end(), mine.begin(), mine.end());
        continue;
      }
      // Another worker's sessions are read on its own thread.
      auto task = [w, ns, user, all, now]() -> asio::awaitable<Rows> {
        co_return collect(*w, ns, user, all, now);
      };
      Rows theirs = co_await asio::co_spawn(w->io().get_executor(), task, asio::use_awaitable);
      rows.insert(rows.end(), theirs.begin(), theirs.end());
    }
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (failure || !conn_) {
    // (A worker stopping under us; the connection taken by a KILL meanwhile.)
    co_await send_backend_failure(failure.value_or("backend connection lost"));
    co_return;
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::vector<sql::DerivedRow> table;
  table.reserve(rows.size());
  auto text = [](const std::string& s) -> std::optional<std::string> {
    if (s.empty()) return std::nullopt;
    return s;
  };
  for (const auto& p : rows) {
    table.push_back({std::to_string(p.id), p.user, p.host, text(p.db), p.command,
                     std::to_string(p.time_ms / 1000), text(p.info),
                     fmt::format("{}.000", p.time_ms),
                     std::to_string(p.backend == here ? p.backend_id : 0)});
  }
  static const std::vector<sql::DerivedColumn> kColumns{
      {"ID", true}, {"USER"},          {"HOST"},
      {"DB"},       {"COMMAND"},       {"TIME", true},
      {"INFO"},     {"TIME_MS", true}, {"BACKEND_ID", true}};
  // The server's PROCESSLIST columns; the backend thread's row fills in what the server knows.
  const std::string derived =
      "SELECT t.ID, t.USER, t.HOST, t.DB, t.COMMAND, t.TIME, "
      "IF(t.COMMAND = 'Sleep', '', COALESCE(p.STATE, '')) AS STATE, t.INFO, t.TIME_MS, "
      "COALESCE(p.STAGE, 0) AS STAGE, COALESCE(p.MAX_STAGE, 0) AS MAX_STAGE, "
      "COALESCE(p.PROGRESS, 0) AS PROGRESS, COALESCE(p.MEMORY_USED, 0) AS MEMORY_USED, "
      "COALESCE(p.MAX_MEMORY_USED, 0) AS MAX_MEMORY_USED, "
      "COALESCE(p.EXAMINED_ROWS, 0) AS EXAMINED_ROWS, "
      "COALESCE(p.QUERY_ID, 0) AS QUERY_ID, CAST(t.INFO AS BINARY) AS INFO_BINARY, COALESCE(p.TID, "
      "0) AS TID "
      "FROM (" +
      sql::literal_rows(kColumns, table, lex) +
      ") AS t LEFT JOIN information_schema.PROCESSLIST AS p "
      "ON t.BACKEND_ID <> 0 AND p.ID = t.BACKEND_ID";
  std::string query;
  if (show) {
    query = std::string(
                "SELECT ID AS Id, USER AS User, HOST AS Host, DB AS db, COMMAND AS "
                "Command, TIME AS Time, STATE AS State, ") +
            (show->full ? "INFO" : "LEFT(INFO, 100)") +
            " AS Info, CAST(PROGRESS AS DOUBLE) AS Progress FROM (" + derived +
            ") AS `processlist`";
  } else {
    query = *sql::replace_table(sql, "information_schema", "processlist", derived, state_.db, lex);
  }
  try {
    // (Prepared: its execution counts as the session's, as the text form's query does.)
    co_await relay_own_query(query, /*credit=*/true);
  } catch (const std::exception& e) {
    failure = failure_text(e);
  }
  if (failure) {
    co_await send_backend_failure(*failure);
    co_return;
  }
  after_statement(nullptr);
}

}  // namespace tessera::frontend
