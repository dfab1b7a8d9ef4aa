// What follows one attempt of a statement: the failover rules of issue 6 and the deadlock
// retry of seed 003, as a pure function, so that every primitive (a single route, a scatter)
// applies the same rules and tests need no server:
//   - ERROR 1290 / 1836 (the primary is read-only: a failover): the topology is checked at
//     once; a statement that may be retried (autocommit, nothing binding the session to the
//     connection) is sent once more, to the primary the monitor finds; inside a transaction
//     the client is told the transaction is gone.
//   - The connection lost: a check is asked for too. Before the statement was sent it is
//     retried once; after, a read runs again and a write's outcome is unknown, which the
//     client is told.
//   - ERROR 1213 (deadlock) on a retryable statement: InnoDB rolled it back whole, so it runs
//     again after 5, 10, 20 ... ms, [proxy] deadlock_retries times at most.
// Nothing is retried once the client has bytes of the answer.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

#include "exec/engine/cursor.h"

namespace tessera::exec::engine {

inline constexpr uint16_t kErReadOnly = 1290;      // ER_OPTION_PREVENTS_STATEMENT (--read-only)
inline constexpr uint16_t kErReadOnlyMode = 1836;  // ER_READ_ONLY_MODE
inline constexpr uint16_t kErDeadlock = 1213;      // ER_LOCK_DEADLOCK

// Errors a cursor keeps from the client on the first response packet (Attempt::kRejected).
inline bool is_retryable_rejection(uint16_t code) {
  return code == kErReadOnly || code == kErReadOnlyMode || code == kErDeadlock;
}

// What the statement is, as far as retrying goes.
struct StatementTraits {
  bool is_read = false;          // only reads: running it twice changes nothing
  bool multi_statement = false;  // several statements: never retried (some may have run)
};

// What one statement's retries so far were.
struct RetryState {
  bool failover_retried = false;
  int deadlocks = 0;
};

// The facts of the moment, from the cursor.
struct RetryFacts {
  bool may_retry = false;       // Cursor::may_retry()
  bool output_started = false;  // Cursor::output_started()
  int max_deadlock_retries = 0;
};

struct Decision {
  enum class Next : uint8_t {
    kDone,         // answered: finish the statement
    kStop,         // the cursor already answered the client (Attempt::kFailed)
    kRetry,        // settle the connection (`settle`), pause `pause`, run again
    kReportLost,   // the connection broke: tell the client `message`
    kReportError,  // tell the client `error` (after `failure`)
  };
  Next next = Next::kDone;
  bool check_topology = false;  // ask the monitor to look at the slice first
  bool deadlock = false;        // kRetry: a deadlock retry (else a failover retry)
  Settle settle = Settle::kRelease;
  std::chrono::milliseconds pause{0};
  std::string message;  // kReportLost
  protocol::ErrPacket error;
  Failure failure = Failure::kReadOnly;
};

// `slice_name` names the slice in messages. Updates `state` when it decides to retry.
Decision decide_after(const Attempt& attempt, const StatementTraits& traits,
                      const RetryFacts& facts, RetryState& state, bool in_transaction,
                      const std::string& slice_name);

}  // namespace tessera::exec::engine
