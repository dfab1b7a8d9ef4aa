#include <array>
#include <string_view>

#include "session/session_state.h"

namespace tessera::session {
namespace {

struct CollationEntry {
  uint8_t id;
  std::string_view charset;
  std::string_view name;
};

// The collations clients commonly announce in their handshake. Ids are fixed
// by the protocol and shared by MySQL and MariaDB below 255.
constexpr std::array<CollationEntry, 22> kCollations{{
    {8, "latin1", "latin1_swedish_ci"},
    {11, "ascii", "ascii_general_ci"},
    {24, "gb2312", "gb2312_chinese_ci"},
    {28, "gbk", "gbk_chinese_ci"},
    {33, "utf8mb3", "utf8mb3_general_ci"},
    {45, "utf8mb4", "utf8mb4_general_ci"},
    {46, "utf8mb4", "utf8mb4_bin"},
    {47, "latin1", "latin1_bin"},
    {48, "latin1", "latin1_general_ci"},
    {63, "binary", "binary"},
    {65, "ascii", "ascii_bin"},
    {83, "utf8mb3", "utf8mb3_bin"},
    {87, "gbk", "gbk_bin"},
    {192, "utf8mb3", "utf8mb3_unicode_ci"},
    {224, "utf8mb4", "utf8mb4_unicode_ci"},
    {225, "utf8mb4", "utf8mb4_icelandic_ci"},
    {246, "utf8mb4", "utf8mb4_unicode_520_ci"},
    {248, "gb18030", "gb18030_chinese_ci"},
    {1, "big5", "big5_chinese_ci"},
    {13, "sjis", "sjis_japanese_ci"},
    {19, "euckr", "euckr_korean_ci"},
    // MySQL 8's default; MariaDB lacks it, so it maps to the nearest.
    {255, "utf8mb4", "utf8mb4_general_ci"},
}};

const CollationEntry* find(uint8_t id) {
  for (const auto& c : kCollations) {
    if (c.id == id) return &c;
  }
  return nullptr;
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

}  // namespace tessera::session
