// Scatter SELECTs: every shard's result set is read as it arrives and combined by the exec/
// merge operators (ordered k-way merge, aggregates, GROUP BY, HAVING, DISTINCT, LIMIT).
#include "frontend/client_session.h"
#include "protocol/error_codes.h"

namespace tessera::frontend {

asio::awaitable<void> ClientSession::run_merge(const router::Plan& plan) {
  (void)plan;
  co_await send_error(protocol::ErrorCode{1235, "42000"}, "merging results of several shards is not available yet");
}

}  // namespace tessera::frontend
