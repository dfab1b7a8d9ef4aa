// A result row's cells written back as SQL literals the server reads as the same values, of
// the same type family and collation: how a cross-shard join ships the driving side's rows
// into the other side's statement (engine/lookup_join.h), where the server then evaluates the
// join condition, the select list and everything else exactly as it would over the tables.
//
// The row must have been read under `character_set_results=NULL`: strings then arrive in their
// column's own character set and the column definition names the column's own collation, so
// a string becomes `_<charset> X'<bytes>' COLLATE <collation>` with no conversion on the way.
// Numbers are written as the server printed them (DOUBLE with an exponent so it stays a
// double, FLOAT through CAST ... AS FLOAT), temporal values through CAST to their type with
// their fractional digits. A FLOAT keeps only the digits the server prints (its text form),
// as every client of the text protocol sees it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/column_definition.h"

namespace tessera::exec::engine {

// The collation a column definition's id names when character_set_results is NULL (the
// column's own); "" for an id outside MariaDB's one-byte table and its `_nopad` variants
// (PAD SPACE sibling's id + 1024).
std::string column_collation_name(uint16_t id);

// The ids a column definition may give for a collation it cannot name: MariaDB 10.10+ sends
// utf8mb4_unicode_ci (224) or utf8mb3_unicode_ci (192) for a column in a uca1400 collation,
// whose ids do not fit old clients. A string column with one of these asks the server.
bool collation_id_ambiguous(uint16_t id);

// The longest character of a character set ("utf8mb4"), in bytes: a column definition's length
// is in bytes of its character set.
uint32_t max_bytes_per_char(std::string_view charset);

// Appends `cell` (nullopt: NULL) of a column described by `column` as a literal; strings in
// `collation_name` (empty: the one the definition's id names). false with `why` for a column
// that cannot be shipped exactly (a character set the proxy does not know).
bool append_cell_literal(std::string& out, std::optional<std::string_view> cell,
                         const protocol::ColumnDefinition& column, std::string_view collation_name,
                         std::string& why);

}  // namespace tessera::exec::engine
