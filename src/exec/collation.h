// How string cells compare under a MySQL/MariaDB collation, as the merge needs it.
//
// Exact for the collations implemented from the server's recorded weights (weight_table.h):
// utf8mb3/utf8mb4 general_ci, unicode_ci and unicode_520_ci, latin1_swedish_ci (each also in
// its NO PAD variant), and for `binary` and every `_bin` collation (bytes, which for UTF-8 is
// code point order). Cells are decoded in the charset the client receives them in (the result
// metadata's charset), which need not be the column's: a latin1 column read by a utf8mb4
// client arrives as UTF-8 and is mapped back to latin1 bytes before weighing.
//
// Every other collation (uca1400, language tailorings, MySQL's 0900, other charsets), and the
// implemented ones when the cells arrive in a charset their tables cannot read, is compared by
// the server's own weights: each shard also returns WEIGHT_STRING(expr) and the merge compares
// those bytes (kServerWeights), padded with the collation's space weight for PAD SPACE.
// The approximation below (kApprox: ASCII/Latin-1 case folding) remains only for a merge that
// was planned without a weight column; it says so with exact() == false.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::exec {

class CaseMap;
class WeightTable;

struct Collation {
  // How a cell's bytes decode to characters: the result charset, not the column's.
  enum class Encoding : uint8_t { kBytes, kUtf8, kLatin1 };
  enum class Kind : uint8_t {
    kBytes,          // binary, and _bin collations of the charset the cells arrive in
    kLatin1Bytes,    // latin1_bin over UTF-8 cells: bytewise after mapping back to latin1
    kWeights,        // recorded weight table, Unicode code points (`table`)
    kLatin1Weights,  // recorded weight table indexed by latin1 byte (latin1_swedish_ci)
    kServerWeights,  // the cells are the server's WEIGHT_STRING() bytes (see server_weights)
    kApprox,         // anything else: case (and accent) folding approximation
  };

  Encoding encoding = Encoding::kUtf8;
  Kind kind = Kind::kApprox;
  const WeightTable* table = nullptr;
  // kApprox only.
  bool case_insensitive = true;
  bool accent_insensitive = false;
  // PAD SPACE: the shorter string is compared as if padded with spaces, so trailing spaces do
  // not matter ('a' = 'a  '). All pre-UCA-9 collations except `binary` and MariaDB's `_nopad`
  // ones behave so; MySQL 8's `_0900` collations are NO PAD.
  bool pad_space = true;
  // MariaDB's 8-bit `_bin` collations (latin1_bin) compare PAD SPACE ('a' = 'a ') but ORDER BY
  // sorts them NO PAD ('a' < 'a\t' < 'a '): RowComparator sorts so, equality keeps padding.
  bool sort_no_pad = false;
  // kServerWeights: the weight string of one space, per level (1 level: the whole string,
  // whatever its width; uca1400 _as/_cs collations weigh 2 or 3 levels of 2-byte weights,
  // one after the other, and each level is padded separately).
  std::string space_weight;
  uint8_t levels = 1;
  // UPPER()/LOWER() under this collation (case_map.h), set by from_name() for the collations
  // recorded from the server; null for any other (and for those only from_id() names).
  const CaseMap* case_map = nullptr;

  // The server's own order and equality (not an approximation), consistent with each other
  // (so a stream the shards sorted is grouped by equal neighbours).
  // Multi-level uca1400 weights are exact too, but MariaDB's ORDER BY of an expression in
  // them cuts the sort key short (case variants tie: 'Жук-1', 'жук-1' in either order), so
  // shard order is not relied on for them either.
  bool exact() const {
    return kind != Kind::kApprox && !sort_no_pad && !(kind == Kind::kServerWeights && levels > 1);
  }

  // The collation a column definition's charset id names. The result metadata carries the
  // result charset's default collation when the server converts (MariaDB always reports
  // character_set_results' collation), so for the column's real collation see from_name().
  static Collation from_id(uint16_t id);
  // The collation COLLATION(expr) names, for cells arriving in `encoding`.
  static Collation from_name(std::string_view name, Encoding encoding);
  // WEIGHT_STRING() bytes of a column in collation `name`, `space` = WEIGHT_STRING(' ') in it.
  static Collation server_weights(std::string_view name, std::string_view space);
  // The collation names from_name() implements exactly for UTF-8 cells: the merge needs no
  // WEIGHT_STRING() for them while the client reads UTF-8.
  static const std::vector<std::string>& native_names();
  static Collation binary() {
    Collation c;
    c.encoding = Encoding::kBytes;
    c.kind = Kind::kBytes;
    c.case_insensitive = false;
    c.pad_space = false;
    return c;
  }
};

// <0, 0, >0 like strcmp, under `c`.
int compare_strings(const Collation& c, std::string_view a, std::string_view b);

// Appends a byte string that is equal for two inputs exactly when compare_strings() says they
// are equal, for hashing groups and DISTINCT.
void append_string_key(const Collation& c, std::string_view s, std::string& out);

// The weights of `s` as the server's WEIGHT_STRING(s) under the NO PAD variant of a kWeights /
// kLatin1Weights collation returns them (big-endian, table width per weight). For tests.
std::string weight_string(const Collation& c, std::string_view s);

}  // namespace tessera::exec
