// UPPER()/LOWER() case maps per collation family (exec/case_map.h), recorded from MariaDB 10.11
// by scripts/record-case-maps.py. The expectations below are the server's answers:
//   SELECT UPPER(x), LOWER(x) FROM (SELECT CONVERT(_utf8mb4'...' USING cs) COLLATE c AS x) a
// and collation_data/case_maps.pairs holds random strings with the server's answers per family.
#include "exec/case_map.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "exec/collation.h"

#ifndef TESSERA_COLLATION_DATA
#error "TESSERA_COLLATION_DATA must name tests/unit/exec/collation_data"
#endif

namespace tessera::exec {
namespace {

std::string upper(const char* collation, std::string_view s) {
  const CaseMap* m = CaseMap::of(collation);
  if (!m) return "<no map>";
  return m->apply(s, true, true).value_or("<refused>");
}
std::string lower(const char* collation, std::string_view s) {
  const CaseMap* m = CaseMap::of(collation);
  if (!m) return "<no map>";
  return m->apply(s, true, false).value_or("<refused>");
}

std::string unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

TEST(CaseMap, FamiliesOfCollations) {
  // general_ci, its _bin and NO PAD siblings and the UCA 4.0.0 collations share one map;
  // utf8mb3 reads as its utf8mb4 sibling's; unicode_520 and uca1400 have their own, and the
  // Turkish tailorings theirs.
  const CaseMap* general = CaseMap::of("utf8mb4_general_ci");
  ASSERT_NE(general, nullptr);
  EXPECT_EQ(CaseMap::of("utf8mb4_bin"), general);
  EXPECT_EQ(CaseMap::of("utf8mb4_unicode_ci"), general);
  EXPECT_EQ(CaseMap::of("UTF8MB4_GENERAL_NOPAD_CI"), general);
  EXPECT_EQ(CaseMap::of("utf8mb3_general_ci"), general);
  EXPECT_EQ(CaseMap::of("utf8_general_ci"), general);
  EXPECT_NE(CaseMap::of("utf8mb4_unicode_520_ci"), general);
  EXPECT_NE(CaseMap::of("utf8mb4_uca1400_ai_ci"), general);
  EXPECT_NE(CaseMap::of("utf8mb4_turkish_ci"), general);
  EXPECT_EQ(CaseMap::of("utf8mb4_uca1400_as_cs"), CaseMap::of("utf8mb4_uca1400_nopad_ai_ci"));
  ASSERT_NE(CaseMap::of("latin1_swedish_ci"), nullptr);
  EXPECT_TRUE(CaseMap::of("latin1_swedish_ci")->eight_bit());
  EXPECT_FALSE(general->eight_bit());
  // Not recorded: no map (the evaluator refuses).
  EXPECT_EQ(CaseMap::of("cp1251_general_ci"), nullptr);
  EXPECT_EQ(CaseMap::of("utf8mb4_0900_ai_ci"), nullptr);
  EXPECT_EQ(CaseMap::of("binary"), nullptr);
  EXPECT_EQ(CaseMap::of(""), nullptr);
  // from_name() carries it.
  EXPECT_EQ(Collation::from_name("utf8mb4_uca1400_ai_ci", Collation::Encoding::kUtf8).case_map,
            CaseMap::of("utf8mb4_uca1400_ai_ci"));
  EXPECT_EQ(Collation::from_name("utf8mb4_bin", Collation::Encoding::kUtf8).case_map, general);
}

TEST(CaseMap, OneCharacterAtATimeAsTheServer) {
  for (const char* c : {"utf8mb4_general_ci", "utf8mb4_unicode_ci", "utf8mb4_bin",
                        "utf8mb4_unicode_520_ci", "utf8mb4_uca1400_ai_ci"}) {
    SCOPED_TRACE(c);
    EXPECT_EQ(upper(c, "ß"), "ß");  // no length change: ß stays
    EXPECT_EQ(upper(c, "ǅ"), "Ǆ");  // titlecase digraph
    EXPECT_EQ(lower(c, "ǅ"), "ǆ");
    EXPECT_EQ(upper(c, "ς"), "Σ");    // final sigma
    EXPECT_EQ(lower(c, "Σ"), "σ");    // always σ, wherever it stands
    EXPECT_EQ(upper(c, "жё"), "ЖЁ");  // Cyrillic
    EXPECT_EQ(lower(c, "ЖЁ"), "жё");
    EXPECT_EQ(upper(c, "中文"), "中文");  // CJK: unchanged
    EXPECT_EQ(upper(c, "😀a"), "😀A");      // emoji: unchanged
    EXPECT_EQ(upper(c, "iı"), "II");
    EXPECT_EQ(lower(c, "İI"), "ii");
    EXPECT_EQ(upper(c, "µÿ"), "ΜŸ");
    EXPECT_EQ(upper(c, "øre  "), "ØRE  ");  // trailing spaces kept
  }
  // Turkish: i and I have dotted / dotless partners.
  for (const char* c : {"utf8mb4_turkish_ci", "utf8mb4_uca1400_turkish_ai_ci"}) {
    SCOPED_TRACE(c);
    EXPECT_EQ(upper(c, "iı"), "İI");
    EXPECT_EQ(lower(c, "İI"), "iı");
  }
  // The pre-5.2 maps lack later pairs: Ⱥ/ⱥ (U+023A/U+2C65, 2 and 3 UTF-8 bytes) and the
  // supplementary planes (Deseret 𐐀/𐐨).
  EXPECT_EQ(lower("utf8mb4_general_ci", "Ⱥ𐐀"), "Ⱥ𐐀");
  EXPECT_EQ(lower("utf8mb4_unicode_520_ci", "Ⱥ𐐀"), "ⱥ𐐨");
  EXPECT_EQ(upper("utf8mb4_uca1400_ai_ci", "ⱥ𐐨"), "Ⱥ𐐀");
  // Not UTF-8: refused, not guessed.
  EXPECT_EQ(upper("utf8mb4_general_ci", "\xff"), "<refused>");
}

TEST(CaseMap, Latin1MapsItsOwnBytes) {
  const CaseMap* m = CaseMap::of("latin1_swedish_ci");
  ASSERT_NE(m, nullptr);
  // ÿ (0xFF), µ (0xB5) and ß (0xDF) stay, as the server maps them in latin1
  EXPECT_EQ(m->apply("\xff\xb5\xdf"
                     "ab\xe9",
                     false, true)
                .value_or(""),
            "\xff\xb5\xdf"
            "AB\xc9");
  EXPECT_EQ(m->apply("\xc9\xc5"
                     "A",
                     false, false)
                .value_or(""),
            "\xe9\xe5"
            "a");
  // The same text arriving as UTF-8 (a latin1 column read by a utf8mb4 client).
  EXPECT_EQ(m->apply("ÿµßé", true, true).value_or(""), "ÿµßÉ");
  // A character latin1 lacks cannot be in a latin1 column: refused.
  EXPECT_FALSE(m->apply("ж", true, true));
  // A Unicode map never reads latin1 bytes.
  EXPECT_FALSE(CaseMap::of("utf8mb4_general_ci")->apply("\xe9", false, true));
}

TEST(CaseMap, RecordedStringsPerFamily) {
  std::ifstream in(std::string(TESSERA_COLLATION_DATA) + "/case_maps.pairs");
  ASSERT_TRUE(in) << "case_maps.pairs";
  std::string line;
  size_t checked = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream f(line);
    std::string coll, s, up, low;
    f >> coll >> s >> up >> low;
    const CaseMap* m = CaseMap::of(coll);
    ASSERT_NE(m, nullptr) << coll;
    // latin1's strings are recorded as UTF-8 (converted by the server) too
    std::string text = unhex(s);
    EXPECT_EQ(m->apply(text, true, true).value_or("<refused>"), unhex(up)) << coll << " " << s;
    EXPECT_EQ(m->apply(text, true, false).value_or("<refused>"), unhex(low)) << coll << " " << s;
    ++checked;
  }
  EXPECT_GT(checked, 200u);
}

}  // namespace
}  // namespace tessera::exec
