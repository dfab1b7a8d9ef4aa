#include "sql/writer.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

using namespace std::string_literals;

#include "sql/lexer.h"
#include "sql/parser.h"

namespace tessera::sql {
namespace {

// Renames tables through a map and substitutes '?' placeholders with values.
class ShardHooks : public WriterHooks {
 public:
  std::map<std::string, std::string> tables;
  std::vector<std::string> params;  // raw values, quoted by the hook

  bool table_name(const ObjectName& n, std::string& out) const override {
    auto it = tables.find(std::string(n.name.name));
    if (it == tables.end()) return false;
    if (n.has_schema()) {
      append_identifier(out, n.schema.name);
      out.push_back('.');
    }
    append_identifier(out, it->second);
    return true;
  }
  bool param(const Param& p, std::string& out) const override {
    if (p.index >= params.size()) return false;
    append_string_literal(out, params[p.index]);
    return true;
  }
};

std::string print(std::string_view sql, const WriterHooks* hooks = nullptr) {
  Arena a;
  ParseResult r = parse(sql, a);
  EXPECT_TRUE(r.ok()) << r.error.message;
  if (!r.ok()) return "";
  WriteOptions o;
  o.hooks = hooks;
  return to_sql(*r.statement, o);
}

TEST(Writer, QuotesIdentifiersOnlyWhenNeeded) {
  std::string out;
  append_identifier(out, "plain");
  EXPECT_EQ(out, "plain");
  out.clear();
  append_identifier(out, "select");
  EXPECT_EQ(out, "`select`");
  out.clear();
  append_identifier(out, "a`b");
  EXPECT_EQ(out, "`a``b`");
  out.clear();
  append_identifier(out, "1e5");
  EXPECT_EQ(out, "`1e5`");
  out.clear();
  append_identifier(out, "");
  EXPECT_EQ(out, "``");
}

TEST(Writer, EscapesStrings) {
  std::string out;
  append_string_literal(out, "it's a \\ test\n\0x"s);
  EXPECT_EQ(out, "'it''s a \\\\ test\\n\\0x'");
  out.clear();
  append_string_literal(out, "it's \\", /*no_backslash_escapes=*/true);
  EXPECT_EQ(out, "'it''s \\'");
  std::string decoded;
  decode_string_literal("'a''b\\n' \"c\"", decoded);
  EXPECT_EQ(decoded, "a'b\nc");
}

TEST(Writer, HostileIdentifiersRoundTrip) {
  const char* hostile[] = {"x` ; DROP TABLE t; --",
                           "a\"b",
                           "'",
                           "`",
                           "select",
                           "a b",
                           "/*",
                           "-- x",
                           "#x",
                           "\\",
                           "t.x",
                           "é"};
  for (const char* name : hostile) {
    std::string sql = "SELECT ";
    append_identifier(sql, name);
    sql += " FROM ";
    append_identifier(sql, name);
    Arena a;
    ParseResult r = parse(sql, a);
    ASSERT_TRUE(r.ok()) << sql << ": " << r.error.message;
    auto* core = static_cast<SelectCore*>(static_cast<SelectStatement*>(r.statement)->query->body);
    ASSERT_EQ(core->items.size(), 1u);
    auto* col = static_cast<ColumnRef*>(core->items[0].expr);
    ASSERT_EQ(col->kind, ExprKind::Column);
    EXPECT_EQ(col->column().name, name);
    auto* t = static_cast<TableName*>(core->from[0]);
    EXPECT_EQ(t->name.name.name, name);
    // Printing gives back a statement with the same single column and table.
    std::string again = to_sql(*r.statement);
    Arena b;
    ParseResult r2 = parse(again, b);
    ASSERT_TRUE(r2.ok()) << again;
    auto* core2 =
        static_cast<SelectCore*>(static_cast<SelectStatement*>(r2.statement)->query->body);
    EXPECT_EQ(static_cast<ColumnRef*>(core2->items[0].expr)->column().name, name);
  }
}

TEST(Writer, HostileValuesCannotInject) {
  const char* hostile[] = {"'; DROP TABLE t; --",
                           "\\'; DROP TABLE t; --",
                           "\\",
                           "'",
                           "a\0b",
                           "\x1a",
                           "*/ OR 1=1 /*",
                           "\n-- x\n"};
  ShardHooks hooks;
  for (const char* v : hostile) {
    hooks.params = {v};
    std::string sql = print("SELECT * FROM t WHERE a = ?", &hooks);
    // Exactly one statement with one string literal whose value is v.
    Arena a;
    ParseResult r = parse(sql, a);
    ASSERT_TRUE(r.ok()) << sql;
    auto* core = static_cast<SelectCore*>(static_cast<SelectStatement*>(r.statement)->query->body);
    auto* eq = static_cast<Binary*>(core->where);
    ASSERT_EQ(eq->kind, ExprKind::Binary);
    auto* lit = static_cast<Literal*>(eq->right);
    ASSERT_EQ(lit->kind, ExprKind::Literal);
    std::string decoded;
    decode_string_literal(lit->text, decoded);
    EXPECT_EQ(decoded, v);
  }
}

TEST(Writer, SubstitutesTableNamesAndKeepsTheRest) {
  ShardHooks hooks;
  hooks.tables = {{"orders", "orders_0003"}};
  EXPECT_EQ(
      print("SELECT o.id FROM shop.orders AS o JOIN users u ON o.uid = u.id WHERE o.id = 7",
            &hooks),
      "SELECT o.id FROM shop.orders_0003 AS o JOIN users AS u ON o.uid = u.id WHERE o.id = 7");
  EXPECT_EQ(print("INSERT INTO orders (id, v) VALUES (1, 'x')", &hooks),
            "INSERT INTO orders_0003 (id, v) VALUES (1, 'x')");
  EXPECT_EQ(print("UPDATE orders SET v = 'y' WHERE id = 1", &hooks),
            "UPDATE orders_0003 SET v = 'y' WHERE id = 1");
  EXPECT_EQ(print("DELETE FROM orders WHERE id = 1", &hooks),
            "DELETE FROM orders_0003 WHERE id = 1");
  EXPECT_EQ(print("ALTER TABLE orders ADD COLUMN c INT", &hooks),
            "ALTER TABLE orders_0003 ADD COLUMN c INT");
}

TEST(Writer, SpliceRewriteKeepsEverythingElseByteForByte) {
  ShardHooks hooks;
  hooks.tables = {{"orders", "orders_0003"}};
  hooks.params = {"it's"};
  std::string sql =
      "select /* keep me */ o.id,\n  `o`.v\tFROM  shop.`orders` o WHERE o.id = ? -- end";
  Arena a;
  ParseResult r = parse(sql, a);
  ASSERT_TRUE(r.ok()) << r.error.message;
  EXPECT_EQ(rewrite(sql, *r.statement, hooks),
            "select /* keep me */ o.id,\n  `o`.v\tFROM  shop.orders_0003 o WHERE o.id = 'it''s' "
            "-- end");

  class Lits : public WriterHooks {
   public:
    bool literal(const Literal& l, std::string& out) const override {
      if (l.literal_kind == LiteralKind::Integer) {
        out += "99";
        return true;
      }
      return false;
    }
  } lits;
  std::string sql2 = "UPDATE t SET a=(1), b = 'x' WHERE id IN ( 5 ,6 )";
  ParseResult r2 = parse(sql2, a);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(rewrite(sql2, *r2.statement, lits),
            "UPDATE t SET a=(99), b = 'x' WHERE id IN ( 99 ,99 )");
}

TEST(Writer, KeepsTheColumnNamesOfTheClientsText) {
  // The server names an unaliased expression column by its source text: printed or spliced
  // differently (spacing, a sub-table, a bound '?'), the item gets that text as its alias.
  class Named : public ShardHooks {
   public:
    bool keep_item_names() const override { return true; }
  } hooks;
  hooks.tables = {{"orders", "orders_0003"}};
  hooks.params = {"7"};
  EXPECT_EQ(print("SELECT a+1, (a), a, 'x', COUNT(*), f( b ) AS g, * FROM orders", &hooks),
            "SELECT a + 1 AS `a+1`, (a), a, 'x', COUNT(*), f(b) AS g, * FROM orders_0003");
  EXPECT_EQ(print("SELECT (SELECT MAX(v) FROM orders), ?+1 FROM t", &hooks),
            "SELECT (SELECT MAX(v) FROM orders_0003) AS `(SELECT MAX(v) FROM orders)`, '7' + 1 AS "
            "`?+1` FROM t");
  // A backquote in the text is doubled in the alias.
  EXPECT_EQ(print("SELECT `a``b`+1 FROM t", &hooks), "SELECT `a``b` + 1 AS ```a````b``+1` FROM t");
  // Spliced: only the items a splice changes, the alias a word apart.
  std::string sql = "SELECT a+1,(SELECT COUNT(*) FROM orders)FROM orders WHERE x=?";
  Arena a;
  ParseResult r = parse(sql, a);
  ASSERT_TRUE(r.ok()) << r.error.message;
  EXPECT_EQ(rewrite(sql, *r.statement, hooks),
            "SELECT a+1,(SELECT COUNT(*) FROM orders_0003) AS `(SELECT COUNT(*) FROM orders)` "
            "FROM orders_0003 WHERE x='7'");
  // Without keep_item_names, nothing changes.
  ShardHooks plain;
  plain.tables = hooks.tables;
  EXPECT_EQ(print("SELECT a+1 FROM orders", &plain), "SELECT a + 1 FROM orders_0003");
}

TEST(Writer, SubstitutesLiterals) {
  class Hooks : public WriterHooks {
   public:
    bool literal(const Literal& l, std::string& out) const override {
      if (l.literal_kind != LiteralKind::Integer) return false;
      out += "42";
      return true;
    }
  } hooks;
  EXPECT_EQ(print("SELECT a FROM t WHERE id = 7 AND s = 'x'", &hooks),
            "SELECT a FROM t WHERE id = 42 AND s = 'x'");
}

TEST(Writer, KeepsLiteralSpellingAndParens) {
  EXPECT_EQ(print("select a from t where (a + 1) * 2 = 0x1F and b = 'it''s'"),
            "SELECT a FROM t WHERE (a + 1) * 2 = 0x1F AND b = 'it''s'");
}

}  // namespace
}  // namespace tessera::sql
