// The compressed protocol's packets (protocol/compression.h) and a PacketSocket switched to it,
// over a real loopback TCP connection. Expected bytes are built with zlib directly, not with the
// encoder under test.
#include <gtest/gtest.h>
#include <zlib.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/read.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <random>
#include <thread>

#include "protocol/compression.h"
#include "protocol/packet_socket.h"

#include "run_coroutine.h"

namespace tessera::protocol {
namespace {

std::string header7(size_t clen, uint8_t seq, size_t ulen) {
  std::string h(7, '\0');
  h[0] = static_cast<char>(clen & 0xff);
  h[1] = static_cast<char>((clen >> 8) & 0xff);
  h[2] = static_cast<char>((clen >> 16) & 0xff);
  h[3] = static_cast<char>(seq);
  h[4] = static_cast<char>(ulen & 0xff);
  h[5] = static_cast<char>((ulen >> 8) & 0xff);
  h[6] = static_cast<char>((ulen >> 16) & 0xff);
  return h;
}

std::string deflated(std::string_view plain) {
  uLongf len = compressBound(static_cast<uLong>(plain.size()));
  std::string out(len, '\0');
  EXPECT_EQ(compress(reinterpret_cast<Bytef*>(out.data()), &len,
                     reinterpret_cast<const Bytef*>(plain.data()), plain.size()),
            Z_OK);
  out.resize(len);
  return out;
}

// A compressed packet holding `plain` deflated (as a client would send it).
std::string zpacket(std::string_view plain, uint8_t seq) {
  std::string z = deflated(plain);
  return header7(z.size(), seq, plain.size()) + z;
}

std::string stored_packet(std::string_view plain, uint8_t seq) {
  return header7(plain.size(), seq, 0) + std::string(plain);
}

// As a client sends it: deflated when that makes it smaller, else stored.
std::string client_packet(std::string_view plain, uint8_t seq) {
  std::string z = deflated(plain);
  if (z.size() < plain.size()) return header7(z.size(), seq, plain.size()) + z;
  return stored_packet(plain, seq);
}

std::string random_bytes(size_t n, unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// Every packet of `wire` inflated, with its compressed sequence ids.
std::string inflate_all(std::string_view wire, std::vector<uint8_t>* seqs = nullptr) {
  std::string plain;
  while (!wire.empty()) {
    uint8_t seq = 0;
    auto took = take_compressed_packet(wire, kMaxCompressedPayload, plain, seq);
    EXPECT_TRUE(took.has_value());
    if (!took) break;
    if (seqs) seqs->push_back(seq);
    wire.remove_prefix(*took);
  }
  return plain;
}

TEST(Compression, ShortPayloadIsStored) {
  std::string out;
  uint8_t seq = 5;
  append_compressed(out, "select 1", seq);
  EXPECT_EQ(seq, 6);
  EXPECT_EQ(out, header7(8, 5, 0) + "select 1");
}

TEST(Compression, CompressiblePayloadIsDeflated) {
  std::string plain(10000, 'a');
  std::string out;
  uint8_t seq = 0;
  append_compressed(out, plain, seq);
  CompressedHeader h = decode_compressed_header(out.data());
  EXPECT_EQ(h.uncompressed_length, plain.size());
  EXPECT_EQ(h.compressed_length, out.size() - kCompressedHeaderSize);
  EXPECT_LT(h.compressed_length, 200u);
  std::string back(plain.size(), '\0');
  uLongf len = back.size();
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(back.data()), &len,
                       reinterpret_cast<const Bytef*>(out.data() + 7), h.compressed_length),
            Z_OK);
  EXPECT_EQ(back, plain);
}

TEST(Compression, IncompressiblePayloadIsStored) {
  std::string plain = random_bytes(4096);
  std::string out;
  uint8_t seq = 9;
  append_compressed(out, plain, seq);
  EXPECT_EQ(out, stored_packet(plain, 9));
}

TEST(Compression, OverSixteenMiBSpansPacketsWithRisingIds) {
  std::string plain(kMaxCompressedPayload * 2 + 10, 'q');
  std::string out;
  uint8_t seq = 254;
  append_compressed(out, plain, seq);
  EXPECT_EQ(seq, 1);  // three packets, the id wraps
  std::vector<uint8_t> seqs;
  EXPECT_EQ(inflate_all(out, &seqs), plain);
  EXPECT_EQ(seqs, (std::vector<uint8_t>{254, 255, 0}));
}

TEST(Compression, TakesNothingUntilThePacketHasArrived) {
  std::string wire = zpacket(std::string(500, 'x'), 3);
  std::string plain;
  uint8_t seq = 0;
  for (size_t n = 0; n < wire.size(); ++n) {
    EXPECT_FALSE(take_compressed_packet(std::string_view(wire).substr(0, n), 1000, plain, seq));
    if (n >= 7) {
      EXPECT_EQ(seq, 3);
    }
  }
  EXPECT_TRUE(plain.empty());
  auto took = take_compressed_packet(wire + "trailing", 1000, plain, seq);
  ASSERT_TRUE(took);
  EXPECT_EQ(*took, wire.size());
  EXPECT_EQ(plain, std::string(500, 'x'));
}

TEST(Compression, EmptyPacketIsNoBytes) {
  std::string plain;
  uint8_t seq = 0;
  auto took = take_compressed_packet(header7(0, 1, 0), 100, plain, seq);
  ASSERT_TRUE(took);
  EXPECT_EQ(*took, 7u);
  EXPECT_TRUE(plain.empty());
}

TEST(Compression, OverTheLimitIsRefusedFromTheHeaderAlone) {
  std::string plain;
  uint8_t seq = 0;
  // Deflated: the uncompressed length counts, whatever the payload's size.
  EXPECT_THROW(take_compressed_packet(header7(20, 4, 1001), 1000, plain, seq), PacketTooLarge);
  EXPECT_EQ(seq, 4);
  // Stored: its own length.
  EXPECT_THROW(take_compressed_packet(header7(1001, 5, 0), 1000, plain, seq), PacketTooLarge);
  try {
    take_compressed_packet(header7(30, 6, 0xffffff), 1 << 20, plain, seq);
    FAIL();
  } catch (const PacketTooLarge& e) {
    EXPECT_EQ(e.seq, 6);
  }
  EXPECT_TRUE(plain.empty());
  // At the limit: accepted.
  EXPECT_TRUE(take_compressed_packet(stored_packet(std::string(1000, 'a'), 0), 1000, plain, seq));
}

TEST(Compression, PayloadLargerThanZlibCouldMakeIsRefusedBeforeItArrives) {
  std::string plain;
  uint8_t seq = 0;
  EXPECT_THROW(take_compressed_packet(header7(100000, 0, 60), 1 << 20, plain, seq),
               UncompressFailed);
}

TEST(Compression, GarbageAndWrongLengthsAreRefused) {
  std::string plain;
  uint8_t seq = 0;
  std::string junk = random_bytes(80, 3);
  EXPECT_THROW(take_compressed_packet(header7(junk.size(), 0, 100) + junk, 1000, plain, seq),
               UncompressFailed);
  std::string body(300, 'b');
  std::string z = deflated(body);
  // Announced shorter than it inflates to, and longer.
  EXPECT_THROW(take_compressed_packet(header7(z.size(), 0, 299) + z, 1000, plain, seq),
               UncompressFailed);
  EXPECT_THROW(take_compressed_packet(header7(z.size(), 0, 301) + z, 1000, plain, seq),
               UncompressFailed);
  // Truncated deflate stream.
  std::string cut = z.substr(0, z.size() - 3);
  EXPECT_THROW(take_compressed_packet(header7(cut.size(), 0, 300) + cut, 1000, plain, seq),
               UncompressFailed);
  // A deflated packet with no payload at all.
  EXPECT_THROW(take_compressed_packet(header7(0, 0, 10), 1000, plain, seq), UncompressFailed);
  EXPECT_TRUE(plain.empty());
  EXPECT_TRUE(take_compressed_packet(header7(z.size(), 0, 300) + z, 1000, plain, seq));
  EXPECT_EQ(plain, body);
}

// A PacketSocket on the accepting end of a loopback connection, switched to compression; the
// test drives the other end with raw bytes.
class CompressedSocket : public ::testing::Test {
 protected:
  void SetUp() override {
    asio::ip::tcp::acceptor acceptor(io_, {asio::ip::make_address("127.0.0.1"), 0});
    peer_.connect(acceptor.local_endpoint());
    server_ = std::make_unique<PacketSocket>(acceptor.accept());
    server_->start_compression();
  }

  // Joins a helper thread even when the test body ends by an exception.
  struct Joiner {
    std::thread& t;
    ~Joiner() {
      if (t.joinable()) t.join();
    }
  };

  template <typename F>
  void run(F body) {
    test_support::run_coroutine(io_, std::move(body));
  }

  void send(const std::string& bytes) { asio::write(peer_, asio::buffer(bytes)); }

  // One compressed packet from the server, inflated.
  std::string receive(uint8_t& seq) {
    std::string h(7, '\0');
    asio::read(peer_, asio::buffer(h.data(), 7));
    CompressedHeader ch = decode_compressed_header(h.data());
    std::string body(ch.compressed_length, '\0');
    asio::read(peer_, asio::buffer(body.data(), body.size()));
    std::string plain;
    EXPECT_TRUE(take_compressed_packet(h + body, kMaxCompressedPayload, plain, seq));
    return plain;
  }

  asio::io_context io_;
  asio::ip::tcp::socket peer_{io_};
  std::unique_ptr<PacketSocket> server_;
};

std::string frames(std::string_view payload, uint8_t seq) {
  std::string out;
  append_frames(out, payload, seq);
  return out;
}

TEST_F(CompressedSocket, SeveralPacketsInOneAndOneOverSeveral) {
  // Two commands in one compressed packet, then one split over three compressed packets (the
  // split falls inside a frame header too).
  std::string two = frames("\x03select 1", 0) + frames("\x03select 2", 0);
  std::string big = frames("\x03" + std::string(1000, 'z'), 0);
  send(zpacket(two, 0) + stored_packet(big.substr(0, 2), 0) + zpacket(big.substr(2, 500), 1) +
       stored_packet(big.substr(502), 2));
  run([&]() -> asio::awaitable<void> {
    std::string p;
    uint8_t seq = 9;
    co_await server_->read_packet(p, seq, 0);
    EXPECT_EQ(p, "\x03select 1");
    co_await server_->read_packet(p, seq, 0);
    EXPECT_EQ(p, "\x03select 2");
    co_await server_->read_packet(p, seq, 0);
    EXPECT_EQ(p, "\x03" + std::string(1000, 'z'));
    // The answer continues the compressed ids after the last one read.
    uint8_t out_seq = 1;
    const std::string answer(200, 'r');
    co_await server_->write_packet(answer, out_seq);
  });
  uint8_t cseq = 0;
  EXPECT_EQ(receive(cseq), frames(std::string(200, 'r'), 1));
  EXPECT_EQ(cseq, 3);
}

TEST_F(CompressedSocket, PacketsOverSixteenMiBBothWays) {
  // Incompressible bytes (stored packets) and then compressible ones (deflated).
  std::string payload = "\x03" + random_bytes(kMaxFramePayload / 2, 11) +
                        std::string(kMaxFramePayload / 2 + 1000, 'd');
  std::string wire = frames(payload, 0);
  // As a client sends it: compressed packets of at most 16 MiB - 1 plain bytes.
  std::string out;
  for (size_t at = 0, seq = 0; at < wire.size(); at += kMaxCompressedPayload, ++seq) {
    std::string part = wire.substr(at, kMaxCompressedPayload);
    out += client_packet(part, static_cast<uint8_t>(seq));
  }
  std::thread writer([&] { send(out); });
  Joiner join_writer{writer};
  std::string got;
  run([&]() -> asio::awaitable<void> {
    uint8_t seq = 0;
    co_await server_->read_packet(got, seq, 0);
  });
  writer.join();
  EXPECT_TRUE(got == payload);
  // And back: the peer reassembles what the server writes.
  std::string reply = random_bytes(kMaxFramePayload + 5, 12);
  std::string received;
  std::thread reader([&] {
    std::string plain;
    uint8_t cseq = 0;
    uint8_t expect = 2;  // after the two compressed packets read
    while (plain.size() < reply.size() + 2 * kFrameHeaderSize) {
      plain += receive(cseq);
      EXPECT_EQ(cseq, expect++);
    }
    received = plain;
  });
  Joiner join_reader{reader};
  run([&]() -> asio::awaitable<void> {
    uint8_t seq = 1;
    co_await server_->write_packet(reply, seq);
  });
  reader.join();
  EXPECT_TRUE(received == frames(reply, 1));
}

TEST_F(CompressedSocket, OversizedHeaderIsRefusedBeforeThePayload) {
  server_->set_max_packet_size(64 * 1024);
  send(header7(100, 0, 5 * 1024 * 1024));  // the payload never comes
  EXPECT_THROW(run([&]() -> asio::awaitable<void> {
                 std::string p;
                 uint8_t seq = 0;
                 co_await server_->read_packet(p, seq, 0);
               }),
               PacketTooLarge);
}

TEST_F(CompressedSocket, InnerPacketOverTheLimitIsRefused) {
  // Each compressed packet is small, the packet they carry is not.
  server_->set_max_packet_size(64 * 1024);
  std::string wire = frames(std::string(100 * 1024, 'x'), 0);
  send(stored_packet(wire.substr(0, 1000), 0));
  EXPECT_THROW(run([&]() -> asio::awaitable<void> {
                 std::string p;
                 uint8_t seq = 0;
                 co_await server_->read_packet(p, seq, 0);
               }),
               PacketTooLarge);
}

TEST_F(CompressedSocket, GarbageIsAnUncompressError) {
  std::string junk = random_bytes(100, 5);
  send(header7(junk.size(), 0, 400) + junk);
  EXPECT_THROW(run([&]() -> asio::awaitable<void> {
                 std::string p;
                 uint8_t seq = 0;
                 co_await server_->read_packet(p, seq, 0);
               }),
               UncompressFailed);
}

TEST_F(CompressedSocket, PeerClosingMidPacketEndsTheRead) {
  std::string z = zpacket(frames("\x03" + std::string(3000, 'k'), 0), 0);
  send(z.substr(0, z.size() / 2));
  peer_.close();
  EXPECT_THROW(run([&]() -> asio::awaitable<void> {
                 std::string p;
                 uint8_t seq = 0;
                 co_await server_->read_packet(p, seq, 0);
               }),
               std::system_error);
}

}  // namespace
}  // namespace tessera::protocol
