// tessera: command line, logging, configuration, worker threads, signals.
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/signal_set.hpp>

#include <algorithm>
#include <csignal>
#include <functional>
#include <iostream>
#include <optional>

#include "admin/admin_server.h"
#include "admin/config_control.h"
#include "admin/etcd_watcher.h"
#include "backend/backend_connection.h"
#include "config/config_error.h"
#include "config/loaded_config.h"
#include "frontend/proxy_context.h"
#include "frontend/worker.h"
#include "logs/log_files.h"
#include "topology/monitor.h"
#include "txn/failpoint.h"
#include "txn/recovery.h"
#include "txn/txn_counters.h"
#include "txn/txn_manager.h"

namespace {

// The decision log's default place: beside the configuration, one file per instance id.
std::filesystem::path decision_log_path(const tessera::config::ProxyConfig& proxy) {
  if (!proxy.xa_decision_log.empty()) return proxy.xa_decision_log;
  std::string name;
  for (char c : proxy.proxy_instance_id) {
    name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  }
  return proxy.base_dir / ("xa-decisions-" + name + ".log");
}

// Recovery asks the primaries (and writers) of every slice an `xa` namespace shards over.
std::vector<tessera::txn::RecoveryTarget> recovery_targets(
    const tessera::frontend::ProxyContext& ctx) {
  std::vector<tessera::txn::RecoveryTarget> out;
  auto config = ctx.config();
  for (const auto& ns : config->namespaces()) {
    if (ns.transaction_mode != tessera::config::TransactionMode::kXa || ns.shard_rules.empty())
      continue;
    for (const auto& slice : ns.slices) {
      auto add = [&](const tessera::config::HostPort& hp) {
        out.push_back(
            {slice.name,
             {hp.host, hp.port, slice.user_name, slice.password, ctx.backend_tls(slice.tls)}});
      };
      add(slice.master);
      for (const auto& w : slice.writers) add(w);
    }
  }
  return out;
}

// The client greeting presents the backends' identity (protocol/server_identity.h): before any
// client is served, one connection to the default slice primary of the first namespace that
// answers (a few tried at most), so the very first client already sees it. The monitor keeps
// it current afterwards; while no backend answers, clients get the fallback identity.
void learn_server_identity(tessera::frontend::ProxyContext& ctx) {
  auto config = ctx.config();
  if (!config->proxy().server_version.empty()) return;
  constexpr size_t kMaxTries = 4;
  std::vector<std::string> tried;
  asio::io_context io;
  for (const auto& ns : config->namespaces()) {
    const tessera::config::Slice* slice = ns.find_slice(ns.default_slice);
    std::string key = slice ? slice->master.to_string() : std::string();
    if (!slice || std::find(tried.begin(), tried.end(), key) != tried.end()) continue;
    if (tried.size() == kMaxTries) break;
    tried.push_back(key);
    tessera::backend::BackendEndpoint endpoint{slice->master.host, slice->master.port,
                                               slice->user_name, slice->password,
                                               ctx.backend_tls(slice->tls)};
    tessera::backend::ConnectOptions options;
    options.timeout = config->proxy().backend_connect_timeout;
    bool learned = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          try {
            auto conn = co_await tessera::backend::BackendConnection::connect(io.get_executor(),
                                                                              endpoint, options);
            tessera::protocol::ServerGreeting g{conn->server_version(), conn->server_capabilities(),
                                                conn->server_mariadb_capabilities()};
            ctx.topology().set_greeting(key, std::move(g));
            learned = true;
          } catch (const std::exception& e) {
            spdlog::warn("server identity: {} of namespace {}: {}", key, ns.name, e.what());
          }
        },
        asio::detached);
    io.restart();
    io.run();
    if (learned) break;
  }
  spdlog::info("greeting clients as {}", ctx.server_identity().server_version);
}

}  // namespace

namespace {
// Every client and backend connection is a file descriptor: a proxy with 10,000 clients needs
// more than the usual soft limit of 1024, so take everything the hard limit allows.
void raise_file_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
  rlim_t before = lim.rlim_cur;
  lim.rlim_cur = lim.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &lim) == 0) {
    spdlog::debug("open file limit raised from {} to {}", before, lim.rlim_cur);
  }
}

// Worker threads recurse over statement trees (parser, writer, planner): sql::Parser bounds a
// tree's height so that the deepest walk needs under 0.5 MiB (under 3 MiB under ASan). Threads
// get their stack size from RLIMIT_STACK, which may be small, or unlimited (then glibc gives
// 2 MiB): make every thread's default at least 8 MiB, whatever the environment.
void raise_thread_stack() {
  constexpr size_t kStack = size_t(8) << 20;
  pthread_attr_t attr;
  if (pthread_getattr_default_np(&attr) != 0) return;
  size_t size = 0;
  if (pthread_attr_getstacksize(&attr, &size) == 0 && size < kStack &&
      pthread_attr_setstacksize(&attr, kStack) == 0) {
    pthread_setattr_default_np(&attr);
  }
  pthread_attr_destroy(&attr);
}
}  // namespace

int main(int argc, char** argv) {
  raise_thread_stack();
  CLI::App cli{"Tessera: a MySQL-protocol database middleware (sharding, read/write splitting)"};
  std::string config_path;
  bool show_version = false;
  bool check_only = false;
  cli.add_option("-c,--config", config_path, "proxy configuration file (TOML)");
  cli.add_flag("-V,--version", show_version, "print the version and exit");
  cli.add_flag("--check", check_only, "validate the configuration and exit");
  CLI11_PARSE(cli, argc, argv);

  if (show_version) {
    std::cout << "tessera " << TESSERA_VERSION << "\n";
    return 0;
  }
  if (config_path.empty()) {
    std::cerr << "tessera: --config is required (see --help)\n";
    return 2;
  }

  std::shared_ptr<const tessera::config::LoadedConfig> config;
  try {
    auto proxy_only = tessera::config::load_proxy_config(config_path);
    if (proxy_only.etcd_enabled()) {
      // Namespaces come from etcd: the watcher reads them before the workers start.
      config = std::make_shared<const tessera::config::LoadedConfig>(
          std::move(proxy_only), std::vector<tessera::config::Namespace>{});
    } else {
      config = tessera::config::load_snapshot(config_path);
    }
    tessera::frontend::build_rule_sets(*config);  // shard rules are checked at load too
  } catch (const std::exception& e) {
    std::cerr << "tessera: configuration error: " << e.what() << "\n";
    return 2;
  }
  if (check_only) {
    std::cout << "configuration OK: " << config->namespaces().size() << " namespace(s)\n";
    return 0;
  }
  const auto& proxy = config->proxy();
  try {
    tessera::logs::open_log_files(proxy);
  } catch (const std::exception& e) {
    std::cerr << "tessera: cannot open log files: " << e.what() << "\n";
    return 2;
  }
  for (const auto& w : config->warnings()) spdlog::warn("config: {}", w);

  // A client vanishing mid-write must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  raise_file_limit();

  // Construction reads the TLS certificate, key and backend CA files.
  std::optional<tessera::frontend::ProxyContext> context;
  try {
    context.emplace(config);
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    return 2;
  }
  auto& ctx = *context;

  // XA (issue 7): the decision log, then one recovery pass before any client is served, so
  // branches a crash left prepared release their locks first.
  std::unique_ptr<tessera::txn::TxnManager> txn_manager;
  try {
    txn_manager = std::make_unique<tessera::txn::TxnManager>(proxy.proxy_instance_id,
                                                             decision_log_path(proxy));
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 2;
  }
  if (std::string armed = tessera::txn::failpoint::arm_from_environment(); !armed.empty()) {
    spdlog::warn("failpoints armed: {}", armed);
  }
  ctx.set_txn_manager(txn_manager.get());
  tessera::txn::RecoveryService recovery(
      *txn_manager, [&ctx] { return recovery_targets(ctx); }, proxy.xa_recovery_interval,
      proxy.backend_connect_timeout);
  {
    auto pass = recovery.run_once();
    spdlog::info(
        "XA recovery at start-up ({} as {}): {} server(s), {} committed, {} rolled back, "
        "{} unreachable; decision log {} holds {} decision(s)",
        proxy.proxy_instance_id, txn_manager->tag(), pass.servers, pass.committed, pass.rolled_back,
        pass.unreachable, txn_manager->log().path().string(), txn_manager->decided_count());
  }

  unsigned threads = proxy.effective_worker_threads();
  ctx.set_worker_count(threads);

  asio::ip::tcp::endpoint endpoint;
  try {
    endpoint =
        asio::ip::tcp::endpoint(asio::ip::make_address(proxy.listen.host), proxy.listen.port);
  } catch (const std::exception& e) {
    spdlog::critical("listen address {} is not an IP address: {}", proxy.listen.to_string(),
                     e.what());
    return 2;
  }

  tessera::admin::ConfigControl control(ctx, config_path);
  std::unique_ptr<tessera::admin::EtcdWatcher> etcd;
  if (proxy.etcd_enabled()) {
    etcd = std::make_unique<tessera::admin::EtcdWatcher>(control, proxy);
    try {
      etcd->start();
    } catch (const std::exception& e) {
      spdlog::critical("etcd refused Tessera: {}", e.what());
      std::cerr << "tessera: etcd refused Tessera (check [etcd] username, password and TLS "
                   "files): "
                << e.what() << "\n";
      return 2;
    }
  }

  std::vector<std::unique_ptr<tessera::frontend::Worker>> workers;
  try {
    for (unsigned i = 0; i < threads; ++i) {
      workers.push_back(std::make_unique<tessera::frontend::Worker>(ctx, i));
      workers.back()->listen(endpoint);
    }
  } catch (const std::exception& e) {
    spdlog::critical("cannot listen on {}: {}", proxy.listen.to_string(), e.what());
    return 1;
  }
  learn_server_identity(ctx);
  // Topology monitor: its own thread; readers see the configuration's view until it checks.
  tessera::topology::Monitor monitor(ctx.topology(), config);
  monitor.start();
  ctx.attach_topology_monitor(&monitor);
  for (auto& w : workers) w->start();
  recovery.start();
  spdlog::info("tessera {} listening on {} with {} worker thread(s), {} namespace(s)",
               TESSERA_VERSION, proxy.listen.to_string(), threads,
               ctx.config()->namespaces().size());

  std::vector<tessera::frontend::Worker*> worker_views;
  for (auto& w : workers) worker_views.push_back(w.get());
  // /metrics reads the topology monitor's snapshot (backend health, primaries, lag) and the
  // failovers it saw, and the XA coordinator's outcomes.
  tessera::admin::MetricsSources sources;
  sources.topology = [&ctx] { return ctx.topology().snapshot(); };
  sources.failovers = [&ctx] { return ctx.topology().failovers(); };
  sources.xa_outcomes = [] { return tessera::txn::txn_counters().by_name(); };
  std::unique_ptr<tessera::admin::AdminServer> admin;
  if (proxy.admin_listen) {
    admin = std::make_unique<tessera::admin::AdminServer>(ctx, worker_views, control, sources);
    if (proxy.admin_password_is_default()) {
      spdlog::warn(
          "admin API on {} uses the default password \"admin\": anyone with a local account "
          "can change the configuration; set [admin] password (or listen = \"\" to disable it)",
          proxy.admin_listen->to_string());
    }
    try {
      admin->start(proxy.admin_listen->host, proxy.admin_listen->port);
    } catch (const std::exception& e) {
      spdlog::critical("admin API: {}", e.what());
      for (auto& w : workers) w->stop();
      for (auto& w : workers) w->join();
      return 1;
    }
  }

  asio::io_context main_io;
  asio::signal_set signals(main_io, SIGINT, SIGTERM);
  signals.async_wait([&](const std::error_code&, int sig) {
    spdlog::info("signal {} received, shutting down", sig);
    main_io.stop();
  });
  // SIGHUP: reload the configuration (files, or etcd); connections stay.
  asio::signal_set hangup(main_io, SIGHUP);
  std::function<void(const std::error_code&, int)> on_hangup = [&](const std::error_code& ec, int) {
    if (ec) return;
    spdlog::info("SIGHUP received, reloading the configuration");
    control.reload();
    hangup.async_wait(on_hangup);
  };
  hangup.async_wait(on_hangup);
  // SIGUSR1: reopen every log file (after logrotate moved them away).
  asio::signal_set reopen_signal(main_io, SIGUSR1);
  std::function<void(const std::error_code&, int)> on_reopen = [&](const std::error_code& ec, int) {
    if (ec) return;
    tessera::logs::reopen_log_files();
    spdlog::info("SIGUSR1: log files reopened");
    reopen_signal.async_wait(on_reopen);
  };
  reopen_signal.async_wait(on_reopen);
  main_io.run();
  if (admin) admin->stop();
  if (etcd) etcd->stop();
  recovery.stop();
  spdlog::info("XA counters: {}", tessera::txn::txn_counters().summary());
  for (auto& w : workers) w->stop();
  for (auto& w : workers) w->join();
  ctx.attach_topology_monitor(nullptr);
  monitor.stop();
  spdlog::info("tessera stopped");
  spdlog::shutdown();
  return 0;
}
