#include "frontend/sequence_cache.h"

#include <cctype>

namespace tessera::frontend {

std::string SequenceCache::key(std::string_view db, std::string_view table) {
  std::string k;
  k.reserve(db.size() + table.size() + 1);
  for (char c : db) k.push_back(char(std::tolower(static_cast<unsigned char>(c))));
  k.push_back('.');
  for (char c : table) k.push_back(char(std::tolower(static_cast<unsigned char>(c))));
  return k;
}

std::optional<uint64_t> SequenceCache::take(std::string_view db, std::string_view table,
                                            uint64_t count) {
  auto it = segments_.find(key(db, table));
  if (it == segments_.end()) return std::nullopt;
  auto& s = it->second;
  if (s.end - s.next < count) return std::nullopt;
  uint64_t first = s.next;
  s.next += count;
  return first;
}

std::optional<uint64_t> SequenceCache::peek(std::string_view db, std::string_view table,
                                            uint64_t count) const {
  auto it = segments_.find(key(db, table));
  if (it == segments_.end() || it->second.end - it->second.next < count) return std::nullopt;
  return it->second.next;
}

void SequenceCache::add_segment(const std::string& key, uint64_t first, uint64_t end) {
  segments_[key] = Segment{first, end};
}

}  // namespace tessera::frontend
