#include "backend/stall_guard.h"

#include "backend/backend_connection.h"

namespace tessera::backend {

struct StallGuard::State {
  BackendConnection* conn = nullptr;
  std::weak_ptr<const void> alive;  // the connection's lifetime: never touch a destroyed one
  bool fired = false;
  // Bumped by every arm() and disarm(): a handler whose wait already completed when the guard
  // was disarmed or re-armed (it is queued, cancel() cannot stop it) finds a newer number.
  uint64_t generation = 0;
};

StallGuard::StallGuard(BackendConnection& conn, std::chrono::milliseconds limit)
    : state_(std::make_shared<State>()),
      timer_(conn.socket().socket().get_executor()),
      limit_(limit) {
  state_->conn = &conn;
  state_->alive = conn.lifetime();
}

StallGuard::~StallGuard() {
  disarm();
}

void StallGuard::arm() {
  const uint64_t generation = ++state_->generation;
  timer_.expires_after(limit_);
  timer_.async_wait([state = state_, generation](const std::error_code& ec) {
    if (ec || state->generation != generation || state->alive.expired()) return;
    state->fired = true;
    state->conn->broken = true;
    state->conn->socket().close();
  });
}

void StallGuard::disarm() {
  ++state_->generation;
  timer_.cancel();
}

bool StallGuard::timed_out() const {
  return state_->fired;
}

}  // namespace tessera::backend
