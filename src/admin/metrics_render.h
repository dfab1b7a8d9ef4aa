// Everything /metrics exports, gathered into plain values first (by admin_server.cc, from the
// workers, ProxyContext, session pin counters, the topology snapshot and the XA coordinator)
// so rendering is a pure function the unit tests check.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "admin/worker_stats.h"
#include "backend/connection_pool.h"
#include "session/pin_reasons.h"

namespace tessera::topology {
struct TopologySnapshot;
}

namespace tessera::admin {

struct MetricsInput {
  // frontend::ProxyCounters
  uint64_t connections_accepted = 0;
  int64_t connections_active = 0;
  uint64_t auth_failures = 0;
  uint64_t queries = 0;
  uint64_t protocol_errors = 0;
  uint64_t backend_errors = 0;
  // Failover and deadlock handling (issue 6; frontend/statement_retry.cc, primary_route.cc).
  uint64_t failover_retries = 0;
  uint64_t failover_holds = 0;
  uint64_t failover_hold_timeouts = 0;
  uint64_t deadlock_retries = 0;
  // Statement counters of every worker, merged.
  MetricsByNamespace namespaces;
  // Pools by backend endpoint ("user@host:port"), summed over workers.
  std::map<std::string, backend::PoolStats> pools;
  // session::pin_counters()
  std::array<uint64_t, static_cast<size_t>(session::PinReason::kCount_)> pins_total{};
  int64_t currently_pinned = 0;
  // Configuration: generation in force, reloads applied and rejected.
  uint64_t config_generation = 0;
  uint64_t config_reloads = 0;
  uint64_t config_reload_failures = 0;
  // Backend health and lag; null when no topology is published.
  std::shared_ptr<const topology::TopologySnapshot> topology;
  // Failovers per "namespace/slice" (topology::Topology::failovers), when known.
  std::map<std::string, uint64_t> failovers;
  // XA outcomes ("committed", "rolled_back", "recovered", ...), when a coordinator reports them.
  std::map<std::string, uint64_t> xa_outcomes;
  uint64_t workers_not_answering = 0;
};

std::string render_metrics(const MetricsInput& in);

}  // namespace tessera::admin
