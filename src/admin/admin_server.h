// The HTTP admin API (cpp-httplib) on [admin] listen, every request behind HTTP basic auth
// with [admin] user/password. Endpoints: docs/admin-api.md. Runs on its own thread; reads
// worker state by posting to the workers (worker_probe.h), changes configuration through
// ConfigControl.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "admin/config_control.h"
#include "admin/metrics_render.h"
#include "frontend/proxy_context.h"
#include "frontend/worker.h"

namespace httplib {
class Server;
}

namespace tessera::admin {

// Optional views of other modules for /metrics; unset ones are left out.
struct MetricsSources {
  std::function<std::shared_ptr<const topology::TopologySnapshot>()> topology;
  std::function<std::map<std::string, uint64_t>()> failovers;
  // XA coordinator outcome counters (txn/): hook for the XA work.
  std::function<std::map<std::string, uint64_t>()> xa_outcomes;
};

class AdminServer {
 public:
  AdminServer(frontend::ProxyContext& ctx, std::vector<frontend::Worker*> workers,
              ConfigControl& control, MetricsSources sources);
  ~AdminServer();

  // Binds (throws std::runtime_error when the address is taken) and serves on a thread.
  void start(const std::string& host, int port);
  void stop();

  // The /metrics text (also used by tests).
  std::string metrics_text();

 private:
  void routes();
  bool authorized(const std::string& header) const;

  frontend::ProxyContext& ctx_;
  std::vector<frontend::Worker*> workers_;
  ConfigControl& control_;
  MetricsSources sources_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace tessera::admin
