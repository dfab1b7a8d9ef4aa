// Connection-phase messages: the server greeting (protocol v10), the client's
// handshake response (incl. SSL request prefix), auth switch and more-data.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tessera::protocol {

struct InitialHandshake {
  uint8_t protocol_version = 10;
  std::string server_version;
  uint32_t connection_id = 0;
  std::string scramble;  // 20 bytes of auth plugin data
  uint32_t capabilities = 0;
  // MariaDB's extended capabilities (mariadb_cap::*); on the wire only when
  // has_mariadb_capabilities(capabilities), ignored otherwise.
  uint32_t mariadb_capabilities = 0;
  uint8_t collation = 0;
  uint16_t status_flags = 0;
  std::string auth_plugin;

  std::string encode() const;
  static std::optional<InitialHandshake> decode(std::string_view payload);
};

struct HandshakeResponse {
  uint32_t capabilities = 0;
  uint32_t max_packet_size = 0;
  uint8_t collation = 0;
  // MariaDB's extended capabilities, as in InitialHandshake.
  uint32_t mariadb_capabilities = 0;
  std::string user;
  std::string auth_response;
  std::string database;
  std::string auth_plugin;
  std::map<std::string, std::string> attributes;

  // A payload of exactly 32 bytes with CLIENT_SSL set is an SSL request: the
  // client starts TLS and then sends the full response.
  static bool is_ssl_request(std::string_view payload);
  // The 32-byte SSL request: capabilities (with CLIENT_SSL), max packet size, collation.
  std::string encode_ssl_request() const;
  std::string encode() const;
  static std::optional<HandshakeResponse> decode(std::string_view payload);
};

struct AuthSwitchRequest {
  std::string plugin;
  std::string data;  // scramble, NUL terminator added on the wire
  std::string encode() const;
  static std::optional<AuthSwitchRequest> decode(std::string_view payload);
};

// COM_CHANGE_USER payload (after the command byte).
struct ChangeUser {
  std::string user;
  std::string auth_response;
  std::string database;
  uint16_t collation = 0;  // 0: none sent (the server then uses its default)
  std::string auth_plugin;
  // A CLIENT_PLUGIN_AUTH client's packet ends before the plugin name: MariaDB refuses it.
  bool plugin_missing = false;
  // nullopt when the packet ends before its database (MariaDB refuses that too).
  static std::optional<ChangeUser> decode(std::string_view payload, uint32_t client_caps);
};

}  // namespace tessera::protocol
