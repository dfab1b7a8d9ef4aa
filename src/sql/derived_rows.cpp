#include "sql/derived_rows.h"

#include <array>

#include "sql/ascii_case.h"
#include "sql/writer.h"

namespace tessera::sql {

namespace {

bool plain_number(std::string_view v) {
  if (v.empty() || v.size() > 40) return false;
  size_t i = v[0] == '-' ? 1 : 0;
  if (i == v.size()) return false;
  bool dot = false;
  for (; i < v.size(); ++i) {
    if (v[i] == '.' && !dot) {
      dot = true;
    } else if (v[i] < '0' || v[i] > '9') {
      return false;
    }
  }
  return v.back() != '.';
}

void append_cell(std::string& out, const std::optional<std::string>& cell, bool numeric,
                 const LexOptions& lex) {
  if (!cell) {
    out += "NULL";
  } else if (numeric && plain_number(*cell)) {
    out += *cell;
  } else {
    append_string_literal(out, *cell, lex.no_backslash_escapes);
  }
}

// The name between backquotes (or as written) of an identifier token.
std::string_view ident_name(const Token& t, std::string_view sql) {
  std::string_view text = t.text(sql);
  if (t.type == Tok::QuotedIdent && text.size() >= 2) return text.substr(1, text.size() - 2);
  return text;
}

bool is_name(const Token& t) {
  return t.type == Tok::Ident || t.type == Tok::QuotedIdent;
}

// Words that may follow a table reference and are not its alias.
bool ends_table_reference(std::string_view word) {
  static constexpr std::array<std::string_view, 27> kWords = {
      "where",     "group",  "order", "limit",         "having",  "join",      "inner",
      "left",      "right",  "cross", "straight_join", "natural", "on",        "using",
      "union",     "window", "for",   "lock",          "into",    "procedure", "except",
      "intersect", "full",   "use",   "ignore",        "force",   "partition"};
  for (auto w : kWords) {
    if (iequals(word, w)) return true;
  }
  return false;
}

}  // namespace

std::string literal_rows(const std::vector<DerivedColumn>& columns,
                         const std::vector<DerivedRow>& rows, const LexOptions& lex) {
  std::string out;
  auto select_row = [&](const DerivedRow* row) {
    out += "SELECT ";
    for (size_t c = 0; c < columns.size(); ++c) {
      if (c) out += ", ";
      std::optional<std::string> cell;
      if (row && c < row->size()) cell = (*row)[c];
      append_cell(out, cell, columns[c].numeric, lex);
      if (row == nullptr || row == &rows.front()) {
        out += " AS ";
        append_identifier(out, columns[c].name, true);
      }
    }
  };
  if (rows.empty()) {
    select_row(nullptr);
    out += " FROM DUAL WHERE 0";
    return out;
  }
  for (const auto& row : rows) {
    if (&row != &rows.front()) out += " UNION ALL ";
    select_row(&row);
  }
  return out;
}

ShowRequest parse_show(std::string_view sql, const LexOptions& lex) {
  ShowRequest show;
  Lexer lexer(sql, false, lex);
  Token t = lexer.next();
  if (t.type != Tok::Ident || !iequals(t.text(sql), "show")) return show;
  t = lexer.next();
  if (t.type != Tok::Ident) return show;
  if (iequals(t.text(sql), "full")) {
    show.full = true;
    t = lexer.next();
    if (t.type != Tok::Ident || !iequals(t.text(sql), "processlist")) return show;
  }
  if (iequals(t.text(sql), "processlist")) {
    t = lexer.next();
    if (t.type == Tok::Semicolon) t = lexer.next();
    if (t.type != Tok::End) return show;
    show.what = ShowRequest::What::kProcesslist;
    return show;
  }
  if (iequals(t.text(sql), "session") || iequals(t.text(sql), "local")) {
    t = lexer.next();
    if (t.type != Tok::Ident) return show;
  }
  if (!iequals(t.text(sql), "status")) return show;
  const size_t rest = lexer.position();
  t = lexer.next();
  if (t.type == Tok::Semicolon) t = lexer.next();
  if (t.type != Tok::End) {
    if (t.type != Tok::Ident) return show;
    if (iequals(t.text(sql), "like")) {
      show.filter_is_like = true;
    } else if (!iequals(t.text(sql), "where")) {
      return show;
    }
    show.filter = sql.substr(rest);
  }
  show.what = ShowRequest::What::kSessionStatus;
  return show;
}

std::optional<std::string> replace_table(std::string_view sql, std::string_view schema,
                                         std::string_view table, std::string_view derived,
                                         std::string_view current_db, const LexOptions& lex) {
  Lexer lexer(sql, false, lex);
  std::vector<Token> toks;
  for (Token t = lexer.next(); t.type != Tok::End && t.type != Tok::Error; t = lexer.next()) {
    toks.push_back(t);
  }
  std::string out;
  size_t copied = 0;
  bool found = false;
  const bool bare_allowed = !current_db.empty() && iequals(current_db, schema);
  bool after_from = false;  // a bare name counts only where a table reference may stand
  for (size_t i = 0; i < toks.size(); ++i) {
    size_t first = i;
    size_t last = i;
    bool match = false;
    if (i + 2 < toks.size() && is_name(toks[i]) && toks[i + 1].type == Tok::Dot &&
        is_name(toks[i + 2]) && iequals(ident_name(toks[i], sql), schema) &&
        iequals(ident_name(toks[i + 2], sql), table) && (i == 0 || toks[i - 1].type != Tok::Dot)) {
      match = true;
      last = i + 2;
    } else if (bare_allowed && after_from && is_name(toks[i]) &&
               iequals(ident_name(toks[i], sql), table) &&
               (i + 1 >= toks.size() || toks[i + 1].type != Tok::Dot) &&
               toks[i - 1].type != Tok::Dot) {
      match = true;
    }
    if (toks[i].type == Tok::Ident) {
      std::string_view w = toks[i].text(sql);
      after_from = iequals(w, "from") || iequals(w, "join");
    } else {
      after_from = toks[i].type == Tok::Comma && after_from;
    }
    if (!match) continue;
    found = true;
    out.append(sql.substr(copied, toks[first].off - copied));
    out += "(";
    out += derived;
    out += ")";
    const size_t next = last + 1;
    const bool has_alias =
        next < toks.size() &&
        (toks[next].type == Tok::QuotedIdent ||
         (toks[next].type == Tok::Ident && !ends_table_reference(toks[next].text(sql))));
    if (!has_alias) {
      out += " AS ";
      append_identifier(out, ident_name(toks[last], sql), true);
    }
    copied = toks[last].off + toks[last].len;
    i = last;
    after_from = false;
  }
  if (!found) return std::nullopt;
  out.append(sql.substr(copied));
  return out;
}

}  // namespace tessera::sql
