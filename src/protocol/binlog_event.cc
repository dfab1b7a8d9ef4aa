#include "protocol/binlog_event.h"

#include <array>
#include <string>

#include "protocol/constants.h"
#include "protocol/response_packets.h"
#include "protocol/wire_reader.h"

namespace tessera::protocol::binlog {
namespace {

constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr auto kCrcTable = make_crc_table();

// Bytes of a fixed-width, NUL-padded field (FORMAT_DESCRIPTION's server version).
std::string until_nul(std::string_view field) {
  auto nul = field.find('\0');
  return std::string(field.substr(0, nul));
}

uint32_t read_le32(std::string_view four) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<uint8_t>(four[i])) << (8 * i);
  return v;
}

// Post-header length of `type` as the stream's FORMAT_DESCRIPTION declares it, or the
// documented default.
size_t post_header_length(const FormatDescription* format, uint8_t type, size_t fallback) {
  if (format && type >= 1 && type <= format->post_header_lengths.size())
    return format->post_header_lengths[type - 1];
  return fallback;
}

bool decode_format_description(std::string_view body, FormatDescription& fd, std::string& error) {
  // binlog_version(2) server_version(50) create_timestamp(4) header_length(1)
  // post_header_lengths(n) checksum_alg(1) checksum(4): the last two are always present in
  // the FORMAT_DESCRIPTION of a checksum-aware server (MariaDB 5.3+, MySQL 5.6+), whatever
  // the algorithm, so that a reader can learn the algorithm before trusting any checksum.
  WireReader r(body);
  fd.binlog_version = r.u16();
  fd.server_version = until_nul(r.bytes(50));
  fd.create_timestamp = r.u32();
  fd.header_length = r.u8();
  if (!r.ok() || r.remaining() < 1 + kChecksumSize) {
    error = "FORMAT_DESCRIPTION event too short";
    return false;
  }
  if (fd.binlog_version != 4) {
    error = "unsupported binlog version " + std::to_string(fd.binlog_version);
    return false;
  }
  if (fd.header_length != kEventHeaderSize) {
    error = "unsupported event header length " + std::to_string(fd.header_length);
    return false;
  }
  std::string_view rest = r.rest();
  std::string_view lengths = rest.substr(0, rest.size() - 1 - kChecksumSize);
  fd.post_header_lengths.assign(lengths.begin(), lengths.end());
  auto alg = static_cast<uint8_t>(rest[rest.size() - 1 - kChecksumSize]);
  if (alg == 0) {
    fd.checksum = ChecksumAlgorithm::kOff;
  } else if (alg == 1) {
    fd.checksum = ChecksumAlgorithm::kCrc32;
  } else {
    error = "unknown binlog checksum algorithm " + std::to_string(alg);
    return false;
  }
  return true;
}

bool decode_query(std::string_view body, const FormatDescription* format, Query& q,
                  std::string& error) {
  // Post-header: thread_id(4) exec_time(4) db_len(1) error_code(2) status_vars_len(2);
  // then status variables, the default database + NUL, and the statement text.
  size_t post = post_header_length(format, event_type::kQuery, 13);
  if (post < 13) {
    error = "QUERY post-header length " + std::to_string(post) + " is too short";
    return false;
  }
  WireReader r(body);
  q.thread_id = r.u32();
  r.u32();  // exec_time
  uint8_t db_len = r.u8();
  q.error_code = r.u16();
  uint16_t status_len = r.u16();
  r.skip(post - 13);
  r.skip(status_len);
  q.db = std::string(r.bytes(db_len));
  if (r.u8() != 0) r.fail();  // the database name's terminator
  q.sql = std::string(r.rest());
  if (!r.ok()) {
    error = "QUERY event truncated";
    return false;
  }
  return true;
}

bool decode_body(const EventHeader& h, std::string_view body, const FormatDescription* format,
                 EventBody& out, std::string& error) {
  WireReader r(body);
  switch (h.type) {
    case event_type::kFormatDescription: {
      FormatDescription fd;
      if (!decode_format_description(body, fd, error)) return false;
      out = std::move(fd);
      return true;
    }
    case event_type::kRotate: {
      Rotate rot;
      size_t post = post_header_length(format, event_type::kRotate, 8);
      if (post < 8) {
        error = "ROTATE post-header length too short";
        return false;
      }
      rot.position = r.u64();
      r.skip(post - 8);
      rot.next_file = std::string(r.rest());
      if (!r.ok() || rot.next_file.empty()) {
        error = "ROTATE event truncated";
        return false;
      }
      out = std::move(rot);
      return true;
    }
    case event_type::kMariaDbGtid: {
      MariaDbGtid g;
      g.seq = r.u64();
      g.domain = r.u32();
      g.flags2 = r.u8();
      if (g.flags2 & MariaDbGtid::kGroupCommitId) r.u64();  // commit id
      if (!r.ok()) {
        error = "GTID event truncated";
        return false;
      }
      g.server = h.server_id;
      out = g;
      return true;
    }
    case event_type::kMariaDbGtidList: {
      MariaDbGtidList list;
      uint32_t count = r.u32() & 0x0fffffffu;  // the top 4 bits are flags
      if (!r.ok() || count > r.remaining() / 16) {
        error = "GTID_LIST event truncated";
        return false;
      }
      for (uint32_t i = 0; i < count; ++i) {
        uint32_t domain = r.u32();
        uint32_t server = r.u32();
        uint64_t seq = r.u64();
        list.gtids.add_mariadb(domain, server, seq);
      }
      out = std::move(list);
      return true;
    }
    case event_type::kMySqlGtid: {
      MySqlGtid g;
      g.flags = r.u8();
      g.uuid = std::string(r.bytes(16));
      g.gno = r.u64();
      // gno is a positive int64 (1..2^63-1).
      if (!r.ok() || g.gno == 0 || g.gno >= (uint64_t{1} << 63)) {
        error = r.ok() ? "GTID event with invalid transaction number" : "GTID event truncated";
        return false;
      }
      out = std::move(g);
      return true;
    }
    case event_type::kMySqlPreviousGtids: {
      MySqlPreviousGtids prev;
      uint64_t n_sids = r.u64();
      if (!r.ok() || n_sids > r.remaining() / 24) {
        error = "PREVIOUS_GTIDS event truncated";
        return false;
      }
      for (uint64_t i = 0; i < n_sids; ++i) {
        std::string_view uuid = r.bytes(16);
        uint64_t n_intervals = r.u64();
        if (!r.ok() || n_intervals > r.remaining() / 16) {
          error = "PREVIOUS_GTIDS event truncated";
          return false;
        }
        for (uint64_t k = 0; k < n_intervals; ++k) {
          uint64_t start = r.u64();
          uint64_t end = r.u64();  // exclusive
          if (start == 0 || end <= start || end > (uint64_t{1} << 63)) {
            error = "PREVIOUS_GTIDS event with an invalid interval";
            return false;
          }
          prev.gtids.add_mysql_range(uuid, start, end - 1);
        }
      }
      if (!r.ok()) {
        error = "PREVIOUS_GTIDS event truncated";
        return false;
      }
      out = std::move(prev);
      return true;
    }
    case event_type::kXid: {
      Xid x;
      x.xid = r.u64();
      if (!r.ok()) {
        error = "XID event truncated";
        return false;
      }
      out = x;
      return true;
    }
    case event_type::kQuery: {
      Query q;
      if (!decode_query(body, format, q, error)) return false;
      out = std::move(q);
      return true;
    }
    case event_type::kHeartbeat: {
      // MariaDB and MySQL 5.x/8.0: the body is the current binlog file name, the header's
      // log_pos the position in it.
      out = Heartbeat{std::string(body), h.log_pos};
      return true;
    }
    case event_type::kMySqlHeartbeatV2:
      // MySQL 8.0.26+: the body is a set of typed fields (file name, 64-bit position); the
      // position matters to nobody here, the fact that the stream is alive does.
      out = Heartbeat{{}, h.log_pos};
      return true;
    default:
      out = OtherEvent{};
      return true;
  }
}

}  // namespace

uint32_t crc32(std::string_view data) {
  uint32_t c = 0xffffffffu;
  for (unsigned char b : data) c = kCrcTable[(c ^ b) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

std::optional<ChecksumAlgorithm> parse_checksum_name(std::string_view name) {
  if (name == "CRC32" || name == "crc32") return ChecksumAlgorithm::kCrc32;
  if (name == "NONE" || name == "none" || name.empty()) return ChecksumAlgorithm::kOff;
  return std::nullopt;
}

std::optional<Event> decode_event(std::string_view bytes, ChecksumAlgorithm checksum,
                                  const FormatDescription* format, std::string& error) {
  Event ev;
  WireReader r(bytes);
  ev.header.timestamp = r.u32();
  ev.header.type = r.u8();
  ev.header.server_id = r.u32();
  ev.header.event_size = r.u32();
  ev.header.log_pos = r.u32();
  ev.header.flags = r.u16();
  if (!r.ok()) {
    error = "binlog event shorter than its 19-byte header";
    return std::nullopt;
  }
  if (ev.header.event_size != bytes.size()) {
    error = "binlog event size " + std::to_string(ev.header.event_size) + " does not match the " +
            std::to_string(bytes.size()) + " bytes received";
    return std::nullopt;
  }
  // A FORMAT_DESCRIPTION carries its own algorithm (and always 4 trailing checksum bytes),
  // see decode_format_description.
  bool is_format = ev.header.type == event_type::kFormatDescription;
  std::string_view body = bytes.substr(kEventHeaderSize);
  bool verify = checksum == ChecksumAlgorithm::kCrc32;
  if (is_format) {
    FormatDescription fd;
    if (!decode_format_description(body, fd, error)) return std::nullopt;
    verify = fd.checksum == ChecksumAlgorithm::kCrc32;
  } else if (verify) {
    if (body.size() < kChecksumSize) {
      error = "binlog event too short for its checksum";
      return std::nullopt;
    }
    body.remove_suffix(kChecksumSize);
  }
  if (verify) {
    uint32_t expected = read_le32(bytes.substr(bytes.size() - kChecksumSize));
    uint32_t actual = crc32(bytes.substr(0, bytes.size() - kChecksumSize));
    if (expected != actual) {
      error = "binlog event checksum mismatch (type " + std::to_string(ev.header.type) + ")";
      return std::nullopt;
    }
  }
  if (!decode_body(ev.header, body, format, ev.body, error)) return std::nullopt;
  return ev;
}

StreamPacket StreamDecoder::decode(std::string_view packet) {
  StreamPacket out;
  if (packet.empty()) {
    out.error = "empty packet in the binlog stream";
    return out;
  }
  auto first = static_cast<uint8_t>(packet[0]);
  if (first == kErrHeader) {
    auto err = ErrPacket::decode(packet);
    out.kind = StreamPacket::Kind::kServerError;
    if (err) {
      out.error_code = err->code;
      out.error = err->message;
    } else {
      out.error = "malformed ERR packet in the binlog stream";
    }
    return out;
  }
  if (first == kEofHeader && packet.size() < 9) {
    out.kind = StreamPacket::Kind::kEndOfStream;
    return out;
  }
  if (first != kOkHeader) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.error = std::string("binlog stream packet starts with 0x") + kHex[first >> 4] +
                kHex[first & 15] + " instead of 0x00";
    return out;
  }
  auto ev = decode_event(packet.substr(1), checksum_, format_ ? &*format_ : nullptr, out.error);
  if (!ev) return out;
  if (auto* fd = std::get_if<FormatDescription>(&ev->body)) {
    checksum_ = fd->checksum;
    format_ = *fd;
  }
  out.kind = StreamPacket::Kind::kEvent;
  out.event = std::move(*ev);
  return out;
}

}  // namespace tessera::protocol::binlog
