#include "session/state_replay.h"

namespace tessera::session {

namespace {
constexpr uint16_t kSpecificAccessDenied = 1227;  // ER_SPECIFIC_ACCESS_DENIED_ERROR
}  // namespace

std::string SessionReplay::sync_statement(const backend::BackendConnection& conn) const {
  return build_sync_statement(state_, conn);
}

void SessionReplay::synced(backend::BackendConnection& conn) const {
  conn.vars = state_.vars;
  conn.collation = state_.collation;
}

bool SessionReplay::give_up_refused(const protocol::ErrPacket& err) {
  if (err.code != kSpecificAccessDenied || !state_.vars.erase("pseudo_thread_id")) return false;
  thread_id_unmapped_ = true;
  return true;
}

}  // namespace tessera::session
