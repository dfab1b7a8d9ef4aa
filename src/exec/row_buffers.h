// Operators that hold rows after the shard streams are combined: the in-memory sort (ORDER BY
// over aggregated or hashed rows), the DISTINCT filter and OFFSET/LIMIT.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "exec/merge_error.h"
#include "exec/row.h"
#include "exec/sort_key.h"

namespace tessera::exec {

// The message every "too many rows" error carries, so users know which knob to turn.
MergeError too_many_rows(const char* what, uint64_t limit);

// Sorts rows in memory. With `keep` (offset + limit) only that many smallest rows are kept, so
// ORDER BY ... LIMIT n holds about 2n rows whatever the input size. Holding more than
// `max_rows` rows or `max_bytes` bytes is an error (0: no limit).
class MemorySort {
 public:
  MemorySort(RowComparator order, std::optional<uint64_t> keep, uint64_t max_rows,
             uint64_t max_bytes);

  Status add(Row row);
  void finish();
  bool next(Row& out);

 private:
  void trim();

  RowComparator order_;
  std::optional<uint64_t> keep_;
  uint64_t max_rows_;
  uint64_t max_bytes_;
  std::vector<Row> rows_;
  uint64_t bytes_ = 0;
  size_t emit_ = 0;
  bool finished_ = false;
};

// SELECT DISTINCT: admits a row the first time its first `width` cells are seen (equal as the
// columns' types compare them). Remembers one key per distinct row.
class DistinctFilter {
 public:
  // Rows are equal when the cells of `columns` are (each visible column, or where it is
  // compared by another column, that one).
  DistinctFilter(std::vector<ValueType> types, std::vector<size_t> columns, uint64_t max_rows);
  // true: first occurrence, keep it; false: a duplicate.
  Result<bool> admit(const Row& row);

 private:
  std::vector<ValueType> types_;
  std::vector<size_t> columns_;
  uint64_t max_rows_;
  std::unordered_set<std::string> seen_;
};

// OFFSET/LIMIT on the final stream.
class OffsetLimit {
 public:
  enum class Verdict : uint8_t { kSkip, kEmit };
  OffsetLimit(uint64_t offset, std::optional<uint64_t> limit) : offset_(offset), limit_(limit) {}

  // Call only while !exhausted().
  Verdict take() {
    if (skipped_ < offset_) {
      ++skipped_;
      return Verdict::kSkip;
    }
    ++emitted_;
    return Verdict::kEmit;
  }
  // LIMIT rows have been emitted: nothing more will be, so the shards need not be read on.
  bool exhausted() const { return limit_ && emitted_ >= *limit_; }
  uint64_t emitted() const { return emitted_; }

 private:
  uint64_t offset_;
  std::optional<uint64_t> limit_;
  uint64_t skipped_ = 0;
  uint64_t emitted_ = 0;
};

}  // namespace tessera::exec
