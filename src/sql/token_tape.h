// One statement's tokens, lexed once and replayed to a later reader of the same text.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "lexer.h"

namespace tessera::sql {

// The session classifies every statement (classify.h) and then fingerprints it for the
// statistics (fingerprint.h): two full lexes of the same text. classify records its tokens
// here when they are exactly what the fingerprint's lexer (default options, comments dropped)
// would produce, and fingerprint_into replays them instead of lexing again.
//
// Exactness: the two lexers differ only in emitting comments and in their options. A text with
// no comment at all ("/*", "#" and "--" nowhere, not even inside literals) lexes to the same
// tokens in both comment modes and under any comment model; and options that make no other
// difference (no NO_BACKSLASH_ESCAPES, no ANSI_QUOTES, no multi-byte character set) leave the
// rest alone. Anything else is not recorded, and the reader lexes as before. A replay also
// requires the very same text (compared byte for byte), so a stale tape is never used.
struct TokenTape {
  std::string text;           // what `tokens` were lexed from
  std::vector<Token> tokens;  // ends with Tok::End
  bool complete = false;

  bool replays(std::string_view sql) const { return complete && sql == text; }
  void clear() {
    complete = false;
    tokens.clear();
  }
};

// Whether `options` lex every token as the default options do (comments aside): no
// NO_BACKSLASH_ESCAPES, no ANSI_QUOTES, no multi-byte character set.
inline bool tokens_as_default(const LexOptions& options) {
  return !options.no_backslash_escapes && !options.ansi_quotes &&
         options.multibyte == Multibyte::kNone;
}

// Whether tokens lexed from `sql` with `options` (either comment mode) equal a default
// Lexer's, which drops comments: see TokenTape.
inline bool lexes_as_default(std::string_view sql, const LexOptions& options) {
  if (!tokens_as_default(options)) return false;
  return sql.find('#') == std::string_view::npos && sql.find("/*") == std::string_view::npos &&
         sql.find("--") == std::string_view::npos;
}

}  // namespace tessera::sql
