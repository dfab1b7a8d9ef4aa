#include "session/pin_reasons.h"

namespace tessera::session {

std::string_view to_string(PinReason reason) {
  switch (reason) {
    case PinReason::kNone:
      return "none";
    case PinReason::kTemporaryTable:
      return "temporary table";
    case PinReason::kNamedLock:
      return "GET_LOCK";
    case PinReason::kLockTables:
      return "LOCK TABLES";
    case PinReason::kTextPrepare:
      return "PREPARE statement";
    case PinReason::kUserVariable:
      return "user variable";
    case PinReason::kOpaqueState:
      return "unreplayable session state";
    case PinReason::kXaTransaction:
      return "XA transaction";
    case PinReason::kCursor:
      return "open cursor";
    case PinReason::kHandler:
      return "HANDLER";
    case PinReason::kProfiling:
      return "profiling";
    case PinReason::kCount_:
      break;
  }
  return "unknown";
}

PinCounters& pin_counters() {
  static PinCounters counters;
  return counters;
}

}  // namespace tessera::session
