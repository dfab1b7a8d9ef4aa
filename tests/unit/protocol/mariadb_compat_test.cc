// MariaDB's side of the protocol: the greeting's extended capabilities, the handshake
// response's, extended type info in column definitions, the identity Tessera presents and
// the pipelined statement id.
#include <gtest/gtest.h>

#include "protocol/column_definition.h"
#include "protocol/constants.h"
#include "protocol/handshake.h"
#include "protocol/server_identity.h"
#include "protocol/statement_packets.h"
#include "protocol/text_result.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

#include "json_column.h"

namespace tessera::protocol {
namespace {

// A MariaDB 10.11.19 greeting as the server sent it (captured with a raw socket).
const std::string kMariaDbGreeting(
    "\n5.5.5-10.11.19-MariaDB-0+deb12u1-log\x00\x0c\x00\x00\x00%m{Ao/8i\x00\xfe\xf7-\x02\x00\xff"
    "\x81\x15\x00\x00\x00\x00\x00\x00\x1d\x00\x00\x00-BCigJzKF\\zs\x00mysql_native_password\x00",
    104);

TEST(MariaDbGreeting, DecodesExtendedCapabilities) {
  auto h = InitialHandshake::decode(kMariaDbGreeting);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->server_version, "5.5.5-10.11.19-MariaDB-0+deb12u1-log");
  EXPECT_EQ(h->capabilities, 0x81fff7feu);
  EXPECT_TRUE(has_mariadb_capabilities(h->capabilities));
  EXPECT_EQ(h->mariadb_capabilities, mariadb_cap::kProgress | mariadb_cap::kStmtBulkOperations |
                                         mariadb_cap::kExtendedTypeInfo |
                                         mariadb_cap::kCacheMetadata);
  EXPECT_EQ(h->connection_id, 12u);
  EXPECT_EQ(h->scramble.size(), 20u);
}

TEST(MariaDbGreeting, EncodesByteForByteAsTheServer) {
  auto h = InitialHandshake::decode(kMariaDbGreeting);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->encode(), kMariaDbGreeting);
}

TEST(MariaDbGreeting, NoExtendedCapabilitiesWhenLongPasswordIsSet) {
  InitialHandshake h;
  h.server_version = "8.0.36";
  h.scramble = std::string(20, 'a');
  h.capabilities = cap::kLongPassword | cap::kProtocol41 | cap::kSecureConnection;
  h.mariadb_capabilities = mariadb_cap::kExtendedTypeInfo;
  std::string wire = h.encode();
  auto d = InitialHandshake::decode(wire);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->mariadb_capabilities, 0u);
  EXPECT_EQ(wire.find(std::string("\x08\0\0\0", 4)), std::string::npos);
}

TEST(MariaDbHandshakeResponse, ExtendedCapabilitiesInTheFiller) {
  HandshakeResponse r;
  r.capabilities = cap::kProtocol41 | cap::kSecureConnection | cap::kPluginAuth;
  r.mariadb_capabilities = mariadb_cap::kExtendedTypeInfo | mariadb_cap::kStmtBulkOperations;
  r.max_packet_size = 1 << 24;
  r.collation = 45;
  r.user = "app";
  r.auth_plugin = "mysql_native_password";
  std::string wire = r.encode();
  EXPECT_EQ(static_cast<uint8_t>(wire[28]), 0x0c);  // bytes 28..31 of the 32-byte prefix
  auto d = HandshakeResponse::decode(wire);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->mariadb_capabilities, r.mariadb_capabilities);
  EXPECT_EQ(d->user, "app");
  // A MySQL client (CLIENT_LONG_PASSWORD set): the filler means nothing.
  r.capabilities |= cap::kLongPassword;
  wire = r.encode();
  wire[28] = 0x08;
  d = HandshakeResponse::decode(wire);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->mariadb_capabilities, 0u);
  // The SSL request carries them too.
  r.capabilities &= ~cap::kLongPassword;
  EXPECT_EQ(static_cast<uint8_t>(r.encode_ssl_request()[28]), 0x0c);
}

TEST(ExtendedTypeInfo, RoundTripAndFormat) {
  ColumnDefinition c = json_column();
  auto d = ColumnDefinition::decode(c.encode(true), true);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->extended_metadata, c.extended_metadata);
  EXPECT_EQ(d->format_name(), "json");
  EXPECT_EQ(d->type, FieldType::kBlob);
  EXPECT_EQ(d->charset, 45);
}

TEST(ExtendedTypeInfo, StrippedForClientsWithoutIt) {
  ColumnDefinition c = json_column();
  auto stripped = strip_extended_metadata(c.encode(true));
  ASSERT_TRUE(stripped);
  EXPECT_EQ(*stripped, c.encode(false));
  // Empty metadata (a plain column) is one 0 byte to remove.
  c.extended_metadata.clear();
  EXPECT_EQ(*strip_extended_metadata(c.encode(true)), c.encode(false));
  EXPECT_FALSE(
      strip_extended_metadata(std::string("\x03"
                                          "de",
                                          3)));
}

TEST(ExtendedTypeInfo, TesseraOwnResultsCarryTheField) {
  for (bool extended : {false, true}) {
    TextResultBuilder b(cap::kProtocol41 | cap::kDeprecateEof, status::kAutocommit, extended);
    b.add_column(ColumnDefinition::text("v"));
    b.add_row({std::string("x")});
    std::string out;
    uint8_t seq = 1;
    b.finish(out, seq);
    // frames: count, definition, row, end
    WireReader r(out);
    size_t len = r.u8() | (r.u8() << 8) | (r.u8() << 16);
    r.skip(1 + len);
    len = r.u8() | (r.u8() << 8) | (r.u8() << 16);
    r.skip(1);
    std::string def(r.bytes(len));
    auto decoded = ColumnDefinition::decode(def, extended);
    ASSERT_TRUE(decoded) << extended;
    EXPECT_EQ(decoded->name, "v");
    EXPECT_EQ(decoded->type, FieldType::kVarString);
  }
}

ServerGreeting mariadb_backend() {
  auto h = InitialHandshake::decode(kMariaDbGreeting);
  return {h->server_version, h->capabilities, h->mariadb_capabilities};
}

TEST(ServerIdentity, PresentsTheBackendsFamilyAndVersion) {
  ServerIdentity id = make_server_identity("", mariadb_backend());
  EXPECT_EQ(id.server_version, "5.5.5-10.11.19-MariaDB-0+deb12u1-log-Tessera");
  EXPECT_TRUE(has_mariadb_capabilities(id.capabilities));  // no CLIENT_MYSQL, as MariaDB
  // Only the extended capabilities Tessera relays end to end (type info; bulk execute, passed
  // to the server), not progress reports.
  EXPECT_EQ(id.mariadb_capabilities,
            mariadb_cap::kExtendedTypeInfo | mariadb_cap::kStmtBulkOperations);
  // Nothing Tessera does not implement (compression), nothing the server lacks.
  EXPECT_EQ(id.capabilities & cap::kCompress, 0u);
  EXPECT_EQ(id.capabilities & ~kProxyCapabilities, 0u);
  EXPECT_TRUE(id.capabilities & cap::kDeprecateEof);
  EXPECT_TRUE(id.capabilities & cap::kSessionTrack);
}

TEST(ServerIdentity, ConfiguredVersionOverridesAndFallback) {
  EXPECT_EQ(make_server_identity("5.7.99-x", mariadb_backend()).server_version, "5.7.99-x");
  ServerIdentity fallback = make_server_identity("", std::nullopt);
  EXPECT_EQ(fallback.server_version, kFallbackServerVersion);
  EXPECT_EQ(fallback.capabilities, kProxyCapabilities);
  EXPECT_EQ(fallback.mariadb_capabilities, 0u);
  ServerGreeting mysql{"8.0.36", 0xffffffffu, 0};
  ServerIdentity id = make_server_identity("", mysql);
  EXPECT_EQ(id.server_version, "8.0.36-Tessera");
  EXPECT_EQ(id.capabilities, kProxyCapabilities);
  EXPECT_EQ(id.mariadb_capabilities, 0u);
}

std::string command(Command c, uint32_t id) {
  std::string out;
  WireWriter w(out);
  w.u8(static_cast<uint8_t>(c));
  w.u32(id);
  return out;
}

TEST(PipelinedStatementId, MinusOneNamesTheLastPrepared) {
  std::string exec =
      command(Command::kStmtExecute, kLastPreparedStatementId) + std::string(5, '\0');
  EXPECT_TRUE(resolve_last_statement_id(exec, 7));
  EXPECT_EQ(read_statement_id(std::string_view(exec).substr(1)), 7u);
  EXPECT_EQ(exec.size(), 10u);
  for (Command c : {Command::kStmtClose, Command::kStmtReset, Command::kStmtFetch,
                    Command::kStmtSendLongData}) {
    std::string p = command(c, kLastPreparedStatementId);
    EXPECT_TRUE(resolve_last_statement_id(p, 0x01020304));
    EXPECT_EQ(read_statement_id(std::string_view(p).substr(1)), 0x01020304u);
  }
}

TEST(PipelinedStatementId, LeftAloneOtherwise) {
  std::string none = command(Command::kStmtExecute, kLastPreparedStatementId);
  EXPECT_FALSE(resolve_last_statement_id(none, 0));  // nothing prepared: the server's 1243
  EXPECT_EQ(read_statement_id(std::string_view(none).substr(1)), kLastPreparedStatementId);
  std::string other = command(Command::kStmtExecute, 3);
  EXPECT_FALSE(resolve_last_statement_id(other, 7));
  std::string query = command(Command::kQuery, kLastPreparedStatementId);
  EXPECT_FALSE(resolve_last_statement_id(query, 7));
  std::string shortp("\x17\xff\xff", 3);
  EXPECT_FALSE(resolve_last_statement_id(shortp, 7));
}

}  // namespace
}  // namespace tessera::protocol
