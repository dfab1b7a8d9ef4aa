// Per-session status counters on shared backend connections (issue 16 item 8). A client
// session's SHOW SESSION STATUS must count that session's statements only, and restart at
// COM_RESET_CONNECTION / COM_CHANGE_USER, while its statements run on pooled connections that
// other sessions use in between (and that are reset when they change hands, which zeroes the
// server's counters). So each connection remembers the server's counters when the session
// started using it (the baseline); when the connection is reset or the session asks for its
// status, the difference since the baseline, less the cost of the reading itself, is added to
// the session's ledger.
#pragma once
#include <asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera::backend {

class BackendConnection;

// Counters one client session has accumulated, by the server's SHOW STATUS names.
struct StatusLedger {
  std::map<std::string, int64_t, std::less<>> counters;
  void add(std::string_view name, int64_t delta) {
    auto it = counters.find(name);
    if (it == counters.end()) it = counters.emplace(std::string(name), 0).first;
    it->second += delta;
  }
  int64_t get(std::string_view name) const {
    auto it = counters.find(name);
    return it == counters.end() ? 0 : it->second;
  }
};

// A SHOW SESSION STATUS answer: (name, value) in the server's order.
using StatusRows = std::vector<std::pair<std::string, std::string>>;

// The variables that count what one session did (Com_*, Handler_*, Questions, ...), as opposed
// to settings (Compression, Ssl_cipher), gauges and server-wide values, which are shown as the
// server reports them. Bytes_received/Bytes_sent are not among them: they are the client
// connection's, counted by Tessera.
bool is_session_counter(std::string_view name);

// Reads the connection's SHOW SESSION STATUS. (SHOW STATUS leaves the counters it does not
// count itself in as they were, so reading costs the session little: its own calibrated cost.)
asio::awaitable<StatusRows> read_status(BackendConnection& conn);

// track_status would do something: the connection does not count for `ledger` yet. (Asked
// first on every statement: a coroutine that does nothing still costs its frame.)
bool status_tracking_due(const BackendConnection& conn,
                         const std::shared_ptr<StatusLedger>& ledger);

// The connection starts counting for `ledger` (no-op when it already does): takes its baseline.
asio::awaitable<void> track_status(BackendConnection& conn,
                                   const std::shared_ptr<StatusLedger>& ledger);

// Adds what happened on the connection since its baseline to its ledger (if still alive) and
// starts a new interval there. Returns the reading (empty when the connection tracks nothing).
asio::awaitable<StatusRows> settle_status(BackendConnection& conn);

// Starts a new interval without crediting the last one: the statements since the baseline were
// Tessera's own (it answered a SHOW STATUS with a statement of its own).
asio::awaitable<void> rebase_status(BackendConnection& conn);

}  // namespace tessera::backend
