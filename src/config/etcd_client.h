// A small etcd v3 client over etcd's HTTP/JSON gateway (/v3/kv/range, /v3/kv/put,
// /v3/kv/deleterange, /v3/watch; keys and values base64 in JSON), optionally over https and
// with etcd's user authentication (/v3/auth/authenticate: the token goes in the Authorization
// header of every request). Blocking: used by the config watcher thread and tools, never on a
// worker thread.
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
#include "config/proxy_config.h"

namespace httplib {
class Client;
}

namespace tessera::config {

class EtcdError : public std::runtime_error {
 public:
  explicit EtcdError(const std::string& what, bool refused = false)
      : std::runtime_error(what), refused_(refused) {}
  // Every endpoint answered and refused (authentication, permission, TLS certificates): a
  // configuration problem that retrying will not fix, unlike an endpoint that is down.
  bool refused() const { return refused_; }

 private:
  bool refused_;
};

struct EtcdEvent {
  std::string key;
  std::optional<std::string> value;  // nullopt: the key was deleted
  int64_t mod_revision = 0;
};

// How to reach etcd ([etcd] of the TOML file, proxy_config.h).
struct EtcdOptions {
  std::vector<HostPort> endpoints;
  std::chrono::milliseconds timeout{2000};
  std::string username;  // empty: no authentication
  std::string password;
  bool tls = false;
  std::string tls_ca;  // empty: the system's CAs
  std::string tls_cert;
  std::string tls_key;
  bool tls_verify = true;
};
EtcdOptions etcd_options(const ProxyConfig& proxy);

class EtcdClient {
 public:
  explicit EtcdClient(EtcdOptions options);
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
  // One endpoint: the answer's body, or nullopt with `why` set. Authenticates first when
  // there is no token, and once more when etcd rejects the token (401: expired or revoked).
  // `refused`: etcd answered with a 4xx, or TLS failed (see EtcdError::refused).
  std::optional<std::string> post_to(httplib::Client& client, const std::string& path,
                                     const std::string& body, std::string& why, bool& refused);
  // Gets a token with the configured user name and password; false with `why` on failure.
  bool authenticate(httplib::Client& client, std::string& why, bool& refused);
  std::string token() const;
  void set_token(std::string token);

  EtcdOptions options_;
  mutable std::mutex token_mu_;
  std::string token_;   // empty: authenticate before the next request
  size_t current_ = 0;  // endpoint tried first
  std::atomic<bool> stopping_{false};
  std::mutex watch_mu_;
  void* watch_client_ = nullptr;  // httplib::Client* of the running watch (to stop it)
};

}  // namespace tessera::config
