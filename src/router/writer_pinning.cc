#include "router/writer_pinning.h"

#include <cctype>
#include <cstdint>

namespace tessera::router {

namespace {

// FNV-1a over key, a separator and the writer, then a 64-bit finaliser (splitmix64) so that
// writers with similar names still get independent scores.
uint64_t score(std::string_view key, std::string_view writer) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix(key);
  mix(std::string_view("\0", 1));
  mix(writer);
  h += 0x9e3779b97f4a7c15ull;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

}  // namespace

std::string writer_key(std::string_view schema, std::string_view table) {
  std::string key;
  key.reserve(schema.size() + table.size() + 1);
  key.append(schema).push_back('.');
  key.append(table);
  for (auto& c : key) c = char(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

int pick_writer(std::string_view key, const std::vector<std::string>& live_writers,
                const std::map<std::string, std::string>& writer_map) {
  if (live_writers.empty()) return -1;
  if (auto it = writer_map.find(std::string(key)); it != writer_map.end()) {
    for (size_t i = 0; i < live_writers.size(); ++i) {
      if (live_writers[i] == it->second) return static_cast<int>(i);
    }
  }
  int best = 0;
  uint64_t best_score = score(key, live_writers[0]);
  for (size_t i = 1; i < live_writers.size(); ++i) {
    uint64_t s = score(key, live_writers[i]);
    // ties (practically impossible) go to the smaller address, not to the list order
    if (s > best_score || (s == best_score && live_writers[i] < live_writers[best])) {
      best = static_cast<int>(i);
      best_score = s;
    }
  }
  return best;
}

}  // namespace tessera::router
