// ResponseDecoder over recorded responses, built with the protocol's own encoders (the shapes
// MariaDB 10.11 sends): every command's response shape with CLIENT_DEPRECATE_EOF on and off,
// and malformed streams (truncated, garbage, out of place) that must fail with a message.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "protocol/binary_values.h"
#include "protocol/column_definition.h"
#include "protocol/constants.h"
#include "protocol/framing.h"
#include "protocol/response_decoder.h"
#include "protocol/response_packets.h"
#include "protocol/statement_packets.h"
#include "protocol/text_result.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace tessera::protocol {
namespace {

using E = ResponseEvent;
using namespace std::string_literals;
using Packets = std::vector<std::string>;

constexpr uint32_t kBase = cap::kProtocol41 | cap::kSessionTrack | cap::kMultiResults;
constexpr uint32_t kDeof = kBase | cap::kDeprecateEof;

// The payloads of a run of frames (frames of one packet joined).
Packets split(const std::string& wire) {
  Packets out;
  std::string packet;
  size_t at = 0;
  while (at + kFrameHeaderSize <= wire.size()) {
    auto h = decode_frame_header(wire.data() + at);
    packet.append(wire, at + kFrameHeaderSize, h.length);
    at += kFrameHeaderSize + h.length;
    if (h.length < kMaxFramePayload) out.push_back(std::move(packet)), packet.clear();
  }
  return out;
}

struct Run {
  std::vector<E> events;
  size_t unread = 0;  // packets left when the decoder finished (or gave up)
};

// Feeds `packets` as a caller does: implied events when due, a packet again when not consumed.
Run decode(ResponseDecoder& d, const Packets& packets) {
  Run run;
  size_t i = 0;
  while (!d.done() && !d.failed()) {
    if (d.event_due()) {
      run.events.push_back(d.next_implied());
      continue;
    }
    if (i == packets.size()) break;
    run.events.push_back(d.next_packet(packets[i]));
    if (d.consumed()) ++i;
  }
  run.unread = packets.size() - i;
  return run;
}

Run decode(Command c, uint32_t caps, const Packets& packets) {
  ResponseDecoder d(c, caps);
  return decode(d, packets);
}

std::string ok_packet(uint16_t status, uint64_t affected = 0, uint8_t header = kOkHeader,
                      uint32_t caps = kDeof) {
  OkPacket ok;
  ok.header = header;
  ok.status_flags = status;
  ok.affected_rows = affected;
  return ok.encode(caps);
}

std::string err_packet(uint16_t code = 1146) {
  return ErrPacket(ErrorCode{code, "42S02"}, "Table 'db.t' doesn't exist").encode();
}

// A text result: columns a (INT) and b (VARCHAR), `rows` rows.
Packets text_result(uint32_t caps, int rows, uint16_t status = status::kAutocommit) {
  TextResultBuilder b(caps, status);
  b.add_column(ColumnDefinition::integer("a"));
  b.add_column(ColumnDefinition::text("b"));
  for (int i = 0; i < rows; ++i) b.add_row({std::to_string(i), std::nullopt});
  std::string wire;
  uint8_t seq = 1;
  b.finish(wire, seq);
  return split(wire);
}

Packets operator+(Packets a, const Packets& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<ColumnDefinition> binary_columns() {
  ColumnDefinition id = ColumnDefinition::integer("id");
  id.type = FieldType::kLong;
  ColumnDefinition name = ColumnDefinition::text("name");
  ColumnDefinition at = ColumnDefinition::text("at");
  at.type = FieldType::kDatetime;
  return {id, name, at};
}

std::string binary_row(std::vector<std::optional<std::string>> cells) {
  TextResultBuilder b(kDeof, 0);
  b.add_row(cells);
  std::string wire;
  uint8_t seq = 0;
  // The text row is the only row of a throwaway result: its payload is the packet after the
  // count, the three definitions and nothing else.
  for (auto& c : binary_columns()) b.add_column(c);
  b.finish(wire, seq);
  auto text = split(wire)[4];
  std::string out;
  EXPECT_TRUE(text_row_to_binary(text, binary_columns(), out));
  return out;
}

// COM_STMT_EXECUTE's result: count, definitions, [EOF], binary rows, end.
Packets binary_result(uint32_t caps, bool cursor, int rows) {
  Packets p;
  std::string count;
  WireWriter(count).lenenc_int(3);
  p.push_back(count);
  for (auto& c : binary_columns()) p.push_back(c.encode());
  const bool deof = caps & cap::kDeprecateEof;
  if (cursor) {
    p.push_back(EofPacket{0, status::kAutocommit | status::kCursorExists}.encode());
    return p;
  }
  if (!deof) p.push_back(EofPacket{0, status::kAutocommit}.encode());
  for (int i = 0; i < rows; ++i)
    p.push_back(
        binary_row({std::to_string(i), i % 2 ? std::nullopt : std::optional<std::string>("x"),
                    "2026-12-07 01:02:03"}));
  if (deof)
    p.push_back(ok_packet(status::kAutocommit, 0, kEofHeader));
  else
    p.push_back(EofPacket{0, status::kAutocommit}.encode());
  return p;
}

TEST(ResponseDecoder, Ok) {
  OkPacket ok;
  ok.affected_rows = 3;
  ok.last_insert_id = 42;
  ok.status_flags = status::kAutocommit | status::kSessionStateChanged;
  ok.warnings = 1;
  ok.info = "Rows matched: 3";
  ok.session_state = std::string(
      "\x01\x03\x02"
      "db",
      5);
  ResponseDecoder d(Command::kQuery, kDeof);
  EXPECT_EQ(d.next_packet(ok.encode(kDeof)), E::kOk);
  EXPECT_TRUE(d.done());
  EXPECT_FALSE(d.more_results());
  EXPECT_EQ(d.ok().affected_rows, 3u);
  EXPECT_EQ(d.ok().last_insert_id, 42u);
  EXPECT_EQ(d.ok().session_state, ok.session_state);
  EXPECT_EQ(d.warnings(), 1);
  EXPECT_EQ(d.status_flags(), ok.status_flags);
}

TEST(ResponseDecoder, Err) {
  ResponseDecoder d(Command::kQuery, kDeof);
  EXPECT_EQ(d.next_packet(err_packet(1146)), E::kErr);
  EXPECT_EQ(d.err_code(), 1146);
  EXPECT_TRUE(d.done());
  // A short ERR without the SQL state marker is an ERR too (pre-4.1 form).
  ResponseDecoder old(Command::kInitDb, kDeof);
  EXPECT_EQ(old.next_packet(std::string("\xff\x19\x04"
                                        "denied",
                                        9)),
            E::kErr);
  EXPECT_EQ(old.err_code(), 1049);
}

TEST(ResponseDecoder, EmptyResultWithAndWithoutDeprecateEof) {
  auto on = decode(Command::kQuery, kDeof, text_result(kDeof, 0));
  EXPECT_EQ(on.events, (std::vector<E>{E::kResultStart, E::kColumn, E::kColumn, E::kColumnsEnd,
                                       E::kResultEnd}));
  EXPECT_EQ(on.unread, 0u);
  auto off = decode(Command::kQuery, kBase, text_result(kBase, 0));
  EXPECT_EQ(off.events, on.events);
  EXPECT_EQ(off.unread, 0u);
}

TEST(ResponseDecoder, TextRows) {
  for (uint32_t caps : {kDeof, kBase}) {
    ResponseDecoder d(Command::kQuery, caps);
    auto packets = text_result(caps, 3);
    auto run = decode(d, packets);
    EXPECT_EQ(run.events, (std::vector<E>{E::kResultStart, E::kColumn, E::kColumn, E::kColumnsEnd,
                                          E::kRow, E::kRow, E::kRow, E::kResultEnd}));
    EXPECT_TRUE(d.done());
    EXPECT_EQ(d.end_ok(), caps == kDeof);
    EXPECT_EQ(d.status_flags(), status::kAutocommit);
    EXPECT_FALSE(d.binary_rows());
  }
}

TEST(ResponseDecoder, ImpliedColumnsEndIsDueWithoutAPacket) {
  auto packets = text_result(kDeof, 1);
  ResponseDecoder d(Command::kQuery, kDeof);
  EXPECT_EQ(d.next_packet(packets[0]), E::kResultStart);
  EXPECT_EQ(d.column_count(), 2u);
  EXPECT_EQ(d.next_packet(packets[1]), E::kColumn);
  EXPECT_FALSE(d.event_due());
  EXPECT_EQ(d.next_packet(packets[2]), E::kColumn);
  EXPECT_TRUE(d.event_due());
  EXPECT_EQ(d.next_implied(), E::kColumnsEnd);
  EXPECT_TRUE(d.implied());
  EXPECT_EQ(d.stage(), ResponseStage::kRows);
  // Without DEPRECATE_EOF the EOF packet carries it.
  auto off = text_result(kBase, 1);
  ResponseDecoder e(Command::kQuery, kBase);
  for (int i = 0; i < 3; ++i) e.next_packet(off[i]);
  EXPECT_FALSE(e.event_due());
  EXPECT_EQ(e.next_packet(off[3]), E::kColumnsEnd);
  EXPECT_FALSE(e.implied());
}

TEST(ResponseDecoder, PacketGivenWhenAnImpliedEndIsDueIsNotConsumed) {
  auto packets = text_result(kDeof, 1);
  ResponseDecoder d(Command::kQuery, kDeof);
  for (int i = 0; i < 3; ++i) d.next_packet(packets[i]);
  EXPECT_EQ(d.next_packet(packets[3]), E::kColumnsEnd);
  EXPECT_FALSE(d.consumed());
  EXPECT_EQ(d.next_packet(packets[3]), E::kRow);
  EXPECT_TRUE(d.consumed());
}

TEST(ResponseDecoder, MultiResultWithMoreResults) {
  const uint16_t more = status::kAutocommit | status::kMoreResultsExist;
  for (uint32_t caps : {kDeof, kBase}) {
    // SELECT ...; UPDATE ...; SELECT ...
    auto packets = text_result(caps, 1, more) + Packets{ok_packet(more, 2, kOkHeader, caps)} +
                   text_result(caps, 2);
    ResponseDecoder d(Command::kQuery, caps);
    auto run = decode(d, packets);
    EXPECT_EQ(run.events,
              (std::vector<E>{E::kResultStart, E::kColumn, E::kColumn, E::kColumnsEnd, E::kRow,
                              E::kResultEnd, E::kOk, E::kResultStart, E::kColumn, E::kColumn,
                              E::kColumnsEnd, E::kRow, E::kRow, E::kResultEnd}));
    EXPECT_EQ(run.unread, 0u);
    EXPECT_TRUE(d.done());
  }
}

TEST(ResponseDecoder, MoreResultsIsSaidAfterEachPart) {
  const uint16_t more = status::kAutocommit | status::kMoreResultsExist;
  auto packets = text_result(kDeof, 0, more);
  ResponseDecoder d(Command::kQuery, kDeof);
  decode(d, packets);
  EXPECT_FALSE(d.done());
  EXPECT_TRUE(d.more_results());
  EXPECT_EQ(d.stage(), ResponseStage::kResponse);
  EXPECT_EQ(d.next_packet(ok_packet(status::kAutocommit)), E::kOk);
  EXPECT_FALSE(d.more_results());
  EXPECT_TRUE(d.done());
}

TEST(ResponseDecoder, CallResults) {
  // CALL p(): two result sets, each saying more follow, then the CALL's own OK.
  const uint16_t more = status::kAutocommit | status::kMoreResultsExist;
  for (uint32_t caps : {kDeof, kBase}) {
    auto packets = text_result(caps, 2, more) + text_result(caps, 1, more) +
                   Packets{ok_packet(status::kAutocommit, 0, kOkHeader, caps)};
    auto run = decode(Command::kQuery, caps, packets);
    EXPECT_EQ(run.events.back(), E::kOk);
    EXPECT_EQ(std::count(run.events.begin(), run.events.end(), E::kResultEnd), 2);
    EXPECT_EQ(run.unread, 0u);
    // The same through COM_STMT_EXECUTE (binary rows).
    auto call = binary_result(caps, false, 2);
    call.back() =
        caps & cap::kDeprecateEof ? ok_packet(more, 0, kEofHeader) : EofPacket{0, more}.encode();
    call.push_back(ok_packet(status::kAutocommit, 0, kOkHeader, caps));
    ResponseDecoder d(Command::kStmtExecute, caps);
    auto binary = decode(d, call);
    EXPECT_EQ(binary.events.back(), E::kOk);
    EXPECT_EQ(binary.unread, 0u);
    EXPECT_TRUE(d.done());
  }
}

TEST(ResponseDecoder, ErrEndsTheRows) {
  auto packets = text_result(kDeof, 2);
  packets.back() = err_packet(1317);  // Query execution was interrupted
  ResponseDecoder d(Command::kQuery, kDeof);
  auto run = decode(d, packets);
  EXPECT_EQ(run.events.back(), E::kErr);
  EXPECT_EQ(d.err_code(), 1317);
  EXPECT_TRUE(d.done());
}

TEST(ResponseDecoder, BinaryRows) {
  for (uint32_t caps : {kDeof, kBase}) {
    ResponseDecoder d(Command::kStmtExecute, caps);
    auto run = decode(d, binary_result(caps, false, 3));
    EXPECT_EQ(run.events,
              (std::vector<E>{E::kResultStart, E::kColumn, E::kColumn, E::kColumn, E::kColumnsEnd,
                              E::kRow, E::kRow, E::kRow, E::kResultEnd}));
    EXPECT_EQ(run.unread, 0u);
    EXPECT_TRUE(d.binary_rows());
    EXPECT_TRUE(d.done());
  }
}

TEST(ResponseDecoder, ExecuteWithoutRowsIsNoCursor) {
  // Under DEPRECATE_EOF the end of no rows (a 7-byte OK with the 0xfe header) looks like an
  // EOF packet: its status does not say a cursor exists.
  ResponseDecoder d(Command::kStmtExecute, kDeof);
  auto run = decode(d, binary_result(kDeof, false, 0));
  EXPECT_EQ(run.events.back(), E::kResultEnd);
  EXPECT_FALSE(d.cursor_open());
  EXPECT_EQ(run.unread, 0u);
}

TEST(ResponseDecoder, CursorOpen) {
  for (uint32_t caps : {kDeof, kBase}) {
    ResponseDecoder d(Command::kStmtExecute, caps);
    auto run = decode(d, binary_result(caps, true, 0));
    EXPECT_EQ(run.events, (std::vector<E>{E::kResultStart, E::kColumn, E::kColumn, E::kColumn,
                                          E::kColumnsEnd}));
    EXPECT_TRUE(d.cursor_open());
    EXPECT_FALSE(d.implied());
    EXPECT_TRUE(d.status_flags() & status::kCursorExists);
    EXPECT_TRUE(d.done());
    EXPECT_EQ(run.unread, 0u);
  }
}

TEST(ResponseDecoder, Fetch) {
  for (uint32_t caps : {kDeof, kBase}) {
    const uint16_t st = status::kAutocommit | status::kCursorExists | status::kLastRowSent;
    Packets p{binary_row({"1", "a", std::nullopt}), binary_row({"2", std::nullopt, std::nullopt})};
    p.push_back(caps & cap::kDeprecateEof ? ok_packet(st, 0, kEofHeader)
                                          : EofPacket{0, st}.encode());
    ResponseDecoder d(Command::kStmtFetch, caps);
    auto run = decode(d, p);
    EXPECT_EQ(run.events, (std::vector<E>{E::kRow, E::kRow, E::kResultEnd}));
    EXPECT_TRUE(d.done());
    EXPECT_EQ(d.status_flags(), st);
  }
  ResponseDecoder e(Command::kStmtFetch, kDeof);
  EXPECT_EQ(e.next_packet(err_packet(1243)), E::kErr);
}

Packets prepare_response(uint32_t caps, uint16_t params, uint16_t columns) {
  StmtPrepareOk ok;
  ok.statement_id = 7;
  ok.num_params = params;
  ok.num_columns = columns;
  Packets p{ok.encode()};
  const bool deof = caps & cap::kDeprecateEof;
  for (int i = 0; i < params; ++i) p.push_back(ColumnDefinition::text("?").encode());
  if (params && !deof) p.push_back(EofPacket{0, status::kAutocommit}.encode());
  for (int i = 0; i < columns; ++i) p.push_back(ColumnDefinition::text("c").encode());
  if (columns && !deof) p.push_back(EofPacket{0, status::kAutocommit}.encode());
  return p;
}

TEST(ResponseDecoder, Prepare) {
  struct Case {
    uint16_t params, columns;
    std::vector<E> events;
  };
  const std::vector<Case> cases = {
      {2, 1, {E::kPrepareOk, E::kParam, E::kParam, E::kParamsEnd, E::kColumn, E::kColumnsEnd}},
      {0, 2, {E::kPrepareOk, E::kColumn, E::kColumn, E::kColumnsEnd}},
      {1, 0, {E::kPrepareOk, E::kParam, E::kParamsEnd}},
      {0, 0, {E::kPrepareOk}},
  };
  for (uint32_t caps : {kDeof, kBase}) {
    for (const auto& c : cases) {
      ResponseDecoder d(Command::kStmtPrepare, caps);
      auto run = decode(d, prepare_response(caps, c.params, c.columns));
      EXPECT_EQ(run.events, c.events) << c.params << " params, " << c.columns << " columns";
      EXPECT_EQ(run.unread, 0u);
      EXPECT_TRUE(d.done());
      EXPECT_EQ(d.prepare_ok().statement_id, 7u);
    }
  }
  ResponseDecoder e(Command::kStmtPrepare, kDeof);
  EXPECT_EQ(e.next_packet(err_packet(1064)), E::kErr);
}

TEST(ResponseDecoder, FieldList) {
  for (uint32_t caps : {kDeof, kBase}) {
    // COM_FIELD_LIST's definitions carry a default value after the fixed fields.
    std::string def = ColumnDefinition::text("a").encode() + std::string("\xfb", 1);
    Packets p{def, def};
    p.push_back(caps & cap::kDeprecateEof ? ok_packet(status::kAutocommit, 0, kEofHeader)
                                          : EofPacket{0, status::kAutocommit}.encode());
    ResponseDecoder d(Command::kFieldList, caps);
    auto run = decode(d, p);
    EXPECT_EQ(run.events, (std::vector<E>{E::kColumn, E::kColumn, E::kColumnsEnd}));
    EXPECT_TRUE(d.done());
  }
  ResponseDecoder e(Command::kFieldList, kDeof);
  EXPECT_EQ(e.next_packet(err_packet(1146)), E::kErr);
}

TEST(ResponseDecoder, LocalInfileRequest) {
  ResponseDecoder d(Command::kQuery, kDeof);
  const std::string request("\xfb/tmp/rows.csv", 14);  // local_file() is a view into it
  EXPECT_EQ(d.next_packet(request), E::kLocalInfile);
  EXPECT_EQ(d.local_file(), "/tmp/rows.csv");
  EXPECT_FALSE(d.done());
  // The LOAD's OK once the file went up.
  EXPECT_EQ(d.next_packet(ok_packet(status::kAutocommit, 5)), E::kOk);
  EXPECT_TRUE(d.done());
  // Not an answer to a prepared statement.
  ResponseDecoder e(Command::kStmtExecute, kDeof);
  EXPECT_EQ(e.next_packet(std::string("\xfb"
                                      "f",
                                      2)),
            E::kMalformed);
}

TEST(ResponseDecoder, StatisticsAndOkErrCommands) {
  ResponseDecoder s(Command::kStatistics, kDeof);
  EXPECT_EQ(s.next_packet("Uptime: 10  Threads: 1"), E::kReply);
  EXPECT_TRUE(s.done());
  ResponseDecoder i(Command::kInitDb, kDeof);
  EXPECT_EQ(i.next_packet(ok_packet(status::kAutocommit)), E::kOk);
  EXPECT_TRUE(i.done());
  ResponseDecoder r(Command::kResetConnection, kDeof);
  EXPECT_EQ(r.next_packet(text_result(kDeof, 0)[0]), E::kMalformed);
  EXPECT_NE(r.error(), "");
}

TEST(ResponseDecoder, LargeRowAcrossFrames) {
  // A row of one 20 MB cell under the relay's frame-by-frame reading.
  std::string cell(20u << 20, 'x');
  std::string row;
  WireWriter(row).lenenc_str(cell);
  std::string wire;
  uint8_t seq = 0;
  append_frames(wire, row, seq);
  TextResultBuilder b(kDeof, status::kAutocommit);
  b.add_column(ColumnDefinition::text("big"));
  std::string head;
  b.finish(head, seq);
  Packets result = split(head);  // count, definition, end
  ResponseDecoder d(Command::kQuery, kDeof);
  EXPECT_EQ(d.next_frame(result[0]), E::kResultStart);
  EXPECT_EQ(d.next_frame(result[1]), E::kColumn);
  EXPECT_EQ(d.next_implied(), E::kColumnsEnd);
  std::vector<E> events;
  size_t at = 0;
  while (at < wire.size()) {
    auto h = decode_frame_header(wire.data() + at);
    events.push_back(d.next_frame(std::string_view(wire).substr(at + kFrameHeaderSize, h.length)));
    if (events.size() == 1) {
      EXPECT_TRUE(d.packet_continues());
    }
    at += kFrameHeaderSize + h.length;
  }
  EXPECT_EQ(events, (std::vector<E>{E::kRow, E::kContinuation}));
  EXPECT_FALSE(d.continuing());
  EXPECT_EQ(d.next_frame(result[2]), E::kResultEnd);
  EXPECT_TRUE(d.done());
  // Joined into one packet, the same row is a row.
  ResponseDecoder p(Command::kQuery, kDeof);
  p.next_packet(result[0]);
  p.next_packet(result[1]);
  EXPECT_EQ(p.next_packet(row), E::kColumnsEnd);
  EXPECT_EQ(p.next_packet(row), E::kRow);
  EXPECT_EQ(p.next_packet(result[2]), E::kResultEnd);
}

TEST(ResponseDecoder, OnlyRowsMaySpanFrames) {
  ResponseDecoder d(Command::kQuery, kDeof);
  d.next_frame(text_result(kDeof, 0)[0]);
  EXPECT_EQ(d.next_frame(std::string(kMaxFramePayload, '\x03')), E::kMalformed);
  EXPECT_NE(d.error().find("larger than one frame"), std::string::npos);
}

// A malformed stream fails with a message and stays failed.
void expect_malformed(Command c, uint32_t caps, const Packets& p, std::string_view says) {
  ResponseDecoder d(c, caps);
  auto run = decode(d, p);
  ASSERT_FALSE(run.events.empty());
  EXPECT_EQ(run.events.back(), E::kMalformed) << says;
  EXPECT_TRUE(d.failed());
  EXPECT_NE(d.error().find(says), std::string::npos) << d.error();
  EXPECT_EQ(d.next_packet(ok_packet(0)), E::kMalformed);
  EXPECT_EQ(d.next_implied(), E::kMalformed);
}

// A column definition is checked as it is read: every prefix short of its fixed fields fails, as do
// a name length of 0xff, a NULL or short fixed-fields length; a NULL (0xfb) name is an empty one.
TEST(ResponseDecoder, ColumnDefinitionBounds) {
  auto result = text_result(kDeof, 0);
  const std::string def = result[1];
  auto column = [&](const std::string& p) {
    ResponseDecoder d(Command::kQuery, kDeof);
    EXPECT_EQ(d.next_packet(result[0]), E::kResultStart);
    return d.next_packet(p);
  };
  EXPECT_EQ(column(def), E::kColumn);
  // (The two filler bytes after the ten of the fixed fields are not required.)
  for (size_t n = 0; n + 2 < def.size(); ++n)
    EXPECT_EQ(column(def.substr(0, n)), E::kMalformed) << n;
  EXPECT_EQ(column(def.substr(0, def.size() - 2)), E::kColumn);
  EXPECT_EQ(column(def + "trailing"), E::kColumn);  // (COM_FIELD_LIST's default value)
  // def: "\x03def", schema, table, org_table, name, org_name, then the fixed fields' length.
  size_t fixed_at = 0;
  for (int i = 0; i < 6; ++i) fixed_at += 1 + static_cast<uint8_t>(def[fixed_at]);
  ASSERT_EQ(static_cast<uint8_t>(def[fixed_at]), 0x0c);
  std::string bad = def;
  bad[0] = '\xff';
  EXPECT_EQ(column(bad), E::kMalformed);
  bad = def;
  bad[fixed_at] = '\xfb';
  EXPECT_EQ(column(bad), E::kMalformed);
  bad = def;
  bad[fixed_at] = '\x09';
  EXPECT_EQ(column(bad), E::kMalformed);
  bad = def;
  bad[fixed_at] = '\x0a';
  EXPECT_EQ(column(bad), E::kColumn);
  bad = def;
  bad.replace(0, 4, "\xfb");  // catalog "def" as NULL
  EXPECT_EQ(column(bad), E::kColumn);
  bad = def;
  bad.replace(0, 4,
              std::string("\xfc\x03\x00"
                          "def",
                          6));  // as a 2-byte length
  EXPECT_EQ(column(bad), E::kColumn);
  bad = def;
  bad.replace(0, 4,
              std::string("\xfc\x04\x00"
                          "def",
                          6));  // one byte too long
  EXPECT_EQ(column(bad), E::kMalformed);
  bad = def;
  bad.replace(0, 4,
              std::string("\xfe\x03\x00\x00\x00\x00\x00\x00\x01"
                          "def",
                          12));
  EXPECT_EQ(column(bad), E::kMalformed);
}

TEST(ResponseDecoder, MalformedStreams) {
  auto result = text_result(kDeof, 2);
  expect_malformed(Command::kQuery, kDeof, {std::string("\x00\x01", 2)}, "truncated OK");
  expect_malformed(Command::kQuery, kDeof, {std::string("\xff\x01", 2)}, "truncated ERR");
  expect_malformed(Command::kQuery, kDeof, {std::string("\xff\x01\x02#42", 6)}, "truncated ERR");
  expect_malformed(Command::kQuery, kDeof, {std::string()}, "empty packet");
  expect_malformed(Command::kQuery, kDeof, {std::string("\x02\x00", 2)}, "result set header");
  expect_malformed(Command::kQuery, kDeof, {std::string("\x00", 1) + "abc"}, "truncated OK");
  expect_malformed(Command::kQuery, kDeof, {result[0], result[1].substr(0, 10)},
                   "column definition (column 1 of 2)");
  // A row with one cell too few, one too many, a cell running past the end.
  auto short_row = result;
  short_row[3] = std::string(
      "\x01"
      "1",
      2);
  expect_malformed(Command::kQuery, kDeof, short_row, "row 1 is not a text row");
  auto long_row = result;
  long_row[4] = result[4] + "\x01x";
  expect_malformed(Command::kQuery, kDeof, long_row, "row 2 is not a text row");
  auto overrun = result;
  overrun[3] = std::string(
      "\x05"
      "1",
      2);
  expect_malformed(Command::kQuery, kDeof, overrun, "row 1");
  // Without DEPRECATE_EOF a row where the EOF after the definitions belongs.
  auto off = text_result(kBase, 1);
  off.erase(off.begin() + 3);
  expect_malformed(Command::kQuery, kBase, off, "EOF after the column definitions");
  // A binary row not starting with 0x00, one cut short.
  auto bin = binary_result(kDeof, false, 1);
  auto bad = bin;
  bad[4][0] = '\x01';
  expect_malformed(Command::kStmtExecute, kDeof, bad, "not a binary row");
  bad = bin;
  bad[4].pop_back();
  expect_malformed(Command::kStmtExecute, kDeof, bad, "not a binary row");
  // An end of rows that is not an OK.
  auto end = result;
  end.back() = std::string("\xfe\x00", 2);
  expect_malformed(Command::kQuery, kDeof, end, "end of the rows");
  // Garbage where the prepare OK belongs; a parameter definition cut short.
  expect_malformed(Command::kStmtPrepare, kDeof, {"garbage"}, "COM_STMT_PREPARE");
  auto prep = prepare_response(kDeof, 1, 1);
  prep[1] = prep[1].substr(0, 5);
  expect_malformed(Command::kStmtPrepare, kDeof, prep, "parameter definition");
  // More after the end.
  auto extra = text_result(kDeof, 0);
  ResponseDecoder d(Command::kQuery, kDeof);
  decode(d, extra);
  EXPECT_EQ(d.next_packet(ok_packet(0)), E::kMalformed);
  EXPECT_NE(d.error().find("after the end"), std::string::npos);
}

// What a relay learns from the decoder over `wire` (whole frames as a backend sends them),
// packet by packet, or (`runs`) taking row_run's runs wherever it has one (each of its rows
// reported as a kRow) and the per-frame path otherwise; `max_rows` caps every run, as the
// relay's row limit does. The rows' bytes as the run gave them, to compare with the frames.
struct Relayed {
  std::vector<E> events;
  std::string row_wire;         // every row's frame as taken (header and payload)
  std::string definition_wire;  // every column or parameter definition's frame as taken
  uint64_t runs = 0;
  uint64_t run_rows = 0;
  uint64_t definition_runs = 0;
  size_t unread = 0;  // wire bytes left when the decoder finished or failed
  std::string error;
  uint16_t status = 0;
};

Relayed relay(Command c, uint32_t caps, std::string_view wire, bool runs, uint64_t max_rows = 0) {
  Relayed r;
  ResponseDecoder d(c, caps);
  size_t at = 0;
  while (!d.done() && !d.failed()) {
    if (runs) {
      const ResponseStage stage = d.stage();
      auto run = d.row_run(wire.substr(at), max_rows);
      if (run.rows > 0) {
        ++r.runs;
        r.run_rows += run.rows;
        r.events.insert(r.events.end(), run.rows, E::kRow);
        r.row_wire.append(wire.substr(at, run.bytes));
        at += run.bytes;
        continue;
      }
      EXPECT_EQ(run.bytes, 0u);
      run = d.definition_run(wire.substr(at));
      if (run.rows > 0) {
        ++r.definition_runs;
        r.events.insert(r.events.end(), run.rows,
                        stage == ResponseStage::kParams ? E::kParam : E::kColumn);
        r.definition_wire.append(wire.substr(at, run.bytes));
        at += run.bytes;
        continue;
      }
      EXPECT_EQ(run.bytes, 0u);
    }
    if (d.event_due()) {
      r.events.push_back(d.next_implied());
      continue;
    }
    if (wire.size() - at < kFrameHeaderSize) break;
    auto h = decode_frame_header(wire.data() + at);
    auto e = d.next_frame(wire.substr(at + kFrameHeaderSize, h.length));
    r.events.push_back(e);
    if (e == E::kRow || e == E::kContinuation)
      r.row_wire.append(wire.substr(at, kFrameHeaderSize + h.length));
    if (e == E::kColumn || e == E::kParam)
      r.definition_wire.append(wire.substr(at, kFrameHeaderSize + h.length));
    if (d.consumed()) at += kFrameHeaderSize + h.length;
  }
  r.unread = wire.size() - at;
  r.error = d.error();
  r.status = d.status_flags();
  return r;
}

std::string wire_of(const Packets& packets, uint8_t seq = 1) {
  std::string wire;
  for (const auto& p : packets) append_frames(wire, p, seq);
  return wire;
}

// A text result of many columns: NULLs, empty strings, multi-byte UTF-8, a 251-byte cell (a
// length that takes 3 bytes), numbers.
Packets wide_text_result(uint32_t caps, int rows, uint16_t status = status::kAutocommit) {
  TextResultBuilder b(caps, status);
  for (int c = 0; c < 12; ++c) b.add_column(ColumnDefinition::text("c" + std::to_string(c)));
  for (int i = 0; i < rows; ++i) {
    std::vector<std::optional<std::string>> cells;
    for (int c = 0; c < 12; ++c) {
      switch ((i + c) % 6) {
        case 0:
          cells.push_back(std::nullopt);
          break;
        case 1:
          cells.push_back("");
          break;
        case 2:
          cells.push_back("Grüße, 世界 🌍 " + std::to_string(i));
          break;
        case 3:
          cells.push_back(std::string(251 + i % 3, 'x'));
          break;
        default:
          cells.push_back(std::to_string(i * 1000 + c));
      }
    }
    b.add_row(cells);
  }
  std::string wire;
  uint8_t seq = 1;
  b.finish(wire, seq);
  return split(wire);
}

void expect_same_relay(Command c, uint32_t caps, const std::string& wire, uint64_t min_runs,
                       uint64_t max_rows = 0) {
  SCOPED_TRACE("caps " + std::to_string(caps));
  auto one = relay(c, caps, wire, false);
  auto bulk = relay(c, caps, wire, true, max_rows);
  EXPECT_EQ(bulk.events, one.events);
  EXPECT_EQ(bulk.row_wire, one.row_wire);
  EXPECT_EQ(bulk.definition_wire, one.definition_wire);
  EXPECT_EQ(bulk.unread, one.unread);
  EXPECT_EQ(bulk.error, one.error);
  EXPECT_EQ(bulk.status, one.status);
  EXPECT_GE(bulk.runs, min_runs);
  if (max_rows) {
    EXPECT_LE(bulk.run_rows, bulk.runs * max_rows);
  }
}

TEST(ResponseDecoder, RowRunsDecideAsThePacketsDo) {
  const uint16_t more = status::kAutocommit | status::kMoreResultsExist;
  for (uint32_t caps : {kDeof, kBase}) {
    // Text: one run for all the rows, whatever the cells.
    expect_same_relay(Command::kQuery, caps, wire_of(wide_text_result(caps, 300)), 1);
    auto one = relay(Command::kQuery, caps, wire_of(wide_text_result(caps, 300)), true);
    EXPECT_EQ(one.runs, 1u);
    EXPECT_EQ(one.run_rows, 300u);
    // Capped runs, as under a row limit.
    expect_same_relay(Command::kQuery, caps, wire_of(wide_text_result(caps, 10)), 4, 3);
    // No rows, one row.
    expect_same_relay(Command::kQuery, caps, wire_of(text_result(caps, 0)), 0);
    expect_same_relay(Command::kQuery, caps, wire_of(text_result(caps, 1)), 1);
    // Multi-results: a run per result, stopping at each end.
    expect_same_relay(Command::kQuery, caps,
                      wire_of(text_result(caps, 5, more) + wide_text_result(caps, 7, more) +
                              text_result(caps, 2)),
                      3);
    // Binary rows of COM_STMT_EXECUTE, rows of a fetch.
    expect_same_relay(Command::kStmtExecute, caps, wire_of(binary_result(caps, false, 40)), 1);
    Packets fetch{binary_row({"1", "a", std::nullopt}),
                  binary_row({"2", std::nullopt, "2026-12-07 01:02:03"})};
    fetch.push_back(caps & cap::kDeprecateEof ? ok_packet(status::kAutocommit, 0, kEofHeader, caps)
                                              : EofPacket{0, status::kAutocommit}.encode());
    expect_same_relay(Command::kStmtFetch, caps, wire_of(fetch), 1);
    // An ERR ending the rows.
    auto err = text_result(caps, 4);
    err.back() = err_packet(1317);
    expect_same_relay(Command::kQuery, caps, wire_of(err), 1);
  }
}

TEST(ResponseDecoder, OkPacketsDecodeAsOkPacketDecode) {
  // Every prefix of OKs with and without info and session state, and the same bytes under an
  // 0xfe header ending rows: the decoder's ok() is what OkPacket::decode makes of the packet,
  // and it fails exactly where that does.
  std::vector<std::string> oks;
  for (uint32_t caps : {kDeof, kDeof & ~cap::kSessionTrack}) {
    for (uint16_t st : {uint16_t(status::kAutocommit),
                        uint16_t(status::kAutocommit | status::kSessionStateChanged)}) {
      OkPacket ok;
      ok.affected_rows = 300;
      ok.last_insert_id = 70000;
      ok.status_flags = st;
      ok.warnings = 2;
      oks.push_back(ok.encode(caps));
      ok.info = "Rows matched: 1  Changed: 1  Warnings: 0";
      oks.push_back(ok.encode(caps));
      ok.session_state =
          "\x00\x0f\x0a"
          "autocommit\x03OFF"s;
      oks.push_back(ok.encode(caps));
    }
  }
  oks.push_back(std::string("\x00\xfb\xfb\x02\x00\x00\x00", 7));  // NULL lengths: 0
  oks.push_back(std::string("\x00\xff\x00\x02\x00\x00\x00", 7));  // 0xff: no length
  oks.push_back(
      std::string("\x00\x00\x00\x02\x40\x00\x00\x05"
                  "ab",
                  10));  // cut state
  size_t checked = 0;
  for (uint32_t caps : {kDeof, kDeof & ~cap::kSessionTrack}) {
    for (const auto& full : oks) {
      for (size_t len = 0; len <= full.size(); ++len) {
        std::string p = full.substr(0, len);
        auto want = OkPacket::decode(p, caps);
        ResponseDecoder d(Command::kQuery, caps);
        const E e = d.next_packet(p);
        if (!p.empty() && static_cast<uint8_t>(p[0]) == kOkHeader) {
          ASSERT_EQ(e == E::kOk, want.has_value()) << len;
          if (want) {
            EXPECT_EQ(d.ok().affected_rows, want->affected_rows);
            EXPECT_EQ(d.ok().last_insert_id, want->last_insert_id);
            EXPECT_EQ(d.ok().status_flags, want->status_flags);
            EXPECT_EQ(d.ok().warnings, want->warnings);
            EXPECT_EQ(d.ok().info, want->info);
            EXPECT_EQ(d.ok().session_state, want->session_state);
          }
        }
        // The same bytes ending rows (0xfe header, CLIENT_DEPRECATE_EOF).
        if (p.empty() || !(caps & cap::kDeprecateEof)) continue;
        p[0] = static_cast<char>(kEofHeader);
        auto end = OkPacket::decode(p, caps);
        ResponseDecoder r(Command::kQuery, caps);
        auto head = text_result(caps, 1);
        for (size_t i = 0; i + 1 < head.size(); ++i) {
          if (r.event_due()) r.next_implied();
          r.next_packet(head[i]);
        }
        if (r.event_due()) r.next_implied();
        if (!is_result_end_ok(p)) continue;  // (not an end: a row, checked elsewhere)
        const E re = r.next_packet(p);
        ASSERT_EQ(re == E::kResultEnd, end.has_value()) << len;
        if (end) {
          EXPECT_TRUE(r.end_ok());
          EXPECT_EQ(r.ok().info, end->info);
          EXPECT_EQ(r.ok().session_state, end->session_state);
          EXPECT_EQ(r.ok().status_flags, end->status_flags);
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 0u);
  // A decoder's OK does not keep an earlier OK's strings.
  ResponseDecoder d(Command::kQuery, kDeof);
  OkPacket with;
  with.status_flags =
      status::kAutocommit | status::kSessionStateChanged | status::kMoreResultsExist;
  with.info = "info";
  with.session_state =
      "\x00\x0f\x0a"
      "autocommit\x03OFF"s;
  EXPECT_EQ(d.next_packet(with.encode(kDeof)), E::kOk);
  EXPECT_EQ(d.ok().info, "info");
  EXPECT_EQ(d.next_packet(ok_packet(status::kAutocommit)), E::kOk);
  EXPECT_EQ(d.ok().info, "");
  EXPECT_EQ(d.ok().session_state, "");
}

// The binary-row check as it was written with WireReader: the reference the decoder's own
// reading (by pointer) must agree with on every payload.
bool reference_binary_row_fits(std::string_view p, const std::vector<FieldType>& types) {
  const size_t bitmap = (types.size() + 7 + 2) / 8;
  if (p.size() < 1 + bitmap || static_cast<uint8_t>(p[0]) != 0) return false;
  auto bits = reinterpret_cast<const uint8_t*>(p.data()) + 1;
  WireReader r(p.substr(1 + bitmap));
  for (size_t i = 0; i < types.size() && r.ok(); ++i) {
    if (bits[(i + 2) / 8] & (1u << ((i + 2) % 8))) continue;
    switch (types[i]) {
      case FieldType::kNull:
        break;
      case FieldType::kTiny:
        r.skip(1);
        break;
      case FieldType::kShort:
      case FieldType::kYear:
        r.skip(2);
        break;
      case FieldType::kInt24:
      case FieldType::kLong:
      case FieldType::kFloat:
        r.skip(4);
        break;
      case FieldType::kLongLong:
      case FieldType::kDouble:
        r.skip(8);
        break;
      case FieldType::kDate:
      case FieldType::kDatetime:
      case FieldType::kTimestamp:
      case FieldType::kTime:
        r.skip(r.u8());
        break;
      default: {
        auto n = r.lenenc_int();
        if (!n) return false;
        r.skip(*n);
      }
    }
  }
  return r.ok() && r.at_end();
}

TEST(ResponseDecoder, BinaryRowsCheckedAsTheReferenceChecksThem) {
  const std::vector<FieldType> types = {
      FieldType::kTiny,   FieldType::kShort,     FieldType::kYear,       FieldType::kInt24,
      FieldType::kLong,   FieldType::kFloat,     FieldType::kLongLong,   FieldType::kDouble,
      FieldType::kDate,   FieldType::kDatetime,  FieldType::kTimestamp,  FieldType::kTime,
      FieldType::kNull,   FieldType::kVarString, FieldType::kNewDecimal, FieldType::kBlob,
      FieldType::kString, FieldType::kJson,      FieldType::kBit};
  std::string count;
  WireWriter(count).lenenc_int(types.size());
  Packets head{count};
  for (size_t i = 0; i < types.size(); ++i) {
    ColumnDefinition c = ColumnDefinition::text("c" + std::to_string(i));
    c.type = types[i];
    head.push_back(c.encode());
  }
  std::mt19937 rng(2026);
  auto byte = [&] { return static_cast<char>(rng() % 256); };
  // Rows built to fit (NULLs at random, lengths of every width), then mutated or cut.
  auto valid_row = [&] {
    const size_t bitmap = (types.size() + 9) / 8;
    std::string row(1 + bitmap, '\0');
    for (size_t i = 0; i < types.size(); ++i) {
      if (rng() % 4 == 0) {
        row[1 + (i + 2) / 8] = static_cast<char>(row[1 + (i + 2) / 8] | (1 << ((i + 2) % 8)));
        continue;
      }
      size_t fixed = 0;
      switch (types[i]) {
        case FieldType::kNull:
          continue;
        case FieldType::kTiny:
          fixed = 1;
          break;
        case FieldType::kShort:
        case FieldType::kYear:
          fixed = 2;
          break;
        case FieldType::kInt24:
        case FieldType::kLong:
        case FieldType::kFloat:
          fixed = 4;
          break;
        case FieldType::kLongLong:
        case FieldType::kDouble:
          fixed = 8;
          break;
        case FieldType::kDate:
        case FieldType::kDatetime:
        case FieldType::kTimestamp:
        case FieldType::kTime: {
          const size_t n = std::vector<size_t>{0, 4, 7, 8, 11, 12}[rng() % 6];
          row += static_cast<char>(n);
          for (size_t k = 0; k < n; ++k) row += byte();
          continue;
        }
        default: {
          const size_t n = std::vector<size_t>{0, 1, 250, 251, 300, 70000}[rng() % 6];
          WireWriter(row).lenenc_int(n);
          for (size_t k = 0; k < n; ++k) row += byte();
          continue;
        }
      }
      for (size_t k = 0; k < fixed; ++k) row += byte();
    }
    return row;
  };
  size_t fits = 0, refused = 0;
  for (int n = 0; n < 3000; ++n) {
    std::string row = valid_row();
    switch (n % 5) {
      case 0:
        break;
      case 1:
        row.resize(rng() % (row.size() + 1));
        break;
      case 2:
        row[rng() % row.size()] = byte();
        break;
      case 3:
        row += byte();
        break;
      default:
        for (int k = 0; k < 4; ++k) row[rng() % row.size()] = static_cast<char>(0xf9 + rng() % 7);
    }
    if (row.empty() || static_cast<uint8_t>(row[0]) == kErrHeader) continue;
    if (static_cast<uint8_t>(row[0]) == kEofHeader && is_result_end_ok(row)) continue;
    ResponseDecoder d(Command::kStmtExecute, kDeof);
    for (const auto& p : head) d.next_packet(p);
    const bool want = reference_binary_row_fits(row, types);
    E e = d.next_packet(row);
    if (e == E::kColumnsEnd) e = d.next_packet(row);  // the implied end first
    ASSERT_EQ(e == E::kRow, want) << n;
    (want ? fits : refused)++;
  }
  EXPECT_GT(fits, 500u);
  EXPECT_GT(refused, 500u);
}

TEST(ResponseDecoder, DefinitionRunsDecideAsThePacketsDo) {
  for (uint32_t caps : {kDeof, kBase}) {
    // Every definition of a result in one run; the end after them as before.
    auto r = relay(Command::kQuery, caps, wire_of(wide_text_result(caps, 3)), true);
    EXPECT_EQ(r.definition_runs, 1u);
    expect_same_relay(Command::kQuery, caps, wire_of(wide_text_result(caps, 3)), 1);
    // Binary results record the column types the rows are checked against.
    expect_same_relay(Command::kStmtExecute, caps, wire_of(binary_result(caps, false, 5)), 1);
    expect_same_relay(Command::kStmtExecute, caps, wire_of(binary_result(caps, true, 0)), 0);
    // Prepared statements: parameters, then columns, each block a run.
    for (auto [params, columns] : {std::pair{3, 2}, std::pair{0, 4}, std::pair{2, 0}}) {
      auto prep = relay(Command::kStmtPrepare, caps,
                        wire_of(prepare_response(caps, params, columns)), true);
      EXPECT_EQ(prep.definition_runs, (params > 0) + (columns > 0));
      expect_same_relay(Command::kStmtPrepare, caps,
                        wire_of(prepare_response(caps, params, columns)), 0);
    }
  }
  // A malformed definition ends the run; next_frame reports it as ever.
  auto bad = wide_text_result(kDeof, 1);
  bad[5] = bad[5].substr(0, 7);
  expect_same_relay(Command::kQuery, kDeof, wire_of(bad), 0);
  auto r = relay(Command::kQuery, kDeof, wire_of(bad), true);
  EXPECT_NE(r.error.find("column definition (column 5 of 12)"), std::string::npos);
  // A field list's definitions go one by one (their end is a packet of another kind).
  Packets list{ColumnDefinition::text("a").encode() + std::string("\xfb", 1),
               EofPacket{0, status::kAutocommit}.encode()};
  ResponseDecoder fl(Command::kFieldList, kBase);
  EXPECT_EQ(fl.definition_run(wire_of(list)).rows, 0u);
}

TEST(ResponseDecoder, RowRunsStopBeforeWhatTheyDoNotTake) {
  // A malformed row: the run ends before it and next_frame reports it as ever.
  auto bad = wide_text_result(kDeof, 6);
  bad[1 + 12 + 3] = bad[1 + 12 + 3] + "\x01x";  // the fourth row, one cell too many
  const std::string wire = wire_of(bad);
  expect_same_relay(Command::kQuery, kDeof, wire, 1);
  auto r = relay(Command::kQuery, kDeof, wire, true);
  EXPECT_EQ(r.run_rows, 3u);
  EXPECT_NE(r.error.find("row 4 is not a text row"), std::string::npos);
  // A binary row of the wrong shape.
  auto bin = binary_result(kBase, false, 3);
  bin[6].pop_back();
  expect_same_relay(Command::kStmtExecute, kBase, wire_of(bin), 1);
  // An incomplete frame: the run ends with the last whole one.
  const std::string rows = wire_of(text_result(kDeof, 5));
  ResponseDecoder d(Command::kQuery, kDeof);
  auto packets = text_result(kDeof, 5);
  for (int i = 0; i < 3; ++i) d.next_packet(packets[i]);
  EXPECT_EQ(d.row_run(rows).rows, 0u);  // not in the rows stage yet
  EXPECT_EQ(d.next_implied(), E::kColumnsEnd);
  std::string body = wire_of(Packets(packets.begin() + 3, packets.end()), 4);
  const size_t four = wire_of(Packets(packets.begin() + 3, packets.begin() + 7), 4).size();
  auto run = d.row_run(std::string_view(body).substr(0, four + 6));
  EXPECT_EQ(run.rows, 4u);  // the fifth row's frame is cut
  EXPECT_EQ(run.bytes, four);
  EXPECT_EQ(d.row_run(std::string_view(body).substr(four, 3)).rows, 0u);  // half a header
  // A row spanning frames goes frame by frame.
  std::string big_cell(kMaxFramePayload + 10, 'y');
  std::string big_row;
  WireWriter(big_row).lenenc_str(big_cell);
  TextResultBuilder b(kDeof, status::kAutocommit);
  b.add_column(ColumnDefinition::text("big"));
  b.add_row({std::string("small")});
  std::string head;
  uint8_t seq = 1;
  b.finish(head, seq);
  Packets parts = split(head);  // count, definition, row, end
  std::string wire2 = wire_of({parts[0], parts[1], parts[2], big_row, parts[2], parts[3]});
  expect_same_relay(Command::kQuery, kDeof, wire2, 2);
  auto r2 = relay(Command::kQuery, kDeof, wire2, true);
  EXPECT_EQ(r2.run_rows, 2u);
  EXPECT_TRUE(std::find(r2.events.begin(), r2.events.end(), E::kContinuation) != r2.events.end());
}

// Every prefix of every packet of every shape: the decoder either accepts it or fails with a
// message, and never reads outside it (the sanitizer builds and the fuzz target check that).
TEST(ResponseDecoder, EveryTruncationFailsCleanly) {
  const uint16_t more = status::kAutocommit | status::kMoreResultsExist;
  struct Shape {
    Command c;
    uint32_t caps;
    Packets p;
  };
  std::vector<Shape> shapes = {
      {Command::kQuery, kDeof, text_result(kDeof, 2, more) + Packets{ok_packet(0)}},
      {Command::kQuery, kBase, text_result(kBase, 2)},
      {Command::kStmtExecute, kDeof, binary_result(kDeof, false, 2)},
      {Command::kStmtExecute, kBase, binary_result(kBase, true, 0)},
      {Command::kStmtPrepare, kBase, prepare_response(kBase, 2, 2)},
      {Command::kStmtPrepare, kDeof, prepare_response(kDeof, 2, 2)},
  };
  for (const auto& s : shapes) {
    for (size_t i = 0; i < s.p.size(); ++i) {
      for (size_t len = 0; len < s.p[i].size(); ++len) {
        Packets cut = s.p;
        cut[i].resize(len);
        ResponseDecoder d(s.c, s.caps);
        decode(d, cut);
        if (d.failed()) {
          EXPECT_FALSE(d.error().empty());
        }
      }
    }
  }
}

}  // namespace
}  // namespace tessera::protocol
