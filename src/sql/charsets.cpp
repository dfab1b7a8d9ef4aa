#include "sql/charsets.h"

#include <array>
#include <string>
#include <string_view>

namespace tessera::sql {
namespace {

struct CollationEntry {
  uint8_t id;
  std::string_view charset;
  std::string_view name;
};

// Every collation a client may announce in its handshake (ids below 256 are one byte there):
// MariaDB 10.11's information_schema.COLLATIONS, without the character sets a client may not
// use (ucs2, utf16, utf16le, utf32: the server falls back to its default for them). Ids are
// fixed by the protocol and shared by MySQL and MariaDB below 255. Sorted by id.
constexpr std::array<CollationEntry, 139> kCollations{{
    {1, "big5", "big5_chinese_ci"},
    {2, "latin2", "latin2_czech_cs"},
    {3, "dec8", "dec8_swedish_ci"},
    {4, "cp850", "cp850_general_ci"},
    {5, "latin1", "latin1_german1_ci"},
    {6, "hp8", "hp8_english_ci"},
    {7, "koi8r", "koi8r_general_ci"},
    {8, "latin1", "latin1_swedish_ci"},
    {9, "latin2", "latin2_general_ci"},
    {10, "swe7", "swe7_swedish_ci"},
    {11, "ascii", "ascii_general_ci"},
    {12, "ujis", "ujis_japanese_ci"},
    {13, "sjis", "sjis_japanese_ci"},
    {14, "cp1251", "cp1251_bulgarian_ci"},
    {15, "latin1", "latin1_danish_ci"},
    {16, "hebrew", "hebrew_general_ci"},
    {18, "tis620", "tis620_thai_ci"},
    {19, "euckr", "euckr_korean_ci"},
    {20, "latin7", "latin7_estonian_cs"},
    {21, "latin2", "latin2_hungarian_ci"},
    {22, "koi8u", "koi8u_general_ci"},
    {23, "cp1251", "cp1251_ukrainian_ci"},
    {24, "gb2312", "gb2312_chinese_ci"},
    {25, "greek", "greek_general_ci"},
    {26, "cp1250", "cp1250_general_ci"},
    {27, "latin2", "latin2_croatian_ci"},
    {28, "gbk", "gbk_chinese_ci"},
    {29, "cp1257", "cp1257_lithuanian_ci"},
    {30, "latin5", "latin5_turkish_ci"},
    {31, "latin1", "latin1_german2_ci"},
    {32, "armscii8", "armscii8_general_ci"},
    {33, "utf8mb3", "utf8mb3_general_ci"},
    {34, "cp1250", "cp1250_czech_cs"},
    {36, "cp866", "cp866_general_ci"},
    {37, "keybcs2", "keybcs2_general_ci"},
    {38, "macce", "macce_general_ci"},
    {39, "macroman", "macroman_general_ci"},
    {40, "cp852", "cp852_general_ci"},
    {41, "latin7", "latin7_general_ci"},
    {42, "latin7", "latin7_general_cs"},
    {43, "macce", "macce_bin"},
    {44, "cp1250", "cp1250_croatian_ci"},
    {45, "utf8mb4", "utf8mb4_general_ci"},
    {46, "utf8mb4", "utf8mb4_bin"},
    {47, "latin1", "latin1_bin"},
    {48, "latin1", "latin1_general_ci"},
    {49, "latin1", "latin1_general_cs"},
    {50, "cp1251", "cp1251_bin"},
    {51, "cp1251", "cp1251_general_ci"},
    {52, "cp1251", "cp1251_general_cs"},
    {53, "macroman", "macroman_bin"},
    {57, "cp1256", "cp1256_general_ci"},
    {58, "cp1257", "cp1257_bin"},
    {59, "cp1257", "cp1257_general_ci"},
    {63, "binary", "binary"},
    {64, "armscii8", "armscii8_bin"},
    {65, "ascii", "ascii_bin"},
    {66, "cp1250", "cp1250_bin"},
    {67, "cp1256", "cp1256_bin"},
    {68, "cp866", "cp866_bin"},
    {69, "dec8", "dec8_bin"},
    {70, "greek", "greek_bin"},
    {71, "hebrew", "hebrew_bin"},
    {72, "hp8", "hp8_bin"},
    {73, "keybcs2", "keybcs2_bin"},
    {74, "koi8r", "koi8r_bin"},
    {75, "koi8u", "koi8u_bin"},
    {77, "latin2", "latin2_bin"},
    {78, "latin5", "latin5_bin"},
    {79, "latin7", "latin7_bin"},
    {80, "cp850", "cp850_bin"},
    {81, "cp852", "cp852_bin"},
    {82, "swe7", "swe7_bin"},
    {83, "utf8mb3", "utf8mb3_bin"},
    {84, "big5", "big5_bin"},
    {85, "euckr", "euckr_bin"},
    {86, "gb2312", "gb2312_bin"},
    {87, "gbk", "gbk_bin"},
    {88, "sjis", "sjis_bin"},
    {89, "tis620", "tis620_bin"},
    {91, "ujis", "ujis_bin"},
    {92, "geostd8", "geostd8_general_ci"},
    {93, "geostd8", "geostd8_bin"},
    {94, "latin1", "latin1_spanish_ci"},
    {95, "cp932", "cp932_japanese_ci"},
    {96, "cp932", "cp932_bin"},
    {97, "eucjpms", "eucjpms_japanese_ci"},
    {98, "eucjpms", "eucjpms_bin"},
    {99, "cp1250", "cp1250_polish_ci"},
    {192, "utf8mb3", "utf8mb3_unicode_ci"},
    {193, "utf8mb3", "utf8mb3_icelandic_ci"},
    {194, "utf8mb3", "utf8mb3_latvian_ci"},
    {195, "utf8mb3", "utf8mb3_romanian_ci"},
    {196, "utf8mb3", "utf8mb3_slovenian_ci"},
    {197, "utf8mb3", "utf8mb3_polish_ci"},
    {198, "utf8mb3", "utf8mb3_estonian_ci"},
    {199, "utf8mb3", "utf8mb3_spanish_ci"},
    {200, "utf8mb3", "utf8mb3_swedish_ci"},
    {201, "utf8mb3", "utf8mb3_turkish_ci"},
    {202, "utf8mb3", "utf8mb3_czech_ci"},
    {203, "utf8mb3", "utf8mb3_danish_ci"},
    {204, "utf8mb3", "utf8mb3_lithuanian_ci"},
    {205, "utf8mb3", "utf8mb3_slovak_ci"},
    {206, "utf8mb3", "utf8mb3_spanish2_ci"},
    {207, "utf8mb3", "utf8mb3_roman_ci"},
    {208, "utf8mb3", "utf8mb3_persian_ci"},
    {209, "utf8mb3", "utf8mb3_esperanto_ci"},
    {210, "utf8mb3", "utf8mb3_hungarian_ci"},
    {211, "utf8mb3", "utf8mb3_sinhala_ci"},
    {212, "utf8mb3", "utf8mb3_german2_ci"},
    {213, "utf8mb3", "utf8mb3_croatian_mysql561_ci"},
    {214, "utf8mb3", "utf8mb3_unicode_520_ci"},
    {215, "utf8mb3", "utf8mb3_vietnamese_ci"},
    {223, "utf8mb3", "utf8mb3_general_mysql500_ci"},
    {224, "utf8mb4", "utf8mb4_unicode_ci"},
    {225, "utf8mb4", "utf8mb4_icelandic_ci"},
    {226, "utf8mb4", "utf8mb4_latvian_ci"},
    {227, "utf8mb4", "utf8mb4_romanian_ci"},
    {228, "utf8mb4", "utf8mb4_slovenian_ci"},
    {229, "utf8mb4", "utf8mb4_polish_ci"},
    {230, "utf8mb4", "utf8mb4_estonian_ci"},
    {231, "utf8mb4", "utf8mb4_spanish_ci"},
    {232, "utf8mb4", "utf8mb4_swedish_ci"},
    {233, "utf8mb4", "utf8mb4_turkish_ci"},
    {234, "utf8mb4", "utf8mb4_czech_ci"},
    {235, "utf8mb4", "utf8mb4_danish_ci"},
    {236, "utf8mb4", "utf8mb4_lithuanian_ci"},
    {237, "utf8mb4", "utf8mb4_slovak_ci"},
    {238, "utf8mb4", "utf8mb4_spanish2_ci"},
    {239, "utf8mb4", "utf8mb4_roman_ci"},
    {240, "utf8mb4", "utf8mb4_persian_ci"},
    {241, "utf8mb4", "utf8mb4_esperanto_ci"},
    {242, "utf8mb4", "utf8mb4_hungarian_ci"},
    {243, "utf8mb4", "utf8mb4_sinhala_ci"},
    {244, "utf8mb4", "utf8mb4_german2_ci"},
    {245, "utf8mb4", "utf8mb4_croatian_mysql561_ci"},
    {246, "utf8mb4", "utf8mb4_unicode_520_ci"},
    {247, "utf8mb4", "utf8mb4_vietnamese_ci"},
    // MySQL 8's default; MariaDB lacks it, so it maps to the nearest.
    {255, "utf8mb4", "utf8mb4_general_ci"},
}};

// The collation each character set gets when none is named (information_schema.COLLATIONS
// IS_DEFAULT = 'Yes' in MariaDB 10.11; the `primary` flags of its charsets/Index.xml, plus
// utf8mb4_general_ci): mostly its lowest id, but not for latin1 (swedish_ci), latin2, latin7,
// cp1251 and cp1257 (general_ci), so listed rather than derived.
constexpr std::array<uint8_t, 36> kDefaultCollations{
    1,  3,  4,  6,  7,  8,  9,  10, 11, 12, 13, 16, 18, 19, 22, 24, 25, 26,
    28, 30, 32, 33, 36, 37, 38, 39, 40, 41, 45, 51, 57, 59, 63, 92, 95, 97};

// By id, one slot per possible id: asked on every statement (the session's lexer options), where
// a walk of the table cost hundreds of instructions. The first entry of an id wins, as the walk
// found it.
const CollationEntry* find(uint8_t id) {
  static const auto by_id = [] {
    std::array<const CollationEntry*, 256> t{};
    for (const auto& c : kCollations) {
      if (!t[c.id]) t[c.id] = &c;
    }
    return t;
  }();
  return by_id[id];
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

// MariaDB's aliases: `utf8` is utf8mb3 (old_mode UTF8_IS_UTF8MB3, the default), so are names
// spelled `utf8_...`.
std::string canonical_charset(std::string_view charset) {
  std::string name = ascii_lower(charset);
  if (name == "utf8") name = "utf8mb3";
  return name;
}

}  // namespace

std::string_view charset_of_collation(uint8_t collation) {
  const auto* c = find(collation);
  return c ? c->charset : std::string_view{};
}

std::string_view collation_name(uint8_t collation) {
  const auto* c = find(collation);
  return c ? c->name : std::string_view{};
}

std::optional<uint8_t> collation_id(std::string_view name) {
  std::string lower = ascii_lower(name);
  if (lower.starts_with("utf8_")) lower = "utf8mb3_" + lower.substr(5);
  for (const auto& c : kCollations) {
    // 255 (MySQL 8's utf8mb4_0900_ai_ci) is only an alias of 45 here.
    if (c.name == lower && c.id != 255) return c.id;
  }
  return std::nullopt;
}

std::optional<uint8_t> default_collation(std::string_view charset) {
  std::string name = canonical_charset(charset);
  for (uint8_t id : kDefaultCollations) {
    if (charset_of_collation(id) == name) return id;
  }
  return std::nullopt;
}

}  // namespace tessera::sql
