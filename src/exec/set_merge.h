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
// Held rows and keys count against `max_bytes` (the merge's memory budget) and `max_rows`
// (max_sql_result_size): beyond either the statement fails with a clear error, never grows.
// Equality is the union column's (value_compare.h: numbers by value, strings under the
// union column's collation, NULL equal to NULL as DISTINCT treats it).
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "exec/merge_error.h"
#include "exec/row.h"
#include "exec/row_buffers.h"
#include "exec/sort_key.h"
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
  uint64_t max_rows = 0;   // max_sql_result_size (0: none)
  uint64_t max_bytes = 0;  // the merge memory budget (0: none)
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
  // `types`: the union's columns as they compare.
  SetMerge(SetSpec spec, std::vector<ValueType> types);

  // The next row of `branch`. Branches must arrive in index order, each whole.
  Status add(size_t branch, Row row);
  // Every branch has ended.
  Status finish();
  // An output row, when one is ready.
  bool next(Row& out);
  // LIMIT rows are out: the branches need not be read on.
  bool done() const { return done_; }

  // What the tree needs (for EXPLAIN and tests): "concatenate", "distinct", "counted".
  const char* mode_name() const;

 private:
  enum class Mode : uint8_t { kConcatenate, kDistinct, kCounted };
  Status emit(Row row);
  Status account(size_t bytes);
  uint64_t multiplicity(const std::vector<uint64_t>& counts) const;
  std::string key_of(const Row& row) const;

  SetSpec spec_;
  std::vector<ValueType> types_;
  Mode mode_ = Mode::kConcatenate;
  // kDistinct: keys seen. kCounted: entry per key.
  std::unordered_map<std::string, size_t> index_;
  struct Entry {
    Row row;
    std::vector<uint64_t> counts;
  };
  std::vector<Entry> entries_;
  uint64_t bytes_ = 0;
  std::optional<MemorySort> sort_;
  OffsetLimit limit_;
  std::deque<Row> out_;
  bool finished_ = false;
  bool done_ = false;
};

}  // namespace tessera::exec
