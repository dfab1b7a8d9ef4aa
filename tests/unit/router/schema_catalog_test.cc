// The schema catalog (router/schema_catalog.h): information_schema rows parsed into a table's
// columns (generated, invisible, auto-increment), lookups by name in any ASCII case, snapshots
// that publishing and forgetting replace whole (a reader's snapshot never changes), and the
// refresh interval after which a lookup stops answering.
#include <gtest/gtest.h>

#include <thread>

#include "router/schema_catalog.h"

namespace tessera::router {
namespace {

using Rows = std::vector<std::vector<std::string>>;

TEST(SchemaCatalog, ParsesInformationSchemaRows) {
  // As MariaDB 10.11 answers columns_query() for
  // (id BIGINT AUTO_INCREMENT, name VARCHAR(20), secret INT INVISIBLE, v2 INT AS (id * 2),
  //  s INT AS (id) STORED, ts TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, PRIMARY KEY (id)).
  Rows rows = {{"id", "auto_increment", "NEVER", "PRI"},
               {"name", "", "NEVER", ""},
               {"secret", "INVISIBLE", "NEVER", ""},
               {"v2", "VIRTUAL GENERATED", "ALWAYS", ""},
               {"s", "STORED GENERATED", "ALWAYS", ""},
               {"ts", "on update current_timestamp()", "NEVER", ""}};
  auto t = parse_columns(rows);
  ASSERT_TRUE(t);
  ASSERT_EQ(t->columns.size(), 6u);
  EXPECT_TRUE(t->columns[0].auto_increment);
  EXPECT_FALSE(t->columns[1].auto_increment);
  EXPECT_TRUE(t->columns[2].invisible);
  EXPECT_TRUE(t->columns[3].generated);
  EXPECT_TRUE(t->columns[4].generated);
  EXPECT_FALSE(t->columns[5].generated);
  EXPECT_FALSE(t->columns[5].invisible);
  EXPECT_TRUE(t->columns[5].on_update_now);
  EXPECT_FALSE(t->columns[0].on_update_now);
  // The primary key names a row for a read-then-write (a key move, UPDATE ... LIMIT).
  ASSERT_EQ(t->primary_key().size(), 1u);
  EXPECT_EQ(t->primary_key()[0]->name, "id");
  // Without COLUMN_KEY (an older answer's rows) the table has no primary key Tessera knows.
  auto old = parse_columns(Rows{{"id", "", "NEVER"}});
  ASSERT_TRUE(old);
  EXPECT_TRUE(old->primary_key().empty());
  // An INSERT without a column list fills every column but the invisible one.
  auto insert = t->insert_columns();
  ASSERT_EQ(insert.size(), 5u);
  EXPECT_EQ(insert[2]->name, "v2");
  EXPECT_EQ(t->insert_position("ID"), 0);
  EXPECT_EQ(t->insert_position("v2"), 2);
  EXPECT_EQ(t->insert_position("secret"), -1);
  EXPECT_EQ(t->insert_position("nope"), -1);
}

TEST(SchemaCatalog, NoRowsOrMalformedRowsAreNoTable) {
  EXPECT_FALSE(parse_columns({}));
  EXPECT_FALSE(parse_columns(Rows{{"id", ""}}));
  EXPECT_FALSE(parse_columns(Rows{{"", "", "NEVER"}}));
}

TEST(SchemaCatalog, QueryNamesThePhysicalTable) {
  EXPECT_EQ(columns_query("db_ks", "tbl_ks_0001"),
            "SELECT COLUMN_NAME, EXTRA, IS_GENERATED, COLUMN_KEY FROM information_schema.COLUMNS "
            "WHERE "
            "TABLE_SCHEMA = 'db_ks' AND TABLE_NAME = 'tbl_ks_0001' ORDER BY ORDINAL_POSITION");
  // Quotes in names are escaped, never closing the literal.
  EXPECT_NE(columns_query("d'b", "t").find("'d''b'"), std::string::npos)
      << columns_query("d'b", "t");
}

TEST(SchemaCatalog, Keys) {
  EXPECT_EQ(SchemaCatalog::key("db_ks", "tbl_ks"), "db_ks.tbl_ks");
  auto k = SchemaCatalog::split_key("db_ks.tbl_ks");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->first, "db_ks");
  EXPECT_EQ(k->second, "tbl_ks");
  EXPECT_FALSE(SchemaCatalog::split_key("nodot"));
  EXPECT_FALSE(SchemaCatalog::split_key(".t"));
  EXPECT_FALSE(SchemaCatalog::split_key("db."));
}

TableSchema columns(std::initializer_list<const char*> names) {
  TableSchema t;
  for (auto* n : names) t.columns.push_back(SchemaColumn{n});
  t.loaded_at = TableSchema::Clock::now();
  return t;
}

TEST(SchemaStore, PublishAndForgetSwapSnapshots) {
  SchemaStore store;
  auto before = store.snapshot();
  EXPECT_EQ(before->size(), 0u);
  EXPECT_FALSE(store.lookup("db_ks", "tbl_ks"));
  store.publish("db_ks", "tbl_ks", columns({"id", "name"}));
  // The old snapshot is untouched; the new one has the table, found in any case.
  EXPECT_EQ(before->size(), 0u);
  auto after = store.snapshot();
  ASSERT_TRUE(after->find("DB_KS", "Tbl_Ks"));
  EXPECT_EQ(after->find("db_ks", "tbl_ks")->columns.size(), 2u);
  ASSERT_TRUE(store.lookup("db_ks", "TBL_KS"));
  // Publishing again replaces the table's columns (a reload after DDL).
  store.publish("db_ks", "tbl_ks", columns({"id", "name", "extra"}));
  EXPECT_EQ(store.lookup("db_ks", "tbl_ks")->columns.size(), 3u);
  EXPECT_EQ(after->find("db_ks", "tbl_ks")->columns.size(), 2u);
  store.publish("db_ks", "other", columns({"oid"}));
  store.forget("db_ks", "tbl_ks");
  EXPECT_FALSE(store.lookup("db_ks", "tbl_ks"));
  EXPECT_TRUE(store.lookup("db_ks", "other"));
  store.forget("db_ks", "never_known");  // nothing to forget: no new snapshot
  EXPECT_EQ(store.snapshot()->size(), 1u);
}

TEST(SchemaStore, ColumnsAgeOutAfterTheRefreshInterval) {
  SchemaStore store(std::chrono::seconds(60));
  store.publish("db", "t", columns({"a"}));
  auto now = TableSchema::Clock::now();
  EXPECT_TRUE(store.lookup("db", "t", now));
  EXPECT_TRUE(store.lookup("db", "t", now + std::chrono::seconds(59)));
  EXPECT_FALSE(store.lookup("db", "t", now + std::chrono::seconds(61)));
  // Zero: never (only DDL through Tessera forgets them).
  SchemaStore never;
  never.publish("db", "t", columns({"a"}));
  EXPECT_TRUE(never.lookup("db", "t", now + std::chrono::hours(24 * 365)));
}

TEST(SchemaStore, ConcurrentPublishersLoseNoTable) {
  SchemaStore store;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 200; ++i)
        store.publish("db", "t" + std::to_string(t) + "_" + std::to_string(i), columns({"a"}));
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(store.snapshot()->size(), 800u);
}

}  // namespace
}  // namespace tessera::router
