#include <gtest/gtest.h>

#include <string>

#include "protocol/session_tracking.h"

namespace tessera::protocol {
namespace {

using namespace std::string_literals;

// MariaDB 10.11's defaults, as a fresh session reports them.
TrackingSettings mariadb_defaults() {
  return TrackingSettings::from_server(
      "autocommit,character_set_client,character_set_connection,character_set_results,time_zone",
      "1", "0", "OFF");
}

// Session-state blocks recorded from MariaDB 10.11 on a connection with Tessera's own tracking
// (session_track_system_variables='*', schema and state change on).
TEST(SessionTracking, KeepsWhatTheClientsSessionTracks) {
  auto t = mariadb_defaults();
  EXPECT_EQ(filter_session_state("\x00\x0f\x0a"
                                 "autocommit\x03OFF\x02\x01\x31"s,
                                 t),
            "\x00\x0f\x0a"
            "autocommit\x03OFF"s);
  EXPECT_EQ(filter_session_state("\x01\x05\x04"
                                 "demo\x02\x01\x31"s,
                                 t),
            "\x01\x05\x04"
            "demo"s);
  EXPECT_EQ(filter_session_state("\x00\x11\x09time_zone\x06+01:00\x02\x01\x31"s, t),
            "\x00\x11\x09time_zone\x06+01:00"s);
}

TEST(SessionTracking, DropsWhatItDoesNot) {
  auto t = mariadb_defaults();
  // SET sql_mode='': not in the client's list; the state-change flag is off by default
  EXPECT_EQ(filter_session_state("\x00\x0a\x08sql_mode\x00\x02\x01\x31"s, t), "");
  // SET @a = 1: only the state-change entry
  EXPECT_EQ(filter_session_state("\x02\x01\x31"s, t), "");
  EXPECT_EQ(filter_session_state("", t), "");
}

TEST(SessionTracking, SettingsFromTheServer) {
  auto all = TrackingSettings::from_server("*", "ON", "ON", "STATE");
  EXPECT_TRUE(all.tracks_variable("sql_mode"));
  EXPECT_TRUE(all.state_change);
  EXPECT_TRUE(all.transaction_info);
  EXPECT_EQ(filter_session_state("\x00\x0a\x08sql_mode\x00\x02\x01\x31"s, all),
            "\x00\x0a\x08sql_mode\x00\x02\x01\x31"s);
  auto none = TrackingSettings::from_server("", "0", "0", "OFF");
  EXPECT_FALSE(none.tracks_variable("autocommit"));
  EXPECT_FALSE(none.schema);
  EXPECT_EQ(filter_session_state("\x01\x05\x04"
                                 "demo"s,
                                 none),
            "");
  auto spaced = TrackingSettings::from_server(" AutoCommit , time_zone", "1", "0", "OFF");
  EXPECT_TRUE(spaced.tracks_variable("autocommit"));
  EXPECT_TRUE(spaced.tracks_variable("TIME_ZONE"));
}

TEST(SessionTracking, MalformedBlock) {
  // An entry whose length runs past the block
  EXPECT_FALSE(
      filter_session_state("\x00\x20\x0a"
                           "autocommit"s,
                           mariadb_defaults()));
}

}  // namespace
}  // namespace tessera::protocol
