// A scatter's merge description (merge_info.h: the planner's, with column positions that may
// count from the hidden columns' end and HAVING / computed columns as the statement's own
// expressions) resolved against the column count the shards actually returned, into the
// MergeSpec the merge pipeline runs (exec/merge_spec.h). The planner's AST never leaves
// router/ and exec/: frontend hands over no expression.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "exec/engine/merge_info.h"
#include "exec/memory_budget.h"
#include "exec/merge_error.h"
#include "exec/merge_pipeline.h"
#include "exec/merge_spec.h"

namespace tessera::exec::engine {

// What the session bounds a merge by.
struct MergeLimits {
  uint64_t max_result_rows = 0;  // max_sql_result_size (0: none)
  // The namespace's merge_memory_bytes (0: none), spill_dir (empty: spilling off) and
  // spill_max_bytes (0: none).
  uint64_t memory_bytes = 64ull * 1024 * 1024;
  std::string spill_dir;
  uint64_t spill_max_bytes = 0;
  size_t group_concat_max_len = 1024 * 1024;  // the session's group_concat_max_len
  // The namespace's hash_join_rows: a lookup join whose driving rows pass this many switches
  // to its hash join (lookup_join.h); 0: the hash join from the start; < 0: never.
  int64_t hash_join_rows = 100000;

  // A new budget for one statement: its operators (every branch of a set operation, a lookup
  // join's driving rows and merge) share it.
  std::shared_ptr<MemoryBudget> statement_budget() const {
    return std::make_shared<MemoryBudget>(memory_bytes, spill_dir, spill_max_bytes);
  }
};

// Errors (1235) when HAVING or a computed column holds what the merge cannot evaluate.
// `budget`: the statement's (null: a new one from `limits`).
Result<MergeSpec> resolve_merge(const MergeInfo& merge, size_t total_columns,
                                const MergeLimits& limits,
                                std::shared_ptr<MemoryBudget> budget = nullptr);

// resolve_merge() then MergePipeline::create() over those shard `columns`: the pipeline a read
// of `shards` streams feeds (its visible_columns() are the client's).
Result<std::unique_ptr<MergePipeline>> open_merge(
    const MergeInfo& merge, const std::vector<protocol::ColumnDefinition>& columns, size_t shards,
    const MergeLimits& limits, std::shared_ptr<MemoryBudget> budget);

}  // namespace tessera::exec::engine
