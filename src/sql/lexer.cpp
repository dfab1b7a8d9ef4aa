#include "lexer.h"

#include <cstring>

namespace tessera::sql {

void line_column(std::string_view src, size_t off, int* line, int* column) {
  int l = 1, c = 1;
  for (size_t i = 0; i < off && i < src.size(); ++i) {
    if (src[i] == '\n') {
      ++l;
      c = 1;
    } else {
      ++c;
    }
  }
  *line = l;
  *column = c;
}

namespace {
inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
}  // namespace

// Returns true if a comment token was produced into *comment (only in emit_comments_ mode).
bool Lexer::skip_space_and_comments(Token* comment) {
  const size_t n = src_.size();
  while (pos_ < n) {
    char c = src_[pos_];
    if (is_space(c)) {
      ++pos_;
      continue;
    }
    size_t start = pos_;
    if (c == '#' || (c == '-' && pos_ + 1 < n && src_[pos_ + 1] == '-' &&
                     (pos_ + 2 == n || is_space(src_[pos_ + 2]) || uint8_t(src_[pos_ + 2]) < 32))) {
      while (pos_ < n && src_[pos_] != '\n') ++pos_;
      if (emit_comments_) {
        *comment = make(Tok::Comment, start, false);
        return true;
      }
      continue;
    }
    if (in_exec_comment_ && c == '*' && pos_ + 1 < n && src_[pos_ + 1] == '/') {
      // End of an executable comment: its body was code, the terminator is not.
      in_exec_comment_ = false;
      pos_ += 2;
      continue;
    }
    if (c == '/' && pos_ + 1 < n && src_[pos_ + 1] == '*') {
      size_t body = pos_ + 2;
      bool exec = false;
      if (body < n && src_[body] == '!') {
        exec = true;
        body += 1;
      } else if (body + 1 < n && (src_[body] == 'M' || src_[body] == 'm') &&
                 src_[body + 1] == '!') {
        exec = true;
        body += 2;
      }
      if (exec && !in_exec_comment_) {
        // Version number: MySQL reads 5 digits (6 for 10.x MariaDB); we always treat as code.
        size_t d = body;
        while (d < n && d - body < 6 && is_digit(src_[d])) ++d;
        pos_ = d;
        in_exec_comment_ = true;
        continue;
      }
      if (body < n && src_[body] == '+') {
        return false;  // optimizer hint: lexed as a token by next()
      }
      size_t end = src_.find("*/", body);
      pos_ = end == std::string_view::npos ? n : end + 2;
      if (emit_comments_) {
        *comment = make(end == std::string_view::npos ? Tok::Error : Tok::Comment, start, false);
        return true;
      }
      continue;
    }
    return false;
  }
  return false;
}

Token Lexer::quoted(size_t start, char q, Tok type, bool adjacent) {
  const size_t n = src_.size();
  // Backslash escapes apply to strings, not to quoted identifiers.
  const bool backslash = q != '`';
  const char* base = src_.data();
  // memchr (vectorised) finds the next quote and backslash; each is searched again only once
  // the scan has passed it, so the whole literal is scanned in linear time.
  size_t qpos = 0, bpos = 0;
  bool have_q = false, have_b = !backslash;
  if (!backslash) bpos = n;
  while (pos_ < n) {
    if (!have_q || qpos < pos_) {
      const void* hit = std::memchr(base + pos_, q, n - pos_);
      qpos = hit ? size_t(static_cast<const char*>(hit) - base) : n;
      have_q = true;
    }
    if (!have_b || (bpos < pos_ && bpos != n)) {
      const void* hit = std::memchr(base + pos_, '\\', n - pos_);
      bpos = hit ? size_t(static_cast<const char*>(hit) - base) : n;
      have_b = true;
    }
    if (bpos < qpos) {
      pos_ = bpos + 2;  // escaped character, possibly the quote itself
      continue;
    }
    pos_ = qpos;
    if (pos_ >= n) break;
    if (pos_ + 1 < n && src_[pos_ + 1] == q) {
      pos_ += 2;  // doubled quote
      continue;
    }
    ++pos_;
    return make(type, start, adjacent);
  }
  pos_ = n;
  return make(Tok::Error, start, adjacent);
}

Token Lexer::word(size_t start, bool adjacent) {
  const size_t n = src_.size();
  while (pos_ < n && is_ident_char(uint8_t(src_[pos_]))) ++pos_;
  Token t = make(Tok::Ident, start, adjacent);
  // Keyword tagging is context-free; the parser accepts keywords as name parts after ".".
  t.kw = lookup_keyword(t.text(src_));
  prev_name_ = t.kw == Kw::None || !is_reserved(t.kw);
  return t;
}

Token Lexer::number(size_t start, bool adjacent) {
  const size_t n = src_.size();
  if (src_[pos_] == '0' && pos_ + 1 < n && (src_[pos_ + 1] == 'x' || src_[pos_ + 1] == 'b')) {
    bool hex = src_[pos_ + 1] == 'x';
    size_t p = pos_ + 2;
    while (p < n && (hex ? is_hex(src_[p]) : (src_[p] == '0' || src_[p] == '1'))) ++p;
    if (p > pos_ + 2 && (p == n || !is_ident_char(uint8_t(src_[p])))) {
      pos_ = p;
      return make(hex ? Tok::HexNumber : Tok::BitNumber, start, adjacent);
    }
    return word(start, adjacent);  // 0xg1 is an identifier
  }
  Tok type = Tok::Integer;
  while (pos_ < n && is_digit(src_[pos_])) ++pos_;
  if (pos_ < n && src_[pos_] == '.') {
    ++pos_;
    type = Tok::Decimal;
    while (pos_ < n && is_digit(src_[pos_])) ++pos_;
  }
  if (pos_ < n && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
    size_t p = pos_ + 1;
    if (p < n && (src_[p] == '+' || src_[p] == '-')) ++p;
    if (p < n && is_digit(src_[p])) {
      while (p < n && is_digit(src_[p])) ++p;
      pos_ = p;
      type = Tok::Float;
    }
  }
  if (type == Tok::Integer && pos_ < n && is_ident_char(uint8_t(src_[pos_]))) {
    return word(start, adjacent);  // 1abc, 12e are identifiers in MySQL
  }
  return make(type, start, adjacent);
}

Token Lexer::next() {
  const size_t before = pos_;
  Token comment;
  if (skip_space_and_comments(&comment)) return comment;
  const size_t n = src_.size();
  const bool adjacent = pos_ == before && pos_ != 0;
  if (pos_ >= n) {
    Token t = make(in_exec_comment_ ? Tok::End : Tok::End, pos_, false);
    return t;
  }
  size_t start = pos_;
  char c = src_[pos_];
  auto one = [&](Tok t) {
    ++pos_;
    return make(t, start, adjacent);
  };
  auto two = [&](Tok t) {
    pos_ += 2;
    return make(t, start, adjacent);
  };
  char c1 = pos_ + 1 < n ? src_[pos_ + 1] : '\0';
  switch (c) {
    case '\'':
    case '"':
      ++pos_;
      return quoted(start, c, Tok::String, adjacent);
    case '`':
      ++pos_;
      return quoted(start, '`', Tok::QuotedIdent, adjacent);
    case '(':
      return one(Tok::LParen);
    case ')':
      return one(Tok::RParen);
    case ',':
      return one(Tok::Comma);
    case ';':
      return one(Tok::Semicolon);
    case '{':
      return one(Tok::LBrace);
    case '}':
      return one(Tok::RBrace);
    case '?':
      return one(Tok::Param);
    case '+':
      return one(Tok::Plus);
    case '*':
      return one(Tok::Star);
    case '%':
      return one(Tok::Percent);
    case '^':
      return one(Tok::Caret);
    case '~':
      return one(Tok::Tilde);
    case '/':
      if (c1 == '*' && pos_ + 2 < n && src_[pos_ + 2] == '+') {
        size_t end = src_.find("*/", pos_ + 3);
        if (end == std::string_view::npos) {
          pos_ = n;
          return make(Tok::Error, start, adjacent);
        }
        pos_ = end + 2;
        return make(Tok::Hint, start, adjacent);
      }
      return one(Tok::Slash);
    case ':':
      return c1 == '=' ? two(Tok::Assign) : one(Tok::Colon);
    case '=':
      return one(Tok::Eq);
    case '!':
      return c1 == '=' ? two(Tok::Ne) : one(Tok::Bang);
    case '&':
      return c1 == '&' ? two(Tok::AndAnd) : one(Tok::Amp);
    case '|':
      return c1 == '|' ? two(Tok::OrOr) : one(Tok::Pipe);
    case '<':
      if (c1 == '=') {
        if (pos_ + 2 < n && src_[pos_ + 2] == '>') {
          pos_ += 3;
          return make(Tok::NullSafeEq, start, adjacent);
        }
        return two(Tok::Le);
      }
      if (c1 == '>') return two(Tok::Ne);
      if (c1 == '<') return two(Tok::Shl);
      return one(Tok::Lt);
    case '>':
      if (c1 == '=') return two(Tok::Ge);
      if (c1 == '>') return two(Tok::Shr);
      return one(Tok::Gt);
    case '-':
      if (c1 == '>') {
        if (pos_ + 2 < n && src_[pos_ + 2] == '>') {
          pos_ += 3;
          return make(Tok::LongArrow, start, adjacent);
        }
        return two(Tok::Arrow);
      }
      return one(Tok::Minus);
    case '.':
      // ".5" is a number unless it qualifies a name (t.5 is column "5" of t).
      if (is_digit(c1) && !prev_name_) {
        return number(start, adjacent);
      }
      return one(Tok::Dot);
    case '@': {
      if (c1 == '@') {
        pos_ += 2;
        // @@session.x / @@global.x / @@x, also quoted parts.
        while (pos_ < n) {
          char d = src_[pos_];
          if (is_ident_char(uint8_t(d))) {
            ++pos_;
          } else if (d == '`') {
            ++pos_;
            while (pos_ < n && src_[pos_] != '`') ++pos_;
            // Unterminated (@@x.`abc at the end): an error like any unterminated identifier,
            // or text printed after it would land inside the quotes.
            if (pos_ >= n) return make(Tok::Error, start, adjacent);
            ++pos_;
          } else if (d == '.' && pos_ + 1 < n &&
                     (is_ident_char(uint8_t(src_[pos_ + 1])) || src_[pos_ + 1] == '`')) {
            ++pos_;
          } else {
            break;
          }
        }
        return make(Tok::SysVar, start, adjacent);
      }
      ++pos_;
      if (c1 == '\'' || c1 == '"' || c1 == '`') {
        ++pos_;
        Token t = quoted(start, c1, Tok::UserVar, adjacent);
        return t;
      }
      while (pos_ < n && (is_ident_char(uint8_t(src_[pos_])) || src_[pos_] == '.')) ++pos_;
      return make(Tok::UserVar, start, adjacent);
    }
    default:
      break;
  }
  if ((c == 'x' || c == 'X' || c == 'b' || c == 'B' || c == 'n' || c == 'N') && c1 == '\'') {
    pos_ += 2;
    Tok t = (c == 'x' || c == 'X')   ? Tok::HexString
            : (c == 'n' || c == 'N') ? Tok::NString
                                     : Tok::BitString;
    return quoted(start, '\'', t, adjacent);
  }
  if (is_digit(c)) return number(start, adjacent);
  if (is_ident_char(uint8_t(c))) return word(start, adjacent);
  // Unknown byte (e.g. a stray backslash): one Error token, callers decide.
  ++pos_;
  return make(Tok::Error, start, adjacent);
}

}  // namespace tessera::sql
