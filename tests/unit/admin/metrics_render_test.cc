#include "admin/metrics_render.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "admin/prometheus_text.h"
#include "topology/topology.h"

namespace tessera::admin {
namespace {

// name{labels} -> value, checking each line's shape on the way.
std::map<std::string, std::string> samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      EXPECT_TRUE(line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) << line;
      continue;
    }
    auto sp = line.rfind(' ');
    EXPECT_NE(sp, std::string::npos) << line;
    out[line.substr(0, sp)] = line.substr(sp + 1);
  }
  return out;
}

TEST(PrometheusText, EscapesLabelValues) {
  EXPECT_EQ(PrometheusText::escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  PrometheusText p;
  p.family("x_total", "counter", "help text");
  p.sample("x_total", {{"k", "v\""}}, uint64_t{3});
  EXPECT_EQ(p.text(), "# HELP x_total help text\n# TYPE x_total counter\nx_total{k=\"v\\\"\"} 3\n");
}

TEST(MetricsRender, CountersHistogramsPoolsPins) {
  MetricsInput in;
  in.connections_accepted = 12;
  in.connections_active = 3;
  in.queries = 40;
  WorkerStats w;
  w.record_session("ns1", "select 1", std::chrono::microseconds(300), 1, 0);
  w.record_session("ns1", "select 2", std::chrono::milliseconds(30), 1, 0);
  w.record_session("ns1", "selec", std::chrono::milliseconds(2), 0, 1064);
  in.namespaces = w.metrics();
  in.pools["tessera@127.0.0.1:3306"] = backend::PoolStats{5, 2, 1, 9, 0};
  in.pins_total[static_cast<size_t>(session::PinReason::kTemporaryTable)] = 4;
  in.currently_pinned = 1;
  in.config_generation = 7;
  in.xa_outcomes["committed"] = 2;
  in.failover_retries = 5;
  in.failover_holds = 4;
  in.failover_hold_timeouts = 1;
  in.deadlock_retries = 6;

  auto s = samples(render_metrics(in));
  EXPECT_EQ(s["tessera_failover_retries_total"], "5");
  EXPECT_EQ(s["tessera_failover_holds_total"], "4");
  EXPECT_EQ(s["tessera_failover_hold_timeouts_total"], "1");
  EXPECT_EQ(s["tessera_deadlock_retries_total"], "6");
  EXPECT_EQ(s["tessera_connections_accepted_total"], "12");
  EXPECT_EQ(s["tessera_connections_active"], "3");
  // The process's spill counters (none in this test process's admin tests).
  EXPECT_EQ(s["tessera_spill_files_open"], "0");
  EXPECT_TRUE(s.count("tessera_spill_bytes_total"));
  EXPECT_TRUE(s.count("tessera_spill_files_total"));
  EXPECT_EQ(s["tessera_statements_total{namespace=\"ns1\",type=\"select\"}"], "2");
  EXPECT_EQ(s["tessera_statements_total{namespace=\"ns1\",type=\"other\"}"], "1");
  EXPECT_EQ(s["tessera_statement_errors_total{namespace=\"ns1\",code=\"1064\"}"], "1");
  // cumulative buckets: 0.0003 s <= 0.0005; 0.002 <= 0.0025; 0.03 <= 0.05
  EXPECT_EQ(s["tessera_statement_duration_seconds_bucket{namespace=\"ns1\",le=\"0.0005\"}"], "1");
  EXPECT_EQ(s["tessera_statement_duration_seconds_bucket{namespace=\"ns1\",le=\"0.001\"}"], "1");
  EXPECT_EQ(s["tessera_statement_duration_seconds_bucket{namespace=\"ns1\",le=\"0.0025\"}"], "2");
  EXPECT_EQ(s["tessera_statement_duration_seconds_bucket{namespace=\"ns1\",le=\"0.05\"}"], "3");
  EXPECT_EQ(s["tessera_statement_duration_seconds_bucket{namespace=\"ns1\",le=\"+Inf\"}"], "3");
  EXPECT_EQ(s["tessera_statement_duration_seconds_count{namespace=\"ns1\"}"], "3");
  EXPECT_EQ(s["tessera_pool_connections{endpoint=\"tessera@127.0.0.1:3306\",state=\"in_use\"}"],
            "3");
  EXPECT_EQ(s["tessera_pool_waiting{endpoint=\"tessera@127.0.0.1:3306\"}"], "1");
  EXPECT_EQ(s["tessera_session_pins_total{reason=\"" +
              std::string(session::to_string(session::PinReason::kTemporaryTable)) + "\"}"],
            "4");
  EXPECT_EQ(s["tessera_config_generation"], "7");
  EXPECT_EQ(s["tessera_xa_transactions_total{outcome=\"committed\"}"], "2");
  // no topology published: no backend series
  for (const auto& [k, v] : s) EXPECT_EQ(k.find("tessera_backend_up"), std::string::npos);
}

TEST(MetricsRender, TopologyHealthAndLag) {
  auto snap = std::make_shared<topology::TopologySnapshot>();
  topology::SliceView slice;
  slice.ns = "ns1";
  slice.name = "slice-0";
  topology::InstanceView primary;
  primary.address = config::HostPort{"127.0.0.1", 3306};
  primary.health = topology::Health::kUp;
  topology::InstanceView replica;
  replica.address = config::HostPort{"127.0.0.1", 3307};
  replica.configured_role = topology::ConfiguredRole::kSlave;
  replica.health = topology::Health::kDown;
  replica.lag_seconds = 2.5;
  slice.instances = {primary, replica};
  slice.primary = 0;
  snap->slices.push_back(slice);
  MetricsInput in;
  in.topology = snap;
  in.failovers["ns1/slice-0"] = 1;
  auto s = samples(render_metrics(in));
  EXPECT_EQ(s["tessera_backend_up{namespace=\"ns1\",slice=\"slice-0\",instance=\"127.0.0.1:3306\","
              "role=\"master\",health=\"up\"}"],
            "1");
  EXPECT_EQ(s["tessera_backend_up{namespace=\"ns1\",slice=\"slice-0\",instance=\"127.0.0.1:3307\","
              "role=\"slave\",health=\"down\"}"],
            "0");
  EXPECT_EQ(s["tessera_backend_primary{namespace=\"ns1\",slice=\"slice-0\",instance=\"127.0.0.1:"
              "3306\"}"],
            "1");
  EXPECT_EQ(s["tessera_backend_replication_lag_seconds{namespace=\"ns1\",slice=\"slice-0\","
              "instance=\"127.0.0.1:3307\"}"],
            "2.5");
  EXPECT_EQ(s["tessera_failovers_total{namespace=\"ns1\",slice=\"slice-0\"}"], "1");
}

}  // namespace
}  // namespace tessera::admin
