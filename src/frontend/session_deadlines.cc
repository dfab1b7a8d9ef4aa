// The session watchdog: the worker calls check_deadlines() on every session about twice a
// second, so timeouts cost no timer per session and nothing on the per-statement path beyond
// noting the phase.
#include <sys/socket.h>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include "backend/kill_query.h"
#include "frontend/client_session.h"
#include "frontend/worker.h"

namespace tessera::frontend {

namespace {
// A statement running this long gets its client checked for a disconnect.
constexpr auto kClientCheckAfter = std::chrono::milliseconds(500);
constexpr auto kKillTimeout = std::chrono::milliseconds(3000);

// The session's wait_timeout: what it set (learned from session tracking), else the server's
// default for it; 0 when neither is known.
uint32_t session_wait_timeout(const session::SessionState& state, uint32_t fallback) {
  auto it = state.vars.find("wait_timeout");
  if (it == state.vars.end()) return fallback;
  uint64_t n = 0;
  for (char c : it->second) {
    if (c < '0' || c > '9') return fallback;
    n = n * 10 + static_cast<uint64_t>(c - '0');
    if (n > 365ull * 24 * 3600) return 365u * 24 * 3600;
  }
  return static_cast<uint32_t>(n);
}

long long ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}
}  // namespace

void ClientSession::enter_phase(Phase phase) {
  phase_ = phase;
  phase_since_ = std::chrono::steady_clock::now();
  if (phase == Phase::kIdle) {
    progress_seen_ = client_.bytes_read();
  } else if (phase == Phase::kCommand) {
    backend_timed_out_ = false;
    quiet_since_ = phase_since_;
    progress_seen_ = ~uint64_t{0};  // the first check records the real figure
  }
}

uint64_t ClientSession::statement_progress() const {
  // A client that reads its result slowly or streams LOAD DATA counts as progress too.
  uint64_t sum = client_.bytes_read() + client_.bytes_written();
  if (conn_) sum += conn_->socket().bytes_read();
  for (const auto& [name, lease] : slice_conns_) {
    if (lease) sum += lease->socket().bytes_read();
  }
  return sum;
}

std::string ClientSession::failure_reason(std::string_view what) const {
  // asio's text for a connection the server closed (or a killed server's socket)
  if (!backend_timed_out_ && what == "End of file") return "the server closed the connection";
  if (!backend_timed_out_) return std::string(what);
  return "no reply for " + std::to_string(config_->proxy().backend_query_timeout.count()) +
         " ms (backend_query_timeout_ms); the statement may or may not have run";
}

void ClientSession::on_client_gone() {
  client_gone_ = true;
  // The statement is still running for nobody: stop it on every connection it may use.
  kill_running_statement();
}

void ClientSession::kill_running_statement() {
  auto kill = [&](const backend::ConnectionPool* pool, const backend::BackendConnection& conn) {
    if (!pool) return;
    backend::BackendEndpoint endpoint = pool->endpoint();
    uint32_t id = conn.connection_id();
    spdlog::info("client {}: killing query {} on {}:{} ({})", peer_text(), id, endpoint.host,
                 endpoint.port, client_gone_ ? "client gone" : "KILL");
    auto ex = client_.socket().get_executor();
    asio::co_spawn(
        ex,
        [ex, endpoint, id]() -> asio::awaitable<void> {
          std::string err = co_await backend::kill_query(ex, endpoint, id, kKillTimeout);
          if (!err.empty()) spdlog::warn("KILL QUERY {} failed: {}", id, err);
        },
        asio::detached);
  };
  if (conn_) kill(conn_.pool(), *conn_);
  for (const auto& [name, lease] : slice_conns_) {
    if (lease) kill(lease.pool(), *lease);
  }
}

void ClientSession::check_deadlines(const config::ProxyConfig& proxy,
                                    std::chrono::steady_clock::time_point now) {
  auto elapsed = now - phase_since_;
  switch (phase_) {
    case Phase::kHandshake:
      if (elapsed > proxy.handshake_timeout) {
        spdlog::info("client {}: handshake not finished within {} ms; closing", peer_text(),
                     proxy.handshake_timeout.count());
        client_.close();
      }
      break;
    case Phase::kIdle:
      if (client_.bytes_read() != progress_seen_) {
        // The next command has started to arrive: from now on it must arrive in time.
        phase_ = Phase::kReading;
        phase_since_ = now;
      } else if (elapsed > proxy.client_idle_timeout) {
        spdlog::info("client {}: idle for {} s (client_idle_timeout_s); closing", peer_text(),
                     proxy.client_idle_timeout.count());
        client_.close();
      } else if (uint32_t wait = session_wait_timeout(state_, default_wait_timeout_);
                 wait > 0 && elapsed > std::chrono::seconds(wait)) {
        // As the server does with its own client: closed without a word after the session's
        // wait_timeout (interactive_timeout at login for CLIENT_INTERACTIVE clients).
        spdlog::info("client {}: idle for {} s (the session's wait_timeout); closing", peer_text(),
                     wait);
        // MariaDB aborts such a connection (the client sees a reset, not an orderly close, and
        // drivers report it as the server having gone away): the same here.
        std::error_code ignored;
        client_.socket().set_option(asio::socket_base::linger(true, 0), ignored);
        client_.close();
      }
      break;
    case Phase::kReading:
      if (elapsed > proxy.net_read_timeout) {
        worker_.context().counters.protocol_errors++;
        spdlog::info("client {}: packet not complete after {} ms (net_read_timeout_ms); closing",
                     peer_text(), ms(elapsed));
        client_.close();
      }
      break;
    case Phase::kCommand: {
      if (!client_gone_ && elapsed >= kClientCheckAfter && client_.is_open()) {
        char byte;
        ssize_t n = ::recv(client_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        // 0: orderly close; an error other than "nothing to read": reset. Bytes: a pipelined
        // command, the client is still there.
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
          on_client_gone();
        }
      }
      if (proxy.backend_query_timeout.count() == 0) break;
      uint64_t progress = statement_progress();
      bool waiting_on_backend = conn_ != nullptr;
      for (const auto& [name, lease] : slice_conns_) waiting_on_backend |= lease != nullptr;
      if (progress != progress_seen_ || !waiting_on_backend) {
        progress_seen_ = progress;
        quiet_since_ = now;
      } else if (now - quiet_since_ > proxy.backend_query_timeout && !backend_timed_out_) {
        spdlog::warn(
            "client {}: backend silent for {} ms (backend_query_timeout_ms); closing "
            "the statement's backend connections",
            peer_text(), ms(now - quiet_since_));
        backend_timed_out_ = true;
        if (conn_) conn_->socket().close();
        for (auto& [name, lease] : slice_conns_) {
          if (lease) lease->socket().close();
        }
      }
      break;
    }
  }
}

}  // namespace tessera::frontend
