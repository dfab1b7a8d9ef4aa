// Why a client session is tied to one backend connection, and process-wide
// counters of pinned sessions (ProxySQL users' most common complaint is being
// pinned silently, so every pin is counted and logged with its reason).
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace tessera::session {

enum class PinReason : uint8_t {
  kNone,
  kTemporaryTable,
  kNamedLock,  // GET_LOCK
  kLockTables,
  kTextPrepare,  // PREPARE ... FROM (server-side named statement)
  kUserVariable,
  kOpaqueState,  // the server reported a state change we cannot replay
  kXaTransaction,
  kCursor,     // an open server-side cursor (COM_STMT_FETCH)
  kHandler,    // HANDLER ... OPEN: the handler exists on that connection only
  kProfiling,  // SET profiling = 1: SHOW PROFILES lists that connection's statements
  kCount_
};

std::string_view to_string(PinReason reason);

struct PinCounters {
  std::array<std::atomic<uint64_t>, static_cast<size_t>(PinReason::kCount_)> total{};
  std::atomic<int64_t> currently_pinned{0};
};
PinCounters& pin_counters();

}  // namespace tessera::session
