// Passwords out of statement text before it is logged: the string literals that carry a
// secret (IDENTIFIED BY / WITH ... AS|USING / VIA ... USING, PASSWORD('...'), SET PASSWORD ... =
// '...', MASTER_PASSWORD = '...') become '***'. Lexed, so quotes, comments and escapes inside
// other literals cannot hide or fake a trigger word.
#pragma once
#include <string>
#include <string_view>

namespace tessera::sql {

// The text with secrets replaced; unchanged (same bytes) when there are none.
std::string mask_secrets(std::string_view sql);

}  // namespace tessera::sql
