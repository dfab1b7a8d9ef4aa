#include "exec/engine/sequence_fetch.h"

namespace tessera::exec::engine {

asio::awaitable<void> SequenceFetch::run(Cursor& cursor) const {
  // A refused reservation has told the client why (no slice, a server error, a statement
  // that needs more ids than the cursor lets it reserve).
  const bool reserved = co_await cursor.reserve_ids(sequence_);
  if (!reserved) co_return;
  co_await cursor.plan_again();
}

void SequenceFetch::describe(std::vector<PlanLine>& out, int depth) const {
  PlanLine line;
  line.depth = depth;
  line.op = "SequenceFetch";
  line.detail = "reserve ids of " + sequence_ + ", then plan the statement again";
  out.push_back(std::move(line));
}

}  // namespace tessera::exec::engine
