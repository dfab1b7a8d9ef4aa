#include "admin/admin_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "admin/guarded_http_server.h"
#include "admin/worker_probe.h"
#include "config/secret_box.h"

namespace tessera::admin {

using nlohmann::json;

namespace {

void reply_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(2) + "\n", "application/json");
}

void reply_change(httplib::Response& res, const ChangeResult& r) {
  reply_json(res, r.ok ? 200 : 400, json{{"ok", r.ok}, {"message", r.message}});
}

// Constant-time comparison: the admin password must not leak through timing.
bool same(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

json fingerprint_json(const FingerprintTable& table) {
  std::vector<std::pair<uint64_t, const FingerprintStats*>> rows;
  for (const auto& [digest, s] : table) rows.emplace_back(digest, &s);
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second->count != b.second->count ? a.second->count > b.second->count
                                              : a.first < b.first;
  });
  json out = json::array();
  for (const auto& [digest, s] : rows) {
    const auto& h = s->latency;
    out.push_back({{"digest", fmt::format("{:016x}", digest)},
                   {"fingerprint", s->fingerprint},
                   {"count", s->count},
                   {"errors", s->errors},
                   {"rows", s->rows},
                   {"latency_us",
                    {{"p50", h.percentile_us(0.50)},
                     {"p95", h.percentile_us(0.95)},
                     {"p99", h.percentile_us(0.99)},
                     {"max", h.max_us()},
                     {"avg", h.count() ? h.sum_us() / h.count() : 0}}}});
  }
  return out;
}

}  // namespace

AdminServer::AdminServer(frontend::ProxyContext& ctx, std::vector<frontend::Worker*> workers,
                         ConfigControl& control, MetricsSources sources)
    : ctx_(ctx),
      workers_(std::move(workers)),
      control_(control),
      sources_(std::move(sources)),
      server_(std::make_unique<GuardedHttpServer>(
          HttpLimits{.max_header_bytes = 64 * 1024,
                     .max_body_bytes = ctx.config()->proxy().admin_max_body_bytes,
                     .request_timeout = ctx.config()->proxy().admin_request_timeout,
                     .threads = ctx.config()->proxy().admin_threads})) {
  routes();
}

AdminServer::~AdminServer() {
  stop();
}

bool AdminServer::authorized(const std::string& header) const {
  constexpr std::string_view kBasic = "Basic ";
  if (header.size() <= kBasic.size() || header.compare(0, kBasic.size(), kBasic) != 0) {
    return false;
  }
  std::string decoded;
  try {
    decoded = config::base64_decode(std::string_view(header).substr(kBasic.size()));
  } catch (const std::exception&) {
    return false;
  }
  auto colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  // Credentials of the configuration in force: a reload can change them.
  const auto& proxy = ctx_.config()->proxy();
  bool user_ok = same(decoded.substr(0, colon), proxy.admin_user);
  bool password_ok = same(decoded.substr(colon + 1), proxy.admin_password);
  return user_ok && password_ok;
}

void AdminServer::routes() {
  auto& s = *server_;
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (authorized(req.get_header_value("Authorization"))) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.status = 401;
    res.set_header("WWW-Authenticate", "Basic realm=\"tessera\"");
    res.set_content("{\"ok\": false, \"message\": \"authentication required\"}\n",
                    "application/json");
    return httplib::Server::HandlerResponse::Handled;
  });

  s.Get("/api/proxy/ping", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("OK\n", "text/plain");
  });
  s.Get("/api/proxy/config/fingerprint", [this](const httplib::Request&, httplib::Response& res) {
    reply_json(
        res, 200,
        json{{"fingerprint", control_.fingerprint()}, {"generation", ctx_.snapshot()->generation}});
  });
  s.Put("/api/proxy/config/reload", [this](const httplib::Request&, httplib::Response& res) {
    reply_change(res, control_.reload());
  });
  s.Put(R"(/api/proxy/config/prepare/([^/]+))",
        [this](const httplib::Request& req, httplib::Response& res) {
          reply_change(res, control_.prepare(req.matches[1], req.body));
        });
  s.Put(R"(/api/proxy/config/commit/([^/]+))",
        [this](const httplib::Request& req, httplib::Response& res) {
          reply_change(res, control_.commit(req.matches[1]));
        });
  s.Delete(R"(/api/proxy/namespace/delete/([^/]+))",
           [this](const httplib::Request& req, httplib::Response& res) {
             reply_change(res, control_.remove(req.matches[1]));
           });

  auto stats_get = [this](SqlSide side) {
    return [this, side](const httplib::Request& req, httplib::Response& res) {
      std::string ns = req.matches[1];
      FingerprintTable merged;
      size_t missing = 0;
      for (auto& part : on_each_worker(workers_, [ns, side](frontend::Worker& w) {
             return w.stats().fingerprints(side, ns);
           })) {
        if (!part) {
          missing++;
          continue;
        }
        for (auto& [digest, st] : *part) merged[digest].merge(st);
      }
      reply_json(res, 200,
                 json{{"namespace", ns},
                      {"side", side == SqlSide::kSession ? "session" : "backend"},
                      {"workers_not_answering", missing},
                      {"sql", fingerprint_json(merged)}});
    };
  };
  auto stats_reset = [this](SqlSide side) {
    return [this, side](const httplib::Request& req, httplib::Response& res) {
      std::string ns = req.matches[1];
      on_each_worker(workers_, [ns, side](frontend::Worker& w) {
        w.stats().reset(side, ns);
        return true;
      });
      reply_json(res, 200, json{{"ok", true}, {"message", "statistics of " + ns + " reset"}});
    };
  };
  s.Get(R"(/api/proxy/stats/sessionsql/([^/]+))", stats_get(SqlSide::kSession));
  s.Get(R"(/api/proxy/stats/backendsql/([^/]+))", stats_get(SqlSide::kBackend));
  s.Delete(R"(/api/proxy/stats/sessionsql/([^/]+))", stats_reset(SqlSide::kSession));
  s.Delete(R"(/api/proxy/stats/backendsql/([^/]+))", stats_reset(SqlSide::kBackend));

  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_text(), "text/plain; version=0.0.4");
  });
}

std::string AdminServer::metrics_text() {
  MetricsInput in;
  const auto& c = ctx_.counters;
  in.connections_accepted = c.connections_accepted.load();
  in.connections_active = c.connections_active.load();
  in.auth_failures = c.auth_failures.load();
  in.queries = c.queries.load();
  in.protocol_errors = c.protocol_errors.load();
  in.backend_errors = c.backend_errors.load();
  in.failover_retries = c.failover_retries.load();
  in.failover_holds = c.failover_holds.load();
  in.failover_hold_timeouts = c.failover_hold_timeouts.load();
  in.deadlock_retries = c.deadlock_retries.load();
  struct Part {
    MetricsByNamespace ns;
    std::vector<std::pair<std::string, backend::PoolStats>> pools;
  };
  for (auto& part : on_each_worker(workers_, [](frontend::Worker& w) {
         return Part{w.stats().metrics(), w.pool_stats()};
       })) {
    if (!part) {
      in.workers_not_answering++;
      continue;
    }
    for (const auto& [ns, m] : part->ns) in.namespaces[ns].merge(m);
    for (const auto& [ep, st] : part->pools) {
      auto& sum = in.pools[ep];
      sum.open += st.open;
      sum.idle += st.idle;
      sum.waiting += st.waiting;
      sum.created += st.created;
      sum.acquire_timeouts += st.acquire_timeouts;
      sum.resets += st.resets;
      sum.share_timeouts += st.share_timeouts;
    }
  }
  auto& pins = session::pin_counters();
  for (size_t i = 0; i < in.pins_total.size(); ++i) in.pins_total[i] = pins.total[i].load();
  in.currently_pinned = pins.currently_pinned.load();
  in.config_generation = ctx_.snapshot()->generation;
  in.config_reloads = control_.applied();
  in.config_reload_failures = control_.rejected();
  if (sources_.topology) in.topology = sources_.topology();
  if (sources_.failovers) in.failovers = sources_.failovers();
  if (sources_.xa_outcomes) in.xa_outcomes = sources_.xa_outcomes();
  return render_metrics(in);
}

void AdminServer::start(const std::string& host, int port) {
  if (!server_->bind_to_port(host, port)) {
    throw std::runtime_error(fmt::format("cannot listen on {}:{}", host, port));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  spdlog::info("admin API listening on {}:{}", host, port);
}

void AdminServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace tessera::admin
