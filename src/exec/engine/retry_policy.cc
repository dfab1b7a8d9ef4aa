#include "exec/engine/retry_policy.h"

namespace tessera::exec::engine {

Decision decide_after(const Attempt& attempt, const StatementTraits& traits,
                      const RetryFacts& facts, RetryState& state, bool in_transaction,
                      const std::string& slice_name) {
  using Next = Decision::Next;
  Decision d;
  const bool retryable = facts.may_retry && !traits.multi_statement && !facts.output_started;
  switch (attempt.kind) {
    case Attempt::Kind::kAnswered:
      d.next = Next::kDone;
      return d;
    case Attempt::Kind::kFailed:
      d.next = Next::kStop;
      return d;
    case Attempt::Kind::kServerError:
      d.next = Next::kReportError;
      d.error = attempt.error;
      d.failure = Failure::kReadOnly;  // not retried; reported as the server said
      return d;
    case Attempt::Kind::kLost: {
      d.check_topology = true;
      // Not sent: it certainly did not run. A read may simply run again.
      const bool rerun = !attempt.sent || traits.is_read;
      if (retryable && rerun && !state.failover_retried) {
        state.failover_retried = true;
        d.next = Next::kRetry;
        d.settle = Settle::kDiscard;
        return d;
      }
      d.next = Next::kReportLost;
      d.message = attempt.failure;
      if (attempt.sent && !traits.is_read && !facts.output_started) {
        d.message +=
            "; the statement was sent and its outcome is unknown (it may or may not "
            "have committed): check before retrying";
      }
      return d;
    }
    case Attempt::Kind::kRejected:
      break;
  }
  // kRejected
  if (attempt.error.code == kErDeadlock) {
    if (retryable && state.deadlocks < facts.max_deadlock_retries) {
      ++state.deadlocks;
      d.next = Next::kRetry;
      d.deadlock = true;
      d.settle = Settle::kRelease;
      // 5, 10, 20, ... ms: the other transaction gets time to finish.
      d.pause = std::chrono::milliseconds(5 << (state.deadlocks - 1));
      return d;
    }
    d.next = Next::kReportError;
    d.failure = Failure::kDeadlock;
    d.error = attempt.error;
    if (state.deadlocks > 0) {
      d.error.message +=
          " (Tessera retried the statement " + std::to_string(state.deadlocks) + " times)";
    }
    return d;
  }
  // A read-only primary (1290 / 1836): a failover under way.
  d.check_topology = true;
  if (retryable && !state.failover_retried) {
    // Rejected before it ran: send it again to the primary the monitor finds now.
    state.failover_retried = true;
    d.next = Next::kRetry;
    d.settle = Settle::kRelease;
    return d;
  }
  d.next = Next::kReportError;
  d.error = attempt.error;
  d.failure = Failure::kReadOnly;
  if (in_transaction) {
    // The transaction's earlier statements live on a server that no longer takes writes:
    // it ends there (closing the connection rolls it back), and the client is told so.
    d.failure = Failure::kTransactionLost;
    d.error.message = "The primary of slice " + slice_name + " (" + attempt.instance +
                      ") became read-only during your transaction (a failover); the "
                      "transaction was rolled back, retry it. Server said: " +
                      attempt.error.message;
  }
  return d;
}

}  // namespace tessera::exec::engine
