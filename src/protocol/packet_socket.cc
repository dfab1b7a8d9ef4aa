#include "protocol/packet_socket.h"

#include <algorithm>
#include <asio/read.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <cstring>

#include "protocol/compression.h"
#include "protocol/constants.h"

namespace tessera::protocol {

namespace {
constexpr size_t kInitialBuffer = 16 * 1024;
constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kShrinkAbove = 1024 * 1024;
}  // namespace

PacketSocket::PacketSocket(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {
  buf_.resize(kInitialBuffer);
  // Synchronous sends below must never block the event loop.
  std::error_code ec;
  if (socket_.is_open()) socket_.non_blocking(true, ec);
}

PacketSocket::~PacketSocket() = default;

void PacketSocket::close() {
  std::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

asio::awaitable<void> PacketSocket::start_tls_server(asio::ssl::context& ctx) {
  tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(socket_, ctx);
  co_await tls_->async_handshake(asio::ssl::stream_base::server, asio::use_awaitable);
}

asio::awaitable<void> PacketSocket::start_tls_client(asio::ssl::context& ctx) {
  tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(socket_, ctx);
  co_await tls_->async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
}

asio::awaitable<size_t> PacketSocket::raw_read_some(char* p, size_t n) {
  size_t got = tls_ ? co_await tls_->async_read_some(asio::buffer(p, n), asio::use_awaitable)
                    : co_await socket_.async_read_some(asio::buffer(p, n), asio::use_awaitable);
  bytes_read_ += got;
  co_return got;
}

// Up to `n` inflated bytes, reading and inflating the next compressed packet when none are
// left. The wire buffer grows with what arrives, like fill(); the inflated one by at most the
// limit below, checked on the header before its payload is read.
asio::awaitable<size_t> PacketSocket::read_inflated(char* p, size_t n) {
  while (inflated_pos_ == inflated_.size()) {
    inflated_.clear();
    inflated_pos_ = 0;
    // One compressed packet carries at most a whole packet the limit allows (and its frame
    // header); a little room beyond keeps small limits from refusing two small pipelined
    // commands sent together.
    const size_t max_plain =
        std::min(kMaxCompressedPayload,
                 std::max<size_t>(max_packet_size_ + kFrameHeaderSize, kInitialBuffer));
    std::string_view pending(wire_in_.data() + wire_in_pos_, wire_in_.size() - wire_in_pos_);
    uint8_t seq = 0;
    std::optional<size_t> took;
    try {
      took = take_compressed_packet(pending, max_plain, inflated_, seq);
    } catch (const ProtocolViolation&) {
      compressed_seq_ = static_cast<uint8_t>(seq + 1);
      throw;
    }
    if (took) {
      compressed_seq_ = static_cast<uint8_t>(seq + 1);
      wire_in_pos_ += *took;
      if (wire_in_pos_ == wire_in_.size()) {
        wire_in_.clear();
        wire_in_pos_ = 0;
        if (wire_in_.capacity() > kShrinkAbove) std::string().swap(wire_in_);
      }
      continue;
    }
    if (wire_in_pos_ > 0) {
      wire_in_.erase(0, wire_in_pos_);
      wire_in_pos_ = 0;
    }
    const size_t have = wire_in_.size();
    wire_in_.resize(have + kReadChunk);
    size_t got = 0;
    try {
      got = co_await raw_read_some(wire_in_.data() + have, kReadChunk);
    } catch (...) {
      wire_in_.resize(have);
      throw;
    }
    wire_in_.resize(have + got);
  }
  size_t k = std::min(n, inflated_.size() - inflated_pos_);
  std::memcpy(p, inflated_.data() + inflated_pos_, k);
  inflated_pos_ += k;
  if (inflated_pos_ == inflated_.size() && inflated_.capacity() > kShrinkAbove) {
    std::string().swap(inflated_);
    inflated_pos_ = 0;
  }
  co_return k;
}

// Ensures at least `need` unread bytes are buffered. The buffer grows with the bytes that
// actually arrive (at most doubling per step), not with what a frame header claims: a peer that
// announces a 16 MiB packet and sends nothing costs no more memory than a small one.
asio::awaitable<void> PacketSocket::fill(size_t need) {
  while (end_ - begin_ < need) {
    if (begin_ == end_) {
      begin_ = end_ = 0;
    }
    if (buf_.size() - begin_ < need || buf_.size() - end_ < 512) {
      // Move unread bytes to the front, then grow if still too small.
      if (begin_ > 0) {
        std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
      }
      if (buf_.size() < need || buf_.size() - end_ < 512) {
        size_t grown = std::max(buf_.size() * 2, end_ + kReadChunk);
        size_t want = std::max(kInitialBuffer, std::min(need, grown));
        if (want > buf_.size()) buf_.resize(want);
      }
    }
    size_t room = buf_.size() - end_;
    if (exact_reads_) room = std::min(room, need - (end_ - begin_));
    // (The plain socket's read is awaited here, not through raw_read_some: a coroutine frame
    // less on every packet read.)
    size_t n = 0;
    if (compressed_) {
      n = co_await read_inflated(buf_.data() + end_, room);
    } else if (tls_) {
      n = co_await raw_read_some(buf_.data() + end_, room);
    } else {
      n = co_await socket_.async_read_some(asio::buffer(buf_.data() + end_, room),
                                           asio::use_awaitable);
      bytes_read_ += n;
    }
    end_ += n;
  }
}

std::optional<Frame> PacketSocket::buffered_frame() const {
  if (end_ - begin_ < kFrameHeaderSize) return std::nullopt;
  FrameHeader h = decode_frame_header(buf_.data() + begin_);
  if (end_ - begin_ < kFrameHeaderSize + h.length) return std::nullopt;
  return Frame{h.seq, std::string_view(buf_.data() + begin_ + kFrameHeaderSize, h.length)};
}

asio::awaitable<Frame> PacketSocket::next_frame(size_t already) {
  if (end_ - begin_ < kFrameHeaderSize) co_await fill(kFrameHeaderSize);
  FrameHeader h = decode_frame_header(buf_.data() + begin_);
  if (already + h.length > max_packet_size_) {
    throw PacketTooLarge("packet of " + std::to_string(already + h.length) +
                             (h.length == kMaxFramePayload ? " or more" : "") +
                             " bytes exceeds the allowed maximum of " +
                             std::to_string(max_packet_size_),
                         h.seq);
  }
  if (end_ - begin_ < kFrameHeaderSize + h.length) co_await fill(kFrameHeaderSize + h.length);
  co_return Frame{h.seq, std::string_view(buf_.data() + begin_ + kFrameHeaderSize, h.length)};
}

asio::awaitable<void> PacketSocket::read_packet(std::string& payload, uint8_t& seq,
                                                std::optional<uint8_t> expected_seq) {
  payload.clear();
  if (compressed_) expected_seq.reset();
  for (;;) {
    // (A frame already buffered is taken without next_frame's coroutine; its size checks
    // happened when it was not yet complete, or it is within the limit anyway below.)
    std::optional<Frame> buffered = buffered_frame();
    if (buffered && payload.size() + buffered->payload.size() > max_packet_size_) buffered.reset();
    Frame f = buffered ? *buffered : co_await next_frame(payload.size());
    if (expected_seq && f.seq != *expected_seq) {
      throw ProtocolViolation("packets out of order: expected sequence " +
                              std::to_string(*expected_seq) + ", got " + std::to_string(f.seq));
    }
    payload.append(f.payload);
    seq = f.seq;
    bool more = f.payload.size() == kMaxFramePayload;
    consume(f);
    if (expected_seq) expected_seq = static_cast<uint8_t>(*expected_seq + 1);
    if (!more) break;
  }
  if (payload.size() > kShrinkAbove) shrink_buffer();
}

bool PacketSocket::send_now(std::string_view& wire) {
  if (tls_) return wire.empty();
  if (wire.empty()) return true;
  // Nearly every reply fits in the socket's send buffer: send it now, without a coroutine. An
  // async_write that completes at once still goes through the event loop (a posted
  // completion, and an extra epoll_wait before it runs).
  std::error_code ec;
  size_t n = socket_.write_some(asio::buffer(wire.data(), wire.size()), ec);
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
    throw std::system_error(ec);
  }
  bytes_written_ += n;
  wire.remove_prefix(n);
  return wire.empty();
}

asio::awaitable<void> PacketSocket::send_async(std::string_view wire) {
  bytes_written_ += wire.size();
  if (tls_) {
    co_await asio::async_write(*tls_, asio::buffer(wire.data(), wire.size()), asio::use_awaitable);
  } else {
    co_await asio::async_write(socket_, asio::buffer(wire.data(), wire.size()),
                               asio::use_awaitable);
  }
}

bool PacketSocket::write_now(std::string_view& bytes) {
  if (compressed_) return bytes.empty();
  return send_now(bytes);
}

asio::awaitable<void> PacketSocket::write(std::string_view bytes) {
  if (compressed_) {
    if (bytes.empty()) co_return;
    wire_out_.clear();
    append_compressed(wire_out_, bytes, compressed_seq_);
    std::string_view wire = wire_out_;
    if (!send_now(wire)) co_await send_async(wire);
    if (wire_out_.capacity() > kShrinkAbove) std::string().swap(wire_out_);
    co_return;
  }
  if (!send_now(bytes)) co_await send_async(bytes);
}

asio::awaitable<void> PacketSocket::write_rest(std::string_view rest) {
  // (write_now sent nothing of a compressed connection's bytes: they go through write().)
  if (compressed_) {
    co_await write(rest);
  } else if (!rest.empty()) {
    co_await send_async(rest);
  }
}

asio::awaitable<void> PacketSocket::write_packet(std::string_view payload, uint8_t& seq) {
  scratch_.clear();
  append_frames(scratch_, payload, seq);
  std::string_view rest = scratch_;
  if (!write_now(rest)) co_await write_rest(rest);
  if (scratch_.capacity() > kShrinkAbove) std::string().swap(scratch_);
}

void PacketSocket::shrink_buffer() {
  if (buf_.size() <= kShrinkAbove || end_ - begin_ > kInitialBuffer) return;
  std::vector<char> fresh(kInitialBuffer);
  std::memcpy(fresh.data(), buf_.data() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
  buf_.swap(fresh);
}

}  // namespace tessera::protocol
