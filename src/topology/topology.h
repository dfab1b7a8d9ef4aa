// What Tessera currently knows about its backend instances, shared by every worker thread.
// The monitor (topology/monitor.h) and the replica position followers write here; the
// router and sessions only read, and never block on the monitor:
//   - snapshot(): an immutable TopologySnapshot (who is primary/writable, who is healthy,
//     lag), replaced as a whole whenever something changes;
//   - positions: each instance's executed GTID set, updated per binlog event (pushed) or per
//     poll, read with has_applied() on the read-your-writes path.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/host_port.h"
#include "config/loaded_config.h"
#include "protocol/gtid_set.h"
#include "protocol/server_identity.h"

namespace tessera::topology {

// The role an instance was given in the configuration.
enum class ConfiguredRole : uint8_t { kMaster, kSlave, kStatisticSlave, kWriter };
enum class Health : uint8_t { kUnknown, kUp, kDown };
enum class PositionSource : uint8_t { kNone, kBinlog, kPoll };

std::string_view to_string(ConfiguredRole role);  // "master", "slave", "statistic_slave", "writer"
std::string_view to_string(Health health);        // "unknown", "up", "down"
std::string_view to_string(PositionSource source);  // "none", "binlog", "poll"

struct InstanceView {
  std::string ns;
  std::string slice;
  config::HostPort address;
  ConfiguredRole configured_role = ConfiguredRole::kMaster;
  int weight = 1;
  Health health = Health::kUnknown;
  bool read_only = false;             // as observed (@@read_only); true until known for replicas
  std::optional<double> lag_seconds;  // replicas: Seconds_Behind_Master; nullopt = unknown
  bool replicating = false;           // replica: IO and SQL threads running
  std::string gtid_position;          // executed GTID set as last observed (text)
  PositionSource position_source = PositionSource::kNone;
  std::string last_error;  // why the last check failed, empty when healthy
  std::chrono::system_clock::time_point checked_at{};

  std::string key() const { return address.to_string(); }  // "host:port"
  bool writable() const { return health == Health::kUp && !read_only; }
};

struct SliceView {
  std::string ns;
  std::string name;
  bool multi_writer = false;
  // Configuration order: master (or writers) first, then slaves, then statistic slaves.
  std::vector<InstanceView> instances;
  // Index of the instance that takes writes: the writable one, whatever the config listed
  // first. Before the monitor's first check this is the configured master; -1 while no
  // instance is writable (a failover in progress: writers hold, see issue 6).
  int primary = -1;
  // Multi-writer slices: indexes of the writable writers, in configuration order.
  std::vector<int> writers;
};

struct TopologySnapshot {
  uint64_t version = 0;
  std::vector<SliceView> slices;

  const SliceView* find(std::string_view ns, std::string_view slice) const;
};

// Thread-safe store of topology state. One per process, owned by the app, reachable from
// ProxyContext. Readers never wait for the monitor.
class Topology {
 public:
  Topology();

  std::shared_ptr<const TopologySnapshot> snapshot() const { return snapshot_.load(); }
  void publish(std::shared_ptr<const TopologySnapshot> snapshot);  // monitor only

  // ---- executed GTID positions, per instance key ("host:port") ----
  void set_position(const std::string& instance_key, protocol::GtidSet position,
                    PositionSource source);
  std::optional<protocol::GtidSet> position(const std::string& instance_key) const;
  // True when the instance is known to have applied every transaction in `needed`.
  bool has_applied(const std::string& instance_key, const protocol::GtidSet& needed) const;
  // Where the stored position came from (kNone when nothing is known).
  PositionSource position_source(const std::string& instance_key) const;
  // Drops what is known about an instance (it left the configuration).
  void forget_position(const std::string& instance_key);
  // Monotonic count of position updates (cheap change detection for waiters that poll).
  uint64_t position_updates() const { return position_updates_.load(std::memory_order_acquire); }

  // ---- what each instance said in its greeting, per instance key ("host:port") ----
  // Set at start-up and by the monitor on every (re)connect; the client greeting presents the
  // default slice primary's (protocol/server_identity.h).
  void set_greeting(const std::string& instance_key, protocol::ServerGreeting greeting);
  std::optional<protocol::ServerGreeting> greeting(const std::string& instance_key) const;

  // ---- fast path: a write saw ERROR 1290/1836 or lost its connection ----
  // Asks the monitor to check the slice now instead of at its next interval. Thread-safe,
  // never blocks; a no-op until a monitor has registered its handler.
  void request_check(std::string_view ns, std::string_view slice);
  void set_check_handler(std::function<void(std::string ns, std::string slice)> handler);

  // ---- failovers: the instance taking a slice's writes changed (/metrics) ----
  // The monitor reports each slice's observed primary (`ns`/`slice`, instance key) at every
  // publish; a different instance than the one last reported counts one failover, however
  // long the slice had no writable instance in between.
  void note_primary(std::string_view ns, std::string_view slice, const std::string& instance_key);
  // Failovers per slice ("namespace/slice"), 0 for every slice with a primary reported.
  std::map<std::string, uint64_t> failovers() const;

 private:
  std::atomic<std::shared_ptr<const TopologySnapshot>> snapshot_;
  mutable std::mutex positions_mu_;
  std::unordered_map<std::string, std::pair<protocol::GtidSet, PositionSource>> positions_;
  std::atomic<uint64_t> position_updates_{0};
  mutable std::mutex greetings_mu_;
  std::unordered_map<std::string, protocol::ServerGreeting> greetings_;
  mutable std::mutex handler_mu_;
  std::function<void(std::string, std::string)> check_handler_;
  struct PrimaryRecord {
    std::string instance;
    uint64_t failovers = 0;
  };
  mutable std::mutex primaries_mu_;
  std::map<std::string, PrimaryRecord> primaries_;  // by "namespace/slice"
};

// The snapshot implied by the configuration alone (every configured master is the primary,
// health unknown): what the router uses until the monitor has run.
std::shared_ptr<const TopologySnapshot> snapshot_from_config(const config::LoadedConfig& config,
                                                             uint64_t version = 1);

}  // namespace tessera::topology
