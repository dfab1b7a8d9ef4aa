#include "backend/statement_watchdog.h"

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <vector>

#include "backend/kill_query.h"

namespace tessera::backend {

namespace {
constexpr auto kKillTimeout = std::chrono::milliseconds(2000);
// After a delivered KILL QUERY the server answers within milliseconds; one that does not
// answer within this long is stuck, and its connection is closed instead.
constexpr auto kKillGrace = std::chrono::milliseconds(5000);
constexpr auto kAsTuple = asio::experimental::as_tuple(asio::use_awaitable);
}  // namespace

struct StatementWatchdog::State {
  struct Target {
    std::weak_ptr<const void> alive;
    BackendConnection* conn = nullptr;  // valid while `alive` has not expired
    bool killed = false;
  };

  explicit State(asio::any_io_executor executor) : ex(executor), timer(ex), kills_done(ex) {}

  asio::any_io_executor ex;
  asio::steady_timer timer;       // the execution time limit
  asio::steady_timer kills_done;  // cancelled when the last running kill finishes
  bool armed = true;              // false once the statement is over
  bool timed_out = false;
  bool fired = false;
  int kills_running = 0;
  std::vector<Target> targets;

  Target* find(const BackendConnection* conn) {
    for (auto& t : targets) {
      if (t.conn == conn && !t.alive.expired()) return &t;
    }
    return nullptr;
  }
};

namespace {

using State = StatementWatchdog::State;

// Closes the connection's socket if the statement still waits on it, so that wait ends.
void close_if_still_waiting(State& s, const std::weak_ptr<const void>& alive,
                            BackendConnection* conn, const char* why) {
  if (!s.armed || alive.expired() || !s.find(conn)) return;
  spdlog::warn("closing backend connection {} to {}: {}", conn->connection_id(),
               conn->endpoint().address(), why);
  conn->broken = true;
  conn->socket().close();
}

asio::awaitable<void> kill_one(std::shared_ptr<State> s, std::weak_ptr<const void> alive,
                               BackendConnection* conn, BackendEndpoint endpoint, uint32_t id) {
  std::string failure = co_await kill_query(s->ex, endpoint, id, kKillTimeout);
  if (!failure.empty()) {
    spdlog::warn("KILL QUERY {} on {}:{} failed: {}", id, endpoint.host, endpoint.port, failure);
    close_if_still_waiting(*s, alive, conn, "KILL QUERY failed");
  }
  if (--s->kills_running == 0) s->kills_done.cancel();
  if (!failure.empty()) co_return;
  asio::steady_timer grace(s->ex, kKillGrace);
  co_await grace.async_wait(kAsTuple);
  close_if_still_waiting(*s, alive, conn, "the statement ignored KILL QUERY");
}

void kill_targets(const std::shared_ptr<State>& s) {
  s->fired = true;
  for (auto& t : s->targets) {
    if (t.killed || t.alive.expired()) continue;
    t.killed = true;
    // Counted before the coroutine first runs: release() must wait for it from now on.
    s->kills_running++;
    asio::co_spawn(s->ex, kill_one(s, t.alive, t.conn, t.conn->endpoint(), t.conn->connection_id()),
                   asio::detached);
  }
}

asio::awaitable<void> watch_timer(std::shared_ptr<State> s) {
  auto [ec] = co_await s->timer.async_wait(kAsTuple);
  if (ec || !s->armed) co_return;
  s->timed_out = true;
  kill_targets(s);
}

}  // namespace

StatementWatchdog::StatementWatchdog(asio::any_io_executor ex, std::chrono::milliseconds limit)
    : state_(std::make_shared<State>(ex)), limit_(limit) {
  state_->kills_done.expires_at(asio::steady_timer::time_point::max());
  if (limit.count() > 0) {
    state_->timer.expires_after(limit);
    asio::co_spawn(ex, watch_timer(state_), asio::detached);
  }
}

StatementWatchdog::~StatementWatchdog() {
  state_->armed = false;
  state_->targets.clear();
  state_->timer.cancel();
}

void StatementWatchdog::watch(BackendConnection& conn) {
  if (state_->find(&conn)) return;
  state_->targets.push_back({conn.lifetime(), &conn, false});
  if (state_->fired) kill_targets(state_);
}

void StatementWatchdog::fire_now() {
  state_->timer.cancel();
  kill_targets(state_);
}

bool StatementWatchdog::timed_out() const {
  return state_->timed_out;
}

bool StatementWatchdog::fired() const {
  return state_->fired;
}

asio::awaitable<void> StatementWatchdog::release(BackendConnection& conn) {
  auto& s = *state_;
  bool killed = false;
  for (auto it = s.targets.begin(); it != s.targets.end(); ++it) {
    if (it->conn == &conn) {
      killed = it->killed;
      s.targets.erase(it);
      break;
    }
  }
  if (!killed) co_return;
  auto keep = state_;  // the wait below must not outlive the state
  while (keep->kills_running > 0) {
    keep->kills_done.expires_at(asio::steady_timer::time_point::max());
    co_await keep->kills_done.async_wait(kAsTuple);
  }
  if (conn.broken || !conn.socket().is_open()) co_return;
  // The statement's response has been read to its end. A KILL QUERY that arrived after the
  // statement finished may fail the next one; that one is ours.
  bool clean = false;
  try {
    for (int attempt = 0; attempt < 2 && !clean; ++attempt) {
      auto r = co_await conn.query("DO 1");
      clean = r.ok;
    }
  } catch (const std::exception&) {
    clean = false;
  }
  if (!clean) conn.broken = true;
}

}  // namespace tessera::backend
