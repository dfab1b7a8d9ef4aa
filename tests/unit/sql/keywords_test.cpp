// lookup_keyword (sql/keywords.h) against the keyword table itself: every keyword in every case
// is found, and near-misses (a byte changed, dropped or added, non-ASCII bytes, over-long
// words) are found exactly when a plain scan of the table finds them.
#include "sql/keywords.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <random>
#include <string>

namespace tessera::sql {
namespace {

// The reference: the first keyword whose spelling equals the word, ignoring ASCII case.
Kw scan(std::string_view word) {
  for (size_t i = 1; i < size_t(Kw::Count_); ++i) {
    if (iequals_upper(word, keyword_text(Kw(i)))) return Kw(i);
  }
  return Kw::None;
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = char(c + 32);
  return s;
}

TEST(Keywords, EveryKeywordInEveryCase) {
  for (size_t i = 1; i < size_t(Kw::Count_); ++i) {
    const std::string upper(keyword_text(Kw(i)));
    SCOPED_TRACE(upper);
    EXPECT_EQ(lookup_keyword(upper), Kw(i));
    EXPECT_EQ(lookup_keyword(lower(upper)), Kw(i));
    std::string mixed = upper;
    for (size_t k = 0; k < mixed.size(); k += 2) mixed[k] = lower(mixed.substr(k, 1))[0];
    EXPECT_EQ(lookup_keyword(mixed), Kw(i));
  }
}

TEST(Keywords, NearMissesAsAScanFindsThem) {
  std::mt19937 rng(20);
  const std::string alphabet = "AZaz_09`@$\x80\xc3\xe4 \x7f";
  size_t tried = 0;
  for (size_t i = 1; i < size_t(Kw::Count_); ++i) {
    const std::string kw(keyword_text(Kw(i)));
    std::vector<std::string> misses = {kw.substr(1), kw.substr(0, kw.size() - 1), kw + "S",
                                       "X" + kw,     kw + std::string(1, '\0'),   kw + "_"};
    for (size_t k = 0; k < kw.size(); ++k) {
      for (char c : alphabet) {
        std::string m = kw;
        m[k] = c;
        misses.push_back(m);
      }
      // Case changes of non-letters: '_' ^ 0x20 is DEL, '0' ^ 0x20 is DLE.
      std::string flipped = kw;
      flipped[k] = char(flipped[k] ^ 0x20);
      misses.push_back(flipped);
    }
    for (const auto& m : misses) {
      ASSERT_EQ(lookup_keyword(m), scan(m)) << m;
      ++tried;
    }
  }
  // Random words of every length up to and past the longest keyword.
  for (int n = 0; n < 20000; ++n) {
    std::string w(1 + rng() % 26, ' ');
    for (char& c : w) c = "ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"[rng() % 53];
    ASSERT_EQ(lookup_keyword(w), scan(w)) << w;
  }
  EXPECT_GT(tried, 10000u);
  EXPECT_EQ(lookup_keyword(""), Kw::None);
  EXPECT_EQ(lookup_keyword("S"), Kw::None);
  EXPECT_EQ(lookup_keyword(std::string(21, 'A')), Kw::None);
}

}  // namespace
}  // namespace tessera::sql
