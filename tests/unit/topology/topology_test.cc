#include "topology/topology.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "backend/backend_connection.h"

namespace tessera::topology {
namespace {

using protocol::GtidSet;

config::HostPort hp(std::string host, uint16_t port) {
  return {std::move(host), port};
}

config::LoadedConfig two_namespaces() {
  config::Namespace b;
  b.name = "b_ns";
  config::Slice s0;
  s0.name = "slice-0";
  s0.user_name = "u";
  s0.password = "p";
  s0.master = hp("127.0.0.1", 3306);
  s0.slaves = {{hp("127.0.0.1", 3307), 1}, {hp("127.0.0.1", 3308), 2}};
  s0.statistic_slaves = {{hp("127.0.0.1", 3309), 3}};
  s0.capacity = 1;
  s0.max_capacity = 1;
  config::Slice s1 = s0;
  s1.name = "slice-1";
  s1.master = hp("db1", 4406);
  s1.slaves.clear();
  s1.statistic_slaves.clear();
  b.slices = {s0, s1};
  b.default_slice = "slice-0";
  config::Namespace a = b;
  a.name = "a_ns";
  config::Slice mw = s1;
  mw.name = "slice-mw";
  mw.writers = {hp("127.0.0.1", 5501), hp("127.0.0.1", 5502)};
  mw.master = mw.writers[0];
  mw.slaves = {{hp("127.0.0.1", 5503), 1}};
  a.slices = {s1, mw};
  a.default_slice = "slice-1";
  return config::LoadedConfig(config::ProxyConfig{}, {b, a});
}

TEST(SnapshotFromConfig, OneSliceViewPerNamespaceSliceInConfigOrder) {
  auto snap = snapshot_from_config(two_namespaces(), 7);
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->version, 7u);
  ASSERT_EQ(snap->slices.size(), 4u);
  // Namespaces come sorted by name (LoadedConfig), slices in file order within each.
  EXPECT_EQ(snap->slices[0].ns, "a_ns");
  EXPECT_EQ(snap->slices[1].name, "slice-mw");
  EXPECT_EQ(snap->slices[2].ns, "b_ns");
  EXPECT_EQ(snap->slices[2].name, "slice-0");
  EXPECT_EQ(snap->slices[3].name, "slice-1");

  const SliceView* s = snap->find("b_ns", "slice-0");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s, &snap->slices[2]);
  EXPECT_TRUE(s->writers.empty());
  EXPECT_EQ(s->primary, 0);
  EXPECT_FALSE(s->multi_writer);
  ASSERT_EQ(s->instances.size(), 4u);
  EXPECT_EQ(s->instances[0].key(), "127.0.0.1:3306");
  EXPECT_EQ(s->instances[0].configured_role, ConfiguredRole::kMaster);
  EXPECT_FALSE(s->instances[0].read_only);
  EXPECT_EQ(s->instances[1].key(), "127.0.0.1:3307");
  EXPECT_EQ(s->instances[1].configured_role, ConfiguredRole::kSlave);
  EXPECT_TRUE(s->instances[1].read_only);  // replicas: read-only until known otherwise
  EXPECT_EQ(s->instances[2].weight, 2);
  EXPECT_EQ(s->instances[3].configured_role, ConfiguredRole::kStatisticSlave);
  EXPECT_EQ(s->instances[3].weight, 3);
  for (const auto& i : s->instances) {
    EXPECT_EQ(i.ns, "b_ns");
    EXPECT_EQ(i.slice, "slice-0");
    EXPECT_EQ(i.health, Health::kUnknown);
    EXPECT_FALSE(i.writable());  // nothing checked yet
  }
  EXPECT_EQ(snap->find("b_ns", "slice-9"), nullptr);

  // Multi-writer: the writers first (all of them taking writes), then the replicas.
  const SliceView* mw = snap->find("a_ns", "slice-mw");
  ASSERT_NE(mw, nullptr);
  EXPECT_TRUE(mw->multi_writer);
  ASSERT_EQ(mw->instances.size(), 3u);
  EXPECT_EQ(mw->instances[0].configured_role, ConfiguredRole::kWriter);
  EXPECT_EQ(mw->instances[1].configured_role, ConfiguredRole::kWriter);
  EXPECT_EQ(mw->instances[1].key(), "127.0.0.1:5502");
  EXPECT_FALSE(mw->instances[1].read_only);
  EXPECT_EQ(mw->instances[2].configured_role, ConfiguredRole::kSlave);
  EXPECT_EQ(mw->writers, (std::vector<int>{0, 1}));
  EXPECT_EQ(mw->primary, 0);
  EXPECT_EQ(snap->find("c_ns", "slice-0"), nullptr);
}

TEST(Topology, PublishReplacesTheSnapshotReadersHoldTheOldOne) {
  Topology t;
  ASSERT_TRUE(t.snapshot());
  EXPECT_TRUE(t.snapshot()->slices.empty());
  auto first = snapshot_from_config(two_namespaces(), 1);
  t.publish(first);
  auto held = t.snapshot();
  auto next = std::make_shared<TopologySnapshot>(*first);
  next->version = 2;
  next->slices[0].primary = -1;
  t.publish(next);
  EXPECT_EQ(held->version, 1u);
  EXPECT_EQ(held->slices[0].primary, 0);
  EXPECT_EQ(t.snapshot()->version, 2u);
  EXPECT_EQ(t.snapshot()->slices[0].primary, -1);
}

TEST(Topology, PositionsAndHasApplied) {
  Topology t;
  auto needed = GtidSet::parse("0-1-10").value();
  EXPECT_FALSE(t.position("r:1"));
  EXPECT_FALSE(t.has_applied("r:1", needed));
  EXPECT_TRUE(t.has_applied("r:1", GtidSet{}));  // nothing needed
  EXPECT_EQ(t.position_source("r:1"), PositionSource::kNone);

  uint64_t before = t.position_updates();
  t.set_position("r:1", GtidSet::parse("0-1-9").value(), PositionSource::kBinlog);
  EXPECT_GT(t.position_updates(), before);
  EXPECT_FALSE(t.has_applied("r:1", needed));
  t.set_position("r:1", GtidSet::parse("0-1-10,1-2-3").value(), PositionSource::kPoll);
  EXPECT_TRUE(t.has_applied("r:1", needed));
  EXPECT_EQ(t.position_source("r:1"), PositionSource::kPoll);
  EXPECT_EQ(t.position("r:1")->to_string(), "0-1-10,1-2-3");
  EXPECT_FALSE(t.has_applied("r:2", needed));  // per instance

  t.forget_position("r:1");
  EXPECT_FALSE(t.position("r:1"));
  EXPECT_FALSE(t.has_applied("r:1", needed));
}

// A replica's position is published under the snapshot's key for the instance; pools drained
// on failover and consistent reads look it up by the key of a backend connection's endpoint.
// Both must be the same text for IPv6 literals too ([::1]:3307): with "::1:3307" on one side
// the pools of a down IPv6 instance were never drained and a caught-up IPv6 replica was never
// found.
TEST(Topology, BackendEndpointsNameInstancesAsTheSnapshotDoes) {
  for (const auto& [host, port] : std::vector<std::pair<std::string, uint16_t>>{
           {"::1", 3307}, {"fd00::2", 13306}, {"127.0.0.1", 3307}, {"db-1.internal", 3306}}) {
    InstanceView inst;
    inst.address = hp(host, port);
    backend::BackendEndpoint ep;
    ep.host = host;
    ep.port = port;
    EXPECT_EQ(ep.address(), inst.key()) << host;
    EXPECT_TRUE(ep.key().starts_with(inst.key() + "/")) << host;

    Topology t;
    auto needed = GtidSet::parse("0-1-10").value();
    t.set_position(inst.key(), GtidSet::parse("0-1-10").value(), PositionSource::kBinlog);
    EXPECT_TRUE(t.has_applied(ep.address(), needed)) << host;
  }
}

// /metrics' tessera_failovers_total: a slice's primary moving to another instance counts once,
// also when the slice had no writable instance in between (the monitor reports nothing then).
TEST(Topology, FailoversCountPrimaryChangesPerSlice) {
  Topology t;
  EXPECT_TRUE(t.failovers().empty());
  t.note_primary("ns", "slice-0", "127.0.0.1:3306");
  t.note_primary("ns", "slice-1", "[::1]:3316");
  EXPECT_EQ(t.failovers(), (std::map<std::string, uint64_t>{{"ns/slice-0", 0}, {"ns/slice-1", 0}}));
  t.note_primary("ns", "slice-0", "127.0.0.1:3306");  // unchanged
  EXPECT_EQ(t.failovers()["ns/slice-0"], 0u);
  t.note_primary("ns", "slice-0", "127.0.0.1:3307");  // promoted replica
  t.note_primary("ns", "slice-0", "127.0.0.1:3307");
  EXPECT_EQ(t.failovers()["ns/slice-0"], 1u);
  t.note_primary("ns", "slice-0", "127.0.0.1:3306");  // and back
  EXPECT_EQ(t.failovers()["ns/slice-0"], 2u);
  EXPECT_EQ(t.failovers()["ns/slice-1"], 0u);
  t.note_primary("other", "slice-0", "127.0.0.1:3307");  // namespaces apart
  EXPECT_EQ(t.failovers()["other/slice-0"], 0u);
}

TEST(Topology, ConcurrentWritersAndReaders) {
  Topology t;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (uint64_t seq = 1; seq <= 20000; ++seq) {
      GtidSet s;
      s.add_mariadb(0, 1, seq);
      t.set_position("r:1", s, PositionSource::kBinlog);
    }
    stop = true;
  });
  // A reader that once saw seq N applied never sees it unapplied afterwards.
  uint64_t seen = 0;
  while (!stop) {
    GtidSet want;
    want.add_mariadb(0, 1, seen + 1);
    if (t.has_applied("r:1", want)) ++seen;
    GtidSet old;
    old.add_mariadb(0, 1, seen);
    if (seen > 0) {
      ASSERT_TRUE(t.has_applied("r:1", old));
    }
  }
  writer.join();
  EXPECT_EQ(t.position("r:1")->to_string(), "0-1-20000");
}

TEST(Topology, RequestCheckReachesTheHandler) {
  Topology t;
  t.request_check("ns", "s");  // no handler yet: a no-op
  std::vector<std::pair<std::string, std::string>> calls;
  t.set_check_handler([&](std::string ns, std::string slice) { calls.emplace_back(ns, slice); });
  t.request_check("ns", "slice-1");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].first, "ns");
  EXPECT_EQ(calls[0].second, "slice-1");
  t.set_check_handler(nullptr);
  t.request_check("ns", "slice-1");
  EXPECT_EQ(calls.size(), 1u);
}

TEST(Topology, NamesForOperators) {
  EXPECT_EQ(to_string(ConfiguredRole::kStatisticSlave), "statistic_slave");
  EXPECT_EQ(to_string(Health::kDown), "down");
  EXPECT_EQ(to_string(PositionSource::kBinlog), "binlog");
}

}  // namespace
}  // namespace tessera::topology
