#include "protocol/gtid_tracking.h"

#include <vector>

#include "protocol/response_packets.h"

namespace tessera::protocol {

std::optional<std::string> tracked_gtid(std::string_view session_state) {
  std::vector<SessionStateChange> changes;
  if (!parse_session_state(session_state, changes)) return std::nullopt;
  std::optional<std::string> found;
  // The last entry wins: a block can only report one commit, but be strict about order.
  for (auto& c : changes) {
    bool is_gtid = c.type == SessionTrackType::kGtids ||
                   (c.type == SessionTrackType::kSystemVariables && c.name == "last_gtid");
    if (is_gtid && !c.value.empty()) found = std::move(c.value);
  }
  return found;
}

}  // namespace tessera::protocol
