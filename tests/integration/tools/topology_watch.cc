// topology_watch: runs Tessera's topology Monitor (the real one, as the proxy runs it) for a
// configuration and prints what it learns as JSON lines on stdout, for integration tests and
// benchmarks that need to see the topology from outside:
//   {"ms": 12, "event": "snapshot", "version": 3, "slices": [...]}   on each published snapshot
//   {"ms": 15, "event": "position", "key": "127.0.0.1:30507", "gtid": "1-1000-42",
//    "source": "binlog"}                                              on each position change
// "ms" counts from start. Stops after --seconds, on SIGTERM/SIGINT, or when stdin closes
// (--stdin).
//
//   topology_watch <tessera.toml> [--seconds N] [--stdin]
#include <poll.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <thread>

#include "config/loaded_config.h"
#include "topology/monitor.h"
#include "topology/topology.h"

namespace {

std::atomic<bool> g_stop{false};

nlohmann::json slice_json(const tessera::topology::SliceView& s) {
  using tessera::topology::to_string;
  nlohmann::json instances = nlohmann::json::array();
  for (const auto& i : s.instances) {
    instances.push_back({{"key", i.key()},
                         {"role", to_string(i.configured_role)},
                         {"health", to_string(i.health)},
                         {"read_only", i.read_only},
                         {"replicating", i.replicating},
                         {"lag", i.lag_seconds ? nlohmann::json(*i.lag_seconds) : nlohmann::json()},
                         {"gtid", i.gtid_position},
                         {"source", to_string(i.position_source)},
                         {"error", i.last_error}});
  }
  return {{"ns", s.ns},
          {"slice", s.name},
          {"primary", s.primary},
          {"writers", s.writers},
          {"multi_writer", s.multi_writer},
          {"instances", instances}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: topology_watch <tessera.toml> [--seconds N] [--stdin]\n";
    return 2;
  }
  double seconds = 3600;
  bool watch_stdin = false;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) {
      seconds = std::stod(argv[++i]);
    } else if (a == "--stdin") {
      watch_stdin = true;
    } else {
      std::cerr << "topology_watch: unknown argument " << a << "\n";
      return 2;
    }
  }
  std::shared_ptr<const tessera::config::LoadedConfig> config;
  try {
    config = tessera::config::load_snapshot(argv[1]);
  } catch (const std::exception& e) {
    std::cerr << "topology_watch: " << e.what() << "\n";
    return 2;
  }
  std::signal(SIGTERM, [](int) { g_stop = true; });
  std::signal(SIGINT, [](int) { g_stop = true; });

  tessera::topology::Topology topology;
  tessera::topology::Monitor monitor(topology, config);
  auto t0 = std::chrono::steady_clock::now();
  auto ms = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  monitor.start();

  std::shared_ptr<const tessera::topology::TopologySnapshot> shown;
  std::map<std::string, std::string> positions;
  uint64_t seen_updates = ~uint64_t{0};
  auto deadline = t0 + std::chrono::duration<double>(seconds);
  while (!g_stop && std::chrono::steady_clock::now() < deadline) {
    auto snap = topology.snapshot();
    if (snap != shown) {
      shown = snap;
      nlohmann::json slices = nlohmann::json::array();
      for (const auto& s : snap->slices) slices.push_back(slice_json(s));
      nlohmann::json line = {
          {"ms", ms()}, {"event", "snapshot"}, {"version", snap->version}, {"slices", slices}};
      std::printf("%s\n", line.dump().c_str());
      std::fflush(stdout);
    }
    uint64_t updates = topology.position_updates();
    if (updates != seen_updates) {
      seen_updates = updates;
      for (const auto& s : snap->slices) {
        for (const auto& i : s.instances) {
          auto pos = topology.position(i.key());
          std::string text = pos ? pos->to_string() : std::string();
          auto& last = positions[i.key()];
          if (pos && text != last) {
            last = text;
            nlohmann::json line = {{"ms", ms()},
                                   {"event", "position"},
                                   {"key", i.key()},
                                   {"gtid", text},
                                   {"source", to_string(topology.position_source(i.key()))}};
            std::printf("%s\n", line.dump().c_str());
            std::fflush(stdout);
          }
        }
      }
    }
    if (watch_stdin) {
      pollfd p{0, POLLIN, 0};
      if (::poll(&p, 1, 0) > 0) {
        char buf[256];
        if (::read(0, buf, sizeof buf) <= 0) break;
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  monitor.stop();
  return 0;
}
