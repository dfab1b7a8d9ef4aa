// The process-wide side of the XA coordinator: who we are (owner tag in every gtrid), the
// decision log, which two-phase commits are in flight right now, and which decisions are still
// needed (some branch may still be prepared). Sessions (SessionTxn) and recovery share it.
//
// Recovery's rule, per prepared branch it finds that this instance owns:
//   in flight (a live session is between its first XA PREPARE and its last XA COMMIT) -> leave it
//   decided (in the log)                                                              -> commit
//   otherwise                                                                         -> roll back
// A decision is forgotten (and dropped at the next compaction) once its session committed every
// branch, or once a recovery pass over every slice, begun after the transaction left flight,
// found none of its branches prepared.
#pragma once
#include <asio/awaitable.hpp>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "txn/decision_log.h"

namespace tessera::txn {

class TxnManager {
 public:
  // Opens the decision log (throws std::runtime_error naming the file on failure).
  TxnManager(std::string proxy_instance_id, const std::filesystem::path& decision_log);

  const std::string& instance_id() const { return instance_id_; }
  const std::string& tag() const { return tag_; }
  std::string next_gtrid();

  // A session is about to send its first XA PREPARE for `gtrid` / has finished with it.
  void enter_flight(const std::string& gtrid);
  // `settled`: every branch was committed (or rolled back); else recovery must finish some.
  void leave_flight(const std::string& gtrid, bool settled);

  // Makes the commit decision durable. Returns an error text when it could not be.
  asio::awaitable<std::optional<std::string>> decide(const std::string& gtrid);

  enum class Verdict { kLeave, kCommit, kRollback };
  Verdict verdict(const std::string& gtrid) const;

  // Taken before a recovery pass scans the slices.
  struct Snapshot {
    std::unordered_set<std::string> in_flight;
    std::unordered_set<std::string> decided;
  };
  Snapshot snapshot() const;
  void forget(const std::vector<std::string>& gtrids);
  size_t decided_count() const;

  // Rewrites the log with the decisions still needed when it holds many more than that.
  void compact_if_worthwhile(bool force = false);
  DecisionLog& log() { return *log_; }

 private:
  std::string instance_id_;
  std::string tag_;
  uint64_t boot_id_;
  std::atomic<uint64_t> sequence_{0};
  std::unique_ptr<DecisionLog> log_;
  mutable std::mutex mu_;
  std::unordered_set<std::string> in_flight_;
  std::unordered_set<std::string> decided_;
  std::unordered_set<std::string> deciding_;  // being written to the log right now
};

}  // namespace tessera::txn
