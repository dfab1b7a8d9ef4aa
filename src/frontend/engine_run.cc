// Statements as plans the engine runs (exec/engine): unsharded statements are one Route to the
// namespace's default slice, so the failover and deadlock retries (exec/engine/retry_policy.h)
// and read splitting with its consistency fence apply to them exactly as to sharded ones.
#include "exec/engine/route.h"
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
