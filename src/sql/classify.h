// Cheap statement classification for the proxy hot path: one pass over tokens, no AST, no heap.
#pragma once

#include <cstdint>
#include <string_view>

#include "lexer.h"
#include "statement_kind.h"
#include "token_tape.h"

namespace tessera::sql {

// Bit per session-dependent function (see session_functions.inc).
enum SessionFunction : uint32_t {
#define SF(name, sql) kSessionFn##name##Index,
#include "session_functions.inc"
#undef SF
  kSessionFnCount
};
constexpr uint32_t session_function_bit(SessionFunction f) {
  return 1u << f;
}
std::string_view session_function_name(SessionFunction f);

struct StatementInfo {
  StatementKind kind = StatementKind::Empty;
  bool is_read_only_txn = false;               // START TRANSACTION READ ONLY
  bool has_locking_read = false;               // FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE
  bool creates_temporary_table = false;        // CREATE TEMPORARY TABLE
  bool drops_temporary_table = false;          // DROP TEMPORARY TABLE
  bool uses_user_variable_assignment = false;  // @x := ..., SET @x = ..., CALL p(@x)
  // HANDLER t OPEN | READ | CLOSE: an open handler lives on its connection only.
  bool uses_handler = false;
  bool has_sql_calc_found_rows = false;
  bool hint_master = false;               // /*master*/ or /*+ master */
  bool hint_slave = false;                // /*slave*/ or /*+ slave */
  bool is_multi_statement = false;        // ';' followed by more tokens
  bool is_rollback_to_savepoint = false;  // ROLLBACK [WORK] TO [SAVEPOINT] x
  bool has_lex_error = false;             // unterminated string/comment
  // Version-dependent executable comments (see CommentModel) in this statement: another server
  // may read it differently (statement_split.h: every_lexing).
  bool has_dependent_comment = false;
  uint32_t end = 0;   // where this statement's text ends: its ';' or the end of the input
  uint32_t next = 0;  // is_multi_statement: where the next statement's text begins (after ';')
  uint32_t session_functions = 0;  // bitmask of session_function_bit()
  std::string_view database;       // USE: database name, unquoted, points into input

  bool calls_session_functions() const { return session_functions != 0; }
  bool calls(SessionFunction f) const { return session_functions & session_function_bit(f); }
  // True for statements a read replica may serve (before hints and session rules).
  bool is_read() const {
    if (has_dependent_comment) return false;  // what runs depends on the server's version
    return (kind == StatementKind::Select && !has_locking_read) || kind == StatementKind::Show ||
           kind == StatementKind::Explain || kind == StatementKind::Describe;
  }
};

// `options`: the session's sql_mode and character set (lexer.h); the default is the server's
// default sql_mode with a character set whose multi-byte characters never contain ASCII bytes.
// `tape`, when given, gets the statement's tokens if a later fingerprint may replay them
// (token_tape.h); it is cleared otherwise.
StatementInfo classify(std::string_view sql, const LexOptions& options = {},
                       TokenTape* tape = nullptr);

// Proxy routing hint in one comment's text: /*master*/, /* master */, /*+ master */, same for
// slave (any case, any spacing).
enum class ProxyHint : uint8_t { None, Master, Slave };
ProxyHint proxy_hint(std::string_view comment);

}  // namespace tessera::sql
