// Process-wide counters of the transaction coordinator, read by the admin API's /metrics.
// Atomics only: bumped by any worker thread and the recovery thread, read by anyone.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <string>

namespace tessera::txn {

struct TxnCounters {
  std::atomic<uint64_t> xa_started{0};          // distributed transactions that ran XA START
  std::atomic<uint64_t> one_phase_commits{0};   // XA transactions committed with ONE PHASE
  std::atomic<uint64_t> two_phase_commits{0};   // XA transactions committed with PREPARE + COMMIT
  std::atomic<uint64_t> rollbacks{0};           // XA transactions rolled back (asked or failed)
  std::atomic<uint64_t> commit_failures{0};     // commits refused before the decision
  std::atomic<uint64_t> decisions_logged{0};    // commit decisions made durable
  std::atomic<uint64_t> decision_log_syncs{0};  // fsyncs of the decision log (group commit)
  std::atomic<uint64_t> branches_left_prepared{0};  // XA COMMIT failed after the decision
  std::atomic<uint64_t> recovered_commits{0};       // prepared branches recovery committed
  std::atomic<uint64_t> recovered_rollbacks{0};     // prepared branches recovery rolled back
  std::atomic<uint64_t> recovery_passes{0};
  std::atomic<uint64_t> recovery_errors{0};  // slices recovery could not reach or finish

  // By name, for /metrics (admin's tessera_xa_transactions_total{outcome=...}) and the log:
  // one_phase_commits, two_phase_commits, rollbacks, commit_failures, recovered_commits, ...
  std::map<std::string, uint64_t> by_name() const;
  // "one_phase_commits=3 two_phase_commits=5 ..." for the log at shutdown.
  std::string summary() const;
};

TxnCounters& txn_counters();

}  // namespace tessera::txn
