#include <gtest/gtest.h>

#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace tessera::protocol {
namespace {

TEST(LengthEncodedInteger, RoundTripsAtEveryBoundary) {
  const uint64_t values[] = {0,       1,        0xfa,      0xfb,          0xfc,       0xffff,
                             0x10000, 0xffffff, 0x1000000, 0xffffffffull, 1ull << 40, ~0ull};
  const size_t sizes[] = {1, 1, 1, 3, 3, 3, 4, 4, 9, 9, 9, 9};
  for (size_t i = 0; i < std::size(values); ++i) {
    std::string buf;
    WireWriter(buf).lenenc_int(values[i]);
    EXPECT_EQ(buf.size(), sizes[i]) << values[i];
    EXPECT_EQ(lenenc_int_size(values[i]), sizes[i]);
    WireReader r(buf);
    auto v = r.lenenc_int();
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(*v, values[i]);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.at_end());
  }
}

TEST(LengthEncodedInteger, NullMarkerAndInvalidPrefix) {
  std::string null_marker("\xfb", 1);
  WireReader r1(null_marker);
  EXPECT_FALSE(r1.lenenc_int().has_value());
  EXPECT_TRUE(r1.ok());
  std::string invalid("\xff", 1);
  WireReader r2(invalid);
  EXPECT_FALSE(r2.lenenc_int().has_value());
  EXPECT_FALSE(r2.ok());
}

TEST(LengthEncodedInteger, TruncatedInputFailsWithoutOverrun) {
  for (std::string s : {std::string("\xfc\x01", 2), std::string("\xfd\x01\x02", 3),
                        std::string("\xfe\x01\x02\x03", 4)}) {
    WireReader r(s);
    r.lenenc_int();
    EXPECT_FALSE(r.ok());
  }
}

TEST(LengthEncodedString, RoundTripAndTruncation) {
  std::string buf;
  WireWriter w(buf);
  w.lenenc_str("hello");
  w.lenenc_str(std::string(300, 'x'));
  WireReader r(buf);
  EXPECT_EQ(r.lenenc_str(), "hello");
  EXPECT_EQ(r.lenenc_str(), std::string(300, 'x'));
  EXPECT_TRUE(r.at_end());
  std::string cut = buf.substr(0, buf.size() - 1);
  WireReader r2(cut);
  r2.lenenc_str();
  r2.lenenc_str();
  EXPECT_FALSE(r2.ok());
}

TEST(NullTerminatedString, MissingTerminatorFails) {
  std::string s = "abc";
  WireReader r(s);
  EXPECT_EQ(r.null_str(), "");
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace tessera::protocol
