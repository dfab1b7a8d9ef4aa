// The topology monitor: one per process, on its own thread and io_context, so nothing it
// waits for (a hung server, a slow connect) can hold up query traffic.
//
// Every configured instance (each address once, whatever number of slices list it) gets:
//   - a probe: a kept-open connection ([topology] monitor_user, else the slice's backend
//     account) that every monitor_interval runs `SELECT @@read_only, <GTID position>` and
//     SHOW SLAVE STATUS, each check bounded by monitor_timeout; a failed or timed-out check
//     marks the instance Down;
//   - a BinlogFollower pushing its executed GTID position into Topology (or polling it).
// After each check it rebuilds the TopologySnapshot (primary = the writable instance, sticky
// while it stays writable; -1 when none is) and publishes it when health, read_only, primary,
// writers or a lag bucket changed, or every few seconds to refresh lag and positions.
//
// Topology::request_check(ns, slice) wakes that slice's probes at once. reconfigure() follows
// a configuration reload: probes and followers of removed instances stop, new ones start.
#pragma once
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "config/loaded_config.h"
#include "topology/topology.h"

namespace tessera::topology {

class Monitor {
 public:
  Monitor(Topology& topology, std::shared_ptr<const config::LoadedConfig> config);
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // Publishes the configuration's snapshot at once, then starts the monitor thread and
  // registers the request_check handler.
  void start();
  // Stops every probe and follower and joins the thread. Idempotent.
  void stop();
  // Thread-safe: adopt a new configuration generation (hot reload).
  void reconfigure(std::shared_ptr<const config::LoadedConfig> config);
  // Thread-safe: check the instances of (ns, slice) now.
  void check_now(std::string ns, std::string slice);

  // Number of snapshots published so far (tests).
  uint64_t published() const { return published_.load(); }

 private:
  struct Probe;
  struct State;

  void apply_config(std::shared_ptr<const config::LoadedConfig> config);
  void start_probe(const std::shared_ptr<Probe>& probe);
  void rebuild(bool force);

  Topology& topology_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<uint64_t> published_{0};
  std::shared_ptr<const config::LoadedConfig> initial_config_;
  // Touched on the monitor thread only.
  std::unique_ptr<State> state_;
};

}  // namespace tessera::topology
