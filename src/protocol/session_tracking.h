// What a client's own session would report under CLIENT_SESSION_TRACK. Backend connections
// track everything (Tessera learns session state from it), while a client's session starts
// with the server's global session_track_* values and may not change them (they are
// protected variables): OK packets relayed to it carry only what those values select.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::protocol {

struct TrackingSettings {
  bool all_variables = false;          // session_track_system_variables = '*'
  std::vector<std::string> variables;  // lower case
  bool schema = true;
  bool state_change = false;
  bool transaction_info = false;  // session_track_transaction_info other than OFF

  // From the server's @@session_track_system_variables, @@session_track_schema,
  // @@session_track_state_change, @@session_track_transaction_info (text values as a SELECT
  // returns them: "1"/"0" or "ON"/"OFF").
  static TrackingSettings from_server(std::string_view system_variables, std::string_view schema,
                                      std::string_view state_change,
                                      std::string_view transaction_info);
  bool tracks_variable(std::string_view name) const;
};

// The entries of a raw session-state block the settings select, in the server's order (empty
// when none); nullopt when the block is malformed.
std::optional<std::string> filter_session_state(std::string_view block,
                                                const TrackingSettings& settings);

}  // namespace tessera::protocol
