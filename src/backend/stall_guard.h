// A limit on how long Tessera waits for a backend that accepted a connection and then stopped
// answering (a stopped mariadbd, a stalled network path) during a login: the greeting has its
// own timer, but the authentication exchange and the statements right after it would wait
// forever, holding the client, its pool slot and the socket. While armed, the guard closes the
// connection's socket when `limit` passes; the pending read then fails and timed_out() tells
// the caller to report a timeout rather than a lost connection.
#pragma once

#include <asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace tessera::backend {

class BackendConnection;

class StallGuard {
 public:
  StallGuard(BackendConnection& conn, std::chrono::milliseconds limit);
  ~StallGuard();
  StallGuard(const StallGuard&) = delete;
  StallGuard& operator=(const StallGuard&) = delete;

  // Starts (or restarts) the clock: call before each wait on the server.
  void arm();
  // Stops it: call before waiting on anybody else (the client's answer to an auth switch).
  void disarm();
  bool timed_out() const;
  std::chrono::milliseconds limit() const { return limit_; }

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with a timer handler that may run after we are gone
  asio::steady_timer timer_;
  std::chrono::milliseconds limit_;
};

}  // namespace tessera::backend
