// Backend copies of prepared statements within Tessera's budget (issue 16 item 4): shared by
// COM_STMT_EXECUTE, bulk execute and the sharded EXECUTE that prepares a rewritten text on a
// slice's connection, so none of them can pile statements up on a server.
#pragma once
#include <asio/awaitable.hpp>
#include <string>

#include "backend/backend_connection.h"
#include "protocol/response_packets.h"

namespace tessera::frontend {

// ER_MAX_PREPARED_STMT_COUNT_REACHED: the server's max_prepared_stmt_count is used up.
inline constexpr uint16_t kErMaxPreparedStmtCount = 1461;

// Copies kept for reuse on one backend connection at most (the oldest goes first).
inline constexpr size_t kMaxPreparedPerConnection = 512;

// The statement prepared on `conn`: within the per-connection cap and Tessera's budget on that
// server (BackendConnection::prepared_budget_exhausted), and recovered once from a 1461. That
// 1461 means the server's statement limit is reached, partly by statements Tessera keeps for
// reuse on this connection; closed, the prepare is tried once more, and a second 1461 is the
// server's true answer (the client holds more than the server allows). Null with `err` set
// when the server refused.
asio::awaitable<const backend::BackendStatement*> prepare_within_budget(
    backend::BackendConnection& conn, const std::string& sql, protocol::ErrPacket& err);

}  // namespace tessera::frontend
