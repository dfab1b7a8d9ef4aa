// A small etcd v3 client over etcd's HTTP/JSON gateway (/v3/kv/range, /v3/kv/put,
// /v3/kv/deleterange, /v3/watch; keys and values base64 in JSON). Blocking: used by the
// config watcher thread and tools, never on a worker thread.
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/host_port.h"

namespace tessera::config {

class EtcdError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct EtcdEvent {
  std::string key;
  std::optional<std::string> value;  // nullopt: the key was deleted
  int64_t mod_revision = 0;
};

class EtcdClient {
 public:
  EtcdClient(std::vector<HostPort> endpoints, std::chrono::milliseconds timeout);
  ~EtcdClient();

  struct Range {
    std::map<std::string, std::string> kvs;
    int64_t revision = 0;  // the store's revision when read
  };
  // Every key starting with `prefix`. Throws EtcdError.
  Range get_prefix(const std::string& prefix);
  void put(const std::string& key, const std::string& value);
  void remove(const std::string& key);

  // Streams changes under `prefix` from `start_revision` on, calling `on_events` per batch,
  // until stop() or a broken stream (then returns the next revision to watch from; the caller
  // reconnects). Throws EtcdError when no endpoint answers.
  int64_t watch(const std::string& prefix, int64_t start_revision,
                const std::function<void(const std::vector<EtcdEvent>&)>& on_events);
  // Ends a running watch() from another thread.
  void stop();

  // The key just past every key with this prefix (etcd's range_end for a prefix).
  static std::string prefix_end(std::string prefix);

 private:
  std::string post(const std::string& path, const std::string& body);

  std::vector<HostPort> endpoints_;
  std::chrono::milliseconds timeout_;
  size_t current_ = 0;  // endpoint tried first
  std::atomic<bool> stopping_{false};
  std::mutex watch_mu_;
  void* watch_client_ = nullptr;  // httplib::Client* of the running watch (to stop it)
};

}  // namespace tessera::config
