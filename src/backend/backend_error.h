// Failures talking to a backend, carrying the MySQL error to show the client.
#pragma once
#include <stdexcept>
#include <string>
#include <system_error>

#include "protocol/response_packets.h"

namespace tessera::backend {

class BackendError : public std::runtime_error {
 public:
  explicit BackendError(protocol::ErrPacket err)
      : std::runtime_error(err.message), err_(std::move(err)) {}
  const protocol::ErrPacket& err() const { return err_; }

 private:
  protocol::ErrPacket err_;
};

// What to tell the client about an exception from backend I/O: a socket error's own text, or
// the exception's message.
inline std::string failure_text(const std::exception& e) {
  if (auto* se = dynamic_cast<const std::system_error*>(&e)) return se->code().message();
  return e.what();
}

}  // namespace tessera::backend
