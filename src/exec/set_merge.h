// The combining step of a set operation (UNION [ALL|DISTINCT], INTERSECT [ALL], EXCEPT [ALL])
// whose branches ran apart (each a route or a scatter of its own: engine/set_operation.h):
// rows arrive branch by branch, already in the union's column types (see
// convert_to_union()), and leave as one server holding every row would answer, then the
// set operation's own ORDER BY and OFFSET/LIMIT.
//
// How much it holds depends on the tree:
//   only UNION ALL             nothing: each row goes straight out (Concatenate)
//   only UNION DISTINCT        one key per distinct row; a row goes out when first seen
//   anything else              one entry per distinct row: its first row and how many copies
//                              each branch sent; the multiplicities are combined at the end
//                              (INTERSECT ALL: min, EXCEPT ALL: difference, DISTINCT: 0 or 1,
//                              UNION ALL: sum), so every tree MariaDB accepts evaluates the
//                              same way, parenthesised or mixed
// Held rows and keys count against the statement's memory budget (memory_budget.h) and
// `max_rows` (max_sql_result_size). Beyond the budget, DISTINCT's keys work as DistinctFilter's
// (row_buffers.h: rows with new keys put aside in hash partitions on disk, de-duplicated after
// the branches ended), and counted entries likewise: a row whose entry is not held goes, with
// its branch, to its partition, and each partition is counted on its own at the end (one key's
// copies all land in one partition, so the multiplicities are the same). With spilling off the
// statement fails with 1038; it never grows. The result of a counted tree is produced row by
// row as the client reads it (or into the ORDER BY's sort, which spills too).
// Equality is the union column's (value_compare.h: numbers by value, strings under the
// union column's collation, NULL equal to NULL as DISTINCT treats it), or that of the server's
// weight strings of it (SetSpec::keys).
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
#include "exec/row_buffers.h"
#include "exec/sort_key.h"
#include "exec/spill_file.h"
#include "exec/value_compare.h"
#include "protocol/column_definition.h"

namespace tessera::exec {

enum class SetOpKind : uint8_t { kUnion, kIntersect, kExcept };

// One node of the tree: a branch (leaf), or an operator over two earlier nodes.
struct SetNode {
  int branch = -1;  // >= 0: leaf, the branch's index (branches are read in index order)
  SetOpKind op = SetOpKind::kUnion;
  bool all = false;  // the ALL quantifier (DISTINCT otherwise)
  int left = -1;     // operator: node indexes
  int right = -1;
};

struct SetSpec {
  std::vector<SetNode> nodes;
  int root = 0;
  size_t branches = 0;
  // The set operation's own ORDER BY (result columns) and OFFSET/LIMIT.
  std::vector<SortKey> order_by;
  uint64_t offset = 0;
  std::optional<uint64_t> limit;
  uint64_t max_rows = 0;  // max_sql_result_size (0: none)
  // The statement's memory budget and spill directory (null: no limit).
  std::shared_ptr<MemoryBudget> budget;
  // Rows may carry more columns than the result's: `visible` (0: all) are the result's, the
  // others are cut off on the way out. `keys[c]` is the column result column c is compared by
  // (DISTINCT, counting, ORDER BY), c itself when absent: the server's weight string of a
  // string in a collation the merge does not implement (the type says how to compare it).
  size_t visible = 0;
  std::vector<size_t> keys;
};

// A cell-level change a branch's row needs to read as the union column does (the branches ran
// alone, so each cell is in its own branch's type: INT 1 in a DECIMAL(5,2) union is "1.00").
struct CellConversion {
  enum class Kind : uint8_t {
    kNone,
    kPadFraction,     // DECIMAL / DATETIME / TIME: append '.' (when absent) and zeros to `digits`
    kDateToDatetime,  // DATE in a DATETIME/TIMESTAMP: " 00:00:00" (and `digits` zeros)
    kNullOnly,        // an empty string type (MIN(NULL), CAST(NULL AS CHAR(0))) in another type:
                      // only NULL converts exactly; any other cell is refused when it comes
  };
  Kind kind = Kind::kNone;
  uint8_t digits = 0;
};

// How each column of a branch becomes the union's; an error (1235) names the pair of types
// the merge cannot convert exactly (FLOAT/DOUBLE from other types, BIT, ...).
Result<std::vector<CellConversion>> union_conversions(
    const std::vector<protocol::ColumnDefinition>& branch,
    const std::vector<protocol::ColumnDefinition>& result);
// Applies them (no copy when every one is kNone). false: a kNullOnly column held a value.
bool convert_to_union(const std::vector<CellConversion>& conversions, Row& row);

class SetMerge {
 public:
  // `types`: the union's columns as they compare. `level`: hash-partition depth (a partition
  // counted on its own is a SetMerge one level deeper).
  SetMerge(SetSpec spec, std::vector<ValueType> types, unsigned level = 0);
  ~SetMerge();

  // The next row of `branch`. Branches must arrive in index order, each whole.
  Status add(size_t branch, Row row);
  // Every branch has ended.
  Status finish();
  // An output row, when one is ready; false otherwise, or on an error (error() says which).
  bool next(Row& out);
  const std::optional<MergeError>& error() const { return error_; }
  // LIMIT rows are out: the branches need not be read on.
  bool done() const { return done_; }

  // What the tree needs (for EXPLAIN and tests): "concatenate", "distinct", "counted".
  const char* mode_name() const;
  bool spilled() const { return partitions_ != nullptr || (distinct_ && distinct_->spilled()); }

 private:
  enum class Mode : uint8_t { kConcatenate, kDistinct, kCounted };
  Status emit(Row row);
  Status account(size_t bytes);
  uint64_t multiplicity(const std::vector<uint64_t>& counts) const;
  std::string key_of(const Row& row) const;
  size_t key_column(size_t c) const { return c < spec_.keys.size() ? spec_.keys[c] : c; }
  size_t compared_columns() const { return spec_.visible ? spec_.visible : types_.size(); }
  // Counted trees: the next result row (entries held, then each partition's), false at the end.
  Result<bool> produce(Row& out);
  Result<bool> open_partition();

  SetSpec spec_;
  std::vector<ValueType> types_;
  unsigned level_;
  Mode mode_ = Mode::kConcatenate;
  BudgetShare share_;
  // kDistinct: the first occurrences.
  std::optional<DistinctFilter> distinct_;
  // kCounted: entry per key.
  std::unordered_map<std::string, size_t> index_;
  struct Entry {
    Row row;
    std::vector<uint64_t> counts;
  };
  std::vector<Entry> entries_;
  std::optional<MemorySort> sort_;
  OffsetLimit limit_;
  std::deque<Row> out_;
  bool finished_ = false;
  bool done_ = false;
  std::optional<MergeError> error_;

  // kCounted beyond the budget: rows of entries not held, with their branch.
  std::unique_ptr<SpillFile> file_;
  std::unique_ptr<SpillPartitions> partitions_;
  std::vector<SpillStream> streams_;
  size_t partition_ = 0;
  std::unique_ptr<SetMerge> child_;
  // Production after finish(): entry, copies of it left, and whether rows still come.
  size_t produce_entry_ = 0;
  uint64_t copies_left_ = 0;
  bool producing_ = false;  // counted rows not all produced yet (no ORDER BY)
  bool deferring_ = false;  // DISTINCT's rows put aside not all out yet (no ORDER BY)
  bool sorting_ = false;    // the sort's rows not all taken yet
};

}  // namespace tessera::exec
