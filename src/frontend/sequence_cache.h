// Global-sequence ids handed out from segments reserved in a sequence table on a backend
// (see ClientSession::refill_sequence). One cache per worker thread: no locks; each worker
// reserves its own segments, so ids are unique but interleave across workers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "router/planner.h"

namespace tessera::frontend {

class SequenceCache : public router::SequenceSource {
 public:
  std::optional<uint64_t> take(std::string_view db, std::string_view table,
                               uint64_t count) override;
  // Ids [first, end) are reserved for `key` ("db.table", lower case).
  void add_segment(const std::string& key, uint64_t first, uint64_t end);
  bool table_ready(const std::string& where) const { return ready_.count(where) > 0; }
  void mark_table_ready(const std::string& where) { ready_[where] = true; }
  void forget_table(const std::string& where) { ready_.erase(where); }

  static std::string key(std::string_view db, std::string_view table);

 private:
  struct Segment {
    uint64_t next = 0;
    uint64_t end = 0;
  };
  std::unordered_map<std::string, Segment> segments_;
  std::unordered_map<std::string, bool> ready_;
};

}  // namespace tessera::frontend
