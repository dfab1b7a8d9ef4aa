#include "router/shard_functions/mycat_padding_mod_function.h"

#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "router/shard_functions/key_conversion.h"

namespace tessera::router {

ShardResult<int> MycatPaddingModFunction::find(const ShardValue& value) const {
  constexpr std::string_view kName = "mycat_padding_mod";
  auto n = number_key(value, kName);
  if (auto* e = std::get_if<ShardError>(&n)) return std::move(*e);
  int64_t v = std::get<int64_t>(n);
  std::string digits = std::to_string(v);
  auto len = static_cast<size_t>(p_.pad_length);
  if (digits.size() > len) {
    digits.resize(len);  // Gaea keeps the first pad_length characters, sign included
  } else if (p_.pad_from == 0) {
    if (v < 0) return key_error(kName, fmt::format("cannot pad negative key {} on the left", v));
    digits.insert(0, len - digits.size(), '0');
  } else {
    digits.append(len - digits.size(), '0');
  }
  std::string segment = digits.substr(static_cast<size_t>(p_.mod_begin),
                                      static_cast<size_t>(p_.mod_end - p_.mod_begin));
  auto part = parse_go_int(segment);
  if (!part) {
    return key_error(kName, fmt::format("digits \"{}\" of key {} are not a number", segment, v));
  }
  int64_t m = *part;
  if (m == INT64_MIN) return key_error(kName, fmt::format("{} is out of range", m));
  return static_cast<int>((m < 0 ? -m : m) % count_);
}

std::string MycatPaddingModFunction::signature() const {
  return fmt::format("mycat_padding_mod/{}/{}/{}/{}/{}", p_.pad_from, p_.pad_length, p_.mod_begin,
                     p_.mod_end, count_);
}

}  // namespace tessera::router
