// The statements a server runs for one COM_QUERY text, found the way the server finds them:
// each statement is lexed afresh from just after the previous one's ';' (as the server parses
// the next statement of a multi-statement only once the previous one ran), under the
// session's sql_mode and character set (LexOptions). Security checks (read-only users,
// black_sql, refusing multi-statements) look at every one of them, not at the first only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "classify.h"
#include "lexer.h"

namespace tessera::sql {

struct SplitStatement {
  std::string_view text;  // without its ';'
  StatementInfo info;
};

// Appends the statements of `sql` to `out` (an empty text between two ';' is a statement of
// kind Empty, as the server sees one). Stored-program bodies (CREATE PROCEDURE ... BEGIN a;
// b; END, BEGIN NOT ATOMIC ... END) stay whole, as in classify().
void split_statements(std::string_view sql, const LexOptions& options,
                      std::vector<SplitStatement>& out);

// Every way a server may lex `sql`: just `base` when it holds no version-dependent comment;
// otherwise `base` under each server model (MariaDB and MySQL, each at every version threshold
// the comments name) that reads them differently. False when there are too many versions to
// enumerate (then nothing can be promised about what runs).
bool every_lexing(std::string_view sql, const LexOptions& base, std::vector<LexOptions>& out);

// Where statements may start inside one statement that holds others: a compound statement
// (BEGIN NOT ATOMIC, IF, WHILE ...) or a stored-program body runs the statements that follow
// BEGIN, THEN, ELSE, DO, LOOP, REPEAT, a label's ':' or FOR EACH ROW, each up to its ';'.
// Appends those inner statements' texts (the whole statement itself is not appended).
void inner_statements(std::string_view statement, const LexOptions& options,
                      std::vector<std::string_view>& out);

// The value of a string literal token's text (quotes removed, '' and, unless
// NO_BACKSLASH_ESCAPES, backslash escapes resolved; multi-byte characters copied whole), as
// the server's my_unescape gives it.
std::string unescape_string_literal(std::string_view token_text, const LexOptions& options);

}  // namespace tessera::sql
