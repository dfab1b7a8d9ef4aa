// Connection phase of a client session: greeting, optional TLS, account
// lookup and authentication (mysql_native_password, caching_sha2_password
// with fast path and full authentication over TLS or RSA), auth switch, and
// COM_CHANGE_USER.
#include <spdlog/spdlog.h>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "frontend/client_session.h"
#include "frontend/worker.h"
#include "protocol/auth.h"
#include "protocol/constants.h"
#include "protocol/handshake.h"
#include "protocol/server_identity.h"

namespace tessera::frontend {

using namespace protocol;
using namespace asio::experimental::awaitable_operators;

namespace {

// The character set of a handshake collation id that no client may use ("" otherwise):
// MariaDB 10.11's ucs2, utf16, utf16le and utf32 collations below 256.
std::string_view wide_client_charset(uint8_t id) {
  if (id == 35 || id == 90 || (id >= 128 && id <= 151) || id == 159) return "ucs2";
  if (id == 54 || id == 55 || (id >= 101 && id <= 124)) return "utf16";
  if (id == 56 || id == 62) return "utf16le";
  if (id == 60 || id == 61 || (id >= 160 && id <= 183)) return "utf32";
  return "";
}

// A database name from COM_CHANGE_USER in a utf8 session, as the server takes it: it converts
// the name to its utf8mb3 system character set, each byte that starts no valid character and
// each character beyond utf8mb3 becoming '?' (a later COM_INIT_DB with the raw bytes would get
// 1300 instead). The npm mariadb connector's packet without a database puts its collation's
// first byte there.
std::string utf8_name_as_server_reads_it(std::string_view name) {
  std::string out;
  size_t i = 0;
  while (i < name.size()) {
    auto b = static_cast<unsigned char>(name[i]);
    size_t len = b < 0x80           ? 1
                 : (b >> 5) == 0x6  ? 2
                 : (b >> 4) == 0xE  ? 3
                 : (b >> 3) == 0x1E ? 4
                                    : 0;
    bool valid = len > 0 && i + len <= name.size();
    for (size_t k = 1; valid && k < len; ++k)
      valid = (static_cast<unsigned char>(name[i + k]) & 0xC0) == 0x80;
    if (!valid) {
      out += '?';
      ++i;
    } else {
      out += len == 4 ? std::string("?") : std::string(name.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string_view plugin_name(config::AuthPlugin p) {
  return config::to_string(p);
}

// The collation a session starts in when its client names none Tessera and the server know
// (id 0, or an id no collation has): its namespace's default_charset / default_collation, as
// the server starts such a session in its character_set_server; else the greeting's own.
uint8_t namespace_start_collation(const config::Namespace* ns) {
  return ns && ns->default_collation_id ? ns->default_collation_id : kUtf8mb4GeneralCi;
}

}  // namespace

bool ClientSession::bind_account(const config::UserRef& account) {
  user_ = account.user;
  namespace_ = account.ns;
  const config::Slice* slice = namespace_->find_slice(namespace_->default_slice);
  if (!slice) return false;
  conn_.aim(namespace_->default_slice, &primary_pool(*slice));
  consistency_ = user_->read_consistency;
  rules_.reset();
  if (const auto& sets = snapshot_->rules) {
    if (auto it = sets->find(namespace_->name); it != sets->end()) rules_ = it->second;
  }
  xa_abandon();
  xa_.reset();
  auto* manager = worker_.context().txn_manager();
  if (rules_ && !rules_->empty() && manager &&
      namespace_->transaction_mode == config::TransactionMode::kXa) {
    xa_ = std::make_unique<txn::SessionTxn>(*manager);
  }
  return true;
}

asio::awaitable<bool> ClientSession::admit() {
  auto& limits = worker_.context().connection_limits;
  auto verdict = limits.admit(peer_ip_);
  if (verdict == session::ConnectionLimits::Verdict::kOk) {
    admitted_ = true;
    co_return true;
  }
  const auto& proxy = config_->proxy();
  bool per_ip = verdict == session::ConnectionLimits::Verdict::kTooManyFromIp;
  spdlog::info("client {}: refused, {} ({}) reached", peer_text(),
               per_ip ? "max_connections_per_ip" : "max_connections",
               per_ip ? proxy.max_connections_per_ip : proxy.max_connections);
  // What MariaDB sends in place of the greeting: ERR 1040 without a SQLSTATE (the client's
  // capabilities are not known yet), then it closes.
  std::string err;
  err += static_cast<char>(kErrHeader);
  err += static_cast<char>(errc::kConCount.code & 0xff);
  err += static_cast<char>(errc::kConCount.code >> 8);
  err += "Too many connections";
  uint8_t seq = 0;
  try {
    co_await client_.write_packet(err, seq);
  } catch (const std::exception&) {
  }
  co_return false;
}

asio::awaitable<bool> ClientSession::handshake() {
  auto& ctx = worker_.context();
  snapshot_ = ctx.snapshot();
  config_ = snapshot_->config;
  const auto& proxy = config_->proxy();
  scramble_ = make_scramble();

  // The backends' family, version and capabilities (or the server_version setting).
  const ServerIdentity identity = ctx.server_identity();
  InitialHandshake hs;
  hs.server_version = identity.server_version;
  hs.connection_id = connection_id_;
  hs.scramble = scramble_;
  hs.capabilities = identity.capabilities | (ctx.tls_context() ? cap::kSsl : 0) |
                    (proxy.client_compression ? cap::kCompress : 0);
  hs.mariadb_capabilities = identity.mariadb_capabilities;
  hs.collation = kUtf8mb4GeneralCi;
  hs.status_flags = status::kAutocommit;
  hs.auth_plugin = std::string(plugin_name(proxy.default_auth_plugin));
  uint8_t seq = 0;
  co_await client_.write_packet(hs.encode(), seq);

  // A client that never answers must not hold a slot forever.
  asio::steady_timer timer(client_.socket().get_executor());
  auto read_with_deadline = [&](std::string& payload, uint8_t& got,
                                uint8_t expect) -> asio::awaitable<bool> {
    timer.expires_after(proxy.handshake_timeout);
    auto read = [&]() -> asio::awaitable<bool> {
      // Failure as a value so the race ends at once (operator|| waits for a
      // successful operation).
      try {
        co_await client_.read_packet(payload, got, expect);
      } catch (const std::system_error&) {
        co_return false;
      }
      co_return true;
    };
    auto r = co_await (read() || timer.async_wait(asio::use_awaitable));
    co_return r.index() == 0 && std::get<0>(r);
  };

  std::string payload;
  uint8_t got = 0;
  client_.set_max_packet_size(64 * 1024);  // nothing in the handshake is larger
  client_.set_exact_reads(true);           // a TLS ClientHello may follow an SSL request at once
  bool answered = co_await read_with_deadline(payload, got, 1);
  client_.set_exact_reads(false);
  if (!answered) {
    spdlog::debug("client {}: no handshake response within {} ms", peer_text(),
                  proxy.handshake_timeout.count());
    co_return false;
  }
  seq = static_cast<uint8_t>(got + 1);
  if (HandshakeResponse::is_ssl_request(payload)) {
    if (!ctx.tls_context()) {
      co_await send_error(errc::kHandshakeError, "TLS is not enabled on this Tessera listener",
                          seq);
      co_return false;
    }
    co_await client_.start_tls_server(*ctx.tls_context());
    if (!co_await read_with_deadline(payload, got, seq)) co_return false;
    seq = static_cast<uint8_t>(got + 1);
  }
  auto resp = HandshakeResponse::decode(payload);
  if (!resp) {
    ctx.counters.protocol_errors++;
    co_await send_error(errc::kHandshakeError, "Bad handshake: malformed handshake response", seq);
    co_return false;
  }
  client_caps_ = resp->capabilities & (hs.capabilities | cap::kSsl);
  client_mariadb_caps_ =
      has_mariadb_capabilities(hs.capabilities) && has_mariadb_capabilities(resp->capabilities)
          ? resp->mariadb_capabilities & hs.mariadb_capabilities
          : 0;
  reply_.set_capabilities(client_caps_, client_mariadb_caps_);
  state_.collation = resp->collation ? resp->collation : kUtf8mb4GeneralCi;
  state_.found_rows = client_caps_ & cap::kFoundRows;
  multi_statements_ = client_caps_ & cap::kMultiStatements;

  config::UserRef account = config_->lookup_user(resp->user);
  std::string plugin = resp->auth_plugin;
  if (plugin.empty() && (client_caps_ & cap::kSecureConnection))
    plugin = std::string(kNativePassword);
  const config::Namespace* server_accounts = config_->backend_accounts_namespace();
  if (!account && server_accounts) {
    // In no namespace's users[]: an account of the servers (backend_account_auth.cc), its
    // database part of the login there.
    if (server_accounts->allows_db(resp->database)) state_.db = resp->database;
    if (!co_await authenticate_on_backend(*server_accounts, resp->user, seq)) co_return false;
  } else if (!co_await authenticate(account, resp->user, plugin, resp->auth_response, seq)) {
    co_return false;
  }

  // A handshake naming a character set no client may use (ucs2, utf16, utf16le, utf32) is
  // refused after authentication, as MariaDB 10.11 refuses it.
  if (std::string_view wide = wide_client_charset(state_.collation); !wide.empty()) {
    co_await send_error(
        protocol::ErrorCode{1231, "42000"},
        "Variable 'character_set_client' can't be set to the value of '" + std::string(wide) + "'",
        seq);
    co_return false;
  }
  // (Id 0 names none: until here the session ran in the greeting's own.)
  if (resp->collation == 0 || session::collation_name(state_.collation).empty()) {
    state_.collation = namespace_start_collation(namespace_);
  }

  if (!resp->database.empty()) {
    if (!namespace_->allows_db(resp->database)) {
      co_await send_error(
          errc::kDbAccessDenied,
          "Access denied for user '" + resp->user + "' to database '" + resp->database + "'", seq);
      co_return false;
    }
    state_.db = resp->database;
    // Check the database exists now, as a server would, not at first query.
    reply_.forget_sent();
    if (!co_await ensure_backend(seq)) co_return false;
    release_backend();
  }
  client_.set_max_packet_size(proxy.max_allowed_packet);
  co_await send_ok(seq);
  // The OK itself goes uncompressed: clients switch after reading it, as with the server.
  if (client_caps_ & cap::kCompress) client_.start_compression();
  co_return true;
}

asio::awaitable<bool> ClientSession::refuse_if_throttled(const std::string& requested,
                                                         uint8_t& seq) {
  auto& ctx = worker_.context();
  auto now = std::chrono::steady_clock::now();
  auto left = ctx.login_throttle.blocked_for(peer_ip_, requested, now);
  if (left.count() <= 0) co_return false;
  // Checked before the password: while blocked, even the right one is refused, so a block
  // cannot be used to confirm a guess.
  ctx.counters.auth_failures++;
  auto seconds = std::chrono::ceil<std::chrono::seconds>(left).count();
  spdlog::info("login of '{}' from {} refused: blocked for {} s after repeated failures", requested,
               peer_ip_, seconds);
  co_await send_error(errc::kHostIsBlocked,
                      "Host '" + peer_ip_ + "' is blocked for user '" + requested +
                          "' because of too many failed logins; try again in " +
                          std::to_string(seconds) + " s",
                      seq);
  co_return true;
}

asio::awaitable<bool> ClientSession::authenticate(const config::UserRef& account,
                                                  std::string_view user_name, std::string plugin,
                                                  std::string auth_response, uint8_t& seq) {
  auto& ctx = worker_.context();
  const std::string requested(user_name);
  if (co_await refuse_if_throttled(requested, seq)) co_return false;
  auto deny = [&](bool used_password) -> asio::awaitable<bool> {
    ctx.counters.auth_failures++;
    bool blocked = ctx.login_throttle.failed(peer_ip_, requested, std::chrono::steady_clock::now());
    spdlog::info("access denied for '{}' from {}{}", requested, peer_ip_,
                 blocked ? "; too many failures, the pair is blocked for a while" : "");
    co_await send_error(errc::kAccessDenied,
                        "Access denied for user '" + requested + "'@'" + peer_ip_ +
                            "' (using password: " + (used_password ? "YES" : "NO") + ")",
                        seq);
    co_return false;
  };
  // An unknown user goes through the same exchange against an account nobody can log in to:
  // same packets, same work, same error, so logins do not tell which names exist.
  static const config::User kNobody = [] {
    config::User u;
    u.password = make_scramble() + make_scramble();
    return u;
  }();
  const config::User& user = account ? *account.user : kNobody;
  // The plugin the account requires, else whichever supported one the client used.
  std::string required = user.auth_plugin ? std::string(plugin_name(*user.auth_plugin)) : plugin;
  if (required != kNativePassword && required != kCachingSha2Password) {
    required = std::string(plugin_name(config_->proxy().default_auth_plugin));
  }
  if (plugin != required) {
    scramble_ = make_scramble();
    // Built outside the co_await: GCC 12 destroys brace-initialised
    // temporaries inside a co_await expression twice.
    AuthSwitchRequest switch_request{required, scramble_};
    std::string switch_packet = switch_request.encode();
    co_await client_.write_packet(switch_packet, seq);
    uint8_t got = 0;
    co_await client_.read_packet(auth_response, got, seq);
    seq = static_cast<uint8_t>(got + 1);
    plugin = required;
  }
  bool ok = false;
  if (plugin == kNativePassword) {
    ok = verify_native_password(auth_response, scramble_, user.password);
  } else if (user.password.empty()) {
    ok = auth_response.empty();
  } else if (account && ctx.sha2_cached(user.user_name, user.password) &&
             verify_caching_sha2(auth_response, scramble_, user.password)) {
    ok = true;
    std::string fast{static_cast<char>(kAuthMoreDataHeader),
                     static_cast<char>(kSha2FastAuthSuccess)};
    co_await client_.write_packet(fast, seq);
  } else {
    // Not in the cache (or a scramble computed over a differently framed
    // nonce, as some drivers do after an auth switch): the client must prove
    // the password itself, over TLS or RSA.
    ok = co_await full_sha2_authentication(user, seq);
  }
  if (!ok || !account) co_return co_await deny(!auth_response.empty());
  ctx.login_throttle.succeeded(peer_ip_, requested);
  // Only someone who knows the password learns about the namespace's state and host rules.
  if (!account.ns->online) {
    co_await send_error(errc::kAccessDenied,
                        "namespace '" + account.ns->name + "' is offline; try again later", seq);
    co_return false;
  }
  if (!account.ns->client_ip_allowed(peer_ip_)) {
    co_await send_error(
        errc::kAccessDenied,
        "Host '" + peer_ip_ + "' is not allowed to connect to namespace '" + account.ns->name + "'",
        seq);
    co_return false;
  }
  if (!take_user_slot(user)) {
    ctx.counters.auth_failures++;
    spdlog::info("'{}' from {} refused: max_connections ({}) reached", user.user_name, peer_ip_,
                 user.max_connections);
    co_await send_error(errc::kTooManyUserConnections,
                        "User '" + user.user_name + "' already has more than " +
                            std::to_string(user.max_connections) +
                            " active connections (max_connections of namespace '" +
                            account.ns->name + "')",
                        seq);
    co_return false;
  }
  if (!bind_account(account)) {
    co_await send_error(errc::kUnknownError,
                        "namespace '" + account.ns->name + "' has no usable default slice", seq);
    co_return false;
  }
  co_return true;
}

asio::awaitable<bool> ClientSession::full_sha2_authentication(const config::User& user,
                                                              uint8_t& seq) {
  auto& ctx = worker_.context();
  std::string request{static_cast<char>(kAuthMoreDataHeader),
                      static_cast<char>(kSha2PerformFullAuth)};
  co_await client_.write_packet(request, seq);
  std::string reply;
  uint8_t got = 0;
  co_await client_.read_packet(reply, got, seq);
  seq = static_cast<uint8_t>(got + 1);
  std::string password;
  if (client_.tls_active()) {
    password = reply;
  } else {
    if (reply.size() == 1 && static_cast<uint8_t>(reply[0]) == kSha2RequestPublicKey) {
      std::string key(1, static_cast<char>(kAuthMoreDataHeader));
      key += ctx.rsa_key().public_key_pem();
      co_await client_.write_packet(key, seq);
      co_await client_.read_packet(reply, got, seq);
      seq = static_cast<uint8_t>(got + 1);
    }
    std::string plain = ctx.rsa_key().decrypt(reply);
    if (plain.empty()) {
      co_await send_error(errc::kAccessDenied,
                          "caching_sha2_password full authentication needs TLS or the RSA public "
                          "key exchange; connect with TLS or allow public key retrieval",
                          seq);
      co_return false;
    }
    password = xor_password_with_scramble(plain, scramble_);
  }
  if (!password.empty() && password.back() == '\0') password.pop_back();
  if (password != user.password) co_return false;
  ctx.sha2_remember(user.user_name, user.password);
  co_return true;
}

asio::awaitable<bool> ClientSession::change_user(std::string_view payload) {
  auto cu = ChangeUser::decode(payload.substr(1), client_caps_);
  uint8_t seq = reply_.first_seq();
  if (!cu) {
    // MariaDB's answer to a COM_CHANGE_USER that ends before its database (or, below, before
    // the plugin name of a CLIENT_PLUGIN_AUTH client).
    co_await send_error(errc::kUnknownCommand, "Unknown command", seq);
    co_return false;
  }
  // The server refuses a character set no client may use before it authenticates.
  if (cu->collation <= 0xFF) {
    if (std::string_view wide = wide_client_charset(static_cast<uint8_t>(cu->collation));
        !wide.empty()) {
      co_await send_error(protocol::ErrorCode{1231, "42000"},
                          "Variable 'character_set_client' can't be set to the value of '" +
                              std::string(wide) + "'",
                          seq);
      co_return false;
    }
  }
  if (cu->plugin_missing) {
    co_await send_error(errc::kUnknownCommand, "Unknown command", seq);
    co_return false;
  }
  // Whatever the old user had on the server must not leak to the new one.
  drop_slices();
  drop_backend();
  drop_replica();
  reset_session_state();
  renew_pool_owner();
  snapshot_ = worker_.context().snapshot();
  config_ = snapshot_->config;
  config::UserRef account = config_->lookup_user(cu->user);
  std::string plugin = cu->auth_plugin.empty() ? std::string(kNativePassword) : cu->auth_plugin;
  // The server starts the new session in the character set the packet names, or in its
  // default when it names none or one it does not know (as at login: the new account's
  // namespace's default_charset, else the one Tessera's greeting announces). Ids above 255
  // (MariaDB's _nopad_bin and the like) cannot be named in a handshake, so backend connections
  // cannot be opened in them: also the default.
  const bool names_collation =
      cu->collation && cu->collation <= 0xFF &&
      !session::collation_name(static_cast<uint8_t>(cu->collation)).empty();
  state_.collation = names_collation ? static_cast<uint8_t>(cu->collation) : kUtf8mb4GeneralCi;
  if (session::charset_of_collation(state_.collation).starts_with("utf8"))
    cu->database = utf8_name_as_server_reads_it(cu->database);
  // The exchange (an auth switch, sha2 full authentication) is bounded by handshake_timeout,
  // as at login.
  enter_phase(Phase::kHandshake);
  // The old account's pools are no longer this session's (its connections are closed above).
  leave_backend_account();
  const config::Namespace* server_accounts = config_->backend_accounts_namespace();
  // A server account is authenticated by the server again, on a new connection (the state
  // reset the server does on COM_CHANGE_USER: a fresh login has none).
  bool authenticated = false;
  if (!account && server_accounts) {
    if (server_accounts->allows_db(cu->database)) state_.db = cu->database;
    authenticated = co_await authenticate_on_backend(*server_accounts, cu->user, seq);
  } else {
    authenticated = co_await authenticate(account, cu->user, plugin, cu->auth_response, seq);
  }
  enter_phase(Phase::kCommand);
  if (!authenticated) co_return false;
  if (!names_collation) state_.collation = namespace_start_collation(namespace_);
  if (!cu->database.empty() && !namespace_->allows_db(cu->database)) {
    co_await send_error(
        errc::kDbAccessDenied,
        "Access denied for user '" + cu->user + "' to database '" + cu->database + "'", seq);
    co_return false;
  }
  state_.db = cu->database;
  if (!state_.db.empty()) {
    reply_.forget_sent();
    if (!co_await ensure_backend(seq)) co_return true;
    release_backend();
  }
  co_await send_ok(seq);
  co_return true;
}

}  // namespace tessera::frontend
