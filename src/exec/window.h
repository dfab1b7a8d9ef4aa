// Window functions evaluated in Tessera over the rows of a scatter (issue 19), for windows no
// single shard can compute (partitioned off the shard key). Every row arrives with the columns
// the windows read (arguments, PARTITION BY and ORDER BY keys, their weight columns where the
// merge compares by the server's weights) and a placeholder in each result column (the
// shard's own, per-shard value: its column definition is the client's). The operator sorts
// the rows by (PARTITION BY, ORDER BY) with the external sort (row_buffers.h: the statement's
// budget, spilling beyond it), holds one partition at a time and overwrites each result column
// as MariaDB 10.11 computes it:
//   ROW_NUMBER, RANK, DENSE_RANK, PERCENT_RANK, CUME_DIST, NTILE   (peers: equal ORDER BY keys)
//   LAG / LEAD (offset, default), FIRST_VALUE, LAST_VALUE, NTH_VALUE
//   COUNT(*), COUNT / SUM / AVG / MIN / MAX (x)                      (over the frame)
// Frames: the default (with ORDER BY: RANGE UNBOUNDED PRECEDING .. CURRENT ROW, the current
// row's peers included; without: the whole partition), ROWS with UNBOUNDED / n PRECEDING /
// CURRENT ROW / n FOLLOWING / UNBOUNDED FOLLOWING bounds, RANGE with UNBOUNDED / CURRENT ROW
// bounds (peers) and RANGE with n PRECEDING / FOLLOWING over one integer or DECIMAL ORDER BY
// key, as MariaDB 10.11 bounds them: the rows whose key is within n of the current row's,
// the bound rounded half away from zero to the key's decimals (DESC: PRECEDING is the larger
// keys), NULL keys sorting below every number, and a row whose
// key is NULL framed by its peers (the NULL rows) at each offset bound. A RANGE frame whose
// start may pass its end (n FOLLOWING .. m PRECEDING, n PRECEDING .. m PRECEDING with n < m,
// n FOLLOWING .. m FOLLOWING with n > m), where MariaDB's frame cursors count rows no
// ordered scan would, is refused, as is an offset over an unsigned key (the server's
// BIGINT UNSIGNED arithmetic errs below 0). EXCLUDE is the planner's to refuse.
// SUM / AVG are exact (decimal) over integer and DECIMAL arguments and printed with the
// result column's decimals; over FLOAT / DOUBLE (whose sum depends on the order) or strings
// they are refused (1235) when the first row shows the type, as are MIN / MAX of strings and a
// value whose type does not print as the result column says: the caller then ships the
// statement to one server instead (nothing reached the client yet: the operator answers
// nothing before its input ended).
// A partition is held whole, counted against the statement's budget: beyond it, 1038.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exec/memory_budget.h"
#include "exec/merge_error.h"
#include "exec/row.h"
#include "exec/row_buffers.h"
#include "exec/sort_key.h"
#include "exec/value_compare.h"
#include "protocol/column_definition.h"

namespace tessera::exec {

enum class WindowKind : uint8_t {
  kRowNumber,
  kRank,
  kDenseRank,
  kPercentRank,
  kCumeDist,
  kNtile,
  kLag,
  kLead,
  kFirstValue,
  kLastValue,
  kNthValue,
  kCountStar,
  kCount,
  kSum,
  kAvg,
  kMin,
  kMax,
};

struct WindowBound {
  enum class Type : uint8_t {
    kUnboundedPreceding,
    kPreceding,
    kCurrentRow,
    kFollowing,
    kUnboundedFollowing
  };
  Type type = Type::kUnboundedPreceding;
  uint64_t offset = 0;  // kPreceding / kFollowing of a ROWS frame
  // kPreceding / kFollowing of a RANGE frame: the offset as a number ("2", "0.5").
  std::string range_offset;
};

struct WindowFrame {
  bool rows = true;  // ROWS; else RANGE (peers)
  WindowBound start;
  WindowBound end{WindowBound::Type::kCurrentRow, 0, {}};
};

struct WindowFunction {
  WindowKind kind = WindowKind::kRowNumber;
  size_t column = 0;    // the result column, overwritten
  size_t argument = 0;  // its argument's column (value functions and aggregates)
  // MIN / MAX: the column the argument is compared by when it is another one (weights).
  std::optional<size_t> argument_key;
  std::optional<size_t> default_column;  // LAG / LEAD's default (else NULL)
  uint64_t n = 1;                        // LAG / LEAD offset, NTILE buckets, NTH_VALUE's n
  std::optional<WindowFrame> frame;      // nullopt: the default frame
};

struct WindowSpec {
  // Compared columns (a string key's weight column where the merge compares by weights).
  std::vector<size_t> partition;
  std::vector<SortKey> order;
  std::vector<WindowFunction> functions;
};

class WindowOperator {
 public:
  // `columns`: the rows' columns (their definitions say how results print); `types` the
  // ValueType of each, collations resolved.
  WindowOperator(WindowSpec spec, std::vector<protocol::ColumnDefinition> columns,
                 std::vector<ValueType> types, uint64_t max_rows,
                 std::shared_ptr<MemoryBudget> budget);

  // The input rows, in any order.
  Status add(Row row);
  // Input ended.
  Status finish();
  // The next row with its window columns filled (partition by partition); false at the end.
  Result<bool> next(Row& out);

  // The types the operator cannot answer exactly (1235), checked before any row is taken.
  static std::optional<MergeError> unsupported(const WindowSpec& spec,
                                               const std::vector<protocol::ColumnDefinition>& cols,
                                               const std::vector<ValueType>& types);

 private:
  Status fill_partition();
  Status compute(const WindowFunction& f);
  // [lo, hi) of row i's frame.
  std::pair<size_t, size_t> frame_of(const WindowFunction& f, size_t i) const;
  // A RANGE frame with an offset bound: every row's [lo, hi) into range_lo_ / range_hi_.
  Status range_frames(const WindowFunction& f);
  std::string as_double(double v, size_t column) const;
  std::optional<std::string> conform(std::optional<std::string_view> v, size_t from, size_t to,
                                     bool& ok) const;

  WindowSpec spec_;
  std::vector<protocol::ColumnDefinition> columns_;
  std::vector<ValueType> types_;
  RowComparator partition_cmp_;
  RowComparator order_cmp_;
  MemorySort sort_;
  BudgetShare share_;
  std::shared_ptr<MemoryBudget> budget_;
  std::optional<Row> lookahead_;
  bool input_done_ = false;
  // The partition held: its rows, their peer groups (first row of each row's group, one past
  // its last) and the result cells per function.
  std::vector<Row> rows_;
  std::vector<size_t> peer_first_, peer_end_;
  // The frames of the function being computed when it is a RANGE frame with an offset.
  std::vector<size_t> range_lo_, range_hi_;
  std::vector<std::vector<std::optional<std::string>>> results_;
  size_t emit_ = 0;
};

}  // namespace tessera::exec
