// A collation's weights per code point, as recorded from the server
// (scripts/record-collation-weights.py writes collation_tables/*.inc).
//
// The checked-in form is run-length encoded (see the script); the constructor expands it into
// 256-code-point pages. A page covered by one run (UCA's implicit weights, general_ci's
// identity ranges, planes full of U+FFFD) is stored as that run alone, so the tables of the
// whole Unicode range take a few hundred KiB.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tessera::exec {

// The weights of one code point: w[0..n), with `add` added to the last one (runs of
// consecutive weights share one stored copy).
struct CodePointWeights {
  const uint16_t* w = nullptr;
  uint8_t n = 0;
  uint16_t add = 0;
  uint16_t operator[](size_t k) const {
    return static_cast<uint16_t>(w[k] + (k + 1 == n ? add : 0));
  }
};

class WeightTable {
 public:
  // `runs`: the .inc's kRuns (must outlive the table); `limit`: code points covered; `width`:
  // bytes per weight in WEIGHT_STRING (2, or 1 for 8-bit charsets).
  WeightTable(std::span<const uint16_t> runs, uint32_t limit, uint8_t width);

  // Code points at or above limit() have no weights (callers map them first).
  CodePointWeights lookup(uint32_t cp) const {
    const Page& p = pages_[cp >> 8];
    uint32_t r = p.run ? p.index : entries_[p.index + (cp & 0xff)];
    const Record& rec = records_[r];
    return {rec.w, rec.n, static_cast<uint16_t>(rec.delta ? cp - rec.first : 0)};
  }
  uint32_t limit() const { return limit_; }
  uint8_t width() const { return width_; }

 private:
  struct Record {
    uint32_t first = 0;  // first code point of the run
    const uint16_t* w = nullptr;
    uint8_t n = 0;
    bool delta = false;
  };
  struct Page {
    bool run = false;    // every code point of the page is in record `index`
    uint32_t index = 0;  // else: entries_[index + low byte] is the record
  };

  uint32_t limit_;
  uint8_t width_;
  std::vector<Record> records_;
  std::vector<Page> pages_;
  std::vector<uint32_t> entries_;
};

// The recorded tables, built on first use.
const WeightTable& general_ci_weights();         // utf8mb4_general_ci (= utf8mb3's on the BMP)
const WeightTable& unicode_ci_weights();         // utf8mb4_unicode_ci, UCA 4.0.0
const WeightTable& unicode_520_ci_weights();     // utf8mb4_unicode_520_ci, UCA 5.2.0
const WeightTable& latin1_swedish_ci_weights();  // indexed by latin1 byte
// The Unicode code point of each latin1 (cp1252, as MariaDB's latin1 is) byte.
const uint32_t* latin1_code_points();

}  // namespace tessera::exec
