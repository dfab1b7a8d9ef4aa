#include "statement_split.h"

#include <algorithm>

namespace tessera::sql {

void split_statements(std::string_view sql, const LexOptions& options,
                      std::vector<SplitStatement>& out) {
  size_t pos = 0;
  // Each round moves past at least one ';', so the loop ends within sql.size() rounds.
  for (;;) {
    std::string_view rest = sql.substr(pos);
    StatementInfo info = classify(rest, options);
    out.push_back({rest.substr(0, info.end), info});
    if (!info.is_multi_statement || info.next == 0) break;
    pos += info.next;
  }
}

namespace {

// Adds the versions of the version-dependent comments in `sql` (lexed as `options` says) to
// `versions`; false once there are more than Lexer::kMaxVersions of them.
bool collect_versions(std::string_view sql, const LexOptions& options,
                      std::vector<uint32_t>& versions) {
  std::vector<SplitStatement> statements;
  split_statements(sql, options, statements);
  for (const auto& st : statements) {
    if (!st.info.has_dependent_comment) continue;
    // The statement's own text, and what follows up to the next statement (a comment that
    // classify() passed after the ';' belongs to the next one and is seen there).
    Lexer lx(st.text, false, options);
    while (lx.next().type != Tok::End) {
    }
    if (lx.versions_overflow()) return false;
    for (int i = 0; i < lx.dependent_comments(); ++i) {
      uint32_t v = lx.dependent_version(i);
      if (std::find(versions.begin(), versions.end(), v) == versions.end()) versions.push_back(v);
    }
  }
  return versions.size() <= size_t(Lexer::kMaxVersions);
}

void models_for(const std::vector<uint32_t>& versions, const LexOptions& base,
                std::vector<LexOptions>& out) {
  out.clear();
  out.push_back(base);
  for (auto family : {CommentModel::Family::kMariaDb, CommentModel::Family::kMySql}) {
    // A server at version S runs the comments up to S: S below every version, then at each.
    LexOptions o = base;
    o.comments.family = family;
    o.comments.version = 0;
    out.push_back(o);
    for (uint32_t v : versions) {
      o.comments.version = v;
      out.push_back(o);
    }
  }
}

}  // namespace

bool every_lexing(std::string_view sql, const LexOptions& base, std::vector<LexOptions>& out) {
  out.clear();
  std::vector<uint32_t> versions;
  if (!collect_versions(sql, base, versions)) return false;
  if (versions.empty()) {
    out.push_back(base);
    return true;
  }
  // A comment that one reading skips can hide or reveal others: repeat until no reading shows
  // a version not yet modelled (at most kMaxVersions rounds add one).
  for (int round = 0; round <= Lexer::kMaxVersions; ++round) {
    models_for(versions, base, out);
    size_t known = versions.size();
    for (const auto& o : out) {
      if (!collect_versions(sql, o, versions)) return false;
    }
    if (versions.size() == known) return true;
  }
  return false;
}

void inner_statements(std::string_view statement, const LexOptions& options,
                      std::vector<std::string_view>& out) {
  Lexer lx(statement, false, options);
  std::vector<Token> toks;
  for (;;) {
    Token t = lx.next();
    if (t.type == Tok::End) break;
    if (t.type == Tok::Hint) continue;
    toks.push_back(t);
  }
  auto word = [&](size_t i, std::string_view upper) {
    return i < toks.size() && toks[i].type == Tok::Ident &&
           iequals_upper(toks[i].text(statement), upper);
  };
  for (size_t i = 0; i + 1 < toks.size(); ++i) {
    const Token& t = toks[i];
    bool boundary = false;
    if (t.type == Tok::Semicolon || t.type == Tok::Colon) {
      boundary = true;
    } else if (t.type == Tok::Ident) {
      if (t.kw == Kw::BEGIN) {
        boundary = !word(i + 1, "NOT");  // BEGIN NOT ATOMIC: the statements follow ATOMIC
      } else if (word(i, "ATOMIC") || t.kw == Kw::THEN || t.kw == Kw::ELSE || t.kw == Kw::DO ||
                 word(i, "LOOP") || word(i, "REPEAT")) {
        boundary = true;
      } else if (word(i, "ROW") && i >= 1 && word(i - 1, "EACH")) {
        boundary = true;
      }
    }
    if (!boundary) continue;
    size_t first = i + 1;
    size_t last = first;
    while (last < toks.size() && toks[last].type != Tok::Semicolon) ++last;
    if (last == first) continue;
    uint32_t from = toks[first].off;
    uint32_t to = toks[last - 1].off + toks[last - 1].len;
    out.push_back(statement.substr(from, to - from));
  }
}

std::string unescape_string_literal(std::string_view text, const LexOptions& options) {
  std::string out;
  if (!text.empty() && (text[0] == 'n' || text[0] == 'N')) text.remove_prefix(1);
  if (text.size() < 2) return out;
  const char q = text[0];
  std::string_view body = text.substr(1, text.size() - 2);
  const bool backslash = !options.no_backslash_escapes && !(q == '"' && options.ansi_quotes);
  out.reserve(body.size());
  const char* end = body.data() + body.size();
  for (size_t i = 0; i < body.size(); ++i) {
    size_t len = multibyte_length(options.multibyte, body.data() + i, end);
    if (len > 1) {
      out.append(body.substr(i, len));
      i += len - 1;
      continue;
    }
    char c = body[i];
    if (backslash && c == '\\' && i + 1 < body.size()) {
      char e = body[++i];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case '0':
          out += '\0';
          break;
        case 'Z':
          out += '\032';
          break;
        case '_':
        case '%':
          out += '\\';  // kept for LIKE patterns, as the server does
          out += e;
          break;
        default:
          out += e;
          break;
      }
    } else if (c == q && i + 1 < body.size() && body[i + 1] == q) {
      out += c;
      ++i;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace tessera::sql
