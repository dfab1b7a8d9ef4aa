// cpp-httplib's Server with limits an unauthenticated peer cannot get around: one request per
// connection, every byte of it (request line, headers, body) within a byte budget and a
// deadline. httplib alone buffers a request line or header of any length and keeps a thread
// for as long as a client trickles bytes within the per-read timeout.
#pragma once
#include <httplib.h>

#include <chrono>
#include <cstddef>

namespace tessera::admin {

struct HttpLimits {
  size_t max_header_bytes = 64 * 1024;  // request line + headers
  size_t max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds request_timeout{5000};  // whole request read; each write
  unsigned threads = 16;
};

class GuardedHttpServer : public httplib::Server {
 public:
  explicit GuardedHttpServer(const HttpLimits& limits);

 private:
  bool process_and_close_socket(socket_t sock) override;
  HttpLimits limits_;
};

}  // namespace tessera::admin
