// The merge phase of the external sort (row_buffers.h, MemorySort): sorted runs in one spill
// file, and last a sorted in-memory tail, merged k ways into one sorted stream holding one row
// and one block per run. Ties go to the earlier source, so runs written in arrival order merge
// into the same order a stable in-memory sort gives. Too many runs for one pass are first
// merged in groups of `fan_in` into longer runs of the same file.
#pragma once
#include <cstddef>
#include <optional>
#include <vector>

#include "exec/merge_error.h"
#include "exec/row.h"
#include "exec/sort_key.h"
#include "exec/spill_file.h"

namespace tessera::exec {

class RunMerge {
 public:
  RunMerge(const RowComparator& order, SpillFile& file, std::vector<SpillStream> runs,
           std::vector<Row> tail);
  // Merges runs until at most `fan_in` remain (each pass writes to the same file).
  Status reduce(size_t fan_in);
  // The next row in order; false at the end.
  Result<bool> next(Row& out);

 private:
  struct Source {
    SpillReader reader;
    std::optional<Row> head;
  };
  // The next row of source `s` into its head (none at its end).
  Status pull(size_t s);
  bool before(size_t a, size_t b) const;  // a's head sorts before b's
  Status start();

  const RowComparator* order_;
  SpillFile* file_;
  std::vector<SpillStream> runs_;
  std::vector<Row> tail_;
  size_t tail_pos_ = 0;
  std::vector<Source> sources_;  // runs, then the tail (no reader)
  std::vector<size_t> heap_;
  bool started_ = false;
};

}  // namespace tessera::exec
