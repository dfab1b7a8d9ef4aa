#include "config/ip_range.h"

#include <gtest/gtest.h>

namespace tessera::config {
namespace {

TEST(IpRange, SingleAddress) {
  auto r = parse_ip_range("192.168.1.7");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->prefix_len, 32);
  EXPECT_TRUE(r->contains("192.168.1.7"));
  EXPECT_FALSE(r->contains("192.168.1.8"));
  EXPECT_TRUE(r->contains("::ffff:192.168.1.7"));  // v4-mapped
}

TEST(IpRange, Cidr) {
  auto r = parse_ip_range("10.1.2.3/16");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->to_string(), "10.1.0.0/16");
  EXPECT_TRUE(r->contains("10.1.255.1"));
  EXPECT_FALSE(r->contains("10.2.0.1"));
  EXPECT_FALSE(r->contains("not an ip"));

  auto odd = parse_ip_range("172.16.0.0/12");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains("172.31.255.255"));
  EXPECT_FALSE(odd->contains("172.32.0.0"));
}

TEST(IpRange, Ipv6) {
  auto r = parse_ip_range("fd00::/8");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->contains("fd12::1"));
  EXPECT_FALSE(r->contains("fe80::1"));
  EXPECT_FALSE(r->contains("10.0.0.1"));
}

TEST(IpRange, RejectsMalformed) {
  for (const char* bad : {"", "10.0.0", "10.0.0.1/33", "10.0.0.1/", "10.0.0.1/-1", "::1/129",
                          "host.example", "10.0.0.1/8x"}) {
    EXPECT_FALSE(parse_ip_range(bad)) << bad;
  }
}

}  // namespace
}  // namespace tessera::config
