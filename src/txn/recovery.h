// Finishing what a crash (of Tessera, of a backend, of a connection) left prepared.
//
// A pass runs XA RECOVER on every slice's primary and finishes each prepared branch this
// instance owns (the gtrid carries its owner tag; other instances' branches are never touched):
// commit when the decision log has the transaction, roll back when it does not (presumed
// abort), leave it alone while a live session is still committing it. One pass runs at start-up
// before clients are accepted, then one every `interval` on a thread of its own. After a pass
// that reached every slice, decisions with no prepared branch left are forgotten and the log is
// compacted when it is mostly dead records.
#pragma once
#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "backend/backend_connection.h"
#include "txn/txn_manager.h"

namespace tessera::txn {

struct RecoveryTarget {
  std::string slice;  // for messages
  backend::BackendEndpoint endpoint;
};
// The slices of every `xa` namespace, read from the current configuration at each pass.
using RecoveryTargets = std::function<std::vector<RecoveryTarget>()>;

struct RecoveryPass {
  size_t servers = 0;      // distinct backends asked
  size_t unreachable = 0;  // ... that could not be asked or finished
  size_t committed = 0;
  size_t rolled_back = 0;
  size_t left = 0;       // in flight: a live session is committing it
  size_t forgotten = 0;  // decisions no longer needed
};

class RecoveryService {
 public:
  RecoveryService(TxnManager& manager, RecoveryTargets targets, std::chrono::milliseconds interval,
                  std::chrono::milliseconds connect_timeout);
  ~RecoveryService();

  // One pass on the calling thread (start-up).
  RecoveryPass run_once();
  // Periodic passes on a thread of its own until stop() or destruction.
  void start();
  void stop();

 private:
  asio::awaitable<RecoveryPass> pass();
  asio::awaitable<void> loop();

  TxnManager& manager_;
  RecoveryTargets targets_;
  std::chrono::milliseconds interval_;
  std::chrono::milliseconds connect_timeout_;
  bool first_pass_ = true;
  asio::io_context io_{1};
  std::thread thread_;
};

}  // namespace tessera::txn
