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

}  // namespace
}  // namespace tessera::protocol
