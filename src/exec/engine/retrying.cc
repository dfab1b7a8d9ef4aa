#include "exec/engine/retrying.h"

namespace tessera::exec::engine {

asio::awaitable<void> run_retrying(Cursor& cursor, const RetryingRun& run,
                                   const std::function<asio::awaitable<Attempt>()>& attempt,
                                   Attempt* first) {
  RetryState state;
  for (;;) {
    Attempt a;
    if (first) {
      a = std::move(*first);
      first = nullptr;
    } else {
      a = co_await attempt();
    }
    if (a.kind == Attempt::Kind::kAnswered) {  // nearly every statement: nothing to decide
      if (run.finish_when_answered) co_await cursor.finish(run.target);
      co_return;
    }
    RetryFacts facts;
    facts.may_retry = cursor.may_retry();
    facts.output_started = cursor.output_started();
    facts.max_deadlock_retries = cursor.deadlock_retries();
    // The slice the attempt failed on: a scatter names it, a route is its target.
    Target where = run.target;
    if (!a.slice.empty() && a.slice != where.slice) where = Target{a.slice, {}, run.target.role};
    const std::string slice_name = where.slice;
    Decision d = decide_after(a, run.traits, facts, state, cursor.in_transaction(), slice_name);
    if (d.check_topology) cursor.request_check(where);
    switch (d.next) {
      case Decision::Next::kDone:  // (an answered attempt: finished above)
      case Decision::Next::kStop:
        co_return;
      case Decision::Next::kRetry:
        cursor.settle(where, d.settle);
        cursor.note_retry(a, d.deadlock, d.deadlock ? state.deadlocks : 1);
        if (d.pause.count() > 0) co_await cursor.pause(d.pause);
        continue;
      case Decision::Next::kReportLost:
        co_await cursor.report_lost(where, d.message);
        co_return;
      case Decision::Next::kReportError:
        co_await cursor.report_error(where, d.error, d.failure);
        co_return;
    }
  }
}

asio::awaitable<void> run_streams_retrying(
    Cursor& cursor, Role role, StatementTraits traits,
    const std::function<asio::awaitable<Attempt>()>& attempt) {
  RetryingRun run;
  run.target.role = role;
  run.traits = traits;
  run.finish_when_answered = false;
  co_await run_retrying(cursor, run, attempt);
}

}  // namespace tessera::exec::engine
