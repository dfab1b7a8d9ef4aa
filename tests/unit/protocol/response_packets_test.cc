#include <gtest/gtest.h>

#include "protocol/column_definition.h"
#include "protocol/constants.h"
#include "protocol/response_packets.h"
#include "protocol/text_result.h"
#include "protocol/wire_reader.h"

namespace tessera::protocol {
namespace {

TEST(OkPacket, RoundTripWithAndWithoutSessionTrack) {
  OkPacket ok;
  ok.affected_rows = 300;
  ok.last_insert_id = 70000;
  ok.status_flags = status::kAutocommit | status::kSessionStateChanged;
  ok.warnings = 2;
  ok.info = "Rows matched: 1";
  ok.session_state = std::string("\x02\x01\x31", 3);
  auto a = OkPacket::decode(ok.encode(cap::kSessionTrack), cap::kSessionTrack);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->affected_rows, 300u);
  EXPECT_EQ(a->last_insert_id, 70000u);
  EXPECT_EQ(a->warnings, 2);
  EXPECT_EQ(a->info, ok.info);
  EXPECT_EQ(a->session_state, ok.session_state);
  // A client without CLIENT_SESSION_TRACK gets no state and the flag cleared.
  auto b = OkPacket::decode(ok.encode(0), 0);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->info, ok.info);
  EXPECT_FALSE(b->status_flags & status::kSessionStateChanged);
}

TEST(OkPacket, InfoIsLengthEncodedWithoutSessionTrack) {
  // As MariaDB 10.11 sends it to a client without CLIENT_SESSION_TRACK (found by
  // it.compat_protocol): header, affected rows, insert id, status, warnings, lenenc info.
  OkPacket ok;
  ok.affected_rows = 3;
  ok.status_flags = status::kAutocommit;
  ok.info = "Rows matched: 3  Changed: 3  Warnings: 0";
  std::string want("\x00\x03\x00\x02\x00\x00\x00", 7);
  want += static_cast<char>(ok.info.size());
  want += ok.info;
  EXPECT_EQ(ok.encode(0), want);
  OkPacket bare;
  EXPECT_EQ(bare.encode(0), std::string("\x00\x00\x00\x00\x00\x00\x00", 7));
}

TEST(SessionState, ParsesMariaDbBlock) {
  // Recorded from MariaDB 10.11 after SET sql_mode='ANSI' (system variable,
  // then the state-change flag whose data is a bare "1").
  std::string value = "REAL_AS_FLOAT,PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,ANSI";
  std::string entry;
  entry += '\x08';
  entry += "sql_mode";
  entry += static_cast<char>(value.size());
  entry += value;
  std::string block;
  block += '\x00';
  block += static_cast<char>(entry.size());
  block += entry;
  block += std::string("\x02\x01\x31", 3);
  std::vector<SessionStateChange> changes;
  ASSERT_TRUE(parse_session_state(block, changes));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].type, SessionTrackType::kSystemVariables);
  EXPECT_EQ(changes[0].name, "sql_mode");
  EXPECT_EQ(changes[0].value, value);
  EXPECT_EQ(changes[1].type, SessionTrackType::kStateChange);
  EXPECT_EQ(changes[1].value, "1");
}

TEST(SessionState, SchemaAndTruncation) {
  std::string block = std::string("\x01\x05\x04", 3) + "demo";
  std::vector<SessionStateChange> changes;
  ASSERT_TRUE(parse_session_state(block, changes));
  EXPECT_EQ(changes.at(0).name, "demo");
  changes.clear();
  EXPECT_FALSE(parse_session_state(block.substr(0, 4), changes));
}

TEST(ErrPacket, RoundTrip) {
  ErrPacket e({1146, "42S02"}, "Table 'x.y' doesn't exist");
  auto d = ErrPacket::decode(e.encode());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->code, 1146);
  EXPECT_EQ(d->sqlstate, "42S02");
  EXPECT_EQ(d->message, e.message);
}

TEST(EofPacket, RoundTripAndRowDisambiguation) {
  EofPacket e{3, status::kMoreResultsExist};
  std::string wire = e.encode();
  EXPECT_TRUE(is_eof_packet(wire));
  auto d = EofPacket::decode(wire);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->warnings, 3);
  EXPECT_EQ(d->status_flags, status::kMoreResultsExist);
  // A row starting with 0xfe (an 8-byte length) is 9+ bytes: not an EOF.
  EXPECT_FALSE(is_eof_packet(std::string("\xfe", 1) + std::string(8, '\0')));
}

TEST(ColumnDefinition, RoundTrip) {
  auto c = ColumnDefinition::integer("n");
  c.schema = "demo";
  c.table = "t";
  auto d = ColumnDefinition::decode(c.encode());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->name, "n");
  EXPECT_EQ(d->schema, "demo");
  EXPECT_EQ(d->type, FieldType::kLongLong);
  EXPECT_FALSE(ColumnDefinition::decode("\x03"));
}

TEST(TextResult, EofAndDeprecateEofShapes) {
  for (uint32_t caps : {0u, cap::kDeprecateEof}) {
    TextResultBuilder b(caps, status::kAutocommit);
    b.add_column(ColumnDefinition::text("a"));
    b.add_row({std::string("x")});
    b.add_row({std::nullopt});
    std::string wire;
    uint8_t seq = 1;
    b.finish(wire, seq);
    // count + column + rows(2) + terminator, plus an EOF after columns without DEPRECATE_EOF
    EXPECT_EQ(seq, caps ? 6 : 7);
  }
}

}  // namespace
}  // namespace tessera::protocol
