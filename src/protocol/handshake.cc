#include "protocol/handshake.h"

#include <algorithm>

#include "protocol/constants.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace tessera::protocol {

std::string InitialHandshake::encode() const {
  std::string out;
  WireWriter w(out);
  w.u8(protocol_version);
  w.null_str(server_version);
  w.u32(connection_id);
  w.bytes(std::string_view(scramble).substr(0, 8));
  w.u8(0);
  w.u16(static_cast<uint16_t>(capabilities & 0xffff));
  w.u8(collation);
  w.u16(status_flags);
  w.u16(static_cast<uint16_t>(capabilities >> 16));
  w.u8(static_cast<uint8_t>(scramble.size() + 1));
  w.zeros(6);
  w.u32(has_mariadb_capabilities(capabilities) ? mariadb_capabilities : 0);
  // The second part is at least 13 bytes including the terminating NUL.
  std::string_view part2 = std::string_view(scramble).substr(std::min<size_t>(8, scramble.size()));
  w.bytes(part2);
  w.zeros(std::max<size_t>(13, part2.size() + 1) - part2.size());
  if (capabilities & cap::kPluginAuth) w.null_str(auth_plugin);
  return out;
}

std::optional<InitialHandshake> InitialHandshake::decode(std::string_view payload) {
  WireReader r(payload);
  InitialHandshake h;
  h.protocol_version = r.u8();
  if (h.protocol_version != 10) return std::nullopt;
  h.server_version = std::string(r.null_str());
  h.connection_id = r.u32();
  h.scramble = std::string(r.bytes(8));
  r.skip(1);
  uint32_t caps = r.u16();
  if (r.at_end()) {
    h.capabilities = caps;
    return r.ok() ? std::optional(h) : std::nullopt;
  }
  h.collation = r.u8();
  h.status_flags = r.u16();
  caps |= static_cast<uint32_t>(r.u16()) << 16;
  h.capabilities = caps;
  uint8_t auth_len = r.u8();
  r.skip(6);  // reserved
  uint32_t extended = r.u32();
  if (has_mariadb_capabilities(caps)) h.mariadb_capabilities = extended;
  if (caps & cap::kSecureConnection) {
    size_t n = std::max<int>(13, auth_len - 8);
    std::string_view part2 = r.bytes(n);
    if (!part2.empty() && part2.back() == '\0') part2.remove_suffix(1);
    h.scramble.append(part2);
  }
  if (caps & cap::kPluginAuth) {
    std::string_view rest = r.rest();
    auto nul = rest.find('\0');
    h.auth_plugin = std::string(rest.substr(0, nul));
  }
  if (!r.ok()) return std::nullopt;
  return h;
}

bool HandshakeResponse::is_ssl_request(std::string_view payload) {
  if (payload.size() != 32) return false;
  WireReader r(payload);
  return (r.u32() & cap::kSsl) != 0;
}

std::string HandshakeResponse::encode_ssl_request() const {
  std::string out;
  WireWriter w(out);
  w.u32(capabilities | cap::kSsl);
  w.u32(max_packet_size);
  w.u8(collation);
  w.zeros(19);
  w.u32(has_mariadb_capabilities(capabilities) ? mariadb_capabilities : 0);
  return out;
}

std::string HandshakeResponse::encode() const {
  std::string out;
  WireWriter w(out);
  w.u32(capabilities);
  w.u32(max_packet_size);
  w.u8(collation);
  w.zeros(19);
  w.u32(has_mariadb_capabilities(capabilities) ? mariadb_capabilities : 0);
  w.null_str(user);
  if (capabilities & cap::kPluginAuthLenencClientData) {
    w.lenenc_str(auth_response);
  } else if (capabilities & cap::kSecureConnection) {
    w.u8(static_cast<uint8_t>(auth_response.size()));
    w.bytes(auth_response);
  } else {
    w.null_str(auth_response);
  }
  if (capabilities & cap::kConnectWithDb) w.null_str(database);
  if (capabilities & cap::kPluginAuth) w.null_str(auth_plugin);
  if (capabilities & cap::kConnectAttrs) {
    std::string attrs;
    WireWriter aw(attrs);
    for (const auto& [k, v] : attributes) {
      aw.lenenc_str(k);
      aw.lenenc_str(v);
    }
    w.lenenc_str(attrs);
  }
  return out;
}

std::optional<HandshakeResponse> HandshakeResponse::decode(std::string_view payload) {
  WireReader r(payload);
  HandshakeResponse h;
  h.capabilities = r.u32();
  if (!(h.capabilities & cap::kProtocol41)) return std::nullopt;  // pre-4.1 clients unsupported
  h.max_packet_size = r.u32();
  h.collation = r.u8();
  r.skip(19);
  uint32_t extended = r.u32();
  if (has_mariadb_capabilities(h.capabilities)) h.mariadb_capabilities = extended;
  h.user = std::string(r.null_str());
  if (h.capabilities & cap::kPluginAuthLenencClientData) {
    h.auth_response = std::string(r.lenenc_str());
  } else if (h.capabilities & cap::kSecureConnection) {
    uint8_t n = r.u8();
    h.auth_response = std::string(r.bytes(n));
  } else {
    h.auth_response = std::string(r.null_str());
  }
  if ((h.capabilities & cap::kConnectWithDb) && !r.at_end()) h.database = std::string(r.null_str());
  if ((h.capabilities & cap::kPluginAuth) && !r.at_end()) {
    // Some clients omit the terminator when the plugin name ends the packet.
    std::string_view rest = payload.substr(payload.size() - r.remaining());
    auto nul = rest.find('\0');
    h.auth_plugin = std::string(rest.substr(0, nul));
    r.skip(nul == std::string_view::npos ? rest.size() : nul + 1);
  }
  if ((h.capabilities & cap::kConnectAttrs) && !r.at_end()) {
    std::string_view attrs = r.lenenc_str();
    WireReader ar(attrs);
    while (ar.ok() && !ar.at_end()) {
      std::string_view k = ar.lenenc_str();
      std::string_view v = ar.lenenc_str();
      if (ar.ok()) h.attributes.emplace(k, v);
    }
  }
  if (!r.ok()) return std::nullopt;
  return h;
}

std::string AuthSwitchRequest::encode() const {
  std::string out;
  WireWriter w(out);
  w.u8(kAuthSwitchHeader);
  w.null_str(plugin);
  w.bytes(data);
  w.u8(0);
  return out;
}

std::optional<AuthSwitchRequest> AuthSwitchRequest::decode(std::string_view payload) {
  WireReader r(payload);
  if (r.u8() != kAuthSwitchHeader) return std::nullopt;
  AuthSwitchRequest a;
  a.plugin = std::string(r.null_str());
  std::string_view data = r.rest();
  if (!data.empty() && data.back() == '\0') data.remove_suffix(1);
  a.data = std::string(data);
  if (!r.ok()) return std::nullopt;
  return a;
}

std::optional<ChangeUser> ChangeUser::decode(std::string_view payload, uint32_t client_caps) {
  WireReader r(payload);
  ChangeUser c;
  c.user = std::string(r.null_str());
  if (client_caps & cap::kSecureConnection) {
    uint8_t n = r.u8();
    c.auth_response = std::string(r.bytes(n));
  } else {
    c.auth_response = std::string(r.null_str());
  }
  if (!r.ok() || r.at_end()) return std::nullopt;
  // Read as MariaDB reads it: the database is a C string (always there, even empty; the
  // server's buffer ends in a NUL, so an unterminated one runs to the end of the packet), and
  // the character set follows only when two bytes remain. Clients that leave the database out
  // (the npm mariadb connector without CLIENT_CONNECT_WITH_DB) get the same reading as from
  // the server: their collation's first byte as the database, a collation made of the
  // plugin name's first two bytes.
  std::string_view rest = r.rest();
  size_t nul = rest.find('\0');
  c.database = std::string(rest.substr(0, nul));
  size_t after = nul == std::string_view::npos ? 0 : rest.size() - nul - 1;
  // The server wants a plugin name (even one stray byte) after the collation, or right after
  // the database when no collation fits (MariaDB 10.11, checked by it.compat_backend_accounts).
  c.plugin_missing = (client_caps & cap::kPluginAuth) && (after == 0 || after == 2);
  if (after < 2) return c;
  WireReader tail(rest.substr(nul + 1));
  c.collation = tail.u16();
  if ((client_caps & cap::kPluginAuth) && !tail.at_end()) {
    std::string_view plugin = tail.rest();
    c.auth_plugin = std::string(plugin.substr(0, plugin.find('\0')));
  }
  return c;
}

}  // namespace tessera::protocol
