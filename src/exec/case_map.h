// UPPER() and LOWER() as MariaDB maps case under a collation, for the evaluator
// (scalar_functions.cc) over merged values.
//
// MariaDB maps case one character at a time through its collation's table ("unicase"): one for
// general_ci, _bin and the pre-UCA-5.2 unicode collations, one for unicode_520 and its
// tailorings, one for uca1400, Turkish/Azerbaijani ones mapping i to İ and ı to I, and
// latin1's own 256-byte maps. No character maps to several (UPPER('ß') is 'ß'; ǅ becomes Ǆ and
// ǆ; Greek Σ lowers to σ wherever it stands), though the UTF-8 length may change (ı to I, Ⱥ to
// ⱥ). The maps of every utf8mb3, utf8mb4 and latin1 collation are recorded from the server by
// scripts/record-case-maps.py into collation_tables/case_maps.inc; a collation not there has
// no map (the evaluator refuses, 1235).
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tessera::exec {

class CaseMap {
 public:
  // The map of collation `name` as COLLATION() spells it (any case; `utf8_` read as
  // `utf8mb3_`), or null when none was recorded for it.
  static const CaseMap* of(std::string_view name);

  // true: latin1 (the map is over latin1 bytes); false: Unicode code points.
  bool eight_bit() const { return eight_bit_; }
  uint32_t upper(uint32_t c) const { return find(upper_, c); }
  uint32_t lower(uint32_t c) const { return find(lower_, c); }
  // One of the recorded families (the same pointer for every collation of it).
  size_t family() const { return family_; }

  // UPPER(s) / LOWER(s) of a cell: `utf8` says the cell's bytes are UTF-8 (the column's text
  // converted by the server, for a latin1 column too), otherwise they are the column's own
  // latin1 bytes. nullopt when the text is not what the map reads (invalid UTF-8, a
  // character latin1 lacks in a latin1 column, latin1 bytes for a Unicode map).
  std::optional<std::string> apply(std::string_view s, bool utf8, bool to_upper) const;

  CaseMap(std::span<const int32_t> upper, std::span<const int32_t> lower, bool eight_bit,
          size_t family)
      : upper_(upper), lower_(lower), eight_bit_(eight_bit), family_(family) {}

 private:
  static uint32_t find(std::span<const int32_t> records, uint32_t c);

  std::span<const int32_t> upper_;  // [first, count, stride, delta] records, sorted
  std::span<const int32_t> lower_;
  bool eight_bit_;
  size_t family_;
};

}  // namespace tessera::exec
