// Statement fingerprint (digest) computed from tokens, without parsing: literals become '?',
// IN lists and multi-row VALUES collapse, keywords are upper-cased, comments dropped and
// whitespace normalised; the 64-bit digest is XXH3 of that text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lexer.h"
#include "token_tape.h"

namespace tessera::sql {

struct Fingerprint {
  std::string text;
  uint64_t digest = 0;
};

Fingerprint fingerprint(std::string_view sql);

// Allocation-free after warm-up: `out` is cleared and reused (its capacity is kept).
// `options`: the session's sql_mode and character set (what is a string, what a name).
// `tape`: classify's tokens of the same text, replayed when they are exactly what this would
// lex (token_tape.h); lexed afresh otherwise.
uint64_t fingerprint_into(std::string_view sql, std::string& out, const LexOptions& options = {},
                          const TokenTape* tape = nullptr);

// The form black_sql compares (fingerprint text in, normalised text out), so that trivially
// different spellings of one statement match. What it folds, and nothing more:
//  - qualifiers: `db.t`, `t.col` and `db.t.col` become `t`, `col`, `col` (so a listed `t`
//    also matches `otherdb.t`: black_sql names statements, not one database's tables);
//  - constant conditions: in WHERE / HAVING / ON, a top-level AND-term made only of literals,
//    TRUE/FALSE/NULL, operators and parentheses (`1`, `1=1`, `'a'='a'`, `NOT 0`, `2>1`) is
//    dropped, and the clause with it when nothing else remains (`WHERE 1` -> no WHERE). As
//    literals are already `?`, `WHERE 0` folds the same way: a listed `DELETE FROM t` also
//    refuses `DELETE FROM t WHERE 0`. A condition with a top-level OR is folded only when it
//    is constant as a whole.
// Not folded: other equivalent rewrites (`id IN (5)` vs `id = 5`, reordered terms, aliases,
// added parentheses around names, functions that return constants such as `ABS(1)`).
std::string normalize_fingerprint(std::string_view fingerprint_text);

// What black_sql compares: the statement's fingerprint (lexed under `options`), normalised,
// with the XXH3 digest of that text. `scratch` is reused for the raw fingerprint.
Fingerprint black_sql_form(std::string_view sql, std::string& scratch,
                           const LexOptions& options = {});

}  // namespace tessera::sql
