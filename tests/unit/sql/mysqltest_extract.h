// Extracts SQL statements from mysqltest (.test) files: skips mysqltest commands (--cmd lines,
// let/if/while/eval/echo/..., perl/write_file blocks), follows `delimiter` changes, and notes
// statements that the test expects to fail with a parse error.
#pragma once

#include <string>
#include <vector>

namespace tessera::sql::testing {

struct ExtractedStatement {
  std::string sql;
  int line = 0;                      // first line of the statement in the file
  bool expects_parse_error = false;  // preceded by --error ER_PARSE_ERROR / 1064 / ...
};

std::vector<ExtractedStatement> extract_statements(const std::string& file_text);

}  // namespace tessera::sql::testing
