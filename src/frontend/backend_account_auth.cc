// Backend accounts (namespaces with "backend_accounts": true): a login whose name is in no
// namespace's users[] is authenticated by the server itself. Tessera opens a connection to the
// default slice's primary, logs in there in the client's name so that the server asks for its
// account's plugin (an auth switch with that connection's scramble or ed25519 nonce), and
// relays that and every later packet between client and server until the server says OK or
// ERR (whatever the client answered Tessera's own greeting with is not used). The
// ERR goes to the client as the server wrote it; after the OK the session runs as that
// account and the connection is its own.
//
// Further connections in the account's name (other slices, a reconnect after failover, a
// second connection while one is pinned) need credentials. A mysql_native_password login
// leaves SHA1(password): the client's response and the account's stored hash, which MariaDB
// shows an account in its own SHOW GRANTS, give it (protocol/auth.h). Other plugins (ed25519)
// leave nothing: such a session keeps its one connection, and anything needing another one is
// refused with a clear error (backend::BackendEndpoint::no_credentials).
#include <spdlog/spdlog.h>

#include "backend/backend_error.h"
#include "backend/stall_guard.h"
#include "frontend/client_session.h"
#include "frontend/worker.h"
#include "protocol/auth.h"
#include "protocol/constants.h"
#include "protocol/handshake.h"

namespace tessera::frontend {

using namespace protocol;

namespace {

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

// The plugins the server may switch a relayed login to that send the password itself.
bool sends_clear_password(std::string_view plugin) {
  return plugin == kClearPassword || plugin == "dialog";
}

// The answer for a server that stopped answering during the relayed login.
ErrPacket stalled(const backend::BackendEndpoint& endpoint,
                  const backend::ConnectOptions& options) {
  return ErrPacket(errc::kBackendUnavailable, "backend " + endpoint.address() +
                                                  " did not answer the login within " +
                                                  std::to_string(options.timeout.count()) +
                                                  " ms (backend_connect_timeout); try again later");
}

// A client plugin name no server plugin asks for (see authenticate_on_backend).
constexpr std::string_view kProbePlugin = "tessera_relayed_login";

}  // namespace

void ClientSession::leave_backend_account() {
  if (!backend_account_ || !backend_account_key_held_) return;
  worker_.leave_backend_account(backend_account_->backend_account_key);
  backend_account_key_held_ = false;
}

asio::awaitable<bool> ClientSession::authenticate_on_backend(const config::Namespace& ns,
                                                             const std::string& user_name,
                                                             uint8_t& seq) {
  auto& ctx = worker_.context();
  if (co_await refuse_if_throttled(user_name, seq)) co_return false;
  if (!(client_caps_ & cap::kPluginAuth)) {
    co_await send_error(errc::kNotSupportedAuthMode,
                        "namespace '" + ns.name +
                            "' authenticates on the server, which needs a client with plugin "
                            "authentication (CLIENT_PLUGIN_AUTH)",
                        seq);
    co_return false;
  }
  const config::Slice* slice = ns.find_slice(ns.default_slice);
  if (!slice) {
    co_await send_error(errc::kUnknownError,
                        "namespace '" + ns.name + "' has no usable default slice", seq);
    co_return false;
  }
  namespace_ = &ns;  // primary_address() reads the topology of this namespace
  const config::HostPort address = primary_address(*slice);
  const auto& proxy = config_->proxy();
  backend::BackendEndpoint endpoint{address.host, address.port, user_name, {}};
  endpoint.tls = ctx.backend_tls(slice->tls);
  backend::ConnectOptions options;
  options.collation = state_.collation;
  options.found_rows = state_.found_rows;
  options.timeout = proxy.backend_connect_timeout;
  options.without_database = true;
  options.session = pool_owner_;
  options.tenant = ns.name;
  // An expired password: the server's sandbox mode (only SET PASSWORD and SET until the
  // password is changed) or its 1862, as the client asked. Tessera's own statements on that
  // connection fail there (SHOW GRANTS: the session keeps its own connection only).
  options.can_handle_expired_passwords = client_caps_ & cap::kCanHandleExpiredPasswords;

  std::unique_ptr<backend::BackendConnection> conn;
  InitialHandshake greeting;
  // Errors are answered after the catch (no co_await inside a handler).
  std::optional<ErrPacket> failure;
  try {
    conn = co_await backend::BackendConnection::open_for_relay(client_.socket().get_executor(),
                                                               endpoint, options, greeting);
  } catch (const backend::BackendError& e) {
    ctx.counters.backend_errors++;
    failure = e.err();
  }
  if (failure) {
    co_await send_error(*failure, seq);
    co_return false;
  }

  // The database the client asked for (set by the caller when the namespace allows it) is
  // part of the login (send_relayed_login).
  conn->db = state_.db;

  // The login goes to the server naming a client plugin no account uses, with no response:
  // the server answers with an auth switch to the account's own plugin (its scramble, or
  // ed25519's nonce), which is relayed to the client. So the client sees one auth switch,
  // as many drivers (PyMySQL) handle only one, whatever the account's plugin.
  std::string plugin(kProbePlugin);
  std::string scramble = greeting.scramble;
  std::string response;
  auto ask_client = [&](std::string_view packet) -> asio::awaitable<void> {
    std::string out(packet);
    co_await client_.write_packet(out, seq);
    uint8_t got = 0;
    co_await client_.read_packet(response, got, seq);
    seq = static_cast<uint8_t>(got + 1);
  };

  bool ok = false;
  std::string payload;
  // Every wait on the server is bounded by the connect timeout (a server that stops answering
  // mid-login); waits on the client are the handshake deadline's (session_deadlines.cc).
  backend::StallGuard stall(*conn, options.timeout);
  try {
    uint8_t bseq = 0;
    stall.arm();
    co_await conn->send_relayed_login(greeting, options, plugin, {}, bseq);
    for (int round = 0; round < 8 && !ok; ++round) {
      uint8_t got = 0;
      stall.arm();
      co_await conn->socket().read_packet(payload, got);
      stall.disarm();
      bseq = static_cast<uint8_t>(got + 1);
      if (payload.empty()) throw ProtocolViolation("empty authentication packet from backend");
      const uint8_t head = static_cast<uint8_t>(payload[0]);
      if (head == kOkHeader) {
        if (auto ok_packet = OkPacket::decode(payload, conn->capabilities()))
          conn->status_flags = ok_packet->status_flags;
        ok = true;
        break;
      }
      if (head == kErrHeader) break;
      if (head == kAuthSwitchHeader) {
        auto sw = AuthSwitchRequest::decode(payload);
        if (!sw) throw ProtocolViolation("malformed auth switch from backend");
        if (sends_clear_password(sw->plugin) && !client_.tls_active()) {
          // The client would send its password in clear over a link without TLS.
          spdlog::info(
              "login of '{}' from {} refused: the server asks for {} and the client "
              "connection has no TLS",
              user_name, peer_ip_, sw->plugin);
          co_await send_error(errc::kNotSupportedAuthMode,
                              "the server asks account '" + user_name + "' for " + sw->plugin +
                                  ", which sends the password in clear text; Tessera relays it "
                                  "only over TLS: connect with TLS",
                              seq);
          co_return false;
        }
        plugin = sw->plugin;
        scramble = sw->data;
      } else if (head == kAuthMoreDataHeader && payload.size() == 2 &&
                 static_cast<uint8_t>(payload[1]) == kSha2FastAuthSuccess) {
        // caching_sha2_password's fast path (MySQL servers): nothing to answer, OK follows.
        std::string out = payload;
        co_await client_.write_packet(out, seq);
        continue;
      } else if (head != kAuthMoreDataHeader) {
        throw ProtocolViolation("unexpected packet during relayed authentication");
      }
      co_await ask_client(payload);
      co_await conn->socket().write_packet(response, bseq);
    }
  } catch (const std::system_error& e) {
    failure = stall.timed_out() ? stalled(endpoint, options)
                                : ErrPacket(errc::kBackendLost,
                                            "lost connection to backend " + endpoint.key() +
                                                " during authentication: " + e.code().message());
  } catch (const ProtocolViolation& e) {
    failure = ErrPacket(errc::kHandshakeError, std::string("backend: ") + e.what());
  } catch (const backend::BackendError& e) {
    failure = e.err();
  }
  if (failure) {
    co_await send_error(*failure, seq);
    co_return false;
  }
  if (!ok) {
    // The server's own refusal, as it wrote it (1045, 4151 account locked, 1226
    // max_user_connections, ...).
    auto err = ErrPacket::decode(payload);
    ErrPacket refusal = err.value_or(ErrPacket(errc::kAccessDenied, "backend refused login"));
    if (refusal.code == errc::kAccessDenied.code) {
      ctx.counters.auth_failures++;
      ctx.login_throttle.failed(peer_ip_, user_name, std::chrono::steady_clock::now());
    }
    spdlog::info("login of '{}' from {} refused by backend {}: {} {}", user_name, peer_ip_,
                 endpoint.key(), refusal.code, refusal.message);
    co_await send_error(refusal, seq);
    co_return false;
  }
  ctx.login_throttle.succeeded(peer_ip_, user_name);

  auto account = std::make_unique<config::User>();
  account->user_name = user_name;
  account->namespace_name = ns.name;
  account->backend_user_name = user_name;
  try {
    stall.arm();
    co_await conn->finish_relayed_login(options);
    if (plugin == kNativePassword && response.empty()) {
      // No password: connections in its name need none.
      account->backend_account_key = user_name + "/nopassword";
    } else if (plugin == kNativePassword) {
      std::optional<std::string> stage1;
      auto grants = co_await conn->query("SHOW GRANTS FOR CURRENT_USER()");
      for (const auto& row : grants.rows) {
        if (row.empty()) continue;
        if (auto stage2 = native_password_hash_in_grant(row[0])) {
          stage1 = native_password_stage1(response, scramble, *stage2);
          if (stage1) account->backend_account_key = user_name + "/native:" + hex(*stage2);
          break;
        }
      }
      if (stage1) account->backend_password_sha1 = std::move(*stage1);
    }
    stall.disarm();
  } catch (const std::exception& e) {
    failure = stall.timed_out()
                  ? stalled(endpoint, options)
                  : ErrPacket(errc::kBackendLost, "lost connection to backend " + endpoint.key() +
                                                      " after authentication: " + failure_text(e));
  }
  if (failure) {
    co_await send_error(*failure, seq);
    co_return false;
  }
  if (account->backend_account_key.empty()) {
    // Nothing to answer another scramble with: this session's pools are its own, and hold the
    // one connection it logged in on.
    account->backend_account_key = user_name + "/session:" + std::to_string(connection_id_) + ":" +
                                   std::to_string(pool_owner_);
    account->backend_no_credentials =
        "account '" + user_name + "' logged in with " + plugin +
        ", which leaves Tessera no credential to open another connection in its name; such a "
        "session runs on its own connection to the default slice's primary only (no other "
        "slice, no read replica, no reconnect, no second connection while one is in use)";
  }

  if (!ns.online) {
    co_await send_error(errc::kAccessDenied,
                        "namespace '" + ns.name + "' is offline; try again later", seq);
    co_return false;
  }
  if (!ns.client_ip_allowed(peer_ip_)) {
    co_await send_error(
        errc::kAccessDenied,
        "Host '" + peer_ip_ + "' is not allowed to connect to namespace '" + ns.name + "'", seq);
    co_return false;
  }
  leave_backend_account();
  backend_account_ = std::move(account);
  worker_.join_backend_account(backend_account_->backend_account_key);
  backend_account_key_held_ = true;
  take_user_slot(*backend_account_);  // no limit: counted for the user's session count
  config::UserRef ref{backend_account_.get(), &ns};
  if (!bind_account(ref)) {
    co_await send_error(errc::kUnknownError,
                        "namespace '" + ns.name + "' has no usable default slice", seq);
    co_return false;
  }
  spdlog::info("client {}: logged in as server account '{}' of namespace '{}' ({}{})", peer_text(),
               user_name, ns.name, plugin,
               backend_account_->backend_no_credentials.empty() ? "" : ", own connection only");
  // The connection it logged in on is the session's own, in the account's pool.
  conn_.adopt(std::move(conn), options);
  release_backend();
  co_return true;
}

}  // namespace tessera::frontend
