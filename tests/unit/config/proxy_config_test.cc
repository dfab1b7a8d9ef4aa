#include "config/proxy_config.h"

#include <gtest/gtest.h>

#include "config/config_error.h"
#include "temp_dir.h"

namespace tessera::config {
namespace {

namespace fs = std::filesystem;

ProxyConfig parse(std::string_view text, const fs::path& base = "/etc/tessera") {
  return parse_proxy_config(text, "tessera.toml", base);
}

std::string error_of(std::string_view text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ProxyConfig, EmptyFileGivesDefaults) {
  ProxyConfig c = parse("");
  EXPECT_EQ(c.listen, (HostPort{"127.0.0.1", 13306}));
  EXPECT_EQ(c.worker_threads, 0u);
  EXPECT_GE(c.effective_worker_threads(), 1u);
  EXPECT_EQ(c.server_version, "");  // learned from the backends
  EXPECT_EQ(c.default_auth_plugin, AuthPlugin::kMysqlNativePassword);
  EXPECT_EQ(c.namespaces_dir, fs::path("/etc/tessera/namespaces"));
  EXPECT_TRUE(c.namespace_files.empty());
  EXPECT_EQ(c.pool_acquire_timeout.count(), 5000);
  EXPECT_EQ(c.pool_namespace_share_percent, 50);
  EXPECT_EQ(c.backend_connect_timeout.count(), 2000);
  EXPECT_EQ(c.client_idle_timeout.count(), 28800);
  EXPECT_EQ(c.handshake_timeout.count(), 10000);
  EXPECT_EQ(c.net_read_timeout.count(), 30000);
  EXPECT_EQ(c.backend_query_timeout.count(), 0);
  EXPECT_EQ(c.proxy_instance_id, "tessera-1");
  EXPECT_EQ(c.failover_hold.count(), 10000);
  EXPECT_EQ(c.deadlock_retries, 3);
  EXPECT_EQ(c.max_allowed_packet, 64u * 1024 * 1024);
  EXPECT_EQ(c.max_connections, 20000u);
  EXPECT_EQ(c.max_connections_per_ip, 0u);
  EXPECT_TRUE(c.client_compression);
  EXPECT_EQ(c.login_failure_limit, 10u);
  EXPECT_EQ(c.login_block.count(), 60000);
  EXPECT_EQ(c.admin_max_body_bytes, 1024u * 1024);
  EXPECT_EQ(c.admin_request_timeout.count(), 5000);
  EXPECT_EQ(c.admin_threads, 16u);
  ASSERT_TRUE(c.admin_listen);
  EXPECT_EQ(c.admin_listen->host, "127.0.0.1");
  EXPECT_EQ(c.admin_listen->port, 13307);
  EXPECT_EQ(c.admin_user, "admin");
  EXPECT_EQ(c.admin_password, "admin");
  EXPECT_EQ(c.log_level, LogLevel::kInfo);
  EXPECT_TRUE(c.log_file.empty());
  EXPECT_TRUE(c.general_log_file.empty());
  EXPECT_TRUE(c.slow_log_file.empty());
  EXPECT_EQ(c.log_max_size_mb, 100u);
  EXPECT_EQ(c.log_max_files, 5u);
  EXPECT_FALSE(c.tls_enabled());
  EXPECT_EQ(c.monitor_interval.count(), 500);
  EXPECT_EQ(c.monitor_timeout.count(), 1000);
  EXPECT_EQ(c.replica_positions, ProxyConfig::ReplicaPositions::kBinlog);
  EXPECT_EQ(c.position_poll_interval.count(), 500);
  EXPECT_TRUE(c.repl_user.empty());
  EXPECT_TRUE(c.monitor_user.empty());
  EXPECT_EQ(c.backend_tls, BackendTls::kOff);
}

TEST(ProxyConfig, ReadsEveryKey) {
  ProxyConfig c = parse(R"(
[proxy]
listen = "[::1]:4000"
worker_threads = 4
server_version = "5.7.99-x"
default_auth_plugin = "caching_sha2_password"
namespaces_dir = "ns"
namespace_files = ["extra/a.json", "/abs/b.json"]
pool_acquire_timeout_ms = 100
pool_namespace_share_percent = 80
backend_connect_timeout_ms = 200
client_idle_timeout_s = 300
handshake_timeout_ms = 1500
net_read_timeout_ms = 2500
backend_query_timeout_ms = 4000
proxy_instance_id = "p-7"
failover_hold_ms = 2500
deadlock_retries = 5
max_allowed_packet = 1048576
max_connections = 500
max_connections_per_ip = 50
client_compression = false
login_failure_limit = 3
login_block_ms = 1500
[admin]
listen = ""
user = "root"
password = "pw"
max_body_bytes = 4096
request_timeout_ms = 700
threads = 4
[log]
level = "debug"
file = "logs/tessera.log"
general_log_file = "logs/general.log"
slow_log_file = "/var/log/slow.log"
max_size_mb = 7
max_files = 0
[tls]
cert = "tls/cert.pem"
key = "/keys/key.pem"
backend = "verify_ca"
backend_ca = "tls/ca.pem"
[topology]
monitor_interval_ms = 250
monitor_timeout_ms = 300
replica_positions = "poll"
position_poll_interval_ms = 50
repl_user = "repl"
repl_password = "rp"
monitor_user = "mon"
monitor_password = "mp"
)");
  EXPECT_EQ(c.listen, (HostPort{"::1", 4000}));
  EXPECT_EQ(c.worker_threads, 4u);
  EXPECT_EQ(c.effective_worker_threads(), 4u);
  EXPECT_EQ(c.server_version, "5.7.99-x");
  EXPECT_EQ(c.default_auth_plugin, AuthPlugin::kCachingSha2Password);
  EXPECT_EQ(c.namespaces_dir, fs::path("/etc/tessera/ns"));
  ASSERT_EQ(c.namespace_files.size(), 2u);
  EXPECT_EQ(c.namespace_files[0], fs::path("/etc/tessera/extra/a.json"));
  EXPECT_EQ(c.namespace_files[1], fs::path("/abs/b.json"));
  EXPECT_EQ(c.pool_acquire_timeout.count(), 100);
  EXPECT_EQ(c.pool_namespace_share_percent, 80);
  EXPECT_EQ(c.backend_connect_timeout.count(), 200);
  EXPECT_EQ(c.client_idle_timeout.count(), 300);
  EXPECT_EQ(c.handshake_timeout.count(), 1500);
  EXPECT_EQ(c.net_read_timeout.count(), 2500);
  EXPECT_EQ(c.backend_query_timeout.count(), 4000);
  EXPECT_EQ(c.proxy_instance_id, "p-7");
  EXPECT_EQ(c.failover_hold.count(), 2500);
  EXPECT_EQ(c.deadlock_retries, 5);
  EXPECT_EQ(c.max_allowed_packet, 1048576u);
  EXPECT_EQ(c.max_connections, 500u);
  EXPECT_EQ(c.max_connections_per_ip, 50u);
  EXPECT_FALSE(c.client_compression);
  EXPECT_EQ(c.login_failure_limit, 3u);
  EXPECT_EQ(c.login_block.count(), 1500);
  EXPECT_EQ(c.admin_max_body_bytes, 4096u);
  EXPECT_EQ(c.admin_request_timeout.count(), 700);
  EXPECT_EQ(c.admin_threads, 4u);
  EXPECT_FALSE(c.admin_listen);
  EXPECT_EQ(c.admin_user, "root");
  EXPECT_EQ(c.log_level, LogLevel::kDebug);
  EXPECT_EQ(c.log_file, fs::path("/etc/tessera/logs/tessera.log"));
  EXPECT_EQ(c.general_log_file, fs::path("/etc/tessera/logs/general.log"));
  EXPECT_EQ(c.slow_log_file, fs::path("/var/log/slow.log"));
  EXPECT_EQ(c.log_max_size_mb, 7u);
  EXPECT_EQ(c.log_max_files, 0u);
  EXPECT_EQ(c.tls_cert, fs::path("/etc/tessera/tls/cert.pem"));
  EXPECT_EQ(c.tls_key, fs::path("/keys/key.pem"));
  EXPECT_TRUE(c.tls_enabled());
  EXPECT_EQ(c.monitor_interval.count(), 250);
  EXPECT_EQ(c.monitor_timeout.count(), 300);
  EXPECT_EQ(c.replica_positions, ProxyConfig::ReplicaPositions::kPoll);
  EXPECT_EQ(c.position_poll_interval.count(), 50);
  EXPECT_EQ(c.repl_user, "repl");
  EXPECT_EQ(c.repl_password, "rp");
  EXPECT_EQ(c.monitor_user, "mon");
  EXPECT_EQ(c.monitor_password, "mp");
  EXPECT_EQ(c.backend_tls, BackendTls::kVerifyCa);
  EXPECT_EQ(c.backend_tls_ca, fs::path("/etc/tessera/tls/ca.pem"));
}

TEST(ProxyConfig, DefaultNamespacesDirSkippedWhenAbsentAndFilesListed) {
  testing::TempDir dir;
  ProxyConfig c = parse(R"([proxy]
namespace_files = ["one.json"])",
                        dir.path());
  EXPECT_TRUE(c.namespaces_dir.empty());
  dir.write("namespaces/x.json", "{}");
  c = parse(R"([proxy]
namespace_files = ["one.json"])",
            dir.path());
  EXPECT_EQ(c.namespaces_dir, dir.path() / "namespaces");
}

TEST(ProxyConfig, ErrorsNameFileFieldAndProblem) {
  EXPECT_EQ(error_of("[proxy]\nlisten = \"127.0.0.1\"\n"),
            R"(tessera.toml: proxy.listen: "127.0.0.1" is not host:port)");
  EXPECT_EQ(error_of("[proxy]\nlisten = \"127.0.0.1:99999\"\n"),
            R"(tessera.toml: proxy.listen: "127.0.0.1:99999" is not host:port)");
  EXPECT_EQ(error_of("[proxy]\nworker_threads = \"4\"\n"),
            "tessera.toml: proxy.worker_threads: expected an integer, got string");
  EXPECT_EQ(error_of("[proxy]\nworker_threads = -1\n"),
            "tessera.toml: proxy.worker_threads: -1 is out of range (0..1024)");
  EXPECT_EQ(error_of("[proxy]\nclient_compression = 1\n"),
            "tessera.toml: proxy.client_compression: expected a boolean, got integer");
  EXPECT_EQ(error_of("[proxy]\nlisen = \"127.0.0.1:1\"\n"),
            "tessera.toml: proxy.lisen: unknown key (line 2)");
  EXPECT_EQ(error_of("[proxy]\n[backend]\nx = 1\n"),
            "tessera.toml: backend: unknown table or key (line 2); expected [proxy], [admin], "
            "[log], [tls], [etcd], [txn] or [topology]");
  EXPECT_EQ(error_of("[txn]\nrecovery_interval_ms = 5\n"),
            "tessera.toml: txn.recovery_interval_ms: 5 is out of range (100..86400000)");
  EXPECT_EQ(error_of("[topology]\nreplica_positions = \"push\"\n"),
            R"(tessera.toml: topology.replica_positions: "push" is not binlog or poll)");
  EXPECT_EQ(error_of("[topology]\nmonitor_interval_ms = 0\n"),
            "tessera.toml: topology.monitor_interval_ms: 0 is out of range (10..3600000)");
  EXPECT_EQ(
      error_of("[log]\nlevel = \"verbose\"\n"),
      R"(tessera.toml: log.level: "verbose" is not one of trace, debug, info, warn, error, off)");
  EXPECT_EQ(
      error_of("[proxy]\ndefault_auth_plugin = \"sha256_password\"\n"),
      R"(tessera.toml: proxy.default_auth_plugin: "sha256_password" is not mysql_native_password or caching_sha2_password)");
  EXPECT_EQ(error_of("[tls]\ncert = \"c.pem\"\n"),
            "tessera.toml: tls.key: is missing: tls.cert and tls.key must be set together (both "
            "empty = TLS off)");
  EXPECT_EQ(error_of("[tls]\nbackend = \"on\"\n"),
            R"(tessera.toml: tls.backend: "on" is not one of off, required, verify_ca)");
  EXPECT_EQ(error_of("[admin]\nlisten = \"x\"\n"),
            R"(tessera.toml: admin.listen: "x" is not host:port)");
  EXPECT_EQ(error_of("[proxy]\nnamespace_files = [1]\n"),
            "tessera.toml: proxy.namespace_files[0]: expected a string, got integer");
  EXPECT_EQ(error_of("proxy = 3\n"), "tessera.toml: proxy: expected a table [proxy], got integer");
  EXPECT_EQ(error_of("[proxy]\npool_acquire_timeout_ms = 0\n"),
            "tessera.toml: proxy.pool_acquire_timeout_ms: 0 is out of range (1..86400000)");
  EXPECT_EQ(error_of("[proxy]\npool_namespace_share_percent = 0\n"),
            "tessera.toml: proxy.pool_namespace_share_percent: 0 is out of range (1..100)");
}

TEST(ProxyConfig, SyntaxErrorHasLineAndColumn) {
  std::string what = error_of("[proxy]\nlisten = \n");
  EXPECT_EQ(what.rfind("tessera.toml: invalid TOML at line 2, column ", 0), 0u) << what;
}

TEST(ProxyConfig, LoadResolvesAgainstFileDirectory) {
  testing::TempDir dir;
  auto path = dir.write("conf/tessera.toml", "[log]\nfile = \"../logs/t.log\"\n");
  ProxyConfig c = load_proxy_config(path);
  EXPECT_EQ(c.source_path, path);
  EXPECT_EQ(c.base_dir, dir.path() / "conf");
  EXPECT_EQ(c.log_file, dir.path() / "logs/t.log");
  EXPECT_EQ(c.namespaces_dir, dir.path() / "conf/namespaces");
  EXPECT_THROW(load_proxy_config(dir.path() / "nope.toml"), ConfigError);
}

TEST(ProxyConfig, DefaultAdminPasswordOnlyOnLoopback) {
  // loopback: accepted (main.cc warns)
  EXPECT_NO_THROW(parse("[admin]\nlisten = \"127.0.0.1:9\"\n"));
  EXPECT_NO_THROW(parse("[admin]\nlisten = \"[::1]:9\"\n"));
  EXPECT_NO_THROW(parse("[admin]\nlisten = \"localhost:9\"\n"));
  // anywhere else: refused with the default or an empty password
  std::string e = error_of("[admin]\nlisten = \"0.0.0.0:13307\"\n");
  EXPECT_NE(e.find("admin.password"), std::string::npos) << e;
  EXPECT_NE(e.find("not a loopback address"), std::string::npos) << e;
  e = error_of("[admin]\nlisten = \"10.1.2.3:13307\"\npassword = \"\"\n");
  EXPECT_NE(e.find("admin.password"), std::string::npos) << e;
  EXPECT_NO_THROW(parse("[admin]\nlisten = \"0.0.0.0:13307\"\npassword = \"long-secret\"\n"));
  EXPECT_NO_THROW(parse("[admin]\nlisten = \"\"\n"));  // disabled
}

TEST(ProxyConfig, LoopbackHosts) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
  EXPECT_FALSE(is_loopback_host("::"));
  EXPECT_FALSE(is_loopback_host("127.example.com"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
}

}  // namespace
}  // namespace tessera::config
