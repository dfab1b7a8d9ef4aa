// Row ordering by ORDER BY keys, shared by the k-way merge, the in-memory sort and the
// streaming GROUP BY.
#pragma once
#include <cstddef>
#include <vector>

#include "exec/row.h"
#include "exec/value_compare.h"

namespace tessera::exec {

struct SortKey {
  size_t column = 0;
  bool descending = false;
};

class RowComparator {
 public:
  RowComparator() = default;
  // `types` has one entry per column of the rows compared (at least every key column).
  RowComparator(std::vector<SortKey> keys, std::vector<ValueType> types)
      : keys_(std::move(keys)), types_(std::move(types)) {
    // ORDER BY sorts by the server's sort keys, which for some collations ignore PAD SPACE.
    for (auto& t : types_) {
      if (t.collation.sort_no_pad) t.collation.pad_space = false;
    }
  }

  // <0 when `a` sorts before `b`. NULL sorts first ascending, last descending.
  int compare(const Row& a, const Row& b) const {
    for (const SortKey& k : keys_) {
      int c = compare_cells(types_[k.column], a.get(k.column), b.get(k.column));
      if (c != 0) return k.descending ? -c : c;
    }
    return 0;
  }
  bool less(const Row& a, const Row& b) const { return compare(a, b) < 0; }
  const std::vector<SortKey>& keys() const { return keys_; }
  bool empty() const { return keys_.empty(); }

 private:
  std::vector<SortKey> keys_;
  std::vector<ValueType> types_;
};

}  // namespace tessera::exec
