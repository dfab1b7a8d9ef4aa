// Reads thread-confined worker state from the admin thread: the function runs on each
// worker's own event loop (posted), and the caller waits for every result. Workers never
// lock for the admin API; the admin thread waits at most `timeout` per worker.
#pragma once
#include <asio/post.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <vector>

#include "frontend/worker.h"

namespace tessera::admin {

template <typename Fn>
auto on_each_worker(const std::vector<frontend::Worker*>& workers, Fn fn,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(2000))
    -> std::vector<std::optional<decltype(fn(*workers.front()))>> {
  using Result = decltype(fn(*workers.front()));
  std::vector<std::future<Result>> futures;
  for (auto* w : workers) {
    auto promise = std::make_shared<std::promise<Result>>();
    futures.push_back(promise->get_future());
    asio::post(w->io(), [promise, fn, w]() mutable {
      try {
        promise->set_value(fn(*w));
      } catch (...) {
        promise->set_exception(std::current_exception());
      }
    });
  }
  std::vector<std::optional<Result>> out;
  for (auto& f : futures) {
    if (f.wait_for(timeout) == std::future_status::ready) {
      out.emplace_back(f.get());
    } else {
      out.emplace_back(std::nullopt);  // a stuck worker: report without it
    }
  }
  return out;
}

}  // namespace tessera::admin
