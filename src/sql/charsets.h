// Character sets and collations by the one-byte ids a client names them with in its handshake
// (and COM_CHANGE_USER): MariaDB 10.11's, without ucs2, utf16, utf16le and utf32, which no
// client may use. Shared by session state (SET NAMES for a pooled connection), the statement
// checks (lexing in the session's character set) and configuration (a namespace's
// default_charset / default_collation are validated against it).
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace tessera::sql {

// The character set of a collation id ("latin1" for 8), "" when the id is unknown.
std::string_view charset_of_collation(uint8_t collation);
// The collation's name ("latin1_swedish_ci" for 8), "" when the id is unknown.
std::string_view collation_name(uint8_t collation);
// The id of a collation name (ASCII case-insensitive; `utf8_...` read as `utf8mb3_...`).
std::optional<uint8_t> collation_id(std::string_view name);
// The id of a character set's default collation (`utf8` read as `utf8mb3`); nullopt for a
// character set this table does not hold.
std::optional<uint8_t> default_collation(std::string_view charset);

}  // namespace tessera::sql
