// SQL writer: prints an AST back to SQL. Keywords are upper-case, identifiers are quoted when
// they were quoted in the source or would not survive unquoted (reserved words, odd bytes), and
// literals are printed exactly as written. Hooks let a sharding router substitute table names
// and values; everything else prints as parsed.
#pragma once

#include <string>
#include <string_view>

#include "sql/ast/account.h"
#include "sql/ast/ddl.h"
#include "sql/ast/routine.h"
#include "sql/ast/statement.h"

namespace tessera::sql {

class WriterHooks {
 public:
  virtual ~WriterHooks() = default;
  // Append a replacement for a table's [schema.]name and return true, or return false to keep
  // it. Aliases, partitions and index hints are printed by the writer either way.
  virtual bool table_name(const ObjectName& name, std::string& out) const {
    (void)name;
    (void)out;
    return false;
  }
  // Substitute a literal value (append SQL text, e.g. via append_string_literal).
  virtual bool literal(const Literal& lit, std::string& out) const {
    (void)lit;
    (void)out;
    return false;
  }
  // Substitute a '?' placeholder.
  virtual bool param(const Param& p, std::string& out) const {
    (void)p;
    (void)out;
    return false;
  }
  // Keep the column names the client's text gives: an unaliased select item whose printed text
  // differs from its source text (respaced, a table name or '?' replaced) gets that source text
  // as its alias, the name the server gives the column of the statement as written.
  virtual bool keep_item_names() const { return false; }
  // Each select item printed while keep_item_names() (for splice rewriting).
  virtual void select_item(const SelectItem& item) const { (void)item; }
};

// An item the server names by its source text (not a column, whose name is the column's, nor
// a literal, whose name is its value).
bool named_by_text(const SelectItem& item);

struct WriteOptions {
  const WriterHooks* hooks = nullptr;
  // Canonical form for AST comparison: every identifier back-quoted, every compound expression
  // parenthesised exactly once. Two statements print the same canonical text iff their ASTs
  // are equal.
  bool canonical = false;
};

void to_sql(const Statement& stmt, std::string& out, const WriteOptions& options = {});
std::string to_sql(const Statement& stmt, const WriteOptions& options = {});
void to_sql(const Expr& expr, std::string& out, const WriteOptions& options = {});

// Quoting helpers, safe against hostile input.
// `name` -> `na``me` when needed (always when force is set).
void append_identifier(std::string& out, std::string_view name, bool force = false);
// 'value' with ', \ and control bytes escaped. With no_backslash_escapes (sql_mode
// NO_BACKSLASH_ESCAPES) only quotes are doubled.
void append_string_literal(std::string& out, std::string_view value,
                           bool no_backslash_escapes = false);
// Decodes a string literal's source text ('a''b' 'c' -> a'bc) into out.
void decode_string_literal(std::string_view text, std::string& out);

}  // namespace tessera::sql

namespace tessera::sql {

// Splice rewriting for routers: copies `sql` (the text `stmt` was parsed from) byte for byte and
// replaces only the table names, literals and '?' placeholders for which `hooks` return a
// replacement. Comments, spacing, keyword case and everything else stay exactly as written.
std::string rewrite(std::string_view sql, const Statement& stmt, const WriterHooks& hooks);

}  // namespace tessera::sql
