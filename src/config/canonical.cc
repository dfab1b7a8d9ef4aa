#include "config/canonical.h"

namespace tessera::config {

namespace {

using nlohmann::json;

std::string secret(const std::string& value, Secrets secrets) {
  return secrets == Secrets::kRedact && !value.empty() ? "***" : value;
}

json addresses(const std::vector<WeightedAddress>& list) {
  json out = json::array();
  for (const auto& a : list) out.push_back(a.to_string());
  return out;
}

json slice_json(const Slice& s, Secrets secrets) {
  json writers = json::array();
  for (const auto& w : s.writers) writers.push_back(w.to_string());
  return json{{"name", s.name},
              {"user_name", s.user_name},
              {"password", secret(s.password, secrets)},
              {"master", s.master.to_string()},
              {"slaves", addresses(s.slaves)},
              {"statistic_slaves", addresses(s.statistic_slaves)},
              {"capacity", s.capacity},
              {"max_capacity", s.max_capacity},
              {"idle_timeout", s.idle_timeout.count()},
              {"writers", std::move(writers)},
              {"writer_map", s.writer_map},
              {"max_replication_lag", s.max_replication_lag.count()},
              {"consistent_read_timeout", s.consistent_read_timeout.count()},
              {"tls", s.tls ? std::string(to_string(*s.tls)) : ""}};
}

json rule_json(const ShardRuleConfig& r) {
  return json{{"db", r.db},
              {"table", r.table},
              {"type", to_string(r.type)},
              {"key", r.key},
              {"locations", r.locations},
              {"slices", r.slices},
              {"date_range", r.date_range},
              {"table_row_limit", r.table_row_limit},
              {"parent_table", r.parent_table},
              {"databases", r.databases},
              {"partition_count", r.partition_count},
              {"partition_length", r.partition_length},
              {"hash_slice", r.hash_slice},
              {"seed", r.seed},
              {"virtual_bucket_times", r.virtual_bucket_times},
              {"pad_from", r.pad_from},
              {"pad_length", r.pad_length},
              {"mod_begin", r.mod_begin},
              {"mod_end", r.mod_end},
              {"key_collation", r.key_collation}};
}

json user_json(const User& u, Secrets secrets) {
  return json{{"user_name", u.user_name},
              {"password", secret(u.password, secrets)},
              {"namespace", u.namespace_name},
              {"rw_flag", static_cast<int>(u.rw_flag)},
              {"rw_split", u.rw_split ? 1 : 0},
              {"other_property", u.other_property},
              {"max_connections", u.max_connections},
              {"process_privilege", u.process_privilege},
              {"read_consistency", std::string(to_string(u.read_consistency))},
              {"auth_plugin", u.auth_plugin ? std::string(to_string(*u.auth_plugin)) : ""},
              {"backend_user_name", u.backend_user_name},
              {"backend_password", secret(u.backend_password, secrets)}};
}

json sequence_json(const GlobalSequence& g) {
  return json{{"db", g.db},           {"table", g.table},           {"type", g.type},
              {"pk_name", g.pk_name}, {"slice_name", g.slice_name}, {"max_limit", g.max_limit}};
}

std::string path_text(const std::filesystem::path& p) {
  return p.generic_string();
}

}  // namespace

nlohmann::json to_canonical_json(const Namespace& ns, Secrets secrets) {
  json slices = json::array();
  for (const auto& s : ns.slices) slices.push_back(slice_json(s, secrets));
  json rules = json::array();
  for (const auto& r : ns.shard_rules) rules.push_back(rule_json(r));
  json users = json::array();
  for (const auto& u : ns.users) users.push_back(user_json(u, secrets));
  json sequences = json::array();
  for (const auto& g : ns.global_sequences) sequences.push_back(sequence_json(g));
  return json{{"name", ns.name},
              {"online", ns.online},
              {"read_only", ns.read_only},
              {"allowed_dbs", ns.allowed_dbs},
              {"default_phy_dbs", ns.default_phy_dbs},
              {"slow_sql_time", ns.slow_sql_time.count()},
              {"black_sql", ns.black_sql},
              {"allowed_ip", ns.allowed_ip},
              {"slices", std::move(slices)},
              {"shard_rules", std::move(rules)},
              {"users", std::move(users)},
              {"default_slice", ns.default_slice},
              {"global_sequences", std::move(sequences)},
              {"open_general_log", ns.open_general_log},
              {"exact_session_status", ns.exact_session_status},
              {"schema_refresh_seconds", ns.schema_refresh.count()},
              {"max_sql_execute_time", ns.max_sql_execute_time.count()},
              {"max_sql_result_size", ns.max_sql_result_size},
              {"merge_memory_bytes", ns.merge_memory_bytes},
              {"spill_dir", ns.spill_dir},
              {"spill_max_bytes", ns.spill_max_bytes},
              {"hash_join_rows", ns.hash_join_rows},
              {"default_charset", ns.default_charset},
              {"default_collation", ns.default_collation},
              {"transaction_mode", to_string(ns.transaction_mode)},
              {"global_write_affected_rows", to_string(ns.global_write_affected_rows)},
              {"backend_accounts", ns.backend_accounts}};
}

nlohmann::json to_canonical_json(const ProxyConfig& c, Secrets secrets) {
  // Where namespaces come from (namespaces_dir, namespace_files) is not content: the
  // namespaces themselves are.
  return json{{"proxy",
               {{"listen", c.listen.to_string()},
                {"worker_threads", c.worker_threads},
                {"server_version", c.server_version},
                {"default_auth_plugin", to_string(c.default_auth_plugin)},
                {"pool_acquire_timeout_ms", c.pool_acquire_timeout.count()},
                {"pool_namespace_share_percent", c.pool_namespace_share_percent},
                {"backend_connect_timeout_ms", c.backend_connect_timeout.count()},
                {"client_idle_timeout_s", c.client_idle_timeout.count()},
                {"failover_hold_ms", c.failover_hold.count()},
                {"deadlock_retries", c.deadlock_retries},
                {"proxy_instance_id", c.proxy_instance_id}}},
              {"admin",
               {{"listen", c.admin_listen ? c.admin_listen->to_string() : ""},
                {"user", c.admin_user},
                {"password", secret(c.admin_password, secrets)}}},
              {"log",
               {{"level", to_string(c.log_level)},
                {"file", path_text(c.log_file)},
                {"general_log_file", path_text(c.general_log_file)},
                {"slow_log_file", path_text(c.slow_log_file)},
                {"max_size_mb", c.log_max_size_mb},
                {"max_files", c.log_max_files}}},
              {"tls",
               {{"cert", path_text(c.tls_cert)},
                {"key", path_text(c.tls_key)},
                {"backend", to_string(c.backend_tls)},
                {"backend_ca", path_text(c.backend_tls_ca)}}},
              {"txn",
               {{"decision_log", path_text(c.xa_decision_log)},
                {"recovery_interval_ms", c.xa_recovery_interval.count()}}},
              {"topology",
               {{"monitor_interval_ms", c.monitor_interval.count()},
                {"monitor_timeout_ms", c.monitor_timeout.count()},
                {"replica_positions",
                 c.replica_positions == ProxyConfig::ReplicaPositions::kPoll ? "poll" : "binlog"},
                {"position_poll_interval_ms", c.position_poll_interval.count()},
                {"repl_user", c.repl_user},
                {"repl_password", secret(c.repl_password, secrets)},
                {"monitor_user", c.monitor_user},
                {"monitor_password", secret(c.monitor_password, secrets)}}}};
}

}  // namespace tessera::config
