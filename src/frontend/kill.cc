// KILL through Tessera. Clients know Tessera's session ids (the handshake's connection id,
// and CONNECTION_ID(), which the backend connection reports through pseudo_thread_id), never
// the backend threads' ids: passing `KILL n` to a backend would stop whichever backend thread
// happens to have id n (another tenant's, a replication thread). So KILL acts on Tessera's
// session n: KILL QUERY stops the statement it is running on its backends, KILL [CONNECTION]
// also closes its client connection. As on one server, a user may kill only its own sessions
// (same user of the same namespace).
#include <spdlog/spdlog.h>

#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#include <charconv>
#include <cstdint>
#include <optional>

#include "frontend/client_session.h"
#include "frontend/worker.h"
#include "protocol/error_codes.h"
#include "sql/ascii_case.h"
#include "sql/lexer.h"

namespace tessera::frontend {

using namespace protocol;

namespace {

using sql::iequals;

constexpr ErrorCode kNoSuchThread{1094, "HY000"};      // ER_NO_SUCH_THREAD
constexpr ErrorCode kKillDenied{1095, "HY000"};        // ER_KILL_DENIED_ERROR
constexpr ErrorCode kConnectionKilled{1927, "70100"};  // ER_CONNECTION_KILLED
constexpr ErrorCode kKillNotSupported{1235, "42000"};  // ER_NOT_SUPPORTED_YET

struct KillRequest {
  bool query_only = false;
  std::optional<uint64_t> id;
  std::string unsupported;  // why the statement cannot be served
};

// KILL [HARD | SOFT] [CONNECTION | QUERY] {n | CONNECTION_ID()}; `own_id`: the session's id
KillRequest parse_kill(std::string_view sql, uint64_t own_id) {
  KillRequest req;
  sql::Lexer lex(sql);
  sql::Token t = lex.next();  // KILL
  t = lex.next();
  auto text = [&](const sql::Token& tok) { return sql.substr(tok.off, tok.len); };
  if (t.type == sql::Tok::Ident && (iequals(text(t), "HARD") || iequals(text(t), "SOFT"))) {
    t = lex.next();
  }
  if (t.type == sql::Tok::Ident && iequals(text(t), "USER")) {
    req.unsupported = "KILL USER through Tessera; kill sessions by their id";
    return req;
  }
  if (t.type == sql::Tok::Ident && iequals(text(t), "CONNECTION")) {
    t = lex.next();
  } else if (t.type == sql::Tok::Ident && iequals(text(t), "QUERY")) {
    req.query_only = true;
    t = lex.next();
    if (t.type == sql::Tok::Ident && iequals(text(t), "ID")) {
      req.unsupported = "KILL QUERY ID through Tessera; use KILL QUERY with the session id";
      return req;
    }
  }
  uint64_t id = 0;
  if (t.type == sql::Tok::Ident && iequals(text(t), "CONNECTION_ID")) {
    // KILL CONNECTION_ID(): the session's own id, the one expression drivers send (to test
    // how they handle a killed connection).
    if (lex.next().type != sql::Tok::LParen || lex.next().type != sql::Tok::RParen) {
      req.unsupported = "KILL of an expression through Tessera; give the session id as a number";
      return req;
    }
    id = own_id;
  } else if (t.type != sql::Tok::Integer) {
    req.unsupported = "KILL of an expression through Tessera; give the session id as a number";
    return req;
  } else {
    auto digits = text(t);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (ec != std::errc() || end != digits.data() + digits.size()) {
      req.unsupported = "KILL of an id out of range";
      return req;
    }
  }
  sql::Token rest = lex.next();
  if (rest.type == sql::Tok::Semicolon) rest = lex.next();
  if (rest.type != sql::Tok::End) {
    req.unsupported = "KILL followed by more text through Tessera";
    return req;
  }
  req.id = id;
  return req;
}

}  // namespace

ClientSession::KillResult ClientSession::kill_from(std::string_view ns, std::string_view user,
                                                   bool query_only) {
  if (!namespace_ || !user_ || namespace_->name != ns || user_->user_name != user) {
    return KillResult::kNotOwner;
  }
  if (phase_ == Phase::kCommand) kill_running_statement();
  if (!query_only) {
    // Its backend connections may be cut half-way through a statement: never reuse them.
    client_gone_ = true;
    client_.close();
  }
  return KillResult::kKilled;
}

asio::awaitable<bool> ClientSession::handle_kill(std::string_view sql) {
  KillRequest req = parse_kill(sql, connection_id_);
  if (!req.id) {
    co_await send_error(kKillNotSupported,
                        "This version of Tessera doesn't yet support '" + req.unsupported + "'");
    co_return true;
  }
  const uint64_t id = *req.id;
  Worker* home =
      id <= UINT32_MAX ? worker_.context().session_worker(static_cast<uint32_t>(id)) : nullptr;
  if (!home) {
    co_await send_error(kNoSuchThread, "Unknown thread id: " + std::to_string(id));
    co_return true;
  }
  if (id == connection_id_ && !req.query_only) {
    // As MariaDB answers a session that kills itself.
    co_await send_error(kConnectionKilled, "Connection was killed");
    client_gone_ = true;
    client_.close();
    co_return true;
  }
  // The target lives on its worker's thread: ask there, come back here with the answer.
  std::string ns = namespace_->name;
  std::string user = user_->user_name;
  const bool query_only = req.query_only;
  const auto target_id = static_cast<uint32_t>(id);
  auto task = [home, target_id, ns, user, query_only]() -> asio::awaitable<int> {
    ClientSession* target = home->find_session(target_id);
    if (!target) co_return 0;
    co_return target->kill_from(ns, user, query_only) == KillResult::kKilled ? 1 : 2;
  };
  int outcome = co_await asio::co_spawn(home->io().get_executor(), task, asio::use_awaitable);
  if (outcome == 0) {
    co_await send_error(kNoSuchThread, "Unknown thread id: " + std::to_string(id));
  } else if (outcome == 2) {
    co_await send_error(kKillDenied, "You are not owner of thread " + std::to_string(id));
  } else {
    spdlog::info("client {}: KILL {}{} by {}@{}", id, query_only ? "QUERY " : "", id, user, ns);
    co_await send_ok();
  }
  co_return true;
}

}  // namespace tessera::frontend
