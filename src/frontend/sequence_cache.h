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
  // The ids take() would hand out, left in the cache.
  std::optional<uint64_t> peek(std::string_view db, std::string_view table, uint64_t count) const;
  // Ids [first, end) are reserved for `key` ("db.table", lower case).
  void add_segment(const std::string& key, uint64_t first, uint64_t end);
  bool table_ready(const std::string& where) const { return ready_.count(where) > 0; }
  void mark_table_ready(const std::string& where) { ready_[where] = true; }
  void forget_table(const std::string& where) { ready_.erase(where); }

  static std::string key(std::string_view db, std::string_view table);

  // The cache as a first plan sees it when a second plan follows and takes the ids (a prepared
  // statement's plan by bound values, before the one with the values as literals): ids are
  // looked at, not taken.
  class Peek : public router::SequenceSource {
   public:
    explicit Peek(const SequenceCache& cache) : cache_(cache) {}
    std::optional<uint64_t> take(std::string_view db, std::string_view table,
                                 uint64_t count) override {
      return cache_.peek(db, table, count);
    }

   private:
    const SequenceCache& cache_;
  };

 private:
  struct Segment {
    uint64_t next = 0;
    uint64_t end = 0;
  };
  std::unordered_map<std::string, Segment> segments_;
  std::unordered_map<std::string, bool> ready_;
};

}  // namespace tessera::frontend
