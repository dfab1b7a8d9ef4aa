// Mycat-style functions. Golden values come from Mycat's own results (as listed in Gaea's
// tests) and from an independent model: Guava's hashUnencodedChars is murmur3_32 over the
// UTF-16LE bytes of the string, and PartitionByString is Java's String.hashCode.
#include <gtest/gtest.h>

#include "router/shard_functions/go_runes.h"
#include "router/shard_functions/murmur3.h"
#include "router/shard_functions/mycat_long_function.h"
#include "router/shard_functions/mycat_murmur_function.h"
#include "router/shard_functions/mycat_padding_mod_function.h"
#include "router/shard_functions/mycat_partition.h"
#include "router/shard_functions/mycat_string_function.h"
#include "router/shard_functions/shard_param.h"

namespace tessera::router {
namespace {

ShardValue S(std::string v) {
  return ShardValue::of(std::move(v));
}
ShardValue I(int64_t v) {
  return ShardValue::of(v);
}

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

template <typename F>
ShardParamError param_error(F&& f) {
  try {
    f();
  } catch (const ShardParamError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ShardParamError";
  return {};
}

TEST(GoRunes, DecodesLikeGo) {
  EXPECT_EQ(go_runes("ab"), (std::vector<char32_t>{'a', 'b'}));
  EXPECT_EQ(go_runes("\xe4\xbd\xa0"), (std::vector<char32_t>{0x4F60}));       // 你
  EXPECT_EQ(go_runes("\xf0\x9f\x98\x80"), (std::vector<char32_t>{0x1F600}));  // emoji
  // Each invalid byte is one U+FFFD: a lone continuation, a truncated sequence, overlong form.
  EXPECT_EQ(go_runes("\x80"), (std::vector<char32_t>{0xFFFD}));
  EXPECT_EQ(go_runes("\xe4\xbd"), (std::vector<char32_t>{0xFFFD, 0xFFFD}));
  EXPECT_EQ(go_runes("\xc0\xaf"), (std::vector<char32_t>{0xFFFD, 0xFFFD}));
  EXPECT_EQ(go_runes("\xed\xa0\x80"), (std::vector<char32_t>{0xFFFD, 0xFFFD, 0xFFFD}));
}

TEST(Murmur3, MatchesGuavaHashUnencodedChars) {
  EXPECT_EQ(murmur3_32_chars("", 0), 0);
  EXPECT_EQ(murmur3_32_chars("", 1), 1364076727);
  EXPECT_EQ(murmur3_32_chars("a", 0), 1867108634);
  EXPECT_EQ(murmur3_32_chars("ab", 0), 374890698);
  EXPECT_EQ(murmur3_32_chars("hello", 0), -675079799);
  EXPECT_EQ(murmur3_32_chars("hello", 1), -1820673863);
  EXPECT_EQ(murmur3_32_chars("SHARD-0-NODE-0", 0), -1711177021);
  EXPECT_EQ(murmur3_32_chars("你好, 中国", 0), -667482541);
}

TEST(MycatMurmur, SeedZeroTwoTables) {
  MycatMurmurFunction f(0, 160, 2);
  // Mycat's results for "-5".."10".
  std::vector<int> expected{0, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1};
  for (int k = -5; k <= 10; ++k) {
    EXPECT_EQ(index_of(f, S(std::to_string(k))), expected[static_cast<size_t>(k + 5)]) << k;
    EXPECT_EQ(index_of(f, I(k)), expected[static_cast<size_t>(k + 5)]) << k;  // as decimal text
  }
  EXPECT_EQ(index_of(f, S("?!)_FFSD")), 1);
  EXPECT_EQ(index_of(f, S("hello, world")), 0);
  EXPECT_EQ(index_of(f, ShardValue::of_unsigned(0)), 1);
  EXPECT_EQ(error_of(f, ShardValue::null()), "mycat_murmur: cannot route NULL");
  EXPECT_EQ(f.signature(), "mycat_murmur/0/160/2");
}

TEST(MycatMurmur, SeedOneFourTables) {
  MycatMurmurFunction f(1, 160, 4);
  EXPECT_EQ(index_of(f, S("")), 2);
  EXPECT_EQ(index_of(f, S("hello, world")), 1);
  EXPECT_EQ(index_of(f, S("你好, 中国")), 0);
  EXPECT_EQ(index_of(f, S("?!)_FFSD")), 1);
  EXPECT_EQ(index_of(f, S("-50")), 1);
  EXPECT_EQ(index_of(f, S("50")), 0);
  EXPECT_EQ(index_of(f, S("7")), 3);
}

TEST(MycatMurmur, OneTableTakesEverything) {
  MycatMurmurFunction f(0, 160, 1);
  EXPECT_EQ(index_of(f, S("anything")), 0);
  EXPECT_EQ(index_of(f, I(-42)), 0);
}

TEST(MycatPartition, LayoutAndErrors) {
  MycatPartition p = parse_mycat_partition("2,1", "256,512", 3);
  EXPECT_EQ(p.table_of_slot[0], 0);
  EXPECT_EQ(p.table_of_slot[255], 0);
  EXPECT_EQ(p.table_of_slot[256], 1);
  EXPECT_EQ(p.table_of_slot[511], 1);
  EXPECT_EQ(p.table_of_slot[512], 2);
  EXPECT_EQ(p.table_of_slot[1023], 2);
  EXPECT_EQ(p.boundaries, "0,256,512,1024");
  // Spelled differently, same layout.
  EXPECT_EQ(parse_mycat_partition("1, 1, 1", "256,256,512", 3).boundaries, "0,256,512,1024");

  auto e = param_error([] { parse_mycat_partition("1,4,5", "512,128", 10); });
  EXPECT_EQ(e.field, "partition_length");
  EXPECT_EQ(e.problem, "has 2 entries but partition_count has 3; they pair up");
  e = param_error([] { parse_mycat_partition("1,2", "128,512", 3); });
  EXPECT_EQ(e.field, "partition_length");
  EXPECT_EQ(e.problem, "partitions cover 1152 slots; the sum of count x length must be 1024");
  e = param_error([] { parse_mycat_partition("4", "256", 3); });
  EXPECT_EQ(e.field, "partition_count");
  EXPECT_EQ(e.problem,
            "adds up to 4 partitions but the rule has 3 tables (locations); they must match");
  e = param_error([] { parse_mycat_partition("a", "1024", 1); });
  EXPECT_EQ(e.field, "partition_count");
  EXPECT_EQ(e.problem, "\"a\" is not a comma-separated list of integers");
  e = param_error([] { parse_mycat_partition("", "1024", 1); });
  EXPECT_EQ(e.problem, "is required (comma-separated integers)");
  e = param_error([] { parse_mycat_partition("2", "0", 2); });
  EXPECT_EQ(e.problem, "0 must be greater than 0");
}

TEST(MycatLong, LowTenBitsPickTheSlot) {
  MycatLongFunction even(parse_mycat_partition("4", "256", 4), 4);
  EXPECT_EQ(index_of(even, S("-1")), 3);  // -1 & 1023 = 1023
  EXPECT_EQ(index_of(even, I(0)), 0);
  EXPECT_EQ(index_of(even, I(255)), 0);
  EXPECT_EQ(index_of(even, I(256)), 1);
  EXPECT_EQ(index_of(even, I(768)), 3);
  EXPECT_EQ(index_of(even, I(1024)), 0);
  EXPECT_EQ(index_of(even, I(1280)), 1);
  EXPECT_EQ(index_of(even, S("-9223372036854775808")), 0);
  EXPECT_EQ(index_of(even, S("9223372036854775807")), 3);
  EXPECT_EQ(error_of(even, S("x1")), "mycat_long: \"x1\" is not an integer");

  MycatLongFunction uneven(parse_mycat_partition("1,1,4", "512,256,64", 6), 6);
  EXPECT_EQ(index_of(uneven, ShardValue::of_unsigned(0)), 0);
  EXPECT_EQ(index_of(uneven, I(511)), 0);
  EXPECT_EQ(index_of(uneven, I(512)), 1);
  EXPECT_EQ(index_of(uneven, I(768)), 2);
  EXPECT_EQ(index_of(uneven, I(-1)), 5);
  EXPECT_EQ(uneven.signature(), "mycat_long/0,512,768,832,896,960,1024");
}

TEST(MycatString, HashSliceSyntax) {
  auto slice = [](std::string_view t) {
    HashSlice s = parse_hash_slice(t);
    return std::pair{s.start, s.end};
  };
  EXPECT_EQ(slice("2"), (std::pair{0, 2}));
  EXPECT_EQ(slice("-2"), (std::pair{-2, 0}));
  EXPECT_EQ(slice("1:2"), (std::pair{1, 2}));
  EXPECT_EQ(slice("1:"), (std::pair{1, 0}));
  EXPECT_EQ(slice("-1:"), (std::pair{-1, 0}));
  EXPECT_EQ(slice(":-1"), (std::pair{0, -1}));
  EXPECT_EQ(slice(":"), (std::pair{0, 0}));
  EXPECT_EQ(slice(" 0:2 "), (std::pair{0, 2}));
  for (std::string_view bad : {"", "0:1:2", "a:1", "a", "a:", ":a", "1:a"}) {
    auto e = param_error([&] { parse_hash_slice(bad); });
    EXPECT_EQ(e.field, "hash_slice") << bad;
  }
}

TEST(MycatString, JavaHashCodeOverTheSlice) {
  MycatStringFunction f(parse_mycat_partition("64", "16", 64), 64, parse_hash_slice("32"));
  EXPECT_EQ(index_of(f, S("")), 0);
  EXPECT_EQ(index_of(f, S("hello, world")), 24);
  EXPECT_EQ(index_of(f, S("你好, 中国")), 40);
  EXPECT_EQ(index_of(f, S("?!)_FFSD")), 58);
  EXPECT_EQ(index_of(f, S("ddda;kjelwr")), 63);
  EXPECT_EQ(index_of(f, S("-120123012")), 4);
  EXPECT_EQ(index_of(f, S("1029421093")), 17);
  EXPECT_EQ(index_of(f, S("-1")), 26);
  EXPECT_EQ(index_of(f, S("10")), 33);
  EXPECT_EQ(index_of(f, I(10)), 33);  // integers hash as their decimal text
  EXPECT_EQ(index_of(f, S("50")), 41);
  EXPECT_EQ(error_of(f, ShardValue::null()), "mycat_string: cannot route NULL");
}

TEST(MycatString, NegativeSliceTakesTheTail) {
  // 1024 one-slot partitions expose the slot: "cd" -> 'c' * 31 + 'd' = 3169, & 1023 = 97.
  MycatStringFunction f(parse_mycat_partition("1024", "1", 1024), 1024, parse_hash_slice("-2:"));
  EXPECT_EQ(index_of(f, S("abcd")), 97);
  EXPECT_EQ(index_of(f, S("zzcd")), 97);
  EXPECT_EQ(index_of(f, S("abce")), 98);
  EXPECT_EQ(index_of(f, S("d")), 100);  // start clamps to 0
}

TEST(MycatPaddingMod, DefaultParameters) {
  MycatPaddingModFunction f(PaddingModParams{}, 2);  // right pad to 18, digits [10, 16), mod 2
  EXPECT_EQ(index_of(f, S("1000000000000000")), 0);
  EXPECT_EQ(index_of(f, S("1000000000000003")), 1);
  EXPECT_EQ(index_of(f, I(1000000000000098)), 0);
  EXPECT_EQ(error_of(f, S("hello")), "mycat_padding_mod: \"hello\" is not an integer");
}

TEST(MycatPaddingMod, CustomParameters) {
  MycatPaddingModFunction f(PaddingModParams{1, 18, 14, 16}, 32);
  EXPECT_EQ(index_of(f, S("1000000000000031")), 31);
  EXPECT_EQ(index_of(f, S("1000000000000033")), 1);
  EXPECT_EQ(index_of(f, S("1000000000000131")), 31);  // "...013100" -> "31"
  EXPECT_EQ(index_of(f, S("1000000000000199")), 3);   // "99" % 32
}

TEST(MycatPaddingMod, LeftPaddingAndTruncation) {
  MycatPaddingModFunction left(PaddingModParams{0, 18, 10, 16}, 32);
  EXPECT_EQ(index_of(left, I(123)), 1);       // "000000000000000123" -> "000001"
  EXPECT_EQ(index_of(left, I(1234567)), 25);  // "000000000001234567" -> "012345" -> % 32
  EXPECT_EQ(index_of(left, I(99)), 0);        // "000000000000000099" -> "000000"
  EXPECT_EQ(error_of(left, I(-1)), "mycat_padding_mod: cannot pad negative key -1 on the left");
  MycatPaddingModFunction seven(PaddingModParams{0, 18, 10, 16}, 7);
  // 19 digits: cut to the first 18, "123456789012345678" -> "123456" -> 123456 % 7.
  EXPECT_EQ(index_of(seven, I(1234567890123456789)), 4);
  // Negative keys padded on the right keep their sign in the text.
  MycatPaddingModFunction right(PaddingModParams{1, 6, 0, 3}, 10);
  EXPECT_EQ(index_of(right, I(-5)), 0);   // "-50000" -> "-50" -> 50 % 10
  EXPECT_EQ(index_of(right, I(-12)), 2);  // "-12000" -> "-12" -> 12 % 10
}

}  // namespace
}  // namespace tessera::router
