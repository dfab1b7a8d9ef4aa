#include "exec/engine/fan_out.h"

#include <functional>

#include "exec/engine/retrying.h"

namespace tessera::exec::engine {

namespace {

std::string applied_list(const std::vector<std::string>& done) {
  std::string list;
  for (const auto& d : done) list += (list.empty() ? "" : ", ") + d;
  return list;
}

}  // namespace

asio::awaitable<void> FanOut::run(Cursor& cursor) const {
  if (cursor.wants_atomic(queries_, spec_)) {
    // All or nothing: a retryable failure rolled every branch back, so it runs again whole.
    RetryingRun run;
    run.traits = traits_;
    run.finish_when_answered = false;
    // A named function object: GCC 12 mishandles temporaries inside co_await expressions.
    std::function<asio::awaitable<Attempt>()> attempt = [&]() {
      return cursor.atomic_write(queries_, spec_);
    };
    co_await run_retrying(cursor, run, attempt);
    co_return;
  }
  // Each target in turn, each with its own retries: a write refused by a read-only primary or
  // rolled back by a deadlock did not happen there, so it is sent there again, and never again
  // where it already ran.
  const bool one_copy = spec_.writes_copies && cursor.one_copy_counts();
  protocol::OkPacket total;
  std::vector<std::string> done;  // "slice:index" where it applied
  for (const auto& q : queries_) {
    RetryState state;
    WriteAttempt w;
    Decision d;
    for (;;) {
      w = co_await cursor.write(q.target, q.sql);
      if (w.kind == Attempt::Kind::kAnswered || w.kind == Attempt::Kind::kFailed) break;
      if (w.timed_out) break;
      RetryFacts facts;
      facts.may_retry = cursor.may_retry();
      facts.output_started = cursor.output_started();
      facts.max_deadlock_retries = cursor.deadlock_retries();
      d = decide_after(w, traits_, facts, state, cursor.in_transaction(), q.target.slice);
      if (d.check_topology) cursor.request_check(q.target);
      if (d.next != Decision::Next::kRetry) break;
      cursor.settle(q.target, d.settle);
      cursor.note_retry(w, d.deadlock, d.deadlock ? state.deadlocks : 1);
      if (d.pause.count() > 0) co_await cursor.pause(d.pause);
    }
    const bool applied_any = !done.empty() && spec_.is_write;
    switch (w.kind) {
      case Attempt::Kind::kAnswered:
        break;
      case Attempt::Kind::kFailed:
        co_return;  // the client has been told
      case Attempt::Kind::kLost: {
        std::string what = d.message.empty() ? w.failure : d.message;
        if (applied_any) what += " (already applied on " + applied_list(done) + ")";
        co_await cursor.report_lost(q.target, what);
        co_return;
      }
      case Attempt::Kind::kRejected:
      case Attempt::Kind::kServerError: {
        protocol::ErrPacket err = w.timed_out ? w.error : d.error;
        if (!w.timed_out && cursor.in_distributed_transaction() &&
            (applied_any || err.code == kErDeadlock)) {
          // Half a statement inside a distributed transaction (or a deadlock, after which the
          // server rolled its branch back): the whole transaction goes, as a deadlock would
          // take it on one server.
          err.message +=
              " (on slice " + q.target.slice + "; the transaction was rolled back on every slice)";
          co_await cursor.fail_fan_out(q.target, std::move(err), /*roll_back_all=*/true);
          co_return;
        }
        if (applied_any) {
          err.message += w.timed_out ? " (already applied on " + applied_list(done) + ")"
                                     : " (on slice " + q.target.slice + "; already applied on " +
                                           applied_list(done) + ")";
        }
        co_await cursor.fail_fan_out(q.target, std::move(err), /*roll_back_all=*/false);
        co_return;
      }
    }
    if (!one_copy || done.empty()) {
      total.affected_rows += w.ok.affected_rows;
      total.warnings = static_cast<uint16_t>(total.warnings + w.ok.warnings);
    }
    if (total.last_insert_id == 0) total.last_insert_id = w.ok.last_insert_id;
    done.push_back(q.target.slice + ":" + (q.index >= 0 ? std::to_string(q.index) : "*"));
  }
  co_await cursor.end_fan_out(spec_, total);
}

void FanOut::describe(std::vector<PlanLine>& out, int depth) const {
  PlanLine head;
  head.depth = depth;
  head.op = "FanOut";
  head.detail = spec_.writes_copies ? "copies" : "sum affected rows";
  out.push_back(std::move(head));
  describe_routes(queries_, depth, out);
}

}  // namespace tessera::exec::engine
