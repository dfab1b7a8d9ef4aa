// One client session's distributed transaction in an `xa` namespace.
//
// Design (see README.md in this folder): every explicit transaction is an XA transaction from
// its first statement. The client's BEGIN reaches no backend; each slice the transaction
// touches joins with `XA START` on first use (the round trip a plain BEGIN would have cost).
// COMMIT then depends on how many participants wrote:
//   at most one  -> read-only participants end with `XA END; XA COMMIT .. ONE PHASE` first, then
//                   the writer the same way: one round trip each, as a plain COMMIT, no log;
//   two or more  -> `XA END; XA PREPARE` on all (in parallel), the decision made durable in the
//                   decision log, then `XA COMMIT` on all (in parallel).
// Any failure before the decision rolls every branch back and reports the original error
// (backend code and SQLSTATE kept, the slice named). After the decision the client hears
// success: a branch whose XA COMMIT failed stays prepared and recovery commits it.
//
// The session owns the backend connections; this object only names slices and asks the
// session for a slice's connection (ConnFor) when it needs one. A connection that broke is
// marked `broken` so the session's pool closes instead of reusing it.
#pragma once
#include <asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend_connection.h"
#include "protocol/response_packets.h"
#include "txn/txn_manager.h"
#include "txn/xid.h"

namespace tessera::txn {

// ER_LOCK_DEADLOCK: the server rolled the deadlock victim's transaction (its XA branch) back.
inline constexpr uint16_t kErLockDeadlock = 1213;

class SessionTxn {
 public:
  using ConnFor = std::function<backend::BackendConnection*(const std::string& slice)>;

  explicit SessionTxn(TxnManager& manager) : manager_(manager) {}

  bool open() const { return open_; }
  // Opens the transaction; nothing reaches a backend until a slice joins.
  void begin();
  bool has(const std::string& slice) const;
  size_t participants() const { return branches_.size(); }
  std::vector<std::string> slices() const;
  const std::string& gtrid() const { return gtrid_; }

  // `XA START` on `conn` for `slice`. nullopt: the slice takes part. Else the error for the
  // client; the slice does not take part (conn.broken is set if the connection failed).
  asio::awaitable<std::optional<protocol::ErrPacket>> join(const std::string& slice,
                                                           backend::BackendConnection& conn);
  // A statement that may have changed data ran on `slice`.
  void note_write(const std::string& slice);
  // The slice's connection broke: its server rolls the (unprepared) branch back itself.
  void lost(const std::string& slice);

  // COMMIT. nullopt: committed. Else the error to report; every branch was rolled back.
  // The transaction is closed either way.
  asio::awaitable<std::optional<protocol::ErrPacket>> commit(const ConnFor& conn_for);
  // ROLLBACK of every branch; closes the transaction.
  asio::awaitable<void> rollback(const ConnFor& conn_for);
  // Closes the transaction without a word to the backends: the caller discards every
  // participant's connection (their servers roll the branches back).
  void abandon();

 private:
  enum class State { kActive, kPrepared, kDone };
  struct Branch {
    std::string slice;
    Xid xid;
    bool wrote = false;
    State state = State::kActive;
  };
  Branch* find(const std::string& slice);
  asio::awaitable<std::optional<protocol::ErrPacket>> one_phase(Branch& b,
                                                                backend::BackendConnection* c);
  asio::awaitable<std::optional<protocol::ErrPacket>> prepare(Branch& b,
                                                              backend::BackendConnection* c);
  asio::awaitable<void> rollback_branch(Branch& b, backend::BackendConnection* c);
  asio::awaitable<void> rollback_all(const ConnFor& conn_for);
  asio::awaitable<std::optional<protocol::ErrPacket>> two_phase(const ConnFor& conn_for);
  void close();

  TxnManager& manager_;
  bool open_ = false;
  std::string gtrid_;
  std::vector<Branch> branches_;
};

}  // namespace tessera::txn
