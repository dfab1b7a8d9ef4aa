#include "topology/topology.h"

#include <utility>

namespace tessera::topology {

const SliceView* TopologySnapshot::find(std::string_view ns, std::string_view slice) const {
  for (const auto& s : slices)
    if (s.ns == ns && s.name == slice) return &s;
  return nullptr;
}

Topology::Topology() : snapshot_(std::make_shared<const TopologySnapshot>()) {}

void Topology::publish(std::shared_ptr<const TopologySnapshot> snapshot) {
  if (!snapshot) snapshot = std::make_shared<const TopologySnapshot>();
  snapshot_.store(std::move(snapshot));
}

void Topology::set_position(const std::string& instance_key, protocol::GtidSet position,
                            PositionSource source) {
  {
    std::lock_guard lock(positions_mu_);
    positions_[instance_key] = {std::move(position), source};
  }
  position_updates_.fetch_add(1, std::memory_order_acq_rel);
}

std::optional<protocol::GtidSet> Topology::position(const std::string& instance_key) const {
  std::lock_guard lock(positions_mu_);
  auto it = positions_.find(instance_key);
  if (it == positions_.end()) return std::nullopt;
  return it->second.first;
}

PositionSource Topology::position_source(const std::string& instance_key) const {
  std::lock_guard lock(positions_mu_);
  auto it = positions_.find(instance_key);
  return it == positions_.end() ? PositionSource::kNone : it->second.second;
}

void Topology::forget_position(const std::string& instance_key) {
  {
    std::lock_guard lock(positions_mu_);
    positions_.erase(instance_key);
  }
  position_updates_.fetch_add(1, std::memory_order_acq_rel);
}

bool Topology::has_applied(const std::string& instance_key, const protocol::GtidSet& needed) const {
  if (needed.empty()) return true;
  std::lock_guard lock(positions_mu_);
  auto it = positions_.find(instance_key);
  return it != positions_.end() && it->second.first.contains(needed);
}

void Topology::set_greeting(const std::string& instance_key, protocol::ServerGreeting greeting) {
  std::lock_guard lock(greetings_mu_);
  greetings_[instance_key] = std::move(greeting);
}

std::optional<protocol::ServerGreeting> Topology::greeting(const std::string& instance_key) const {
  std::lock_guard lock(greetings_mu_);
  auto it = greetings_.find(instance_key);
  if (it == greetings_.end()) return std::nullopt;
  return it->second;
}

void Topology::request_check(std::string_view ns, std::string_view slice) {
  std::function<void(std::string, std::string)> handler;
  {
    std::lock_guard lock(handler_mu_);
    handler = check_handler_;
  }
  // Called outside the lock: the handler posts to the monitor's thread and may take its time.
  if (handler) handler(std::string(ns), std::string(slice));
}

void Topology::set_check_handler(std::function<void(std::string ns, std::string slice)> handler) {
  std::lock_guard lock(handler_mu_);
  check_handler_ = std::move(handler);
}

std::string_view to_string(ConfiguredRole role) {
  switch (role) {
    case ConfiguredRole::kMaster:
      return "master";
    case ConfiguredRole::kSlave:
      return "slave";
    case ConfiguredRole::kStatisticSlave:
      return "statistic_slave";
    case ConfiguredRole::kWriter:
      return "writer";
  }
  return "?";
}

std::string_view to_string(Health health) {
  switch (health) {
    case Health::kUnknown:
      return "unknown";
    case Health::kUp:
      return "up";
    case Health::kDown:
      return "down";
  }
  return "?";
}

std::string_view to_string(PositionSource source) {
  switch (source) {
    case PositionSource::kNone:
      return "none";
    case PositionSource::kBinlog:
      return "binlog";
    case PositionSource::kPoll:
      return "poll";
  }
  return "?";
}

namespace {

InstanceView make_instance(const config::Namespace& ns, const config::Slice& slice,
                           const config::HostPort& address, ConfiguredRole role, int weight) {
  InstanceView v;
  v.ns = ns.name;
  v.slice = slice.name;
  v.address = address;
  v.configured_role = role;
  v.weight = weight;
  // Until the monitor has looked, only the configured master is assumed writable.
  v.read_only = role != ConfiguredRole::kMaster && role != ConfiguredRole::kWriter;
  return v;
}

}  // namespace

std::shared_ptr<const TopologySnapshot> snapshot_from_config(const config::LoadedConfig& config,
                                                             uint64_t version) {
  auto snapshot = std::make_shared<TopologySnapshot>();
  snapshot->version = version;
  for (const auto& ns : config.namespaces()) {
    for (const auto& slice : ns.slices) {
      SliceView view;
      view.ns = ns.name;
      view.name = slice.name;
      if (slice.multi_writer()) {
        // Every writer takes writes; until checked, all of them count as writable.
        view.multi_writer = true;
        for (const auto& w : slice.writers) {
          view.writers.push_back(static_cast<int>(view.instances.size()));
          view.instances.push_back(make_instance(ns, slice, w, ConfiguredRole::kWriter, 1));
        }
      } else {
        view.instances.push_back(
            make_instance(ns, slice, slice.master, ConfiguredRole::kMaster, 1));
      }
      for (const auto& s : slice.slaves)
        view.instances.push_back(
            make_instance(ns, slice, s.address, ConfiguredRole::kSlave, s.weight));
      for (const auto& s : slice.statistic_slaves)
        view.instances.push_back(
            make_instance(ns, slice, s.address, ConfiguredRole::kStatisticSlave, s.weight));
      view.primary = 0;
      snapshot->slices.push_back(std::move(view));
    }
  }
  return snapshot;
}

void Topology::note_primary(std::string_view ns, std::string_view slice,
                            const std::string& instance_key) {
  std::string key = std::string(ns) + "/" + std::string(slice);
  std::lock_guard lock(primaries_mu_);
  auto [it, fresh] = primaries_.try_emplace(std::move(key), PrimaryRecord{instance_key, 0});
  if (!fresh && it->second.instance != instance_key) {
    it->second.instance = instance_key;
    ++it->second.failovers;
  }
}

std::map<std::string, uint64_t> Topology::failovers() const {
  std::map<std::string, uint64_t> out;
  std::lock_guard lock(primaries_mu_);
  for (const auto& [slice, record] : primaries_) out.emplace(slice, record.failovers);
  return out;
}

}  // namespace tessera::topology
