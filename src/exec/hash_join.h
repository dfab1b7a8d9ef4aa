// The hash join operator (issue 19: "a hash join for large unselective sides"): an equi-join
// of two row streams held in Tessera, for a join whose both sides are too large to ship one
// into the other as the lookup join does (engine/lookup_join.h). Sans-IO like the merge
// operators: the build side's rows arrive first, then the probe side's; joined rows are the
// probe row's cells followed by the build row's.
//
// Keys compare as the server compares the join condition: each key pair has one ValueType
// (numbers by value, so INT 1 = DECIMAL 1.00; strings under the comparison's collation: `_ci`
// folds case and accents, PAD SPACE ignores trailing spaces; see value_compare.h), and a NULL
// in any key column never matches (so `a.x = b.y` with both NULL joins nothing). Inner join,
// and LEFT JOIN with the probe side preserved: a probe row with no match comes out once,
// NULL-extended by `build_width` cells.
//
// Memory: the build side's rows and the hash table count against the statement's budget
// (memory_budget.h). Beyond it the join becomes a grace hash join: every build row, those held
// and those to come, is written to one of 16 hash partitions on disk, each probe row to the
// partition of its key, and then each partition pair is joined on its own (a build partition
// still over the budget splits again, with another hash, up to 6 levels). With spilling off,
// 1038. Output order is not the input's (a merge's ORDER BY sorts it).
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "exec/memory_budget.h"
#include "exec/merge_error.h"
#include "exec/row.h"
#include "exec/spill_file.h"
#include "exec/value_compare.h"

namespace tessera::exec {

struct HashJoinSpec {
  // Key column pairs: build_keys[i] of a build row equals probe_keys[i] of a probe row,
  // compared as key_types[i] says.
  std::vector<size_t> build_keys;
  std::vector<size_t> probe_keys;
  std::vector<ValueType> key_types;
  // LEFT JOIN with the probe side preserved (false: inner join).
  bool probe_outer = false;
  // Cells of a build row (for NULL-extension).
  size_t build_width = 0;
  std::shared_ptr<MemoryBudget> budget;  // null: no limit
};

class HashJoin {
 public:
  explicit HashJoin(HashJoinSpec spec, unsigned level = 0);
  ~HashJoin();

  Status add_build(Row row);
  // The build side ended.
  Status finish_build();
  // A probe row: its joined rows become available to next() (or, once spilled, later).
  Status add_probe(const Row& row);
  // The probe side ended: the partitions on disk are joined as next() is called.
  Status finish_probe();
  // A joined row; false when none is ready, or on an error (error() says which).
  bool next(Row& out);
  const std::optional<MergeError>& error() const { return error_; }
  // Every joined row is out.
  bool done() const { return probe_finished_ && out_.empty() && !child_ && partition_ >= pairs_; }
  bool spilled() const { return file_ != nullptr; }
  uint64_t spilled_rows() const { return spilled_rows_; }

 private:
  // The key of a row's key columns; nullopt when one is NULL (matches nothing).
  std::optional<std::string> key_of(const Row& row, const std::vector<size_t>& columns) const;
  Status start_spilling();
  Status spill_build(const std::string& key, const Row& row);
  void join(const Row& probe, const std::string& key);
  Row null_extended(const Row& probe) const;
  // Joins the next partition pair into child_; false when none is left.
  Result<bool> open_partition();

  HashJoinSpec spec_;
  unsigned level_;
  BudgetShare share_;
  std::vector<Row> build_;
  std::unordered_multimap<std::string, size_t> table_;
  std::deque<Row> out_;
  bool build_finished_ = false;
  bool probe_finished_ = false;
  std::optional<MergeError> error_;

  // Grace mode: build and probe partitions in one file.
  std::unique_ptr<SpillFile> file_;
  std::unique_ptr<SpillPartitions> build_parts_;
  std::unique_ptr<SpillPartitions> probe_parts_;
  std::vector<SpillStream> build_streams_;
  std::vector<SpillStream> probe_streams_;
  size_t partition_ = 0;
  size_t pairs_ = 0;
  std::unique_ptr<HashJoin> child_;
  SpillReader probe_reader_;
  bool child_probing_ = false;
  uint64_t spilled_rows_ = 0;
};

}  // namespace tessera::exec
