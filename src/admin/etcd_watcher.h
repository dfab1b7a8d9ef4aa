// Keeps the namespaces in force equal to what etcd holds under
// `<prefix>/<cluster>/namespace/`: one full read, then a watch from the next revision, applying
// each change through ConfigControl. Reconnects (and re-reads everything) when etcd goes away.
// Runs on its own thread.
#pragma once
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "admin/config_control.h"
#include "config/etcd_client.h"

namespace tessera::admin {

class EtcdWatcher {
 public:
  EtcdWatcher(ConfigControl& control, const config::ProxyConfig& proxy);
  ~EtcdWatcher();

  // Reads etcd once synchronously (so the proxy starts with etcd's namespaces when etcd is
  // up), then watches on a thread. Throws config::EtcdError when etcd refuses the
  // credentials or the TLS certificates (EtcdError::refused()).
  void start();
  void stop();

 private:
  void run();
  // `at_start`: rethrows a refusal instead of logging it.
  bool full_sync(int64_t& revision, bool at_start = false);

  ConfigControl& control_;
  std::string prefix_;
  config::EtcdClient client_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
  int64_t start_revision_ = 0;
};

}  // namespace tessera::admin
