// GROUP BY over merged shard rows. Two strategies:
//  - streaming, when rows arrive sorted by the group columns (an OrderedMerge whose keys start
//    with them): a group is complete as soon as a row with another key arrives, so only one
//    group is held;
//  - hashing otherwise: every group is held until the input ends, then emitted in the order
//    groups were first seen. Over the statement's memory budget (memory_budget.h) the groups
//    held stay and keep taking their rows, and every row of a group not held yet goes to a
//    hash partition on disk (spill_file.h); after the groups held, each partition is grouped
//    the same way on its own (a partition over the budget splits again). A group's rows stay
//    in arrival order, so first-row columns and GROUP_CONCAT are what they would be in memory;
//    only groups that were put aside come out later. (A group held keeps growing past the
//    budget when its own DISTINCT aggregates or GROUP_CONCAT do.)
// Group keys are compared with the columns' types and collations, so 'a' and 'A ' are one
// group under a _ci collation, and 1.5 and 1.50 one group of a DECIMAL column.
// With no group columns there is exactly one group, emitted even when no row arrived.
//
// WITH ROLLUP (streaming only): besides each group, one accumulator per shorter prefix of the
// group keys takes every row too, so a super-aggregate is what one group over all those rows
// would be (DISTINCT sets, GROUP_CONCAT and all). When a row's keys differ from the previous
// group's within the first k, the prefixes longer than k are complete: after the group, their
// rows come out innermost first, the keys beyond each prefix set to NULL, as the server writes
// them; at the end every prefix down to the grand total. No rows at all: no rollup rows either.
#pragma once
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "exec/aggregate.h"
#include "exec/memory_budget.h"
#include "exec/merge_error.h"
#include "exec/row.h"
#include "exec/spill_file.h"

namespace tessera::exec {

class GroupMerge {
 public:
  // `max_groups`: more groups held at once is an error (0: no limit).
  GroupMerge(std::shared_ptr<const AggregateContext> ctx, std::vector<size_t> group_by,
             bool sorted_input, uint64_t max_groups, std::shared_ptr<MemoryBudget> budget = nullptr,
             unsigned level = 0);
  ~GroupMerge();

  // WITH ROLLUP: rollup[j] are the columns holding group key j (the key itself and any copy),
  // made NULL in the super-aggregate rows of prefixes shorter than j + 1. Needs sorted input.
  void set_rollup(std::vector<std::vector<size_t>> rollup);

  Status add(const Row& row);
  // Input exhausted: the remaining groups become available to next().
  Status finish();
  // A completed group's row; false when none is ready, or on an error (error() says which).
  bool next(Row& out);
  bool done() const {
    return finished_ && ready_.empty() && emit_ >= groups_.size() && !child_ &&
           partition_ >= streams_.size();
  }
  const std::optional<MergeError>& error() const { return error_; }
  bool spilled() const { return partitions_ != nullptr; }

 private:
  // Groups the next partition on disk into child_; false when none is left.
  Result<bool> open_partition();
  // How many leading group keys a and b share (all of them: the same group).
  size_t common_prefix(const Row& a, const Row& b) const;
  // Emits the super-aggregate rows of the prefixes of `from` keys or more, innermost first.
  void close_prefixes(size_t from);
  std::string key_of(const Row& row) const;

  std::shared_ptr<const AggregateContext> ctx_;
  std::vector<size_t> group_by_;
  bool sorted_;
  uint64_t max_groups_;
  bool finished_ = false;

  std::optional<GroupAccumulator> current_;  // streaming
  std::deque<Row> ready_;                    // streaming: completed groups
  std::vector<std::vector<size_t>> rollup_;  // WITH ROLLUP: the columns of each group key
  // WITH ROLLUP: prefixes_[k] aggregates the rows sharing the current group's first k keys.
  std::vector<std::optional<GroupAccumulator>> prefixes_;

  std::unordered_map<std::string, size_t> index_;  // hashing: key -> groups_ slot
  std::vector<std::unique_ptr<GroupAccumulator>> groups_;
  std::vector<uint64_t> charged_;  // hashing: bytes charged for each group
  size_t emit_ = 0;                // hashing: next group to emit after finish()

  unsigned level_;
  BudgetShare share_;
  std::unique_ptr<SpillFile> file_;
  std::unique_ptr<SpillPartitions> partitions_;
  std::vector<SpillStream> streams_;
  size_t partition_ = 0;
  std::unique_ptr<GroupMerge> child_;
  std::optional<MergeError> error_;
};

}  // namespace tessera::exec
