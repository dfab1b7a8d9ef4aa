#include "protocol/gtid_set.h"

#include <gtest/gtest.h>

#include "protocol/constants.h"
#include "protocol/gtid_tracking.h"
#include "protocol/response_packets.h"

namespace tessera::protocol {
namespace {

GtidSet set(std::string_view text) {
  auto s = GtidSet::parse(text);
  EXPECT_TRUE(s) << text;
  return s.value_or(GtidSet{});
}

constexpr std::string_view kUuidA = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
constexpr std::string_view kUuidB = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

TEST(GtidSet, EmptyTextIsEmptySet) {
  EXPECT_TRUE(set("").empty());
  EXPECT_TRUE(set("  \n\t ").empty());
  EXPECT_EQ(set("").family(), GtidSet::Family::kEmpty);
  EXPECT_EQ(set("").to_string(), "");
}

TEST(GtidSet, ParsesMariaDbPositions) {
  auto s = set("1-1000-11,0-1-100");
  EXPECT_EQ(s.family(), GtidSet::Family::kMariaDb);
  EXPECT_EQ(s.to_string(), "0-1-100,1-1000-11");  // domains sorted
  EXPECT_EQ(set(" 0-1-100 ,\n 1-1000-11\n").to_string(), "0-1-100,1-1000-11");
  EXPECT_EQ(set("4294967295-4294967295-18446744073709551615").to_string(),
            "4294967295-4294967295-18446744073709551615");
}

TEST(GtidSet, ParsesMySqlSetsAsMySqlPrintsThem) {
  // SELECT @@gtid_executed puts a newline after each comma.
  auto s = set(std::string(kUuidB) + ":1-3:5,\n" + std::string(kUuidA) + ":1-5:7-9");
  EXPECT_EQ(s.family(), GtidSet::Family::kMySql);
  EXPECT_EQ(s.to_string(), std::string(kUuidA) + ":1-5:7-9," + std::string(kUuidB) + ":1-3:5");
}

TEST(GtidSet, MySqlIntervalsAreNormalised) {
  // Unordered, overlapping and adjacent intervals collapse; upper-case and dash-less UUIDs
  // are the same server.
  auto s = set(
      "3E11FA47-71CA-11E1-9E33-C80AA9429562:7-9:1-3:4:2-5:6,3e11fa4771ca11e19e33c80aa9429562:11");
  EXPECT_EQ(s.to_string(), std::string(kUuidA) + ":1-9:11");
}

TEST(GtidSet, RejectsGarbage) {
  for (std::string_view bad : {"x",
                               "0-1",
                               "0-1-",
                               "-1-2",
                               "0-1-2-3",
                               "0-1-2,",
                               ",0-1-2",
                               "0-1-2,,1-1-1",
                               "0--1-2",
                               "0-1-+2",
                               "0-1-2 3",
                               "0-1-2x",
                               "4294967296-1-1",
                               "0-1-18446744073709551616",
                               "0-1-5,0-2-6",  // one domain twice
                               "3e11fa47-71ca-11e1-9e33-c80aa9429562",
                               "3e11fa47-71ca-11e1-9e33-c80aa9429562:",
                               "3e11fa47-71ca-11e1-9e33-c80aa9429562:0",
                               "3e11fa47-71ca-11e1-9e33-c80aa9429562:5-3",
                               "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-",
                               "3e11fa47-71ca-11e1-9e33-c80aa9429562:1::2",
                               "3e11fa47-71ca-11e1-9e33-c80aa942956:1",
                               "3e11fa47x71ca-11e1-9e33-c80aa9429562:1",
                               "ge11fa47-71ca-11e1-9e33-c80aa9429562:1",
                               "3e11fa47-71ca-11e1-9e33-c80aa9429562:1,0-1-2",  // mixed families
                               "0-1-2,3e11fa47-71ca-11e1-9e33-c80aa9429562:1"}) {
    EXPECT_FALSE(GtidSet::parse(bad)) << bad;
  }
}

TEST(GtidSet, MariaDbContainsComparesSeqPerDomain) {
  auto replica = set("0-1-100,1-1000-11");
  EXPECT_TRUE(replica.contains(set("0-1-100")));
  EXPECT_TRUE(replica.contains(set("0-1-99")));
  EXPECT_TRUE(replica.contains(set("0-2-50")));  // server id does not matter, seq does
  EXPECT_TRUE(replica.contains(set("1-1000-11,0-1-1")));
  EXPECT_FALSE(replica.contains(set("0-1-101")));
  EXPECT_FALSE(replica.contains(set("2-1-1")));  // a domain it has never seen
  EXPECT_TRUE(replica.contains(GtidSet{}));
  EXPECT_FALSE(GtidSet{}.contains(set("0-1-1")));
}

TEST(GtidSet, MySqlContainsIsIntervalWise) {
  auto replica = set(std::string(kUuidA) + ":1-5:7-9");
  EXPECT_TRUE(replica.contains(set(std::string(kUuidA) + ":3")));
  EXPECT_TRUE(replica.contains(set(std::string(kUuidA) + ":1-5:8-9")));
  EXPECT_FALSE(replica.contains(set(std::string(kUuidA) + ":6")));  // the hole
  EXPECT_FALSE(replica.contains(set(std::string(kUuidA) + ":5-7")));
  EXPECT_FALSE(replica.contains(set(std::string(kUuidA) + ":10")));
  EXPECT_FALSE(replica.contains(set(std::string(kUuidB) + ":1")));
}

TEST(GtidSet, FamiliesNeverContainEachOther) {
  EXPECT_FALSE(set("0-1-100").contains(set(std::string(kUuidA) + ":1")));
  EXPECT_FALSE(set(std::string(kUuidA) + ":1-100").contains(set("0-1-1")));
}

TEST(GtidSet, MergeTakesTheUnion) {
  auto a = set("0-1-100,1-1000-5");
  a.merge(set("1-1000-11,2-3-1,0-1-50"));
  EXPECT_EQ(a.to_string(), "0-1-100,1-1000-11,2-3-1");

  auto m = set(std::string(kUuidA) + ":1-3");
  m.merge(set(std::string(kUuidA) + ":4-6:9," + std::string(kUuidB) + ":2"));
  EXPECT_EQ(m.to_string(), std::string(kUuidA) + ":1-6:9," + std::string(kUuidB) + ":2");

  GtidSet e;
  e.merge(set("0-1-2"));
  EXPECT_EQ(e.to_string(), "0-1-2");
  e.merge(GtidSet{});
  EXPECT_EQ(e.to_string(), "0-1-2");
}

TEST(GtidSet, AddOneTransaction) {
  GtidSet s;
  s.add_mariadb(0, 1, 7);
  s.add_mariadb(0, 2, 8);
  s.add_mariadb(0, 1, 3);  // re-delivered older event: the position never moves back
  s.add_mariadb(5, 1, 1);
  EXPECT_EQ(s.to_string(), "0-2-8,5-1-1");

  GtidSet m;
  m.add_mysql(kUuidA, 2);
  m.add_mysql(kUuidA, 1);
  m.add_mysql(kUuidA, 4);
  EXPECT_EQ(m.to_string(), std::string(kUuidA) + ":1-2:4");
  m.add_mysql(kUuidA, 3);
  EXPECT_EQ(m.to_string(), std::string(kUuidA) + ":1-4");
  // The 16 raw bytes of a binlog GTID_LOG_EVENT.
  std::string raw("\x3e\x11\xfa\x47\x71\xca\x11\xe1\x9e\x33\xc8\x0a\xa9\x42\x95\x62", 16);
  m.add_mysql(raw, 10);
  EXPECT_EQ(m.to_string(), std::string(kUuidA) + ":1-4:10");
  m.add_mysql("not a uuid", 11);
  m.add_mysql(kUuidA, 0);  // gno 0 is not a transaction
  EXPECT_EQ(m.to_string(), std::string(kUuidA) + ":1-4:10");
}

TEST(GtidSet, ToStringRoundTrips) {
  for (std::string_view text :
       {"0-1-100,1-1000-11",
        "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7-9,aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee:3"}) {
    auto s = set(text);
    EXPECT_EQ(s.to_string(), text);
    EXPECT_EQ(set(s.to_string()), s);
  }
}

// Recorded from MariaDB 10.11 (scripts/cluster.sh primary) with
// tests/unit/protocol/recordings/capture_packets.py ok-last-gtid: the OK packet of an INSERT
// after SET SESSION session_track_system_variables='last_gtid'.
TEST(GtidTracking, MariaDbOkPacketCarriesLastGtid) {
  std::string payload(
      "\x00\x01\x00\x02\x40\x00\x00\x00\x16\x00\x14\x09\x6c\x61\x73\x74\x5f\x67\x74\x69\x64\x09"
      "\x31\x2d\x31\x30\x30\x30\x2d\x31\x31",
      31);
  auto ok = OkPacket::decode(payload, cap::kSessionTrack);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->affected_rows, 1u);
  EXPECT_TRUE(ok->status_flags & status::kSessionStateChanged);
  auto gtid = tracked_gtid(ok->session_state);
  ASSERT_TRUE(gtid);
  EXPECT_EQ(*gtid, "1-1000-11");
  auto parsed = GtidSet::parse(*gtid);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(set("1-1000-11").contains(*parsed));
  EXPECT_FALSE(set("1-1000-10").contains(*parsed));
}

// A MySQL 8 OK packet after an INSERT with session_track_gtids=OWN_GTID, built from the
// documented layout: header, affected rows, last insert id, status (AUTOCOMMIT |
// SESSION_STATE_CHANGED), warnings, empty info, then the state block with one
// SESSION_TRACK_GTIDS (type 3) entry: encoding specification 0, then the GTID text.
TEST(GtidTracking, MySqlOkPacketCarriesOwnGtid) {
  std::string payload(
      "\x00\x01\x00\x02\x40\x00\x00\x00\x2b\x03\x29\x00\x27\x33\x65\x31\x31\x66\x61\x34\x37\x2d"
      "\x37\x31\x63\x61\x2d\x31\x31\x65\x31\x2d\x39\x65\x33\x33\x2d\x63\x38\x30\x61\x61\x39\x34"
      "\x32\x39\x35\x36\x32\x3a\x32\x33",
      52);
  auto ok = OkPacket::decode(payload, cap::kSessionTrack);
  ASSERT_TRUE(ok);
  auto gtid = tracked_gtid(ok->session_state);
  ASSERT_TRUE(gtid);
  EXPECT_EQ(*gtid, std::string(kUuidA) + ":23");
  auto parsed = GtidSet::parse(*gtid);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(set(std::string(kUuidA) + ":1-23").contains(*parsed));
  EXPECT_FALSE(set(std::string(kUuidA) + ":1-22").contains(*parsed));
}

TEST(GtidTracking, NoGtidOrMalformedBlock) {
  EXPECT_FALSE(tracked_gtid(""));
  EXPECT_FALSE(tracked_gtid(std::string("\x02\x01\x31", 3)));      // state change only
  EXPECT_FALSE(tracked_gtid(std::string("\x03\x05\x00\x09", 4)));  // truncated
  // last_gtid tracked but empty: the statement wrote nothing.
  EXPECT_FALSE(tracked_gtid(std::string("\x00\x0b\x09last_gtid\x00", 13)));
}

}  // namespace
}  // namespace tessera::protocol
