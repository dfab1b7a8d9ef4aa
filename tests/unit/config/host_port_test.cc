#include "config/host_port.h"

#include <gtest/gtest.h>

namespace tessera::config {
namespace {

TEST(HostPort, ParsesHostAndPort) {
  auto hp = parse_host_port("127.0.0.1:13306");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "127.0.0.1");
  EXPECT_EQ(hp->port, 13306);
  EXPECT_EQ(hp->to_string(), "127.0.0.1:13306");

  auto named = parse_host_port("db-1.internal:3306");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->host, "db-1.internal");
}

TEST(HostPort, ParsesBracketedIpv6) {
  auto hp = parse_host_port("[::1]:3306");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "::1");
  EXPECT_EQ(hp->port, 3306);
  EXPECT_EQ(hp->to_string(), "[::1]:3306");
}

// Every key of an instance (pools, topology, GTID bookkeeping, recovery) is this one text:
// an IPv6 literal without brackets would be a second name for the same server.
TEST(HostPort, OneTextFormBracketsIpv6) {
  EXPECT_EQ(format_host_port("::1", 3306), "[::1]:3306");
  EXPECT_EQ(format_host_port("fd00::2", 13306), "[fd00::2]:13306");
  EXPECT_EQ(format_host_port("127.0.0.1", 3306), "127.0.0.1:3306");
  EXPECT_EQ(format_host_port("db-1.internal", 3306), "db-1.internal:3306");
  for (const char* text : {"[::1]:3306", "127.0.0.1:24306", "db-1:3306"}) {
    auto hp = parse_host_port(text);
    ASSERT_TRUE(hp) << text;
    EXPECT_EQ(to_string(*hp), text);  // what configuration wrote comes back unchanged
    EXPECT_EQ(to_string(*hp), hp->to_string());
    EXPECT_EQ(format_host_port(hp->host, hp->port), text);
  }
}

TEST(HostPort, RejectsMalformed) {
  for (const char* bad : {"127.0.0.1", ":3306", "host:", "host:0", "host:65536", "host:12ab",
                          "::1:3306", "[::1]3306", "[::1]:", "[host]:3306", "a b:1", "h:-1"}) {
    EXPECT_FALSE(parse_host_port(bad)) << bad;
  }
  EXPECT_TRUE(parse_host_port("h:65535"));
  EXPECT_TRUE(parse_host_port("h:1"));
}

TEST(WeightedAddress, DefaultsWeightToOne) {
  auto a = parse_weighted_address("10.0.0.2:3306");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->weight, 1);
  auto b = parse_weighted_address("10.0.0.2:3306@5");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->weight, 5);
  EXPECT_EQ(b->address.port, 3306);
  EXPECT_EQ(b->to_string(), "10.0.0.2:3306@5");
}

TEST(WeightedAddress, ExplainsBadWeight) {
  WeightedAddressError error;
  EXPECT_FALSE(parse_weighted_address("10.0.0.2:3306@0", &error));
  EXPECT_NE(error.problem.find("weight must be"), std::string::npos) << error.problem;
  EXPECT_FALSE(parse_weighted_address("10.0.0.2:3306@x", &error));
  EXPECT_NE(error.problem.find("not an integer"), std::string::npos) << error.problem;
  EXPECT_FALSE(parse_weighted_address("10.0.0.2@2", &error));
  EXPECT_NE(error.problem.find("not host:port"), std::string::npos) << error.problem;
}

}  // namespace
}  // namespace tessera::config
