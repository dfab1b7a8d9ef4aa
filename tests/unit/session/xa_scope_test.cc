#include "session/xa_scope.h"

#include <gtest/gtest.h>

namespace tessera::session {
namespace {

const std::string kPrefix = xa_namespace_prefix("tenant_a");

std::string rewritten(std::string_view sql, sql::LexOptions lex = {}) {
  ScopedXa out = scope_xa(sql, lex, kPrefix);
  if (out.kind == ScopedXa::Kind::kRefused) return "refused " + std::to_string(out.error_code);
  if (out.kind == ScopedXa::Kind::kRecover) return "recover";
  return out.text;
}

std::string hex(std::string_view s) {
  std::string out;
  char buf[3];
  for (unsigned char c : s) {
    snprintf(buf, sizeof buf, "%02X", c);
    out += buf;
  }
  return out;
}

TEST(XaScope, PrefixIsStableAndPerNamespace) {
  EXPECT_EQ(kPrefix.size(), kXaPrefixSize);
  EXPECT_EQ(kPrefix, xa_namespace_prefix("tenant_a"));
  EXPECT_NE(kPrefix, xa_namespace_prefix("tenant_b"));
  EXPECT_EQ(kPrefix.front(), 'n');
  EXPECT_EQ(kPrefix.back(), ':');
}

TEST(XaScope, XidsGetTheNamespacePrefix) {
  const std::string g = "X'" + hex(kPrefix + "abc") + "'";
  EXPECT_EQ(rewritten("XA START 'abc'"), "XA START " + g + ",X'',1");
  EXPECT_EQ(rewritten("xa begin 'abc' JOIN"), "xa begin " + g + ",X'',1 JOIN");
  EXPECT_EQ(rewritten("XA END 'abc', 'b1' SUSPEND"),
            "XA END " + g + ",X'" + hex("b1") + "',1 SUSPEND");
  EXPECT_EQ(rewritten("XA PREPARE X'616263', 0x6231, 77"),
            "XA PREPARE " + g + ",X'" + hex("b1") + "',77");
  EXPECT_EQ(rewritten("XA COMMIT 'abc' ONE PHASE;"), "XA COMMIT " + g + ",X'',1 ONE PHASE;");
  EXPECT_EQ(rewritten("XA ROLLBACK 'a\\'bc'"),
            "XA ROLLBACK X'" + hex(kPrefix + "a'bc") + "',X'',1");
  sql::LexOptions nbe;
  nbe.no_backslash_escapes = true;
  EXPECT_EQ(rewritten("XA ROLLBACK 'a\\b'", nbe),
            "XA ROLLBACK X'" + hex(kPrefix + "a\\b") + "',X'',1");
}

TEST(XaScope, RecoverAndRefusals) {
  EXPECT_EQ(rewritten("XA RECOVER"), "recover");
  EXPECT_EQ(rewritten("xa recover format = 'RAW'"), "recover");
  EXPECT_EQ(rewritten("XA RECOVER FORMAT='SQL'"), "refused 1235");
  EXPECT_EQ(rewritten("XA START @v"), "refused 1235");
  EXPECT_EQ(rewritten("XA START 'a', 'b', -1"), "refused 1235");
  EXPECT_EQ(rewritten("XA START ''"), "refused 1398");
  // 64 bytes of gtrid, less the prefix, is the most a client may name.
  EXPECT_NE(rewritten("XA START '" + std::string(64 - kXaPrefixSize, 'g') + "'").substr(0, 7),
            "refused");
  EXPECT_EQ(rewritten("XA START '" + std::string(65 - kXaPrefixSize, 'g') + "'"), "refused 1398");
  EXPECT_EQ(rewritten("XA START 'a', '" + std::string(65, 'b') + "'"), "refused 1398");
}

TEST(XaScope, RecoverShowsOnlyTheNamespacesBranches) {
  const std::vector<std::string> mine = {"1", std::to_string(kPrefix.size() + 3), "2",
                                         kPrefix + "abcB1"};
  auto row = recover_row_for(mine, kPrefix);
  ASSERT_TRUE(row);
  EXPECT_EQ(*row, (std::vector<std::string>{"1", "3", "2", "abcB1"}));
  const std::string other = xa_namespace_prefix("tenant_b");
  EXPECT_FALSE(
      recover_row_for({"1", std::to_string(other.size() + 3), "0", other + "abc"}, kPrefix));
  EXPECT_FALSE(recover_row_for({"5460824", "20", "2", "tsr:x:18c2:1234567s0"}, kPrefix));
  EXPECT_FALSE(recover_row_for({"1", "3", "0", "abc"}, kPrefix));
  EXPECT_EQ(recover_answer({{"1", "3", "2", "abcB1"}}),
            "SELECT 1 AS formatID, 3 AS gtrid_length, 2 AS bqual_length, X'" + hex("abcB1") +
                "' AS data");
  EXPECT_NE(recover_answer({}).find("WHERE 0"), std::string::npos);
}

TEST(XaScope, XaElsewhereIsFound) {
  EXPECT_TRUE(holds_xa("SELECT 1; XA ROLLBACK 'x'", {}));
  EXPECT_TRUE(holds_xa("PREPARE s FROM 'XA RECOVER'", {}));
  EXPECT_TRUE(holds_xa("EXECUTE IMMEDIATE 'XA ROLLBACK ''x'''", {}));
  EXPECT_TRUE(holds_xa("CREATE PROCEDURE p() XA RECOVER", {}));
  EXPECT_TRUE(holds_xa("CREATE PROCEDURE p() BEGIN XA START 'q'; XA END 'q'; END", {}));
  EXPECT_FALSE(holds_xa("SELECT max(x) FROM exact_xa", {}));
  EXPECT_FALSE(holds_xa("CREATE TABLE xa (xa INT)", {}));
  EXPECT_TRUE(holds_xa("SELECT 1; /*!100000XA RECOVER*/", {}));
  EXPECT_TRUE(holds_xa("SELECT 1;xa recover", {}));
  // The cheap word test before any lexing (memchr for either case of x): the word XA where a
  // name cannot go on, whatever the case, anywhere in the text, the last two bytes included.
  EXPECT_TRUE(holds_xa("xA recover", {}));
  EXPECT_TRUE(holds_xa("SELECT 1;Xa RECOVER", {}));
  EXPECT_TRUE(holds_xa("SELECT 'x' ;   xA\tRECOVER", {}));
  EXPECT_FALSE(holds_xa("SELECT x, X, xx FROM t WHERE y = 'X' AND _xa = 1 AND xa1 = 2", {}));
  EXPECT_FALSE(holds_xa("SELECT 1 FROM t_xa", {}));
  EXPECT_FALSE(holds_xa("x", {}));
}

}  // namespace
}  // namespace tessera::session
