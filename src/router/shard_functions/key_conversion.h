// How Gaea reads a shard-key value, one helper per reading. Every shard function starts from one
// of these, so a value routes the way Gaea routes it: the same integer, the same text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "router/shard_function.h"
#include "router/shard_value.h"

namespace tessera::router {

// Go's strconv.ParseInt(text, 10, 64): optional '+' or '-', at least one digit, nothing else.
std::optional<int64_t> parse_go_int(std::string_view text);
// Go's strconv.ParseUint(text, 10, 64): digits only, no sign.
std::optional<uint64_t> parse_go_uint(std::string_view text);

// Gaea `HashValue`: integers as uint64 (a negative int64 wraps: -1 is 2^64-1), text that is an
// unsigned decimal as that number, any other text as its CRC32 (IEEE).
ShardResult<uint64_t> hash_key(const ShardValue& value);

// Gaea `NumValue`: integers as int64 (a uint64 above INT64_MAX wraps negative), text parsed as
// a signed decimal; other text is an error.
ShardResult<int64_t> number_key(const ShardValue& value, std::string_view function);

// Gaea `GetString`: integers in decimal, text as is.
ShardResult<std::string> text_key(const ShardValue& value, std::string_view function);

// The value for error messages: `NULL`, `42`, `"abc"`.
std::string describe(const ShardValue& value);

// Errors name the rule kind (`function`): `mod: "abc" is not an integer`.
ShardError key_error(std::string_view function, std::string_view problem);

}  // namespace tessera::router
