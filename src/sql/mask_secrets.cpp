#include "sql/mask_secrets.h"

#include <vector>

#include "sql/lexer.h"

namespace tessera::sql {

namespace {

bool word_is(std::string_view text, std::string_view upper) {
  if (text.size() != upper.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper[i]) return false;
  }
  return true;
}

bool secret_literal(Tok t) {
  return t == Tok::String || t == Tok::NString || t == Tok::HexString || t == Tok::HexNumber;
}

// Every trigger contains one of these words: most statements are passed over without lexing.
bool may_hold_secret(std::string_view sql) {
  for (size_t i = 0; i + 8 <= sql.size(); ++i) {
    char c = sql[i];
    if (c != 'i' && c != 'I' && c != 'p' && c != 'P') continue;
    if (word_is(sql.substr(i, 8), "PASSWORD")) return true;
    if (i + 10 <= sql.size() && word_is(sql.substr(i, 10), "IDENTIFIED")) return true;
  }
  return false;
}

}  // namespace

std::string mask_secrets(std::string_view sql) {
  if (!may_hold_secret(sql)) return std::string(sql);
  // Byte ranges of literals to replace, found in one pass.
  std::vector<std::pair<size_t, size_t>> hide;
  Lexer lex(sql);
  bool first = true;             // next token starts a statement
  bool set_statement = false;    // statement began with SET
  bool rest_secret = false;      // every literal until the statement ends (after IDENTIFIED)
  bool after_eq_secret = false;  // SET PASSWORD: the literals after '='
  int next_secret = 0;           // the next literal(s) of PASSWORD( / MASTER_PASSWORD =
  Token prev;
  for (int guard = 0; guard < (1 << 24); ++guard) {
    Token t = lex.next();
    if (t.type == Tok::End || t.type == Tok::Error) break;
    if (t.type == Tok::Semicolon) {
      first = true;
      set_statement = rest_secret = after_eq_secret = false;
      next_secret = 0;
      prev = t;
      continue;
    }
    std::string_view text = t.text(sql);
    if (t.type == Tok::Ident) {
      if (first && word_is(text, "SET")) set_statement = true;
      if (word_is(text, "IDENTIFIED")) rest_secret = true;
      if (set_statement && prev.type == Tok::Ident && word_is(prev.text(sql), "SET") &&
          word_is(text, "PASSWORD")) {
        after_eq_secret = true;  // SET PASSWORD [FOR user] = ...
        set_statement = false;
      }
    }
    if ((t.type == Tok::Eq || t.type == Tok::Assign) && prev.type == Tok::Ident &&
        word_is(prev.text(sql), "MASTER_PASSWORD")) {
      next_secret = 1;
    }
    if (t.type == Tok::Eq && after_eq_secret) rest_secret = true;
    if (t.type == Tok::LParen && prev.type == Tok::Ident &&
        (word_is(prev.text(sql), "PASSWORD") || word_is(prev.text(sql), "OLD_PASSWORD"))) {
      next_secret = 1;
    }
    if (secret_literal(t.type) && (rest_secret || next_secret > 0)) {
      hide.emplace_back(t.off, t.len);
      if (next_secret > 0) next_secret--;
    }
    first = false;
    prev = t;
  }
  if (hide.empty()) return std::string(sql);
  std::string out;
  out.reserve(sql.size());
  size_t at = 0;
  for (auto [off, len] : hide) {
    out.append(sql.substr(at, off - at));
    out += "'***'";
    at = off + len;
  }
  out.append(sql.substr(at));
  return out;
}

}  // namespace tessera::sql
