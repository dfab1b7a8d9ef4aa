// The handshake collation table (sql/charsets.h): names, ids and each character set's default.
#include "sql/charsets.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace tessera::sql {
namespace {

TEST(Charsets, NamesAndIds) {
  EXPECT_EQ(charset_of_collation(8), "latin1");
  EXPECT_EQ(collation_name(8), "latin1_swedish_ci");
  EXPECT_EQ(charset_of_collation(0), "");
  EXPECT_EQ(charset_of_collation(35), "");  // ucs2_general_ci: no client may use ucs2
  EXPECT_EQ(charset_of_collation(250), "");
  EXPECT_EQ(collation_id("latin1_swedish_ci"), 8);
  EXPECT_EQ(collation_id("UTF8MB4_UNICODE_CI"), 224);
  EXPECT_EQ(collation_id("utf8_general_ci"), 33);     // utf8 is utf8mb3
  EXPECT_EQ(collation_id("utf8mb4_general_ci"), 45);  // not MySQL's 255 alias
  EXPECT_FALSE(collation_id("ucs2_general_ci"));
  EXPECT_FALSE(collation_id("utf8mb4"));
}

// MariaDB 10.11's information_schema.COLLATIONS WHERE IS_DEFAULT = 'Yes'.
TEST(Charsets, DefaultCollations) {
  EXPECT_EQ(default_collation("utf8mb4"), 45);
  EXPECT_EQ(default_collation("utf8mb3"), 33);
  EXPECT_EQ(default_collation("utf8"), 33);
  EXPECT_EQ(default_collation("latin1"), 8);   // swedish_ci, not the lowest id (5, german1_ci)
  EXPECT_EQ(default_collation("latin2"), 9);   // general_ci, not czech_cs (2)
  EXPECT_EQ(default_collation("latin7"), 41);  // general_ci, not estonian_cs (20)
  EXPECT_EQ(default_collation("cp1251"), 51);
  EXPECT_EQ(default_collation("cp1257"), 59);
  EXPECT_EQ(default_collation("binary"), 63);
  EXPECT_EQ(default_collation("gbk"), 28);
  EXPECT_EQ(default_collation("Big5"), 1);
  EXPECT_FALSE(default_collation("ucs2"));
  EXPECT_FALSE(default_collation("utf16"));
  EXPECT_FALSE(default_collation(""));
  // Every character set of the table has exactly one default, one of its own collations.
  std::map<std::string, int> charsets;
  for (int id = 1; id < 256; ++id) {
    auto cs = charset_of_collation(static_cast<uint8_t>(id));
    if (!cs.empty()) charsets[std::string(cs)] = 0;
  }
  EXPECT_EQ(charsets.size(), 36u);
  for (const auto& [cs, _] : charsets) {
    auto id = default_collation(cs);
    ASSERT_TRUE(id) << cs;
    EXPECT_EQ(charset_of_collation(*id), cs);
  }
}

}  // namespace
}  // namespace tessera::sql
