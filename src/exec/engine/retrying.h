// The loop every primitive that sends a statement shares: attempt, decide (retry_policy.h),
// settle and go again, or answer the client.
#pragma once
#include <asio/awaitable.hpp>
#include <functional>

#include "exec/engine/cursor.h"
#include "exec/engine/retry_policy.h"

namespace tessera::exec::engine {

struct RetryingRun {
  Target target;  // where the statement runs (a scatter: any member; attempts name the slice)
  StatementTraits traits;
  // A scatter's cursor call finishes the statement itself on kAnswered.
  bool finish_when_answered = true;
};

// `first`: an attempt the caller made already (not answered), decided on before any other.
asio::awaitable<void> run_retrying(Cursor& cursor, const RetryingRun& run,
                                   const std::function<asio::awaitable<Attempt>()>& attempt,
                                   Attempt* first = nullptr);

// The loop for a read over several streams (Scatter, SetOperation, LookupJoin): no one
// slice (attempts name theirs), and the cursor's close of the streams ends the statement.
asio::awaitable<void> run_streams_retrying(
    Cursor& cursor, Role role, StatementTraits traits,
    const std::function<asio::awaitable<Attempt>()>& attempt);

}  // namespace tessera::exec::engine
