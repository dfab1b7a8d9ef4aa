#include "session/session_state.h"

#include "protocol/gtid_tracking.h"

#include <cctype>

#include "protocol/constants.h"

namespace tessera::session {
namespace {

// Tracked variables that are the server's to change, never replayed.
bool is_server_owned(std::string_view name) {
  return name == "last_gtid" || name == "session_track_system_variables" ||
         name == "session_track_schema" || name == "session_track_state_change" ||
         name == "in_transaction" || name == "warning_count" || name == "error_count";
}

bool is_charset_variable(std::string_view name) {
  return name == "character_set_client" || name == "character_set_connection" ||
         name == "character_set_results" || name == "collation_connection";
}

bool looks_numeric(std::string_view v) {
  if (v.empty()) return false;
  size_t i = (v[0] == '-' || v[0] == '+') ? 1 : 0;
  if (i == v.size()) return false;
  bool dot = false;
  for (; i < v.size(); ++i) {
    if (v[i] == '.' && !dot) {
      dot = true;
    } else if (!std::isdigit(static_cast<unsigned char>(v[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string sql_value_literal(std::string_view value) {
  if (looks_numeric(value)) return std::string(value);
  std::string out = "'";
  for (char c : value) {
    switch (c) {
      case '\'':
        out += "''";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\0':
        out += "\\0";
        break;
      default:
        out += c;
    }
  }
  out += '\'';
  return out;
}

const protocol::GtidSet* SessionState::written_on(std::string_view instance_key) const {
  for (auto& [key, set] : written) {
    if (key == instance_key) return &set;
  }
  return nullptr;
}

void SessionState::remember_write(const backend::BackendConnection& conn, std::string_view gtid) {
  auto parsed = protocol::GtidSet::parse(gtid);
  if (!parsed || parsed->empty()) return;
  std::string key = conn.endpoint().address();
  ++writes_tracked;
  for (auto& [k, set] : written) {
    if (k == key) {
      set.merge(*parsed);
      return;
    }
  }
  written.emplace_back(std::move(key), std::move(*parsed));
}

bool SessionState::absorb_ok(const protocol::OkPacket& ok, backend::BackendConnection& conn) {
  conn.observe_ok(ok);
  status_flags = ok.status_flags;
  if (ok.last_insert_id != 0) last_insert_id = ok.last_insert_id;
  if (ok.session_state.empty()) return false;
  // A commit's GTID (MariaDB last_gtid, MySQL SESSION_TRACK_GTIDS): read-your-writes needs it.
  if (auto gtid = protocol::tracked_gtid(ok.session_state)) remember_write(conn, *gtid);
  std::vector<protocol::SessionStateChange> changes;
  if (!protocol::parse_session_state(ok.session_state, changes)) return false;
  bool opaque_change = false;
  bool understood = false;
  bool charset_connection = false;
  bool collation_connection = false;
  for (auto& c : changes) {
    switch (c.type) {
      case protocol::SessionTrackType::kSystemVariables:
        understood = true;
        if (c.name == "character_set_connection") charset_connection = true;
        if (c.name == "collation_connection") collation_connection = true;
        if (c.name == "last_gtid") {
          conn.last_gtid = c.value;
        } else if (!is_server_owned(c.name)) {
          if (c.name == "profiling" && (c.value == "ON" || c.value == "1")) conn.profiled = true;
          conn.vars[c.name] = c.value;
          vars[c.name] = std::move(c.value);
        }
        break;
      case protocol::SessionTrackType::kSchema:
        understood = true;
        conn.db = c.name;
        db = std::move(c.name);
        break;
      case protocol::SessionTrackType::kStateChange:
        opaque_change = true;
        break;
      default:
        break;
    }
  }
  if (charset_connection && !collation_connection) collation_unknown = true;
  // MariaDB raises the state-change flag for SET and USE too; it signals
  // something unreplayable only when nothing we understood came with it.
  return opaque_change && !understood;
}

std::string build_sync_statement(const SessionState& state, uint8_t conn_collation,
                                 const std::map<std::string, std::string>& conn_vars) {
  std::string assignments;
  auto add = [&](std::string_view piece) {
    assignments += assignments.empty() ? "SET " : ", ";
    assignments += piece;
  };
  bool need_names = state.collation != conn_collation;
  for (const auto& [name, value] : conn_vars) {
    if (state.vars.count(name)) continue;
    // Resetting a character-set variable to DEFAULT would pick the global
    // value, not the one the client's handshake asked for: SET NAMES instead.
    if (is_charset_variable(name)) {
      need_names = true;
    } else {
      add("@@session." + name + " = DEFAULT");
    }
  }
  std::string names;
  if (need_names) {
    auto cs = charset_of_collation(state.collation);
    auto coll = collation_name(state.collation);
    if (!cs.empty()) {
      names = "NAMES " + std::string(cs);
      if (!coll.empty() && cs != "binary") names += " COLLATE " + std::string(coll);
    }
  }
  for (const auto& [name, value] : state.vars) {
    auto it = conn_vars.find(name);
    if (it != conn_vars.end() && it->second == value) continue;
    add("@@session." + name + " = " + sql_value_literal(value));
  }
  if (!names.empty()) {
    // NAMES first: explicit character-set variables the client set override it.
    if (assignments.empty()) return "SET " + names;
    return "SET " + names + ", " + assignments.substr(4);
  }
  return assignments;
}

}  // namespace tessera::session
