// Runs one coroutine to its end on `io` (at most 60 s) and rethrows what it threw: how the
// protocol tests drive PacketSocket code against a loopback peer.
#pragma once
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <chrono>
#include <exception>

namespace tessera::protocol::test_support {

template <typename F>
void run_coroutine(asio::io_context& io, F body) {
  bool done = false;
  std::exception_ptr error;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        try {
          co_await body();
        } catch (...) {
          error = std::current_exception();
        }
        done = true;
      },
      asio::detached);
  io.run_for(std::chrono::seconds(60));
  io.restart();
  ASSERT_TRUE(done);
  if (error) std::rethrow_exception(error);
}

}  // namespace tessera::protocol::test_support
