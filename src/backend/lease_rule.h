// The one rule that decides what becomes of a leased backend connection when a use of it ends
// (backend_lease.h): the session keeps it, it goes back to the pool, or it is closed. A pure
// function of the connection's flags and the session's facts, so every kind of lease (the
// default slice's, other slices', a replica's) ends under the same rule and the rule can be
// tested without a server.
#pragma once
#include <cstdint>
#include <string_view>

namespace tessera::backend {

class BackendConnection;

enum class LeaseEnd : uint8_t {
  kKeep,     // the session still needs this connection: it stays with the session
  kRelease,  // nothing ties it to the session: back to the pool for anybody (reset first when
             // it changes hands or left state behind, see ConnectionPool::release)
  kDiscard,  // nobody may use it again: closed
};
std::string_view to_string(LeaseEnd end);

// What the connection itself says (connection_facts() reads them off a BackendConnection).
struct ConnectionFacts {
  // The server reports a transaction open there (SERVER_STATUS_IN_TRANS).
  bool in_transaction = false;
  // Broken (an I/O failure, a watchdog that could not prove the connection clean after
  // killing its statement, a stalled login), closed, or a response not read to its end.
  bool unusable = false;
  // What the session's state replay changed there is unknown (its SET failed part-way).
  bool state_unknown = false;
};
ConnectionFacts connection_facts(const BackendConnection& conn);

// What the session using the connection knows at the end of the use.
struct SessionFacts {
  // The client disconnected while a statement ran: the statement may have been killed
  // half-way, so what it left on the connection is unknown.
  bool client_gone = false;
  // The session's transaction includes this connection by Tessera's doing (BEGIN sent for the
  // client's transaction on another slice, an XA branch Tessera opened there).
  bool in_transaction = false;
  // State only this connection holds ties the session to it: a pin (temporary table, LOCK
  // TABLES, named lock, user variable, HANDLER, server-side PREPARE, XA, profiling) or an open
  // cursor.
  bool pinned = false;
  // The last statement left warnings or an error that SHOW WARNINGS / @@warning_count may ask
  // about next.
  bool keep_for_diagnostics = false;
  // The lease lives for one statement only (a scatter part's own: a replica's, or a second
  // connection to a slice): nothing can keep it past the statement, so a connection something
  // would keep (a transaction the statement opened there under autocommit=0, a pin) is closed
  // instead, and one kept only for diagnostics goes back to the pool.
  bool statement_only = false;
};

LeaseEnd end_of_use(const ConnectionFacts& conn, const SessionFacts& session);

}  // namespace tessera::backend
