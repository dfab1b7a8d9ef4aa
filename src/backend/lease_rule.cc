#include "backend/lease_rule.h"

#include "backend/backend_connection.h"
#include "protocol/constants.h"

namespace tessera::backend {

std::string_view to_string(LeaseEnd end) {
  switch (end) {
    case LeaseEnd::kKeep:
      return "keep";
    case LeaseEnd::kRelease:
      return "release";
    case LeaseEnd::kDiscard:
      return "discard";
  }
  return "?";
}

ConnectionFacts connection_facts(const BackendConnection& conn) {
  ConnectionFacts f;
  f.in_transaction = conn.status_flags & protocol::status::kInTrans;
  // (A closed socket is the pool's to notice: it checks that, and its drains, on release.)
  f.unusable = conn.broken || !conn.response_complete();
  return f;
}

// The isolation rules between client sessions (README, Security: "Sessions and pooled
// connections") that the end of a use enforces; the pool enforces the rest when it takes a
// connection back (ConnectionPool::release: closes broken, half-read, profiled and drained
// connections, resets one marked needs_reset before it goes idle, and resets any connection
// that changes hands):
//   - responses: a connection whose response was not read to its end never reaches another
//     session (unusable: discarded);
//   - state that holds resources: a session pinned by such state, in a transaction, or with
//     an open cursor keeps its connection, so its locks, temporary tables, HANDLERs and
//     transaction stay its own; when the client goes, the connection is closed, never handed
//     on (what a statement killed half-way left is unknown);
//   - session state: a connection whose state replay failed part-way is closed (it may carry
//     some of the session's variables, which a reset would clear, but nothing proves the
//     replay left it clean for the session either);
//   - statement limits: a statement the watchdog killed leaves its connection usable only
//     once the watchdog proved it clean (StatementWatchdog::release marks it broken
//     otherwise).
// Order matters: a gone client or an unknown state wins over every reason to keep; a
// transaction or a pin keeps even a broken connection, so that the session's next statement
// fails on it (2013) instead of silently running outside the transaction or without the
// pinned state; diagnostics are not worth keeping a broken connection for. A lease for one
// statement only is never kept: what would keep it closes it (its transaction or pinned state
// must not reach another session), and diagnostics alone do not hold it back from the pool.
LeaseEnd end_of_use(const ConnectionFacts& conn, const SessionFacts& session) {
  if (session.client_gone || conn.state_unknown) return LeaseEnd::kDiscard;
  if (conn.in_transaction || session.in_transaction || session.pinned) {
    return session.statement_only ? LeaseEnd::kDiscard : LeaseEnd::kKeep;
  }
  if (conn.unusable) return LeaseEnd::kDiscard;
  if (session.keep_for_diagnostics && !session.statement_only) return LeaseEnd::kKeep;
  return LeaseEnd::kRelease;
}

}  // namespace tessera::backend
