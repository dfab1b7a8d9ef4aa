// MySQL/MariaDB lexer. Streams tokens without allocating; comments are skipped unless asked for,
// executable comments (/*!NNNNN ... */, /*M!NNNNN ... */) are lexed as code, /*+ ... */ becomes a
// Hint token.
//
// Where a statement ends depends on the session: sql_mode NO_BACKSLASH_ESCAPES (a backslash
// is an ordinary character in strings), ANSI_QUOTES ("..." quotes an identifier, without
// backslash escapes) and the client character set (in gbk, sjis/cp932, big5 and gb18030 the
// second byte of a two-byte character can be a backslash, a backtick or another ASCII byte that
// is then not itself). LexOptions carries them, so Tessera sees the statements the server will run.
#pragma once

#include <cstdint>
#include <string_view>

#include "token.h"

namespace tessera::sql {

// Client character sets whose multi-byte characters may have an ASCII second byte.
enum class Multibyte : uint8_t { kNone, kGbk, kSjis, kBig5, kGb18030 };

// How the server reads version-dependent executable comments. kAllCode (the default) lexes
// every one as code; the others model one server family at `version` (MYSQL_VERSION_ID form:
// 101106 = 10.11.6): MariaDB runs /*!V ...*/ as code when V < 50700 or 99999 < V <= version and
// /*M!V ...*/ when V <= version; MySQL runs /*!V ...*/ when V <= version and never /*M! ...*/.
// Comments these differ on are "version-dependent": Lexer reports the versions it saw, so a
// caller that must be sure can lex once per possible server (see statement_split.h).
struct CommentModel {
  enum class Family : uint8_t { kAllCode, kMariaDb, kMySql };
  Family family = Family::kAllCode;
  uint32_t version = 0;
};

struct LexOptions {
  bool no_backslash_escapes = false;  // sql_mode NO_BACKSLASH_ESCAPES
  bool ansi_quotes = false;           // sql_mode ANSI_QUOTES (also ANSI, ORACLE, ...)
  Multibyte multibyte = Multibyte::kNone;
  CommentModel comments;
};

// Length of the multi-byte character at `p` (2 or 4) in `mb`, or 1 when `p` does not start a
// well-formed multi-byte character (the server's my_ismbchar).
size_t multibyte_length(Multibyte mb, const char* p, const char* end);

class Lexer {
 public:
  explicit Lexer(std::string_view src, bool emit_comments = false, LexOptions options = {})
      : src_(src), emit_comments_(emit_comments), opts_(options) {}

  Token next();
  std::string_view source() const { return src_; }
  size_t position() const { return pos_; }
  const LexOptions& options() const { return opts_; }

  // Version-dependent comments seen so far (see CommentModel): their distinct versions (the
  // first kMaxVersions; more sets versions_overflow()), /*M! comments without a version count
  // as version 0.
  static constexpr int kMaxVersions = 8;
  int dependent_comments() const { return n_versions_; }
  uint32_t dependent_version(int i) const { return versions_[i]; }
  bool versions_overflow() const { return versions_overflow_; }

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
  // Classifies the /*! or /*M! comment at pos_: true (pos_ past its marker and version) when
  // its body is code for opts_.comments, false when it is a comment (pos_ unchanged).
  bool executable_comment(bool mariadb_marker, size_t body);
  void note_dependent(uint32_t version);
  // Skips a comment body from pos_ to its "*/"; `nesting` is how many levels of "/* */" it may
  // hold (the server lets a skipped versioned comment hold one). False: unterminated.
  bool skip_comment_body(int nesting);
  Token quoted(size_t start, char q, Tok type, bool adjacent);
  Token quoted_multibyte(size_t start, char q, bool backslash, Tok type, bool adjacent);
  Token number(size_t start, bool adjacent);
  Token word(size_t start, bool adjacent);
  // Advances over identifier characters (and whole multi-byte characters); `dots` also takes '.'.
  void skip_ident_chars(bool dots);

  std::string_view src_;
  size_t pos_ = 0;
  bool emit_comments_;
  LexOptions opts_;
  bool in_exec_comment_ = false;
  int n_versions_ = 0;
  bool versions_overflow_ = false;
  uint32_t versions_[kMaxVersions] = {};
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
