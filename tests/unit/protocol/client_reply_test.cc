// The reply to a client command (protocol/client_reply.h), byte for byte: result endings in
// both forms (EOF, CLIENT_DEPRECATE_EOF), sequence ids, relayed OKs and their session-state
// blocks, column definitions, discard mode, and what flush writes to a real loopback socket.
#include "protocol/client_reply.h"

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "protocol/column_definition.h"
#include "protocol/constants.h"
#include "protocol/framing.h"

#include "json_column.h"
#include "run_coroutine.h"

namespace tessera::protocol {
namespace {

using namespace std::string_literals;

// A ClientReply on the accepting end of a loopback connection; the test reads the other end.
class ClientReplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    asio::ip::tcp::acceptor acceptor(io_, {asio::ip::make_address("127.0.0.1"), 0});
    peer_.connect(acceptor.local_endpoint());
    socket_ = std::make_unique<PacketSocket>(acceptor.accept());
    reply_ = std::make_unique<ClientReply>(*socket_);
  }

  template <typename F>
  void run(F body) {
    test_support::run_coroutine(io_, std::move(body));
  }

  // `n` bytes the client received.
  std::string receive(size_t n) {
    std::string got(n, '\0');
    asio::read(peer_, asio::buffer(got.data(), n));
    return got;
  }

  asio::io_context io_;
  asio::ip::tcp::socket peer_{io_};
  std::unique_ptr<PacketSocket> socket_;
  std::unique_ptr<ClientReply> reply_;
};

// One frame: 3-byte length, sequence id, payload.
std::string frame(std::string_view payload, uint8_t seq) {
  std::string out;
  out += static_cast<char>(payload.size() & 0xff);
  out += static_cast<char>((payload.size() >> 8) & 0xff);
  out += static_cast<char>((payload.size() >> 16) & 0xff);
  out += static_cast<char>(seq);
  out += payload;
  return out;
}

constexpr uint32_t kClassic = cap::kProtocol41;  // EOF packets, no session tracking
constexpr uint32_t kModern = cap::kProtocol41 | cap::kDeprecateEof | cap::kSessionTrack;

// A session-state block as a backend with Tessera's own tracking sends it: autocommit changed,
// then the state-change flag.
const std::string kState =
    "\x00\x0f\x0a"
    "autocommit\x03OFF\x02\x01\x31"s;

OkPacket ok_with_state() {
  OkPacket ok;
  ok.affected_rows = 1;
  ok.status_flags = status::kAutocommit | status::kSessionStateChanged;
  ok.session_state = kState;
  return ok;
}

TEST_F(ClientReplyTest, ResultEndIsAnEofPacketForAClassicClient) {
  reply_->set_capabilities(kClassic, 0);
  reply_->begin_command(1);
  uint8_t seq = reply_->restart();
  EXPECT_EQ(seq, 1);
  // SERVER_SESSION_STATE_CHANGED only reaches a client that tracks state.
  reply_->emit_result_end(3, status::kAutocommit | status::kSessionStateChanged, nullptr, {}, seq);
  EXPECT_EQ(seq, 2);
  EXPECT_EQ(reply_->queued_bytes(), frame("\xfe\x03\x00\x02\x00"s, 1));
}

TEST_F(ClientReplyTest, EofKeepsTheStateFlagForAClientThatTracksState) {
  reply_->set_capabilities(kClassic | cap::kSessionTrack, 0);
  reply_->begin_command(4);
  uint8_t seq = reply_->restart();
  reply_->emit_result_end(0, status::kAutocommit | status::kSessionStateChanged, nullptr, {}, seq);
  EXPECT_EQ(reply_->queued_bytes(), frame("\xfe\x00\x00\x02\x40"s, 4));
}

TEST_F(ClientReplyTest, ResultEndIsAnOkWithTheEofHeaderUnderDeprecateEof) {
  reply_->set_capabilities(cap::kProtocol41 | cap::kDeprecateEof, 0);
  reply_->begin_command(7);
  uint8_t seq = reply_->restart();
  reply_->emit_result_end(2, status::kAutocommit, nullptr, {}, seq);
  // header 0xfe, affected rows 0, insert id 0, status, warnings
  EXPECT_EQ(reply_->queued_bytes(), frame("\xfe\x00\x00\x02\x00\x02\x00"s, 7));
  EXPECT_EQ(seq, 8);
}

TEST_F(ClientReplyTest, DeprecateEofEndsWithTheBackendsOwnOkFiltered) {
  reply_->set_capabilities(kModern, 0);
  reply_->begin_command(1);
  uint8_t seq = reply_->restart();
  OkPacket end = ok_with_state();
  end.header = kEofHeader;
  const std::string raw = end.encode(kModern);
  // Tracking nothing: the block goes, and with it the flag.
  const TrackingSettings none = TrackingSettings::from_server("", "0", "0", "OFF");
  reply_->emit_result_end(0, 0, &end, raw, seq, &none);
  EXPECT_EQ(reply_->queued_bytes(), frame("\xfe\x01\x00\x02\x00\x00\x00"s, 1));
}

TEST_F(ClientReplyTest, OkWithoutSessionTrackIsReEncodedWithoutTheState) {
  reply_->set_capabilities(kClassic, 0);
  reply_->begin_command(1);
  uint8_t seq = reply_->restart();
  const OkPacket ok = ok_with_state();
  const TrackingSettings all = TrackingSettings::from_server("*", "ON", "ON", "STATE");
  reply_->emit_ok(ok, ok.encode(kModern), seq, &all);
  EXPECT_EQ(reply_->queued_bytes(), frame("\x00\x01\x00\x02\x00\x00\x00"s, 1));
}

TEST_F(ClientReplyTest, OkRelayedAsReceivedWhenNothingIsFilteredOut) {
  reply_->set_capabilities(kModern, 0);
  const OkPacket ok = ok_with_state();
  const std::string raw = ok.encode(kModern);
  const TrackingSettings all = TrackingSettings::from_server("*", "ON", "ON", "STATE");
  for (const TrackingSettings* tracking : {&all, static_cast<const TrackingSettings*>(nullptr)}) {
    reply_->begin_command(1);
    uint8_t seq = reply_->restart();
    reply_->emit_ok(ok, raw, seq, tracking);
    EXPECT_EQ(reply_->queued_bytes(), frame(raw, 1));
  }
}

TEST_F(ClientReplyTest, OkStateCutToWhatTheClientsSessionTracks) {
  reply_->set_capabilities(kModern, 0);
  reply_->begin_command(1);
  uint8_t seq = reply_->restart();
  const OkPacket ok = ok_with_state();
  // autocommit tracked, the state-change flag not: the autocommit entry alone is left.
  const TrackingSettings some = TrackingSettings::from_server("autocommit", "1", "0", "OFF");
  reply_->emit_ok(ok, ok.encode(kModern), seq, &some);
  const std::string entry =
      "\x00\x0f\x0a"
      "autocommit\x03OFF"s;
  std::string want = "\x00\x01\x00\x02\x40\x00\x00\x00"s;  // ... status, warnings, info ""
  want += static_cast<char>(entry.size());
  want += entry;
  EXPECT_EQ(reply_->queued_bytes(), frame(want, 1));
}

TEST_F(ClientReplyTest, ColumnDefinitionsLoseExtendedTypeInfoUnlessAskedFor) {
  const ColumnDefinition c = json_column();
  const std::string with = c.encode(true);

  reply_->set_capabilities(kModern, 0);
  reply_->begin_command(2);
  uint8_t seq = reply_->restart();
  reply_->emit_column(with, seq, true);
  EXPECT_EQ(reply_->queued_bytes(), frame(c.encode(false), 2));

  reply_->set_capabilities(kModern, mariadb_cap::kExtendedTypeInfo);
  seq = reply_->restart();
  reply_->emit_column(with, seq, true);
  EXPECT_EQ(reply_->queued_bytes(), frame(with, 2));

  // A backend without extended type info: passed as it is.
  reply_->set_capabilities(kModern, 0);
  seq = reply_->restart();
  reply_->emit_column(c.encode(false), seq, false);
  EXPECT_EQ(reply_->queued_bytes(), frame(c.encode(false), 2));

  seq = reply_->restart();
  EXPECT_THROW(reply_->emit_column("\x03"
                                   "de"s,
                                   seq, true),
               ProtocolViolation);
}

TEST_F(ClientReplyTest, SequenceIdsFollowTheCommandAndRestartDropsWhatIsQueued) {
  reply_->set_capabilities(kModern, 0);
  reply_->begin_command(5);
  uint8_t seq = reply_->restart();
  reply_->emit("a", seq);
  reply_->emit("b", seq);
  EXPECT_EQ(reply_->queued_bytes(), frame("a", 5) + frame("b", 6));
  EXPECT_EQ(reply_->restart(), 5);
  EXPECT_EQ(reply_->queued(), 0u);
  // Sequence ids wrap at 256.
  seq = 255;
  reply_->emit("c", seq);
  EXPECT_EQ(seq, 0);
  EXPECT_EQ(reply_->queued_bytes(), frame("c", 255));
}

TEST_F(ClientReplyTest, DiscardModeDropsPacketsAndFramesButNotWholeReplies) {
  reply_->set_capabilities(kModern, 0);
  reply_->begin_command(1);
  uint8_t seq = reply_->restart();
  reply_->set_discard(true);
  EXPECT_TRUE(reply_->discarding());
  reply_->emit("row", seq);
  reply_->emit_frame("part", seq);
  reply_->emit_result_end(0, status::kAutocommit, nullptr, {}, seq);
  EXPECT_EQ(reply_->queued(), 0u);
  EXPECT_EQ(seq, 1);  // nothing numbered either
  run([&]() -> asio::awaitable<void> {
    co_await reply_->send_error(ErrPacket(ErrorCode{1317, "70100"}, "stopped"));
  });
  const std::string err = ErrPacket(ErrorCode{1317, "70100"}, "stopped").encode();
  EXPECT_EQ(receive(err.size() + 4), frame(err, 1));
  reply_->set_discard(false);
  reply_->emit("row", seq);
  EXPECT_EQ(reply_->queued_bytes(), frame("row", 1));
}

TEST_F(ClientReplyTest, WireOfWholeFramesIsWhatEmitGivesEachPacket) {
  // Frames as a backend numbered them, passed on in one copy: the same bytes as each payload
  // emitted on its own, sequence ids renumbered from the reply's (wrapping at 256).
  std::vector<std::string> payloads = {"", "a", std::string(300, 'b'), "\xfb\x03\xe4\xb8\x96"s,
                                       std::string(70000, 'c')};
  for (int i = 0; i < 300; ++i) payloads.push_back(std::to_string(i));
  std::string wire;
  uint8_t backend_seq = 3;
  for (const auto& p : payloads) append_frames(wire, p, backend_seq);
  reply_->set_capabilities(kClassic, 0);
  reply_->begin_command(200);
  uint8_t bulk = reply_->restart();
  reply_->emit("x", bulk);
  reply_->emit_wire(wire, bulk);
  reply_->emit("y", bulk);
  // (What emit() gives each payload.)
  uint8_t again = 200;
  std::string want = frame("x", again++);
  for (const auto& p : payloads) want += frame(p, again++);
  want += frame("y", again);
  EXPECT_EQ(reply_->queued_bytes(), want);
  EXPECT_EQ(bulk, static_cast<uint8_t>(again + 1));
  EXPECT_EQ(bulk, static_cast<uint8_t>(200 + 1 + payloads.size() + 1));
  // Discard mode drops them, numbering nothing.
  uint8_t dropped = reply_->restart();
  reply_->set_discard(true);
  reply_->emit_wire(wire, dropped);
  EXPECT_EQ(reply_->queued(), 0u);
  EXPECT_EQ(dropped, 200);
  reply_->set_discard(false);
}

TEST_F(ClientReplyTest, EofWrittenInPlaceIsTheEncodedEof) {
  reply_->begin_command(1);
  uint8_t seq = reply_->restart();
  reply_->emit_eof(0x1234, 0xab02, seq);
  reply_->emit_eof(0, status::kAutocommit, seq);
  EXPECT_EQ(reply_->queued_bytes(), frame(EofPacket{0x1234, 0xab02}.encode(), 1) +
                                        frame(EofPacket{0, status::kAutocommit}.encode(), 2));
  reply_->set_discard(true);
  reply_->emit_eof(0, 0, seq);
  EXPECT_EQ(seq, 3);
  reply_->set_discard(false);
}

TEST_F(ClientReplyTest, EmitFrameWritesOneFrameOfABiggerPacket) {
  reply_->begin_command(1);
  uint8_t seq = reply_->restart();
  const std::string part(1000, 'x');
  reply_->emit_frame(part, seq);
  reply_->emit_frame("", seq);
  EXPECT_EQ(reply_->queued_bytes(), frame(part, 1) + frame("", 2));
}

TEST_F(ClientReplyTest, FlushWritesWhatIsQueuedAndCountsItSent) {
  reply_->set_capabilities(kModern, 0);
  reply_->begin_command(1);
  uint8_t seq = reply_->restart();
  EXPECT_FALSE(reply_->sent());
  run([&]() -> asio::awaitable<void> { co_await reply_->flush(); });
  EXPECT_FALSE(reply_->sent());  // nothing queued, nothing written
  reply_->emit("hello", seq);
  run([&]() -> asio::awaitable<void> { co_await reply_->flush(); });
  EXPECT_TRUE(reply_->sent());
  EXPECT_EQ(reply_->queued(), 0u);
  EXPECT_EQ(receive(9), frame("hello", 1));
  reply_->begin_command(3);
  EXPECT_FALSE(reply_->sent());
  reply_->emit("x", seq);
  run([&]() -> asio::awaitable<void> { co_await reply_->flush(); });
  reply_->forget_sent();
  EXPECT_FALSE(reply_->sent());
  EXPECT_EQ(receive(5), frame("x", 2));
}

TEST_F(ClientReplyTest, WantsFlushPastTheThreshold) {
  reply_->begin_command(1);
  uint8_t seq = reply_->restart();
  const std::string row(1000, 'r');
  while (reply_->queued() + row.size() + 4 < ClientReply::kFlushThreshold) {
    reply_->emit(row, seq);
    EXPECT_FALSE(reply_->wants_flush());
  }
  reply_->emit(row, seq);
  EXPECT_TRUE(reply_->wants_flush());
  reply_->restart();
  EXPECT_FALSE(reply_->wants_flush());
}

TEST_F(ClientReplyTest, SendOkAndErrorReplaceWhatIsQueued) {
  reply_->set_capabilities(kModern, 0);
  reply_->begin_command(1);
  uint8_t seq = reply_->restart();
  reply_->emit("unsent rows", seq);
  OkPacket ok;
  ok.status_flags = status::kAutocommit;
  run([&]() -> asio::awaitable<void> { co_await reply_->send_ok(ok); });
  EXPECT_EQ(receive(11), frame("\x00\x00\x00\x02\x00\x00\x00"s, 1));
  // An explicit sequence id (a login's replies, an ERR in place of the next row).
  const ErrPacket err(ErrorCode{2013, "HY000"}, "lost");
  run([&]() -> asio::awaitable<void> { co_await reply_->send_error(err, 9); });
  const std::string payload = "\xff\xdd\x07#HY000lost"s;
  EXPECT_EQ(err.encode(), payload);
  EXPECT_EQ(receive(payload.size() + 4), frame(payload, 9));
}

TEST_F(ClientReplyTest, SendResultStartsAtTheFirstSequenceId) {
  reply_->set_capabilities(kModern, 0);
  reply_->begin_command(2);
  TextResultBuilder b(kModern, status::kAutocommit);
  b.add_column(ColumnDefinition::text("v"));
  b.add_row({std::string("x")});
  std::string want;
  uint8_t seq = 2;
  b.finish(want, seq);
  run([&]() -> asio::awaitable<void> { co_await reply_->send_result(b); });
  EXPECT_EQ(receive(want.size()), want);
}

TEST_F(ClientReplyTest, ErrorSlotOnlyBetweenWholePackets) {
  EXPECT_FALSE(reply_->take_error_slot());
  reply_->waiting(false, 4);  // inside a packet: no ERR can take its place
  EXPECT_FALSE(reply_->take_error_slot());
  reply_->waiting(true, 4);
  reply_->done_waiting();
  EXPECT_FALSE(reply_->take_error_slot());
  reply_->waiting(true, 6);
  EXPECT_EQ(reply_->take_error_slot(), std::optional<uint8_t>(6));
  EXPECT_FALSE(reply_->take_error_slot());  // taken once
}

TEST_F(ClientReplyTest, EndCommandFreesABigBuffer) {
  reply_->begin_command(1);
  uint8_t seq = reply_->restart();
  reply_->emit(std::string(2 * ClientReply::kKeptCapacity, 'b'), seq);
  reply_->restart();
  reply_->end_command();
  // (Nothing observable but the capacity: a reply after it still works.)
  reply_->emit("s", seq);
  EXPECT_EQ(reply_->queued(), 5u);
}

}  // namespace
}  // namespace tessera::protocol
