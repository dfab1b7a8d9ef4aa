// Runs a few coroutines at once on the caller's executor (one per slice) and waits for all of
// them: the phases of a two-phase commit cost one round trip, not one per participant.
#pragma once
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <exception>
#include <functional>
#include <memory>
#include <vector>

namespace tessera::txn {

using Task = std::function<asio::awaitable<void>()>;

// The tasks (and whatever they capture by reference) must outlive this call, which they do when
// the caller co_awaits it. The first exception a task throws is rethrown after all finished.
inline asio::awaitable<void> run_all(const std::vector<Task>& tasks) {
  if (tasks.empty()) co_return;
  if (tasks.size() == 1) {
    co_await tasks[0]();
    co_return;
  }
  struct State {
    size_t left;
    std::exception_ptr first;
    asio::steady_timer timer;
    State(asio::any_io_executor ex, size_t n)
        : left(n), timer(ex, asio::steady_timer::time_point::max()) {}
  };
  auto ex = co_await asio::this_coro::executor;
  auto state = std::make_shared<State>(ex, tasks.size());
  for (const auto& task : tasks) {
    asio::co_spawn(ex, task(), [state](std::exception_ptr e) {
      if (e && !state->first) state->first = e;
      if (--state->left == 0) state->timer.cancel();
    });
  }
  while (state->left > 0) {
    co_await state->timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
  if (state->first) std::rethrow_exception(state->first);
}

}  // namespace tessera::txn
