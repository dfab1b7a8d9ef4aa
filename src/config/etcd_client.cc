#include "config/etcd_client.h"

#include <fmt/format.h>
#include <httplib.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

#include "config/secret_box.h"

namespace tessera::config {

using nlohmann::json;

namespace {

// One client per request (per watch): endpoints fail over, and a fresh connection picks up
// a replaced certificate. Throws EtcdError when the TLS files cannot be used.
std::unique_ptr<httplib::Client> make_client(const HostPort& ep, const EtcdOptions& o,
                                             std::chrono::milliseconds timeout) {
  std::unique_ptr<httplib::Client> c;
  if (o.tls) {
    std::string url = fmt::format("https://{}", ep.to_string());
    c = o.tls_cert.empty() ? std::make_unique<httplib::Client>(url)
                           : std::make_unique<httplib::Client>(url, o.tls_cert, o.tls_key);
    if (!c->is_valid()) {
      throw EtcdError(fmt::format("etcd TLS: cannot use client certificate {} with key {}",
                                  o.tls_cert, o.tls_key));
    }
    // On by default: the chain against tls_ca (or the system's CAs) and the host name
    // against the certificate's names.
    c->enable_server_certificate_verification(o.tls_verify);
    if (!o.tls_ca.empty()) c->set_ca_cert_path(o.tls_ca);
  } else {
    c = std::make_unique<httplib::Client>(ep.host, ep.port);
  }
  c->set_connection_timeout(timeout);
  c->set_read_timeout(timeout);
  c->set_write_timeout(timeout);
  return c;
}

// httplib's error name, with OpenSSL's reason when a certificate was refused.
bool is_tls_failure(httplib::Error err) {
  return err == httplib::Error::SSLConnection || err == httplib::Error::SSLLoadingCerts ||
         err == httplib::Error::SSLServerVerification;
}

std::string describe(httplib::Client& c, httplib::Error err, const EtcdOptions& o) {
  std::string text = httplib::to_string(err);
  if (err == httplib::Error::SSLServerVerification) {
    long v = c.get_openssl_verify_result();
    text += fmt::format(" ({})", v != X509_V_OK ? X509_verify_cert_error_string(v)
                                                : "host name does not match the certificate");
  } else if (err == httplib::Error::SSLLoadingCerts) {
    text += fmt::format(" (CA file {})", o.tls_ca.empty() ? "of the system" : o.tls_ca);
  } else if (err == httplib::Error::Read || err == httplib::Error::Write) {
    // The connection was accepted, then closed without an answer: under TLS 1.3 that is how a
    // missing client certificate shows, and a TLS server spoken to in plain HTTP may just
    // close. Neither can be told from a network failure, so name the likely causes.
    text += o.tls ? " (connection closed: does etcd require a client certificate, tls_cert?)"
                  : " (connection closed: if etcd serves https, set tls = true)";
  }
  return text;
}

std::vector<EtcdEvent> parse_events(const json& result) {
  std::vector<EtcdEvent> out;
  auto events = result.find("events");
  if (events == result.end() || !events->is_array()) return out;
  for (const auto& e : *events) {
    EtcdEvent ev;
    const json& kv = e.value("kv", json::object());
    ev.key = base64_decode(kv.value("key", ""));
    ev.mod_revision = std::stoll(kv.value("mod_revision", "0"));
    if (e.value("type", "PUT") != "DELETE") ev.value = base64_decode(kv.value("value", ""));
    out.push_back(std::move(ev));
  }
  return out;
}

}  // namespace

EtcdOptions etcd_options(const ProxyConfig& proxy) {
  EtcdOptions o;
  o.endpoints = proxy.etcd_endpoints;
  o.timeout = proxy.etcd_timeout;
  o.username = proxy.etcd_username;
  o.password = proxy.etcd_password;
  o.tls = proxy.etcd_tls;
  o.tls_ca = proxy.etcd_tls_ca.string();
  o.tls_cert = proxy.etcd_tls_cert.string();
  o.tls_key = proxy.etcd_tls_key.string();
  o.tls_verify = proxy.etcd_tls_verify;
  return o;
}

EtcdClient::EtcdClient(EtcdOptions options) : options_(std::move(options)) {
  if (options_.endpoints.empty()) throw EtcdError("no etcd endpoints configured");
}

EtcdClient::~EtcdClient() = default;

std::string EtcdClient::prefix_end(std::string prefix) {
  // etcd: increment the last byte that is not 0xff, dropping what follows.
  while (!prefix.empty()) {
    auto& c = prefix.back();
    if (static_cast<unsigned char>(c) < 0xff) {
      c = static_cast<char>(static_cast<unsigned char>(c) + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');  // every key
}

std::string EtcdClient::token() const {
  std::lock_guard lock(token_mu_);
  return token_;
}

void EtcdClient::set_token(std::string token) {
  std::lock_guard lock(token_mu_);
  token_ = std::move(token);
}

bool EtcdClient::authenticate(httplib::Client& client, std::string& why, bool& refused) {
  json req{{"name", options_.username}, {"password", options_.password}};
  auto res = client.Post("/v3/auth/authenticate", req.dump(), "application/json");
  if (!res) {
    why = "authenticate: " + describe(client, res.error(), options_);
    refused = is_tls_failure(res.error());
    return false;
  }
  if (res->status != 200) {
    refused = res->status >= 400 && res->status < 500;
    // etcd's own reason, e.g. "authentication failed, invalid user ID or password".
    why = fmt::format("authenticate as \"{}\": HTTP {} {}", options_.username, res->status,
                      res->body);
    return false;
  }
  json body = json::parse(res->body, nullptr, false);
  std::string token = body.is_object() ? body.value("token", "") : "";
  if (token.empty()) {
    why = fmt::format("authenticate as \"{}\": no token in {}", options_.username, res->body);
    return false;
  }
  set_token(std::move(token));
  return true;
}

std::optional<std::string> EtcdClient::post_to(httplib::Client& client, const std::string& path,
                                               const std::string& body, std::string& why,
                                               bool& refused) {
  const bool auth = !options_.username.empty();
  for (int round = 0; round < 2; ++round) {
    if (auth && token().empty() && !authenticate(client, why, refused)) return std::nullopt;
    httplib::Headers headers;
    if (auth) headers.emplace("Authorization", token());
    auto res = client.Post(path.c_str(), headers, body, "application/json");
    if (!res) {
      why = describe(client, res.error(), options_);
      refused = is_tls_failure(res.error());
      return std::nullopt;
    }
    if (res->status == 200) return res->body;
    why = fmt::format("HTTP {} {}", res->status, res->body);
    refused = res->status >= 400 && res->status < 500;
    // 401: the token expired (etcd's simple tokens live --auth-token-ttl, 5 minutes by
    // default) or was revoked; one fresh token, then give up.
    if (res->status != 401 || !auth) return std::nullopt;
    set_token({});
  }
  return std::nullopt;
}

std::string EtcdClient::post(const std::string& path, const std::string& body) {
  std::string failures;
  bool all_refused = true;
  const auto& endpoints = options_.endpoints;
  for (size_t attempt = 0; attempt < endpoints.size(); ++attempt) {
    const HostPort& ep = endpoints[(current_ + attempt) % endpoints.size()];
    std::string why;
    bool refused = false;
    try {
      auto client = make_client(ep, options_, options_.timeout);
      if (auto answer = post_to(*client, path, body, why, refused)) {
        current_ = (current_ + attempt) % endpoints.size();
        return std::move(*answer);
      }
    } catch (const EtcdError& e) {
      why = e.what();
      refused = true;
    }
    all_refused = all_refused && refused;
    failures += fmt::format("{}{}: {}", failures.empty() ? "" : "; ", ep.to_string(), why);
  }
  throw EtcdError(fmt::format("etcd {} failed: {}", path, failures), all_refused);
}

EtcdClient::Range EtcdClient::get_prefix(const std::string& prefix) {
  json req{{"key", base64_encode(prefix)}, {"range_end", base64_encode(prefix_end(prefix))}};
  json res;
  try {
    res = json::parse(post("/v3/kv/range", req.dump()));
  } catch (const json::exception& e) {
    throw EtcdError(fmt::format("etcd range: unreadable answer: {}", e.what()));
  }
  Range out;
  out.revision = std::stoll(res.value("header", json::object()).value("revision", "0"));
  for (const auto& kv : res.value("kvs", json::array())) {
    out.kvs[base64_decode(kv.value("key", ""))] = base64_decode(kv.value("value", ""));
  }
  return out;
}

void EtcdClient::put(const std::string& key, const std::string& value) {
  json req{{"key", base64_encode(key)}, {"value", base64_encode(value)}};
  post("/v3/kv/put", req.dump());
}

void EtcdClient::remove(const std::string& key) {
  json req{{"key", base64_encode(key)}};
  post("/v3/kv/deleterange", req.dump());
}

void EtcdClient::stop() {
  stopping_ = true;
  std::lock_guard lock(watch_mu_);
  if (watch_client_) static_cast<httplib::Client*>(watch_client_)->stop();
}

int64_t EtcdClient::watch(const std::string& prefix, int64_t start_revision,
                          const std::function<void(const std::vector<EtcdEvent>&)>& on_events) {
  const auto& endpoints = options_.endpoints;
  const HostPort& ep = endpoints[current_ % endpoints.size()];
  auto client = make_client(ep, options_, options_.timeout);
  // The stream is idle while nothing changes: ask etcd for progress notifications and allow
  // a long quiet period before treating the stream as broken.
  client->set_read_timeout(std::chrono::seconds(30));
  {
    std::lock_guard lock(watch_mu_);
    if (stopping_) return start_revision;
    watch_client_ = client.get();
  }
  json create{{"key", base64_encode(prefix)},
              {"range_end", base64_encode(prefix_end(prefix))},
              {"start_revision", start_revision},
              {"progress_notify", true}};
  json body{{"create_request", create}};
  int64_t next = start_revision;
  std::string buffer;
  httplib::Request req;
  req.method = "POST";
  req.path = "/v3/watch";
  req.body = body.dump();
  req.set_header("Content-Type", "application/json");
  if (!options_.username.empty()) {
    std::string why;
    bool refused = false;
    if (token().empty() && !authenticate(*client, why, refused)) {
      {
        std::lock_guard lock(watch_mu_);
        watch_client_ = nullptr;
      }
      current_++;
      throw EtcdError(fmt::format("etcd watch on {} failed: {}", ep.to_string(), why), refused);
    }
    req.set_header("Authorization", token());
  }
  // Set when etcd ends the stream with a reason (an expired token, a permission denied):
  // the caller must hear of it instead of reconnecting silently forever.
  std::string stream_error;
  req.content_receiver = [&](const char* data, size_t len, uint64_t, uint64_t) {
    buffer.append(data, len);
    // The gateway writes one JSON object per line.
    size_t nl;
    while ((nl = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
      json msg = json::parse(line, nullptr, false);
      if (msg.is_discarded()) continue;
      if (msg.contains("error") && msg["error"].is_object()) {
        const json& e = msg["error"];
        stream_error = e.value("message", e.dump());
        // gRPC 16 (Unauthenticated) is a rejected token: get a new one next time.
        if (e.value("grpc_code", 0) == 16 || e.value("http_code", 0) == 401) set_token({});
        return false;
      }
      if (!msg.contains("result")) continue;
      const json& result = msg["result"];
      if (result.value("canceled", false)) {
        stream_error = "watch canceled: " + result.value("cancel_reason", std::string("no reason"));
        return false;
      }
      auto events = parse_events(result);
      for (const auto& e : events) next = std::max(next, e.mod_revision + 1);
      if (!events.empty()) on_events(events);
    }
    return !stopping_.load();
  };
  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  bool ok = client->send(req, res, err);
  {
    std::lock_guard lock(watch_mu_);
    watch_client_ = nullptr;
  }
  if (stopping_) return next;
  if (!stream_error.empty()) {
    throw EtcdError(fmt::format("etcd watch on {} ended: {}", ep.to_string(), stream_error));
  }
  if (ok && res.status != 200) {
    if (res.status == 401) set_token({});
    throw EtcdError(fmt::format("etcd watch on {} failed: HTTP {}", ep.to_string(), res.status));
  }
  if (!ok && err != httplib::Error::Read && err != httplib::Error::Canceled) {
    current_++;  // try the next endpoint next time
    throw EtcdError(fmt::format("etcd watch on {} failed: {}", ep.to_string(),
                                describe(*client, err, options_)));
  }
  return next;
}

}  // namespace tessera::config
