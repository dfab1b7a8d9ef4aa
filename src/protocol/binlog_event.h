// Binlog events as a server streams them to a replication client (after COM_BINLOG_DUMP or
// COM_BINLOG_DUMP_GTID). Each network packet is one of:
//   0x00 + event     an event: 19-byte header, body, and a 4-byte CRC32 when checksums are on
//   0xfe (short)     end of stream (only with BINLOG_DUMP_NON_BLOCK)
//   0xff ...         ERR packet: the server refused or stopped the dump
// Only what replica-position tracking needs is decoded (GTIDs, commits, rotations,
// checksums, heartbeats); every other event is reported with its header and raw body.
// Everything is bounds-checked: a malformed packet gives a message, never a crash.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/gtid_set.h"

namespace tessera::protocol::binlog {

// Event type codes (shared by both families below 0xa0; MariaDB's own from 0xa0).
namespace event_type {
inline constexpr uint8_t kQuery = 2;
inline constexpr uint8_t kRotate = 4;
inline constexpr uint8_t kFormatDescription = 15;
inline constexpr uint8_t kXid = 16;
inline constexpr uint8_t kHeartbeat = 27;
inline constexpr uint8_t kMySqlGtid = 33;
inline constexpr uint8_t kMySqlAnonymousGtid = 34;
inline constexpr uint8_t kMySqlPreviousGtids = 35;
inline constexpr uint8_t kXaPrepare = 38;
inline constexpr uint8_t kMySqlHeartbeatV2 = 41;
inline constexpr uint8_t kMySqlGtidTagged = 42;
inline constexpr uint8_t kMariaDbAnnotateRows = 0xa0;
inline constexpr uint8_t kMariaDbBinlogCheckpoint = 0xa1;
inline constexpr uint8_t kMariaDbGtid = 0xa2;
inline constexpr uint8_t kMariaDbGtidList = 0xa3;
}  // namespace event_type

inline constexpr size_t kEventHeaderSize = 19;
inline constexpr size_t kChecksumSize = 4;
// Header flag of events the server made up for the stream (fake ROTATE, GTID_LIST).
inline constexpr uint16_t kArtificialEventFlag = 0x20;

enum class ChecksumAlgorithm : uint8_t { kOff = 0, kCrc32 = 1 };

// CRC32 (ISO-HDLC, the zlib/binlog one) of `data`.
uint32_t crc32(std::string_view data);

struct EventHeader {
  uint32_t timestamp = 0;
  uint8_t type = 0;
  uint32_t server_id = 0;
  uint32_t event_size = 0;
  uint32_t log_pos = 0;  // position of the next event in the server's binlog (0: artificial)
  uint16_t flags = 0;
};

struct FormatDescription {
  uint16_t binlog_version = 0;
  std::string server_version;
  uint32_t create_timestamp = 0;
  uint8_t header_length = 0;
  std::vector<uint8_t> post_header_lengths;  // index = event type - 1
  ChecksumAlgorithm checksum = ChecksumAlgorithm::kOff;
};

struct Rotate {
  uint64_t position = 0;
  std::string next_file;
};

// MariaDB GTID_EVENT: starts an event group. The GTID is domain-server-seq, the server id
// being the header's.
struct MariaDbGtid {
  // flags2 bits
  static constexpr uint8_t kStandalone = 0x01;  // a single statement (DDL), no XID follows
  static constexpr uint8_t kGroupCommitId = 0x02;
  static constexpr uint8_t kTransactional = 0x04;
  static constexpr uint8_t kDdl = 0x20;

  uint64_t seq = 0;
  uint32_t domain = 0;
  uint32_t server = 0;
  uint8_t flags2 = 0;
  bool standalone() const { return flags2 & kStandalone; }
};

// MariaDB GTID_LIST_EVENT: the binlog state (one GTID per domain) at a file's start, or the
// position the stream starts from (artificial).
struct MariaDbGtidList {
  GtidSet gtids;
};

// MySQL GTID_LOG_EVENT: starts a transaction; uuid as 16 raw bytes.
struct MySqlGtid {
  uint8_t flags = 0;
  std::string uuid;  // 16 raw bytes
  uint64_t gno = 0;
};

// MySQL PREVIOUS_GTIDS_LOG_EVENT: gtid_executed when the binlog file was started.
struct MySqlPreviousGtids {
  GtidSet gtids;
};

struct Xid {
  uint64_t xid = 0;
};

struct Query {
  uint32_t thread_id = 0;
  uint16_t error_code = 0;
  std::string db;
  std::string sql;
};

struct Heartbeat {
  std::string log_file;  // MySQL V2 heartbeats may leave it empty
  uint64_t log_pos = 0;
};

// Any event we do not decode (rows events, table maps, ...).
struct OtherEvent {};

using EventBody = std::variant<OtherEvent, FormatDescription, Rotate, MariaDbGtid, MariaDbGtidList,
                               MySqlGtid, MySqlPreviousGtids, Xid, Query, Heartbeat>;

struct Event {
  EventHeader header;
  EventBody body;
};

// Decodes one event (header + body [+ CRC32]); `checksum` is the stream's algorithm and
// `format` the last FORMAT_DESCRIPTION (nullptr before one was seen: defaults apply). A
// FORMAT_DESCRIPTION announces its own algorithm, so it decodes whatever `checksum` says.
// nullopt with `error` set when the bytes are malformed or the checksum does not match.
std::optional<Event> decode_event(std::string_view bytes, ChecksumAlgorithm checksum,
                                  const FormatDescription* format, std::string& error);

// One packet of the dump stream, decoded.
struct StreamPacket {
  enum class Kind : uint8_t { kEvent, kEndOfStream, kServerError, kMalformed };
  Kind kind = Kind::kMalformed;
  Event event;              // kEvent
  uint16_t error_code = 0;  // kServerError
  std::string error;        // kServerError: the server's message; kMalformed: what is wrong
};

// Follows one dump stream: remembers the checksum algorithm and post-header lengths the
// stream's FORMAT_DESCRIPTION announced.
class StreamDecoder {
 public:
  // `checksum`: what the client negotiated with @master_binlog_checksum (the value of the
  // server's @@global.binlog_checksum); events before the first FORMAT_DESCRIPTION (the
  // artificial ROTATE) are decoded with it.
  explicit StreamDecoder(ChecksumAlgorithm checksum) : checksum_(checksum) {}

  StreamPacket decode(std::string_view packet);
  ChecksumAlgorithm checksum() const { return checksum_; }

 private:
  ChecksumAlgorithm checksum_;
  std::optional<FormatDescription> format_;
};

// "CRC32" / "NONE" as servers print @@binlog_checksum; nullopt for anything else.
std::optional<ChecksumAlgorithm> parse_checksum_name(std::string_view name);

}  // namespace tessera::protocol::binlog
