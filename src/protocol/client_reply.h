// The reply to one client command as Tessera assembles it (the server side of the protocol):
// packets appended as frames under the client's sequence ids, in the form the client
// negotiated (an EOF packet or, with CLIENT_DEPRECATE_EOF, an OK ending a result; a
// session-state block only under CLIENT_SESSION_TRACK; MariaDB's extended type info only when
// asked for), and written to the client's PacketSocket in batches. It also keeps the
// bookkeeping about writing: the command's first sequence id, whether any of the reply reached
// the client, where a relay waiting on its backend stands, and discard mode (a stopped
// statement's response drained without a word to the client).
//
// What only a session knows comes in as arguments: which session-state entries the client's
// own session would be told of (the backend connection's TrackingSettings), whether the
// backend sends extended type info, the status flags of an OK Tessera builds.
//
//   ClientReply reply(client_socket);
//   reply.set_capabilities(caps, mariadb_caps);        // after the handshake response
//   reply.begin_command(static_cast<uint8_t>(seq + 1)); // each command
//   uint8_t seq = reply.restart();
//   reply.emit(packet, seq); ... if (reply.wants_flush()) co_await reply.flush();
//   reply.emit_result_end(warnings, status, nullptr, {}, seq);
//   co_await reply.flush();
#pragma once
#include <asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/packet_socket.h"
#include "protocol/response_packets.h"
#include "protocol/session_tracking.h"
#include "protocol/text_result.h"

namespace tessera::protocol {

class ClientReply {
 public:
  // Queued bytes past which a relay hands them to the client before reading on (wants_flush).
  static constexpr size_t kFlushThreshold = 128 * 1024;
  // A buffer grown past this by one command is freed when the command ends (end_command).
  static constexpr size_t kKeptCapacity = 1024 * 1024;

  explicit ClientReply(PacketSocket& client) : client_(client) {}
  ClientReply(const ClientReply&) = delete;
  ClientReply& operator=(const ClientReply&) = delete;

  // What the client negotiated in its handshake response: capability flags (protocol::cap)
  // and MariaDB's extended ones (protocol::mariadb_cap). Both 0 until then.
  void set_capabilities(uint32_t caps, uint32_t mariadb_caps) {
    caps_ = caps;
    mariadb_caps_ = mariadb_caps;
  }
  uint32_t capabilities() const { return caps_; }
  uint32_t mariadb_capabilities() const { return mariadb_caps_; }

  // ---- one command ----
  // A command arrived: its reply starts at sequence id `first_seq` (the command's last frame's
  // id + 1) and nothing of it has reached the client.
  void begin_command(uint8_t first_seq) {
    first_seq_ = first_seq;
    sent_ = false;
  }
  // The sequence id of the command's first reply packet.
  uint8_t first_seq() const { return first_seq_; }
  // Counts nothing as sent (a login's checks after its own exchange: a failure there is
  // answered with an ERR, not by closing the connection).
  void forget_sent() { sent_ = false; }
  // Part of the reply reached the client: a failure from here on cannot take the reply's
  // place (it ends a row stream with an ERR, or closes the connection).
  bool sent() const { return sent_; }
  // Drops whatever is queued and not sent; returns first_seq(), where the reply starts again.
  uint8_t restart() {
    out_.clear();
    return first_seq_;
  }
  // The command ended: a buffer one big reply grew is freed.
  void end_command();

  // ---- appending packets (nothing reaches the client before flush) ----
  // One packet, as frames from `seq` (advanced); dropped in discard mode.
  void emit(std::string_view payload, uint8_t& seq);
  // Exactly one frame (`payload` at most kMaxFramePayload): a relayed packet larger than one
  // frame, passed on frame for frame. Dropped in discard mode.
  void emit_frame(std::string_view payload, uint8_t& seq);
  // Whole frames as a backend sent them (headers included, each a packet of one frame: a run
  // of rows, ResponseDecoder::row_run), passed on in one copy with their sequence ids
  // renumbered from `seq` (advanced): the same bytes emit() gives each payload. Dropped in
  // discard mode.
  void emit_wire(std::string_view frames, uint8_t& seq);
  // An EOF packet (EofPacket{warnings, status}), written in place: the end of definitions a
  // client without CLIENT_DEPRECATE_EOF gets on nearly every result. Dropped in discard mode.
  void emit_eof(uint16_t warnings, uint16_t status, uint8_t& seq);
  // A backend's OK (`ok` decoded, `raw` as received, from a connection that tracks every
  // session-state change) as the client negotiated it: re-encoded without the state for a
  // client without CLIENT_SESSION_TRACK; otherwise the state block cut down to what
  // `tracking` selects (what the client's own session on that server would have reported),
  // SERVER_SESSION_STATE_CHANGED cleared when nothing is left; `raw` as it is when nothing
  // changes or `tracking` is null.
  void emit_ok(const OkPacket& ok, std::string_view raw, uint8_t& seq,
               const TrackingSettings* tracking);
  // The end of a result set in the client's form: an EOF packet (SERVER_SESSION_STATE_CHANGED
  // cleared unless the client tracks state), or under CLIENT_DEPRECATE_EOF an OK with the
  // 0xfe header: the backend's own (`ok` and `raw`, through emit_ok with `tracking`) when
  // given, else one built from `warnings` and `status`.
  void emit_result_end(uint16_t warnings, uint16_t status, const OkPacket* ok, std::string_view raw,
                       uint8_t& seq, const TrackingSettings* tracking = nullptr);
  // A column definition from a backend; `extended_type_info`: the backend sent MariaDB's
  // extended type info, which a client that did not ask for it gets stripped. Throws
  // ProtocolViolation when the definition is malformed.
  void emit_column(std::string_view payload, uint8_t& seq, bool extended_type_info);

  // Bytes queued and not sent yet.
  size_t queued() const { return out_.size(); }
  std::string_view queued_bytes() const { return out_; }
  // Enough is queued that a relay should hand it over before reading on.
  bool wants_flush() const { return out_.size() >= kFlushThreshold; }
  // Writes what is queued to the client (then sent() is true); nothing when nothing is.
  asio::awaitable<void> flush();

  // ---- whole replies Tessera builds (what was queued is dropped first) ----
  // Without an explicit sequence id a reply takes first_seq().
  asio::awaitable<void> send_ok(const OkPacket& ok, std::optional<uint8_t> seq = {});
  asio::awaitable<void> send_error(const ErrPacket& err, std::optional<uint8_t> seq = {});
  asio::awaitable<void> send_result(const TextResultBuilder& result);

  // ---- discard mode: a stopped statement's response is read and dropped ----
  void set_discard(bool on) { discard_ = on; }
  bool discarding() const { return discard_; }

  // ---- a relay waiting on its backend, everything so far flushed ----
  // Between two whole packets (`between_packets`) a lost backend can still be reported with an
  // ERR taking the next packet's sequence id `next_seq`, as the server does for a killed
  // query; inside a packet it cannot.
  void waiting(bool between_packets, uint8_t next_seq) {
    between_packets_ = between_packets;
    next_seq_ = next_seq;
  }
  void done_waiting() { between_packets_ = false; }
  // The sequence id an ERR may take now in place of the next packet (nullopt: no relay waits
  // between packets). Taking it ends the wait.
  std::optional<uint8_t> take_error_slot() {
    if (!between_packets_) return std::nullopt;
    between_packets_ = false;
    return next_seq_;
  }

 private:
  PacketSocket& client_;
  uint32_t caps_ = 0;
  uint32_t mariadb_caps_ = 0;
  std::string out_;  // the reply being assembled
  uint8_t first_seq_ = 1;
  bool sent_ = false;
  bool discard_ = false;
  bool between_packets_ = false;
  uint8_t next_seq_ = 0;
};

}  // namespace tessera::protocol
