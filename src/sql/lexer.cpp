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

size_t multibyte_length(Multibyte mb, const char* p, const char* end) {
  if (mb == Multibyte::kNone || end - p < 2) return 1;
  const auto b0 = uint8_t(p[0]), b1 = uint8_t(p[1]);
  auto in = [](uint8_t b, uint8_t lo, uint8_t hi) { return b >= lo && b <= hi; };
  switch (mb) {
    case Multibyte::kNone:
      return 1;
    case Multibyte::kGbk:
      return in(b0, 0x81, 0xfe) && (in(b1, 0x40, 0x7e) || in(b1, 0x80, 0xfe)) ? 2 : 1;
    case Multibyte::kSjis:  // also cp932
      return (in(b0, 0x81, 0x9f) || in(b0, 0xe0, 0xfc)) &&
                     (in(b1, 0x40, 0x7e) || in(b1, 0x80, 0xfc))
                 ? 2
                 : 1;
    case Multibyte::kBig5:
      return in(b0, 0xa1, 0xf9) && (in(b1, 0x40, 0x7e) || in(b1, 0xa1, 0xfe)) ? 2 : 1;
    case Multibyte::kGb18030:
      if (!in(b0, 0x81, 0xfe)) return 1;
      if (in(b1, 0x40, 0x7e) || in(b1, 0x80, 0xfe)) return 2;
      if (in(b1, 0x30, 0x39) && end - p >= 4 && in(uint8_t(p[2]), 0x81, 0xfe) &&
          in(uint8_t(p[3]), 0x30, 0x39)) {
        return 4;
      }
      return 1;
  }
  return 1;
}

void Lexer::note_dependent(uint32_t version) {
  for (int i = 0; i < n_versions_; ++i) {
    if (versions_[i] == version) return;
  }
  if (n_versions_ == kMaxVersions) {
    versions_overflow_ = true;
    return;
  }
  versions_[n_versions_++] = version;
}

bool Lexer::executable_comment(bool mariadb_marker, size_t body) {
  // The server's rule (sql_lex.cc): exactly 5 or 6 digits right after the marker are a
  // version; anything else after /*! is code without one.
  const size_t n = src_.size();
  size_t digits = 0;
  while (body + digits < n && digits < 6 && is_digit(src_[body + digits])) ++digits;
  if (digits < 5) digits = 0;
  uint32_t version = 0;
  for (size_t i = 0; i < digits; ++i) version = version * 10 + uint32_t(src_[body + i] - '0');
  bool code = true;
  const CommentModel& m = opts_.comments;
  if (mariadb_marker) {
    note_dependent(version);
    if (m.family == CommentModel::Family::kMariaDb) code = version <= m.version;
    if (m.family == CommentModel::Family::kMySql) code = false;
  } else if (digits > 0 && version >= 50700) {
    note_dependent(version);
    if (m.family == CommentModel::Family::kMariaDb) {
      code = version > 99999 && version <= m.version;
    } else if (m.family == CommentModel::Family::kMySql) {
      code = version <= m.version;
    }
  }
  if (code) pos_ = body + digits;
  return code;
}

bool Lexer::skip_comment_body(int nesting) {
  const size_t n = src_.size();
  while (pos_ < n) {
    char c = src_[pos_++];
    if (nesting > 0 && c == '/' && pos_ < n && src_[pos_] == '*') {
      ++pos_;
      if (!skip_comment_body(nesting - 1)) return false;
      continue;
    }
    if (c == '*' && pos_ < n && src_[pos_] == '/') {
      ++pos_;
      return true;
    }
  }
  return false;
}

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
    // "--" starts a comment when a space or a control character (the server's my_iscntrl:
    // below 32 and 127) or the end follows.
    if (c == '#' || (c == '-' && pos_ + 1 < n && src_[pos_ + 1] == '-' &&
                     (pos_ + 2 == n || is_space(src_[pos_ + 2]) || uint8_t(src_[pos_ + 2]) < 32 ||
                      uint8_t(src_[pos_ + 2]) == 127))) {
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
      bool mariadb_marker = false;
      if (body < n && src_[body] == '!') {
        exec = true;
        body += 1;
      } else if (body + 1 < n && src_[body] == 'M' && src_[body + 1] == '!') {
        // The server takes an upper-case M only.
        exec = mariadb_marker = true;
        body += 2;
      }
      if (exec) {
        // Inside an executable comment another one is code as well (the server just stays
        // in the comment state; its first "*/" ends both).
        if (executable_comment(mariadb_marker, body)) {
          in_exec_comment_ = true;
          continue;
        }
        // A versioned comment the server skips may hold one level of "/* */"; to MySQL, /*M!
        // is an ordinary comment, which may not.
        pos_ = start + 2;
        const bool plain = mariadb_marker && opts_.comments.family == CommentModel::Family::kMySql;
        bool closed = skip_comment_body(plain ? 0 : 1);
        if (emit_comments_) {
          *comment = make(closed ? Tok::Comment : Tok::Error, start, false);
          return true;
        }
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
  // Backslash escapes apply to strings ('...', and "..." without ANSI_QUOTES), not to quoted
  // identifiers, and not at all under NO_BACKSLASH_ESCAPES.
  const bool backslash =
      q != '`' && !(q == '"' && opts_.ansi_quotes) && !opts_.no_backslash_escapes;
  if (opts_.multibyte != Multibyte::kNone)
    return quoted_multibyte(start, q, backslash, type, adjacent);
  const char* base = src_.data();
  // memchr (vectorised) finds the next quote, then a backslash only between here and that quote:
  // each byte is searched once for each, so the literal costs its own length. (Searching for a
  // backslash to the end of the text made every literal cost the rest of the statement: a
  // statement of many short strings took quadratic time.)
  size_t qpos = 0;
  bool have_q = false;
  while (pos_ < n) {
    if (!have_q || qpos < pos_) {
      const void* hit = std::memchr(base + pos_, q, n - pos_);
      qpos = hit ? size_t(static_cast<const char*>(hit) - base) : n;
      have_q = true;
    }
    size_t bpos = n;
    if (backslash && qpos > pos_) {
      const void* hit = std::memchr(base + pos_, '\\', qpos - pos_);
      if (hit) bpos = size_t(static_cast<const char*>(hit) - base);
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

Token Lexer::quoted_multibyte(size_t start, char q, bool backslash, Tok type, bool adjacent) {
  // The server's get_text / scan_ident_delimited: a well-formed multi-byte character is
  // skipped whole, so its second byte never ends the literal or escapes anything; after a
  // backslash exactly one byte is skipped.
  const size_t n = src_.size();
  const char* end = src_.data() + n;
  while (pos_ < n) {
    size_t len = multibyte_length(opts_.multibyte, src_.data() + pos_, end);
    if (len > 1) {
      pos_ += len;
      continue;
    }
    char c = src_[pos_];
    if (backslash && c == '\\') {
      pos_ += 2;
      continue;
    }
    if (c == q) {
      if (pos_ + 1 < n && src_[pos_ + 1] == q) {
        pos_ += 2;
        continue;
      }
      ++pos_;
      return make(type, start, adjacent);
    }
    ++pos_;
  }
  pos_ = n;
  return make(Tok::Error, start, adjacent);
}

void Lexer::skip_ident_chars(bool dots) {
  const size_t n = src_.size();
  const char* end = src_.data() + n;
  while (pos_ < n) {
    const auto c = uint8_t(src_[pos_]);
    if (c >= 0x80 && opts_.multibyte != Multibyte::kNone) {
      // The second byte of a multi-byte character belongs to the name even when it is ASCII.
      pos_ += multibyte_length(opts_.multibyte, src_.data() + pos_, end);
      continue;
    }
    if (!is_ident_char(c) && !(dots && c == '.')) return;
    ++pos_;
  }
}

Token Lexer::word(size_t start, bool adjacent) {
  skip_ident_chars(false);
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
      ++pos_;
      return quoted(start, c, Tok::String, adjacent);
    case '"':
      ++pos_;
      return quoted(start, c, opts_.ansi_quotes ? Tok::QuotedIdent : Tok::String, adjacent);
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
            skip_ident_chars(false);
          } else if (d == '`') {
            ++pos_;
            while (pos_ < n && src_[pos_] != '`') {
              pos_ += multibyte_length(opts_.multibyte, src_.data() + pos_, src_.data() + n);
            }
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
      skip_ident_chars(/*dots=*/true);
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
