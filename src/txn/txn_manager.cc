#include "txn/txn_manager.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "txn/failpoint.h"
#include "txn/txn_counters.h"
#include "txn/xid.h"

namespace tessera::txn {

TxnManager::TxnManager(std::string proxy_instance_id, const std::filesystem::path& decision_log)
    : instance_id_(std::move(proxy_instance_id)),
      tag_(owner_tag(instance_id_)),
      boot_id_(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count())),
      log_(std::make_unique<DecisionLog>(decision_log)) {
  for (auto& g : log_->loaded()) decided_.insert(g);
}

std::string TxnManager::next_gtrid() {
  return make_gtrid(tag_, boot_id_, sequence_.fetch_add(1) + 1);
}

void TxnManager::enter_flight(const std::string& gtrid) {
  std::lock_guard lock(mu_);
  in_flight_.insert(gtrid);
}

void TxnManager::leave_flight(const std::string& gtrid, bool settled) {
  std::lock_guard lock(mu_);
  in_flight_.erase(gtrid);
  if (settled) decided_.erase(gtrid);
}

asio::awaitable<std::optional<std::string>> TxnManager::decide(const std::string& gtrid) {
  {
    // A compaction running while the record is being written must keep it.
    std::lock_guard lock(mu_);
    deciding_.insert(gtrid);
  }
  std::error_code ec = co_await log_->append(gtrid);
  {
    std::lock_guard lock(mu_);
    deciding_.erase(gtrid);
    if (!ec) decided_.insert(gtrid);
  }
  if (ec) {
    co_return "cannot write the XA decision log " + log_->path().string() + ": " + ec.message();
  }
  txn_counters().decisions_logged++;
  failpoint::hit(failpoint::Point::kAfterDecision);
  co_return std::nullopt;
}

TxnManager::Verdict TxnManager::verdict(const std::string& gtrid) const {
  std::lock_guard lock(mu_);
  if (in_flight_.count(gtrid)) return Verdict::kLeave;
  return decided_.count(gtrid) ? Verdict::kCommit : Verdict::kRollback;
}

TxnManager::Snapshot TxnManager::snapshot() const {
  std::lock_guard lock(mu_);
  return Snapshot{in_flight_, decided_};
}

void TxnManager::forget(const std::vector<std::string>& gtrids) {
  std::lock_guard lock(mu_);
  for (auto& g : gtrids) decided_.erase(g);
}

size_t TxnManager::decided_count() const {
  std::lock_guard lock(mu_);
  return decided_.size();
}

void TxnManager::compact_if_worthwhile(bool force) {
  uint64_t in_file = log_->records_in_file();
  size_t needed = decided_count();
  if (!force && in_file < 1024 + 2 * needed) return;
  std::error_code ec = log_->rewrite([this] {
    std::lock_guard lock(mu_);
    std::vector<std::string> keep(decided_.begin(), decided_.end());
    keep.insert(keep.end(), deciding_.begin(), deciding_.end());
    return keep;
  });
  if (ec) {
    spdlog::warn("XA decision log {}: compaction failed: {}", log_->path().string(), ec.message());
  } else {
    spdlog::debug("XA decision log {}: compacted {} records to {}", log_->path().string(), in_file,
                  needed);
  }
}

}  // namespace tessera::txn
