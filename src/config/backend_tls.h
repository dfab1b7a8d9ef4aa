#pragma once

#include <optional>
#include <string_view>

namespace tessera::config {

// Whether the proxy's connections to a slice's MySQL servers use TLS ([tls] backend in
// tessera.toml for every slice, a slice's "tls" in its namespace for that slice).
enum class BackendTls {
  kOff,       // plain TCP
  kRequired,  // TLS, the server's certificate is not checked (encryption only)
  kVerifyCa,  // TLS, the server's certificate must chain to [tls] backend_ca
};

inline std::optional<BackendTls> parse_backend_tls(std::string_view name) {
  if (name == "off") return BackendTls::kOff;
  if (name == "required") return BackendTls::kRequired;
  if (name == "verify_ca") return BackendTls::kVerifyCa;
  return std::nullopt;
}

inline std::string_view to_string(BackendTls mode) {
  switch (mode) {
    case BackendTls::kRequired:
      return "required";
    case BackendTls::kVerifyCa:
      return "verify_ca";
    case BackendTls::kOff:
      break;
  }
  return "off";
}

}  // namespace tessera::config
