// MySQL/MariaDB lexer. Streams tokens without allocating; comments are skipped unless asked for,
// executable comments (/*!NNNNN ... */, /*M!NNNNN ... */) are lexed as code, /*+ ... */ becomes a
// Hint token.
#pragma once

#include <string_view>

#include "token.h"

namespace tessera::sql {

class Lexer {
 public:
  explicit Lexer(std::string_view src, bool emit_comments = false)
      : src_(src), emit_comments_(emit_comments) {}

  Token next();
  std::string_view source() const { return src_; }
  size_t position() const { return pos_; }

 private:
  Token make(Tok t, size_t start, bool adjacent) {
    Token tok;
    tok.off = uint32_t(start);
    tok.len = uint32_t(pos_ - start);
    tok.type = t;
    tok.adjacent = adjacent;
    prev_ = t;
    prev_name_ = t == Tok::QuotedIdent;
    return tok;
  }
  bool skip_space_and_comments(Token* comment);
  Token quoted(size_t start, char q, Tok type, bool adjacent);
  Token number(size_t start, bool adjacent);
  Token word(size_t start, bool adjacent);

  std::string_view src_;
  size_t pos_ = 0;
  bool emit_comments_;
  bool in_exec_comment_ = false;
  Tok prev_ = Tok::End;
  bool prev_name_ = false;  // previous token can be qualified by ".": a name, not a keyword
};

inline bool is_ident_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || c >= 0x80;
}

// 1-based line and column of a byte offset.
void line_column(std::string_view src, size_t off, int* line, int* column);

}  // namespace tessera::sql
