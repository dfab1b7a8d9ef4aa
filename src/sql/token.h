// Tokens are offsets into the statement text: the lexer never copies or allocates.
#pragma once

#include <cstdint>
#include <string_view>

#include "keywords.h"

namespace tessera::sql {

enum class Tok : uint8_t {
  End,
  Error,        // unterminated string/identifier/comment
  Ident,        // bare word; Token::kw tells whether it is a keyword
  QuotedIdent,  // `...`
  String,       // '...' or "..."
  Integer,      // 123
  Decimal,      // 1.5, .5, 1.
  Float,        // 1e5, 1.5E-3
  HexNumber,    // 0x1F
  BitNumber,    // 0b101
  HexString,    // X'1F'
  BitString,    // B'101'
  NString,      // N'...'
  UserVar,      // @v, @'v', @`v`
  SysVar,       // @@v, @@session.v
  Param,        // ?
  Hint,         // /*+ ... */ optimizer hint (kept: it belongs to the statement)
  Comment,      // only when the lexer is asked for comments
  LParen,
  RParen,
  Comma,
  Dot,
  Semicolon,
  LBrace,
  RBrace,
  Colon,
  Eq,
  NullSafeEq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  Assign,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Caret,
  Amp,
  Pipe,
  Tilde,
  Bang,
  Shl,
  Shr,
  AndAnd,
  OrOr,
  Arrow,
  LongArrow,
};

struct Token {
  uint32_t off = 0;
  uint32_t len = 0;
  Tok type = Tok::End;
  Kw kw = Kw::None;
  // True when only whitespace-free adjacency joins this token to the previous one
  // (needed to tell `_utf8'x'` introducers and `t.col` from spaced forms).
  bool adjacent = false;
  std::string_view text(std::string_view src) const { return src.substr(off, len); }
};

inline bool is_literal(Tok t) {
  return t == Tok::String || t == Tok::Integer || t == Tok::Decimal || t == Tok::Float ||
         t == Tok::HexNumber || t == Tok::BitNumber || t == Tok::HexString || t == Tok::BitString ||
         t == Tok::NString;
}

}  // namespace tessera::sql
