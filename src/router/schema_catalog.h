// What Tessera knows of the columns of a namespace's sharded and global tables (issue 19,
// schema tracking): each logical table's columns in ordinal order, read from
// information_schema.COLUMNS of one physical table that holds it. The planner reads it (an
// INSERT without a column list routes by the shard key's position) and never waits for it:
// frontend loads a table the catalog lacks, on the worker's own loop, and has the statement
// planned again (exec/engine/schema_fetch.h), as a global sequence's ids are fetched.
//
// A SchemaCatalog is immutable; a SchemaStore holds the current one and replaces it whole when
// a table is learned or forgotten, so a planner on any thread reads a consistent snapshot
// without a lock held while it plans.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tessera::router {

struct SchemaColumn {
  std::string name;
  bool generated = false;       // VIRTUAL / STORED / PERSISTENT: takes only DEFAULT
  bool invisible = false;       // MariaDB INVISIBLE: not part of an INSERT without a column list
  bool auto_increment = false;  // what a global sequence fills on the backend's behalf
  bool primary_key = false;     // part of the PRIMARY KEY (how a read-then-write names a row)
  bool on_update_now = false;   // ON UPDATE CURRENT_TIMESTAMP: an UPDATE that changes the row
                                // sets it
};

struct TableSchema {
  using Clock = std::chrono::steady_clock;
  std::vector<SchemaColumn> columns;  // every column, in ORDINAL_POSITION order
  Clock::time_point loaded_at{};

  // The columns `INSERT INTO t VALUES (...)` fills, in order: every column but the invisible
  // ones (as MariaDB expands a missing column list).
  std::vector<const SchemaColumn*> insert_columns() const;
  // The position of `name` (ASCII case folded) among insert_columns(), or -1.
  int insert_position(std::string_view name) const;
  // The primary key's columns in ordinal order (empty: the table has none).
  std::vector<const SchemaColumn*> primary_key() const;
};

class SchemaCatalog {
 public:
  // The table's columns, or null when the catalog does not know it. Names fold ASCII case.
  std::shared_ptr<const TableSchema> find(std::string_view db, std::string_view table) const;
  size_t size() const { return tables_.size(); }

  // A copy with `db.table` set to `schema` / without `db.table`.
  std::shared_ptr<const SchemaCatalog> with(std::string_view db, std::string_view table,
                                            std::shared_ptr<const TableSchema> schema) const;
  std::shared_ptr<const SchemaCatalog> without(std::string_view db, std::string_view table) const;

  // "db.table" as frontend names a table to load (Plan::needs_schema); split_key undoes it
  // (the db is up to the first dot: a database name holding a dot is not supported there).
  static std::string key(std::string_view db, std::string_view table);
  static std::optional<std::pair<std::string, std::string>> split_key(std::string_view key);

 private:
  // Lower-case db, '\0', lower-case table.
  std::unordered_map<std::string, std::shared_ptr<const TableSchema>> tables_;
};

// One namespace's catalog as it changes: shared by every worker (it belongs to the namespace's
// ShardRuleSet, so a configuration reload starts a new one).
class SchemaStore {
 public:
  // `refresh`: how old a table's columns may get before lookup() stops answering with them
  // (namespace `schema_refresh_seconds`); zero: they never age.
  explicit SchemaStore(std::chrono::seconds refresh = std::chrono::seconds(0));

  std::shared_ptr<const SchemaCatalog> snapshot() const { return current_.load(); }
  // The table's columns when known and not older than the refresh interval at `now`; null
  // otherwise (the caller loads them).
  std::shared_ptr<const TableSchema> lookup(
      std::string_view db, std::string_view table,
      TableSchema::Clock::time_point now = TableSchema::Clock::now()) const;
  // Publishes a new snapshot with the table's columns (after a load) / without them (after DDL
  // through Tessera on the table).
  void publish(std::string_view db, std::string_view table, TableSchema schema);
  void forget(std::string_view db, std::string_view table);
  std::chrono::seconds refresh() const { return refresh_; }

 private:
  std::chrono::seconds refresh_;
  std::atomic<std::shared_ptr<const SchemaCatalog>> current_;
};

// The query that reads a physical table's columns, and what its rows become. Columns asked:
// COLUMN_NAME, EXTRA, IS_GENERATED, COLUMN_KEY, in ORDINAL_POSITION order.
std::string columns_query(std::string_view physical_db, std::string_view physical_table);
// nullopt when `rows` is empty (no such table, or no privilege on it) or a row is malformed.
std::optional<TableSchema> parse_columns(const std::vector<std::vector<std::string>>& rows);

}  // namespace tessera::router
