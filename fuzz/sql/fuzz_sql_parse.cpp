// Parse + print + re-parse: any input must either fail with an error or print SQL that parses
// back to an equal AST (compared through the canonical writer). Anything else traps. Inputs
// starting with 0xFF are first expanded into long operator chains, deep nesting or huge lists
// (chain_expander.h): those must parse or fail as too deeply nested, never overflow the stack.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "chain_expander.h"
#include "sql/classify.h"
#include "sql/parser.h"
#include "sql/writer.h"

using namespace tessera::sql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  static std::string expanded;
  if (tessera::fuzz::expand_chain(data, size, expanded)) sql = expanded;
  static Arena arena;
  static Parser parser;
  arena.reset();
  ParseResult r = parser.parse(sql, arena);
  (void)classify(sql);
  if (!r.ok()) {
    if (r.error.offset > sql.size()) __builtin_trap();
    if (r.error.too_deep && r.error.message.find("too deeply nested") == std::string::npos)
      __builtin_trap();
    return 0;
  }
  WriteOptions canonical;
  canonical.canonical = true;
  std::string printed = to_sql(*r.statement);
  std::string c1 = to_sql(*r.statement, canonical);
  Arena arena2;
  ParseResult r2 = parser.parse(printed, arena2);
  if (!r2.ok()) {
    std::fprintf(stderr, "reparse failed\n  input:   %.*s\n  printed: %.*s\n  error:   %s\n",
                 int(std::min<size_t>(sql.size(), 2000)), sql.data(),
                 int(std::min<size_t>(printed.size(), 2000)), printed.c_str(),
                 r2.error.message.c_str());
    __builtin_trap();
  }
  std::string c2 = to_sql(*r2.statement, canonical);
  if (c1 != c2) {
    std::fprintf(stderr, "round trip changed the AST\n  input: %.*s\n  c1: %.*s\n  c2: %.*s\n",
                 int(std::min<size_t>(sql.size(), 2000)), sql.data(),
                 int(std::min<size_t>(c1.size(), 2000)), c1.c_str(),
                 int(std::min<size_t>(c2.size(), 2000)), c2.c_str());
    __builtin_trap();
  }
  return 0;
}
