// Kingshard hash, mod and range functions. Expected indexes are Gaea's arithmetic done by hand:
// HashValue % n (negative int64 as uint64, text by CRC32 unless it is an unsigned decimal),
// |NumValue| % n, and [i * limit, (i + 1) * limit) ranges.
#include <gtest/gtest.h>

#include <climits>

#include "router/shard_functions/crc32.h"
#include "router/shard_functions/hash_function.h"
#include "router/shard_functions/mod_function.h"
#include "router/shard_functions/range_function.h"

namespace tessera::router {
namespace {

int index_of(const ShardFunction& f, const ShardValue& v) {
  auto r = f.find(v);
  if (auto* e = std::get_if<ShardError>(&r)) {
    ADD_FAILURE() << "unexpected error: " << e->message;
    return -1;
  }
  return std::get<int>(r);
}

std::string error_of(const ShardFunction& f, const ShardValue& v) {
  auto r = f.find(v);
  if (auto* e = std::get_if<ShardError>(&r)) return e->message;
  ADD_FAILURE() << "expected an error, got index " << std::get<int>(r);
  return {};
}

std::vector<int> range_of(const ShardFunction& f, std::optional<RangeBound> lo,
                          std::optional<RangeBound> hi) {
  auto r = f.find_range(lo, hi);
  if (auto* e = std::get_if<ShardError>(&r)) {
    ADD_FAILURE() << "unexpected error: " << e->message;
    return {};
  }
  return std::get<std::vector<int>>(r);
}

ShardValue I(int64_t v) {
  return ShardValue::of(v);
}
ShardValue S(std::string v) {
  return ShardValue::of(std::move(v));
}
RangeBound incl(ShardValue v) {
  return RangeBound{std::move(v), true};
}
RangeBound excl(ShardValue v) {
  return RangeBound{std::move(v), false};
}

TEST(Crc32, StandardCheckValues) {
  EXPECT_EQ(crc32_ieee(""), 0u);
  EXPECT_EQ(crc32_ieee("a"), 0xe8b7be43u);
  EXPECT_EQ(crc32_ieee("abc"), 0x352441c2u);
  EXPECT_EQ(crc32_ieee("123456789"), 0xcbf43926u);  // the CRC-32/IEEE check value
  EXPECT_EQ(crc32_ieee("hello"), 0x3610a686u);
}

TEST(HashFunction, IntegersModCount) {
  HashFunction f(3);
  EXPECT_EQ(f.table_count(), 3);
  EXPECT_EQ(index_of(f, I(0)), 0);
  EXPECT_EQ(index_of(f, I(1)), 1);  // the seed walkthrough: id 1 -> tbl_ks_0001
  EXPECT_EQ(index_of(f, I(2)), 2);
  EXPECT_EQ(index_of(f, I(3)), 0);
  EXPECT_EQ(index_of(f, I(4)), 1);
  EXPECT_EQ(index_of(f, ShardValue::of_unsigned(UINT64_MAX)), 0);  // (2^64-1) % 3
}

TEST(HashFunction, NegativeIntegersWrapToUint64) {
  // Gaea: uint64(-1) = 2^64-1; 2^64 = 1 (mod 3), so -1 -> 0 and -2 -> 2, not 1 and 2.
  HashFunction three(3);
  EXPECT_EQ(index_of(three, I(-1)), 0);
  EXPECT_EQ(index_of(three, I(-2)), 2);
  HashFunction four(4);
  EXPECT_EQ(index_of(four, I(-1)), 3);
  EXPECT_EQ(index_of(four, I(INT64_MIN)), 0);  // 2^63 % 4
}

TEST(HashFunction, TextKeys) {
  HashFunction f(3);
  EXPECT_EQ(index_of(f, S("5")), 2);    // unsigned decimal text hashes as the number
  EXPECT_EQ(index_of(f, S("abc")), 0);  // 0x352441c2 % 3
  EXPECT_EQ(index_of(f, S("hello")), 1);
  EXPECT_EQ(index_of(f, S("-5")), 1);  // not unsigned: crc32("-5") = 0x37408c33, % 3 = 1
  EXPECT_EQ(index_of(f, S("18446744073709551616")), 1);  // overflows uint64: CRC32
  EXPECT_EQ(index_of(f, S("")), 0);                      // crc32("") = 0
  HashFunction four(4);
  EXPECT_EQ(index_of(four, S("a")), 3);  // 0xe8b7be43 % 4
  HashFunction ten(10);
  EXPECT_EQ(index_of(ten, S("5")), 5);
  EXPECT_EQ(index_of(ten, S("+5")), 7);  // ParseUint refuses '+': 0x611a2bb5 % 10
}

TEST(HashFunction, NullIsAnError) {
  HashFunction f(3);
  EXPECT_EQ(error_of(f, ShardValue::null()), "hash: cannot route NULL");
}

TEST(HashFunction, RangeIsEveryTable) {
  HashFunction f(3);
  EXPECT_EQ(range_of(f, incl(I(1)), incl(I(2))), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(f.signature(), "hash/3");
}

TEST(ModFunction, AbsoluteValueModCount) {
  ModFunction f(3, "mod");
  EXPECT_EQ(index_of(f, I(0)), 0);
  EXPECT_EQ(index_of(f, I(4)), 1);
  EXPECT_EQ(index_of(f, I(-1)), 1);  // |-1| % 3, unlike hash
  EXPECT_EQ(index_of(f, I(-4)), 1);
  EXPECT_EQ(index_of(f, I(-3)), 0);
  EXPECT_EQ(index_of(f, S("7")), 1);
  EXPECT_EQ(index_of(f, S("+7")), 1);
  EXPECT_EQ(index_of(f, S("-7")), 1);
  EXPECT_EQ(index_of(f, I(INT64_MAX)), 1);  // (2^63 - 1) % 3
  // uint64 above INT64_MAX wraps: 2^63 + 1 -> -(2^63 - 1) -> 1.
  EXPECT_EQ(index_of(f, ShardValue::of_unsigned(uint64_t{1} << 63 | 1)), 1);
}

TEST(ModFunction, MycatModMatchesGaeaCases) {
  // From Gaea's PartitionByMod cases (computed with Mycat).
  ModFunction two(2, "mycat_mod");
  EXPECT_EQ(index_of(two, I(-1)), 1);
  EXPECT_EQ(index_of(two, I(-2)), 0);
  ModFunction one(1, "mycat_mod");
  EXPECT_EQ(index_of(one, I(-1)), 0);
}

TEST(ModFunction, BadKeys) {
  ModFunction f(3, "mod");
  EXPECT_EQ(error_of(f, S("abc")), "mod: \"abc\" is not an integer");
  EXPECT_EQ(error_of(f, S("1.5")), "mod: \"1.5\" is not an integer");
  EXPECT_EQ(error_of(f, S(" 1")), "mod: \" 1\" is not an integer");
  EXPECT_EQ(error_of(f, S("9223372036854775808")),
            "mod: \"9223372036854775808\" is not an integer");
  EXPECT_EQ(error_of(f, I(INT64_MIN)), "mod: -9223372036854775808 is out of range");
  EXPECT_EQ(error_of(f, ShardValue::null()), "mod: cannot route NULL");
  ModFunction m(3, "mycat_mod");
  EXPECT_EQ(error_of(m, S("x")), "mycat_mod: \"x\" is not an integer");
}

TEST(RangeFunction, Boundaries) {
  RangeFunction f(4, 100);  // [0,100) [100,200) [200,300) [300,400)
  EXPECT_EQ(index_of(f, I(0)), 0);
  EXPECT_EQ(index_of(f, I(99)), 0);
  EXPECT_EQ(index_of(f, I(100)), 1);
  EXPECT_EQ(index_of(f, I(399)), 3);
  EXPECT_EQ(index_of(f, S("250")), 2);
  EXPECT_EQ(error_of(f, I(400)), "range: 400 is outside every table (0 to 399)");
  EXPECT_EQ(error_of(f, I(-1)), "range: -1 is outside every table (0 to 399)");
  EXPECT_EQ(error_of(f, I(INT64_MAX)),
            "range: 9223372036854775807 is outside every table (0 to 399)");
  EXPECT_EQ(error_of(f, S("x")), "range: \"x\" is not an integer");
}

TEST(RangeFunction, FindRangeRespectsInclusiveness) {
  RangeFunction f(4, 100);
  EXPECT_EQ(range_of(f, incl(I(100)), excl(I(200))), (std::vector<int>{1}));
  EXPECT_EQ(range_of(f, incl(I(100)), incl(I(200))), (std::vector<int>{1, 2}));
  EXPECT_EQ(range_of(f, excl(I(99)), incl(I(199))), (std::vector<int>{1}));
  EXPECT_EQ(range_of(f, incl(I(99)), incl(I(199))), (std::vector<int>{0, 1}));
  EXPECT_EQ(range_of(f, incl(I(350)), std::nullopt), (std::vector<int>{3}));
  EXPECT_EQ(range_of(f, std::nullopt, excl(I(100))), (std::vector<int>{0}));
  EXPECT_EQ(range_of(f, std::nullopt, incl(I(100))), (std::vector<int>{0, 1}));
  EXPECT_EQ(range_of(f, std::nullopt, std::nullopt), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(range_of(f, incl(I(-50)), incl(I(5000))), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_TRUE(range_of(f, std::nullopt, excl(I(0))).empty());
  EXPECT_TRUE(range_of(f, incl(I(400)), std::nullopt).empty());
  EXPECT_TRUE(range_of(f, incl(I(300)), incl(I(200))).empty());
  EXPECT_TRUE(range_of(f, excl(I(INT64_MAX)), std::nullopt).empty());
  EXPECT_TRUE(range_of(f, std::nullopt, excl(I(INT64_MIN))).empty());
  auto bad = f.find_range(incl(S("x")), std::nullopt);
  EXPECT_TRUE(std::holds_alternative<ShardError>(bad));
}

}  // namespace
}  // namespace tessera::router
