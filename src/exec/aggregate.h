// Combining per-shard partial aggregates into the final value of each group.
//
// Input shapes (what the planner must ask every shard for):
//   kCount        `column` holds the shard's COUNT(...) for the group; results are summed.
//   kSum          `column` holds the shard's SUM(x): exact decimal addition for integer and
//                 DECIMAL columns, double addition for FLOAT/DOUBLE; NULL if every partial is.
//   kMin, kMax    `column` holds the shard's MIN/MAX; compared with the column's type.
//   kAvg          hidden `sum_column` = SUM(x) and `count_column` = COUNT(x); the result goes to
//                 `column`, formatted with that column's decimals (DECIMAL: rounded half away
//                 from zero; FLOAT/DOUBLE sums give a double).
//   kGroupConcat  `column` holds the shard's GROUP_CONCAT; non-NULL partials are joined with
//                 `separator` in arrival order and cut at group_concat_max_len bytes.
//   k*Distinct    every shard returns one row per (group, value): `GROUP BY g..., x` with x in
//                 `argument_column`; the merge keeps each group's distinct non-NULL x values
//                 (equal as the column's type compares them) and counts / sums / averages /
//                 concatenates them. Non-distinct aggregates in the same query stay correct
//                 with this shape: their partials are simply split over more rows.
//                 COUNT(DISTINCT a, b): `more_arguments` holds b's column (shards group by
//                 every argument); a tuple with a NULL anywhere is not counted.
//   kBitAnd/Or/Xor `column` holds the shard's BIT_AND/BIT_OR/BIT_XOR (BIGINT UNSIGNED);
//                 combined with the same bit operation, exactly.
//   kVar*, kStddev* hidden `count_column` = COUNT(x), `sum_column` = SUM(x) and
//                 `sumsq_column` = SUM(x*x): exact (decimal) for integer and DECIMAL x, so the
//                 population variance (n*SUM(x*x) - SUM(x)^2) / n^2 is exact until the one
//                 rounding to double. MariaDB accumulates in double (Welford's recurrence in
//                 row order), so its printed value can differ from the exact one in the last
//                 digits: the only aggregates here that are not digit-for-digit the server's.
// Columns that are neither aggregates nor group keys take the first row's value.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "exec/decimal.h"
#include "exec/row.h"
#include "exec/value_compare.h"
#include "protocol/column_definition.h"

namespace tessera::exec {

enum class AggregateKind : uint8_t {
  kCount,
  kSum,
  kMin,
  kMax,
  kAvg,
  kGroupConcat,
  kCountDistinct,
  kSumDistinct,
  kAvgDistinct,
  kGroupConcatDistinct,
  kBitAnd,
  kBitOr,
  kBitXor,
  kVarPop,
  kVarSamp,
  kStddevPop,
  kStddevSamp,
};

struct AggregateSpec {
  size_t column = 0;  // result column (and, for the plain kinds, the partial's column)
  AggregateKind kind = AggregateKind::kCount;
  size_t sum_column = 0;       // kAvg
  size_t count_column = 0;     // kAvg
  size_t argument_column = 0;  // distinct kinds
  size_t sumsq_column = 0;     // variance kinds: SUM(x*x)
  // COUNT(DISTINCT a, b, ...): the columns of b, ... (a is argument_column).
  std::vector<size_t> more_arguments;
  std::string separator = ",";  // group concat kinds
  // Where the compared form of `column` (MIN/MAX) and `argument_column` (distinct kinds) is,
  // when it is another column (the server's WEIGHT_STRING of it); unset: the column itself.
  std::optional<size_t> key_column;
  std::optional<size_t> argument_key_column;
  std::vector<std::optional<size_t>> more_argument_keys;  // parallel to more_arguments
  // Variance kinds: the shortest text that reads back as the same double, instead of the
  // column type's decimals (for a hidden column an expression reads).
  bool full_precision = false;
};

// What every group's accumulator needs to know, shared by all groups of one merge.
struct AggregateContext {
  std::vector<AggregateSpec> aggregates;
  std::vector<protocol::ColumnDefinition> columns;  // shard result columns
  std::vector<ValueType> types;                     // ValueType::of(columns[i])
  size_t group_concat_max_len = 1024;

  AggregateContext(std::vector<AggregateSpec> aggs, std::vector<protocol::ColumnDefinition> cols,
                   size_t concat_max_len);
};

// One group's running aggregates.
class GroupAccumulator {
 public:
  explicit GroupAccumulator(const AggregateContext& ctx);

  void add(const Row& row);
  // The group's output row: the first row's cells with every aggregate column replaced. With
  // no row added (aggregates without GROUP BY over no rows) non-aggregate columns are NULL,
  // COUNT is 0 and the other aggregates NULL, as in MySQL.
  Row result() const;
  // Heap bytes held, roughly (distinct sets grow with the values seen).
  size_t memory_bytes() const { return memory_; }
  const Row* first_row() const { return first_ ? &*first_ : nullptr; }

 private:
  struct State {
    uint64_t count = 0;  // COUNT total; AVG count; values summed for the distinct kinds
    bool any = false;    // a non-NULL partial was seen
    bool use_double = false;
    double dsum = 0;
    Decimal sum;
    Decimal sumsq;                        // variance kinds
    double dsumsq = 0;                    // variance kinds over FLOAT/DOUBLE
    uint64_t bits = 0;                    // BIT_* kinds
    std::optional<std::string> best;      // MIN/MAX
    std::optional<std::string> best_key;  // MIN/MAX by key_column: the best row's key
    std::string text;                     // GROUP_CONCAT
    bool truncated = false;
    std::unordered_set<std::string> seen;  // distinct keys
  };

  void add_value(const AggregateSpec& spec, State& st, std::string_view v, size_t type_column);
  void add_concat(const AggregateSpec& spec, State& st, std::string_view v);
  std::optional<std::string> value_of(const AggregateSpec& spec, const State& st) const;

  const AggregateContext* ctx_;
  std::optional<Row> first_;
  std::vector<State> states_;
  size_t memory_ = 0;
};

// MySQL-style text of a double: the shortest form that reads back the same, exponent
// without '+' or leading zeros ("1e20", "1.5e-7").
std::string format_double(double v);

}  // namespace tessera::exec
