#include "router/planner/key_update.h"

#include <charconv>
#include <cstdint>

#include "sql/ascii_case.h"
#include "sql/writer.h"

namespace tessera::router {

namespace {

std::string backquoted(std::string_view name) {
  std::string out;
  sql::append_identifier(out, name, /*force=*/true);
  return out;
}

std::string table_name(const SubTable& st) {
  return st.db.empty() ? backquoted(st.table) : backquoted(st.db) + "." + backquoted(st.table);
}

}  // namespace

exec::engine::KeyRoute key_route(std::shared_ptr<const ShardRule> rule) {
  return [rule = std::move(rule)](std::optional<std::string_view> cell, bool integer,
                                  bool is_unsigned) -> std::variant<int, std::string> {
    ShardValue v = ShardValue::null();
    if (cell) {
      v = ShardValue::of(std::string(*cell));
      if (integer) {
        const char* b = cell->data();
        const char* e = b + cell->size();
        int64_t i = 0;
        uint64_t u = 0;
        if (std::from_chars(b, e, i).ptr == e) {
          v = ShardValue::of(i);
        } else if (is_unsigned && std::from_chars(b, e, u).ptr == e) {
          v = ShardValue::of_unsigned(u);
        }
      }
    }
    auto routed = rule->route(v);
    if (auto* err = std::get_if<ShardError>(&routed)) {
      return (cell ? "'" + std::string(*cell) + "'" : std::string("NULL")) + " of " + rule->key() +
             " has no sub-table of " + rule->table() + ": " + err->message;
    }
    return std::get<const SubTable*>(routed)->index;
  };
}

std::string remove_head(const SubTable& st) {
  return "DELETE FROM " + table_name(st) + " WHERE ";
}

std::string insert_head(const SubTable& st, const std::vector<std::string>& columns) {
  std::string out = "INSERT INTO " + table_name(st) + " (";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) out += ", ";
    out += backquoted(columns[i]);
  }
  out += ") VALUES ";
  return out;
}

bool names_any_column(const sql::Expr* e, const std::vector<std::string>& columns) {
  if (!e || columns.empty()) return false;
  // The canonical text quotes every identifier: a column appears as `name` (a string literal
  // holding `name` would too, which only refuses more than needed).
  sql::WriteOptions o;
  o.canonical = true;
  std::string text;
  sql::to_sql(*e, text, o);
  for (const auto& c : columns) {
    if (sql::icontains(text, backquoted(c))) return true;
  }
  return false;
}

}  // namespace tessera::router
