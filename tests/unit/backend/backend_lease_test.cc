// BackendLease without a server: what a lease reports when its pool cannot give it a
// connection (a value, never an exception), and how it moves between the session's fields.
#include "backend/backend_lease.h"

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/use_future.hpp>

#include "backend/connection_pool.h"
#include "protocol/error_codes.h"

namespace tessera::backend {
namespace {

// A port nothing listens on: bound once by the kernel's choice, then closed.
uint16_t closed_port(asio::io_context& io) {
  asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  uint16_t port = a.local_endpoint().port();
  a.close();
  return port;
}

BackendEndpoint endpoint_at(uint16_t port) {
  BackendEndpoint e;
  e.host = "127.0.0.1";
  e.port = port;
  e.user = "nobody";
  return e;
}

// Runs lease.acquire() to its end on `io`.
std::optional<LeaseError> acquire(asio::io_context& io, BackendLease& lease) {
  ConnectOptions options;
  options.session = 7;
  const std::string db = "app";
  auto done = asio::co_spawn(io, lease.acquire(options, db, nullptr), asio::use_future);
  io.run();
  io.restart();
  return done.get();
}

TEST(BackendLease, RefusedConnectionIsAValueAndLeavesNothingHeld) {
  asio::io_context io;
  ConnectionPool pool(io.get_executor(), endpoint_at(closed_port(io)), PoolLimits{});
  BackendLease lease("s1", &pool);
  auto failure = acquire(io, lease);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->stage, LeaseError::Stage::kConnect);
  EXPECT_EQ(failure->err.code, protocol::errc::kBackendUnavailable.code);
  EXPECT_TRUE(failure->not_connected());  // safe to try another instance
  EXPECT_FALSE(lease);
  EXPECT_TRUE(lease == nullptr);
  EXPECT_EQ(pool.stats().open, 0u);  // the slot it took for the attempt is free again
}

TEST(BackendLease, ServerClosingBeforeItsGreetingIsNotConnected) {
  asio::io_context io;
  asio::ip::tcp::acceptor server(io,
                                 asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  server.async_accept([](std::error_code, asio::ip::tcp::socket s) { s.close(); });
  ConnectionPool pool(io.get_executor(), endpoint_at(server.local_endpoint().port()), PoolLimits{});
  BackendLease lease("s2", &pool);
  auto failure = acquire(io, lease);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->stage, LeaseError::Stage::kConnect);
  EXPECT_TRUE(failure->not_connected()) << failure->err.code << " " << failure->err.message;
  EXPECT_FALSE(lease);
  EXPECT_EQ(pool.stats().open, 0u);
}

TEST(BackendLease, WithoutPoolSaysWhichSliceHasNoBackend) {
  asio::io_context io;
  BackendLease lease("s3");
  auto failure = acquire(io, lease);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->stage, LeaseError::Stage::kConnect);
  EXPECT_NE(failure->err.message.find("s3"), std::string::npos) << failure->err.message;
}

TEST(BackendLease, PoolRefusalOtherThanConnectingIsTheAnswerNotARetry) {
  LeaseError share{LeaseError::Stage::kConnect,
                   protocol::ErrPacket(protocol::errc::kTooManyUserConnections, "share")};
  EXPECT_FALSE(share.not_connected());
  LeaseError lost_later{LeaseError::Stage::kLost,
                        protocol::ErrPacket(protocol::errc::kBackendLost, "lost")};
  EXPECT_FALSE(lost_later.not_connected());  // it may have run: never retried elsewhere
}

TEST(BackendLease, LostConnectionNamesBackendAndSlice) {
  asio::io_context io;
  ConnectionPool pool(io.get_executor(), endpoint_at(3399), PoolLimits{});
  BackendLease lease("slice-1", &pool);
  auto err = lease.lost_error("End of file");
  EXPECT_EQ(err.code, protocol::errc::kBackendLost.code);
  EXPECT_EQ(err.sqlstate, "08S01");
  EXPECT_EQ(err.message, "Lost connection to backend 127.0.0.1:3399 of slice slice-1: End of file");
}

TEST(BackendLease, MovesAndSwapsWithItsSliceAndPool) {
  asio::io_context io;
  ConnectionPool p1(io.get_executor(), endpoint_at(1), PoolLimits{});
  ConnectionPool p2(io.get_executor(), endpoint_at(2), PoolLimits{});
  BackendLease a("a", &p1);
  a.set_joined_transaction(true);
  BackendLease b(std::move(a));
  EXPECT_EQ(b.slice(), "a");
  EXPECT_EQ(b.pool(), &p1);
  EXPECT_TRUE(b.joined_transaction());
  EXPECT_EQ(a.pool(), nullptr);
  EXPECT_FALSE(a.joined_transaction());
  BackendLease c("c", &p2);
  swap(b, c);
  EXPECT_EQ(b.slice(), "c");
  EXPECT_EQ(b.pool(), &p2);
  EXPECT_EQ(c.slice(), "a");
  EXPECT_TRUE(c.joined_transaction());
  c.aim("d", &p2);
  EXPECT_EQ(c.slice(), "d");
  EXPECT_EQ(c.pool(), &p2);
  // Nothing held: ending a use or discarding is a no-op, and forgets the joined transaction.
  EXPECT_EQ(c.end_use(SessionFacts{}), LeaseEnd::kRelease);
  c.discard();
  EXPECT_FALSE(c.joined_transaction());
}

}  // namespace
}  // namespace tessera::backend
