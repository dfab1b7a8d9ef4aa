#include "sql/lexer.h"

#include "sql/ascii_case.h"

#include <gtest/gtest.h>

#include <vector>

namespace tessera::sql {
namespace {

std::vector<Token> lex(std::string_view s) {
  Lexer lx(s);
  std::vector<Token> out;
  for (;;) {
    Token t = lx.next();
    if (t.type == Tok::End) break;
    out.push_back(t);
  }
  return out;
}

TEST(Lexer, LiteralForms) {
  std::string_view s =
      "'a''b\\'c' \"d\" N'x' X'1F' x'ab' B'101' 0x1F 0b11 12 1.5 .5 1e5 1.5E-3 ? @v @@session.x";
  auto t = lex(s);
  std::vector<Tok> want = {Tok::String,    Tok::String,    Tok::NString,   Tok::HexString,
                           Tok::HexString, Tok::BitString, Tok::HexNumber, Tok::BitNumber,
                           Tok::Integer,   Tok::Decimal,   Tok::Decimal,   Tok::Float,
                           Tok::Float,     Tok::Param,     Tok::UserVar,   Tok::SysVar};
  ASSERT_EQ(t.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(t[i].type, want[i]) << i;
  EXPECT_EQ(t.back().text(s), "@@session.x");
}

// The backslash search stops at the literal's closing quote (linear lexing of many literals):
// escapes before it, after a doubled quote, at the very end, and backslashes that belong to the
// next literal or to no literal at all still end each literal where the server ends it.
TEST(Lexer, StringEndsWhereTheServerEndsIt) {
  struct Case {
    std::string_view sql;
    std::vector<std::string_view> strings;  // the String tokens' texts, in order
  };
  const std::vector<Case> cases = {
      {"'a' 'b\\\\'", {"'a'", "'b\\\\'"}},   {"'a\\\\' || 'b'", {"'a\\\\'", "'b'"}},
      {"'a\\'' || 'b'", {"'a\\''", "'b'"}},  {"'a''\\'' 'c'", {"'a''\\''", "'c'"}},
      {"'x' + `a\\` + 'y'", {"'x'", "'y'"}}, {"'' ''''", {"''", "''''"}},
  };
  for (const auto& c : cases) {
    std::vector<std::string_view> got;
    for (const Token& t : lex(c.sql)) {
      if (t.type == Tok::String) got.push_back(t.text(c.sql));
    }
    EXPECT_EQ(got, c.strings) << c.sql;
  }
  // Unterminated: an escaped quote at the very end, a backslash as the last byte.
  for (std::string_view sql : {"SELECT 'a\\'", "SELECT 'a\\", "SELECT 'x' || 'a"}) {
    auto t = lex(sql);
    ASSERT_FALSE(t.empty()) << sql;
    EXPECT_EQ(t.back().type, Tok::Error) << sql;
  }
  // Many literals, one after another, each its own token.
  std::string chain = "SELECT ";
  for (int i = 0; i < 1000; ++i) chain += i ? " COLLATE utf8mb4_bin || 'x\\'y'" : "'x\\'y'";
  size_t strings = 0;
  for (const Token& t : lex(chain)) strings += t.type == Tok::String && t.text(chain) == "'x\\'y'";
  EXPECT_EQ(strings, 1000u);
}

TEST(Lexer, IdentifiersAndKeywords) {
  std::string_view s = "SELECT `a``b`, 1abc, t.5 FROM x";
  auto t = lex(s);
  ASSERT_EQ(t.size(), 10u);
  EXPECT_EQ(t[0].kw, Kw::SELECT);
  EXPECT_EQ(t[1].type, Tok::QuotedIdent);
  EXPECT_EQ(t[3].type, Tok::Ident);
  EXPECT_EQ(t[3].text(s), "1abc");
  EXPECT_EQ(t[5].type, Tok::Ident);
  EXPECT_EQ(t[6].type, Tok::Dot);
  EXPECT_EQ(t[7].type, Tok::Integer);
  EXPECT_EQ(t[8].kw, Kw::FROM);
}

TEST(Lexer, Comments) {
  std::string_view s = "SELECT 1 -- c\n, 2 # c\n, /* c */ 3 --x";
  auto t = lex(s);
  // --x is minus minus x
  ASSERT_EQ(t.size(), 9u);
  EXPECT_EQ(t[5].text(s), "3");
  EXPECT_EQ(t[6].type, Tok::Minus);
}

TEST(Lexer, ExecutableCommentsAreCode) {
  std::string_view s = "CREATE /*!32302 TEMPORARY */ TABLE /*M!100100 IF NOT EXISTS */ t";
  auto t = lex(s);
  ASSERT_EQ(t.size(), 7u);
  EXPECT_EQ(t[1].kw, Kw::TEMPORARY);
  EXPECT_EQ(t[3].kw, Kw::IF);
}

TEST(Lexer, HintToken) {
  std::string_view s = "SELECT /*+ MAX_EXECUTION_TIME(1) */ 1";
  auto t = lex(s);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[1].type, Tok::Hint);
}

TEST(Lexer, Operators) {
  auto t = lex("<=> <= >= <> != := -> ->> << >> && ||");
  std::vector<Tok> want = {Tok::NullSafeEq, Tok::Le,     Tok::Ge,     Tok::Ne,
                           Tok::Ne,         Tok::Assign, Tok::Arrow,  Tok::LongArrow,
                           Tok::Shl,        Tok::Shr,    Tok::AndAnd, Tok::OrOr};
  ASSERT_EQ(t.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(t[i].type, want[i]) << i;
}

TEST(Lexer, UnterminatedString) {
  auto t = lex("SELECT 'abc");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[1].type, Tok::Error);
}

// The cheap pre-lexing scan statements are filtered by (KILL, processlist, a variable name).
TEST(AsciiCase, Icontains) {
  EXPECT_TRUE(icontains("select 1; KiLl 5", "kill"));
  EXPECT_TRUE(icontains("SELECT * FROM information_schema.PROCESSLIST", "processlist"));
  EXPECT_TRUE(icontains("kill", "KILL"));
  EXPECT_FALSE(icontains("kil", "kill"));
  EXPECT_FALSE(icontains("SELECT 'ki ll'", "kill"));
  EXPECT_FALSE(icontains("", "kill"));
  EXPECT_TRUE(icontains("anything", ""));
  // Only ASCII letters fold: bytes of other characters compare as they are.
  EXPECT_FALSE(icontains("\xc3\x9f", "ss"));
  EXPECT_FALSE(icontains("@ILL", "`ill"));
  // Text beyond ASCII around and inside: found only where the ASCII word itself stands.
  EXPECT_TRUE(icontains("SELECT '\xf0\x9f\x98\x80 ß Ø' FROM information_schema.ProcessList",
                        "processlist"));
  EXPECT_FALSE(icontains("SELECT '\xef\xbc\xb0ROCESSLIST'", "processlist"));  // fullwidth Ｐ
  EXPECT_FALSE(icontains("SELECT 'PROCESSL\xc4\xb0ST'", "processlist"));      // dotted İ
  // Candidates of both cases, in order, up to the last start that fits.
  EXPECT_TRUE(icontains("Sss_sEssion_Session_status", "session_status"));
  EXPECT_TRUE(icontains("xxKILL", "kill"));
  EXPECT_FALSE(icontains("xxKIL", "kill"));
  EXPECT_TRUE(icontains("k", "K"));
  EXPECT_TRUE(icontains("a_b", "_B"));
  EXPECT_FALSE(icontains("kkkkkkki", "kill"));
  // Against the plain definition, on every split of a few texts.
  for (std::string text : {"SeLeCt * from PROCESSlist p", "processlisprocesslist", "pPpP"}) {
    for (size_t i = 0; i <= text.size(); ++i) {
      for (size_t n = 1; i + n <= text.size(); ++n) {
        std::string word = text.substr(i, n);
        for (char& c : word) c = static_cast<char>(c ^ ((c >= 'a' && c <= 'z') ? 32 : 0));
        EXPECT_TRUE(icontains(text, word)) << text << " / " << word;
      }
    }
  }
}

TEST(Lexer, LineColumn) {
  int l, c;
  line_column("a\nbc\nd", 4, &l, &c);
  EXPECT_EQ(l, 2);
  EXPECT_EQ(c, 3);
}

}  // namespace
}  // namespace tessera::sql
