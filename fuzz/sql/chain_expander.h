// Expands a short fuzz input into a statement with a very long operator chain, deep nesting or a
// huge list, so the SQL and planner fuzzers reach shapes libFuzzer's -max_len (8 KiB) cannot
// spell out: 100,000-term "1+1+...", 60,000-term OR chains, 100,000-item IN lists, thousands of
// unary minus signs or parentheses (issue 15: every AST walk must stay bounded).
//
// Input layout (anything else is used as is):
//   0xFF  shape  count_hi  count_lo  prefix [0x01 term [0x01 suffix]]
// `shape` (modulo the table below) picks what is repeated, count = (count_lo + 1) << (count_hi %
// 10) capped at 100,000 (log-scaled: most mutations stay short and fast, some reach 100,000),
// and the statement is prefix + expansion + suffix, where a chain shape
// gives "term SEP term SEP ... term" and a nesting shape "OPEN OPEN ... term ... CLOSE CLOSE".
// Without a term, "1" is used.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::fuzz {

struct ChainShape {
  const char* open;   // repeated before the term (nesting shapes)
  const char* sep;    // between terms (chain shapes)
  const char* close;  // repeated after the term (nesting shapes)
};

inline constexpr ChainShape kChainShapes[] = {
    {"", "+", ""},
    {"", " OR ", ""},
    {"", " AND ", ""},
    {"", " XOR ", ""},
    {"", " || ", ""},
    {"", " && ", ""},
    {"", "-", ""},
    {"", "*", ""},
    {"", " DIV ", ""},
    {"", "^", ""},
    {"", "|", ""},
    {"", "<<", ""},
    {"", " = ", ""},
    {"", " <=> ", ""},
    {"", " < ", ""},
    {"", " LIKE ", ""},
    {"", " IS NOT NULL = ", ""},
    {"", ",", ""},  // IN lists, VALUES rows, select lists, function arguments
    {"", " OR a = ", ""},
    {"", " UNION SELECT ", ""},
    {"", " JOIN t1 ON ", ""},
    {"", " COLLATE utf8mb4_bin || ", ""},
    {"-", "", ""},
    {"- ", "", ""},
    {"~", "", ""},
    {"!", "", ""},
    {"NOT ", "", ""},
    {"BINARY ", "", ""},
    {"(", "", ")"},
    {"abs(", "", ")"},
    {"(SELECT ", "", ")"},
    {"a IN (SELECT a FROM t1 WHERE ", "", ")"},
    {"CASE WHEN ", "", " THEN 1 END"},
    {"@v := ", "", ""},
};

inline constexpr size_t kMaxChainCount = 100000;
inline constexpr size_t kMaxExpandedBytes = size_t(4) << 20;

// Returns false (out untouched) when the input does not ask for an expansion.
inline bool expand_chain(const uint8_t* data, size_t size, std::string& out) {
  if (size < 4 || data[0] != 0xFF) return false;
  const ChainShape& shape = kChainShapes[data[1] % (sizeof(kChainShapes) / sizeof(ChainShape))];
  size_t count = (size_t(data[3]) + 1) << (data[2] % 10);
  if (count > kMaxChainCount) count = kMaxChainCount;
  std::string_view rest(reinterpret_cast<const char*>(data + 4), size - 4);
  std::string_view prefix = rest, term = "1", suffix;
  if (size_t a = rest.find('\x01'); a != std::string_view::npos) {
    prefix = rest.substr(0, a);
    term = rest.substr(a + 1);
    if (size_t b = term.find('\x01'); b != std::string_view::npos) {
      suffix = term.substr(b + 1);
      term = term.substr(0, b);
    }
  }
  std::string_view open = shape.open, sep = shape.sep, close = shape.close;
  size_t per = open.size() + sep.size() + close.size() + term.size();
  if (per * count > kMaxExpandedBytes) count = kMaxExpandedBytes / (per ? per : 1);
  out.clear();
  out.reserve(prefix.size() + per * count + suffix.size());
  out.append(prefix);
  for (size_t i = 0; i < count; ++i) out.append(open);
  for (size_t i = 0; i < count; ++i) {
    if (i && !sep.empty()) out.append(sep);
    if (i == 0 || !sep.empty()) out.append(term);
  }
  for (size_t i = 0; i < count; ++i) out.append(close);
  out.append(suffix);
  return true;
}

}  // namespace tessera::fuzz
