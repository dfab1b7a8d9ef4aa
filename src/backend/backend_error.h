// Failures talking to a backend, carrying the MySQL error to show the client.
#pragma once
#include <stdexcept>
#include <string>

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

}  // namespace tessera::backend
