#include "exec/engine/scatter.h"

#include <functional>

#include "exec/engine/retrying.h"

namespace tessera::exec::engine {

asio::awaitable<void> Scatter::run(Cursor& cursor) const {
  RetryingRun run;
  // No one slice: failures name theirs (Attempt::slice), or the cursor answers for all.
  run.target.role = role_;
  run.traits = traits_;
  run.finish_when_answered = false;
  // A named function object: GCC 12 mishandles temporaries inside co_await expressions.
  std::function<asio::awaitable<Attempt>()> attempt = [&]() {
    return cursor.scatter(queries_, role_, merge_);
  };
  co_await run_retrying(cursor, run, attempt);
}

void Scatter::describe(std::vector<PlanLine>& out, int depth) const {
  PlanLine head;
  head.depth = depth;
  head.op = "Scatter";
  head.detail = role_ == Role::kReadSplit ? "merge, read split" : "merge";
  out.push_back(std::move(head));
  for (const auto& q : queries_) {
    PlanLine line;
    line.depth = depth + 1;
    line.op = "Route";
    line.slice = q.target.slice;
    line.db = q.target.db;
    line.sql = q.sql;
    out.push_back(std::move(line));
  }
}

}  // namespace tessera::exec::engine
