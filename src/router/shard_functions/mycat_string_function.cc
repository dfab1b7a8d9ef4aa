#include "router/shard_functions/mycat_string_function.h"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "router/shard_functions/go_runes.h"
#include "router/shard_functions/key_conversion.h"
#include "router/shard_functions/shard_param.h"

namespace tessera::router {

namespace {

std::string_view trim(std::string_view s) {
  const char* ws = " \t\n\r\v\f";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

}  // namespace

HashSlice parse_hash_slice(std::string_view text) {
  std::string_view t = trim(text);
  size_t colon = t.find(':');
  if (colon == std::string_view::npos) {
    // A single number n: the first n characters, or the last -n when negative.
    int n = param_int(t, "hash_slice");
    return n >= 0 ? HashSlice{0, n} : HashSlice{n, 0};
  }
  std::string_view a = t.substr(0, colon), b = t.substr(colon + 1);
  if (b.find(':') != std::string_view::npos) {
    throw ShardParamError{"hash_slice",
                          fmt::format("\"{}\" is not n, start:end, start: or :end", text)};
  }
  return HashSlice{a.empty() ? 0 : param_int(a, "hash_slice"),
                   b.empty() ? 0 : param_int(b, "hash_slice")};
}

ShardResult<int> MycatStringFunction::find(const ShardValue& value) const {
  auto text = text_key(value, "mycat_string");
  if (auto* e = std::get_if<ShardError>(&text)) return std::move(*e);
  if (collation_) {
    auto folded = collation_->canonical(std::get<std::string>(text));
    if (auto* e = std::get_if<ShardError>(&folded)) return key_error("mycat_string", e->message);
    text = std::move(std::get<std::string>(folded));
  }
  const std::string& key = std::get<std::string>(text);
  auto byte_len = static_cast<int64_t>(key.size());
  int64_t start = slice_.start >= 0 ? slice_.start : byte_len + slice_.start;
  int64_t end = slice_.end > 0 ? slice_.end : byte_len + slice_.end;
  std::vector<char32_t> chars = go_runes(key);
  start = std::max<int64_t>(start, 0);
  end = std::min<int64_t>(end, static_cast<int64_t>(chars.size()));
  uint64_t h = 0;  // Go int64 arithmetic, wrapping
  for (int64_t i = start; i < end; ++i) h = (h << 5) - h + chars[static_cast<size_t>(i)];
  return partition_.table_of_slot[h & (kMycatPartitionSlots - 1)];
}

std::string MycatStringFunction::signature() const {
  return fmt::format("mycat_string/{}/{}:{}{}", partition_.boundaries, slice_.start, slice_.end,
                     collation_ ? "/" + collation_->name() : "");
}

}  // namespace tessera::router
