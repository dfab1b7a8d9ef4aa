#include "exec/engine/schema_fetch.h"

namespace tessera::exec::engine {

asio::awaitable<void> SchemaFetch::run(Cursor& cursor) const {
  // A failed load has told the client why (no slice, a server error, no such table there).
  const bool loaded = co_await cursor.load_schema(table_);
  if (!loaded) co_return;
  co_await cursor.plan_again();
}

void SchemaFetch::describe(std::vector<PlanLine>& out, int depth) const {
  PlanLine line;
  line.depth = depth;
  line.op = "SchemaFetch";
  line.detail = "read the columns of " + table_ + ", then plan the statement again";
  out.push_back(std::move(line));
}

}  // namespace tessera::exec::engine
