#include "protocol/session_tracking.h"

#include <cctype>

#include "protocol/constants.h"
#include "protocol/wire_reader.h"

namespace tessera::protocol {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool on(std::string_view v) {
  std::string l = lower(v);
  return l == "1" || l == "on";
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

TrackingSettings TrackingSettings::from_server(std::string_view system_variables,
                                               std::string_view schema,
                                               std::string_view state_change,
                                               std::string_view transaction_info) {
  TrackingSettings t;
  t.schema = on(schema);
  t.state_change = on(state_change);
  std::string ti = lower(transaction_info);
  t.transaction_info = !(ti.empty() || ti == "off" || ti == "0");
  while (!system_variables.empty()) {
    size_t comma = system_variables.find(',');
    std::string_view item = trim(system_variables.substr(0, comma));
    if (item == "*") {
      t.all_variables = true;
    } else if (!item.empty()) {
      t.variables.push_back(lower(item));
    }
    if (comma == std::string_view::npos) break;
    system_variables.remove_prefix(comma + 1);
  }
  return t;
}

bool TrackingSettings::tracks_variable(std::string_view name) const {
  if (all_variables) return true;
  std::string l = lower(name);
  for (const auto& v : variables) {
    if (v == l) return true;
  }
  return false;
}

std::optional<std::string> filter_session_state(std::string_view block,
                                                const TrackingSettings& settings) {
  std::string out;
  WireReader r(block);
  while (r.ok() && !r.at_end()) {
    const char* entry_start = block.data() + (block.size() - r.remaining());
    auto type = static_cast<SessionTrackType>(r.u8());
    std::string_view data = r.lenenc_str();
    if (!r.ok()) return std::nullopt;
    const char* entry_end = block.data() + (block.size() - r.remaining());
    bool keep = false;
    switch (type) {
      case SessionTrackType::kSystemVariables: {
        WireReader d(data);
        std::string_view name = d.lenenc_str();
        if (!d.ok()) return std::nullopt;
        keep = settings.tracks_variable(name);
        break;
      }
      case SessionTrackType::kSchema:
        keep = settings.schema;
        break;
      case SessionTrackType::kStateChange:
        keep = settings.state_change;
        break;
      case SessionTrackType::kTransactionCharacteristics:
      case SessionTrackType::kTransactionState:
        keep = settings.transaction_info;
        break;
      default:
        // GTIDs (MySQL's session_track_gtids, off by default and not Tessera's to report).
        keep = false;
        break;
    }
    if (keep) out.append(entry_start, entry_end);
  }
  if (!r.ok()) return std::nullopt;
  return out;
}

}  // namespace tessera::protocol
