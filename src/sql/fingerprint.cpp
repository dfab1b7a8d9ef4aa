#include "fingerprint.h"

#include <xxhash.h>

#include <vector>

#include "lexer.h"
#include "token_tape.h"

namespace tessera::sql {
namespace {

// Significant-token stream with one token of lookahead (comments and hints dropped).
// Replays `tape` instead of lexing when it holds this text's tokens (token_tape.h).
class Stream {
 public:
  explicit Stream(std::string_view sql, const LexOptions& options = {},
                  const TokenTape* tape = nullptr)
      : lx_(sql, false, options) {
    if (tape && tape->replays(sql)) {
      replay_ = tape->tokens.data();
      replay_end_ = replay_ + tape->tokens.size();
    }
    next_ = pull();
  }
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
      Token t;
      if (replay_) {
        if (replay_ != replay_end_) t = *replay_++;  // (past its End: End again)
      } else {
        t = lx_.next();
      }
      if (t.type != Tok::Hint && t.type != Tok::Comment) return t;
    }
  }
  Lexer lx_;
  const Token* replay_ = nullptr;
  const Token* replay_end_ = nullptr;
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

uint64_t fingerprint_into(std::string_view sql, std::string& out, const LexOptions& options,
                          const TokenTape* tape) {
  out.clear();
  // (A tape holds a default lexer's tokens: only replayed for one.)
  Stream s(sql, options, tokens_as_default(options) ? tape : nullptr);
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
        if (simple_ident(inner) || text[0] == '`') {
          w.emit(simple_ident(inner) ? inner : text, prev.type == Tok::Dot);
        } else {
          // "name" under ANSI_QUOTES: written with backticks, as every other quoted name.
          std::string bq = "`";
          for (size_t i = 0; i < inner.size(); ++i) {
            if (inner[i] == '"' && i + 1 < inner.size() && inner[i + 1] == '"') ++i;
            if (inner[i] == '`') bq += '`';
            bq += inner[i];
          }
          bq += '`';
          w.emit(bq, prev.type == Tok::Dot);
        }
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

namespace {

struct NToken {
  Tok type;
  Kw kw;
  std::string_view text;
};

bool upper_is(const NToken& t, std::string_view word) {
  return t.type == Tok::Ident && iequals_upper(t.text, word);
}

bool is_name_token(const NToken& t) {
  return t.type == Tok::Ident || t.type == Tok::QuotedIdent;
}

// Keywords that end a WHERE / HAVING / ON condition at its own nesting level.
bool ends_condition(const NToken& t) {
  static constexpr std::string_view kEnders[] = {
      "GROUP", "ORDER",  "LIMIT",     "HAVING",        "WINDOW",    "FOR",  "LOCK",
      "UNION", "EXCEPT", "INTERSECT", "INTO",          "RETURNING", "JOIN", "INNER",
      "LEFT",  "RIGHT",  "CROSS",     "STRAIGHT_JOIN", "NATURAL",   "FULL", "WHERE",
      "USING", "ON",     "PROCEDURE", "OFFSET",        "FETCH"};
  if (t.type != Tok::Ident) return false;
  for (auto w : kEnders) {
    if (iequals_upper(t.text, w)) return true;
  }
  return false;
}

// A token that may appear in a condition made of constants only.
bool constant_part(const NToken& t) {
  switch (t.type) {
    case Tok::Param:
    case Tok::LParen:
    case Tok::RParen:
    case Tok::Eq:
    case Tok::NullSafeEq:
    case Tok::Ne:
    case Tok::Lt:
    case Tok::Le:
    case Tok::Gt:
    case Tok::Ge:
    case Tok::Plus:
    case Tok::Minus:
    case Tok::Star:
    case Tok::Slash:
    case Tok::Percent:
    case Tok::Caret:
    case Tok::Amp:
    case Tok::Pipe:
    case Tok::Tilde:
    case Tok::Bang:
    case Tok::Shl:
    case Tok::Shr:
    case Tok::AndAnd:
    case Tok::OrOr:
      return true;
    case Tok::Ident:
      for (auto w : {"TRUE", "FALSE", "NULL", "NOT", "IS", "LIKE", "BETWEEN", "AND", "OR", "XOR",
                     "DIV", "MOD", "REGEXP", "RLIKE", "ESCAPE", "UNKNOWN"}) {
        if (iequals_upper(t.text, w)) return true;
      }
      return false;
    default:
      return is_literal(t.type);
  }
}

bool constant_term(const std::vector<NToken>& v, size_t from, size_t to) {
  if (from >= to) return false;
  for (size_t i = from; i < to; ++i) {
    if (!constant_part(v[i])) return false;
  }
  return true;
}

// Drops constant AND-terms of the condition that starts after v[kw] (see the header);
// returns the index just past the condition in the rewritten vector.
size_t fold_condition(std::vector<NToken>& v, size_t kw) {
  size_t begin = kw + 1;
  size_t end = begin;
  int depth = 0;
  bool has_or = false;
  std::vector<std::pair<size_t, size_t>> terms;
  size_t term_start = begin;
  bool in_between = false;
  for (; end < v.size(); ++end) {
    const NToken& t = v[end];
    if (t.type == Tok::LParen) ++depth;
    if (t.type == Tok::RParen) {
      if (depth == 0) break;
      --depth;
    }
    if (t.type == Tok::Semicolon) break;
    if (depth > 0) continue;
    if (ends_condition(t)) break;
    if (upper_is(t, "BETWEEN")) in_between = true;
    if (upper_is(t, "OR") || upper_is(t, "XOR") || t.type == Tok::OrOr) has_or = true;
    if (upper_is(t, "AND") || t.type == Tok::AndAnd) {
      if (in_between) {
        in_between = false;
        continue;
      }
      terms.emplace_back(term_start, end);
      term_start = end + 1;
    }
  }
  terms.emplace_back(term_start, end);
  if (has_or) {
    terms.assign(1, {begin, end});
  }
  std::vector<NToken> kept;
  for (const auto& [a, b] : terms) {
    if (constant_term(v, a, b)) continue;
    if (!kept.empty()) kept.push_back({Tok::Ident, Kw::None, "AND"});
    kept.insert(kept.end(), v.begin() + long(a), v.begin() + long(b));
  }
  size_t erase_from = kept.empty() ? kw : begin;
  v.erase(v.begin() + long(erase_from), v.begin() + long(end));
  v.insert(v.begin() + long(erase_from), kept.begin(), kept.end());
  return erase_from + kept.size();
}

}  // namespace

std::string normalize_fingerprint(std::string_view fp) {
  Lexer lx(fp);
  std::vector<NToken> v;
  for (;;) {
    Token t = lx.next();
    if (t.type == Tok::End) break;
    v.push_back({t.type, t.kw, t.text(fp)});
  }
  // Qualifiers: name '.' (name | '*') keeps the part after the dot.
  std::vector<NToken> q;
  q.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (is_name_token(v[i]) && i + 2 < v.size() && v[i + 1].type == Tok::Dot &&
        (is_name_token(v[i + 2]) || v[i + 2].type == Tok::Star)) {
      ++i;  // drop the name and its dot
      continue;
    }
    q.push_back(v[i]);
  }
  for (size_t i = 0; i < q.size();) {
    if (upper_is(q[i], "WHERE") || upper_is(q[i], "HAVING") || upper_is(q[i], "ON")) {
      // ON DUPLICATE KEY UPDATE is not a condition.
      if (upper_is(q[i], "ON") && i + 1 < q.size() && upper_is(q[i + 1], "DUPLICATE")) {
        ++i;
        continue;
      }
      // Either the condition is kept (next is past it) or the keyword went with it (the
      // vector shrank): each round makes progress.
      i = fold_condition(q, i);
      continue;
    }
    ++i;
  }
  std::string out;
  for (const auto& t : q) {
    if (!out.empty()) out += ' ';
    out.append(t.text);
  }
  return out;
}

Fingerprint black_sql_form(std::string_view sql, std::string& scratch, const LexOptions& options) {
  fingerprint_into(sql, scratch, options);
  Fingerprint f;
  f.text = normalize_fingerprint(scratch);
  f.digest = XXH3_64bits(f.text.data(), f.text.size());
  return f;
}

}  // namespace tessera::sql
