// Identifiers and qualified names. Names are views into the statement text, or into the arena
// when unquoting changed them (`a``b` -> a`b); `quoted` records the source spelling so the writer
// can reproduce it.
#pragma once

#include <cstdint>
#include <string_view>

#include "sql/arena.h"

namespace tessera::sql {

struct Ident {
  std::string_view name;
  uint32_t pos = 0;  // byte offset in the source, for error messages and splicing
  bool quoted = false;
  bool empty() const { return name.empty() && !quoted; }
};

// [schema.]name of a table, view, procedure...
struct ObjectName {
  Ident schema;
  Ident name;
  bool has_schema() const { return !schema.empty(); }
};

}  // namespace tessera::sql
