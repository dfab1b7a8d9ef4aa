// The GTID a server reports in an OK packet's session-state block after a commit:
//   MariaDB: system variable `last_gtid` (needs session_track_system_variables to list it);
//   MySQL 8: a SESSION_TRACK_GTIDS entry (session_track_gtids=OWN_GTID or ALL_GTIDS).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace tessera::protocol {

// The GTID text in a raw session-state block (OkPacket::session_state), or nullopt when the
// block carries none, carries an empty one (a statement that wrote nothing) or is malformed.
std::optional<std::string> tracked_gtid(std::string_view session_state);

}  // namespace tessera::protocol
