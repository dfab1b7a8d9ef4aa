// replica_position_delay: how long after a commit on the primary does Tessera's Topology know
// that a replica has applied it? Runs the real BinlogFollower against a replica, once pushing
// from its binlog stream and once polling, commits single-row INSERTs on the primary through
// our own BackendConnection, takes each commit's GTID from the OK packet (last_gtid session
// tracking) and measures until Topology::has_applied(replica, gtid) turns true.
// Commits are spaced by a random pause so polling is not phase-locked to the writes.
//
//   replica_position_delay --primary 127.0.0.1:P --replica 127.0.0.1:R [--commits N]
//       [--poll-interval-ms 500] [--user tessera --password tessera]
//       [--repl-user repl --repl-password repl] [--mode both|binlog|poll]
#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "backend/backend_connection.h"
#include "config/host_port.h"
#include "protocol/gtid_set.h"
#include "protocol/gtid_tracking.h"
#include "topology/binlog_follower.h"
#include "topology/topology.h"

namespace {

using namespace tessera;
using Clock = std::chrono::steady_clock;

struct Options {
  config::HostPort primary, replica;
  int commits = 200;
  int poll_interval_ms = 500;
  std::string user = "tessera", password = "tessera";
  std::string repl_user = "repl", repl_password = "repl";
  std::string mode = "both";
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// One measurement run; returns the delays in ms, empty on failure.
std::vector<double> run(const Options& o, bool binlog) {
  topology::Topology topo;
  asio::io_context follower_io;
  topology::FollowerOptions fo;
  fo.use_binlog = binlog;
  fo.accounts = {{o.repl_user, o.repl_password}, {o.user, o.password}};
  fo.poll_interval = std::chrono::milliseconds(o.poll_interval_ms);
  auto follower =
      std::make_shared<topology::BinlogFollower>(follower_io.get_executor(), topo, o.replica, fo);
  asio::post(follower_io, [follower] { follower->start(); });
  std::thread follower_thread([&] { follower_io.run(); });

  std::vector<double> delays;
  asio::io_context io;
  auto writer = [&]() -> asio::awaitable<void> {
    backend::BackendEndpoint ep{o.primary.host, o.primary.port, o.user, o.password};
    auto conn = co_await backend::BackendConnection::connect(io.get_executor(), ep, {});
    for (const char* sql : {"SET SESSION session_track_system_variables='last_gtid'",
                            "CREATE DATABASE IF NOT EXISTS bench_topology",
                            "CREATE TABLE IF NOT EXISTS bench_topology.t (id BIGINT "
                            "AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB"}) {
      auto r = co_await conn->query(sql);
      if (!r.ok) throw std::runtime_error(r.err.message);
    }
    // Wait until the follower knows the replica's position at all.
    auto start_deadline = Clock::now() + std::chrono::seconds(10);
    while (!topo.position(o.replica.to_string()) ||
           (binlog && follower->mode() != topology::BinlogFollower::Mode::kBinlog)) {
      if (Clock::now() > start_deadline) throw std::runtime_error("follower did not start");
      asio::steady_timer t(io, std::chrono::milliseconds(10));
      co_await t.async_wait(asio::use_awaitable);
    }
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> pause_ms(0, std::max(o.poll_interval_ms, 50));
    const std::string key = o.replica.to_string();
    for (int i = 0; i < o.commits; ++i) {
      auto r = co_await conn->query("INSERT INTO bench_topology.t (v) VALUES (1)");
      auto committed = Clock::now();
      if (!r.ok) throw std::runtime_error(r.err.message);
      auto text = protocol::tracked_gtid(r.ok_packet.session_state);
      auto gtid = text ? protocol::GtidSet::parse(*text) : std::nullopt;
      if (!gtid) throw std::runtime_error("no last_gtid in the OK packet");
      // Spin on the Topology as a read-your-writes reader would (0.1 ms resolution).
      auto deadline = committed + std::chrono::seconds(10);
      while (!topo.has_applied(key, *gtid)) {
        if (Clock::now() > deadline) throw std::runtime_error("replica never applied " + *text);
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      }
      delays.push_back(std::chrono::duration<double, std::milli>(Clock::now() - committed).count());
      asio::steady_timer pause(io, std::chrono::milliseconds(pause_ms(rng)));
      co_await pause.async_wait(asio::use_awaitable);
    }
  };
  auto done = asio::co_spawn(io, writer(), asio::use_future);
  io.run();
  bool ok = true;
  try {
    done.get();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "replica_position_delay: %s\n", e.what());
    ok = false;
  }
  asio::post(follower_io, [follower] { follower->stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  follower_io.stop();
  follower_thread.join();
  if (!ok) delays.clear();
  return delays;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  bool have_primary = false, have_replica = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--primary" || a == "--replica") {
      auto hp = config::parse_host_port(v);
      if (!hp) {
        std::fprintf(stderr, "%s: not host:port\n", v.c_str());
        return 2;
      }
      (a == "--primary" ? o.primary : o.replica) = *hp;
      (a == "--primary" ? have_primary : have_replica) = true;
    } else if (a == "--commits") {
      o.commits = std::stoi(v);
    } else if (a == "--poll-interval-ms") {
      o.poll_interval_ms = std::stoi(v);
    } else if (a == "--user") {
      o.user = v;
    } else if (a == "--password") {
      o.password = v;
    } else if (a == "--repl-user") {
      o.repl_user = v;
    } else if (a == "--repl-password") {
      o.repl_password = v;
    } else if (a == "--mode") {
      o.mode = v;
    } else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (!have_primary || !have_replica) {
    std::fprintf(stderr,
                 "usage: replica_position_delay --primary HOST:PORT --replica HOST:PORT "
                 "[--commits N] [--poll-interval-ms MS] [--mode both|binlog|poll]\n");
    return 2;
  }
  std::printf(
      "replica position delay: commit on %s -> Topology knows %s applied it "
      "(%d commits each)\n",
      o.primary.to_string().c_str(), o.replica.to_string().c_str(), o.commits);
  std::printf("%-28s %9s %9s %9s %9s\n", "mode", "p50 ms", "p99 ms", "mean ms", "max ms");
  int status = 0;
  for (bool binlog : {true, false}) {
    if (o.mode == "binlog" && !binlog) continue;
    if (o.mode == "poll" && binlog) continue;
    auto d = run(o, binlog);
    if (d.empty()) {
      status = 1;
      continue;
    }
    double mean = 0;
    for (double x : d) mean += x;
    mean /= d.size();
    std::string name = binlog ? "push (binlog stream)"
                              : "poll (every " + std::to_string(o.poll_interval_ms) + " ms)";
    std::printf("%-28s %9.2f %9.2f %9.2f %9.2f\n", name.c_str(), percentile(d, 0.5),
                percentile(d, 0.99), mean, *std::max_element(d.begin(), d.end()));
    std::fflush(stdout);
  }
  return status;
}
