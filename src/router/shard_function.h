// Shard functions (Vitess "vindexes"): map a key value to a sub-table index. One small type per
// rule kind lives in router/shard_functions/; this is the interface the planner sees.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "router/shard_value.h"

namespace tessera::router {

// A failure the client should see as an ERR packet (bad date for a date rule, value outside
// every range...). The planner turns it into ER_... with this message.
struct ShardError {
  std::string message;
};

template <typename T>
using ShardResult = std::variant<T, ShardError>;

struct RangeBound {
  ShardValue value;
  bool inclusive = true;
};

class ShardFunction {
 public:
  virtual ~ShardFunction() = default;
  // Number of sub-tables the function maps onto (indexes 0..count-1).
  virtual int table_count() const = 0;
  // The sub-table holding rows whose key equals `value`.
  virtual ShardResult<int> find(const ShardValue& value) const = 0;
  // Sub-tables that may hold keys in the range; either bound may be absent. Functions that do
  // not preserve order (hash, mod, murmur...) return every index.
  // The result is ascending; it may be empty when no sub-table can hold such keys (a date range
  // before the first configured year, a range beyond the last table).
  virtual ShardResult<std::vector<int>> find_range(const std::optional<RangeBound>& low,
                                                   const std::optional<RangeBound>& high) const;
  // The function and its parameters as text (`hash/3`, `date_year/2014,2015`). Two functions
  // with equal signatures map every key to the same index; rules build their
  // distribution_token from it. The default is unique per object, so it never claims equality.
  virtual std::string signature() const;
  // True when the function reads keys as integers (hash, mod, range, mycat_long...): a quoted
  // key then routes by the number the server reads from it (see text_number.h), and a text key
  // that is no exact integer may also match rows placed by that number.
  virtual bool reads_integers() const { return false; }
};

}  // namespace tessera::router
