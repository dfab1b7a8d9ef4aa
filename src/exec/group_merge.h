// GROUP BY over merged shard rows. Two strategies:
//  - streaming, when rows arrive sorted by the group columns (an OrderedMerge whose keys start
//    with them): a group is complete as soon as a row with another key arrives, so only one
//    group is held;
//  - hashing otherwise: every group is held until the input ends, then emitted in the order
//    groups were first seen.
// Group keys are compared with the columns' types and collations, so 'a' and 'A ' are one
// group under a _ci collation, and 1.5 and 1.50 one group of a DECIMAL column.
// With no group columns there is exactly one group, emitted even when no row arrived.
#pragma once
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "exec/aggregate.h"
#include "exec/merge_error.h"
#include "exec/row.h"

namespace tessera::exec {

class GroupMerge {
 public:
  // `max_groups`: more groups held at once is an error (0: no limit).
  GroupMerge(std::shared_ptr<const AggregateContext> ctx, std::vector<size_t> group_by,
             bool sorted_input, uint64_t max_groups);

  Status add(const Row& row);
  // Input exhausted: the remaining groups become available to next().
  void finish();
  // A completed group's row.
  bool next(Row& out);
  bool done() const { return finished_ && ready_.empty() && emit_ >= groups_.size(); }

 private:
  bool same_group(const Row& a, const Row& b) const;
  std::string key_of(const Row& row) const;

  std::shared_ptr<const AggregateContext> ctx_;
  std::vector<size_t> group_by_;
  bool sorted_;
  uint64_t max_groups_;
  bool finished_ = false;

  std::optional<GroupAccumulator> current_;  // streaming
  std::deque<Row> ready_;                    // streaming: completed groups

  std::unordered_map<std::string, size_t> index_;  // hashing: key -> groups_ slot
  std::vector<std::unique_ptr<GroupAccumulator>> groups_;
  size_t emit_ = 0;  // hashing: next group to emit after finish()
};

}  // namespace tessera::exec
