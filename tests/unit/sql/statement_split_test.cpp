// Statement splitting as the server does it, under each sql_mode and client character set that
// changes where a statement ends (issue 15, defect 4).
#include "sql/statement_split.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sql/fingerprint.h"

namespace tessera::sql {
namespace {

std::vector<std::string> split(std::string_view sql, const LexOptions& o = {}) {
  std::vector<SplitStatement> st;
  split_statements(sql, o, st);
  std::vector<std::string> out;
  for (auto& s : st) {
    std::string t(s.text);
    while (!t.empty() && t.front() == ' ') t.erase(t.begin());
    while (!t.empty() && t.back() == ' ') t.pop_back();
    out.push_back(t);
  }
  return out;
}

LexOptions nbe() {
  LexOptions o;
  o.no_backslash_escapes = true;
  return o;
}
LexOptions ansi() {
  LexOptions o;
  o.ansi_quotes = true;
  return o;
}
LexOptions mb(Multibyte m) {
  LexOptions o;
  o.multibyte = m;
  return o;
}

TEST(StatementSplit, PlainMultiStatement) {
  EXPECT_EQ(split("SELECT 1; DELETE FROM t"),
            (std::vector<std::string>{"SELECT 1", "DELETE FROM t"}));
  EXPECT_EQ(split("SELECT 1;"), (std::vector<std::string>{"SELECT 1"}));
  EXPECT_EQ(split("SELECT ';'; SELECT 2").size(), 2u);
  // Stored-program bodies stay whole.
  EXPECT_EQ(split("CREATE PROCEDURE p() BEGIN SELECT 1; DELETE FROM t; END").size(), 1u);
  EXPECT_EQ(split("BEGIN NOT ATOMIC SELECT 1; DELETE FROM t; END").size(), 1u);
}

TEST(StatementSplit, NoBackslashEscapes) {
  std::string_view q = "SELECT '\\'; DELETE FROM t; -- '";
  EXPECT_EQ(split(q).size(), 1u);  // default: \' is an escaped quote
  auto s = split(q, nbe());
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1], "DELETE FROM t");
  EXPECT_FALSE(classify(q).is_multi_statement);
  EXPECT_TRUE(classify(q, nbe()).is_multi_statement);
}

TEST(StatementSplit, AnsiQuotes) {
  std::string_view q = "SELECT \"\\\"; DELETE FROM t; -- \"";
  EXPECT_EQ(split(q).size(), 1u);
  auto s = split(q, ansi());
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1], "DELETE FROM t");
  // Under ANSI_QUOTES "x" is a name.
  Lexer lx("\"a b\"", false, ansi());
  EXPECT_EQ(lx.next().type, Tok::QuotedIdent);
}

TEST(StatementSplit, MultibyteSecondByteBackslash) {
  struct Case {
    Multibyte m;
    const char* lead;
  };
  // A lead byte of each set followed by 0x5c ('\'): one character, so the quote after it
  // ends the string.
  for (Case c : {Case{Multibyte::kGbk, "\xbf"}, Case{Multibyte::kSjis, "\x81"},
                 Case{Multibyte::kSjis, "\xe0"}, Case{Multibyte::kBig5, "\xa1"},
                 Case{Multibyte::kGb18030, "\x81"}}) {
    std::string q = std::string("SELECT '") + c.lead + "\\'; DELETE FROM t; -- '";
    EXPECT_EQ(split(q).size(), 1u) << q;
    auto s = split(q, mb(c.m));
    ASSERT_EQ(s.size(), 2u) << q;
    EXPECT_EQ(s[1], "DELETE FROM t");
  }
  // 0x81 is no big5 lead byte: there the backslash escapes the quote.
  EXPECT_EQ(split("SELECT '\x81\\'; DELETE FROM t; -- '", mb(Multibyte::kBig5)).size(), 1u);
  // gb18030 four-byte characters are whole, their ASCII digits are not quotes.
  EXPECT_EQ(
      split("SELECT '\x81\x30\x81\x30\\'; DELETE FROM t; -- '", mb(Multibyte::kGb18030)).size(),
      1u);
}

TEST(StatementSplit, MultibyteSecondByteBacktick) {
  // 0xbf 0x60 is one gbk character inside a name: no quoted name starts there.
  std::string_view q = "SELECT a\xbf`; DELETE FROM t; -- `";
  EXPECT_EQ(split(q).size(), 1u);
  EXPECT_EQ(split(q, mb(Multibyte::kGbk)).size(), 2u);
  std::string_view v = "SELECT @a\xbf`; DELETE FROM t; -- `";
  EXPECT_EQ(split(v).size(), 1u);
  EXPECT_EQ(split(v, mb(Multibyte::kGbk)).size(), 2u);
  // Inside a quoted name the character is skipped whole too.
  std::string_view w = "SELECT `\xbf`` FROM t; DELETE FROM t; -- `";
  EXPECT_EQ(split(w, mb(Multibyte::kGbk)).size(), 2u);
}

TEST(StatementSplit, DashDashBeforeDel) {
  // "--" followed by 0x7f (a control character to the server) starts a comment.
  std::string q = "SELECT 1 --\x7f '\n; DELETE FROM t; -- '";
  EXPECT_EQ(split(q).size(), 2u);
}

TEST(StatementSplit, NestedExecutableComment) {
  // The server runs a /*! inside /*! as code too; its first */ ends both.
  auto s = split("SELECT 1 /*! /*! ; DELETE FROM t */ ;*/");
  ASSERT_GE(s.size(), 2u);
  EXPECT_EQ(s[1].substr(0, 13), "DELETE FROM t");
}

TEST(StatementSplit, VersionDependentComments) {
  std::vector<LexOptions> lexings;
  ASSERT_TRUE(every_lexing("SELECT /*!40101 1 */", {}, lexings));
  EXPECT_EQ(lexings.size(), 1u);  // < 50700: code on every server
  EXPECT_FALSE(classify("SELECT /*!40101 1 */").has_dependent_comment);
  EXPECT_TRUE(classify("SELECT /*!50700 1 */").has_dependent_comment);
  EXPECT_TRUE(classify("SELECT /*M!100100 1 */").has_dependent_comment);

  // A comment MariaDB skips (version above it) hides a quote: the ';' after it is real there.
  std::string_view q = "SELECT 1 /*!999999 '*/; DELETE FROM t; -- '";
  EXPECT_FALSE(classify(q).is_multi_statement);  // read as code
  ASSERT_TRUE(every_lexing(q, {}, lexings));
  bool multi = false;
  for (auto& o : lexings) multi |= classify(q, o).is_multi_statement;
  EXPECT_TRUE(multi);

  // The classic hiding trick: to MariaDB 10.x /*!50700 ... */ is a comment.
  std::string_view h = "/*!50701 SELECT 1 FROM (*/ DELETE FROM t";
  EXPECT_EQ(classify(h).kind, StatementKind::Select);
  ASSERT_TRUE(every_lexing(h, {}, lexings));
  bool saw_delete = false;
  for (auto& o : lexings) saw_delete |= classify(h, o).kind == StatementKind::Delete;
  EXPECT_TRUE(saw_delete);
  EXPECT_FALSE(classify(h).is_read());
}

TEST(StatementSplit, FiveOrSixDigitsAreAVersion) {
  // "/*!1234 x */": four digits are code, not a version.
  Lexer lx("/*!1234 x */");
  Token t = lx.next();
  EXPECT_EQ(t.type, Tok::Integer);
  EXPECT_EQ(t.text("/*!1234 x */"), "1234");
}

TEST(StatementSplit, InnerStatements) {
  std::vector<std::string_view> inner;
  inner_statements("BEGIN NOT ATOMIC SELECT 1; IF 1 THEN DELETE FROM t; END IF; END", {}, inner);
  bool found = false;
  for (auto s : inner) found |= s == "DELETE FROM t";
  EXPECT_TRUE(found);
  inner.clear();
  inner_statements("CREATE TRIGGER tr AFTER INSERT ON a FOR EACH ROW DELETE FROM t", {}, inner);
  found = false;
  for (auto s : inner) found |= s == "DELETE FROM t";
  EXPECT_TRUE(found);
}

TEST(StatementSplit, UnescapeLiteral) {
  EXPECT_EQ(unescape_string_literal("'a\\'b'", {}), "a'b");
  EXPECT_EQ(unescape_string_literal("'it''s'", {}), "it's");
  EXPECT_EQ(unescape_string_literal("'a\\nb'", {}), "a\nb");
  EXPECT_EQ(unescape_string_literal("'a\\'", nbe()), "a\\");
  EXPECT_EQ(unescape_string_literal("'\xbf\\'", mb(Multibyte::kGbk)), "\xbf\\");
  EXPECT_EQ(unescape_string_literal("N'x'", {}), "x");
}

TEST(BlackSqlForm, FoldsQualifiersAndConstantConditions) {
  std::string scratch;
  auto form = [&](std::string_view s) { return black_sql_form(s, scratch).text; };
  EXPECT_EQ(form("DELETE FROM t"), form("delete from db.t"));
  EXPECT_EQ(form("DELETE FROM t"), form("DELETE FROM `db`.`t` WHERE 1"));
  EXPECT_EQ(form("DELETE FROM t"), form("DELETE FROM t WHERE 1=1"));
  EXPECT_EQ(form("DELETE FROM t"), form("DELETE FROM t WHERE TRUE"));
  EXPECT_EQ(form("DELETE FROM t"), form("DELETE FROM t WHERE ('a' = 'a')"));
  EXPECT_EQ(form("SELECT * FROM t WHERE id = 5"), form("SELECT * FROM t WHERE 1=1 AND id = 7"));
  EXPECT_EQ(form("SELECT * FROM t WHERE id = 5"), form("SELECT * FROM t WHERE id = 7 AND 1"));
  EXPECT_EQ(form("SELECT t.a FROM t"), form("SELECT a FROM d.t"));
  // Not folded: a condition with a top-level OR that is not constant as a whole, and names.
  EXPECT_NE(form("DELETE FROM t"), form("DELETE FROM t WHERE 1 OR id = 5"));
  EXPECT_NE(form("DELETE FROM t"), form("DELETE FROM t WHERE id"));
  EXPECT_NE(form("SELECT * FROM t WHERE id BETWEEN 1 AND 2"), form("SELECT * FROM t"));
  // ANSI_QUOTES names fingerprint like backtick-quoted ones.
  LexOptions a;
  a.ansi_quotes = true;
  EXPECT_EQ(black_sql_form("DELETE FROM \"my t\"", scratch, a).text, form("DELETE FROM `my t`"));
}

}  // namespace
}  // namespace tessera::sql
