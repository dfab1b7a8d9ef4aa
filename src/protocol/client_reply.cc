#include "protocol/client_reply.h"

#include "protocol/column_definition.h"
#include "protocol/constants.h"
#include "protocol/framing.h"

namespace tessera::protocol {

void ClientReply::end_command() {
  if (out_.capacity() > kKeptCapacity) std::string().swap(out_);
}

void ClientReply::emit(std::string_view payload, uint8_t& seq) {
  if (discard_) return;
  append_frames(out_, payload, seq);
}

void ClientReply::emit_frame(std::string_view payload, uint8_t& seq) {
  if (discard_) return;
  append_single_frame(out_, payload, seq);
}

void ClientReply::emit_wire(std::string_view frames, uint8_t& seq) {
  if (discard_) return;
  size_t at = out_.size();
  out_.append(frames);
  char* const p = out_.data();
  const size_t end = out_.size();
  while (end - at >= kFrameHeaderSize) {
    const FrameHeader h = decode_frame_header(p + at);
    p[at + 3] = static_cast<char>(seq++);
    at += kFrameHeaderSize + h.length;
  }
}

void ClientReply::emit_eof(uint16_t warnings, uint16_t status, uint8_t& seq) {
  if (discard_) return;
  // EofPacket::encode's bytes, without building a string for them.
  const char payload[5] = {static_cast<char>(kEofHeader), static_cast<char>(warnings & 0xff),
                           static_cast<char>(warnings >> 8), static_cast<char>(status & 0xff),
                           static_cast<char>(status >> 8)};
  append_single_frame(out_, std::string_view(payload, sizeof payload), seq);
}

void ClientReply::emit_ok(const OkPacket& ok, std::string_view raw, uint8_t& seq,
                          const TrackingSettings* tracking) {
  if (!(caps_ & cap::kSessionTrack)) {
    emit(ok.encode(caps_), seq);
    return;
  }
  if (ok.session_state.empty() || !tracking) {
    emit(raw, seq);
    return;
  }
  // The backend reports every change (Tessera's own tracking); the client gets what its own
  // session on that server would have reported, and no SERVER_SESSION_STATE_CHANGED for the
  // rest (drivers expose both).
  auto mine = filter_session_state(ok.session_state, *tracking);
  if (mine && *mine == ok.session_state) {
    emit(raw, seq);
    return;
  }
  OkPacket out = ok;
  out.session_state = mine.value_or(std::string());
  if (out.session_state.empty()) out.status_flags &= ~status::kSessionStateChanged;
  emit(out.encode(caps_), seq);
}

void ClientReply::emit_result_end(uint16_t warnings, uint16_t status, const OkPacket* ok,
                                  std::string_view raw, uint8_t& seq,
                                  const TrackingSettings* tracking) {
  if (caps_ & cap::kDeprecateEof) {
    if (ok && !raw.empty()) {
      emit_ok(*ok, raw, seq, tracking);
      return;
    }
    OkPacket end;
    end.header = kEofHeader;
    end.warnings = warnings;
    end.status_flags = status;
    emit(end.encode(caps_), seq);
  } else {
    // A server reports SERVER_SESSION_STATE_CHANGED only to a client that tracks state
    if (!(caps_ & cap::kSessionTrack)) status &= ~status::kSessionStateChanged;
    emit_eof(warnings, status, seq);
  }
}

void ClientReply::emit_column(std::string_view payload, uint8_t& seq, bool extended_type_info) {
  if (extended_type_info && !(mariadb_caps_ & mariadb_cap::kExtendedTypeInfo)) {
    auto stripped = strip_extended_metadata(payload);
    if (!stripped) throw ProtocolViolation("malformed column definition from backend");
    emit(*stripped, seq);
    return;
  }
  emit(payload, seq);
}

asio::awaitable<void> ClientReply::flush() {
  if (out_.empty()) co_return;
  sent_ = true;
  std::string_view rest = out_;
  if (!client_.write_now(rest)) co_await client_.write_rest(rest);
  out_.clear();
}

// (Whole replies are framed whatever the discard mode: they are the answer itself.)
asio::awaitable<void> ClientReply::send_ok(const OkPacket& ok, std::optional<uint8_t> seq) {
  out_.clear();
  uint8_t s = seq.value_or(first_seq_);
  append_frames(out_, ok.encode(caps_), s);
  co_await flush();
}

asio::awaitable<void> ClientReply::send_error(const ErrPacket& err, std::optional<uint8_t> seq) {
  out_.clear();
  uint8_t s = seq.value_or(first_seq_);
  append_frames(out_, err.encode(), s);
  co_await flush();
}

asio::awaitable<void> ClientReply::send_result(const TextResultBuilder& result) {
  out_.clear();
  uint8_t seq = first_seq_;
  result.finish(out_, seq);
  co_await flush();
}

}  // namespace tessera::protocol
