// The session's Compression status variable. Backend connections never use the compressed
// protocol, so the server's own answer to SHOW STATUS says OFF; a client that Tessera serves
// compressed (protocol/packet_socket.h) gets ON, as the server would tell it directly. Only
// that one row of a relayed SHOW [SESSION | LOCAL] STATUS is rewritten; its column
// definitions stay the server's.
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

#include "frontend/client_session.h"
#include "protocol/wire_reader.h"

namespace tessera::frontend {

bool is_show_session_status(std::string_view sql) {
  size_t pos = 0;
  auto word = [&]() -> std::string {
    while (pos < sql.size() && std::isspace(static_cast<unsigned char>(sql[pos]))) ++pos;
    std::string w;
    while (pos < sql.size() && std::isalpha(static_cast<unsigned char>(sql[pos]))) {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(sql[pos])));
      ++pos;
    }
    return w;
  };
  if (word() != "show") return false;
  std::string w = word();
  if (w == "session" || w == "local") w = word();
  return w == "status";
}

std::optional<std::string> compressed_status_row(std::string_view row) {
  protocol::WireReader r(row);
  std::string_view name = r.lenenc_str();
  std::string_view value = r.lenenc_str();
  if (!r.ok() || !r.at_end() || name != "Compression" || value == "ON") return std::nullopt;
  std::string out;
  out += static_cast<char>(name.size());
  out += name;
  out += static_cast<char>(2);
  out += "ON";
  return out;
}

}  // namespace tessera::frontend
