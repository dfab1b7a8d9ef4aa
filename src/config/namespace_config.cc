#include "config/namespace_config.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "config/config_error.h"
#include "config/json_fields.h"
#include "config/validation.h"
#include "sql/charsets.h"

namespace tessera::config {

namespace {

using detail::JsonObjectReader;

constexpr int64_t kIntMax = std::numeric_limits<int>::max();

std::string item_path(const std::string& list, size_t i) {
  return fmt::format("{}[{}]", list, i);
}

std::vector<WeightedAddress> read_addresses(JsonObjectReader& r, std::string_view key) {
  std::vector<WeightedAddress> out;
  auto texts = r.string_list(key);
  for (size_t i = 0; i < texts.size(); ++i) {
    WeightedAddressError error;
    auto addr = parse_weighted_address(texts[i], &error);
    if (!addr) throw ConfigError(r.source(), item_path(r.path_of(key), i), error.problem);
    out.push_back(std::move(*addr));
  }
  return out;
}

Slice read_slice(const nlohmann::json& json, std::string path, JsonObjectReader& parent) {
  JsonObjectReader r(json, std::move(path), parent.source(), parent.warnings());
  Slice s;
  s.name = r.string("name");
  s.user_name = r.string("user_name");
  s.password = r.string("password");
  auto writers = r.string_list("writers");
  for (size_t i = 0; i < writers.size(); ++i) {
    auto w = parse_host_port(writers[i]);
    if (!w) {
      throw ConfigError(r.source(), item_path(r.path_of("writers"), i),
                        fmt::format("\"{}\" is not host:port", writers[i]));
    }
    s.writers.push_back(std::move(*w));
  }
  std::string master = r.string("master");
  if (master.empty() && s.writers.empty()) {
    r.fail("master",
           "is required (host:port of the primary), or \"writers\" for a multi-writer slice");
  }
  if (master.empty()) {
    s.master = s.writers.front();
  } else {
    auto hp = parse_host_port(master);
    if (!hp) r.fail("master", fmt::format("\"{}\" is not host:port", master));
    // (The canonical form writes both; any other master beside writers is a mistake.)
    if (!s.writers.empty() && *hp != s.writers.front()) {
      r.fail("master", "must be absent or the first of \"writers\" in a multi-writer slice");
    }
    s.master = std::move(*hp);
  }
  if (const auto* map = r.object("writer_map")) {
    for (const auto& [table, writer] : map->items()) {
      std::string where = r.path_of("writer_map") + "." + table;
      if (!writer.is_string())
        throw ConfigError(r.source(), where, "must be a \"host:port\" string");
      auto hp = parse_host_port(writer.get<std::string>());
      bool listed = hp && std::any_of(s.writers.begin(), s.writers.end(),
                                      [&](const HostPort& w) { return w == *hp; });
      if (!listed) throw ConfigError(r.source(), where, "names no writer of this slice");
      std::string key = table;
      for (auto& c : key) c = char(std::tolower(static_cast<unsigned char>(c)));
      s.writer_map[key] = hp->to_string();
    }
  }
  s.slaves = read_addresses(r, "slaves");
  s.statistic_slaves = read_addresses(r, "statistic_slaves");
  s.capacity = static_cast<int>(r.integer("capacity", 0, 0, kIntMax));
  s.max_capacity = static_cast<int>(r.integer("max_capacity", 0, 0, kIntMax));
  s.idle_timeout = std::chrono::seconds(r.integer("idle_timeout", 0, 0, kIntMax));
  s.max_replication_lag = std::chrono::seconds(r.integer("max_replication_lag", 10, 0, kIntMax));
  s.consistent_read_timeout =
      std::chrono::milliseconds(r.integer("consistent_read_timeout", 1000, 0, kIntMax));
  if (std::string tls = r.string("tls"); !tls.empty()) {
    s.tls = parse_backend_tls(tls);
    if (!s.tls) r.fail("tls", fmt::format("\"{}\" is not one of off, required, verify_ca", tls));
  }
  r.warn_unread();
  return s;
}

ShardRuleConfig read_shard_rule(const nlohmann::json& json, std::string path,
                                JsonObjectReader& parent) {
  JsonObjectReader r(json, std::move(path), parent.source(), parent.warnings());
  ShardRuleConfig rule;
  rule.db = r.string("db");
  rule.table = r.string("table");
  std::string type = r.string("type");
  auto parsed = parse_shard_rule_type(type);
  if (!parsed) {
    r.fail("type", fmt::format("unknown shard rule type \"{}\" (known: {})", type,
                               shard_rule_type_names()));
  }
  rule.type = *parsed;
  rule.key = r.string("key");
  rule.locations = r.int_list("locations");
  rule.slices = r.string_list("slices");
  rule.date_range = r.string_list("date_range");
  rule.table_row_limit = static_cast<int>(r.integer("table_row_limit", 0, 0, kIntMax));
  rule.parent_table = r.string("parent_table");
  rule.databases = r.string_list("databases");
  rule.partition_count = r.text("partition_count");
  rule.partition_length = r.text("partition_length");
  rule.hash_slice = r.text("hash_slice");
  rule.seed = r.text("seed");
  rule.virtual_bucket_times = r.text("virtual_bucket_times");
  rule.pad_from = r.text("pad_from");
  rule.pad_length = r.text("pad_length");
  rule.mod_begin = r.text("mod_begin");
  rule.mod_end = r.text("mod_end");
  rule.key_collation = r.string("key_collation");
  r.warn_unread();
  return rule;
}

User read_user(const nlohmann::json& json, std::string path, JsonObjectReader& parent,
               const std::string& ns_name) {
  JsonObjectReader r(json, std::move(path), parent.source(), parent.warnings());
  User u;
  u.user_name = r.string("user_name");
  u.password = r.string("password");
  // Gaea requires `namespace`; we let it default to the owning namespace.
  u.namespace_name = r.has("namespace") ? r.string("namespace") : ns_name;
  int64_t rw_flag = r.integer("rw_flag", 2);
  if (rw_flag != 1 && rw_flag != 2) {
    r.fail("rw_flag", fmt::format("{} is not valid (1 = read-only, 2 = read-write)", rw_flag));
  }
  u.rw_flag = static_cast<RwFlag>(rw_flag);
  int64_t rw_split = r.integer("rw_split", 0);
  if (rw_split != 0 && rw_split != 1) {
    r.fail("rw_split",
           fmt::format("{} is not valid (0 = all to master, 1 = split reads)", rw_split));
  }
  u.rw_split = rw_split == 1;
  u.other_property = static_cast<int>(r.integer("other_property", 0, 0, 1));
  u.max_connections = static_cast<int>(r.integer("max_connections", 0, 0, 1000000));
  u.process_privilege = r.boolean("process_privilege", false);
  if (r.has("read_consistency")) {
    std::string level = r.string("read_consistency");
    auto parsed = parse_read_consistency(level);
    if (!parsed) {
      r.fail("read_consistency",
             fmt::format("\"{}\" is not valid (EVENTUAL, SESSION or GLOBAL)", level));
    }
    u.read_consistency = *parsed;
  }
  u.backend_user_name = r.string("backend_user_name");
  u.backend_password = r.string("backend_password");
  if (u.backend_user_name.empty() && !u.backend_password.empty()) {
    r.fail("backend_password", "is set but backend_user_name is not");
  }
  std::string plugin = r.string("auth_plugin");
  if (!plugin.empty()) {
    u.auth_plugin = parse_auth_plugin(plugin);
    if (!u.auth_plugin) {
      r.fail("auth_plugin", fmt::format("\"{}\" is not supported (use mysql_native_password, "
                                        "caching_sha2_password, or \"\" for any)",
                                        plugin));
    }
  }
  r.warn_unread();
  return u;
}

GlobalSequence read_sequence(const nlohmann::json& json, std::string path,
                             JsonObjectReader& parent) {
  JsonObjectReader r(json, std::move(path), parent.source(), parent.warnings());
  GlobalSequence g;
  g.db = r.string("db");
  g.table = r.string("table");
  g.type = r.string("type");
  g.pk_name = r.string("pk_name");
  g.slice_name = r.string("slice_name");
  g.max_limit = r.integer("max_limit", 0, 0);
  r.warn_unread();
  return g;
}

template <typename T, typename Fn>
std::vector<T> read_list(JsonObjectReader& r, std::string_view key, Fn&& read_one) {
  std::vector<T> out;
  const auto* arr = r.array(key);
  if (!arr) return out;
  for (size_t i = 0; i < arr->size(); ++i) {
    out.push_back(read_one((*arr)[i], item_path(r.path_of(key), i)));
  }
  return out;
}

std::pair<size_t, size_t> line_column(std::string_view text, size_t byte) {
  size_t line = 1;
  size_t column = 1;
  for (size_t i = 0; i < text.size() && i + 1 < byte; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// default_charset / default_collation: both names must be ones a client may start a session in
// (sql/charsets.h), and agree when both are given. A name Tessera would ignore silently is the
// bug this replaces: Gaea namespaces carry these keys, and they were loaded and never used.
uint8_t read_default_collation(const Namespace& ns, const JsonObjectReader& r) {
  std::optional<uint8_t> of_charset;
  if (!ns.default_charset.empty()) {
    of_charset = sql::default_collation(ns.default_charset);
    if (!of_charset) {
      r.fail("default_charset",
             fmt::format("\"{}\" is not a character set a client session can use (such as "
                         "utf8mb4, utf8mb3, latin1, cp1251, gbk; not ucs2, utf16, utf16le, utf32)",
                         ns.default_charset));
    }
  }
  if (ns.default_collation.empty()) return of_charset.value_or(0);
  std::optional<uint8_t> id = sql::collation_id(ns.default_collation);
  if (!id) {
    r.fail("default_collation",
           fmt::format("\"{}\" is not a collation a client session can use (such as "
                       "utf8mb4_general_ci, utf8mb4_unicode_ci, latin1_swedish_ci)",
                       ns.default_collation));
  }
  if (of_charset && sql::charset_of_collation(*id) != sql::charset_of_collation(*of_charset)) {
    r.fail("default_collation",
           fmt::format("\"{}\" is a collation of {}, not of default_charset \"{}\"",
                       ns.default_collation, sql::charset_of_collation(*id), ns.default_charset));
  }
  return *id;
}

}  // namespace

const Slice* Namespace::find_slice(std::string_view slice_name) const {
  for (const auto& s : slices) {
    if (s.name == slice_name) return &s;
  }
  return nullptr;
}

bool Namespace::client_ip_allowed(std::string_view ip) const {
  if (allowed_ip_ranges.empty()) return true;
  for (const auto& range : allowed_ip_ranges) {
    if (range.contains(ip)) return true;
  }
  return false;
}

std::string_view to_string(TransactionMode mode) {
  return mode == TransactionMode::kXa ? "xa" : "best_effort";
}

std::string_view to_string(GlobalAffectedRows mode) {
  return mode == GlobalAffectedRows::kSingle ? "single" : "sum";
}

Namespace parse_namespace(std::string_view json_text, std::string_view source_name) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json_text.begin(), json_text.end());
  } catch (const nlohmann::json::parse_error& e) {
    auto [line, column] = line_column(json_text, e.byte);
    std::string detail = e.what();
    if (auto pos = detail.find(": syntax error"); pos != std::string::npos) {
      detail = detail.substr(pos + 2);
    }
    throw ConfigError(std::string(source_name), {},
                      fmt::format("invalid JSON at line {}, column {}: {}", line, column, detail));
  } catch (const nlohmann::json::exception& e) {
    // Not a parse_error: out_of_range 406, a number too large for a double ("1E400"). Found by
    // fuzz_namespace_config; uncaught it ended the process (at start-up or on a reload).
    throw ConfigError(std::string(source_name), {}, fmt::format("invalid JSON: {}", e.what()));
  }

  Namespace ns;
  ns.source_name = source_name;
  JsonObjectReader r(doc, {}, source_name, &ns.warnings);

  if (r.boolean("is_encrypt", false)) {
    r.fail("is_encrypt",
           "encrypted Gaea namespaces are not supported; decrypt the passwords and set false");
  }
  ns.name = r.string("name");
  ns.online = r.boolean("online", true);
  ns.read_only = r.boolean("read_only", false);
  if (const auto* dbs = r.object("allowed_dbs")) {
    for (const auto& [db, allowed] : dbs->items()) {
      if (!allowed.is_boolean()) {
        r.fail("allowed_dbs." + db,
               fmt::format("expected true/false, got {}", detail::json_excerpt(allowed)));
      }
      ns.allowed_dbs[db] = allowed.get<bool>();
    }
  }
  if (const auto* phy = r.object("default_phy_dbs")) {
    for (const auto& [db, physical] : phy->items()) {
      if (!physical.is_string()) {
        r.fail("default_phy_dbs." + db,
               fmt::format("expected a string, got {}", detail::json_excerpt(physical)));
      }
      ns.default_phy_dbs[db] = physical.get<std::string>();
    }
  }
  ns.slow_sql_time = std::chrono::milliseconds(r.integer("slow_sql_time", 1000, 0));
  ns.black_sql = r.string_list("black_sql");
  ns.allowed_ip = r.string_list("allowed_ip");
  for (size_t i = 0; i < ns.allowed_ip.size(); ++i) {
    auto range = parse_ip_range(ns.allowed_ip[i]);
    if (!range) {
      throw ConfigError(ns.source_name, item_path("allowed_ip", i),
                        fmt::format("\"{}\" is not an IP address or CIDR block", ns.allowed_ip[i]));
    }
    ns.allowed_ip_ranges.push_back(*range);
  }
  ns.slices = read_list<Slice>(r, "slices", [&](const nlohmann::json& j, std::string path) {
    return read_slice(j, std::move(path), r);
  });
  ns.shard_rules =
      read_list<ShardRuleConfig>(r, "shard_rules", [&](const nlohmann::json& j, std::string path) {
        return read_shard_rule(j, std::move(path), r);
      });
  ns.users = read_list<User>(r, "users", [&](const nlohmann::json& j, std::string path) {
    return read_user(j, std::move(path), r, ns.name);
  });
  ns.default_slice = r.string("default_slice");
  ns.global_sequences = read_list<GlobalSequence>(
      r, "global_sequences",
      [&](const nlohmann::json& j, std::string p) { return read_sequence(j, std::move(p), r); });
  ns.open_general_log = r.boolean("open_general_log", false);
  ns.exact_session_status = r.boolean("exact_session_status", false);
  ns.schema_refresh = std::chrono::seconds(r.integer("schema_refresh_seconds", 60, 0));
  // Gaea writes -1 for "no limit"; we spell that 0.
  ns.max_sql_execute_time =
      std::chrono::milliseconds(std::max<int64_t>(0, r.integer("max_sql_execute_time", 0, -1)));
  ns.max_sql_result_size = std::max<int64_t>(0, r.integer("max_sql_result_size", 0, -1));
  ns.merge_memory_bytes = r.integer("merge_memory_bytes", ns.merge_memory_bytes, 0);
  ns.spill_dir = r.string("spill_dir", ns.spill_dir);
  if (!ns.spill_dir.empty() && ns.spill_dir.front() != '/')
    r.fail("spill_dir", fmt::format("\"{}\" is not an absolute path", ns.spill_dir));
  ns.spill_max_bytes = r.integer("spill_max_bytes", 0, 0);
  ns.hash_join_rows = r.integer("hash_join_rows", ns.hash_join_rows, -1);
  ns.default_charset = r.string("default_charset");
  ns.default_collation = r.string("default_collation");
  ns.default_collation_id = read_default_collation(ns, r);
  std::string mode = r.string("transaction_mode", "xa");
  if (mode == "xa") {
    ns.transaction_mode = TransactionMode::kXa;
  } else if (mode == "best_effort") {
    ns.transaction_mode = TransactionMode::kBestEffort;
  } else {
    r.fail("transaction_mode", fmt::format("\"{}\" is not \"xa\" or \"best_effort\"", mode));
  }
  // Absent means the single-server count: a namespace that relies on Gaea's N-fold count says
  // "sum" explicitly (see README, "Global tables").
  std::string affected = r.string("global_write_affected_rows", "single");
  if (affected == "single") {
    ns.global_write_affected_rows = GlobalAffectedRows::kSingle;
  } else if (affected == "sum") {
    ns.global_write_affected_rows = GlobalAffectedRows::kSum;
  } else {
    r.fail("global_write_affected_rows",
           fmt::format("\"{}\" is not \"single\" or \"sum\"", affected));
  }
  ns.backend_accounts = r.boolean("backend_accounts", false);
  r.warn_unread();

  validate_namespace(ns);
  return ns;
}

std::string default_spill_dir() {
  std::error_code ec;
  std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
  if (ec || tmp.empty()) tmp = "/tmp";
  return (tmp / "tessera-spill").string();
}

Namespace load_namespace_file(const std::filesystem::path& path, std::string_view source_name) {
  std::string source = source_name.empty() ? path.string() : std::string(source_name);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(source, {}, "cannot open file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw ConfigError(source, {}, "read error");
  return parse_namespace(buffer.str(), source);
}

}  // namespace tessera::config
