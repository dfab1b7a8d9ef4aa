#include "exec/engine/route.h"

#include <functional>

#include "exec/engine/retrying.h"

namespace tessera::exec::engine {

asio::awaitable<void> Route::run(Cursor& cursor) const {
  // Nearly every statement is answered at its first attempt: that needs no retry loop (its
  // frame and function object cost on every statement).
  Attempt first = co_await cursor.route(target_, sql_);
  if (first.kind == Attempt::Kind::kAnswered) {
    co_await cursor.finish(target_);
    co_return;
  }
  RetryingRun run;
  run.target = target_;
  run.traits = traits_;
  // A named function object: GCC 12 mishandles temporaries inside co_await expressions.
  std::function<asio::awaitable<Attempt>()> attempt = [&]() { return cursor.route(target_, sql_); };
  co_await run_retrying(cursor, run, attempt, &first);
}

void Route::describe(std::vector<PlanLine>& out, int depth) const {
  PlanLine line;
  line.depth = depth;
  line.op = "Route";
  line.slice = target_.slice;
  line.db = target_.db;
  line.sql = std::string(sql_);
  if (target_.role == Role::kReadSplit) line.detail = "read split";
  out.push_back(std::move(line));
}

}  // namespace tessera::exec::engine
