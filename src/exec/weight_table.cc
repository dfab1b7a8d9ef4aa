#include "exec/weight_table.h"

#include <stdexcept>

namespace tessera::exec {

WeightTable::WeightTable(std::span<const uint16_t> runs, uint32_t limit, uint8_t width)
    : limit_(limit), width_(width) {
  uint32_t cp = 0;
  for (size_t i = 0; i + 1 < runs.size();) {
    Record r;
    uint16_t head = runs[i];
    r.first = cp;
    r.delta = (head & 0x8000) != 0;
    r.n = static_cast<uint8_t>(runs[i + 1]);
    r.w = runs.data() + i + 2;
    records_.push_back(r);
    cp += head & 0x7fff;
    i += 2 + r.n;
  }
  // A table that does not cover its range is a generator bug: fail loudly at first use.
  if (cp != limit || limit % 256 != 0) throw std::logic_error("collation table is inconsistent");
  pages_.resize(limit / 256);
  size_t r = 0;
  for (uint32_t page = 0; page < pages_.size(); ++page) {
    uint32_t lo = page * 256, hi = lo + 256;
    while (r + 1 < records_.size() && records_[r + 1].first <= lo) ++r;
    bool single = r + 1 >= records_.size() || records_[r + 1].first >= hi;
    if (single) {
      pages_[page] = {true, static_cast<uint32_t>(r)};
      continue;
    }
    pages_[page] = {false, static_cast<uint32_t>(entries_.size())};
    size_t k = r;
    for (uint32_t c = lo; c < hi; ++c) {
      while (k + 1 < records_.size() && records_[k + 1].first <= c) ++k;
      entries_.push_back(static_cast<uint32_t>(k));
    }
  }
}

namespace {

namespace general {
#include "exec/collation_tables/utf8mb4_general_ci.inc"
}
namespace unicode {
#include "exec/collation_tables/utf8mb4_unicode_ci.inc"
}
namespace unicode520 {
#include "exec/collation_tables/utf8mb4_unicode_520_ci.inc"
}
namespace latin1 {
#include "exec/collation_tables/latin1_swedish_ci.inc"
}

}  // namespace

const WeightTable& general_ci_weights() {
  static const WeightTable t(general::kRuns, 0x110000, 2);
  return t;
}
const WeightTable& unicode_ci_weights() {
  static const WeightTable t(unicode::kRuns, 0x110000, 2);
  return t;
}
const WeightTable& unicode_520_ci_weights() {
  static const WeightTable t(unicode520::kRuns, 0x110000, 2);
  return t;
}
const WeightTable& latin1_swedish_ci_weights() {
  static const WeightTable t(latin1::kRuns, 0x100, 1);
  return t;
}
const uint32_t* latin1_code_points() {
  return latin1::kCodePoints;
}

}  // namespace tessera::exec
