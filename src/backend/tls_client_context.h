// TLS client contexts for connections to MySQL servers (issue 8: "backend connections can use
// TLS"). One context per (mode, CA file), created once and shared by every thread: an OpenSSL
// context is safe to share once set up, and pools, probes, binlog followers and XA recovery
// all reach the same servers with the same settings.
#pragma once
#include <asio/ssl/context.hpp>
#include <filesystem>
#include <memory>

#include "config/backend_tls.h"

namespace tessera::backend {

// Null for BackendTls::kOff. kRequired encrypts without checking the server's certificate;
// kVerifyCa checks it against `ca_file` (the system's trust store when empty). Throws
// std::runtime_error naming the file when the CA file cannot be read.
std::shared_ptr<asio::ssl::context> tls_client_context(config::BackendTls mode,
                                                       const std::filesystem::path& ca_file);

}  // namespace tessera::backend
