// How a client session's state reaches the pooled connection it leases next
// (backend::BackendLease::acquire): the SET that replays its variables and character set, what
// the connection carries afterwards, and the one refusal the session can live without.
#pragma once
#include <string>

#include "backend/backend_lease.h"
#include "session/session_state.h"

namespace tessera::session {

class SessionReplay final : public backend::StateReplay {
 public:
  explicit SessionReplay(SessionState& state) : state_(state) {}

  std::string sync_statement(const backend::BackendConnection& conn) const override;
  void synced(backend::BackendConnection& conn) const override;
  // 1227 while pseudo_thread_id is replayed: the namespace's backend account may not set it
  // (it needs SUPER or BINLOG REPLAY), and a SET that fails its privilege check changes
  // nothing. The session stops replaying it; CONNECTION_ID() then reports the backend
  // thread's id (thread_id_unmapped()).
  bool give_up_refused(const protocol::ErrPacket& err) override;

  // The backend account may not set pseudo_thread_id: CONNECTION_ID() is the backend's.
  bool thread_id_unmapped() const { return thread_id_unmapped_; }

 private:
  SessionState& state_;
  bool thread_id_unmapped_ = false;
};

}  // namespace tessera::session
