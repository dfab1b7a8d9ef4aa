#include "config/etcd_client.h"

#include <fmt/format.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "config/secret_box.h"

namespace tessera::config {

using nlohmann::json;

namespace {

std::unique_ptr<httplib::Client> make_client(const HostPort& ep,
                                             std::chrono::milliseconds timeout) {
  auto c = std::make_unique<httplib::Client>(ep.host, ep.port);
  c->set_connection_timeout(timeout);
  c->set_read_timeout(timeout);
  c->set_write_timeout(timeout);
  return c;
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

EtcdClient::EtcdClient(std::vector<HostPort> endpoints, std::chrono::milliseconds timeout)
    : endpoints_(std::move(endpoints)), timeout_(timeout) {
  if (endpoints_.empty()) throw EtcdError("no etcd endpoints configured");
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

std::string EtcdClient::post(const std::string& path, const std::string& body) {
  std::string failures;
  for (size_t attempt = 0; attempt < endpoints_.size(); ++attempt) {
    const HostPort& ep = endpoints_[(current_ + attempt) % endpoints_.size()];
    auto client = make_client(ep, timeout_);
    auto res = client->Post(path, body, "application/json");
    if (res && res->status == 200) {
      current_ = (current_ + attempt) % endpoints_.size();
      return res->body;
    }
    failures += fmt::format(
        "{}{}: {}", failures.empty() ? "" : "; ", ep.to_string(),
        res ? fmt::format("HTTP {} {}", res->status, res->body) : httplib::to_string(res.error()));
  }
  throw EtcdError(fmt::format("etcd {} failed: {}", path, failures));
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
  const HostPort& ep = endpoints_[current_ % endpoints_.size()];
  auto client = make_client(ep, timeout_);
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
  req.content_receiver = [&](const char* data, size_t len, uint64_t, uint64_t) {
    buffer.append(data, len);
    // The gateway writes one JSON object per line.
    size_t nl;
    while ((nl = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
      json msg = json::parse(line, nullptr, false);
      if (msg.is_discarded() || !msg.contains("result")) continue;
      const json& result = msg["result"];
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
  if (!ok && !stopping_ && err != httplib::Error::Read && err != httplib::Error::Canceled) {
    current_++;  // try the next endpoint next time
    throw EtcdError(
        fmt::format("etcd watch on {} failed: {}", ep.to_string(), httplib::to_string(err)));
  }
  return next;
}

}  // namespace tessera::config
