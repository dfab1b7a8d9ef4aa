// Connection-phase messages: the client's handshake response (and SSL request), the server
// greeting and auth switch request a backend sends. A response that decodes must re-encode to
// bytes that decode to the same fields.
#include <cstddef>
#include <cstdint>
#include <string>

#include "protocol/handshake.h"

using namespace tessera::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view payload(reinterpret_cast<const char*>(data), size);
  (void)HandshakeResponse::is_ssl_request(payload);
  (void)InitialHandshake::decode(payload);
  (void)AuthSwitchRequest::decode(payload);
  auto response = HandshakeResponse::decode(payload);
  if (!response) return 0;
  std::string encoded = response->encode();
  auto again = HandshakeResponse::decode(encoded);
  if (!again || again->user != response->user || again->database != response->database ||
      again->auth_response != response->auth_response) {
    __builtin_trap();
  }
  return 0;
}
