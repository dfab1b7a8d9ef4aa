// Go's `[]rune(s)`: UTF-8 decoded to code points, each invalid byte becoming U+FFFD. Gaea's mycat
// string and murmur hashes iterate runes (where Java iterated UTF-16 chars; the two agree on the
// Basic Multilingual Plane), so we decode exactly as Go does.
#pragma once

#include <string_view>
#include <vector>

namespace tessera::router {

std::vector<char32_t> go_runes(std::string_view text);

}  // namespace tessera::router
