// Sources that combine the row streams of several shards: an ordered k-way merge of streams
// each sorted by the same keys, and a plain concatenation for unordered results.
//
// Both are pull-driven and do no IO. The caller loops:
//   while (true) {
//     if (src.next(row)) { use(row); continue; }
//     if (src.done()) break;
//     size_t s = *src.wants();            // kAnyShard: whichever shard has data first
//     read one row of shard s  ->  src.offer(s, row)   or, at its end, src.finish(s)
//   }
// Memory: at most one row per shard is held.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "exec/merge_error.h"
#include "exec/row.h"
#include "exec/sort_key.h"

namespace tessera::exec {

// wants() value meaning "a row (or the end) of any shard that has not finished".
inline constexpr size_t kAnyShard = SIZE_MAX;

class OrderedMerge {
 public:
  OrderedMerge(size_t shard_count, RowComparator order);

  // Replaces the order before any row was offered (once the columns' collations are known).
  void set_order(RowComparator order) { order_ = std::move(order); }

  // The shard whose next row (or end) is needed before next() can return a row; nullopt when
  // next() can make progress or everything is done. A shard is asked for again only after its
  // previous row has been emitted, so the merge never holds more than one row per shard.
  std::optional<size_t> wants() const;
  // Errors when `shard` already has a row waiting or has finished (a caller bug).
  Status offer(size_t shard, Row row);
  Status finish(size_t shard);
  // The smallest waiting row once every unfinished shard has one waiting. Ties go to the
  // lower shard index, so the merge is stable.
  bool next(Row& out);
  bool done() const { return missing_.empty() && heap_.empty(); }

 private:
  bool heap_less(size_t a, size_t b) const;  // "a sorts after b", for a min-heap

  RowComparator order_;
  std::vector<std::optional<Row>> pending_;
  std::vector<bool> finished_;
  std::vector<size_t> missing_;  // unfinished shards without a waiting row
  std::vector<size_t> heap_;     // shards with a waiting row
};

class Concatenation {
 public:
  explicit Concatenation(size_t shard_count);

  // kAnyShard while no row waits and some shard has not finished.
  std::optional<size_t> wants() const;
  Status offer(size_t shard, Row row);
  Status finish(size_t shard);
  bool next(Row& out);
  bool done() const { return !pending_ && unfinished_ == 0; }

 private:
  std::vector<bool> finished_;
  size_t unfinished_;
  std::optional<Row> pending_;
};

}  // namespace tessera::exec
