// Operators that hold rows after the shard streams are combined: the sort (ORDER BY over
// aggregated or hashed rows), the DISTINCT filter and OFFSET/LIMIT.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "exec/memory_budget.h"
#include "exec/merge_error.h"
#include "exec/row.h"
#include "exec/run_merge.h"
#include "exec/sort_key.h"
#include "exec/spill_file.h"

namespace tessera::exec {

// The message every "too many rows" error carries, so users know which knob to turn.
MergeError too_many_rows(const char* what, uint64_t limit);

// Sorts rows: in memory, and as an external merge sort once the statement is over its memory
// budget (memory_budget.h): the rows held are sorted and written as a run to a spill file,
// then at the end every run and the rows still held are merged k ways (run_merge.h), reading
// one block per run. With `keep` (offset + limit) only that many smallest rows are kept, so
// ORDER BY ... LIMIT n holds about 2n rows whatever the input size (and writes runs of at most
// n rows). Stable: rows with equal keys keep their arrival order (unless `keep` trimmed).
// Holding more than `max_rows` rows is an error (0: no limit); over the budget with spilling
// off, 1038.
class MemorySort {
 public:
  MemorySort(RowComparator order, std::optional<uint64_t> keep, uint64_t max_rows,
             std::shared_ptr<MemoryBudget> budget);
  ~MemorySort();

  Status add(Row row);
  // Input ended: sorts what is held (and merges the runs' heads). An error reading them back.
  Status finish();
  // The next row in order; false at the end or on an error (then error() says which).
  bool next(Row& out);
  const std::optional<MergeError>& error() const { return error_; }
  // Runs written to disk so far (tests, EXPLAIN ANALYZE-like reporting).
  size_t runs() const { return runs_.size() + merged_runs_; }

 private:
  void trim();
  Status spill_run();

  RowComparator order_;
  std::optional<uint64_t> keep_;
  uint64_t max_rows_;
  BudgetShare share_;
  std::vector<Row> rows_;
  uint64_t spilled_rows_ = 0;
  size_t emit_ = 0;
  uint64_t emitted_ = 0;
  bool finished_ = false;
  std::unique_ptr<SpillFile> file_;
  std::vector<SpillStream> runs_;
  size_t merged_runs_ = 0;
  std::unique_ptr<RunMerge> merge_;
  std::optional<MergeError> error_;
};

// SELECT DISTINCT: admits a row the first time its first `width` cells are seen (equal as the
// columns' types compare them). Remembers one key per distinct row. Over the statement's
// memory budget it keeps the keys it has (duplicates of rows already out are still dropped)
// and puts every row with a key it has not seen into hash partitions on disk; after the
// input ends, next_deferred() returns the first occurrence of each of those keys, one
// partition at a time (a partition that is itself over the budget splits again). Rows put
// aside come out after the others: DISTINCT without ORDER BY promises no order.
class DistinctFilter {
 public:
  // Rows are equal when the cells of `columns` are (each visible column, or where it is
  // compared by another column, that one).
  DistinctFilter(std::vector<ValueType> types, std::vector<size_t> columns, uint64_t max_rows,
                 std::shared_ptr<MemoryBudget> budget = nullptr, unsigned level = 0);
  ~DistinctFilter();
  // true: first occurrence, keep it; false: a duplicate, or put aside (see next_deferred()).
  Result<bool> admit(const Row& row);
  // The input ended: the keys are released, the partitions written out.
  Status finish();
  // The rows put aside, each key's first occurrence, after finish(); false at the end.
  Result<bool> next_deferred(Row& out);
  bool spilled() const { return partitions_ != nullptr; }

 private:
  std::string key_of(const Row& row) const;

  std::vector<ValueType> types_;
  std::vector<size_t> columns_;
  uint64_t max_rows_;
  unsigned level_;
  BudgetShare share_;
  std::unordered_set<std::string> seen_;
  std::unique_ptr<SpillFile> file_;
  std::unique_ptr<SpillPartitions> partitions_;
  std::vector<SpillStream> streams_;
  size_t partition_ = 0;
  SpillReader reader_;
  std::unique_ptr<DistinctFilter> child_;
  bool child_fed_ = false;
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
