// SchemaFetch: a statement whose plan needs the columns of a table Tessera has not learned yet
// (or whose columns are older than the namespace's schema_refresh_seconds, or no longer match
// the statement's values): an INSERT without a column list routes by the shard key's position.
// The planner does no I/O, so this primitive has the cursor read the table's columns from a
// backend (Cursor::load_schema) and then plan the client's statement again, as SequenceFetch
// does for global-sequence ids.
#pragma once
#include <string>
#include <utility>

#include "exec/engine/primitive.h"

namespace tessera::exec::engine {

class SchemaFetch final : public Primitive {
 public:
  explicit SchemaFetch(std::string table) : table_(std::move(table)) {}

  asio::awaitable<void> run(Cursor& cursor) const override;
  void describe(std::vector<PlanLine>& out, int depth) const override;

  // "db.table", the logical table (router::SchemaCatalog::key).
  const std::string& table() const { return table_; }

 private:
  std::string table_;
};

}  // namespace tessera::exec::engine
