#include "backend/kill_query.h"

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "backend/backend_error.h"

namespace tessera::backend {

using namespace asio::experimental::awaitable_operators;

asio::awaitable<std::string> kill_query(asio::any_io_executor ex, const BackendEndpoint& endpoint,
                                        uint32_t connection_id, std::chrono::milliseconds timeout) {
  std::optional<std::string> failure;
  try {
    ConnectOptions options;
    options.timeout = timeout;
    auto conn = co_await BackendConnection::connect(ex, endpoint, options);
    asio::steady_timer timer(ex);
    timer.expires_after(timeout);
    std::string sql = "KILL QUERY " + std::to_string(connection_id);
    auto result = co_await (conn->query(sql) || timer.async_wait(asio::use_awaitable));
    if (result.index() == 1) {
      failure = "KILL QUERY timed out";
    } else if (const auto& r = std::get<0>(result); !r.ok && r.err.code != 1094) {
      // 1094 (unknown thread id): the statement and its connection are already gone.
      failure = r.err.message;
    }
  } catch (const BackendError& e) {
    failure = e.err().message;
  } catch (const std::exception& e) {
    failure = e.what();
  }
  co_return failure.value_or(std::string());
}

}  // namespace tessera::backend
