// What one client session has established on the server side (current
// database, character set, system variables) independently of the backend
// connection that happens to serve it, and how to replay it onto another.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "backend/backend_connection.h"
#include "protocol/gtid_set.h"
#include "protocol/response_packets.h"
#include "sql/charsets.h"

namespace tessera::session {

struct SessionState {
  std::string db;
  uint8_t collation = 45;  // from the client's handshake
  bool found_rows = false;
  // System variables the client changed, as the server reported them through
  // session tracking (name -> value).
  std::map<std::string, std::string> vars;
  uint64_t last_insert_id = 0;
  uint16_t status_flags = 0x0002;  // autocommit
  // GTIDs of the transactions this session committed, per primary instance ("host:port"), as
  // the servers reported them in OK packets (MariaDB last_gtid): what a SESSION-consistent
  // read must find applied on a replica. A handful of entries (one per slice written).
  std::vector<std::pair<std::string, protocol::GtidSet>> written;
  uint64_t writes_tracked = 0;  // bumped per GTID learned (cheap change detection)
  // The server reported character_set_connection without collation_connection (SET NAMES cs
  // COLLATE c, SET CHARACTER SET, SET character_set_connection): MariaDB leaves the collation
  // out of the session-state block, and replaying the character set alone would pick its
  // default collation. The relay reads the collation back before the connection is released.
  bool collation_unknown = false;

  // The session's writes through the primary `instance_key`, or null when none are known.
  const protocol::GtidSet* written_on(std::string_view instance_key) const;

  // Folds a backend OK packet's tracked changes into this session and into
  // the connection that produced it. Returns true if the server reported a
  // state change that is not a system variable or schema (user variables,
  // temporary tables, ...): such state cannot be replayed elsewhere.
  bool absorb_ok(const protocol::OkPacket& ok, backend::BackendConnection& conn);
  // Adds one committed GTID reported by `conn` (its instance) to `written`.
  void remember_write(const backend::BackendConnection& conn, std::string_view gtid);
};

// The SET statement that makes `conn` carry `state`'s variables and character
// set; empty if nothing differs. The caller updates conn afterwards.
std::string build_sync_statement(const SessionState& state, uint8_t conn_collation,
                                 const std::map<std::string, std::string>& conn_vars);
inline std::string build_sync_statement(const SessionState& state,
                                        const backend::BackendConnection& conn) {
  return build_sync_statement(state, conn.collation, conn.vars);
}

// Character set and collation names of a collation id (for SET NAMES); empty if unknown.
using sql::charset_of_collation;
using sql::collation_name;

// Quotes a value for a SET statement: numbers bare, the rest as a string literal.
std::string sql_value_literal(std::string_view value);

}  // namespace tessera::session
