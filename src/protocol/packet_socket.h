// A TCP (optionally TLS) connection that speaks MySQL frames. Reads land in
// one growable buffer; frames are handed out as views into it so results can
// be forwarded without copying each packet. Used for both client and backend
// connections.
#pragma once
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "protocol/framing.h"

namespace tessera::protocol {

struct Frame {
  uint8_t seq = 0;
  std::string_view payload;  // valid until the next read or consume
  size_t wire_size() const { return payload.size() + kFrameHeaderSize; }
  const char* wire_begin() const { return payload.data() - kFrameHeaderSize; }
};

class PacketSocket {
 public:
  explicit PacketSocket(asio::ip::tcp::socket socket);
  ~PacketSocket();
  PacketSocket(const PacketSocket&) = delete;
  PacketSocket& operator=(const PacketSocket&) = delete;

  asio::ip::tcp::socket& socket() { return socket_; }
  bool is_open() const { return socket_.is_open(); }
  void close();
  bool tls_active() const { return tls_ != nullptr; }

  // Upgrades to TLS after an SSL request (server side) or before sending
  // the handshake response (client side).
  asio::awaitable<void> start_tls_server(asio::ssl::context& ctx);
  asio::awaitable<void> start_tls_client(asio::ssl::context& ctx);

  // CLIENT_COMPRESS agreed (server side: after the OK that ends authentication): from here on
  // every byte read and written travels in compressed packets (protocol/compression.h), inside
  // TLS when that is on. Frames, packets and their sequence ids above are unchanged; the
  // compressed packets carry their own sequence ids: a write continues from the id of the
  // compressed packet read last, as the server numbers its answers.
  void start_compression() { compressed_ = true; }
  bool compressed() const { return compressed_; }

  // Reads take no byte past the frame being read. Needed for the packet before an SSL request
  // is answered: a client may send its TLS ClientHello right behind it, and those bytes must
  // stay in the socket for the TLS stream (one buffered here would be lost and the handshake
  // would hang).
  void set_exact_reads(bool on) { exact_reads_ = on; }

  // Largest logical packet accepted from the peer (reassembled frames): read_packet throws
  // PacketTooLarge as soon as a frame header would take the packet past it, before that
  // frame's payload is buffered.
  void set_max_packet_size(size_t n) { max_packet_size_ = n; }
  size_t max_packet_size() const { return max_packet_size_; }

  // The next complete frame, reading from the socket as needed. The frame
  // stays at the head of the buffer until consume(). `already`: bytes of the same logical
  // packet received in earlier frames (counted against the maximum).
  asio::awaitable<Frame> next_frame(size_t already = 0);
  // A complete frame already in the buffer, without I/O.
  std::optional<Frame> buffered_frame() const;
  void consume(const Frame& f) { begin_ += f.wire_size(); }
  // Every byte buffered and not consumed, frame headers included (whole frames first, then
  // possibly the start of one), without I/O: a relay passes a run of whole frames on at once
  // (ResponseDecoder::row_run), then consumes them with consume_bytes. Valid until the next
  // read or consume.
  std::string_view buffered_wire() const {
    return std::string_view(buf_.data() + begin_, end_ - begin_);
  }
  // Drops `n` bytes (whole frames) from the front of buffered_wire().
  void consume_bytes(size_t n) { begin_ += n; }
  size_t buffered_bytes() const { return end_ - begin_; }
  // Wire bytes so far (compressed ones as sent): a watchdog tells a stalled peer from a slow one.
  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t bytes_written() const { return bytes_written_; }

  // A whole logical packet (frames joined); `seq` is the last frame's id.
  // Checks that frame ids follow `expected_seq` when given (not on a compressed connection: the
  // server checks only the compressed ids there, and clients number the frames inside after
  // those).
  asio::awaitable<void> read_packet(std::string& payload, uint8_t& seq,
                                    std::optional<uint8_t> expected_seq = std::nullopt);

  asio::awaitable<void> write(std::string_view bytes);
  // What write() does without waiting, for a caller that can skip its coroutine: sends as
  // much of `bytes` as the socket takes now (a plain connection; nothing on a TLS or
  // compressed one), drops that from `bytes`, and says whether all went. The rest, if any,
  // goes with write_rest() (not write(): that would try the socket once more first).
  bool write_now(std::string_view& bytes);
  asio::awaitable<void> write_rest(std::string_view rest);
  // Writes `payload` as frames starting at `seq` (advanced).
  asio::awaitable<void> write_packet(std::string_view payload, uint8_t& seq);

  // Frees a large read buffer left behind by a big packet.
  void shrink_buffer();

 private:
  asio::awaitable<void> fill(size_t need);
  asio::awaitable<size_t> raw_read_some(char* p, size_t n);
  bool send_now(std::string_view& wire);
  asio::awaitable<void> send_async(std::string_view wire);
  asio::awaitable<size_t> read_inflated(char* p, size_t n);

  asio::ip::tcp::socket socket_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  std::vector<char> buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
  size_t max_packet_size_ = 1024ull * 1024 * 1024;
  bool exact_reads_ = false;
  uint64_t bytes_read_ = 0;
  uint64_t bytes_written_ = 0;
  std::string scratch_;
  // Compressed connections: bytes of compressed packets not yet inflated, inflated bytes not
  // yet taken by fill(), the compressed sequence id of the next write, and the packets of a
  // write.
  bool compressed_ = false;
  std::string wire_in_;
  size_t wire_in_pos_ = 0;
  std::string inflated_;
  size_t inflated_pos_ = 0;
  uint8_t compressed_seq_ = 0;
  std::string wire_out_;
};

}  // namespace tessera::protocol
