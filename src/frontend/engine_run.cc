// Statements as plans the engine runs (exec/engine): unsharded statements are one Route to the
// namespace's default slice, so the failover and deadlock retries (exec/engine/retry_policy.h)
// and read splitting with its consistency fence apply to them exactly as to sharded ones.
#include "exec/engine/route.h"
#include "exec/engine/transaction_control.h"
#include "frontend/client_session.h"
#include "frontend/session_cursor.h"

namespace tessera::frontend {

namespace {

exec::engine::StatementTraits traits_of(const sql::StatementInfo& info) {
  exec::engine::StatementTraits t;
  t.is_read = info.is_read();
  t.multi_statement = info.is_multi_statement;
  return t;
}

}  // namespace

std::optional<exec::engine::TransactionStatement> transaction_statement(
    const sql::StatementInfo& info) {
  using exec::engine::TransactionStatement;
  switch (info.kind) {
    case sql::StatementKind::Begin:
      return TransactionStatement::kBegin;
    case sql::StatementKind::Commit:
      return TransactionStatement::kCommit;
    case sql::StatementKind::Rollback:
      return TransactionStatement::kRollback;
    case sql::StatementKind::Xa:
      return TransactionStatement::kXa;
    default:
      return std::nullopt;
  }
}

asio::awaitable<void> ClientSession::run_transaction_control(
    std::string_view payload, const sql::StatementInfo& info,
    exec::engine::TransactionStatement kind) {
  // What the distributed transaction leaves is the default slice's statement, as unsharded.
  exec::engine::Target target;
  target.role = exec::engine::Role::kReadSplit;
  auto on_default = std::make_shared<exec::engine::Route>(
      exec::engine::Route::Borrow{}, std::move(target), payload.substr(1), traits_of(info));
  exec::engine::TransactionControl control(kind, payload.substr(1), std::move(on_default));
  write_key_ = write_key_for(payload.substr(1));
  SessionCursor cursor(*this, info, payload);
  co_await control.run(cursor);
}

asio::awaitable<void> ClientSession::run_unsharded(std::string_view payload,
                                                   const sql::StatementInfo& info) {
  write_key_ = write_key_for(payload.substr(1));
  // Whether a replica serves it is the session's decision (SessionCursor::route).
  exec::engine::Target target;
  target.role = exec::engine::Role::kReadSplit;
  exec::engine::Route route(exec::engine::Route::Borrow{}, std::move(target), payload.substr(1),
                            traits_of(info));
  SessionCursor cursor(*this, info, payload);
  co_await route.run(cursor);
}

}  // namespace tessera::frontend
