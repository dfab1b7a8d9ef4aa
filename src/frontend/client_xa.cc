// XA RECOVER for a client (issue 15): the server lists every account's prepared branches; a
// client sees its namespace's only, as it named them (session/xa_scope.h).
#include "frontend/client_session.h"
#include "session/xa_scope.h"

namespace tessera::frontend {

asio::awaitable<void> ClientSession::answer_xa_recover() {
  if (!co_await ensure_backend()) co_return;
  std::optional<std::string> failure;
  std::optional<protocol::ErrPacket> refused;
  try {
    backend::SimpleResult r = co_await conn_->query("XA RECOVER");
    if (!r.ok) {
      refused = r.err;
    } else {
      const std::string prefix = session::xa_namespace_prefix(namespace_->name);
      std::vector<std::vector<std::string>> rows;
      for (const auto& row : r.rows) {
        if (auto mine = session::recover_row_for(row, prefix)) rows.push_back(std::move(*mine));
      }
      co_await relay_own_query(session::recover_answer(rows));
    }
  } catch (const std::exception& e) {
    failure = failure_text(e);
  }
  if (failure) {
    co_await send_backend_failure(*failure);
    co_return;
  }
  if (refused) co_await send_error(*refused);
  after_statement(nullptr);
}

}  // namespace tessera::frontend
