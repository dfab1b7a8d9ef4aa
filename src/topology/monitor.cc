#include "topology/monitor.h"

#include <spdlog/spdlog.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <charconv>
#include <set>

#include "backend/backend_connection.h"
#include "backend/backend_error.h"
#include "backend/tls_client_context.h"
#include "topology/binlog_follower.h"

namespace tessera::topology {

using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kAsTuple = asio::experimental::as_tuple(asio::use_awaitable);
// Even when nothing changed, republish this often so lag and GTID text stay fresh.
constexpr auto kRefreshEvery = std::chrono::seconds(2);

// Lag buckets: a change of bucket is worth a new snapshot, a change within one is not.
int lag_bucket(const std::optional<double>& lag) {
  if (!lag) return -1;
  static constexpr double kBounds[] = {0.5, 1, 2, 5, 10, 30, 60, 300};
  int b = 0;
  for (double bound : kBounds) {
    if (*lag < bound) return b;
    ++b;
  }
  return b;
}

// The parts of a snapshot whose change is worth publishing.
bool same_shape(const TopologySnapshot& a, const TopologySnapshot& b) {
  if (a.slices.size() != b.slices.size()) return false;
  for (size_t s = 0; s < a.slices.size(); ++s) {
    const auto& x = a.slices[s];
    const auto& y = b.slices[s];
    if (x.ns != y.ns || x.name != y.name || x.primary != y.primary || x.writers != y.writers ||
        x.instances.size() != y.instances.size())
      return false;
    for (size_t i = 0; i < x.instances.size(); ++i) {
      const auto& p = x.instances[i];
      const auto& q = y.instances[i];
      if (p.address != q.address || p.configured_role != q.configured_role ||
          p.weight != q.weight || p.health != q.health || p.read_only != q.read_only ||
          p.replicating != q.replicating || lag_bucket(p.lag_seconds) != lag_bucket(q.lag_seconds))
        return false;
    }
  }
  return true;
}

std::optional<double> parse_lag(const std::string& text) {
  if (text.empty()) return std::nullopt;  // NULL: the SQL thread is not running
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

struct CheckResult {
  bool ok = false;
  std::string error;
  bool read_only = true;
  std::string gtid_position;
  bool is_replica = false;
  bool replicating = false;
  std::optional<double> lag;
};

}  // namespace

// One monitored instance.
struct Monitor::Probe {
  Probe(asio::any_io_executor ex, config::HostPort a, Account acc)
      : address(std::move(a)), key(address.to_string()), account(std::move(acc)), wake(ex) {}

  config::HostPort address;
  std::string key;
  Account account;
  // Last check.
  Health health = Health::kUnknown;
  CheckResult last;
  Clock::time_point checked_steady{};
  std::chrono::system_clock::time_point checked_at{};

  std::unique_ptr<backend::BackendConnection> conn;
  asio::steady_timer wake;
  bool stopped = false;
  bool check_requested = false;
  std::shared_ptr<BinlogFollower> follower;

  void stop() {
    stopped = true;
    wake.cancel();
    if (conn) conn->socket().close();
    if (follower) follower->stop();
  }
};

struct Monitor::State {
  std::shared_ptr<const config::LoadedConfig> config;
  std::map<std::string, std::shared_ptr<Probe>> probes;  // by "host:port"
  FollowerOptions follower_options;                      // without accounts
  uint64_t version = 0;
  std::shared_ptr<const TopologySnapshot> last;
  Clock::time_point last_publish{};
};

namespace {

asio::awaitable<CheckResult> check_once(asio::any_io_executor ex,
                                        std::unique_ptr<backend::BackendConnection>& conn,
                                        const config::HostPort& address, const Account& account,
                                        std::chrono::milliseconds timeout) {
  CheckResult r;
  try {
    if (!conn) {
      backend::BackendEndpoint endpoint{address.host, address.port, account.user, account.password,
                                        account.tls};
      backend::ConnectOptions options;
      options.timeout = timeout;
      conn = co_await backend::BackendConnection::connect(ex, endpoint, options);
    }
    bool mariadb = conn->server_version().find("MariaDB") != std::string::npos;
    auto vars =
        co_await conn->query(mariadb ? "SELECT @@global.read_only, @@global.gtid_current_pos"
                                     : "SELECT @@global.read_only, @@global.gtid_executed");
    if (!vars.ok || vars.rows.empty() || vars.rows[0].size() < 2) {
      r.error = vars.ok ? "unexpected answer to SELECT @@read_only" : vars.err.message;
      co_return r;
    }
    r.ok = true;
    r.read_only = vars.rows[0][0] != "0";
    r.gtid_position = vars.rows[0][1];
    // SHOW REPLICA STATUS exists from MySQL 8.0.22 (SHOW SLAVE STATUS is gone in 8.4);
    // MariaDB has SHOW SLAVE STATUS everywhere.
    bool replica_syntax = !mariadb && conn->server_version() >= std::string("8.0.22");
    auto status =
        co_await conn->query(replica_syntax ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS");
    if (status.ok && !status.rows.empty()) {
      r.is_replica = true;
      auto column = [&](std::string_view a, std::string_view b) -> std::string {
        for (size_t i = 0; i < status.columns.size() && i < status.rows[0].size(); ++i)
          if (status.columns[i] == a || status.columns[i] == b) return status.rows[0][i];
        return {};
      };
      r.replicating = column("Slave_IO_Running", "Replica_IO_Running") == "Yes" &&
                      column("Slave_SQL_Running", "Replica_SQL_Running") == "Yes";
      r.lag = parse_lag(column("Seconds_Behind_Master", "Seconds_Behind_Source"));
    }
    // No privilege for replication status: health and read_only still count.
  } catch (const backend::BackendError& e) {
    r.ok = false;
    r.error = e.err().message;
  } catch (const std::exception& e) {
    r.ok = false;
    r.error = e.what();
  }
  co_return r;
}

}  // namespace

Monitor::Monitor(Topology& topology, std::shared_ptr<const config::LoadedConfig> config)
    : topology_(topology),
      work_(asio::make_work_guard(io_)),
      initial_config_(std::move(config)),
      state_(std::make_unique<State>()) {}

Monitor::~Monitor() {
  stop();
}

void Monitor::start() {
  if (running_.exchange(true)) return;
  // Readers get the configuration's view at once; checks refine it.
  topology_.publish(snapshot_from_config(*initial_config_, 1));
  state_->version = 1;
  asio::post(io_, [this, config = initial_config_] { apply_config(config); });
  thread_ = std::thread([this] {
    try {
      io_.run();
    } catch (const std::exception& e) {
      spdlog::error("topology monitor stopped: {}", e.what());
    }
  });
  topology_.set_check_handler(
      [this](std::string ns, std::string slice) { check_now(std::move(ns), std::move(slice)); });
}

void Monitor::stop() {
  if (!running_.exchange(false)) return;
  topology_.set_check_handler(nullptr);
  asio::post(io_, [this] {
    for (auto& [key, probe] : state_->probes) probe->stop();
    state_->probes.clear();
  });
  work_.reset();
  // Give the probes a moment to unwind, then stop whatever is still pending (a connect to a
  // hung server) so shutdown never waits on a backend.
  auto stopper = std::thread([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    io_.stop();
  });
  if (thread_.joinable()) thread_.join();
  stopper.join();
}

void Monitor::reconfigure(std::shared_ptr<const config::LoadedConfig> config) {
  if (!config) return;
  asio::post(io_, [this, config = std::move(config)] { apply_config(config); });
}

void Monitor::check_now(std::string ns, std::string slice) {
  asio::post(io_, [this, ns = std::move(ns), slice = std::move(slice)] {
    if (!state_->config) return;
    const auto* n = state_->config->find_namespace(ns);
    const auto* s = n ? n->find_slice(slice) : nullptr;
    if (!s) return;
    std::vector<std::string> keys;
    for (const auto& w : s->writers) keys.push_back(w.to_string());
    keys.push_back(s->master.to_string());
    for (const auto& r : s->slaves) keys.push_back(r.address.to_string());
    for (const auto& r : s->statistic_slaves) keys.push_back(r.address.to_string());
    for (const auto& key : keys) {
      auto it = state_->probes.find(key);
      if (it == state_->probes.end()) continue;
      it->second->check_requested = true;
      it->second->wake.cancel();
    }
  });
}

void Monitor::apply_config(std::shared_ptr<const config::LoadedConfig> config) {
  if (!running_) return;
  State& st = *state_;
  st.config = config;
  const auto& proxy = config->proxy();

  FollowerOptions fo;
  fo.use_binlog = proxy.replica_positions == config::ProxyConfig::ReplicaPositions::kBinlog;
  fo.poll_interval = proxy.position_poll_interval;
  fo.connect_timeout = std::max(proxy.monitor_timeout, std::chrono::milliseconds(500));
  bool follower_options_changed = fo.use_binlog != st.follower_options.use_binlog ||
                                  fo.poll_interval != st.follower_options.poll_interval ||
                                  fo.connect_timeout != st.follower_options.connect_timeout;
  st.follower_options = fo;

  // Every address once, with the first slice's account that lists it (see add: TLS first),
  // or [topology] monitor_user.
  std::map<std::string, std::pair<config::HostPort, Account>> wanted;
  for (const auto& ns : config->namespaces()) {
    for (const auto& s : ns.slices) {
      // [topology] monitor_user keeps the probes off the data accounts: they need SLAVE
      // MONITOR, which a namespace's account has no use for.
      Account account = proxy.monitor_user.empty()
                            ? Account{s.user_name, s.password}
                            : Account{proxy.monitor_user, proxy.monitor_password};
      try {
        account.tls =
            backend::tls_client_context(s.tls.value_or(proxy.backend_tls), proxy.backend_tls_ca);
      } catch (const std::exception& e) {
        spdlog::error("topology: slice {}/{}: {}; probing without TLS", ns.name, s.name, e.what());
      }
      // A server listed by several slices is probed once. When their TLS settings differ, the
      // TLS account wins: a server that requires TLS refuses the plain one, while one that
      // accepts both serves either.
      auto add = [&](const config::HostPort& a) {
        auto [it, fresh] = wanted.try_emplace(a.to_string(), a, account);
        if (!fresh && !it->second.second.tls && account.tls) it->second.second = account;
      };
      if (s.multi_writer()) {
        for (const auto& w : s.writers) add(w);
      } else {
        add(s.master);
      }
      for (const auto& r : s.slaves) add(r.address);
      for (const auto& r : s.statistic_slaves) add(r.address);
    }
  }
  Account repl{proxy.repl_user, proxy.repl_password};

  for (auto it = st.probes.begin(); it != st.probes.end();) {
    auto w = wanted.find(it->first);
    if (w == wanted.end() || !(w->second.second == it->second->account)) {
      it->second->stop();
      if (w == wanted.end()) topology_.forget_position(it->first);
      it = st.probes.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [key, entry] : wanted) {
    auto& probe = st.probes[key];
    std::vector<Account> accounts;
    Account repl_here = repl;
    repl_here.tls = entry.second.tls;  // the replication account reaches the same server
    if (!repl.user.empty()) accounts.push_back(repl_here);
    if (!(entry.second == repl_here)) accounts.push_back(entry.second);
    if (probe && probe->follower &&
        (follower_options_changed || probe->follower->options().accounts != accounts)) {
      probe->follower->stop();
      probe->follower.reset();
    }
    if (!probe) {
      probe = std::make_shared<Probe>(io_.get_executor(), entry.first, entry.second);
      start_probe(probe);
    }
    if (!probe->follower) {
      FollowerOptions options = fo;
      options.accounts = accounts;
      probe->follower = std::make_shared<BinlogFollower>(io_.get_executor(), topology_, entry.first,
                                                         std::move(options));
      probe->follower->start();
    }
  }
  rebuild(true);
}

void Monitor::start_probe(const std::shared_ptr<Probe>& probe) {
  auto ex = io_.get_executor();
  asio::co_spawn(
      ex,
      [this, probe, ex]() -> asio::awaitable<void> {
        while (!probe->stopped) {
          auto proxy = state_->config->proxy();
          asio::steady_timer deadline(ex);
          deadline.expires_after(proxy.monitor_timeout);
          auto check =
              check_once(ex, probe->conn, probe->address, probe->account, proxy.monitor_timeout);
          auto expiry = deadline.async_wait(kAsTuple);
          auto outcome = co_await (std::move(check) || std::move(expiry));
          if (probe->stopped) break;
          CheckResult r;
          if (outcome.index() == 0) {
            r = std::get<0>(std::move(outcome));
          } else {
            r.error = "no answer within " + std::to_string(proxy.monitor_timeout.count()) + " ms";
          }
          if (!r.ok) probe->conn.reset();  // reconnect next time
          if (r.ok && probe->conn) {
            // Kept current for the client greeting: a server upgraded or replaced under the
            // same address is seen at the reconnect.
            protocol::ServerGreeting g{probe->conn->server_version(),
                                       probe->conn->server_capabilities(),
                                       probe->conn->server_mariadb_capabilities()};
            topology_.set_greeting(probe->key, std::move(g));
          }
          Health health = r.ok ? Health::kUp : Health::kDown;
          if (health != probe->health) {
            if (health == Health::kDown) {
              spdlog::warn("topology: {} is down: {}", probe->key, r.error);
            } else {
              spdlog::info("topology: {} is up (read_only={})", probe->key, r.read_only);
            }
          } else if (r.ok && r.read_only != probe->last.read_only) {
            spdlog::info("topology: {} read_only={}", probe->key, r.read_only);
          }
          probe->health = health;
          probe->last = std::move(r);
          probe->checked_at = std::chrono::system_clock::now();
          probe->checked_steady = Clock::now();
          rebuild(false);
          if (!probe->check_requested) {
            probe->wake.expires_after(proxy.monitor_interval);
            co_await probe->wake.async_wait(kAsTuple);
          }
          probe->check_requested = false;
        }
      },
      asio::detached);
}

void Monitor::rebuild(bool force) {
  State& st = *state_;
  if (!st.config) return;
  auto base = snapshot_from_config(*st.config, st.version + 1);
  auto snap = std::make_shared<TopologySnapshot>(*base);
  for (auto& slice : snap->slices) {
    bool any_known = false;
    for (auto& inst : slice.instances) {
      auto it = st.probes.find(inst.key());
      if (it == st.probes.end()) continue;
      const Probe& p = *it->second;
      inst.health = p.health;
      if (p.health != Health::kUnknown) any_known = true;
      if (p.health == Health::kUp) {
        inst.read_only = p.last.read_only;
        inst.replicating = p.last.replicating;
        inst.lag_seconds = p.last.lag;
      } else if (p.health == Health::kDown) {
        inst.read_only = true;  // unknown: never writable while down
        inst.replicating = false;
        inst.lag_seconds.reset();
      }
      inst.last_error = p.health == Health::kDown ? p.last.error : std::string();
      inst.checked_at = p.checked_at;
      // The pushed position is fresher than the one the last check read.
      if (auto pos = topology_.position(inst.key())) {
        inst.gtid_position = pos->to_string();
        inst.position_source = topology_.position_source(inst.key());
      } else if (p.last.ok) {
        inst.gtid_position = p.last.gtid_position;
        inst.position_source = PositionSource::kPoll;
      }
    }
    // Primary: the writable instance. While the current primary stays writable it keeps the
    // role (two writable instances during a switchover must not make writes flap); else the
    // configured master if writable, else the first writable one in configuration order.
    int previous = -1;
    if (st.last) {
      if (const SliceView* old = st.last->find(slice.ns, slice.name);
          old && old->primary >= 0 && old->primary < static_cast<int>(old->instances.size())) {
        const auto& addr = old->instances[old->primary].address;
        for (size_t i = 0; i < slice.instances.size(); ++i)
          if (slice.instances[i].address == addr) previous = static_cast<int>(i);
      }
    }
    slice.writers.clear();
    std::vector<int> writable;
    for (size_t i = 0; i < slice.instances.size(); ++i) {
      if (!slice.instances[i].writable()) continue;
      writable.push_back(static_cast<int>(i));
      if (slice.multi_writer && slice.instances[i].configured_role == ConfiguredRole::kWriter)
        slice.writers.push_back(static_cast<int>(i));
    }
    auto is_writable = [&](int i) {
      return i >= 0 && std::find(writable.begin(), writable.end(), i) != writable.end();
    };
    if (slice.multi_writer) {
      // Writers take writes; a replica made writable is not a writer.
      slice.primary = slice.writers.empty() ? -1 : slice.writers.front();
      if (is_writable(previous) &&
          std::find(slice.writers.begin(), slice.writers.end(), previous) != slice.writers.end())
        slice.primary = previous;
      if (!any_known) {
        // Before any check: what the configuration says.
        slice.primary = 0;
        for (size_t i = 0; i < slice.instances.size(); ++i)
          if (slice.instances[i].configured_role == ConfiguredRole::kWriter)
            slice.writers.push_back(static_cast<int>(i));
      }
    } else if (is_writable(previous)) {
      slice.primary = previous;
    } else if (is_writable(0)) {
      slice.primary = 0;
    } else if (!writable.empty()) {
      slice.primary = writable.front();
    } else if (slice.instances[0].health == Health::kUnknown) {
      slice.primary = 0;  // not checked yet: trust the configuration
    } else {
      slice.primary = -1;
    }
  }
  bool changed = !st.last || !same_shape(*st.last, *snap);
  bool stale = Clock::now() - st.last_publish >= kRefreshEvery;
  if (!(force || changed || stale)) return;
  if (st.last && changed) {
    for (const auto& slice : snap->slices) {
      const SliceView* old = st.last->find(slice.ns, slice.name);
      if (old && old->primary != slice.primary) {
        spdlog::warn("topology: {}/{} primary {} -> {}", slice.ns, slice.name,
                     old->primary >= 0 ? old->instances[old->primary].key() : "(none)",
                     slice.primary >= 0 ? slice.instances[slice.primary].key() : "(none)");
      }
    }
  }
  // Failovers for /metrics: only primaries a check has seen count, so the configuration's guess
  // before the first check (the configured master) is never a failover when it was wrong.
  for (const auto& slice : snap->slices) {
    if (slice.primary < 0) continue;
    const auto& primary = slice.instances[static_cast<size_t>(slice.primary)];
    if (primary.health == Health::kUnknown) continue;
    topology_.note_primary(slice.ns, slice.name, primary.key());
  }
  st.version = snap->version;
  st.last = snap;
  st.last_publish = Clock::now();
  topology_.publish(snap);
  published_.fetch_add(1);
}

}  // namespace tessera::topology
