#include "session/xa_scope.h"

#include <charconv>
#include <cstring>

#include "session/statement_guard.h"
#include "sql/ascii_case.h"
#include "sql/hex_digits.h"
#include "sql/statement_split.h"

namespace tessera::session {

using sql::Tok;
using sql::Token;

namespace {

constexpr uint16_t kNotSupportedYet = 1235;  // ER_NOT_SUPPORTED_YET
constexpr uint16_t kXaerInval = 1398;        // XAER_INVAL

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// The bytes of a gtrid/bqual literal: '...' (or "..." without ANSI_QUOTES), X'..', 0x...
std::optional<std::string> literal_bytes(const Token& t, std::string_view sql,
                                         const sql::LexOptions& lex) {
  std::string_view text = t.text(sql);
  switch (t.type) {
    case Tok::String:
      return sql::unescape_string_literal(text, lex);
    case Tok::HexString:  // X'..'
      if (text.size() < 3) return std::nullopt;
      return sql::decode_hex(text.substr(2, text.size() - 3));
    case Tok::HexNumber: {  // 0x..: an odd count has a leading 0 nibble
      std::string digits(text.substr(2));
      if (digits.size() % 2) digits.insert(digits.begin(), '0');
      return sql::decode_hex(digits);
    }
    default:
      return std::nullopt;
  }
}

bool word(const Token& t, std::string_view sql, std::string_view w) {
  return t.type == Tok::Ident && sql::iequals(t.text(sql), w);
}

ScopedXa refused(uint16_t code, std::string message) {
  ScopedXa out;
  out.kind = ScopedXa::Kind::kRefused;
  out.error_code = code;
  out.error = std::move(message);
  return out;
}

ScopedXa unsupported(std::string_view what) {
  return refused(kNotSupportedYet,
                 "This version of Tessera doesn't yet support '" + std::string(what) + "'");
}

bool is_xa_verb(std::string_view w) {
  for (std::string_view v : {"START", "BEGIN", "END", "PREPARE", "COMMIT", "ROLLBACK", "RECOVER"})
    if (sql::iequals(w, v)) return true;
  return false;
}

}  // namespace

std::string xa_namespace_prefix(std::string_view ns) {
  // FNV-1a: stable across builds and instances, which std::hash is not.
  uint32_t h = 2166136261u;
  for (unsigned char c : ns) {
    h ^= c;
    h *= 16777619u;
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "n";
  for (int shift = 28; shift >= 0; shift -= 4) out.push_back(kDigits[(h >> shift) & 15]);
  out.push_back(':');
  return out;
}

ScopedXa scope_xa(std::string_view sql, const sql::LexOptions& lex, std::string_view prefix) {
  sql::Lexer lexer(sql, false, lex);
  std::vector<Token> toks;
  for (Token t = lexer.next(); t.type != Tok::End; t = lexer.next()) {
    if (t.type == Tok::Error) return unsupported("this XA statement");
    if (t.type == Tok::Semicolon) break;  // a trailing ';' (classify said: one statement)
    toks.push_back(t);
  }
  if (toks.size() < 2 || !word(toks[0], sql, "XA")) return unsupported("this XA statement");
  if (word(toks[1], sql, "RECOVER")) {
    // XA RECOVER [FORMAT = 'RAW']. FORMAT='SQL' prints the xid as SQL text, which would have
    // to be re-printed without the prefix: not done.
    if (toks.size() == 2) {
      ScopedXa out;
      out.kind = ScopedXa::Kind::kRecover;
      return out;
    }
    if (toks.size() == 5 && word(toks[2], sql, "FORMAT") && toks[3].type == Tok::Eq &&
        toks[4].type == Tok::String &&
        sql::iequals(sql::unescape_string_literal(toks[4].text(sql), lex), "RAW")) {
      ScopedXa out;
      out.kind = ScopedXa::Kind::kRecover;
      return out;
    }
    return unsupported("XA RECOVER FORMAT='SQL' (use XA RECOVER)");
  }
  if (!is_xa_verb(toks[1].text(sql))) return unsupported("this XA statement");
  // xid: gtrid [, bqual [, formatID]]
  size_t i = 2;
  if (i >= toks.size()) return unsupported("this XA statement");
  auto gtrid = literal_bytes(toks[i++], sql, lex);
  if (!gtrid) return unsupported("an XA transaction id that is not a string or hex literal");
  std::string bqual;
  std::string format = "1";  // the server's default formatID
  if (i < toks.size() && toks[i].type == Tok::Comma) {
    if (++i >= toks.size()) return unsupported("this XA statement");
    auto b = literal_bytes(toks[i++], sql, lex);
    if (!b) return unsupported("an XA branch qualifier that is not a string or hex literal");
    bqual = std::move(*b);
    if (i < toks.size() && toks[i].type == Tok::Comma) {
      if (++i >= toks.size() || toks[i].type != Tok::Integer)
        return unsupported("an XA format id that is not an unsigned integer");
      format = std::string(toks[i++].text(sql));
      uint64_t value = 0;
      auto [p, ec] = std::from_chars(format.data(), format.data() + format.size(), value);
      if (ec != std::errc() || value > 0xFFFFFFFFull)
        return unsupported("an XA format id that is not an unsigned integer");
    }
  }
  if (gtrid->empty()) {
    return refused(kXaerInval, "XAER_INVAL: Invalid arguments (or unsupported command)");
  }
  if (gtrid->size() + prefix.size() > kXaMaxPart || bqual.size() > kXaMaxPart) {
    return refused(kXaerInval,
                   "XAER_INVAL: Invalid arguments: through Tessera an XA gtrid has at most " +
                       std::to_string(kXaMaxPart - prefix.size()) +
                       " bytes (Tessera keeps the others for the namespace's prefix)");
  }
  ScopedXa out;
  out.kind = ScopedXa::Kind::kRewritten;
  out.text.reserve(sql.size() + 2 * (prefix.size() + gtrid->size() + bqual.size()) + 16);
  out.text.append(sql.substr(0, toks[2].off));
  out.text += "X'" + hex(std::string(prefix) + *gtrid) + "',X'" + hex(bqual) + "'," + format;
  // JOIN / RESUME / SUSPEND [FOR MIGRATE] / ONE PHASE and anything else: as the client wrote
  // it (the server judges it).
  out.text.append(sql.substr(toks[i - 1].off + toks[i - 1].len));
  return out;
}

std::optional<std::vector<std::string>> recover_row_for(const std::vector<std::string>& row,
                                                        std::string_view prefix) {
  if (row.size() < 4) return std::nullopt;
  uint64_t gtrid_length = 0;
  const std::string& g = row[1];
  auto [p, ec] = std::from_chars(g.data(), g.data() + g.size(), gtrid_length);
  if (ec != std::errc() || gtrid_length < prefix.size() || gtrid_length > row[3].size())
    return std::nullopt;
  if (std::string_view(row[3]).substr(0, prefix.size()) != prefix) return std::nullopt;
  std::vector<std::string> out = row;
  out[1] = std::to_string(gtrid_length - prefix.size());
  out[3] = row[3].substr(prefix.size());
  return out;
}

std::string recover_answer(const std::vector<std::vector<std::string>>& rows) {
  auto number = [](const std::string& s) {
    for (char c : s)
      if (c < '0' || c > '9') return std::string("0");
    return s.empty() ? std::string("0") : s;
  };
  if (rows.empty()) {
    return "SELECT 0 AS formatID, 0 AS gtrid_length, 0 AS bqual_length, X'' AS data "
           "FROM DUAL WHERE 0";
  }
  std::string out;
  for (const auto& r : rows) {
    if (!out.empty()) out += " UNION ALL ";
    out += "SELECT " + number(r[0]) + " AS formatID, " + number(r[1]) + " AS gtrid_length, " +
           number(r[2]) + " AS bqual_length, X'" + hex(r[3]) + "' AS data";
  }
  return out;
}

namespace {

// A cheap test before lexing, run on every query: "xa" standing as a word, which "exact",
// "max_x" or "hexadecimal" do not (a digit may precede it: /*!100000XA ...*/).
bool mentions_xa_word(std::string_view sql) {
  auto name_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || static_cast<unsigned char>(c) >= 0x80;
  };
  // Asked of every statement: the x's are found with memchr (vectorised), either case.
  const char* const begin = sql.data();
  const char* const end = begin + sql.size();
  auto next_x = [end](const char* from, char x) -> const char* {
    return from < end ? static_cast<const char*>(std::memchr(from, x, end - from)) : nullptr;
  };
  const char* at_lo = next_x(begin, 'x');
  const char* at_up = next_x(begin, 'X');
  while (at_lo || at_up) {
    const bool take_lo = at_lo && (!at_up || at_lo < at_up);
    const char* at = take_lo ? at_lo : at_up;
    const size_t i = static_cast<size_t>(at - begin);
    const bool hit =
        i + 2 <= sql.size() && (sql[i + 1] | 0x20) == 'a' &&
        !(i > 0 && name_char(sql[i - 1]) && !(sql[i - 1] >= '0' && sql[i - 1] <= '9')) &&
        !(i + 2 < sql.size() && name_char(sql[i + 2]));
    if (hit) return true;
    if (take_lo) {
      at_lo = next_x(at + 1, 'x');
    } else {
      at_up = next_x(at + 1, 'X');
    }
  }
  return false;
}

}  // namespace

bool holds_xa(std::string_view sql, const sql::LexOptions& options) {
  if (!mentions_xa_word(sql)) return false;
  std::vector<sql::SplitStatement> split;
  for (const auto& [text, lex] : black_sql_candidates(sql, options).texts) {
    split.clear();
    sql::split_statements(text, lex, split);
    for (const auto& st : split) {
      if (st.info.kind == sql::StatementKind::Xa) return true;
    }
    // A stored program's body without BEGIN (`CREATE PROCEDURE p() XA RECOVER`): any XA
    // followed by one of its verbs in a CREATE.
    sql::Lexer lexer(text, false, lex);
    Token first = lexer.next();
    if (!word(first, text, "create")) continue;
    bool after_xa = false;
    for (Token t = lexer.next(); t.type != Tok::End; t = lexer.next()) {
      if (after_xa && t.type == Tok::Ident && is_xa_verb(t.text(text))) return true;
      after_xa = word(t, text, "xa");
    }
  }
  return false;
}

}  // namespace tessera::session
