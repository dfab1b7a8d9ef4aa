#include "config/proxy_config.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/config_error.h"
#include "config/secret_box.h"

namespace tessera::config {

namespace {

constexpr std::array<std::pair<LogLevel, std::string_view>, 6> kLevels{{
    {LogLevel::kTrace, "trace"},
    {LogLevel::kDebug, "debug"},
    {LogLevel::kInfo, "info"},
    {LogLevel::kWarn, "warn"},
    {LogLevel::kError, "error"},
    {LogLevel::kOff, "off"},
}};

std::string_view toml_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    default:
      return "date/time";
  }
}

// Reads the keys of one `[table]`, refusing the ones nobody asked for.
class TableReader {
 public:
  TableReader(const toml::table* table, std::string name, const std::string& source)
      : table_(table), name_(std::move(name)), source_(source) {}

  [[noreturn]] void fail(std::string_view key, const std::string& problem) const {
    throw ConfigError(source_, fmt::format("{}.{}", name_, key), problem);
  }

  const toml::node* get(std::string_view key) {
    seen_.emplace(key);
    return table_ ? table_->get(key) : nullptr;
  }

  std::optional<std::string> string(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) {
      fail(key, fmt::format("expected a string, got {}", toml_type_name(*n)));
    }
    return n->as_string()->get();
  }

  std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_integer()) {
      fail(key, fmt::format("expected an integer, got {}", toml_type_name(*n)));
    }
    int64_t v = n->as_integer()->get();
    if (v < min || v > max) fail(key, fmt::format("{} is out of range ({}..{})", v, min, max));
    return v;
  }

  std::optional<bool> boolean(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_boolean()) {
      fail(key, fmt::format("expected a boolean, got {}", toml_type_name(*n)));
    }
    return n->as_boolean()->get();
  }

  std::optional<std::vector<std::string>> string_list(std::string_view key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_array()) fail(key, fmt::format("expected an array, got {}", toml_type_name(*n)));
    std::vector<std::string> out;
    const toml::array& arr = *n->as_array();
    for (size_t i = 0; i < arr.size(); ++i) {
      if (!arr[i].is_string()) {
        throw ConfigError(source_, fmt::format("{}.{}[{}]", name_, key, i),
                          fmt::format("expected a string, got {}", toml_type_name(arr[i])));
      }
      out.push_back(arr[i].as_string()->get());
    }
    return out;
  }

  std::optional<HostPort> address(std::string_view key, std::optional<HostPort> current,
                                  bool empty_disables) {
    auto text = string(key);
    if (!text) return current;
    if (text->empty() && empty_disables) return std::nullopt;
    auto hp = parse_host_port(*text);
    if (!hp) fail(key, fmt::format("\"{}\" is not host:port", *text));
    return hp;
  }

  void reject_unknown() const {
    if (!table_) return;
    for (const auto& [key, value] : *table_) {
      if (!seen_.count(key.str())) {
        fail(key.str(), fmt::format("unknown key (line {})", key.source().begin.line));
      }
    }
  }

 private:
  const toml::table* table_;
  std::string name_;
  const std::string& source_;
  std::set<std::string, std::less<>> seen_;
};

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& text) {
  if (text.empty()) return {};
  std::filesystem::path p(text);
  if (p.is_relative()) p = base / p;
  return p.lexically_normal();
}

const toml::table* sub_table(const toml::table& root, std::string_view name,
                             const std::string& source) {
  const toml::node* n = root.get(name);
  if (!n) return nullptr;
  if (!n->is_table()) {
    throw ConfigError(source, std::string(name),
                      fmt::format("expected a table [{}], got {}", name, toml_type_name(*n)));
  }
  return n->as_table();
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  // 127.0.0.0/8, written as a dotted quad
  if (host.substr(0, 4) != "127.") return false;
  int dots = 0;
  for (char ch : host) {
    if (ch == '.') {
      dots++;
    } else if (ch < '0' || ch > '9') {
      return false;
    }
  }
  return dots == 3;
}

std::optional<LogLevel> parse_log_level(std::string_view name) {
  for (const auto& [level, text] : kLevels) {
    if (text == name) return level;
  }
  return std::nullopt;
}

std::string_view to_string(LogLevel level) {
  for (const auto& [l, text] : kLevels) {
    if (l == level) return text;
  }
  return "info";
}

unsigned ProxyConfig::effective_worker_threads() const {
  if (worker_threads != 0) return worker_threads;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

ProxyConfig parse_proxy_config(std::string_view toml_text, std::string_view source_name,
                               const std::filesystem::path& base_dir) {
  const std::string source(source_name);
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    throw ConfigError(source, {},
                      fmt::format("invalid TOML at line {}, column {}: {}", e.source().begin.line,
                                  e.source().begin.column, e.description()));
  }
  for (const auto& [key, value] : root) {
    static constexpr std::array<std::string_view, 7> kTables{"proxy", "admin", "log",     "tls",
                                                             "etcd",  "txn",   "topology"};
    if (std::find(kTables.begin(), kTables.end(), key.str()) == kTables.end()) {
      throw ConfigError(source, std::string(key.str()),
                        fmt::format("unknown table or key (line {}); expected [proxy], [admin], "
                                    "[log], [tls], [etcd], [txn] or [topology]",
                                    key.source().begin.line));
    }
  }

  ProxyConfig c;
  c.base_dir = base_dir;

  TableReader proxy(sub_table(root, "proxy", source), "proxy", source);
  c.listen = *proxy.address("listen", c.listen, false);
  c.worker_threads = static_cast<unsigned>(proxy.integer("worker_threads", 0, 1024).value_or(0));
  c.server_version = proxy.string("server_version").value_or(c.server_version);
  if (auto plugin = proxy.string("default_auth_plugin")) {
    auto parsed = parse_auth_plugin(*plugin);
    if (!parsed) {
      proxy.fail(
          "default_auth_plugin",
          fmt::format("\"{}\" is not mysql_native_password or caching_sha2_password", *plugin));
    }
    c.default_auth_plugin = *parsed;
  }
  auto dir = proxy.string("namespaces_dir");
  for (const auto& file :
       proxy.string_list("namespace_files").value_or(std::vector<std::string>{})) {
    if (file.empty()) proxy.fail("namespace_files", "contains an empty path");
    c.namespace_files.push_back(resolve(base_dir, file));
  }
  if (dir) {
    c.namespaces_dir = resolve(base_dir, *dir);
  } else {
    auto fallback = resolve(base_dir, "namespaces");
    std::error_code ec;
    if (std::filesystem::is_directory(fallback, ec) || c.namespace_files.empty()) {
      c.namespaces_dir = fallback;
    }
  }
  constexpr int64_t kDay = 24 * 3600;
  c.pool_acquire_timeout = std::chrono::milliseconds(
      proxy.integer("pool_acquire_timeout_ms", 1, kDay * 1000).value_or(5000));
  c.pool_namespace_share_percent =
      static_cast<int>(proxy.integer("pool_namespace_share_percent", 1, 100)
                           .value_or(c.pool_namespace_share_percent));
  c.backend_connect_timeout = std::chrono::milliseconds(
      proxy.integer("backend_connect_timeout_ms", 1, kDay * 1000).value_or(2000));
  c.client_idle_timeout =
      std::chrono::seconds(proxy.integer("client_idle_timeout_s", 1, 365 * kDay).value_or(28800));
  c.handshake_timeout = std::chrono::milliseconds(
      proxy.integer("handshake_timeout_ms", 1, kDay * 1000).value_or(c.handshake_timeout.count()));
  c.net_read_timeout = std::chrono::milliseconds(
      proxy.integer("net_read_timeout_ms", 1, kDay * 1000).value_or(c.net_read_timeout.count()));
  c.backend_query_timeout =
      std::chrono::milliseconds(proxy.integer("backend_query_timeout_ms", 0, kDay * 1000)
                                    .value_or(c.backend_query_timeout.count()));
  c.failover_hold = std::chrono::milliseconds(
      proxy.integer("failover_hold_ms", 0, 3600 * 1000).value_or(c.failover_hold.count()));
  c.deadlock_retries =
      static_cast<int>(proxy.integer("deadlock_retries", 0, 100).value_or(c.deadlock_retries));
  c.max_allowed_packet =
      static_cast<uint64_t>(proxy.integer("max_allowed_packet", 1024, 1024ll * 1024 * 1024)
                                .value_or(static_cast<int64_t>(c.max_allowed_packet)));
  c.client_compression = proxy.boolean("client_compression").value_or(c.client_compression);
  c.max_connections = static_cast<uint64_t>(proxy.integer("max_connections", 0, 10000000)
                                                .value_or(static_cast<int64_t>(c.max_connections)));
  c.max_connections_per_ip =
      static_cast<uint64_t>(proxy.integer("max_connections_per_ip", 0, 10000000)
                                .value_or(static_cast<int64_t>(c.max_connections_per_ip)));
  c.login_failure_limit = static_cast<unsigned>(
      proxy.integer("login_failure_limit", 0, 1000000).value_or(c.login_failure_limit));
  c.login_block = std::chrono::milliseconds(
      proxy.integer("login_block_ms", 1, kDay * 1000).value_or(c.login_block.count()));
  c.proxy_instance_id = proxy.string("proxy_instance_id").value_or(c.proxy_instance_id);
  if (c.proxy_instance_id.empty()) proxy.fail("proxy_instance_id", "must not be empty");
  proxy.reject_unknown();

  TableReader admin(sub_table(root, "admin", source), "admin", source);
  c.admin_listen = admin.address("listen", c.admin_listen, true);
  c.admin_user = admin.string("user").value_or(c.admin_user);
  c.admin_password = admin.string("password").value_or(c.admin_password);
  if (c.admin_listen && c.admin_user.empty()) admin.fail("user", "must not be empty");
  c.admin_max_body_bytes =
      static_cast<size_t>(admin.integer("max_body_bytes", 1024, 1024ll * 1024 * 1024)
                              .value_or(static_cast<int64_t>(c.admin_max_body_bytes)));
  c.admin_request_timeout =
      std::chrono::milliseconds(admin.integer("request_timeout_ms", 100, 3600 * 1000)
                                    .value_or(c.admin_request_timeout.count()));
  c.admin_threads =
      static_cast<unsigned>(admin.integer("threads", 1, 1024).value_or(c.admin_threads));
  if (c.admin_listen && !is_loopback_host(c.admin_listen->host) &&
      (c.admin_password.empty() || c.admin_password_is_default())) {
    // Anyone who can reach the port could reload or replace the configuration.
    admin.fail("password",
               fmt::format("the admin API listens on {}, which is not a loopback address, with "
                           "{} password: set [admin] password to a secret of your own (or "
                           "listen on 127.0.0.1)",
                           c.admin_listen->to_string(),
                           c.admin_password.empty() ? "an empty" : "the default \"admin\""));
  }
  admin.reject_unknown();

  TableReader log(sub_table(root, "log", source), "log", source);
  if (auto level = log.string("level")) {
    auto parsed = parse_log_level(*level);
    if (!parsed) {
      log.fail("level",
               fmt::format("\"{}\" is not one of trace, debug, info, warn, error, off", *level));
    }
    c.log_level = *parsed;
  }
  c.log_file = resolve(base_dir, log.string("file").value_or(""));
  c.general_log_file = resolve(base_dir, log.string("general_log_file").value_or(""));
  c.slow_log_file = resolve(base_dir, log.string("slow_log_file").value_or(""));
  c.log_max_size_mb =
      static_cast<unsigned>(log.integer("max_size_mb", 0, 1024 * 1024).value_or(c.log_max_size_mb));
  c.log_max_files =
      static_cast<unsigned>(log.integer("max_files", 0, 1000).value_or(c.log_max_files));
  log.reject_unknown();

  TableReader topo(sub_table(root, "topology", source), "topology", source);
  c.monitor_interval = std::chrono::milliseconds(
      topo.integer("monitor_interval_ms", 10, 3600 * 1000).value_or(c.monitor_interval.count()));
  c.monitor_timeout = std::chrono::milliseconds(
      topo.integer("monitor_timeout_ms", 10, 3600 * 1000).value_or(c.monitor_timeout.count()));
  if (auto mode = topo.string("replica_positions")) {
    if (*mode == "binlog") {
      c.replica_positions = ProxyConfig::ReplicaPositions::kBinlog;
    } else if (*mode == "poll") {
      c.replica_positions = ProxyConfig::ReplicaPositions::kPoll;
    } else {
      topo.fail("replica_positions", fmt::format("\"{}\" is not binlog or poll", *mode));
    }
  }
  c.position_poll_interval =
      std::chrono::milliseconds(topo.integer("position_poll_interval_ms", 10, 3600 * 1000)
                                    .value_or(c.position_poll_interval.count()));
  c.repl_user = topo.string("repl_user").value_or("");
  c.repl_password = topo.string("repl_password").value_or("");
  if (c.repl_user.empty() && !c.repl_password.empty())
    topo.fail("repl_password", "is set but repl_user is not");
  c.monitor_user = topo.string("monitor_user").value_or("");
  c.monitor_password = topo.string("monitor_password").value_or("");
  if (c.monitor_user.empty() && !c.monitor_password.empty())
    topo.fail("monitor_password", "is set but monitor_user is not");
  topo.reject_unknown();

  TableReader tls(sub_table(root, "tls", source), "tls", source);
  c.tls_cert = resolve(base_dir, tls.string("cert").value_or(""));
  c.tls_key = resolve(base_dir, tls.string("key").value_or(""));
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    tls.fail(c.tls_cert.empty() ? "cert" : "key",
             "is missing: tls.cert and tls.key must be set together (both empty = TLS off)");
  }
  if (auto mode = tls.string("backend")) {
    auto parsed = parse_backend_tls(*mode);
    if (!parsed) {
      tls.fail("backend", fmt::format("\"{}\" is not one of off, required, verify_ca", *mode));
    }
    c.backend_tls = *parsed;
  }
  c.backend_tls_ca = resolve(base_dir, tls.string("backend_ca").value_or(""));
  tls.reject_unknown();

  TableReader etcd(sub_table(root, "etcd", source), "etcd", source);
  for (const auto& text : etcd.string_list("endpoints").value_or(std::vector<std::string>{})) {
    auto hp = parse_host_port(text);
    if (!hp) etcd.fail("endpoints", fmt::format("\"{}\" is not host:port", text));
    c.etcd_endpoints.push_back(*hp);
  }
  c.etcd_prefix = etcd.string("prefix").value_or(c.etcd_prefix);
  if (c.etcd_prefix.empty() || c.etcd_prefix.front() != '/') {
    etcd.fail("prefix", "must start with /");
  }
  while (c.etcd_prefix.size() > 1 && c.etcd_prefix.back() == '/') c.etcd_prefix.pop_back();
  c.etcd_cluster = etcd.string("cluster").value_or(c.etcd_cluster);
  if (c.etcd_cluster.empty() || c.etcd_cluster.find('/') != std::string::npos) {
    etcd.fail("cluster", "must be a non-empty name without /");
  }
  c.etcd_encrypt_key = etcd.string("encrypt_key").value_or("");
  c.etcd_timeout =
      std::chrono::milliseconds(etcd.integer("timeout_ms", 1, 600 * 1000).value_or(2000));
  c.etcd_username = etcd.string("username").value_or("");
  c.etcd_password = etcd.string("password").value_or("");
  if (c.etcd_username.empty() && !c.etcd_password.empty()) {
    etcd.fail("password", "is set but username is not");
  }
  if (is_encrypted_secret(c.etcd_password)) {
    // The same "enc:" format (and key) as passwords stored in etcd, so the TOML file need
    // not hold the etcd password in clear.
    if (c.etcd_encrypt_key.empty())
      etcd.fail("password", "is encrypted but encrypt_key is not set");
    try {
      c.etcd_password = decrypt_secret(c.etcd_password, c.etcd_encrypt_key, source);
    } catch (const ConfigError& e) {
      etcd.fail("password", e.problem());
    }
  }
  c.etcd_tls = etcd.boolean("tls").value_or(false);
  c.etcd_tls_ca = resolve(base_dir, etcd.string("tls_ca").value_or(""));
  c.etcd_tls_cert = resolve(base_dir, etcd.string("tls_cert").value_or(""));
  c.etcd_tls_key = resolve(base_dir, etcd.string("tls_key").value_or(""));
  c.etcd_tls_verify = etcd.boolean("tls_verify").value_or(true);
  if (c.etcd_tls_cert.empty() != c.etcd_tls_key.empty()) {
    etcd.fail(c.etcd_tls_cert.empty() ? "tls_cert" : "tls_key",
              "is missing: etcd.tls_cert and etcd.tls_key must be set together");
  }
  if (!c.etcd_tls) {
    // Refused rather than ignored: a CA file without tls = true would silently mean plain HTTP.
    for (const char* key : {"tls_ca", "tls_cert", "tls_key", "tls_verify"}) {
      if (etcd.get(key)) etcd.fail(key, "is set but etcd.tls is not true");
    }
  }
  etcd.reject_unknown();

  TableReader txn(sub_table(root, "txn", source), "txn", source);
  c.xa_decision_log = resolve(base_dir, txn.string("decision_log").value_or(""));
  c.xa_recovery_interval =
      std::chrono::milliseconds(txn.integer("recovery_interval_ms", 100, kDay * 1000)
                                    .value_or(c.xa_recovery_interval.count()));
  txn.reject_unknown();
  return c;
}

std::string ProxyConfig::etcd_namespace_prefix() const {
  return (etcd_prefix == "/" ? std::string() : etcd_prefix) + "/" + etcd_cluster + "/namespace/";
}

ProxyConfig load_proxy_config(const std::filesystem::path& toml_path) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(toml_path, ec).lexically_normal();
  if (ec) absolute = toml_path;
  const std::string source = toml_path.string();
  std::ifstream in(absolute, std::ios::binary);
  if (!in) throw ConfigError(source, {}, "cannot open file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  ProxyConfig c = parse_proxy_config(buffer.str(), source, absolute.parent_path());
  c.source_path = absolute;
  return c;
}

}  // namespace tessera::config
