#include "router/schema_catalog.h"

#include "router/shard_text.h"
#include "sql/writer.h"

namespace tessera::router {

namespace {

std::string table_key(std::string_view db, std::string_view table) {
  std::string k = ascii_lower(db);
  k.push_back('\0');
  k += ascii_lower(table);
  return k;
}

bool contains_word(std::string_view text, std::string_view word) {
  return ascii_lower(text).find(word) != std::string::npos;
}

}  // namespace

std::vector<const SchemaColumn*> TableSchema::insert_columns() const {
  std::vector<const SchemaColumn*> out;
  out.reserve(columns.size());
  for (auto& c : columns) {
    if (!c.invisible) out.push_back(&c);
  }
  return out;
}

int TableSchema::insert_position(std::string_view name) const {
  const std::string want = ascii_lower(name);
  int pos = 0;
  for (auto& c : columns) {
    if (c.invisible) continue;
    if (ascii_lower(c.name) == want) return pos;
    ++pos;
  }
  return -1;
}

std::vector<const SchemaColumn*> TableSchema::primary_key() const {
  std::vector<const SchemaColumn*> out;
  for (auto& c : columns) {
    if (c.primary_key) out.push_back(&c);
  }
  return out;
}

std::shared_ptr<const TableSchema> SchemaCatalog::find(std::string_view db,
                                                       std::string_view table) const {
  auto it = tables_.find(table_key(db, table));
  return it == tables_.end() ? nullptr : it->second;
}

std::shared_ptr<const SchemaCatalog> SchemaCatalog::with(
    std::string_view db, std::string_view table, std::shared_ptr<const TableSchema> schema) const {
  auto next = std::make_shared<SchemaCatalog>(*this);
  next->tables_[table_key(db, table)] = std::move(schema);
  return next;
}

std::shared_ptr<const SchemaCatalog> SchemaCatalog::without(std::string_view db,
                                                            std::string_view table) const {
  auto next = std::make_shared<SchemaCatalog>(*this);
  next->tables_.erase(table_key(db, table));
  return next;
}

std::string SchemaCatalog::key(std::string_view db, std::string_view table) {
  std::string k(db);
  k.push_back('.');
  k += table;
  return k;
}

std::optional<std::pair<std::string, std::string>> SchemaCatalog::split_key(std::string_view key) {
  size_t dot = key.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == key.size()) return std::nullopt;
  return std::make_pair(std::string(key.substr(0, dot)), std::string(key.substr(dot + 1)));
}

SchemaStore::SchemaStore(std::chrono::seconds refresh)
    : refresh_(refresh), current_(std::make_shared<const SchemaCatalog>()) {}

std::shared_ptr<const TableSchema> SchemaStore::lookup(std::string_view db, std::string_view table,
                                                       TableSchema::Clock::time_point now) const {
  auto schema = current_.load()->find(db, table);
  if (schema && refresh_.count() > 0 && now - schema->loaded_at > refresh_) return nullptr;
  return schema;
}

void SchemaStore::publish(std::string_view db, std::string_view table, TableSchema schema) {
  auto entry = std::make_shared<const TableSchema>(std::move(schema));
  // Another thread may publish at the same time: retry on its snapshot, so neither is lost.
  auto old = current_.load();
  while (!current_.compare_exchange_weak(old, old->with(db, table, entry))) {
  }
}

void SchemaStore::forget(std::string_view db, std::string_view table) {
  auto old = current_.load();
  if (!old->find(db, table)) return;
  while (!current_.compare_exchange_weak(old, old->without(db, table))) {
  }
}

std::string columns_query(std::string_view physical_db, std::string_view physical_table) {
  std::string q =
      "SELECT COLUMN_NAME, EXTRA, IS_GENERATED, COLUMN_KEY FROM information_schema.COLUMNS "
      "WHERE TABLE_SCHEMA = ";
  sql::append_string_literal(q, physical_db);
  q += " AND TABLE_NAME = ";
  sql::append_string_literal(q, physical_table);
  q += " ORDER BY ORDINAL_POSITION";
  return q;
}

std::optional<TableSchema> parse_columns(const std::vector<std::vector<std::string>>& rows) {
  if (rows.empty()) return std::nullopt;
  TableSchema t;
  t.loaded_at = TableSchema::Clock::now();
  for (auto& row : rows) {
    if (row.size() < 3 || row[0].empty()) return std::nullopt;
    SchemaColumn c;
    c.name = row[0];
    // EXTRA: "auto_increment", "VIRTUAL GENERATED", "STORED GENERATED", "INVISIBLE", "on update
    // current_timestamp()", several joined by spaces (MariaDB 10.11).
    c.auto_increment = contains_word(row[1], "auto_increment");
    c.invisible = contains_word(row[1], "invisible");
    c.generated = row[2] == "ALWAYS" || contains_word(row[1], "generated");
    // COLUMN_KEY (asked since issue 19's key moves; a row without it comes from an older
    // query's answer): "PRI" for a column of the primary key.
    c.primary_key = row.size() > 3 && row[3] == "PRI";
    c.on_update_now = contains_word(row[1], "on update");
    t.columns.push_back(std::move(c));
  }
  return t;
}

}  // namespace tessera::router
