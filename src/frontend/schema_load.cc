// Reading a sharded or global table's columns into the namespace's schema catalog
// (router/schema_catalog.h), for a SchemaFetch (exec/engine/schema_fetch.h): one
// information_schema.COLUMNS query on the slice of the table's first physical table, under
// that table's physical name (`tbl_0000`, a mycat database `db_0`...), on a connection of its
// own from the slice's pool, outside the client's transaction (it reads no data of it).
#include <spdlog/spdlog.h>

#include "backend/backend_error.h"
#include "frontend/client_session.h"
#include "frontend/worker.h"
#include "protocol/error_codes.h"
#include "router/schema_catalog.h"

namespace tessera::frontend {

using namespace protocol;

asio::awaitable<bool> ClientSession::load_schema(const std::string& key) {
  auto names = router::SchemaCatalog::split_key(key);
  const router::ShardRule* rule =
      names && rules_ ? rules_->find(names->first, names->second) : nullptr;
  if (!rule || rule->sub_tables().empty()) {
    co_await send_error(errc::kUnknownError, "no shard rule for table " + key);
    co_return false;
  }
  const router::SubTable& st = rule->sub_tables().front();
  auto* pool_ptr = co_await write_pool(st.slice, st.db);
  if (!pool_ptr) co_return false;  // the error went to the client
  auto& pool = *pool_ptr;
  std::optional<ErrPacket> failure;
  std::optional<router::TableSchema> schema;
  std::unique_ptr<backend::BackendConnection> c;
  bool broken = false;  // the connection failed (not the query): not given back
  try {
    backend::ConnectOptions opts = connect_options(/*without_database=*/false);
    c = co_await pool.acquire(nullptr, opts);
    auto r = co_await c->query(router::columns_query(st.db, st.table));
    if (!r.ok) {
      failure = r.err;
    } else {
      schema = router::parse_columns(r.rows);
      // The account sees no such table (absent, or no privilege on it): what the server
      // answers for the statement on a missing table.
      if (!schema)
        failure = ErrPacket(ErrorCode{1146, "42S02"},
                            "Table '" + rule->db() + "." + rule->table() +
                                "' doesn't exist (its physical table " + st.db + "." + st.table +
                                " on slice " + st.slice + " has no columns Tessera can read)");
    }
  } catch (const backend::BackendError& e) {
    failure = e.err();
    broken = true;
  } catch (const std::system_error& e) {
    broken = true;
    failure = ErrPacket(errc::kBackendLost, "Lost connection to slice " + st.slice +
                                                " while reading the columns of " + key + ": " +
                                                e.code().message());
  }
  if (c) {
    if (broken)
      pool.discard(std::move(c));
    else
      pool.release(std::move(c));
  }
  if (failure) {
    co_await send_error(*failure);
    co_return false;
  }
  spdlog::debug("schema: {} has {} columns (read from {}.{} on {})", key, schema->columns.size(),
                st.db, st.table, st.slice);
  rules_->schema().publish(rule->db(), rule->table(), std::move(*schema));
  co_return true;
}

}  // namespace tessera::frontend
