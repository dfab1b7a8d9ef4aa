#include "exec/row.h"

#include <gtest/gtest.h>

#include "exec_test_util.h"

namespace tessera::exec {
namespace {

using testing::Cells;
using testing::kNull;

TEST(Row, ParsesTextPayloadWithNulls) {
  // Separate literals: a hex escape would swallow the following "a".
  std::string payload(
      "\x01"
      "a"
      "\xfb"
      "\x00"
      "\x03"
      "xyz",
      8);
  auto row = Row::from_text_payload(payload, 4);
  ASSERT_TRUE(row);
  EXPECT_EQ(testing::cells_of(*row), (Cells{"a", kNull, "", "xyz"}));
  EXPECT_EQ(row->payload(), payload);  // no re-encoding
}

TEST(Row, RejectsWrongCellCountAndTruncatedCells) {
  std::string payload(
      "\x01"
      "a"
      "\x01"
      "b",
      4);
  EXPECT_FALSE(Row::from_text_payload(payload, 1));  // bytes left over
  EXPECT_FALSE(Row::from_text_payload(payload, 3));  // too few cells
  EXPECT_FALSE(Row::from_text_payload(std::string("\x05"
                                                  "ab",
                                                  3),
                                      1));
  EXPECT_FALSE(Row::from_text_payload(std::string("\xff", 1), 1));
}

TEST(Row, LongCellUsesLenencPrefix) {
  std::string big(300, 'x');
  Row r = Row::of({big, kNull});
  auto back = Row::from_text_payload(r.payload(), 2);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->cell(0), big);
  EXPECT_TRUE(back->is_null(1));
  EXPECT_EQ(static_cast<uint8_t>(r.payload()[0]), 0xfc);
}

TEST(Row, TruncateDropsTrailingCellsFromThePayload) {
  Row r = Row::of({"a", kNull, "bc", "d"});
  Row copy = r;
  copy.truncate(2);
  EXPECT_EQ(copy.payload(), Row::of({"a", kNull}).payload());
  r.truncate(3);
  EXPECT_EQ(r.payload(), Row::of({"a", kNull, "bc"}).payload());
  r.truncate(0);
  EXPECT_TRUE(r.payload().empty());
  // Appending after a truncation continues a valid payload.
  copy.append("z");
  EXPECT_EQ(copy.payload(), Row::of({"a", kNull, "z"}).payload());
}

}  // namespace
}  // namespace tessera::exec
