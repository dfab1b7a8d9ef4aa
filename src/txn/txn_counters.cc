#include "txn/txn_counters.h"

namespace tessera::txn {

TxnCounters& txn_counters() {
  static TxnCounters counters;
  return counters;
}

std::map<std::string, uint64_t> TxnCounters::by_name() const {
  return {{"xa_started", xa_started.load()},
          {"one_phase_commits", one_phase_commits.load()},
          {"two_phase_commits", two_phase_commits.load()},
          {"rollbacks", rollbacks.load()},
          {"commit_failures", commit_failures.load()},
          {"decisions_logged", decisions_logged.load()},
          {"decision_log_syncs", decision_log_syncs.load()},
          {"branches_left_prepared", branches_left_prepared.load()},
          {"recovered_commits", recovered_commits.load()},
          {"recovered_rollbacks", recovered_rollbacks.load()},
          {"recovery_passes", recovery_passes.load()},
          {"recovery_errors", recovery_errors.load()}};
}

std::string TxnCounters::summary() const {
  std::string out;
  for (const auto& [name, value] : by_name()) {
    if (!out.empty()) out += ' ';
    out += name + '=' + std::to_string(value);
  }
  return out;
}

}  // namespace tessera::txn
