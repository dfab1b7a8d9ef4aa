// Worker::pool_for's answer to one caller's last lookup, reused while the configuration
// generation, the worker's set of pools and the arguments are the same: pool_for builds the
// pool's key and looks it up (a few thousand instructions), and a session asks on every
// statement that takes a connection from the pool.
#pragma once
#include <cstdint>

#include "config/host_port.h"

namespace tessera::config {
struct Slice;
struct User;
}  // namespace tessera::config
namespace tessera::backend {
class ConnectionPool;
}  // namespace tessera::backend

namespace tessera::frontend {

struct PoolMemo {
  uint64_t generation = 0;   // ProxyContext::generation() when remembered
  uint64_t pools_epoch = 0;  // the worker's count of erased pools then
  const config::Slice* slice = nullptr;
  const config::User* user = nullptr;
  config::HostPort address;
  backend::ConnectionPool* pool = nullptr;
};

}  // namespace tessera::frontend
