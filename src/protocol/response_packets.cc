#include "protocol/response_packets.h"

#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace tessera::protocol {

std::string OkPacket::encode(uint32_t client_caps) const {
  std::string out;
  WireWriter w(out);
  w.u8(header);
  w.lenenc_int(affected_rows);
  w.lenenc_int(last_insert_id);
  uint16_t flags = status_flags;
  bool with_state = (client_caps & cap::kSessionTrack) && !session_state.empty();
  if (!with_state) flags &= ~status::kSessionStateChanged;
  w.u16(flags);
  w.u16(warnings);
  if (client_caps & cap::kSessionTrack) {
    // Without info or state the lenenc info may be omitted entirely.
    if (!info.empty() || with_state) w.lenenc_str(info);
    if (with_state) w.lenenc_str(session_state);
  } else if (!info.empty()) {
    // Without CLIENT_SESSION_TRACK the protocol documents string<EOF>, but MariaDB (and MySQL)
    // store the info length-encoded all the same, and Connector/C reads it that way: a bare
    // string lost its first character (taken as the length) in mysql_info().
    w.lenenc_str(info);
  }
  return out;
}

std::optional<OkPacket> OkPacket::decode(std::string_view payload, uint32_t caps) {
  WireReader r(payload);
  OkPacket ok;
  ok.header = r.u8();
  if (ok.header != kOkHeader && ok.header != kEofHeader) return std::nullopt;
  ok.affected_rows = r.lenenc_int().value_or(0);
  ok.last_insert_id = r.lenenc_int().value_or(0);
  ok.status_flags = r.u16();
  ok.warnings = r.u16();
  if (!r.ok()) return std::nullopt;
  if (caps & cap::kSessionTrack) {
    if (!r.at_end()) ok.info = std::string(r.lenenc_str());
    if ((ok.status_flags & status::kSessionStateChanged) && !r.at_end()) {
      ok.session_state = std::string(r.lenenc_str());
    }
  } else if (!r.at_end()) {
    ok.info = std::string(r.lenenc_str());  // length-encoded, as encode() explains
  }
  if (!r.ok()) return std::nullopt;
  return ok;
}

bool parse_session_state(std::string_view block, std::vector<SessionStateChange>& out) {
  WireReader r(block);
  while (r.ok() && !r.at_end()) {
    auto type = static_cast<SessionTrackType>(r.u8());
    std::string_view data = r.lenenc_str();
    if (!r.ok()) return false;
    WireReader d(data);
    SessionStateChange c{type, {}, {}};
    switch (type) {
      case SessionTrackType::kSystemVariables:
        c.name = std::string(d.lenenc_str());
        c.value = std::string(d.lenenc_str());
        break;
      case SessionTrackType::kSchema:
        c.name = std::string(d.lenenc_str());
        break;
      case SessionTrackType::kStateChange:
        // The flag itself ("1"), not length-encoded.
        c.value = std::string(d.rest());
        break;
      case SessionTrackType::kGtids:
        // One byte encoding specification, then the GTID set as lenenc text.
        d.u8();
        c.value = std::string(d.lenenc_str());
        break;
      default:
        c.value = std::string(d.rest());
        break;
    }
    if (!d.ok()) return false;
    out.push_back(std::move(c));
  }
  return r.ok();
}

std::string ErrPacket::encode() const {
  std::string out;
  WireWriter w(out);
  w.u8(kErrHeader);
  w.u16(code);
  w.u8('#');
  std::string state = sqlstate;
  state.resize(5, '0');
  w.bytes(state);
  w.bytes(message);
  return out;
}

std::optional<ErrPacket> ErrPacket::decode(std::string_view payload) {
  WireReader r(payload);
  if (r.u8() != kErrHeader) return std::nullopt;
  ErrPacket e;
  e.code = r.u16();
  if (r.peek() == '#') {
    r.skip(1);
    e.sqlstate = std::string(r.bytes(5));
  }
  e.message = std::string(r.rest());
  if (!r.ok()) return std::nullopt;
  return e;
}

std::string EofPacket::encode() const {
  std::string out;
  WireWriter w(out);
  w.u8(kEofHeader);
  w.u16(warnings);
  w.u16(status_flags);
  return out;
}

std::optional<EofPacket> EofPacket::decode(std::string_view payload) {
  if (!is_eof_packet(payload)) return std::nullopt;
  WireReader r(payload);
  r.u8();
  EofPacket e;
  if (r.remaining() >= 4) {
    e.warnings = r.u16();
    e.status_flags = r.u16();
  }
  return e;
}

}  // namespace tessera::protocol
