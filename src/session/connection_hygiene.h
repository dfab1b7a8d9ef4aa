// What a statement may leave behind on the backend connection it ran on, and which session
// variables clients may not touch. Pooled connections serve many client sessions (of many
// namespaces); these rules decide when a connection must be reset before anyone else uses it
// (see backend::ConnectionPool::acquire / release).
#pragma once
#include <optional>
#include <string_view>

#include "sql/classify.h"

namespace tessera::session {

// True when `info` may leave state on the server that holds resources or that Tessera does
// not replay: LOCK TABLES, HANDLER, named locks, XA, temporary tables, user variables,
// server-side PREPARE, stored programs (CALL, compound statements), EXECUTE IMMEDIATE,
// multi-statements, anything unclassified. Such a connection is reset before it goes idle.
bool leaves_server_state(const sql::StatementInfo& info);

// The session variable a statement assigns that Tessera relies on (session tracking, binary
// logging, the thread id replication and GTIDs see), or nothing. Checks SET statements,
// SET STATEMENT ... FOR, and the text of string literals (EXECUTE IMMEDIATE 'SET ...',
// PREPARE s FROM 'SET ...'), nested.
std::optional<std::string_view> protected_variable_assignment(std::string_view sql);

}  // namespace tessera::session
