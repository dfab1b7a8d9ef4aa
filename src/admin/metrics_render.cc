#include "admin/metrics_render.h"

#include "admin/prometheus_text.h"
#include "exec/spill_file.h"
#include "topology/topology.h"

namespace tessera::admin {

namespace {

void render_topology(PrometheusText& p, const topology::TopologySnapshot& snap) {
  p.family("tessera_backend_up", "gauge",
           "1 when the backend instance answered its last health check, 0 when down, -1 unknown");
  for (const auto& slice : snap.slices) {
    for (const auto& inst : slice.instances) {
      std::string addr = inst.key();
      int64_t v = inst.health == topology::Health::kUp     ? 1
                  : inst.health == topology::Health::kDown ? 0
                                                           : -1;
      p.sample("tessera_backend_up",
               {{"namespace", slice.ns},
                {"slice", slice.name},
                {"instance", addr},
                {"role", topology::to_string(inst.configured_role)},
                {"health", topology::to_string(inst.health)}},
               v);
    }
  }
  p.family("tessera_backend_primary", "gauge",
           "1 for the instance currently taking a slice's writes");
  for (const auto& slice : snap.slices) {
    for (size_t i = 0; i < slice.instances.size(); ++i) {
      std::string addr = slice.instances[i].key();
      p.sample("tessera_backend_primary",
               {{"namespace", slice.ns}, {"slice", slice.name}, {"instance", addr}},
               static_cast<int64_t>(static_cast<int>(i) == slice.primary ? 1 : 0));
    }
  }
  p.family("tessera_backend_replication_lag_seconds", "gauge",
           "Seconds_Behind_Master of each replica (absent while unknown)");
  for (const auto& slice : snap.slices) {
    for (const auto& inst : slice.instances) {
      if (!inst.lag_seconds) continue;
      std::string addr = inst.key();
      p.sample("tessera_backend_replication_lag_seconds",
               {{"namespace", slice.ns}, {"slice", slice.name}, {"instance", addr}},
               *inst.lag_seconds);
    }
  }
}

}  // namespace

std::string render_metrics(const MetricsInput& in) {
  PrometheusText p;
  p.family("tessera_connections_accepted_total", "counter", "Client connections accepted");
  p.sample("tessera_connections_accepted_total", {}, in.connections_accepted);
  p.family("tessera_connections_active", "gauge", "Client connections open now");
  p.sample("tessera_connections_active", {}, in.connections_active);
  p.family("tessera_auth_failures_total", "counter", "Failed client authentications");
  p.sample("tessera_auth_failures_total", {}, in.auth_failures);
  p.family("tessera_queries_total", "counter", "COM_QUERY commands received");
  p.sample("tessera_queries_total", {}, in.queries);
  p.family("tessera_protocol_errors_total", "counter", "Malformed client packets");
  p.sample("tessera_protocol_errors_total", {}, in.protocol_errors);
  p.family("tessera_backend_errors_total", "counter", "Backend connections lost or refused");
  p.sample("tessera_backend_errors_total", {}, in.backend_errors);
  // Merges over their statement's memory budget (exec/spill_file.h): process-wide counters.
  const exec::SpillTotals spill = exec::spill_totals();
  p.family("tessera_spill_files_total", "counter", "Spill files merges created");
  p.sample("tessera_spill_files_total", {}, spill.files);
  p.family("tessera_spill_bytes_total", "counter", "Bytes merges wrote to spill files");
  p.sample("tessera_spill_bytes_total", {}, spill.bytes_written);
  p.family("tessera_spill_files_open", "gauge", "Spill files open now");
  p.sample("tessera_spill_files_open", {}, spill.open_files);

  p.family("tessera_statements_total", "counter",
           "Client statements (COM_QUERY, COM_STMT_EXECUTE) by namespace and type");
  for (const auto& [ns, m] : in.namespaces) {
    for (const auto& [type, n] : m.statements_by_type) {
      p.sample("tessera_statements_total", {{"namespace", ns}, {"type", type}}, n);
    }
  }
  p.family("tessera_statement_errors_total", "counter",
           "Client statements answered with an error, by namespace and MySQL error code");
  for (const auto& [ns, m] : in.namespaces) {
    for (const auto& [code, n] : m.errors_by_code) {
      std::string c = std::to_string(code);
      p.sample("tessera_statement_errors_total", {{"namespace", ns}, {"code", c}}, n);
    }
  }
  p.family("tessera_statement_duration_seconds", "histogram",
           "Time from a client statement's arrival to the end of its answer");
  for (const auto& [ns, m] : in.namespaces) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kPromLatencyBounds.size(); ++i) {
      cumulative += m.latency.buckets[i];
      std::string le = PrometheusText::format_double(kPromLatencyBounds[i]);
      p.sample("tessera_statement_duration_seconds_bucket", {{"namespace", ns}, {"le", le}},
               cumulative);
    }
    p.sample("tessera_statement_duration_seconds_bucket", {{"namespace", ns}, {"le", "+Inf"}},
             m.latency.count);
    p.sample("tessera_statement_duration_seconds_sum", {{"namespace", ns}}, m.latency.sum_seconds);
    p.sample("tessera_statement_duration_seconds_count", {{"namespace", ns}}, m.latency.count);
  }

  p.family("tessera_pool_connections", "gauge",
           "Backend connections per endpoint (state: open, idle, in_use), all workers");
  for (const auto& [ep, s] : in.pools) {
    p.sample("tessera_pool_connections", {{"endpoint", ep}, {"state", "open"}},
             static_cast<uint64_t>(s.open));
    p.sample("tessera_pool_connections", {{"endpoint", ep}, {"state", "idle"}},
             static_cast<uint64_t>(s.idle));
    p.sample("tessera_pool_connections", {{"endpoint", ep}, {"state", "in_use"}},
             static_cast<uint64_t>(s.open >= s.idle ? s.open - s.idle : 0));
  }
  p.family("tessera_pool_waiting", "gauge", "Sessions waiting for a backend connection");
  for (const auto& [ep, s] : in.pools) {
    p.sample("tessera_pool_waiting", {{"endpoint", ep}}, static_cast<uint64_t>(s.waiting));
  }
  p.family("tessera_pool_connections_created_total", "counter", "Backend connections opened");
  for (const auto& [ep, s] : in.pools) {
    p.sample("tessera_pool_connections_created_total", {{"endpoint", ep}}, s.created);
  }
  p.family("tessera_pool_acquire_timeouts_total", "counter",
           "Sessions that gave up waiting for a backend connection");
  for (const auto& [ep, s] : in.pools) {
    p.sample("tessera_pool_acquire_timeouts_total", {{"endpoint", ep}}, s.acquire_timeouts);
  }
  p.family("tessera_pool_share_timeouts_total", "counter",
           "Sessions refused (ERR 1203) because their namespace held its share of a shared pool");
  for (const auto& [ep, s] : in.pools) {
    p.sample("tessera_pool_share_timeouts_total", {{"endpoint", ep}}, s.share_timeouts);
  }
  p.family("tessera_pool_resets_total", "counter",
           "Backend connections reset (COM_RESET_CONNECTION) before another session used them");
  for (const auto& [ep, s] : in.pools) {
    p.sample("tessera_pool_resets_total", {{"endpoint", ep}}, s.resets);
  }

  p.family("tessera_session_pins_total", "counter",
           "Sessions pinned to one backend connection, by reason");
  for (size_t i = 1; i < in.pins_total.size(); ++i) {
    std::string_view reason = session::to_string(static_cast<session::PinReason>(i));
    p.sample("tessera_session_pins_total", {{"reason", reason}}, in.pins_total[i]);
  }
  p.family("tessera_sessions_pinned", "gauge", "Sessions pinned now");
  p.sample("tessera_sessions_pinned", {}, in.currently_pinned);

  p.family("tessera_config_generation", "gauge", "Configuration generation in force");
  p.sample("tessera_config_generation", {}, in.config_generation);
  p.family("tessera_config_reloads_total", "counter", "Configuration changes applied");
  p.sample("tessera_config_reloads_total", {}, in.config_reloads);
  p.family("tessera_config_reload_failures_total", "counter",
           "Configuration changes rejected (the previous configuration stayed)");
  p.sample("tessera_config_reload_failures_total", {}, in.config_reload_failures);

  p.family("tessera_failover_retries_total", "counter",
           "Statements sent again to a slice's new primary after a failover (they had not run)");
  p.sample("tessera_failover_retries_total", {}, in.failover_retries);
  p.family("tessera_failover_holds_total", "counter",
           "Writes that waited for a slice without a writable primary");
  p.sample("tessera_failover_holds_total", {}, in.failover_holds);
  p.family("tessera_failover_hold_timeouts_total", "counter",
           "Writes that waited failover_hold_ms for a writable primary and failed");
  p.sample("tessera_failover_hold_timeouts_total", {}, in.failover_hold_timeouts);
  p.family("tessera_deadlock_retries_total", "counter",
           "Autocommit statements run again after a deadlock (1213)");
  p.sample("tessera_deadlock_retries_total", {}, in.deadlock_retries);

  if (in.topology) render_topology(p, *in.topology);
  if (!in.failovers.empty()) {
    p.family("tessera_failovers_total", "counter",
             "Changes of the instance taking a slice's writes, as the topology monitor saw them");
    for (const auto& [key, n] : in.failovers) {
      auto slash = key.find('/');
      std::string ns = slash == std::string::npos ? std::string() : key.substr(0, slash);
      std::string slice = slash == std::string::npos ? key : key.substr(slash + 1);
      p.sample("tessera_failovers_total", {{"namespace", ns}, {"slice", slice}}, n);
    }
  }
  if (!in.xa_outcomes.empty()) {
    p.family("tessera_xa_transactions_total", "counter",
             "Distributed (XA) transactions by outcome");
    for (const auto& [outcome, n] : in.xa_outcomes) {
      p.sample("tessera_xa_transactions_total", {{"outcome", outcome}}, n);
    }
  }
  p.family("tessera_admin_workers_not_answering", "gauge",
           "Workers that did not report within the scrape's time limit");
  p.sample("tessera_admin_workers_not_answering", {}, in.workers_not_answering);
  return p.text();
}

}  // namespace tessera::admin
