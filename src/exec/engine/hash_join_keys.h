// The type a hash join (hash_join_read.h) compares one pair of join keys by, decided from both
// sides' column definitions and the keys' COLLATION() as the server names them. Only pairs
// Tessera compares exactly as the server's `a = b` does get one: numbers of the integer and
// DECIMAL families by value, FLOAT and DOUBLE only against their own type, temporal values of
// one type and precision, strings of one collation the merge implements natively for the cells'
// encoding. Anything else (a string against a number, two collations, BIT, uca1400) is left to
// the lookup join, which lets the server compare.
#pragma once
#include <optional>
#include <string_view>

#include "exec/value_compare.h"
#include "protocol/column_definition.h"

namespace tessera::exec::engine {

// The build key's type, given both keys' collation names (COLLATION(), "binary" for numbers);
// nullopt when the pair is not compared exactly here.
std::optional<ValueType> build_key_type(const protocol::ColumnDefinition& build,
                                        std::string_view build_collation,
                                        std::string_view probe_collation);

// The probe key compares under the build key's type (see above).
bool probe_key_fits(const protocol::ColumnDefinition& build,
                    const protocol::ColumnDefinition& probe);

}  // namespace tessera::exec::engine
