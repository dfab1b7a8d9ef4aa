#include "session/sysvar_scope.h"

#include <vector>

#include "sql/ascii_case.h"

namespace tessera::session {

std::optional<std::string> scope_bare_sysvar_assignments(std::string_view sql,
                                                         const sql::LexOptions& options) {
  sql::Lexer lex(sql, false, options);
  std::vector<size_t> inserts;  // offsets of the `@@` of each bare assignment target
  bool statement_start = true;  // the next token begins a statement (multi-statements)
  bool in_set = false;
  int depth = 0;
  sql::Tok prev = sql::Tok::End;
  std::string_view prev_text;
  constexpr size_t kNone = std::string_view::npos;
  size_t pending = kNone;  // offset of a bare @@name right after SET or a comma
  for (;;) {
    sql::Token t = lex.next();
    if (t.type == sql::Tok::End || t.type == sql::Tok::Error) break;
    std::string_view text = sql.substr(t.off, t.len);
    if (t.type == sql::Tok::Semicolon) {
      statement_start = true;
      in_set = false;
      depth = 0;
      pending = kNone;
      prev = t.type;
      continue;
    }
    if (statement_start) {
      in_set = t.type == sql::Tok::Ident && sql::iequals(text, "set");
      statement_start = false;
    } else if (in_set && prev == sql::Tok::Ident && sql::iequals(prev_text, "set") &&
               t.type == sql::Tok::Ident && sql::iequals(text, "statement")) {
      in_set = false;  // SET STATEMENT var = v FOR ...: the value lasts one statement
    }
    if (in_set) {
      if (pending != kNone && (t.type == sql::Tok::Eq || t.type == sql::Tok::Assign)) {
        inserts.push_back(pending);
      }
      pending = kNone;
      if (t.type == sql::Tok::LParen) ++depth;
      if (t.type == sql::Tok::RParen && depth > 0) --depth;
      const bool target_position =
          prev == sql::Tok::Comma || (prev == sql::Tok::Ident && sql::iequals(prev_text, "set"));
      if (t.type == sql::Tok::SysVar && depth == 0 && target_position &&
          text.find('.') == std::string_view::npos) {
        pending = t.off;
      }
    }
    prev = t.type;
    prev_text = text;
  }
  if (inserts.empty()) return std::nullopt;
  std::string out;
  out.reserve(sql.size() + inserts.size() * 8);
  size_t from = 0;
  for (size_t at : inserts) {
    out.append(sql.substr(from, at + 2 - from));
    out.append("session.");
    from = at + 2;
  }
  out.append(sql.substr(from));
  return out;
}

}  // namespace tessera::session
