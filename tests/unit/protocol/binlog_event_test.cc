#include "protocol/binlog_event.h"

#include <gtest/gtest.h>

#include <string>

namespace tessera::protocol::binlog {
namespace {

// ---- MariaDB 10.11, recorded --------------------------------------------------------------
// A dump from a scripts/cluster.sh replica (log_slave_updates=ON, binlog_checksum=CRC32),
// captured with tests/unit/protocol/recordings/capture_packets.py binlog (full output in
// recordings/mariadb_binlog_stream.txt): @slave_connect_state = its @@gtid_binlog_pos, then an
// INSERT and a CREATE TABLE committed on the primary, then an idle heartbeat.
// packet 0
const std::string kFakeRotate(
    "\x00\x00\x00\x00\x00\x04\xe9\x03\x00\x00\x2c\x00\x00\x00\x00\x00\x00\x00\x20\x00\x04\x00\x00"
    "\x00"
    "\x00\x00\x00\x00\x62\x69\x6e\x6c\x6f\x67\x2e\x30\x30\x30\x30\x30\x31\xd6\x37\x24\xa0",
    45);
// packet 1
const std::string kFormatDescription(
    "\x00\xb4\x65\x04\x6b\x0f\xe9\x03\x00\x00\xfc\x00\x00\x00\x00\x01\x00\x00\x00\x00\x04\x00\x31"
    "\x30"
    "\x2e\x31\x31\x2e\x31\x39\x2d\x4d\x61\x72\x69\x61\x44\x42\x2d\x30\x2b\x64\x65\x62\x31\x32\x75"
    "\x31"
    "\x2d\x6c\x6f\x67\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00"
    "\xb4\x65\x04\x6b\x13\x38\x0d\x00\x08\x00\x12\x00\x04\x04\x04\x04\x12\x00\x00\xe4\x00\x04\x1a"
    "\x08"
    "\x00\x00\x00\x08\x08\x08\x02\x00\x00\x00\x0a\x0a\x0a\x00\x00\x00\x00\x00\x00\x0a\x0a\x0a\x00"
    "\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x13"
    "\x04"
    "\x00\x0d\x08\x08\x08\x0a\x0a\x0a\x01\x13\x98\x4c\xdc",
    253);
// packet 2
const std::string kGtidListAtFileStart(
    "\x00\xb4\x65\x04\x6b\xa3\xe9\x03\x00\x00\x1d\x00\x00\x00\x1d\x01\x00\x00\x00\x00\x00\x00\x00"
    "\x00"
    "\x00\x00\xf4\xd6\xd0\xd8",
    30);
// packet 3
const std::string kBinlogCheckpoint(
    "\x00\xb4\x65\x04\x6b\xa1\xe9\x03\x00\x00\x28\x00\x00\x00\x45\x01\x00\x00\x00\x00\x0d\x00\x00"
    "\x00"
    "\x62\x69\x6e\x6c\x6f\x67\x2e\x30\x30\x30\x30\x30\x31\xb3\xd8\x9f\x29",
    41);
// packet 4
const std::string kFakeGtidList(
    "\x00\x00\x00\x00\x00\xa3\xe9\x03\x00\x00\x2b\x00\x00\x00\xd3\x0b\x00\x00\x20\x00\x01\x00\x00"
    "\x00"
    "\x01\x00\x00\x00\xe8\x03\x00\x00\x0f\x00\x00\x00\x00\x00\x00\x00\x87\xdd\x2f\x2a",
    44);
// packet 5
const std::string kGtidInsert(
    "\x00\x4f\x68\x04\x6b\xa2\xe8\x03\x00\x00\x2a\x00\x00\x00\xfd\x0b\x00\x00\x08\x00\x10\x00\x00"
    "\x00"
    "\x00\x00\x00\x00\x01\x00\x00\x00\x0c\x00\x00\x00\x00\x00\x00\x55\x42\x46\xd3",
    43);
// packet 6
const std::string kTableMap(
    "\x00\x4f\x68\x04\x6b\x13\xe8\x03\x00\x00\x2f\x00\x00\x00\x63\x0c\x00\x00\x00\x00\x13\x00\x00"
    "\x00"
    "\x00\x00\x01\x00\x07\x63\x61\x70\x74\x75\x72\x65\x00\x01\x62\x00\x01\x03\x00\x00\xd2\xde\xb5"
    "\x68",
    48);
// packet 7
const std::string kWriteRows(
    "\x00\x4f\x68\x04\x6b\x17\xe8\x03\x00\x00\x26\x00\x00\x00\x89\x0c\x00\x00\x00\x00\x13\x00\x00"
    "\x00"
    "\x00\x00\x01\x00\x01\x01\xfe\x03\x00\x00\x00\xf0\x89\xd9\x71",
    39);
// packet 8
const std::string kXid(
    "\x00\x4f\x68\x04\x6b\x10\xe8\x03\x00\x00\x1f\x00\x00\x00\xa8\x0c\x00\x00\x00\x00\x30\x00\x00"
    "\x00"
    "\x00\x00\x00\x00\xb8\x01\xfa\x6b",
    32);
// packet 9
const std::string kGtidDdl(
    "\x00\x4f\x68\x04\x6b\xa2\xe8\x03\x00\x00\x2a\x00\x00\x00\xd2\x0c\x00\x00\x08\x00\x11\x00\x00"
    "\x00"
    "\x00\x00\x00\x00\x01\x00\x00\x00\x29\x00\x00\x00\x00\x00\x00\x82\xc2\x4c\xfa",
    43);
// packet 10
const std::string kQueryDdl(
    "\x00\x4f\x68\x04\x6b\x02\xe8\x03\x00\x00\x66\x00\x00\x00\x38\x0d\x00\x00\x00\x00\x0c\x00\x00"
    "\x00"
    "\x01\x00\x00\x00\x00\x00\x00\x23\x00\x00\x00\x00\x00\x01\x01\x00\x00\x20\x54\x00\x00\x00\x00"
    "\x06"
    "\x03\x73\x74\x64\x04\x2d\x00\x2d\x00\x2d\x00\x81\x31\x00\x00\x00\x00\x00\x00\x00\x00\x43\x52"
    "\x45"
    "\x41\x54\x45\x20\x54\x41\x42\x4c\x45\x20\x63\x61\x70\x74\x75\x72\x65\x2e\x64\x20\x28\x61\x20"
    "\x49"
    "\x4e\x54\x29\xf8\xf5\x61\x6d",
    103);
// packet 11
const std::string kHeartbeat(
    "\x00\x00\x00\x00\x00\x1b\xe9\x03\x00\x00\x24\x00\x00\x00\x38\x0d\x00\x00\x00\x00\x62\x69\x6e"
    "\x6c"
    "\x6f\x67\x2e\x30\x30\x30\x30\x30\x31\xa7\x85\xac\x35",
    37);

StreamPacket must_decode(StreamDecoder& d, const std::string& packet) {
  StreamPacket p = d.decode(packet);
  EXPECT_EQ(p.kind, StreamPacket::Kind::kEvent) << p.error;
  return p;
}

TEST(BinlogCrc32, KnownVector) {
  EXPECT_EQ(crc32("123456789"), 0xcbf43926u);
}

TEST(BinlogMariaDb, RecordedStreamDecodes) {
  StreamDecoder d(ChecksumAlgorithm::kCrc32);

  auto rotate = must_decode(d, kFakeRotate);
  EXPECT_EQ(rotate.event.header.type, event_type::kRotate);
  EXPECT_TRUE(rotate.event.header.flags & kArtificialEventFlag);
  auto& rot = std::get<Rotate>(rotate.event.body);
  EXPECT_EQ(rot.next_file, "binlog.000001");
  EXPECT_EQ(rot.position, 4u);

  auto fde = must_decode(d, kFormatDescription);
  auto& fd = std::get<FormatDescription>(fde.event.body);
  EXPECT_EQ(fd.binlog_version, 4);
  EXPECT_EQ(fd.server_version, "10.11.19-MariaDB-0+deb12u1-log");
  EXPECT_EQ(fd.checksum, ChecksumAlgorithm::kCrc32);
  EXPECT_EQ(fd.header_length, 19);
  ASSERT_GE(fd.post_header_lengths.size(), 2u);
  EXPECT_EQ(fd.post_header_lengths[event_type::kQuery - 1], 13);
  EXPECT_EQ(d.checksum(), ChecksumAlgorithm::kCrc32);

  auto list = must_decode(d, kGtidListAtFileStart);
  EXPECT_TRUE(std::get<MariaDbGtidList>(list.event.body).gtids.empty());
  EXPECT_EQ(must_decode(d, kBinlogCheckpoint).event.header.type,
            event_type::kMariaDbBinlogCheckpoint);

  // Where the stream starts: the replica's binlog state, domain 1 (slice-0) at seq 15.
  auto start = must_decode(d, kFakeGtidList);
  EXPECT_TRUE(start.event.header.flags & kArtificialEventFlag);
  EXPECT_EQ(std::get<MariaDbGtidList>(start.event.body).gtids.to_string(), "1-1000-15");

  // INSERT: GTID 1-1000-16 (transactional), table map, rows, XID.
  auto gtid = must_decode(d, kGtidInsert);
  auto& g = std::get<MariaDbGtid>(gtid.event.body);
  EXPECT_EQ(g.domain, 1u);
  EXPECT_EQ(g.server, 1000u);
  EXPECT_EQ(g.seq, 16u);
  EXPECT_FALSE(g.standalone());
  EXPECT_TRUE(g.flags2 & MariaDbGtid::kTransactional);
  EXPECT_TRUE(std::holds_alternative<OtherEvent>(must_decode(d, kTableMap).event.body));
  EXPECT_TRUE(std::holds_alternative<OtherEvent>(must_decode(d, kWriteRows).event.body));
  auto xid = must_decode(d, kXid);
  EXPECT_EQ(xid.event.header.type, event_type::kXid);
  EXPECT_TRUE(std::holds_alternative<Xid>(xid.event.body));

  // DDL: a standalone GTID (no XID follows), then the statement.
  auto ddl_gtid = must_decode(d, kGtidDdl);
  auto& dg = std::get<MariaDbGtid>(ddl_gtid.event.body);
  EXPECT_EQ(dg.seq, 17u);
  EXPECT_TRUE(dg.standalone());
  EXPECT_TRUE(dg.flags2 & MariaDbGtid::kDdl);
  auto q = must_decode(d, kQueryDdl);
  auto& query = std::get<Query>(q.event.body);
  EXPECT_EQ(query.sql, "CREATE TABLE capture.d (a INT)");
  EXPECT_EQ(query.error_code, 0);

  auto hb = must_decode(d, kHeartbeat);
  EXPECT_EQ(hb.event.header.type, event_type::kHeartbeat);
  auto& beat = std::get<Heartbeat>(hb.event.body);
  EXPECT_EQ(beat.log_file, "binlog.000001");
  EXPECT_EQ(beat.log_pos, hb.event.header.log_pos);
  EXPECT_GT(beat.log_pos, 0u);
}

TEST(BinlogMariaDb, EveryFlippedByteIsCaughtByTheChecksum) {
  // Any single corrupted byte of a checksummed event is reported, never decoded.
  for (const std::string* packet : {&kGtidInsert, &kXid, &kQueryDdl, &kFakeGtidList}) {
    for (size_t i = 1; i < packet->size(); ++i) {
      std::string bad = *packet;
      bad[i] = static_cast<char>(bad[i] ^ 0x01);
      StreamDecoder d(ChecksumAlgorithm::kCrc32);
      auto p = d.decode(bad);
      EXPECT_EQ(p.kind, StreamPacket::Kind::kMalformed) << "byte " << i;
      EXPECT_FALSE(p.error.empty());
    }
  }
}

TEST(BinlogMariaDb, TruncatedPacketsAreErrors) {
  for (const std::string* packet : {&kFormatDescription, &kGtidInsert, &kQueryDdl, &kFakeRotate}) {
    for (size_t n = 0; n < packet->size(); ++n) {
      StreamDecoder d(ChecksumAlgorithm::kCrc32);
      auto p = d.decode(packet->substr(0, n));
      EXPECT_NE(p.kind, StreamPacket::Kind::kEvent) << "length " << n;
    }
  }
}

TEST(BinlogMariaDb, ChecksumOffLeavesTheBytesAlone) {
  // With checksums off the 4 trailing bytes would be body: a QUERY's statement text then
  // ends in them. This proves the decoder honours the negotiated algorithm.
  StreamDecoder d(ChecksumAlgorithm::kOff);
  auto p = d.decode(kQueryDdl);
  ASSERT_EQ(p.kind, StreamPacket::Kind::kEvent) << p.error;
  EXPECT_EQ(std::get<Query>(p.event.body).sql.size(),
            std::string("CREATE TABLE capture.d (a INT)").size() + 4);
}

TEST(BinlogStream, EndOfStreamAndServerError) {
  StreamDecoder d(ChecksumAlgorithm::kCrc32);
  EXPECT_EQ(d.decode(std::string("\xfe\x00\x00\x02\x00", 5)).kind,
            StreamPacket::Kind::kEndOfStream);
  // ERROR 1236 as MariaDB sends it when the requested position is gone.
  // (no embedded NUL, so the literal's own length is the packet's)
  const std::string err(
      "\xff\xd4\x04#HY000Could not find GTID state requested by slave in any binlog files");
  auto p = d.decode(err);
  EXPECT_EQ(p.kind, StreamPacket::Kind::kServerError);
  EXPECT_EQ(p.error_code, 1236);
  EXPECT_NE(p.error.find("Could not find GTID state"), std::string::npos);
  EXPECT_EQ(d.decode("").kind, StreamPacket::Kind::kMalformed);
  auto odd = d.decode(std::string("\x07\x00", 2));
  EXPECT_EQ(odd.kind, StreamPacket::Kind::kMalformed);
  EXPECT_NE(odd.error.find("0x07"), std::string::npos);
}

// ---- MySQL 8, built from the documented layouts -------------------------------------------
std::string le(uint64_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return s;
}

// One stream packet: 0x00, 19-byte header, body, CRC32 of header+body.
std::string mysql_packet(uint8_t type, const std::string& body, uint32_t log_pos = 1000,
                         uint16_t flags = 0) {
  std::string ev = le(1700000000, 4) + static_cast<char>(type) + le(1, 4) +
                   le(kEventHeaderSize + body.size() + kChecksumSize, 4) + le(log_pos, 4) +
                   le(flags, 2) + body;
  ev += le(crc32(ev), 4);
  return std::string(1, '\0') + ev;
}

const std::string kUuid("\x3e\x11\xfa\x47\x71\xca\x11\xe1\x9e\x33\xc8\x0a\xa9\x42\x95\x62", 16);

std::string mysql_fde() {
  std::string version = "8.0.36";
  version.resize(50, '\0');
  // Post-header lengths for event types 1..41, as MySQL 8.0 writes them (QUERY = 13,
  // ROTATE = 8, GTID = 42, ...): only QUERY's matters to the decoder.
  std::string lengths(41, '\0');
  lengths[event_type::kQuery - 1] = 13;
  lengths[event_type::kRotate - 1] = 8;
  lengths[event_type::kMySqlGtid - 1] = 42;
  return le(4, 2) + version + le(1700000000, 4) + static_cast<char>(19) + lengths +
         static_cast<char>(1);  // checksum algorithm CRC32 (the CRC itself is appended)
}

std::string mysql_gtid(uint64_t gno) {
  // commit flag, sid, gno, logical timestamp type (2), last_committed, sequence_number,
  // immediate commit timestamp (7 bytes), transaction length (net_field), server version.
  return std::string(1, '\1') + kUuid + le(gno, 8) + '\2' + le(5, 8) + le(6, 8) +
         le(1700000000000000, 7) + '\x40' + le(80036, 4);
}

std::string mysql_query(const std::string& db, const std::string& sql) {
  std::string status_vars("\x00\x00\x00\x00\x00", 5);  // Q_FLAGS2_CODE, 4 bytes
  return le(42, 4) + le(0, 4) + static_cast<char>(db.size()) + le(0, 2) +
         le(status_vars.size(), 2) + status_vars + db + '\0' + sql;
}

TEST(BinlogMySql, GtidTransactionAndDdl) {
  StreamDecoder d(ChecksumAlgorithm::kCrc32);
  auto fde = must_decode(d, mysql_packet(event_type::kFormatDescription, mysql_fde()));
  EXPECT_EQ(std::get<FormatDescription>(fde.event.body).server_version, "8.0.36");

  // PREVIOUS_GTIDS: one sid with intervals [1,6) and [8,10) (end exclusive).
  std::string prev = le(1, 8) + kUuid + le(2, 8) + le(1, 8) + le(6, 8) + le(8, 8) + le(10, 8);
  auto p = must_decode(d, mysql_packet(event_type::kMySqlPreviousGtids, prev));
  EXPECT_EQ(std::get<MySqlPreviousGtids>(p.event.body).gtids.to_string(),
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:8-9");

  auto g = must_decode(d, mysql_packet(event_type::kMySqlGtid, mysql_gtid(10)));
  auto& gtid = std::get<MySqlGtid>(g.event.body);
  EXPECT_EQ(gtid.uuid, kUuid);
  EXPECT_EQ(gtid.gno, 10u);
  GtidSet s;
  s.add_mysql(gtid.uuid, gtid.gno);
  EXPECT_EQ(s.to_string(), "3e11fa47-71ca-11e1-9e33-c80aa9429562:10");

  auto begin = must_decode(d, mysql_packet(event_type::kQuery, mysql_query("test", "BEGIN")));
  EXPECT_EQ(std::get<Query>(begin.event.body).sql, "BEGIN");
  EXPECT_EQ(std::get<Query>(begin.event.body).db, "test");
  auto xid = must_decode(d, mysql_packet(event_type::kXid, le(77, 8)));
  EXPECT_EQ(std::get<Xid>(xid.event.body).xid, 77u);

  auto rot = must_decode(d, mysql_packet(event_type::kRotate, le(4, 8) + "binlog.000002"));
  EXPECT_EQ(std::get<Rotate>(rot.event.body).next_file, "binlog.000002");
  auto hb = must_decode(d, mysql_packet(event_type::kHeartbeat, "binlog.000002", 157));
  EXPECT_EQ(std::get<Heartbeat>(hb.event.body).log_pos, 157u);
  auto hb2 = must_decode(
      d, mysql_packet(event_type::kMySqlHeartbeatV2, std::string("\x01\x0d", 2) + "binlog.000002"));
  EXPECT_TRUE(std::holds_alternative<Heartbeat>(hb2.event.body));
}

TEST(BinlogMySql, GtidSetBinaryFormRoundTripsThroughPreviousGtids) {
  // COM_BINLOG_DUMP_GTID's SID block and PREVIOUS_GTIDS share one encoding.
  auto set =
      GtidSet::parse(
          "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:8-9,aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee:7")
          .value();
  std::string bin = set.to_mysql_binary();
  EXPECT_EQ(bin.size(), 8u + 2 * (16 + 8) + 3 * 16);
  EXPECT_EQ(bin.substr(8, 16), kUuid);
  StreamDecoder d(ChecksumAlgorithm::kCrc32);
  auto p = must_decode(d, mysql_packet(event_type::kMySqlPreviousGtids, bin));
  EXPECT_EQ(std::get<MySqlPreviousGtids>(p.event.body).gtids, set);
  EXPECT_EQ(GtidSet{}.to_mysql_binary(), le(0, 8));
}

TEST(BinlogMySql, MalformedGtidEvents) {
  StreamDecoder d(ChecksumAlgorithm::kCrc32);
  // gno 0 and gno >= 2^63 are not transaction numbers.
  EXPECT_EQ(d.decode(mysql_packet(event_type::kMySqlGtid, mysql_gtid(0))).kind,
            StreamPacket::Kind::kMalformed);
  EXPECT_EQ(d.decode(mysql_packet(event_type::kMySqlGtid, mysql_gtid(uint64_t{1} << 63))).kind,
            StreamPacket::Kind::kMalformed);
  // Too short for sid + gno.
  EXPECT_EQ(d.decode(mysql_packet(event_type::kMySqlGtid, std::string(1, '\1') + kUuid)).kind,
            StreamPacket::Kind::kMalformed);
  // PREVIOUS_GTIDS claiming more sids / intervals than bytes, and an empty interval.
  EXPECT_EQ(d.decode(mysql_packet(event_type::kMySqlPreviousGtids, le(1000000, 8))).kind,
            StreamPacket::Kind::kMalformed);
  EXPECT_EQ(
      d.decode(mysql_packet(event_type::kMySqlPreviousGtids, le(1, 8) + kUuid + le(~0ull, 8))).kind,
      StreamPacket::Kind::kMalformed);
  EXPECT_EQ(d.decode(mysql_packet(event_type::kMySqlPreviousGtids,
                                  le(1, 8) + kUuid + le(1, 8) + le(5, 8) + le(5, 8)))
                .kind,
            StreamPacket::Kind::kMalformed);
  // A GTID_LIST whose count overruns the event.
  EXPECT_EQ(
      d.decode(mysql_packet(event_type::kMariaDbGtidList, le(3, 4) + std::string(16, '\0'))).kind,
      StreamPacket::Kind::kMalformed);
  // Header size field that disagrees with the bytes.
  std::string bad = mysql_packet(event_type::kXid, le(1, 8));
  bad[10] = static_cast<char>(bad[10] + 1);
  auto p = d.decode(bad);
  EXPECT_EQ(p.kind, StreamPacket::Kind::kMalformed);
  EXPECT_NE(p.error.find("size"), std::string::npos);
  // A QUERY whose database length runs past the event.
  std::string q = mysql_query("test", "BEGIN");
  q[8] = '\x7f';
  EXPECT_EQ(d.decode(mysql_packet(event_type::kQuery, q)).kind, StreamPacket::Kind::kMalformed);
}

TEST(BinlogChecksum, NamesAsServersPrintThem) {
  EXPECT_EQ(parse_checksum_name("CRC32"), ChecksumAlgorithm::kCrc32);
  EXPECT_EQ(parse_checksum_name("NONE"), ChecksumAlgorithm::kOff);
  EXPECT_FALSE(parse_checksum_name("MD5"));
}

}  // namespace
}  // namespace tessera::protocol::binlog
