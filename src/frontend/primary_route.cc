// Where a slice's writes go now (issue 6): the instance the topology snapshot names as the
// slice's primary, whatever the configuration listed first, or on a multi-writer slice the live
// writer the table is pinned to. While a slice has no writable primary (a failover in
// progress) writes hold, polling the snapshot, for up to [proxy] failover_hold_ms, instead of
// failing at once; only when the hold runs out does the client get an error.
#include <spdlog/spdlog.h>

#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <optional>

#include "frontend/client_session.h"
#include "frontend/worker.h"
#include "protocol/constants.h"
#include "protocol/error_codes.h"
#include "router/writer_pinning.h"
#include "topology/topology.h"

namespace tessera::frontend {

using namespace protocol;

namespace {

// How often a held write looks at the snapshot again: the monitor publishes within
// milliseconds of seeing the new primary, so this bounds the added delay.
constexpr auto kHoldPoll = std::chrono::milliseconds(20);

// The instance that takes writes for `table_key` in `view`, -1 for none right now.
int write_target(const topology::SliceView& view, const config::Slice& cfg,
                 std::string_view table_key) {
  if (!view.multi_writer) return view.primary;
  std::vector<std::string> live;
  live.reserve(view.writers.size());
  for (int w : view.writers) live.push_back(view.instances[w].key());
  int pick = router::pick_writer(table_key, live, cfg.writer_map);
  return pick < 0 ? -1 : view.writers[pick];
}

bool all_down(const topology::SliceView& view) {
  if (view.instances.empty()) return false;
  for (const auto& inst : view.instances) {
    if (inst.health != topology::Health::kDown) return false;
  }
  return true;
}

}  // namespace

topology::Topology& ClientSession::topology() {
  return worker_.context().topology();
}

std::optional<ClientSession::WriteTarget> ClientSession::usual_write_target(
    const std::string& slice, std::string_view table_key) {
  WriteTarget target;
  target.cfg = namespace_->find_slice(slice);
  if (!target.cfg) return std::nullopt;
  auto snap = topology().snapshot();
  const topology::SliceView* view = snap ? snap->find(namespace_->name, slice) : nullptr;
  if (!view) {
    target.address = target.cfg->master;
    return target;
  }
  const int index = write_target(*view, *target.cfg, table_key);
  if (index < 0) return std::nullopt;
  target.address = view->instances[index].address;
  return target;
}

asio::awaitable<ClientSession::WriteTarget> ClientSession::choose_write_target(
    const std::string& slice, std::string_view table_key, const std::string& failed_instance,
    std::chrono::system_clock::time_point failed_at) {
  WriteTarget target;
  target.cfg = namespace_->find_slice(slice);
  if (!target.cfg) {
    target.error = ErrPacket(errc::kUnknownError, "slice " + slice + " is not configured");
    co_return target;
  }
  const auto hold = config_->proxy().failover_hold;
  const auto started = std::chrono::steady_clock::now();
  bool held = false;
  std::optional<asio::steady_timer> timer;  // made only when a failover holds the write
  for (;;) {
    auto snap = topology().snapshot();
    const topology::SliceView* view = snap ? snap->find(namespace_->name, slice) : nullptr;
    if (!view) {
      // Nothing known about the slice (no monitor): the configuration's master.
      target.address = target.cfg->master;
      co_return target;
    }
    int index = write_target(*view, *target.cfg, table_key);
    if (index >= 0) {
      const auto& inst = view->instances[index];
      // After a failure on `failed_instance`, only a verdict newer than the failure counts.
      bool fresh =
          failed_instance.empty() || inst.key() != failed_instance || inst.checked_at > failed_at;
      if (fresh || std::chrono::steady_clock::now() - started >= hold) {
        target.address = inst.address;
        if (held) {
          auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::steady_clock::now() - started);
          worker_.context().counters.failover_holds++;
          spdlog::info("failover: client {}: write to {}/{} held {} ms, now goes to {}",
                       peer_text(), namespace_->name, slice, waited.count(), inst.key());
        }
        co_return target;
      }
    } else if (all_down(*view)) {
      // Nothing left that a promotion could make writable: holding would only delay the error.
      target.error =
          ErrPacket(errc::kBackendUnavailable, "no instance of slice " + slice + " of namespace " +
                                                   namespace_->name + " is reachable (" +
                                                   view->instances.front().last_error +
                                                   "); the statement was not executed");
      co_return target;
    } else if (std::chrono::steady_clock::now() - started >= hold) {
      worker_.context().counters.failover_hold_timeouts++;
      target.error =
          ErrPacket(errc::kBackendUnavailable,
                    "slice " + slice + " of namespace " + namespace_->name +
                        " has no writable primary (failover in progress?); waited " +
                        std::to_string(hold.count()) +
                        " ms ([proxy] failover_hold_ms); the statement was not executed, retry it");
      co_return target;
    }
    held = true;
    if (!timer) timer.emplace(worker_.io());
    timer->expires_after(kHoldPoll);
    co_await timer->async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
}

std::string ClientSession::write_key_for(std::string_view sql) {
  // Only multi-writer slices pin by table; everything else needs no parsing here.
  const config::Slice* cfg = namespace_->find_slice(namespace_->default_slice);
  if (!cfg || !cfg->multi_writer()) return {};
  if (!arena_) arena_ = std::make_unique<sql::Arena>();
  arena_->reset();
  auto parsed = parser_.parse(sql, *arena_);
  return router::statement_writer_key(parsed, state_.db);
}

asio::awaitable<backend::ConnectionPool*> ClientSession::write_pool(
    const std::string& slice, std::string_view db, const std::string& failed_instance,
    std::chrono::system_clock::time_point failed_at) {
  // Sharded statements pin a multi-writer slice per database (one connection per slice).
  auto target =
      co_await choose_write_target(slice, router::writer_key(db, ""), failed_instance, failed_at);
  if (target.error) {
    co_await send_error(*target.error);
    co_return nullptr;
  }
  co_return &worker_.pool_for(*target.cfg, target.address, user_);
}

bool ClientSession::may_retry_statement() const {
  // A statement may run again only when nothing ties it to the failed connection: no open
  // transaction (its earlier statements are gone with the connection), no session state
  // that lives only there, no open cursor.
  return !client_in_transaction() && (state_.status_flags & status::kAutocommit) &&
         pinned_ == session::PinReason::kNone && cursor_statement_ == 0;
}

bool ClientSession::conn_is_write_target(const config::HostPort& address) const {
  return conn_ && conn_->endpoint().host == address.host && conn_->endpoint().port == address.port;
}

}  // namespace tessera::frontend
