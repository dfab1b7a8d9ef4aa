#include "session/statement_guard.h"

#include <algorithm>
#include <optional>

#include "sql/ascii_case.h"
#include "sql/classify.h"
#include "sql/keywords.h"
#include "sql/statement_split.h"

namespace tessera::session {

using sql::iequals_upper;
using sql::Kw;
using sql::LexOptions;
using sql::StatementKind;
using sql::Tok;
using sql::Token;

namespace {

// PREPARE 'PREPARE ...' nests; deeper texts are refused rather than followed further.
constexpr int kMaxNesting = 3;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c + 32);
  }
  return out;
}

bool contains_upper(std::string_view text, std::string_view upper) {
  if (upper.size() > text.size()) return false;
  for (size_t i = 0; i + upper.size() <= text.size(); ++i) {
    if (iequals_upper(text.substr(i, upper.size()), upper)) return true;
  }
  return false;
}

// Character set of a handshake collation id: the multi-byte sets that matter for lexing
// (their ids are fixed by the protocol), else the general table.
std::string_view charset_of_id(uint8_t id) {
  switch (id) {
    case 1:
    case 84:
      return "big5";
    case 13:
    case 88:
      return "sjis";
    case 95:
    case 96:
      return "cp932";
    case 28:
    case 87:
      return "gbk";
    case 248:
    case 249:
    case 250:
      return "gb18030";
    default:
      return charset_of_collation(id);
  }
}

sql::Multibyte multibyte_of(std::string_view charset) {
  std::string cs = lower(charset);
  if (cs == "gbk") return sql::Multibyte::kGbk;
  if (cs == "sjis" || cs == "cp932") return sql::Multibyte::kSjis;
  if (cs == "big5") return sql::Multibyte::kBig5;
  if (cs == "gb18030") return sql::Multibyte::kGb18030;
  return sql::Multibyte::kNone;
}

// The significant tokens of one statement.
struct Tokens {
  std::string_view src;
  std::vector<Token> v;
  bool error = false;

  Tokens(std::string_view text, const LexOptions& options) : src(text) {
    sql::Lexer lx(text, false, options);
    for (;;) {
      Token t = lx.next();
      if (t.type == Tok::End) break;
      if (t.type == Tok::Hint) continue;
      if (t.type == Tok::Error) error = true;
      v.push_back(t);
    }
  }
  size_t size() const { return v.size(); }
  bool word(size_t i, std::string_view upper) const {
    return i < v.size() && v[i].type == Tok::Ident && iequals_upper(v[i].text(src), upper);
  }
  bool is(size_t i, Tok type) const { return i < v.size() && v[i].type == type; }
  std::string_view text(size_t i) const { return v[i].text(src); }
  // The statement's text from token i on.
  std::string_view rest(size_t i) const { return i < v.size() ? src.substr(v[i].off) : ""; }
};

std::string name_of(const Tokens& t, size_t i) {
  std::string_view s = t.text(i);
  if (t.v[i].type == Tok::QuotedIdent && s.size() >= 2) s = s.substr(1, s.size() - 2);
  return lower(s);
}

// The string literal(s) from token i on (adjacent literals concatenate, as in the server),
// unescaped; `end` gets the index past them. Nothing when token i is not a string literal.
std::optional<std::string> literal_at(const Tokens& t, size_t i, const LexOptions& options,
                                      size_t* end, bool* non_ascii) {
  std::string out;
  size_t k = i;
  while (k < t.size() && (t.v[k].type == Tok::String || t.v[k].type == Tok::NString)) {
    std::string_view raw = t.text(k);
    for (char c : raw) {
      if (uint8_t(c) >= 0x80) *non_ascii = true;
    }
    out += sql::unescape_string_literal(raw, options);
    ++k;
  }
  *end = k;
  if (k == i) return std::nullopt;
  return out;
}

// The text a PREPARE ... FROM '...' or EXECUTE IMMEDIATE '...' statement runs, when it is a
// literal; `dynamic` is set when it is something else (a variable, an expression).
std::optional<std::string> dynamic_text(const Tokens& t, const LexOptions& options, bool* dynamic,
                                        bool* non_ascii) {
  size_t at = 0;
  if (t.word(0, "PREPARE") && t.size() >= 3 && t.word(2, "FROM")) {
    at = 3;
  } else if (t.word(0, "EXECUTE") && t.word(1, "IMMEDIATE")) {
    at = 2;
  } else {
    return std::nullopt;
  }
  size_t end = 0;
  auto text = literal_at(t, at, options, &end, non_ascii);
  // Only the literal may follow (EXECUTE IMMEDIATE also takes USING values).
  if (!text || !(end == t.size() || (at == 2 && t.word(end, "USING")))) {
    *dynamic = true;
    return std::nullopt;
  }
  return text;
}

// Statements after which the server lexes the rest of a multi-statement differently.
bool changes_lexing(const sql::SplitStatement& st) {
  switch (st.info.kind) {
    case StatementKind::Set:
      return contains_upper(st.text, "SQL_MODE") || contains_upper(st.text, "NAMES") ||
             contains_upper(st.text, "CHARACTER") || contains_upper(st.text, "CHARSET");
    case StatementKind::Execute:  // the statement it runs may be such a SET
    case StatementKind::Call:
    case StatementKind::Other:  // compound statements
      return true;
    default:
      return false;
  }
}

struct ReadOnlyContext {
  const std::set<std::string>& prepared;
  bool charsets_agree;
  ReadOnlyVerdict& verdict;
};

std::string check_query(std::string_view text, const LexOptions& options, ReadOnlyContext& ctx,
                        int depth);

// Why a statement the allow-list admits still changes something; empty when it does not.
std::string side_effects(const Tokens& t) {
  if (t.error) return "it has an unterminated string, name or comment, or a stray character";
  for (size_t i = 0; i < t.size(); ++i) {
    if (t.word(i, "INTO") && (t.word(i + 1, "OUTFILE") || t.word(i + 1, "DUMPFILE"))) {
      return "SELECT ... INTO " + std::string(t.text(i + 1)) + " writes a file";
    }
    if (t.word(i, "NEXT") && t.word(i + 1, "VALUE") && t.word(i + 2, "FOR")) {
      return "NEXT VALUE FOR advances a sequence";
    }
    if (t.v[i].type == Tok::Ident && t.is(i + 1, Tok::LParen)) {
      for (auto fn : {"NEXTVAL", "SETVAL", "GET_LOCK", "RELEASE_LOCK", "RELEASE_ALL_LOCKS"}) {
        if (t.word(i, fn)) return std::string(fn) + "() changes server state";
      }
    }
  }
  return {};
}

std::string refused_kind(StatementKind kind) {
  return std::string(sql::to_string(kind)) + " statements are not reads";
}

std::string check_statement(const sql::SplitStatement& st, const LexOptions& options,
                            ReadOnlyContext& ctx, int depth) {
  Tokens t(st.text, options);
  size_t first = 0;
  while (t.is(first, Tok::LParen)) ++first;
  switch (st.info.kind) {
    case StatementKind::Empty:
      return {};
    case StatementKind::Select:
    case StatementKind::Show:
    case StatementKind::Describe:
    case StatementKind::Do:
    case StatementKind::Use:
    case StatementKind::Commit:
    case StatementKind::Rollback:
    case StatementKind::Savepoint:
    case StatementKind::UnlockTables:
      return side_effects(t);
    case StatementKind::Kill:
      // Not a read: through the shared backend account it reaches any thread of the server.
      return "KILL acts on other connections";
    case StatementKind::Explain: {
      // ANALYZE <stmt> and EXPLAIN ANALYZE <stmt> run the statement; plain EXPLAIN does not.
      size_t k = first;
      if (t.word(k, "EXPLAIN") || t.word(k, "DESCRIBE") || t.word(k, "DESC")) {
        if (!t.word(k + 1, "ANALYZE")) return side_effects(t);
        ++k;
      }
      ++k;  // past ANALYZE
      if (t.word(k, "FORMAT") && t.is(k + 1, Tok::Eq)) k += 3;
      if (depth >= kMaxNesting) return "statements nested too deep";
      return check_query(t.rest(k), options, ctx, depth + 1);
    }
    case StatementKind::Begin:
      // BEGIN [WORK] or START TRANSACTION ...: anything else after BEGIN is a compound
      // statement (sql_mode=ORACLE) and is not a read.
      if (t.word(0, "BEGIN") && !(t.size() == 1 || (t.size() == 2 && t.word(1, "WORK")))) {
        return "BEGIN starts a compound statement here";
      }
      return side_effects(t);
    case StatementKind::Set: {
      if (t.word(1, "PASSWORD")) return "SET PASSWORD changes an account";
      if (t.word(1, "DEFAULT") && t.word(2, "ROLE")) return "SET DEFAULT ROLE changes an account";
      if (t.word(1, "STATEMENT")) {
        // SET STATEMENT var=value[, ...] FOR <statement>: the statement is what runs.
        int level = 0;
        for (size_t k = 2; k < t.size(); ++k) {
          if (t.is(k, Tok::LParen)) ++level;
          if (t.is(k, Tok::RParen)) --level;
          if (level == 0 && t.word(k, "FOR")) {
            if (depth >= kMaxNesting) return "statements nested too deep";
            return check_query(t.rest(k + 1), options, ctx, depth + 1);
          }
        }
        return "SET STATEMENT without FOR";
      }
      for (size_t k = 1; k < t.size(); ++k) {
        if (t.word(k, "GLOBAL") || t.word(k, "PERSIST") || t.word(k, "PERSIST_ONLY")) {
          return "SET " + std::string(t.text(k)) + " changes the server for everyone";
        }
        if (t.v[k].type == Tok::SysVar) {
          std::string_view v = t.text(k);
          if (v.size() > 2 &&
              (iequals_upper(v.substr(2, std::min<size_t>(7, v.size() - 2)), "GLOBAL.") ||
               iequals_upper(v.substr(2, std::min<size_t>(8, v.size() - 2)), "PERSIST."))) {
            return "SET " + std::string(v) + " changes the server for everyone";
          }
        }
      }
      return side_effects(t);
    }
    case StatementKind::LockTables:
      for (size_t k = 0; k < t.size(); ++k) {
        if (t.word(k, "WRITE")) return "LOCK TABLES ... WRITE";
      }
      return side_effects(t);
    case StatementKind::Deallocate:
      // DEALLOCATE PREPARE name / DROP PREPARE name
      if (t.size() >= 3) ctx.verdict.deallocated.push_back(name_of(t, 2));
      return {};
    case StatementKind::Prepare:
    case StatementKind::Execute: {
      bool dynamic = false, non_ascii = false;
      auto text = dynamic_text(t, options, &dynamic, &non_ascii);
      if (dynamic) {
        return std::string(st.info.kind == StatementKind::Prepare ? "PREPARE"
                                                                  : "EXECUTE IMMEDIATE") +
               " of a text that is not a string literal cannot be checked";
      }
      if (!text) {
        // EXECUTE name [USING ...]: only statements this session prepared after the check.
        if (st.info.kind == StatementKind::Execute && t.size() >= 2 &&
            (t.v[1].type == Tok::Ident || t.v[1].type == Tok::QuotedIdent)) {
          std::string name = name_of(t, 1);
          const auto& mine = ctx.verdict.prepared;
          if (ctx.prepared.count(name) || std::find(mine.begin(), mine.end(), name) != mine.end()) {
            return {};
          }
          return "EXECUTE of '" + name + "', which this session did not PREPARE as a read";
        }
        return "PREPARE needs a name and FROM '<statement>'";
      }
      if (non_ascii && !ctx.charsets_agree) {
        return "a prepared text with non-ASCII bytes while character_set_connection differs "
               "from character_set_client cannot be checked";
      }
      if (depth >= kMaxNesting) return "statements nested too deep";
      std::string inner = check_query(*text, options, ctx, depth + 1);
      if (!inner.empty()) return inner;
      if (st.info.kind == StatementKind::Prepare) ctx.verdict.prepared.push_back(name_of(t, 1));
      return {};
    }
    case StatementKind::Other:
      if (t.word(first, "HELP")) return {};
      if (t.word(first, "BEGIN") || t.word(first, "IF") || t.word(first, "CASE") ||
          t.word(first, "WHILE") || t.word(first, "LOOP") || t.word(first, "REPEAT") ||
          t.word(first, "FOR") || t.is(first + 1, Tok::Colon)) {
        return "compound statements are not checked statement by statement";
      }
      if (t.word(first, "GRANT") || t.word(first, "REVOKE"))
        return "GRANT / REVOKE change accounts";
      return "'" + std::string(t.size() > first ? t.text(first) : "") +
             "' statements are not reads";
    case StatementKind::Call:
      return "CALL runs a procedure that may write";
    case StatementKind::LoadData:
      return "LOAD DATA writes rows";
    case StatementKind::OtherDdl:
      if (t.word(first, "CREATE") || t.word(first, "ALTER") || t.word(first, "DROP") ||
          t.word(first, "RENAME")) {
        return std::string(t.text(first)) + " " +
               std::string(t.size() > first + 1 ? t.text(first + 1) : "") +
               " changes the schema or accounts";
      }
      return refused_kind(st.info.kind);
    default:
      return refused_kind(st.info.kind);
  }
}

std::string check_query(std::string_view text, const LexOptions& options, ReadOnlyContext& ctx,
                        int depth) {
  std::vector<LexOptions> lexings;
  if (!sql::every_lexing(text, options, lexings)) {
    return "it has too many version-dependent comments to check";
  }
  std::vector<sql::SplitStatement> statements;
  for (const auto& o : lexings) {
    statements.clear();
    sql::split_statements(text, o, statements);
    for (size_t i = 0; i < statements.size(); ++i) {
      if (i + 1 < statements.size() && changes_lexing(statements[i])) {
        return "a statement that may change sql_mode or the character set must be the last of "
               "a multi-statement (send the rest separately)";
      }
      std::string why = check_statement(statements[i], o, ctx, depth);
      if (!why.empty()) return why;
    }
  }
  return {};
}

void add_candidates(std::string_view text, const LexOptions& options, int depth,
                    BlackSqlCandidates& out);

// A statement and, when it runs a literal text, that text's statements. `top`: a statement of
// the client's own text (not inside a compound statement, program body or prepared text).
void add_statement(std::string_view text, const LexOptions& options, int depth, bool top,
                   BlackSqlCandidates& out) {
  out.texts.emplace_back(std::string(text), options);
  Tokens t(text, options);
  bool dynamic = false, non_ascii = false;
  auto inner = dynamic_text(t, options, &dynamic, &non_ascii);
  if (dynamic && !(top && depth == 0)) {
    // Its text is made when the program runs, after any check Tessera could make. (The
    // client's own PREPARE ... FROM @v is read on its connection first: find_dynamic_sql.)
    out.refusal =
        "SQL built at run time (PREPARE ... FROM or EXECUTE IMMEDIATE of a variable or "
        "expression) inside a compound statement, stored program or prepared text cannot be "
        "checked";
    return;
  }
  if (!inner) return;
  if (depth >= kMaxNesting) {
    out.refusal = "prepared statement texts nested too deep";
    return;
  }
  add_candidates(*inner, options, depth + 1, out);
}

void add_candidates(std::string_view text, const LexOptions& options, int depth,
                    BlackSqlCandidates& out) {
  std::vector<LexOptions> lexings;
  if (!sql::every_lexing(text, options, lexings)) {
    out.refusal = "the statement has too many version-dependent comments to check";
    return;
  }
  std::vector<sql::SplitStatement> statements;
  std::vector<std::string_view> inner;
  for (const auto& o : lexings) {
    statements.clear();
    sql::split_statements(text, o, statements);
    for (size_t i = 0; i < statements.size(); ++i) {
      if (i + 1 < statements.size() && changes_lexing(statements[i])) {
        out.refusal =
            "a statement that may change sql_mode or the character set must be the last of a "
            "multi-statement (send the rest separately)";
        return;
      }
      add_statement(statements[i].text, o, depth, /*top=*/true, out);
      inner.clear();
      sql::inner_statements(statements[i].text, o, inner);
      for (auto s : inner) add_statement(s, o, depth, /*top=*/false, out);
      if (!out.refusal.empty()) return;
    }
  }
}

}  // namespace

LexOptions lex_options_for(std::string_view sql_mode, std::string_view client_charset) {
  // Asked for every statement, nearly always with the values asked last: reading the sql_mode
  // list again each time cost more than classifying a short statement. Kept per thread (each
  // worker's sessions mostly share their sql_mode).
  struct Last {
    std::string sql_mode;
    std::string client_charset;
    LexOptions options;
    bool valid = false;
  };
  thread_local Last last;
  if (last.valid && last.sql_mode == sql_mode && last.client_charset == client_charset) {
    return last.options;
  }
  LexOptions o;
  size_t pos = 0;
  while (pos <= sql_mode.size()) {
    size_t comma = sql_mode.find(',', pos);
    if (comma == std::string_view::npos) comma = sql_mode.size();
    std::string_view mode = sql_mode.substr(pos, comma - pos);
    while (!mode.empty() && mode.front() == ' ') mode.remove_prefix(1);
    while (!mode.empty() && mode.back() == ' ') mode.remove_suffix(1);
    if (iequals_upper(mode, "NO_BACKSLASH_ESCAPES")) o.no_backslash_escapes = true;
    // The combination modes that include ANSI_QUOTES.
    for (auto m : {"ANSI_QUOTES", "ANSI", "DB2", "MAXDB", "MSSQL", "ORACLE", "POSTGRESQL"}) {
      if (iequals_upper(mode, m)) o.ansi_quotes = true;
    }
    pos = comma + 1;
  }
  o.multibyte = multibyte_of(client_charset);
  last.sql_mode.assign(sql_mode);
  last.client_charset.assign(client_charset);
  last.options = o;
  last.valid = true;
  return o;
}

LexOptions lex_options(const SessionState& state) {
  auto mode = state.vars.find("sql_mode");
  auto cs = state.vars.find("character_set_client");
  return lex_options_for(mode == state.vars.end() ? std::string_view() : mode->second,
                         cs == state.vars.end() ? charset_of_id(state.collation) : cs->second);
}

bool charsets_agree(const SessionState& state) {
  auto client = state.vars.find("character_set_client");
  auto conn = state.vars.find("character_set_connection");
  std::string_view handshake = charset_of_id(state.collation);
  std::string_view a = client == state.vars.end() ? handshake : std::string_view(client->second);
  std::string_view b = conn == state.vars.end() ? handshake : std::string_view(conn->second);
  return lower(a) == lower(b);
}

bool may_hold_several_statements(std::string_view sql, const LexOptions& options, size_t* second) {
  *second = 0;
  std::vector<LexOptions> lexings;
  if (!sql::every_lexing(sql, options, lexings)) return true;
  for (const auto& o : lexings) {
    sql::StatementInfo info = sql::classify(sql, o);
    if (info.is_multi_statement) {
      size_t at = info.next;
      while (at < sql.size() && (sql[at] == ' ' || sql[at] == '\t' || sql[at] == '\n' ||
                                 sql[at] == '\r' || sql[at] == '\f' || sql[at] == '\v')) {
        ++at;
      }
      *second = at;
      return true;
    }
  }
  return false;
}

ReadOnlyVerdict check_read_only(std::string_view sql, const LexOptions& options,
                                const std::set<std::string>& prepared, bool agree) {
  ReadOnlyVerdict verdict;
  ReadOnlyContext ctx{prepared, agree, verdict};
  verdict.refusal = check_query(sql, options, ctx, 0);
  if (!verdict.refusal.empty()) {
    verdict.prepared.clear();
    verdict.deallocated.clear();
  }
  return verdict;
}

BlackSqlCandidates black_sql_candidates(std::string_view sql, const LexOptions& options) {
  BlackSqlCandidates out;
  add_candidates(sql, options, 0, out);
  return out;
}

bool holds_kill(std::string_view sql, const LexOptions& options) {
  if (!sql::icontains(sql, "kill")) return false;
  std::vector<sql::SplitStatement> split;
  for (const auto& [text, lex] : black_sql_candidates(sql, options).texts) {
    split.clear();
    sql::split_statements(text, lex, split);
    for (const auto& st : split) {
      if (st.info.kind == StatementKind::Kill) return true;
    }
    // A stored program's body without BEGIN (`CREATE PROCEDURE p() KILL 5`, a trigger's or an
    // event's single statement) is not among the candidates: any bare KILL word in a CREATE.
    sql::Lexer lexer(text, false, lex);
    Token first = lexer.next();
    if (first.type != Tok::Ident || !sql::iequals(first.text(text), "create")) continue;
    for (Token t = lexer.next(); t.type != Tok::End; t = lexer.next()) {
      if (t.type == Tok::Ident && sql::iequals(t.text(text), "kill")) return true;
    }
  }
  return false;
}

namespace {

// find_dynamic_sql for one reading of the text.
DynamicSql dynamic_sql_in(std::string_view sql, const LexOptions& options, int depth) {
  DynamicSql out;
  std::vector<sql::SplitStatement> statements;
  sql::split_statements(sql, options, statements);
  size_t real = 0;
  for (const auto& st : statements) real += st.info.kind != StatementKind::Empty;
  for (const auto& st : statements) {
    if (st.info.kind == StatementKind::Empty) continue;
    Tokens t(st.text, options);
    bool dynamic = false, non_ascii = false;
    auto literal = dynamic_text(t, options, &dynamic, &non_ascii);
    if (literal) {
      // PREPARE s FROM 'EXECUTE IMMEDIATE @v': read by the server only as it runs.
      if (depth >= kMaxNesting ||
          dynamic_sql_in(*literal, options, depth + 1).where != DynamicSql::Where::kNone) {
        out.where = DynamicSql::Where::kElsewhere;
        return out;
      }
      continue;
    }
    if (!dynamic) continue;
    const bool prepare = t.word(0, "PREPARE");
    const size_t at = prepare ? 3 : 2;
    size_t end = t.size();
    if (!prepare) {
      // EXECUTE IMMEDIATE <expression> [USING ...]: USING outside parentheses ends it.
      int level = 0;
      for (size_t k = at; k < t.size(); ++k) {
        if (t.is(k, Tok::LParen)) ++level;
        if (t.is(k, Tok::RParen)) --level;
        if (level == 0 && t.word(k, "USING")) {
          end = k;
          break;
        }
      }
    }
    if (end <= at) continue;  // no text at all: the server's syntax error, nothing runs
    if (real != 1 || depth > 0) {
      out.where = DynamicSql::Where::kElsewhere;
      return out;
    }
    const size_t base = static_cast<size_t>(st.text.data() - sql.data());
    out.where = DynamicSql::Where::kWhole;
    out.expr_begin = base + t.v[at].off;
    out.expr_end = base + t.v[end - 1].off + t.v[end - 1].len;
    out.variable = end == at + 1 && t.v[at].type == Tok::UserVar;
  }
  return out;
}

}  // namespace

DynamicSql find_dynamic_sql(std::string_view sql, const LexOptions& options) {
  // Hot path: most texts hold neither word.
  if (!sql::icontains(sql, "prepare") && !sql::icontains(sql, "immediate")) return {};
  std::vector<LexOptions> lexings;
  DynamicSql out;
  if (!sql::every_lexing(sql, options, lexings)) {
    out.where = DynamicSql::Where::kElsewhere;  // nothing can be promised about what runs
    return out;
  }
  bool first = true;
  for (const auto& o : lexings) {
    DynamicSql one = dynamic_sql_in(sql, o, 0);
    if (first) {
      out = one;
      first = false;
      continue;
    }
    // Readings that disagree on where the expression is: no one value can be read for them.
    if (one.where != out.where || one.expr_begin != out.expr_begin ||
        one.expr_end != out.expr_end || one.variable != out.variable) {
      if (one.where != DynamicSql::Where::kNone || out.where != DynamicSql::Where::kNone) {
        out = {};
        out.where = DynamicSql::Where::kElsewhere;
        return out;
      }
    }
  }
  return out;
}

std::optional<std::string> quote_literal(std::string_view value, const LexOptions& options) {
  std::string out;
  out.reserve(value.size() + 2);
  out.push_back('\'');
  const char* p = value.data();
  const char* end = p + value.size();
  while (p < end) {
    size_t len = sql::multibyte_length(options.multibyte, p, end);
    if (len == 1) {
      if (*p == '\'') out.push_back('\'');
      if (*p == '\\' && !options.no_backslash_escapes) out.push_back('\\');
    }
    out.append(p, len);
    p += len;
  }
  out.push_back('\'');
  // Read back as the server would: one string token, the same bytes.
  sql::Lexer lexer(out, false, options);
  Token t = lexer.next();
  if (t.type != Tok::String || t.off != 0 || t.len != out.size()) return std::nullopt;
  if (lexer.next().type != Tok::End) return std::nullopt;
  if (sql::unescape_string_literal(out, options) != value) return std::nullopt;
  return out;
}

}  // namespace tessera::session
