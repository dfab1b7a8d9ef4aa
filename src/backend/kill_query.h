// Stops a statement running on a backend connection from the outside, as a client's
// KILL QUERY would: a fresh connection to the same instance sends `KILL QUERY <id>`.
// Used when a statement outlives max_sql_execute_time and when a client disconnects while
// its statement is still running (the connection then must not go back to the pool dirty).
#pragma once
#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "backend/backend_connection.h"

namespace tessera::backend {

// Returns an empty string on success, else why it failed (connection refused, ERR text).
// Never throws. `timeout` bounds connecting and the KILL round trip together.
asio::awaitable<std::string> kill_query(asio::any_io_executor ex, const BackendEndpoint& endpoint,
                                        uint32_t connection_id, std::chrono::milliseconds timeout);

}  // namespace tessera::backend
