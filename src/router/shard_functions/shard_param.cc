#include "router/shard_functions/shard_param.h"

#include <climits>

#include <fmt/format.h>

#include "router/shard_functions/key_conversion.h"

namespace tessera::router {

int param_int(std::string_view text, std::string_view field) {
  auto n = parse_go_int(text);
  if (!n || *n < INT_MIN || *n > INT_MAX) {
    if (text.empty()) throw ShardParamError{std::string(field), "is required (an integer)"};
    throw ShardParamError{std::string(field), fmt::format("\"{}\" is not an integer", text)};
  }
  return static_cast<int>(*n);
}

std::vector<int> param_int_list(std::string_view text, std::string_view field) {
  std::string compact;
  for (char c : text) {
    if (c != ' ') compact += c;
  }
  if (compact.empty()) {
    throw ShardParamError{std::string(field), "is required (comma-separated integers)"};
  }
  std::vector<int> out;
  size_t start = 0;
  while (true) {
    size_t comma = compact.find(',', start);
    std::string_view item = std::string_view(compact).substr(
        start, comma == std::string::npos ? std::string::npos : comma - start);
    auto n = parse_go_int(item);
    if (!n || *n < INT_MIN || *n > INT_MAX) {
      throw ShardParamError{std::string(field),
                            fmt::format("\"{}\" is not a comma-separated list of integers", text)};
    }
    out.push_back(static_cast<int>(*n));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace tessera::router
