#include "admin/guarded_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace tessera::admin {

namespace {

using Clock = std::chrono::steady_clock;

int millis_left(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

bool wait_for(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  int r;
  do {
    r = ::poll(&p, 1, timeout_ms);
  } while (r < 0 && errno == EINTR);
  return r > 0;
}

void endpoint_text(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof(text));
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof(text));
    port = ntohs(a->sin6_port);
  }
  ip = text;
}

// The connection as httplib sees it: reads stop at the byte budget and at the deadline (httplib
// then fails the request and the connection is closed); writes wait at most request_timeout.
class LimitedStream : public httplib::Stream {
 public:
  LimitedStream(int fd, const HttpLimits& limits)
      : fd_(fd),
        budget_(limits.max_header_bytes + limits.max_body_bytes),
        deadline_(Clock::now() + limits.request_timeout),
        write_timeout_ms_(static_cast<int>(limits.request_timeout.count())) {}

  bool is_readable() const override {
    return begin_ < end_ || wait_for(fd_, POLLIN, millis_left(deadline_));
  }
  bool is_writable() const override { return wait_for(fd_, POLLOUT, write_timeout_ms_); }

  ssize_t read(char* ptr, size_t size) override {
    if (begin_ == end_) {
      if (budget_ == 0 || !wait_for(fd_, POLLIN, millis_left(deadline_))) return -1;
      ssize_t n = ::recv(fd_, buf_.data(), std::min(buf_.size(), budget_), 0);
      if (n <= 0) return n;
      budget_ -= static_cast<size_t>(n);
      begin_ = 0;
      end_ = static_cast<size_t>(n);
    }
    size_t n = std::min(size, end_ - begin_);
    std::memcpy(ptr, buf_.data() + begin_, n);
    begin_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!wait_for(fd_, POLLOUT, write_timeout_ms_)) return -1;
    return ::send(fd_, ptr, size, MSG_NOSIGNAL);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      endpoint_text(addr, ip, port);
    }
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      endpoint_text(addr, ip, port);
    }
  }
  socket_t socket() const override { return fd_; }

 private:
  int fd_;
  size_t budget_;
  Clock::time_point deadline_;
  int write_timeout_ms_;
  std::array<char, 4096> buf_{};
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace

GuardedHttpServer::GuardedHttpServer(const HttpLimits& limits) : limits_(limits) {
  set_payload_max_length(limits_.max_body_bytes);
  unsigned threads = std::max(1u, limits_.threads);
  new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
}

bool GuardedHttpServer::process_and_close_socket(socket_t sock) {
  LimitedStream stream(sock, limits_);
  bool closed = false;
  // close_connection: answers say "Connection: close"; no second request is read.
  bool ok = process_request(stream, true, closed, nullptr);
  // Closing with unread bytes (a body never read: the request was refused) sends a reset that
  // can destroy the answer before the client reads it. Send FIN, drain a little, then close.
  ::shutdown(sock, SHUT_WR);
  auto until = Clock::now() + std::chrono::milliseconds(100);
  std::array<char, 4096> sink;
  for (size_t drained = 0; drained < 256 * 1024;) {
    if (!wait_for(sock, POLLIN, millis_left(until))) break;
    ssize_t n = ::recv(sock, sink.data(), sink.size(), 0);
    if (n <= 0) break;
    drained += static_cast<size_t>(n);
  }
  ::close(sock);
  return ok;
}

}  // namespace tessera::admin
