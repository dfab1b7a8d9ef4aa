#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/auth_plugin.h"
#include "config/backend_tls.h"
#include "config/host_port.h"

namespace tessera::config {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kOff };

std::optional<LogLevel> parse_log_level(std::string_view name);

// 127.0.0.0/8, ::1 or localhost: only this machine can reach it.
bool is_loopback_host(std::string_view host);
std::string_view to_string(LogLevel level);

// The proxy's own TOML file (`tessera.toml`). Relative paths in it are resolved against the
// file's directory at load time, so every path here is absolute (or empty = unset).
struct ProxyConfig {
  // [proxy]
  HostPort listen{"127.0.0.1", 13306};
  unsigned worker_threads = 0;  // 0 = number of cores; see effective_worker_threads()
  // The version the client greeting presents; empty = the backends' own (the first namespace's
  // default slice primary, "-Tessera" appended), see protocol/server_identity.h.
  std::string server_version;
  AuthPlugin default_auth_plugin = AuthPlugin::kMysqlNativePassword;
  // Directory scanned for `*.json` namespace files; empty = no scan. When the key is absent,
  // the default `namespaces` directory is scanned only if it exists or no namespace_files
  // are listed.
  std::filesystem::path namespaces_dir;
  std::vector<std::filesystem::path> namespace_files;
  std::chrono::milliseconds pool_acquire_timeout{5000};
  // A pool that serves several namespaces (their slices use the same backend instance and
  // account) lets each namespace hold at most this percentage of its max_capacity (at least
  // one connection); 100 = no cap. Sessions parked in transactions cannot starve the others.
  int pool_namespace_share_percent = 50;
  std::chrono::milliseconds backend_connect_timeout{2000};
  // A client connection that sends no command for this long is closed (MySQL's wait_timeout).
  std::chrono::seconds client_idle_timeout{28800};
  // The connection phase (greeting to authenticated, TLS and auth switches included) must end
  // within this; a client that stalls in it is closed.
  std::chrono::milliseconds handshake_timeout{10000};
  // Once the first byte of a client packet has arrived, the rest must arrive within this
  // (MySQL's net_read_timeout): a client trickling bytes cannot hold a session forever.
  std::chrono::milliseconds net_read_timeout{30000};
  // A statement whose backend sends nothing for this long is failed with an error and its
  // backend connection closed (a stalled or unreachable server). 0 = wait indefinitely: a long
  // query that streams nothing until it ends (SELECT SLEEP(60), a big sort) would trip it.
  std::chrono::milliseconds backend_query_timeout{0};
  std::string proxy_instance_id = "tessera-1";
  // While a slice has no writable primary (a failover in progress), writes wait this long for
  // one before the client gets an error (issue 6). 0 = fail at once.
  std::chrono::milliseconds failover_hold{10000};
  // Autocommit statements that hit a deadlock (1213) are retried this many times, with a
  // growing pause, before the error reaches the client.
  int deadlock_retries = 3;
  // Largest client packet (frames reassembled) Tessera accepts, as the server's
  // max_allowed_packet: a bigger one is refused with error 1153 before it is buffered, and the
  // connection closed. Also the most COM_STMT_SEND_LONG_DATA a session may have buffered.
  uint64_t max_allowed_packet = 64ull * 1024 * 1024;
  // Offer the compressed protocol (CLIENT_COMPRESS, zlib) to clients, as the server does; a
  // client that asks for it gets it whatever the backend connections use.
  bool client_compression = true;
  // Client connections (from accept to close, logged in or not) in all and from one IP address;
  // over either the client gets error 1040 in place of the greeting. 0 = no limit.
  uint64_t max_connections = 20000;
  uint64_t max_connections_per_ip = 0;
  // After login_failure_limit failed logins of one user name from one IP (failures further
  // apart than login_block are forgotten), that pair is refused for login_block. 0 = off.
  unsigned login_failure_limit = 10;
  std::chrono::milliseconds login_block{60000};

  // [topology] (issues 5 and 6): the monitor checks every instance each monitor_interval
  // (a check taking longer than monitor_timeout counts as a failure); replica GTID positions
  // are pushed from each instance's binlog stream ("binlog") or polled ("poll") every
  // position_poll_interval. repl_user/repl_password: the account the binlog followers use
  // (needs REPLICATION SLAVE); empty = the slice's own backend account.
  enum class ReplicaPositions { kBinlog, kPoll };
  std::chrono::milliseconds monitor_interval{500};
  std::chrono::milliseconds monitor_timeout{1000};
  ReplicaPositions replica_positions = ReplicaPositions::kBinlog;
  std::chrono::milliseconds position_poll_interval{500};
  std::string repl_user;
  std::string repl_password;
  // monitor_user/monitor_password: the account the monitor's probes use (SELECT @@read_only and
  // SHOW SLAVE STATUS: needs SLAVE MONITOR, nothing on any database); empty = each slice's
  // own backend account, which then needs that privilege itself.
  std::string monitor_user;
  std::string monitor_password;

  // [admin]
  std::optional<HostPort> admin_listen = HostPort{"127.0.0.1", 13307};  // nullopt = disabled
  std::string admin_user = "admin";
  std::string admin_password = "admin";
  // Limits an unauthenticated client cannot get around: a request (line, headers, body) must
  // arrive within admin_request_timeout, bodies above admin_max_body_bytes are refused (413),
  // and admin_threads requests are served at once (more wait in line).
  size_t admin_max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds admin_request_timeout{5000};
  unsigned admin_threads = 16;
  // The password every fresh install has: refused on a non-loopback admin address.
  static constexpr std::string_view kDefaultAdminPassword = "admin";
  bool admin_password_is_default() const { return admin_password == kDefaultAdminPassword; }

  // [log]
  LogLevel log_level = LogLevel::kInfo;
  std::filesystem::path log_file;  // empty = stderr
  // Every statement of namespaces with open_general_log; empty = no general log.
  std::filesystem::path general_log_file;
  // Statements slower than their namespace's slow_sql_time; empty = no slow log.
  std::filesystem::path slow_log_file;
  // Each log file is rotated (file -> file.1 -> ... file.<max_files>) when it would grow past
  // max_size_mb; 0 = never by size. SIGUSR1 reopens every log file (for logrotate).
  unsigned log_max_size_mb = 100;
  unsigned log_max_files = 5;

  // [txn] (issue 7): where XA commit decisions are made durable, and how often prepared
  // transactions left by a crash are looked for. Empty decision_log = default:
  // <base_dir>/xa-decisions-<proxy_instance_id>.log.
  std::filesystem::path xa_decision_log;
  std::chrono::milliseconds xa_recovery_interval{10000};

  // [tls]
  std::filesystem::path tls_cert;  // PEM; both empty = TLS off
  std::filesystem::path tls_key;
  // Connections to MySQL servers: the default of slices without "tls", and the CA file (PEM)
  // verify_ca checks server certificates against (empty = the system's CAs). Read at start.
  BackendTls backend_tls = BackendTls::kOff;
  std::filesystem::path backend_tls_ca;

  // [etcd]: namespaces from an etcd v3 cluster (its HTTP/JSON gateway) instead of files,
  // under `<prefix>/<cluster>/namespace/<name>`, watched for changes (docs/admin-api.md).
  std::vector<HostPort> etcd_endpoints;  // empty = etcd off
  std::string etcd_prefix = "/tessera";
  std::string etcd_cluster = "default";
  // Passwords written as "enc:<base64>" in etcd are AES-256-CBC encrypted with SHA-256 of this.
  std::string etcd_encrypt_key;
  std::chrono::milliseconds etcd_timeout{2000};
  // etcd authentication (etcd's /v3/auth/authenticate; empty username = none). The password
  // may be an "enc:" value, decrypted at load with encrypt_key.
  std::string etcd_username;
  std::string etcd_password;
  // https to every endpoint; the CA file (PEM) server certificates are checked against (empty
  // = the system's CAs), an optional client certificate and key; verification (certificate
  // chain and host name) is on unless tls_verify = false.
  bool etcd_tls = false;
  std::filesystem::path etcd_tls_ca;
  std::filesystem::path etcd_tls_cert;
  std::filesystem::path etcd_tls_key;
  bool etcd_tls_verify = true;

  // Not configuration: the file this was loaded from (absolute) and its directory.
  std::filesystem::path source_path;
  std::filesystem::path base_dir;

  bool tls_enabled() const { return !tls_cert.empty(); }
  bool etcd_enabled() const { return !etcd_endpoints.empty(); }
  // "<prefix>/<cluster>/namespace/": the key prefix of this cluster's namespaces.
  std::string etcd_namespace_prefix() const;
  unsigned effective_worker_threads() const;
};

// Loads and validates the TOML file. Every key is optional; unknown tables or keys, wrong
// types and bad values throw ConfigError naming the file, `table.key` and the problem.
ProxyConfig load_proxy_config(const std::filesystem::path& toml_path);

// Same, from text; relative paths resolve against `base_dir`, errors name `source_name`.
ProxyConfig parse_proxy_config(std::string_view toml_text, std::string_view source_name,
                               const std::filesystem::path& base_dir);

}  // namespace tessera::config
