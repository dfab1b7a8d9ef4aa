// Which sub-tables a WHERE clause can touch: the shard-key conditions in it (=, <=>, IN,
// BETWEEN, < <= > >=, combined with AND/OR, key on either side) evaluated through the rule's
// shard function. Anything else leaves the set unrestricted.
#pragma once

#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "router/shard_function.h"
#include "router/shard_value.h"
#include "sql/ast/expression.h"

namespace tessera::router {

// Decides whether a column reference names the shard key of a table in the statement.
struct KeyColumns {
  std::string_view key;                      // key column name
  std::vector<std::string_view> qualifiers;  // names/aliases of tables sharing this key
};

using IndexSet = std::set<int>;

struct KeyRangeResult {
  std::optional<IndexSet> indexes;  // nullopt: every sub-table
  std::optional<ShardError> error;
};

KeyRangeResult restrict_by_key(const sql::Expr* where, const KeyColumns& key,
                               const ShardFunction& fn, const std::vector<ShardValue>* params);

// The value of a constant expression (literal, -literal, '?' with a bound parameter), or
// nullopt when the expression is not a constant.
std::optional<ShardValue> constant_value(const sql::Expr* e, const std::vector<ShardValue>* params);

// The value an INSERT routes by: for integer-reading functions, a quoted number becomes the
// integer the server stores for it (' 12', '1e3', '-1000000000000000002', '12.5' -> 13).
ShardValue write_key(const ShardValue& value, const ShardFunction& fn);

bool is_key_column(const sql::Expr* e, const KeyColumns& key);

}  // namespace tessera::router
