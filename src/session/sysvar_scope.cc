#include "session/sysvar_scope.h"

#include <vector>

#include "sql/ascii_case.h"

namespace tessera::session {

std::optional<std::string> scope_bare_sysvar_assignments(std::string_view sql,
                                                         const sql::LexOptions& options) {
  // Every statement goes through here: one without "@@" anywhere holds no system variable
  // (the lexer makes one only of two adjacent '@'), so it is not lexed at all.
  if (sql.find("@@") == std::string_view::npos) return std::nullopt;
  sql::Lexer lex(sql, false, options);
  // Each edit replaces sql[at, at + len) with text: "@@" -> "@@session.", or the inside of a
  // dynamic statement's literal with its own rewrite.
  struct Edit {
    size_t at;
    size_t len;
    std::string text;
  };
  std::vector<Edit> edits;
  bool statement_start = true;  // the next token begins a statement (multi-statements)
  bool in_set = false;
  bool dynamic = false;  // EXECUTE IMMEDIATE / PREPARE name FROM: the literal is a statement
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
      dynamic = t.type == sql::Tok::Ident &&
                (sql::iequals(text, "execute") || sql::iequals(text, "prepare"));
      statement_start = false;
    } else if (dynamic && t.type == sql::Tok::String && prev == sql::Tok::Ident &&
               (sql::iequals(prev_text, "immediate") || sql::iequals(prev_text, "from"))) {
      // EXECUTE IMMEDIATE 'SET @@x = 1', PREPARE s FROM '...': the server runs the text as
      // sent, and reports nothing for a bare assignment in it either. Only a literal without
      // escapes (no backslash, no doubled quote) is rewritten: its text is the statement.
      const char quote = text.front();
      std::string_view inner = text.size() >= 2 ? text.substr(1, text.size() - 2) : "";
      if (text.size() >= 2 && (quote == '\'' || quote == '"') && text.back() == quote &&
          inner.find('\\') == std::string_view::npos &&
          inner.find(quote) == std::string_view::npos) {
        if (auto scoped = scope_bare_sysvar_assignments(inner, options)) {
          edits.push_back({t.off + 1, inner.size(), std::move(*scoped)});
        }
      }
      dynamic = false;
    } else if (in_set && prev == sql::Tok::Ident && sql::iequals(prev_text, "set") &&
               t.type == sql::Tok::Ident && sql::iequals(text, "statement")) {
      in_set = false;  // SET STATEMENT var = v FOR ...: the value lasts one statement
    }
    if (in_set) {
      if (pending != kNone && (t.type == sql::Tok::Eq || t.type == sql::Tok::Assign)) {
        edits.push_back({pending + 2, 0, "session."});
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
  if (edits.empty()) return std::nullopt;
  std::string out;
  out.reserve(sql.size() + edits.size() * 8);
  size_t from = 0;
  for (const auto& e : edits) {  // in text order, never overlapping
    out.append(sql.substr(from, e.at - from));
    out.append(e.text);
    from = e.at + e.len;
  }
  out.append(sql.substr(from));
  return out;
}

}  // namespace tessera::session
