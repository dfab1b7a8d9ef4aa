// Recursive-descent parser for the MySQL/MariaDB dialect into an arena AST.
//
//   Arena arena;                       // reuse across statements: arena.reset() between them
//   Parser parser;                     // reuse too: its token buffer keeps its capacity
//   ParseResult r = parser.parse(sql, arena);
//   if (!r.ok()) log(r.error.message); // "syntax error at line 1, column 8 near 'FORM t'"
//
// On failure, r.kind still carries the classifier's verdict so the proxy can pass the statement
// through instead of rejecting it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sql/arena.h"
#include "sql/ast/account.h"
#include "sql/ast/ddl.h"
#include "sql/ast/routine.h"
#include "sql/ast/statement.h"
#include "sql/token.h"

namespace tessera::sql {

struct ParseError {
  uint32_t offset = 0;
  int line = 0;
  int column = 0;
  std::string near;     // up to 40 bytes of source from the error position
  std::string message;  // full human-readable message
  // The statement nests operators, parentheses or subqueries deeper than the parser builds
  // (a bound that keeps every walk over the AST within a thread's stack). Answer it as MySQL
  // does a stack overrun: 1436, SQLSTATE HY000 (not a syntax error: the SQL may be valid).
  bool too_deep = false;
};

struct ParseResult {
  Statement* statement = nullptr;
  StatementKind kind = StatementKind::Empty;
  uint32_t param_count = 0;
  // The statement parsed, but some clause was kept as opaque source text (e.g. PARTITION BY
  // definitions); the writer reproduces it verbatim.
  bool has_opaque_parts = false;
  // Proxy hint comments anywhere in the statement (see classify.h proxy_hint()).
  bool hint_master = false;
  bool hint_slave = false;
  ParseError error;
  bool ok() const { return statement != nullptr; }
};

class Parser {
 public:
  // Parses exactly one statement; a trailing ';' is allowed. Nodes are allocated in `arena`
  // and point into `sql`, which must outlive them.
  ParseResult parse(std::string_view sql, Arena& arena);

 private:
  std::vector<Token> tokens_;
  std::vector<uint8_t> memo_;  // per-token backtracking memo (see ParserImpl::try_query)
};

// Convenience: uses a thread-local Parser.
ParseResult parse(std::string_view sql, Arena& arena);

}  // namespace tessera::sql
