// Checks that must hold for every statement the server will run for one client text:
// read-only users (rw_flag=1) and read-only namespaces run only statements known to be reads
// (an allow-list), and black_sql is matched against each of them. The text is split and lexed
// as the server will (sql/statement_split.h) under the session's own sql_mode and character
// set (lex_options), including the texts of PREPARE ... FROM 'literal' and EXECUTE IMMEDIATE
// 'literal' and the statements inside compound statements.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "session/session_state.h"
#include "sql/lexer.h"

namespace tessera::session {

// How the server lexes this session's statements now: its sql_mode and character_set_client
// as session tracking reported them, else the handshake's character set and the server's
// default sql_mode (a server whose global sql_mode has ANSI_QUOTES or NO_BACKSLASH_ESCAPES is
// not modelled until the session sets sql_mode itself).
sql::LexOptions lex_options(const SessionState& state);
sql::LexOptions lex_options_for(std::string_view sql_mode, std::string_view client_charset);
// character_set_connection equals character_set_client (PREPARE converts its text to the
// former and parses it as the latter: when they differ a literal's bytes may change meaning).
bool charsets_agree(const SessionState& state);

// A text the server may run where only one statement was expected: more than one statement
// under some reading of its version-dependent comments (sql/statement_split.h), or too many of
// them to tell. A client without CLIENT_MULTI_STATEMENTS gets 1064 for such a text. `second`:
// where the second statement begins (for the error message).
bool may_hold_several_statements(std::string_view sql, const sql::LexOptions& options,
                                 size_t* second);

struct ReadOnlyVerdict {
  std::string refusal;  // empty: every statement is a read
  // PREPARE names (lower case) that passed, and DEALLOCATE'd ones: the session tracks them so
  // that EXECUTE name runs only statements it checked.
  std::vector<std::string> prepared;
  std::vector<std::string> deallocated;
};

// The read-only allow-list: SELECT (not INTO OUTFILE/DUMPFILE, no sequence or lock functions:
// NEXTVAL, SETVAL, NEXT VALUE FOR, GET_LOCK, RELEASE_LOCK, RELEASE_ALL_LOCKS), SHOW, DESCRIBE,
// EXPLAIN (not EXPLAIN ANALYZE / ANALYZE of a non-read, which run it), SET of session and user
// variables (not GLOBAL / PERSIST / @@global., SET PASSWORD, SET DEFAULT ROLE; SET STATEMENT
// ... FOR checks its statement), USE, BEGIN / START TRANSACTION / COMMIT / ROLLBACK /
// SAVEPOINT, LOCK TABLES ... READ, UNLOCK TABLES, DO, HELP, DEALLOCATE, PREPARE x FROM
// '<a read>', EXECUTE IMMEDIATE '<a read>', EXECUTE of a statement this session prepared after
// the check. Everything else is refused: writes, DDL, account statements, CALL (a procedure
// may write), LOAD DATA, compound statements, XA, HANDLER, KILL, PREPARE FROM @var.
// Not covered: a stored function that writes, called from a SELECT (the backend account's
// privileges are the only guard there).
ReadOnlyVerdict check_read_only(std::string_view sql, const sql::LexOptions& options,
                                const std::set<std::string>& prepared, bool charsets_agree);

// The texts black_sql is matched against: every statement of `sql` under every reading of its
// version-dependent comments, the statements inside compound statements and stored-program
// bodies (sql::inner_statements), and the texts of PREPARE ... FROM '...' and EXECUTE
// IMMEDIATE '...' (nested up to 3 levels), each with the lexing to fingerprint it with.
// `refusal` is set when the text cannot be checked (too many comment versions; a statement
// that changes sql_mode or the character set followed by more statements, which the server
// lexes differently).
struct BlackSqlCandidates {
  std::vector<std::pair<std::string, sql::LexOptions>> texts;
  std::string refusal;
};
BlackSqlCandidates black_sql_candidates(std::string_view sql, const sql::LexOptions& options);

// A KILL the server would run other than as the statement Tessera answers itself: one of the
// statements of a multi-statement, inside a compound statement or stored-program body being
// created, or the text of PREPARE ... FROM '...' / EXECUTE IMMEDIATE '...'. Its id would name a
// backend thread. Texts without the word are passed by a cheap scan first.
bool holds_kill(std::string_view sql, const sql::LexOptions& options);

// SQL built at run time: PREPARE name FROM <expression> or EXECUTE IMMEDIATE <expression>
// [USING ...] whose text is not a string literal (a user variable, CONCAT(...)). The server
// evaluates the expression when it runs the statement, so Tessera can check the text only
// where it can read that same value first, on the same backend connection with nothing in
// between: when the dynamic statement is the client's whole text (frontend/dynamic_sql.cc).
// Inside compound statements and stored-program bodies the value is made later, by the
// program: those are not reported here (black_sql_candidates refuses them; read-only users
// may not run compound statements at all).
struct DynamicSql {
  enum class Where : uint8_t {
    kNone,       // no such statement (or none Tessera can see outside a program body)
    kWhole,      // the text is that one statement; expr_begin/expr_end locate its expression
    kElsewhere,  // one of several statements, or inside a prepared literal text: refused
  };
  Where where = Where::kNone;
  size_t expr_begin = 0;
  size_t expr_end = 0;
  bool variable = false;  // the expression is one user variable (@name)
};
DynamicSql find_dynamic_sql(std::string_view sql, const sql::LexOptions& options);

// A string literal that the lexer reads back, under `options`, as exactly `value` (quotes
// doubled, backslashes escaped unless NO_BACKSLASH_ESCAPES, multi-byte characters copied
// whole); nullopt when no such literal can be written.
std::optional<std::string> quote_literal(std::string_view value, const sql::LexOptions& options);

}  // namespace tessera::session
