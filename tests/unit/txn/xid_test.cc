#include "txn/xid.h"

#include <gtest/gtest.h>

namespace tessera::txn {
namespace {

TEST(Xid, SqlSpellsBothPartsInHex) {
  Xid x{"tsr:a:1:2", "slice-1", kFormatId};
  EXPECT_EQ(x.sql(), "X'7473723a613a313a32',X'736c6963652d31'," + std::to_string(kFormatId));
  Xid quote{"it's", "", 1};
  EXPECT_EQ(quote.sql(), "X'69742773',X'',1");
}

TEST(Xid, OwnerTagIsTheInstanceIdWhenPlainElseAHash) {
  EXPECT_EQ(owner_tag("tessera-1"), "tessera-1");
  std::string odd = owner_tag("proxy:one");  // ':' would make gtrids ambiguous
  EXPECT_EQ(odd[0], 'h');
  EXPECT_EQ(odd, owner_tag("proxy:one"));
  EXPECT_NE(odd, owner_tag("proxy:two"));
  EXPECT_EQ(owner_tag(std::string(40, 'x'))[0], 'h');  // too long for a 64-byte gtrid
}

TEST(Xid, OwnershipNeedsTheExactTagAndFormat) {
  std::string tag = owner_tag("tessera-1");
  Xid mine{make_gtrid(tag, 0x18c, 7), "slice-2", kFormatId};
  EXPECT_EQ(mine.gtrid, "tsr:tessera-1:18c:7");
  EXPECT_TRUE(owned_by(mine, tag));
  EXPECT_FALSE(owned_by(mine, "tessera"));
  EXPECT_FALSE(owned_by(mine, "tessera-12"));
  Xid other_format = mine;
  other_format.format_id = 1;
  EXPECT_FALSE(owned_by(other_format, tag));
  // Another instance whose tag extends ours with ':' can never be taken for ours.
  Xid longer{"tsr:tessera-1:x:18c:7", "s", kFormatId};
  EXPECT_FALSE(owned_by(longer, tag));
  Xid app{"my-own-xa", "", kFormatId};
  EXPECT_FALSE(owned_by(app, tag));
}

TEST(Xid, ParsesXaRecoverRows) {
  auto x = parse_recover_row({"5526360", "9", "7", "tsr:a:1:2slice-1"});
  ASSERT_TRUE(x);
  EXPECT_EQ(x->format_id, 5526360u);
  EXPECT_EQ(x->gtrid, "tsr:a:1:2");
  EXPECT_EQ(x->bqual, "slice-1");
  EXPECT_FALSE(parse_recover_row({"1", "9", "7", "short"}));
  EXPECT_FALSE(parse_recover_row({"1", "x", "0", ""}));
  EXPECT_FALSE(parse_recover_row({"1", "2"}));
}

}  // namespace
}  // namespace tessera::txn
