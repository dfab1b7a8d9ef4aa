// How fresh a read served by a replica must be (the Aurora write-forwarding levels). Set per
// user in the configuration (`read_consistency`) and per session with
// SET tessera_read_consistency = '...'. Header-only: config and session both name it.
#pragma once
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tessera::config {

enum class ReadConsistency : uint8_t {
  kEventual,  // any healthy replica within the lag limit
  kSession,   // sees every write this session committed
  kGlobal,    // sees every write committed anywhere before the read began
};

inline std::optional<ReadConsistency> parse_read_consistency(std::string_view text) {
  auto is = [text](std::string_view name) {
    return text.size() == name.size() &&
           std::equal(text.begin(), text.end(), name.begin(), [](char a, char b) {
             return std::toupper(static_cast<unsigned char>(a)) == b;
           });
  };
  if (is("EVENTUAL")) return ReadConsistency::kEventual;
  if (is("SESSION")) return ReadConsistency::kSession;
  if (is("GLOBAL")) return ReadConsistency::kGlobal;
  return std::nullopt;
}

inline std::string_view to_string(ReadConsistency c) {
  switch (c) {
    case ReadConsistency::kSession:
      return "SESSION";
    case ReadConsistency::kGlobal:
      return "GLOBAL";
    case ReadConsistency::kEventual:
      break;
  }
  return "EVENTUAL";
}

}  // namespace tessera::config
