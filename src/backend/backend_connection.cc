#include "backend/backend_connection.h"

#include <algorithm>
#include <asio/connect.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <map>
#include <mutex>
#include <optional>

#include <sys/socket.h>

#include <cerrno>

#include "backend/backend_error.h"
#include "backend/stall_guard.h"
#include "protocol/auth.h"
#include "protocol/column_definition.h"
#include "protocol/constants.h"
#include "protocol/error_codes.h"
#include "protocol/framing.h"
#include "protocol/gtid_tracking.h"
#include "protocol/response_decoder.h"
#include "protocol/statement_packets.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace tessera::backend {

using namespace protocol;
using namespace asio::experimental::awaitable_operators;

namespace {

// What we ask of every backend: protocol 4.1 with plugin auth, multi results,
// session tracking (so state changes are reported to us) and DEPRECATE_EOF.
constexpr uint32_t kWantedCaps = cap::kLongPassword | cap::kLongFlag | cap::kProtocol41 |
                                 cap::kTransactions | cap::kSecureConnection |
                                 cap::kMultiStatements | cap::kMultiResults | cap::kPsMultiResults |
                                 cap::kPluginAuth | cap::kPluginAuthLenencClientData |
                                 cap::kSessionTrack | cap::kDeprecateEof | cap::kLocalFiles;
// Of MariaDB's extended capabilities: the extended type info, relayed to clients that asked
// for it and stripped for the others (frontend/result_relay.cc), and bulk operations (a
// client's COM_STMT_BULK_EXECUTE is passed on, frontend/statements.cc). A MariaDB server
// offers them only to a client that clears CLIENT_LONG_PASSWORD, which kWantedCaps & the
// greeting does.
constexpr uint32_t kWantedMariaDbCaps =
    mariadb_cap::kExtendedTypeInfo | mariadb_cap::kStmtBulkOperations;

// A read that reports failure as a value, so racing it against a timer with
// operator|| ends as soon as either finishes. Returns true on failure.
asio::awaitable<bool> read_or_error(PacketSocket& socket, std::string& payload, uint8_t& seq) {
  try {
    co_await socket.read_packet(payload, seq);
  } catch (const std::exception&) {
    co_return true;
  }
  co_return false;
}

// The TLS handshake, reporting failure as a value (for the race against a timer); the
// OpenSSL reason (e.g. "certificate verify failed") on failure.
asio::awaitable<std::optional<std::string>> tls_handshake_or_error(PacketSocket& socket,
                                                                   asio::ssl::context& ctx) {
  std::optional<std::string> failure;
  try {
    co_await socket.start_tls_client(ctx);
  } catch (const std::system_error& e) {
    failure = e.code().message();
  }
  co_return failure;
}

// Ask the server to report every session-state change in OK packets,
// so the proxy learns what clients SET without parsing it.
// The server's defaults for a session's tracking, read before Tessera changes them.
constexpr std::string_view kClientTrackingSql =
    "SELECT @@session.session_track_system_variables, @@session.session_track_schema, "
    "@@session.session_track_state_change, @@session.session_track_transaction_info, "
    "@@global.wait_timeout, @@global.interactive_timeout, @@global.max_prepared_stmt_count";

constexpr std::string_view kSessionTrackingSql =
    "SET SESSION session_track_system_variables='*', session_track_schema=ON, "
    "session_track_state_change=ON";

[[noreturn]] void fail(ErrorCode ec, std::string msg) {
  throw BackendError(ErrPacket(ec, std::move(msg)));
}

std::string auth_response_for(std::string_view plugin, std::string_view password,
                              std::string_view scramble) {
  if (plugin == kCachingSha2Password) return caching_sha2_response(password, scramble);
  return native_password_response(password, scramble);
}

// Statements Tessera holds per server (host:port), over every worker's connections.
std::shared_ptr<std::atomic<int64_t>> prepared_counter_for(const std::string& server) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<std::atomic<int64_t>>> counters;
  std::lock_guard lock(mu);
  auto& c = counters[server];
  if (!c) c = std::make_shared<std::atomic<int64_t>>(0);
  return c;
}

}  // namespace

BackendConnection::~BackendConnection() {
  // The server frees a closed connection's statements.
  if (server_prepared_) server_prepared_->fetch_sub(static_cast<int64_t>(counted_prepared_));
}

void BackendConnection::recount_prepared() {
  if (!server_prepared_) return;
  server_prepared_->fetch_add(static_cast<int64_t>(prepared.size()) -
                              static_cast<int64_t>(counted_prepared_));
  counted_prepared_ = prepared.size();
}

bool BackendConnection::prepared_budget_exhausted() const {
  if (!server_prepared_ || server_max_prepared_ == 0) return false;
  return server_prepared_->load(std::memory_order_relaxed) >=
         static_cast<int64_t>(server_max_prepared_ / 2);
}

void BackendConnection::note_prepared(const std::string& sql, BackendStatement statement) {
  prepared[sql] = statement;
  recount_prepared();
}

asio::awaitable<void> BackendConnection::close_other_prepared(const std::string& keep) {
  std::vector<std::string> victims;
  for (const auto& [sql, st] : prepared) {
    if (sql != keep) victims.push_back(sql);
  }
  for (const auto& sql : victims) co_await close_prepared(sql);
}

namespace {
// The least time a pooled connect's login may take once the server has greeted.
constexpr std::chrono::milliseconds kLoginStallFloor{30000};
}  // namespace

asio::awaitable<std::unique_ptr<BackendConnection>> BackendConnection::connect(
    asio::any_io_executor ex, BackendEndpoint endpoint, ConnectOptions options) {
  if (!endpoint.no_credentials.empty()) fail(errc::kNotSupportedAuthMode, endpoint.no_credentials);
  InitialHandshake hs;
  auto conn = co_await open_for_relay(ex, std::move(endpoint), options, hs);
  std::string where = conn->endpoint_.address();
  // A server that sent its greeting and then stopped answering must not hold the caller. The
  // bound is looser than the greeting's: a server busy with a burst of new connections (it.load:
  // hundreds at once) answers logins and the setup statements after them slowly, and failing
  // those after the greeting timeout only makes the burst worse (each failure is retried).
  const auto stall_limit = std::max<std::chrono::milliseconds>(options.timeout, kLoginStallFloor);
  StallGuard stall(*conn, stall_limit);
  try {
    stall.arm();
    uint8_t auth_seq = 1;
    if (conn->endpoint_.tls) co_await conn->start_tls(hs, options, auth_seq);
    co_await conn->authenticate(hs, options, auth_seq);
    co_await conn->finish_relayed_login(options);
    stall.disarm();
  } catch (const std::system_error& e) {
    if (stall.timed_out()) {
      fail(errc::kBackendUnavailable, "backend " + where + " did not answer the login within " +
                                          std::to_string(stall_limit.count()) + " ms");
    }
    fail(errc::kBackendLost,
         "lost connection to backend " + where + " during handshake: " + e.code().message());
  } catch (const ProtocolViolation& e) {
    fail(errc::kHandshakeError, "backend " + where + ": " + e.what());
  }
  co_return conn;
}

asio::awaitable<std::unique_ptr<BackendConnection>> BackendConnection::open_for_relay(
    asio::any_io_executor ex, BackendEndpoint endpoint, ConnectOptions options,
    InitialHandshake& greeting) {
  asio::ip::tcp::resolver resolver(ex);
  asio::ip::tcp::socket sock(ex);
  asio::steady_timer timer(ex);
  timer.expires_after(options.timeout);
  std::string where = endpoint.address();
  try {
    // Resolved on every connect, never cached: a DNS endpoint (an Aurora-style cluster
    // endpoint) that moves to the new primary after a failover is followed by the next
    // connection without a restart (issue 6).
    auto endpoints = co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port),
                                                     asio::use_awaitable);
    // as_tuple: a refused connection must end the race at once (operator||
    // waits for the first *successful* operation).
    auto result = co_await (
        asio::async_connect(sock, endpoints, asio::experimental::as_tuple(asio::use_awaitable)) ||
        timer.async_wait(asio::use_awaitable));
    if (result.index() == 1) {
      fail(errc::kBackendUnavailable, "timed out connecting to backend " + where);
    }
    if (auto ec = std::get<0>(std::get<0>(result)); ec) {
      fail(errc::kBackendUnavailable, "cannot connect to backend " + where + ": " + ec.message());
    }
  } catch (const std::system_error& e) {
    fail(errc::kBackendUnavailable,
         "cannot connect to backend " + where + ": " + e.code().message());
  }
  sock.set_option(asio::ip::tcp::no_delay(true));
  std::unique_ptr<BackendConnection> conn(new BackendConnection(std::move(sock)));
  conn->server_prepared_ = prepared_counter_for(where);
  conn->endpoint_ = std::move(endpoint);
  try {
    std::string payload;
    uint8_t seq = 0;
    timer.expires_after(options.timeout);
    auto r = co_await (read_or_error(conn->socket_, payload, seq) ||
                       timer.async_wait(asio::use_awaitable));
    if (r.index() == 1) fail(errc::kBackendUnavailable, "backend " + where + " sent no greeting");
    if (std::get<0>(r)) {
      fail(errc::kBackendLost, "backend " + where + " closed the connection before its greeting");
    }
    if (is_err_packet(payload)) {
      auto err = ErrPacket::decode(payload);
      throw BackendError(err.value_or(ErrPacket(errc::kBackendUnavailable, "backend refused")));
    }
    auto hs = InitialHandshake::decode(payload);
    if (!hs) fail(errc::kHandshakeError, "backend " + where + " sent a malformed greeting");
    conn->connection_id_ = hs->connection_id;
    conn->server_version_ = hs->server_version;
    conn->server_caps_ = hs->capabilities;
    conn->server_mariadb_caps_ = hs->mariadb_capabilities;
    conn->server_collation_ = hs->collation;
    greeting = std::move(*hs);
  } catch (const std::system_error& e) {
    fail(errc::kBackendLost,
         "lost connection to backend " + where + " during handshake: " + e.code().message());
  } catch (const ProtocolViolation& e) {
    fail(errc::kHandshakeError, "backend " + where + ": " + e.what());
  }
  co_return conn;
}

asio::awaitable<void> BackendConnection::send_relayed_login(const InitialHandshake& greeting,
                                                            ConnectOptions options,
                                                            std::string_view plugin,
                                                            std::string_view auth_response,
                                                            uint8_t& seq) {
  seq = 1;
  if (endpoint_.tls) co_await start_tls(greeting, options, seq);
  HandshakeResponse resp = login_request(greeting, options);
  resp.auth_plugin = std::string(plugin);
  resp.auth_response = std::string(auth_response);
  if (options.can_handle_expired_passwords)
    resp.capabilities |= greeting.capabilities & cap::kCanHandleExpiredPasswords;
  if (!db.empty() && (greeting.capabilities & cap::kConnectWithDb)) {
    // The client's database goes into the login, as the client would send it directly: the
    // server checks it there (its own 1044/1049), and an expired password's sandbox, where
    // COM_INIT_DB is refused, starts in it.
    resp.capabilities |= cap::kConnectWithDb;
    resp.database = db;
  }
  std::string packet = resp.encode();
  co_await socket_.write_packet(packet, seq);
}

asio::awaitable<void> BackendConnection::finish_relayed_login(ConnectOptions options) {
  handshake_collation_ = options.collation;
  collation = options.collation;
  co_await enable_session_tracking();
  vars.clear();
}

bool BackendConnection::peer_closed() {
  if (!socket_.is_open()) return true;
  char byte;
  ssize_t n = ::recv(socket_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;  // quiet and open
  return true;  // 0: orderly close; > 0: unexpected bytes; other errors: reset
}

asio::awaitable<void> BackendConnection::start_tls(const InitialHandshake& hs,
                                                   ConnectOptions options, uint8_t& seq) {
  std::string where = endpoint_.address();
  if (!(hs.capabilities & cap::kSsl)) {
    fail(errc::kBackendUnavailable,
         "backend " + where + " does not offer TLS, which its slice requires (tls setting)");
  }
  HandshakeResponse request;
  request.capabilities = (kWantedCaps & hs.capabilities) | cap::kSsl;
  if (options.found_rows) request.capabilities |= cap::kFoundRows;
  request.mariadb_capabilities = kWantedMariaDbCaps & hs.mariadb_capabilities;
  request.max_packet_size = 1u << 30;
  request.collation = options.collation;
  co_await socket_.write_packet(request.encode_ssl_request(), seq);
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex);
  timer.expires_after(options.timeout);
  auto r = co_await (tls_handshake_or_error(socket_, *endpoint_.tls) ||
                     timer.async_wait(asio::use_awaitable));
  if (r.index() == 1) {
    socket_.close();
    fail(errc::kBackendUnavailable, "TLS handshake with backend " + where + " timed out");
  }
  if (auto failure = std::get<0>(r)) {
    fail(errc::kBackendUnavailable, "TLS handshake with backend " + where + " failed: " + *failure);
  }
}

HandshakeResponse BackendConnection::login_request(const InitialHandshake& hs,
                                                   ConnectOptions options) {
  caps_ = kWantedCaps & hs.capabilities;
  mariadb_caps_ =
      has_mariadb_capabilities(caps_) ? kWantedMariaDbCaps & hs.mariadb_capabilities : 0;
  if (socket_.tls_active()) caps_ |= cap::kSsl;
  if (!(caps_ & cap::kProtocol41))
    fail(errc::kHandshakeError, "backend does not speak protocol 4.1");
  if (options.found_rows) caps_ |= cap::kFoundRows;
  HandshakeResponse resp;
  resp.capabilities = caps_;
  resp.mariadb_capabilities = mariadb_caps_;
  resp.max_packet_size = 1u << 30;
  resp.collation = options.collation;
  resp.user = endpoint_.user;
  collation = options.collation;
  found_rows = options.found_rows;
  return resp;
}

std::string BackendConnection::credential_response(std::string_view plugin,
                                                   std::string_view scramble) const {
  if (endpoint_.password_sha1.empty())
    return auth_response_for(plugin, endpoint_.password, scramble);
  if (plugin != kNativePassword) {
    // Only SHA1(password) is known (learned from the client's own mysql_native_password
    // login): no other plugin can be answered with it.
    fail(errc::kNotSupportedAuthMode,
         "backend asks account '" + endpoint_.user + "' for auth plugin " + std::string(plugin) +
             "; Tessera can open connections in a backend account's name only with "
             "mysql_native_password");
  }
  return native_password_response_from_stage1(endpoint_.password_sha1, scramble);
}

asio::awaitable<void> BackendConnection::authenticate(const InitialHandshake& hs,
                                                      ConnectOptions options, uint8_t seq) {
  HandshakeResponse resp = login_request(hs, options);
  std::string plugin = hs.auth_plugin.empty() ? std::string(kNativePassword) : hs.auth_plugin;
  if (plugin != kNativePassword && plugin != kCachingSha2Password) plugin = kNativePassword;
  if (!endpoint_.password_sha1.empty()) plugin = kNativePassword;
  std::string scramble = hs.scramble;
  resp.auth_plugin = plugin;
  resp.auth_response = credential_response(plugin, scramble);
  co_await socket_.write_packet(resp.encode(), seq);

  std::string payload;
  for (int round = 0; round < 8; ++round) {
    uint8_t got = 0;
    co_await socket_.read_packet(payload, got);
    seq = static_cast<uint8_t>(got + 1);
    if (payload.empty()) fail(errc::kHandshakeError, "empty authentication packet from backend");
    uint8_t head = static_cast<uint8_t>(payload[0]);
    if (head == kOkHeader) {
      if (auto ok = OkPacket::decode(payload, caps_)) status_flags = ok->status_flags;
      co_return;
    }
    if (head == kErrHeader) {
      auto err = ErrPacket::decode(payload);
      throw BackendError(err.value_or(ErrPacket(errc::kAccessDenied, "backend refused login")));
    }
    if (head == kAuthSwitchHeader) {
      auto sw = AuthSwitchRequest::decode(payload);
      if (!sw) fail(errc::kHandshakeError, "malformed auth switch from backend");
      plugin = sw->plugin;
      scramble = sw->data;
      std::string answer;
      if (plugin == kNativePassword || plugin == kCachingSha2Password) {
        answer = credential_response(plugin, scramble);
      } else if (plugin == kClearPassword && endpoint_.password_sha1.empty()) {
        answer = endpoint_.password + '\0';
      } else {
        fail(errc::kNotSupportedAuthMode, "backend asks for unsupported auth plugin " + plugin);
      }
      co_await socket_.write_packet(answer, seq);
      continue;
    }
    if (head == kAuthMoreDataHeader && plugin == kCachingSha2Password && payload.size() >= 2) {
      uint8_t what = static_cast<uint8_t>(payload[1]);
      if (what == kSha2FastAuthSuccess) continue;  // the OK follows
      if (what == kSha2PerformFullAuth) {
        if (socket_.tls_active()) {
          co_await socket_.write_packet(endpoint_.password + '\0', seq);
        } else {
          std::string request(1, static_cast<char>(kSha2RequestPublicKey));
          co_await socket_.write_packet(request, seq);
          co_await socket_.read_packet(payload, got);
          seq = static_cast<uint8_t>(got + 1);
          if (payload.empty() || static_cast<uint8_t>(payload[0]) != kAuthMoreDataHeader) {
            fail(errc::kHandshakeError, "backend did not send its RSA public key");
          }
          std::string pem = payload.substr(1);
          std::string cipher = rsa_encrypt_with_pem(
              pem, xor_password_with_scramble(endpoint_.password + '\0', scramble));
          if (cipher.empty())
            fail(errc::kHandshakeError, "RSA encryption of the backend password failed");
          co_await socket_.write_packet(cipher, seq);
        }
        continue;
      }
    }
    fail(errc::kHandshakeError, "unexpected packet during backend authentication");
  }
  fail(errc::kHandshakeError, "backend authentication did not finish");
}

void BackendConnection::observe_ok(const OkPacket& ok) {
  status_flags = ok.status_flags;
  if (ok.last_insert_id != 0) last_insert_id = ok.last_insert_id;
  if (!ok.session_state.empty()) {
    if (auto gtid = protocol::tracked_gtid(ok.session_state)) {
      last_gtid = std::move(*gtid);
      ++gtids_reported;
    }
  }
}

asio::awaitable<void> BackendConnection::read_simple_response(SimpleResult& result) {
  // Tessera's own commands (COM_QUERY, COM_INIT_DB, COM_RESET_CONNECTION) are answered by OKs,
  // ERRs and text result sets: the COM_QUERY shape covers them all.
  ResponseDecoder decoder(Command::kQuery, caps_, extended_type_info());
  std::string payload;
  uint8_t seq = 0;
  bool untaken = false;  // `payload` holds a packet the decoder has yet to take
  while (!decoder.done()) {
    ResponseEvent event;
    if (decoder.event_due()) {
      event = decoder.next_implied();
    } else {
      if (!untaken) co_await socket_.read_packet(payload, seq);
      event = decoder.next_packet(payload);
      untaken = !decoder.consumed();
    }
    switch (event) {
      case ResponseEvent::kErr:
        result.ok = false;
        result.err = ErrPacket::decode(payload).value_or(ErrPacket(errc::kUnknownError, "error"));
        co_return;
      case ResponseEvent::kOk:
        observe_ok(decoder.ok());
        result.ok = true;
        result.ok_packet = decoder.ok();
        break;
      case ResponseEvent::kResultStart:
        result.columns.clear();
        break;
      case ResponseEvent::kColumn: {
        auto def = ColumnDefinition::decode(payload, extended_type_info());
        result.columns.push_back(def ? std::move(def->name) : std::string());
        break;
      }
      case ResponseEvent::kRow: {
        // Text cells, NULL as empty (the row was checked against the columns).
        WireReader row(payload);
        auto& cells = result.rows.emplace_back();
        for (size_t i = 0; i < result.columns.size(); ++i) cells.emplace_back(row.lenenc_str());
        break;
      }
      case ResponseEvent::kResultEnd:
        if (decoder.end_ok()) {
          observe_ok(decoder.ok());
        } else {
          status_flags = decoder.status_flags();
        }
        result.ok = true;
        break;
      case ResponseEvent::kColumnsEnd:
        break;
      case ResponseEvent::kMalformed:
        fail(errc::kMalformedPacket, "malformed response from backend: " + decoder.error());
      default:
        // (LOAD DATA LOCAL and the prepared-statement shapes: not among Tessera's own queries.)
        fail(errc::kMalformedPacket, "unexpected " + std::string(to_string(event)) +
                                         " in the response to Tessera's own query");
    }
  }
}

asio::awaitable<SimpleResult> BackendConnection::simple_command(Command command,
                                                                std::string_view argument) {
  scratch_.clear();
  scratch_.push_back(static_cast<char>(command));
  scratch_.append(argument);
  uint8_t seq = 0;
  response_pending = true;
  co_await socket_.write_packet(scratch_, seq);
  SimpleResult result;
  co_await read_simple_response(result);
  response_pending = false;
  co_return result;
}

namespace {

// Appends one command packet (its own sequence from 0) to a pipelined batch.
void add_command(std::string& batch, Command command, std::string_view argument) {
  std::string payload;
  payload.push_back(static_cast<char>(command));
  payload.append(argument);
  uint8_t seq = 0;
  append_frames(batch, payload, seq);
}

// What makes a backend session look fresh to a client and report to Tessera, after login or
// COM_RESET_CONNECTION (answered in order, one round trip for the whole batch):
//  - a SELECT matching no row: FOUND_ROWS() becomes 0. Neither a reset nor a new connection
//    clears it (MariaDB 10.11 hands a new connection the FOUND_ROWS() of the last one closed
//    on the same cached server thread: another tenant's);
//  - Tessera's session tracking (its OK also brings ROW_COUNT() back to 0).
// ER_MUST_CHANGE_PASSWORD: any statement but SET in an expired password's sandbox.
constexpr uint16_t kMustChangePassword = 1820;

void add_fresh_session_commands(std::string& batch) {
  add_command(batch, Command::kQuery, "SELECT 1 FROM DUAL WHERE 0");
  add_command(batch, Command::kQuery, kSessionTrackingSql);
}

}  // namespace

asio::awaitable<void> BackendConnection::run_batch(const std::string& batch, int commands) {
  response_pending = true;
  co_await socket_.write(batch);
  for (int i = 0; i < commands; ++i) {
    SimpleResult res;
    co_await read_simple_response(res);
    if (!res.ok) {
      // The rest of the batch is still to come: the connection cannot be used any more.
      broken = true;
      throw BackendError(res.err);
    }
  }
  response_pending = false;
}

asio::awaitable<void> BackendConnection::enable_session_tracking() {
  // First (same round trip) the session_track_* values a fresh session of this server gets:
  // what a client's own session would report (protocol/session_tracking.h).
  std::string batch;
  add_command(batch, Command::kQuery, kClientTrackingSql);
  add_fresh_session_commands(batch);
  response_pending = true;
  co_await socket_.write(batch);
  SimpleResult defaults;
  co_await read_simple_response(defaults);
  if (defaults.ok && defaults.rows.size() == 1 && defaults.rows[0].size() == 7) {
    const auto& row = defaults.rows[0];
    client_tracking_ = TrackingSettings::from_server(row[0], row[1], row[2], row[3]);
    auto number = [](const std::string& v) -> uint32_t {
      uint64_t n = 0;
      for (char c : v) {
        if (c < '0' || c > '9') return 0;
        n = n * 10 + static_cast<uint64_t>(c - '0');
        if (n > 0xffffffffu) return 0xffffffffu;
      }
      return static_cast<uint32_t>(n);
    };
    server_wait_timeout_ = number(row[4]);
    server_interactive_timeout_ = number(row[5]);
    server_max_prepared_ = number(row[6]);
  } else if (!defaults.ok) {
    // (MySQL before 5.7 or another server without them: a client session tracks nothing.)
    client_tracking_ = TrackingSettings::from_server("", "0", "0", "OFF");
  }
  for (int i = 0; i < 2; ++i) {
    SimpleResult res;
    co_await read_simple_response(res);
    // An account logged in with an expired password (backend accounts, a client that handles
    // that) is in the server's sandbox until it changes it: SELECTs fail with 1820, SETs work.
    if (!res.ok && !(i == 0 && res.err.code == kMustChangePassword)) {
      broken = true;
      throw BackendError(res.err);
    }
    if (!res.ok) password_expired = true;
  }
  response_pending = false;
}

asio::awaitable<void> BackendConnection::reset_session() {
  if (!response_complete()) {
    broken = true;
    fail(errc::kBackendLost, "backend connection still has a response in flight; not reusable");
  }
  // The reset zeroes the server's session counters: what the last session did here goes to its
  // ledger first.
  if (!status_ledger.expired()) co_await settle_status(*this);
  status_ledger.reset();
  status_baseline.clear();
  // COM_RESET_CONNECTION drops variables, user variables, temporary tables, prepared
  // statements, HANDLERs, GET_LOCK and LOCK TABLES locks and an open transaction, and brings
  // the character set back to this connection's handshake one. It also resets session_track_*
  // to the global values, and keeps FOUND_ROWS() and the current database: the fresh-session
  // commands follow in the same write.
  std::string batch;
  add_command(batch, Command::kResetConnection, {});
  add_fresh_session_commands(batch);
  co_await run_batch(batch, 3);
  // The server dropped everything the session had; so do we.
  vars.clear();
  prepared.clear();
  recount_prepared();
  status_flags = status::kAutocommit;
  last_insert_id = 0;
  collation = handshake_collation_;
  needs_reset = false;
  owner = 0;
  owner_alive.reset();
}

asio::awaitable<SimpleResult> BackendConnection::query(std::string_view sql) {
  co_return co_await simple_command(Command::kQuery, sql);
}

asio::awaitable<SimpleResult> BackendConnection::init_db(std::string_view name) {
  SimpleResult result = co_await simple_command(Command::kInitDb, name);
  if (result.ok) db = std::string(name);
  co_return result;
}

asio::awaitable<void> BackendConnection::close_prepared(const std::string& sql) {
  auto it = prepared.find(sql);
  if (it == prepared.end()) co_return;
  std::string packet;
  WireWriter w(packet);
  w.u8(static_cast<uint8_t>(Command::kStmtClose));
  w.u32(it->second.id);
  prepared.erase(it);
  recount_prepared();
  uint8_t seq = 0;
  co_await socket_.write_packet(packet, seq);  // COM_STMT_CLOSE has no reply
}

asio::awaitable<const BackendStatement*> BackendConnection::ensure_prepared(const std::string& sql,
                                                                            ErrPacket& err) {
  if (auto it = prepared.find(sql); it != prepared.end()) co_return &it->second;
  scratch_.clear();
  scratch_.push_back(static_cast<char>(Command::kStmtPrepare));
  scratch_.append(sql);
  uint8_t seq = 0;
  response_pending = true;
  co_await socket_.write_packet(scratch_, seq);
  ResponseDecoder decoder(Command::kStmtPrepare, caps_, extended_type_info());
  std::string payload;
  co_await socket_.read_packet(payload, seq);
  const ResponseEvent first = decoder.next_packet(payload);
  if (first == ResponseEvent::kErr) {
    response_pending = false;
    err = ErrPacket::decode(payload).value_or(ErrPacket(errc::kUnknownError, "prepare failed"));
    co_return nullptr;
  }
  if (first != ResponseEvent::kPrepareOk)
    fail(errc::kMalformedPacket,
         "malformed COM_STMT_PREPARE response from backend: " + decoder.error());
  const StmtPrepareOk ok = decoder.prepare_ok();
  // The parameter and column definitions follow: read, not needed.
  while (!decoder.done()) {
    if (decoder.event_due()) {
      decoder.next_implied();
      continue;
    }
    co_await socket_.read_packet(payload, seq);
    if (decoder.next_packet(payload) == ResponseEvent::kMalformed)
      fail(errc::kMalformedPacket,
           "malformed COM_STMT_PREPARE response from backend: " + decoder.error());
  }
  response_pending = false;
  auto [it, inserted] =
      prepared.emplace(sql, BackendStatement{ok.statement_id, ok.num_params, ok.num_columns});
  recount_prepared();
  co_return &it->second;
}

void BackendConnection::forget_prepared(const std::string& sql) {
  prepared.erase(sql);
  recount_prepared();
}

}  // namespace tessera::backend
