// A client session's hold on one pooled backend connection, from acquiring it to giving it
// back. One kind for every use (the default slice, other slices, a replica, Tessera's own
// reads): the lease acquires from its pool (preferring the connection it held last: a warm
// server thread, no reset), selects the database, replays the session's state, and when a use
// ends keeps, releases or discards the connection under one rule (lease_rule.h). Failures come
// back as ERR packet values, never thrown: a server's refusal as the server sent it, a lost
// connection as 2013 naming the backend and the slice.
//
//   BackendLease lease("s1", &pool);
//   if (auto failure = co_await lease.acquire(options, db, &replay)) ... failure->err
//   co_await lease->query(...) / relay on lease->socket() ...
//   lease.end_use(facts);   // keep, release or discard
#pragma once
#include <asio/awaitable.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "backend/backend_connection.h"
#include "backend/lease_rule.h"
#include "protocol/response_packets.h"

namespace tessera::backend {

class ConnectionPool;

// The session's state a lease replays onto the connection it gets (its variables and character
// set). The session's state lives above backend/, so it comes in through this interface.
class StateReplay {
 public:
  virtual ~StateReplay() = default;
  // The statement that makes `conn` carry the session's state ("" when it does already).
  virtual std::string sync_statement(const BackendConnection& conn) const = 0;
  // That statement succeeded: note on `conn` what it now carries.
  virtual void synced(BackendConnection& conn) const = 0;
  // The server refused the statement with `err`. True when the session gave up what was
  // refused (the statement is then built and sent once more); false fails the lease.
  virtual bool give_up_refused(const protocol::ErrPacket& err) = 0;
};

// Why a lease holds no ready connection, and what it did with the one it had.
struct LeaseError {
  enum class Stage : uint8_t {
    kConnect,   // the pool gave none (refused, timed out, the namespace at its share): nothing
                // held, nothing ran
    kDatabase,  // the server refused the database: the connection is still held, unchanged
                // (the caller ends the use)
    kReplay,    // the server refused the session's state: the connection was closed
    kLost,      // the connection failed after it was got: closed
  };
  Stage stage = Stage::kConnect;
  protocol::ErrPacket err;
  // No connection was made (2003 refused, 2013 lost during the login): the statement
  // certainly did not run, so trying another instance is safe.
  bool not_connected() const;
};

class BackendLease {
 public:
  BackendLease() = default;
  // A lease of `slice`'s connections (the name goes into error messages) from `pool`.
  explicit BackendLease(std::string slice, ConnectionPool* pool = nullptr)
      : slice_(std::move(slice)), pool_(pool) {}
  // A connection still held is discarded: a lease dropped without end_use() was in the middle
  // of something.
  ~BackendLease();
  BackendLease(BackendLease&& other) noexcept;
  BackendLease& operator=(BackendLease&& other) noexcept;
  BackendLease(const BackendLease&) = delete;
  BackendLease& operator=(const BackendLease&) = delete;
  friend void swap(BackendLease& a, BackendLease& b) noexcept;

  // ---- the connection held (null when none) ----
  BackendConnection* get() const { return conn_.get(); }
  BackendConnection* operator->() const { return conn_.get(); }
  BackendConnection& operator*() const { return *conn_; }
  explicit operator bool() const { return conn_ != nullptr; }
  bool operator==(std::nullptr_t) const { return conn_ == nullptr; }
  // The pool the connection came from, or the next acquire takes from.
  ConnectionPool* pool() const { return pool_; }
  const std::string& slice() const { return slice_; }

  // Which slice the lease serves and the pool it takes from next. A connection held from
  // another pool is discarded first (a connection follows its pool, never the other way).
  void aim(std::string slice, ConnectionPool* pool);
  void aim(ConnectionPool* pool) { aim(slice_, pool); }

  // ---- getting a ready connection ----
  // Makes the lease hold a connection ready for the session's next statement: the one it holds,
  // else one from its pool (the one it held last if that is idle); then `db` selected (unless
  // empty) and the session's state replayed (`replay` null: Tessera's own use, nothing
  // replayed). nullopt when ready, else what failed (see LeaseError::Stage for what is held).
  asio::awaitable<std::optional<LeaseError>> acquire(const ConnectOptions& options,
                                                     const std::string& db, StateReplay* replay);
  // acquire() when it needs no waiting: the pool's ConnectionPool::take_own_idle, and nothing
  // to select or replay on it. False: call acquire() (which keeps a connection taken here).
  bool acquire_now(const ConnectOptions& options, const std::string& db, const StateReplay* replay);
  // The held connection needs nothing before the next statement (`db` selected, the state
  // replayed): acquire() would do nothing. Asked first on the hot path, where a coroutine that
  // does nothing still costs its frame.
  bool ready(const std::string& db, const StateReplay* replay) const;
  // Takes over a connection opened outside the pool for the pool's endpoint (a client's login
  // relayed to the server): ConnectionPool::adopt.
  void adopt(std::unique_ptr<BackendConnection> conn, const ConnectOptions& options);
  // Runs the caller's own steps on the held connection (status tracking, closing statements);
  // an exception they throw (a lost connection, a backend error) comes back as the ERR value
  // and the connection is discarded.
  asio::awaitable<std::optional<protocol::ErrPacket>> run(
      const std::function<asio::awaitable<void>(BackendConnection&)>& steps);
  // One statement of the caller's own on the held connection (BEGIN, a GTID wait), its
  // response consumed: the server's answer, or a lost connection as 2013 (then discarded).
  asio::awaitable<SimpleResult> query(std::string_view sql);

  // ---- the end of a use ----
  // The session's transaction includes this connection by Tessera's doing (SessionFacts::
  // in_transaction): set when Tessera sends BEGIN / XA START for it, cleared when the
  // transaction ends there, and by discard().
  bool joined_transaction() const { return joined_; }
  void set_joined_transaction(bool joined) { joined_ = joined; }
  // Applies end_of_use() to the held connection and the session's facts: keeps it, gives it
  // back to the pool (remembered as the one to prefer next time), or discards it. Returns what
  // it did (kRelease also when nothing was held).
  LeaseEnd end_use(const SessionFacts& session);
  // Closes the held connection, whatever ties the session to it (the session ends or starts
  // over, or the connection failed).
  void discard();
  // The next acquire prefers no connection (the session starts over: COM_RESET_CONNECTION,
  // COM_CHANGE_USER).
  void forget_last() { last_ = nullptr; }

  // The ERR a lost connection is reported with: 2013 naming the backend and the slice.
  protocol::ErrPacket lost_error(std::string_view what) const;

 private:
  // Carries out the rule's decision on the held connection.
  LeaseEnd apply(LeaseEnd end);
  void release();
  std::string slice_;
  ConnectionPool* pool_ = nullptr;
  std::unique_ptr<BackendConnection> conn_;
  // The connection held last, compared by identity only (never dereferenced): the pool hands
  // it back when it is idle.
  const BackendConnection* last_ = nullptr;
  bool joined_ = false;
};

}  // namespace tessera::backend
