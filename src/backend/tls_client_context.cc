#include "backend/tls_client_context.h"

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

namespace tessera::backend {

std::shared_ptr<asio::ssl::context> tls_client_context(config::BackendTls mode,
                                                       const std::filesystem::path& ca_file) {
  if (mode == config::BackendTls::kOff) return nullptr;
  static std::mutex mu;
  static std::map<std::pair<config::BackendTls, std::string>, std::shared_ptr<asio::ssl::context>>
      made;
  // kRequired ignores the CA file: one context serves every configuration.
  std::string ca = mode == config::BackendTls::kVerifyCa ? ca_file.string() : std::string();
  std::lock_guard lock(mu);
  if (auto it = made.find({mode, ca}); it != made.end()) return it->second;
  auto c = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  c->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                 asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                 asio::ssl::context::no_tlsv1_1);
  if (mode == config::BackendTls::kRequired) {
    c->set_verify_mode(asio::ssl::verify_none);
  } else {
    c->set_verify_mode(asio::ssl::verify_peer);
    std::error_code ec;
    if (ca.empty()) {
      c->set_default_verify_paths(ec);
    } else {
      c->load_verify_file(ca, ec);
    }
    if (ec) {
      throw std::runtime_error("cannot load the backend CA " +
                               (ca.empty() ? "(system store)" : ca) + ": " + ec.message());
    }
  }
  made.emplace(std::pair{mode, ca}, c);
  return c;
}

}  // namespace tessera::backend
