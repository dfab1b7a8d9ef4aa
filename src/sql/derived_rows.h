// Statements Tessera answers over rows it owns (a session's status counters, its client
// sessions) while the server still evaluates the client's own WHERE / ORDER BY / COUNT: the
// rows become a literal derived table, spliced into the client's text in place of the server
// table it named (information_schema.SESSION_STATUS, information_schema.PROCESSLIST), or wrapped
// around a SHOW's LIKE / WHERE.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/lexer.h"

namespace tessera::sql {

struct DerivedColumn {
  std::string name;
  bool numeric = false;  // cells are written unquoted (digits, '.', '-' only; else quoted)
};
using DerivedRow = std::vector<std::optional<std::string>>;  // nullopt: NULL

// SELECT 'v' AS `c`, ... UNION ALL SELECT ...: one row per entry, the columns named on the first
// row. No rows: one row of NULLs filtered out by WHERE 0, so the columns still exist.
std::string literal_rows(const std::vector<DerivedColumn>& columns,
                         const std::vector<DerivedRow>& rows, const LexOptions& lex = {});

// SHOW [SESSION | LOCAL | GLOBAL] STATUS [LIKE 'pattern' | WHERE expr] and
// SHOW [FULL] PROCESSLIST.
struct ShowRequest {
  enum class What { kNone, kSessionStatus, kProcesslist } what = What::kNone;
  bool full = false;        // SHOW FULL PROCESSLIST
  std::string_view filter;  // the text after STATUS: "LIKE '...'" or "WHERE ..." (or empty)
  bool filter_is_like = false;
};
// GLOBAL STATUS is not recognised (the server's own answer stands).
ShowRequest parse_show(std::string_view sql, const LexOptions& lex = {});

// Replaces every reference to `schema`.`table` (any case, quoted or not; the schema may be
// omitted when `current_db` is `schema`) by `(derived) AS table` (no alias added when the
// client gave one). Nothing found: nullopt.
std::optional<std::string> replace_table(std::string_view sql, std::string_view schema,
                                         std::string_view table, std::string_view derived,
                                         std::string_view current_db = {},
                                         const LexOptions& lex = {});

}  // namespace tessera::sql
