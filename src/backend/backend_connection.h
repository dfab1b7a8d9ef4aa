// Tessera's own client side of the MySQL protocol: one connection to one
// backend instance, with the session state it currently carries so a pool
// can hand it to any client session after syncing that state.
#pragma once
#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "backend/status_ledger.h"
#include "config/host_port.h"
#include "protocol/constants.h"
#include "protocol/handshake.h"
#include "protocol/packet_socket.h"
#include "protocol/response_packets.h"
#include "protocol/session_tracking.h"

namespace tessera::backend {

struct BackendEndpoint {
  std::string host;
  uint16_t port = 3306;
  std::string user;
  std::string password;
  // Non-null: the connection starts TLS with this context before authenticating (the
  // server must offer it); the context decides whether the certificate is verified.
  std::shared_ptr<asio::ssl::context> tls = nullptr;
  // Backend accounts (frontend/backend_account_auth.cc): the account's SHA1(password) in place
  // of `password` (answers mysql_native_password only), or, non-empty, why no connection can
  // be opened in this account's name at all (an ed25519 login leaves Tessera nothing to
  // answer a new scramble with): connect() then fails with this text.
  std::string password_sha1 = {};
  std::string no_credentials = {};
  // `host:port` (`[v6]:port`): the instance's key everywhere (config::format_host_port).
  std::string address() const { return config::format_host_port(host, port); }
  std::string key() const { return address() + "/" + user + (tls ? "+tls" : ""); }
};

struct ConnectOptions {
  uint8_t collation = 45;  // utf8mb4_general_ci
  bool found_rows = false;
  std::chrono::milliseconds timeout{2000};
  // The session has no default database. MySQL cannot unselect one, so such a session must
  // get a connection that never selected one: otherwise DATABASE() and unqualified names
  // would see the database of whoever used the pooled connection before.
  bool without_database = false;
  // The client session asking (its Tessera connection id; 0: Tessera's own use).
  uint64_t session = 0;
  // The namespace asking ("": Tessera's own use): a pool shared by namespaces lets each hold
  // only its share of the connections (PoolLimits::tenant_share).
  std::string tenant;
  // A relayed login (backend accounts) of a client that said CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS
  // says so too: the server then lets an account with an expired password in, to change it.
  bool can_handle_expired_passwords = false;
  // Alive while the asking session (as `session`) is: a connection whose last owner is still
  // alive is that session's preferred one, which the pool lends to others only as a last
  // resort (empty: nobody will ask for it again).
  std::weak_ptr<const void> owner_alive;
  // Peek at an idle connection before lending it (BackendConnection::peer_closed). A session
  // turns it off for a statement that runs again on a fresh connection if this one turns out
  // closed (an autocommit read: exec/engine/retry_policy.h): the check is one system call on
  // every statement, the relay path's most frequent avoidable one.
  bool verify_idle = true;
};

// A statement prepared on this backend connection.
struct BackendStatement {
  uint32_t id = 0;
  uint16_t num_params = 0;
  uint16_t num_columns = 0;
};

// Outcome of a statement whose result the proxy consumes itself.
struct SimpleResult {
  bool ok = false;
  protocol::OkPacket ok_packet;
  protocol::ErrPacket err;
  std::vector<std::vector<std::string>> rows;  // text rows, NULL as empty
  std::vector<std::string> columns;            // column names of the (last) result set
};

class BackendConnection {
 public:
  using Clock = std::chrono::steady_clock;

  static asio::awaitable<std::unique_ptr<BackendConnection>> connect(asio::any_io_executor ex,
                                                                     BackendEndpoint endpoint,
                                                                     ConnectOptions options);

  // ---- a client's own login relayed to the server (backend accounts) ----
  // Connects and reads the server's greeting (into `greeting`), nothing more: the caller
  // relays the client's authentication: send_relayed_login(), then the exchange on socket()
  // (sequence ids continue from `seq`), then finish_relayed_login() after the server's OK.
  static asio::awaitable<std::unique_ptr<BackendConnection>> open_for_relay(
      asio::any_io_executor ex, BackendEndpoint endpoint, ConnectOptions options,
      protocol::InitialHandshake& greeting);
  // The handshake response in endpoint().user's name (TLS first when the endpoint asks for
  // it), carrying the client's `auth_response` made for `plugin` and the greeting's scramble.
  asio::awaitable<void> send_relayed_login(const protocol::InitialHandshake& greeting,
                                           ConnectOptions options, std::string_view plugin,
                                           std::string_view auth_response, uint8_t& seq);
  // After the server's OK: what connect() does after authenticating (session tracking).
  asio::awaitable<void> finish_relayed_login(ConnectOptions options);

  protocol::PacketSocket& socket() { return socket_; }
  uint32_t capabilities() const { return caps_; }
  // MariaDB's extended capabilities negotiated on this connection (protocol::mariadb_cap).
  uint32_t mariadb_capabilities() const { return mariadb_caps_; }
  // Column definitions from this backend carry MariaDB's extended type info.
  bool extended_type_info() const {
    return mariadb_caps_ & protocol::mariadb_cap::kExtendedTypeInfo;
  }
  // What the server offered in its greeting (what Tessera can offer its own clients in its
  // name, see frontend/server_identity).
  uint32_t server_capabilities() const { return server_caps_; }
  uint32_t server_mariadb_capabilities() const { return server_mariadb_caps_; }
  uint8_t server_collation() const { return server_collation_; }
  uint32_t connection_id() const { return connection_id_; }
  // The session tracking a client's own session on this server would have (the server's
  // session_track_* defaults): what relayed OK packets may report to the client.
  const protocol::TrackingSettings& client_tracking() const { return client_tracking_; }
  // The server's global wait_timeout and interactive_timeout when this connection logged in
  // (a client session's idle limit when it sets none; 0: unknown), and its
  // max_prepared_stmt_count (0: unknown).
  uint32_t server_wait_timeout() const { return server_wait_timeout_; }
  uint32_t server_interactive_timeout() const { return server_interactive_timeout_; }
  uint32_t server_max_prepared() const { return server_max_prepared_; }
  const std::string& server_version() const { return server_version_; }
  const BackendEndpoint& endpoint() const { return endpoint_; }
  // Expires when this connection is destroyed: lets a watcher that outlives a statement
  // (backend/statement_watchdog.h) check the connection still exists before touching it.
  std::weak_ptr<const void> lifetime() const { return alive_; }

  // Runs one statement and consumes its whole response (all result sets).
  asio::awaitable<SimpleResult> query(std::string_view sql);
  asio::awaitable<SimpleResult> init_db(std::string_view db);
  // Prepares `sql` here unless already prepared; the response is consumed.
  asio::awaitable<const BackendStatement*> ensure_prepared(const std::string& sql,
                                                           protocol::ErrPacket& err);
  void forget_prepared(const std::string& sql);
  // Records a statement prepared here by a relayed COM_STMT_PREPARE.
  void note_prepared(const std::string& sql, BackendStatement statement);
  // Closes the backend copy of a prepared statement, if any.
  asio::awaitable<void> close_prepared(const std::string& sql);
  // Closes every statement prepared here except `keep` (a server's 1461, or the budget below).
  asio::awaitable<void> close_other_prepared(const std::string& keep);
  // Statements on all of Tessera's connections to this server (every worker) have reached
  // Tessera's budget there: half the server's max_prepared_stmt_count, the rest left to the
  // clients' own text PREPAREs and other users of the server.
  bool prepared_budget_exhausted() const;

  ~BackendConnection();
  BackendConnection(const BackendConnection&) = delete;
  BackendConnection& operator=(const BackendConnection&) = delete;

  // True when the server has closed this idle connection (killed, restarted, timed it out) or
  // sent something unasked: using it would fail after the statement was sent, when nobody can
  // tell whether it ran. One non-blocking peek, no waiting.
  bool peer_closed();

  // Applies session-state changes reported in an OK packet.
  void observe_ok(const protocol::OkPacket& ok);

  // Returns the connection to the state of a fresh login (COM_RESET_CONNECTION: transaction
  // rolled back, locks, HANDLERs, temporary tables, user variables, prepared statements and
  // session variables gone) and re-applies what Tessera itself relies on (session tracking).
  // Throws BackendError or std::system_error; the connection is then unusable.
  asio::awaitable<void> reset_session();
  // Nothing of a previous response is still unread: no command whose reply was not fully
  // consumed, no bytes buffered. Only such a connection may be used by anybody else.
  bool response_complete() const { return !response_pending && socket_.buffered_bytes() == 0; }

  // ---- state carried by this connection (kept current by the session) ----
  std::string db;
  uint8_t collation = 0;
  bool found_rows = false;
  // System variables set away from their defaults on this connection.
  std::map<std::string, std::string> vars;
  uint16_t status_flags = 0;
  uint64_t last_insert_id = 0;
  bool broken = false;
  // Logged in with an expired password (the server's sandbox: only SET works until SET
  // PASSWORD): Tessera sends none of its own reads here (session status is not tracked).
  bool password_expired = false;
  uint64_t pool_generation = 0;  // the pool's drain generation when this connection was opened
  Clock::time_point last_used = Clock::now();
  std::string last_gtid;  // MariaDB last_gtid from session tracking
  // Bumped for every commit GTID a response reported (observe_ok): a caller that commits on
  // the session's behalf (an XA COMMIT) learns the session's writes from it.
  uint64_t gtids_reported = 0;
  std::unordered_map<std::string, BackendStatement> prepared;
  // ---- isolation between client sessions (issue 15) ----
  // The client session that used this connection last (0: nobody since it was opened or
  // reset). A pool hands a connection to another session only after reset_session().
  uint64_t owner = 0;
  // Expires when that session ends or starts over (ConnectOptions::owner_alive).
  std::weak_ptr<const void> owner_alive;
  // The namespace holding it now (handed out by a pool and not yet given back; "": none or
  // Tessera's own use), counted against that namespace's share of the pool.
  std::string tenant;
  // The last statement may have left state that holds server resources (LOCK TABLES, HANDLER,
  // GET_LOCK, an XA branch, ...) or that Tessera cannot see: reset before it goes back idle.
  bool needs_reset = false;
  // A session switched profiling on here (SET profiling = 1): MariaDB keeps the profiling
  // history (SHOW PROFILES: statement texts) past COM_RESET_CONNECTION, so no other session
  // may ever get this connection; the pool closes it when it comes back.
  bool profiled = false;
  // profiling is on for the session using it (a replayed or tracked SET profiling = 1).
  bool profiling_on() const {
    auto it = vars.find("profiling");
    return it != vars.end() && (it->second == "ON" || it->second == "1");
  }
  // A command was sent whose response has not been read to its end (a relay stopped early,
  // a multi-statement with MORE_RESULTS still coming): the connection must never be pooled.
  bool response_pending = false;
  // ---- per-session status counters (status_ledger.h) ----
  // The session whose counters this connection adds to (expired: none), the server's counters
  // when that interval started, and what one SHOW STATUS reading adds to them itself.
  std::weak_ptr<StatusLedger> status_ledger;
  std::map<std::string, int64_t, std::less<>> status_baseline;
  std::map<std::string, int64_t, std::less<>> status_read_cost;
  // What the `DO 0` after a baseline reading adds (status_ledger.cc: it gives ROW_COUNT()
  // back the 0 a SHOW would leave at -1).
  std::map<std::string, int64_t, std::less<>> status_restore_cost;
  bool status_calibrated = false;

 private:
  explicit BackendConnection(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}
  // Sends the SSL request and runs the TLS handshake (endpoint_.tls); seq is the next sequence.
  asio::awaitable<void> start_tls(const protocol::InitialHandshake& hs, ConnectOptions options,
                                  uint8_t& seq);
  asio::awaitable<void> authenticate(const protocol::InitialHandshake& hs, ConnectOptions options,
                                     uint8_t seq);
  // The capabilities and handshake response connect() and a relayed login both send.
  protocol::HandshakeResponse login_request(const protocol::InitialHandshake& hs,
                                            ConnectOptions options);
  // This endpoint's answer to `scramble` under `plugin` (the password or its SHA1).
  std::string credential_response(std::string_view plugin, std::string_view scramble) const;
  asio::awaitable<void> read_simple_response(SimpleResult& result);
  asio::awaitable<SimpleResult> simple_command(protocol::Command command,
                                               std::string_view argument);
  // The session tracking Tessera learns state from, and FOUND_ROWS() cleared (after login and
  // after every reset).
  asio::awaitable<void> enable_session_tracking();
  // Sends `batch` (pipelined command packets) and reads `commands` simple answers.
  asio::awaitable<void> run_batch(const std::string& batch, int commands);

  protocol::PacketSocket socket_;
  BackendEndpoint endpoint_;
  uint32_t caps_ = 0;
  uint32_t mariadb_caps_ = 0;
  uint32_t server_caps_ = 0;
  uint32_t server_mariadb_caps_ = 0;
  uint8_t server_collation_ = 0;
  uint32_t connection_id_ = 0;
  std::string server_version_;
  uint8_t handshake_collation_ = 0;
  protocol::TrackingSettings client_tracking_;
  uint32_t server_wait_timeout_ = 0;
  uint32_t server_interactive_timeout_ = 0;
  uint32_t server_max_prepared_ = 0;
  // Statements Tessera holds on this server over all its connections (shared by every
  // connection to the same host:port; see prepared_budget_exhausted()).
  std::shared_ptr<std::atomic<int64_t>> server_prepared_;
  size_t counted_prepared_ = 0;  // this connection's share of *server_prepared_
  void recount_prepared();
  std::string scratch_;
  std::shared_ptr<const void> alive_ = std::make_shared<int>(0);
};

}  // namespace tessera::backend
