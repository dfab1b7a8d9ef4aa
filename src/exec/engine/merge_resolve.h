// A scatter's merge description (merge_info.h: the planner's, with column positions that may
// count from the hidden columns' end and HAVING / computed columns as the statement's own
// expressions) resolved against the column count the shards actually returned, into the
// MergeSpec the merge pipeline runs (exec/merge_spec.h). The planner's AST never leaves
// router/ and exec/: frontend hands over no expression.
#pragma once
#include <cstddef>
#include <cstdint>

#include "exec/engine/merge_info.h"
#include "exec/merge_error.h"
#include "exec/merge_spec.h"

namespace tessera::exec::engine {

// What the session bounds a merge by.
struct MergeLimits {
  uint64_t max_result_rows = 0;  // max_sql_result_size (0: none)
  uint64_t max_sort_bytes = 256ull * 1024 * 1024;
  size_t group_concat_max_len = 1024 * 1024;  // the session's group_concat_max_len
};

// Errors (1235) when HAVING or a computed column holds what the merge cannot evaluate.
Result<MergeSpec> resolve_merge(const MergeInfo& merge, size_t total_columns,
                                const MergeLimits& limits);

}  // namespace tessera::exec::engine
