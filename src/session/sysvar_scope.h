// SET @@name = value without a scope, made explicit before the statement reaches a backend.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "sql/lexer.h"

namespace tessera::session {

// MariaDB (10.11) does not report an assignment written `SET @@name = v` in the session-state
// block, though it sets the session value exactly as `SET @@session.name = v` does (which it
// reports). Tessera learns session variables only from that block, so such a value would be
// neither replayed on the next pooled connection nor reset before another client gets this
// one. Returns `sql` with each bare `@@name` that a SET assigns (at parenthesis depth 0, right
// before `=` or `:=`) written `@@session.name`, or nothing when there is none. Values read on
// the right-hand side (`@@other`) keep their meaning and are left alone; SET STATEMENT ... FOR
// (a per-statement value) is left alone too. The text of EXECUTE IMMEDIATE '...' and PREPARE
// name FROM '...' is rewritten the same way when the literal holds no escapes; a text the
// server builds (EXECUTE IMMEDIATE @v, CONCAT(...)) and stored programs' bodies are out of
// reach: there the bare form stays unreported (README, mysqltest differences).

std::optional<std::string> scope_bare_sysvar_assignments(std::string_view sql,
                                                         const sql::LexOptions& options);

}  // namespace tessera::session
