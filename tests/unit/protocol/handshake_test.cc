#include <gtest/gtest.h>

#include "protocol/auth.h"
#include "protocol/constants.h"
#include "protocol/handshake.h"

namespace tessera::protocol {
namespace {

TEST(InitialHandshake, RoundTrip) {
  InitialHandshake h;
  h.server_version = "8.0.36-Tessera";
  h.connection_id = 0x01020304;
  h.scramble = make_scramble();
  h.capabilities = cap::kProtocol41 | cap::kPluginAuth | cap::kSecureConnection |
                   cap::kDeprecateEof | cap::kSessionTrack;
  h.collation = 45;
  h.status_flags = status::kAutocommit;
  h.auth_plugin = "caching_sha2_password";
  auto d = InitialHandshake::decode(h.encode());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->server_version, h.server_version);
  EXPECT_EQ(d->connection_id, h.connection_id);
  EXPECT_EQ(d->scramble, h.scramble);
  EXPECT_EQ(d->capabilities, h.capabilities);
  EXPECT_EQ(d->collation, 45);
  EXPECT_EQ(d->status_flags, status::kAutocommit);
  EXPECT_EQ(d->auth_plugin, "caching_sha2_password");
}

TEST(InitialHandshake, RejectsOtherProtocolVersionsAndTruncation) {
  EXPECT_FALSE(InitialHandshake::decode(std::string("\x09", 1)));
  InitialHandshake h;
  h.server_version = "x";
  h.scramble = make_scramble();
  h.capabilities = cap::kProtocol41 | cap::kPluginAuth | cap::kSecureConnection;
  std::string wire = h.encode();
  // 18 bytes would be a valid pre-4.1 short greeting for this version string.
  for (size_t n = 1; n < 18; ++n) EXPECT_FALSE(InitialHandshake::decode(wire.substr(0, n))) << n;
}

TEST(HandshakeResponse, RoundTripWithAttributes) {
  HandshakeResponse r;
  r.capabilities = cap::kProtocol41 | cap::kPluginAuth | cap::kSecureConnection |
                   cap::kPluginAuthLenencClientData | cap::kConnectWithDb | cap::kConnectAttrs;
  r.max_packet_size = 1 << 24;
  r.collation = 33;
  r.user = "app";
  r.auth_response = std::string(20, '\x01');
  r.database = "sbtest";
  r.auth_plugin = "mysql_native_password";
  r.attributes = {{"_client_name", "libmariadb"}, {"_os", "Linux"}};
  auto d = HandshakeResponse::decode(r.encode());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->user, "app");
  EXPECT_EQ(d->auth_response, r.auth_response);
  EXPECT_EQ(d->database, "sbtest");
  EXPECT_EQ(d->auth_plugin, "mysql_native_password");
  EXPECT_EQ(d->attributes, r.attributes);
  EXPECT_EQ(d->collation, 33);
}

TEST(HandshakeResponse, SslRequestIsRecognised) {
  HandshakeResponse r;
  r.capabilities = cap::kProtocol41 | cap::kSsl;
  std::string wire = r.encode().substr(0, 32);
  EXPECT_TRUE(HandshakeResponse::is_ssl_request(wire));
  EXPECT_FALSE(HandshakeResponse::is_ssl_request(wire.substr(0, 31)));
}

TEST(HandshakeResponse, SslRequestEncodesTheResponsePrefixWithClientSsl) {
  HandshakeResponse r;
  r.capabilities = cap::kProtocol41 | cap::kPluginAuth;
  r.max_packet_size = 1u << 30;
  r.collation = 45;
  r.user = "app";
  std::string ssl = r.encode_ssl_request();
  ASSERT_EQ(ssl.size(), 32u);
  EXPECT_TRUE(HandshakeResponse::is_ssl_request(ssl));
  r.capabilities |= cap::kSsl;
  EXPECT_EQ(ssl, r.encode().substr(0, 32));
}

TEST(HandshakeResponse, PreProtocol41AndGarbageRejected) {
  EXPECT_FALSE(HandshakeResponse::decode(std::string(40, '\0')));
  EXPECT_FALSE(HandshakeResponse::decode("\xff\xff"));
}

TEST(AuthSwitchRequest, RoundTrip) {
  AuthSwitchRequest a{"caching_sha2_password", make_scramble()};
  auto d = AuthSwitchRequest::decode(a.encode());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->plugin, a.plugin);
  EXPECT_EQ(d->data, a.data);
}

// COM_CHANGE_USER is read as MariaDB reads it (sql_acl.cc): user, auth response, a database
// that is always a C string, then the collation only when two bytes follow it.
constexpr uint32_t kChangeUserCaps =
    cap::kProtocol41 | cap::kSecureConnection | cap::kPluginAuth | cap::kConnectAttrs;

// A string literal's bytes, NULs included.
template <size_t N>
std::string wire(const char (&s)[N]) {
  return std::string(s, N - 1);
}

TEST(ChangeUser, FullPacket) {
  std::string p = wire(
      "bob\0\x03"
      "abc"
      "db1\0\x07\x00mysql_native_password\0\x05\x03k\x01v");
  auto c = ChangeUser::decode(p, kChangeUserCaps);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "bob");
  EXPECT_EQ(c->auth_response, "abc");
  EXPECT_EQ(c->database, "db1");
  EXPECT_EQ(c->collation, 7);
  EXPECT_EQ(c->auth_plugin, "mysql_native_password");
  EXPECT_FALSE(c->plugin_missing);
}

TEST(ChangeUser, CollationIsTwoBytes) {
  auto c = ChangeUser::decode(wire("u\0\0d\0\x00\x04"), kChangeUserCaps);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->collation, 0x0400);
  EXPECT_EQ(c->auth_plugin, "");
}

TEST(ChangeUser, NoCollationOrOneStrayByte) {
  for (std::string p : {wire("u\0\0d\0"), wire("u\0\0d\0\x07")}) {
    auto c = ChangeUser::decode(p, kChangeUserCaps);
    ASSERT_TRUE(c) << p.size();
    EXPECT_EQ(c->database, "d");
    EXPECT_EQ(c->collation, 0) << p.size();
    // MariaDB wants a CLIENT_PLUGIN_AUTH client's plugin name after the database, or after
    // the collation when there is one: a single stray byte passes for a plugin name.
    EXPECT_EQ(c->plugin_missing, p.size() == 5) << p.size();
    auto without_plugin_auth = ChangeUser::decode(p, cap::kProtocol41 | cap::kSecureConnection);
    ASSERT_TRUE(without_plugin_auth);
    EXPECT_FALSE(without_plugin_auth->plugin_missing);
  }
}

TEST(ChangeUser, PluginNameMayBeEmptyButNotMissing) {
  auto c = ChangeUser::decode(wire("u\0\0d\0\x08\x00"), kChangeUserCaps);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->collation, 8);
  EXPECT_TRUE(c->plugin_missing);
  c = ChangeUser::decode(wire("u\0\0d\0\x08\x00\0"), kChangeUserCaps);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->plugin_missing);
  EXPECT_EQ(c->auth_plugin, "");
}

TEST(ChangeUser, DatabaseLeftOutIsReadAsTheServerReadsIt) {
  // The npm mariadb connector without CLIENT_CONNECT_WITH_DB: collation 224, plugin name.
  std::string p = wire("u\0\0\xe0\x00mysql_native_password\0");
  auto c = ChangeUser::decode(p, kChangeUserCaps);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->database, "\xe0");
  EXPECT_EQ(c->collation, 'm' | ('y' << 8));
  EXPECT_EQ(c->auth_plugin, "sql_native_password");
  EXPECT_FALSE(c->plugin_missing);
}

TEST(ChangeUser, UnterminatedDatabaseRunsToTheEnd) {
  auto c = ChangeUser::decode(wire("u\0\0db"), kChangeUserCaps);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->database, "db");
  EXPECT_EQ(c->collation, 0);
  EXPECT_TRUE(c->plugin_missing);
}

TEST(ChangeUser, OldAuthResponseIsNulTerminated) {
  auto c = ChangeUser::decode(wire("u\0pw\0d\0\x08\x00"), cap::kProtocol41);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->auth_response, "pw");
  EXPECT_EQ(c->database, "d");
  EXPECT_EQ(c->collation, 8);
  EXPECT_EQ(c->auth_plugin, "");
  EXPECT_FALSE(c->plugin_missing);
}

TEST(ChangeUser, EndingBeforeTheDatabaseIsMalformed) {
  EXPECT_FALSE(ChangeUser::decode(wire("u"), kChangeUserCaps));
  EXPECT_FALSE(ChangeUser::decode(wire("u\0"), kChangeUserCaps));
  EXPECT_FALSE(ChangeUser::decode(wire("u\0\0"), kChangeUserCaps));
  EXPECT_FALSE(ChangeUser::decode(wire("u\0\x05"
                                       "ab"),
                                  kChangeUserCaps));
}

}  // namespace
}  // namespace tessera::protocol
