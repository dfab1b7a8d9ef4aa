// Stops one client statement on the backend connections it runs on: when the statement
// outlives max_sql_execute_time (the timer), or at once when the proxy has already answered
// (a result cut at max_sql_result_size), every watched connection gets KILL QUERY from a fresh
// connection (backend/kill_query.h). The session keeps reading each killed connection's
// response to its end, so the connection stays usable; if the kill cannot be delivered, or
// the server does not stop within a grace period, the connection's socket is closed so the
// session's read ends anyway (and the connection is discarded).
//
// Life cycle, all on the session's worker thread:
//   StatementWatchdog w(ex, limit);   // limit 0 = no timer, only fire_now()
//   w.watch(conn); ... read the response ...
//   co_await w.release(conn);         // unwatch; if a kill went out, wait for it and check
//                                     // the connection (marks it broken when in doubt)
// A connection must not go back to the pool between watch() and release(): a KILL QUERY
// arriving late would hit whatever statement ran there next.
#pragma once
#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <memory>

#include "backend/backend_connection.h"

namespace tessera::backend {

class StatementWatchdog {
 public:
  StatementWatchdog(asio::any_io_executor ex, std::chrono::milliseconds limit);
  ~StatementWatchdog();  // disarms: nothing is killed after this
  StatementWatchdog(const StatementWatchdog&) = delete;
  StatementWatchdog& operator=(const StatementWatchdog&) = delete;

  void watch(BackendConnection& conn);
  // Stops the statement now (the client already has its answer); idempotent.
  void fire_now();
  // True once the limit passed (not for fire_now()).
  bool timed_out() const;
  // True once any kill was started (timer or fire_now()).
  bool fired() const;
  std::chrono::milliseconds limit() const { return limit_; }

  // Stops watching `conn`; when a kill was sent, waits for it and then proves the connection
  // clean with a trivial statement (a KILL QUERY that reached an idle connection can fail the
  // next statement). A connection in doubt is marked broken so the pool closes it.
  asio::awaitable<void> release(BackendConnection& conn);

  struct State;  // shared with the timer and kill coroutines, which may outlive this object

 private:
  std::shared_ptr<State> state_;
  std::chrono::milliseconds limit_;
};

}  // namespace tessera::backend
