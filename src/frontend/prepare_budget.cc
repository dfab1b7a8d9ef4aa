#include "frontend/prepare_budget.h"

namespace tessera::frontend {

asio::awaitable<const backend::BackendStatement*> prepare_within_budget(
    backend::BackendConnection& conn, const std::string& sql, protocol::ErrPacket& err) {
  if (!conn.prepared.count(sql)) {
    if (conn.prepared.size() >= kMaxPreparedPerConnection) {
      // Evict one statement to stay under the per-connection cap.
      std::string victim = conn.prepared.begin()->first;
      co_await conn.close_prepared(victim);
    }
    if (conn.prepared_budget_exhausted()) co_await conn.close_other_prepared(sql);
  }
  const backend::BackendStatement* bs = co_await conn.ensure_prepared(sql, err);
  if (!bs && err.code == kErMaxPreparedStmtCount && !conn.prepared.empty()) {
    co_await conn.close_other_prepared(sql);
    bs = co_await conn.ensure_prepared(sql, err);
  }
  co_return bs;
}

}  // namespace tessera::frontend
