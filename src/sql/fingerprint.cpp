#include "fingerprint.h"

#include <xxhash.h>

#include "lexer.h"

namespace tessera::sql {
namespace {

// Significant-token stream with one token of lookahead (comments and hints dropped).
class Stream {
 public:
  explicit Stream(std::string_view sql) : lx_(sql) { next_ = pull(); }
  Token take() {
    Token t = next_;
    next_ = pull();
    return t;
  }
  const Token& peek() const { return next_; }
  const Lexer& lexer() const { return lx_; }

 private:
  Token pull() {
    for (;;) {
      Token t = lx_.next();
      if (t.type != Tok::Hint && t.type != Tok::Comment) return t;
    }
  }
  Lexer lx_;
  Token next_;
};

bool is_number(Tok t) {
  return t == Tok::Integer || t == Tok::Decimal || t == Tok::Float || t == Tok::HexNumber ||
         t == Tok::BitNumber;
}

bool is_value(Tok t) {
  return is_literal(t) || t == Tok::Param;
}

// Tokens after which '-' / '+' is a binary operator (so "a - 1" keeps its minus).
bool ends_operand(const Token& t) {
  switch (t.type) {
    case Tok::Ident:
      return t.kw == Kw::None || !is_reserved(t.kw) || t.kw == Kw::NULL_SYM ||
             t.kw == Kw::TRUE_SYM || t.kw == Kw::FALSE_SYM;
    case Tok::QuotedIdent:
    case Tok::RParen:
    case Tok::UserVar:
    case Tok::SysVar:
    case Tok::Param:
      return true;
    default:
      return is_literal(t.type);
  }
}

bool simple_ident(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_ident_char(uint8_t(c))) return false;
  }
  return true;
}

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  // glue_left: no space before; glue_right: no space after.
  void emit(std::string_view s, bool glue_left = false, bool glue_right = false) {
    if (!out_.empty() && !glue_left && !glue_next_) out_.push_back(' ');
    out_.append(s);
    glue_next_ = glue_right;
  }

 private:
  std::string& out_;
  bool glue_next_ = false;
};

// Skips a balanced parenthesised group whose '(' was just taken.
void skip_group(Stream& s) {
  int depth = 1;
  while (depth > 0) {
    Token t = s.take();
    if (t.type == Tok::End) return;
    if (t.type == Tok::LParen) ++depth;
    if (t.type == Tok::RParen) --depth;
  }
}

// True if the group starting after '(' holds only values and commas; the stream is not moved.
bool values_only_group(const Stream& s) {
  Stream probe = s;
  int n = 0;
  for (;;) {
    Token t = probe.take();
    if (t.type == Tok::RParen) return n > 0;
    if (t.type == Tok::Minus || t.type == Tok::Plus) continue;
    if (t.type == Tok::Ident && t.kw == Kw::NULL_SYM) {
      ++n;
      continue;
    }
    if (t.type == Tok::Ident && t.len > 1 && probe.peek().type == Tok::String &&
        s.lexer().source()[t.off] == '_') {
      continue;  // _charset introducer
    }
    if (!is_value(t.type) && t.type != Tok::Comma) return false;
    if (t.type != Tok::Comma) ++n;
  }
}

}  // namespace

uint64_t fingerprint_into(std::string_view sql, std::string& out) {
  out.clear();
  Stream s(sql);
  Writer w(out);
  Token prev;
  bool in_values = false;  // after VALUES/VALUE: collapse rows after the first
  int depth = 0;
  int values_depth = -1;
  for (;;) {
    Token t = s.take();
    if (t.type == Tok::End) break;
    const std::string_view text = t.text(sql);
    switch (t.type) {
      case Tok::Semicolon:
        // Trailing semicolons do not change the statement.
        if (s.peek().type == Tok::End) break;
        w.emit(";", true);
        break;
      case Tok::Ident: {
        if (t.kw != Kw::None) {
          // DATE '...' / TIME '...' / TIMESTAMP '...' are literals as a whole.
          if ((t.kw == Kw::DATE || t.kw == Kw::TIME || t.kw == Kw::TIMESTAMP) &&
              s.peek().type == Tok::String && !(prev.type == Tok::Dot)) {
            break;
          }
          if (prev.type == Tok::Dot) {
            w.emit(text, true);
          } else {
            w.emit(keyword_text(t.kw));
          }
          if (t.kw == Kw::VALUES || t.kw == Kw::VALUE) {
            in_values = true;
            values_depth = depth;
          }
          if (t.kw == Kw::IN && s.peek().type == Tok::LParen) {
            s.take();
            if (values_only_group(s)) {
              skip_group(s);
              w.emit("(...)");
              prev = t;
              prev.type = Tok::RParen;
              continue;
            }
            w.emit("(", false, true);
            ++depth;
            t.type = Tok::LParen;
          }
          break;
        }
        if (text.size() > 1 && text[0] == '_' && s.peek().type == Tok::String) break;  // _utf8'x'
        w.emit(text, prev.type == Tok::Dot);
        break;
      }
      case Tok::QuotedIdent: {
        std::string_view inner = text.substr(1, text.size() - 2);
        w.emit(simple_ident(inner) ? inner : text, prev.type == Tok::Dot);
        break;
      }
      case Tok::Minus:
      case Tok::Plus:
        // Sign of a literal: "-1" and "1" fingerprint alike.
        if (!ends_operand(prev) && is_number(s.peek().type)) break;
        w.emit(text);
        break;
      case Tok::LParen:
        ++depth;
        w.emit("(", prev.type == Tok::Ident && prev.kw == Kw::None, true);
        break;
      case Tok::RParen:
        if (depth > 0) --depth;
        w.emit(")", true);
        break;
      case Tok::Comma:
        if (in_values && depth == values_depth && prev.type == Tok::RParen &&
            s.peek().type == Tok::LParen) {
          Stream probe = s;
          probe.take();
          if (values_only_group(probe)) {
            // Second and later literal rows of a multi-row VALUES are dropped, so 1-row and
            // n-row inserts of one shape share a digest.
            s.take();
            skip_group(s);
            t.type = Tok::RParen;
            break;
          }
        }
        w.emit(",", true);
        break;
      case Tok::Dot:
        w.emit(".", true, true);
        break;
      case Tok::Param:
        w.emit("?");
        break;
      default:
        if (is_literal(t.type)) {
          w.emit("?");
        } else {
          w.emit(text);
        }
        break;
    }
    if (in_values && depth < values_depth) in_values = false;
    prev = t;
  }
  return XXH3_64bits(out.data(), out.size());
}

Fingerprint fingerprint(std::string_view sql) {
  Fingerprint f;
  f.digest = fingerprint_into(sql, f.text);
  return f;
}

}  // namespace tessera::sql
