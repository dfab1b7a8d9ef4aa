// Identifier and string quoting: the only place that decides how untrusted names and values are
// turned into SQL text, so injection safety is reviewed here.
#include <algorithm>
#include <vector>

#include "sql/keywords.h"
#include "sql/lexer.h"
#include "sql/writer.h"

namespace tessera::sql {

namespace {

constexpr std::string_view kAlsoReserved[] = {
#include "sql/quote_reserved.inc"
};

// kAlsoReserved by length: a name is compared with the few words of its own length only
// (every rewritten statement prints its identifiers through here).
constexpr size_t kLongestAlsoReserved = [] {
  size_t longest = 0;
  for (std::string_view w : kAlsoReserved) longest = std::max(longest, w.size());
  return longest;
}();

struct AlsoReservedByLength {
  std::vector<std::string_view> words[kLongestAlsoReserved + 1];
  AlsoReservedByLength() {
    for (std::string_view w : kAlsoReserved) words[w.size()].push_back(w);
  }
  bool has(std::string_view name) const {
    if (name.size() > kLongestAlsoReserved) return false;
    for (std::string_view w : words[name.size()])
      if (iequals_upper(name, w)) return true;
    return false;
  }
};

bool also_reserved(std::string_view name) {
  static const AlsoReservedByLength table;
  return table.has(name);
}

bool needs_quotes(std::string_view name) {
  if (name.empty()) return true;
  if (name[0] >= '0' && name[0] <= '9') return true;  // 1e5, 0x1 would lex as numbers
  if (name[0] == '_') return true;                    // _utf8 'x' would be an introducer
  for (char c : name) {
    if (!is_ident_char(uint8_t(c)) || c == '$') return true;
  }
  Kw k = lookup_keyword(name);
  if (k != Kw::None && is_reserved(k)) return true;
  return also_reserved(name);
}

}  // namespace

void append_identifier(std::string& out, std::string_view name, bool force) {
  if (!force && !needs_quotes(name)) {
    out.append(name);
    return;
  }
  out.push_back('`');
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  out.push_back('`');
}

void append_string_literal(std::string& out, std::string_view value, bool no_backslash_escapes) {
  out.push_back('\'');
  for (char c : value) {
    if (c == '\'') {
      out.append("''");
    } else if (no_backslash_escapes) {
      out.push_back(c);
    } else if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\0') {
      out.append("\\0");
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '\r') {
      out.append("\\r");
    } else if (c == '\x1a') {
      out.append("\\Z");
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\'');
}

void decode_string_literal(std::string_view text, std::string& out) {
  size_t i = 0;
  while (i < text.size()) {
    char q = text[i];
    if (q != '\'' && q != '"') {
      ++i;
      continue;
    }
    ++i;
    while (i < text.size()) {
      char c = text[i];
      if (c == '\\' && i + 1 < text.size()) {
        char e = text[i + 1];
        switch (e) {
          case '0':
            out.push_back('\0');
            break;
          case 'n':
            out.push_back('\n');
            break;
          case 'r':
            out.push_back('\r');
            break;
          case 't':
            out.push_back('\t');
            break;
          case 'b':
            out.push_back('\b');
            break;
          case 'Z':
            out.push_back('\x1a');
            break;
          case '%':
          case '_':
            out.push_back('\\');
            out.push_back(e);
            break;
          default:
            out.push_back(e);
            break;
        }
        i += 2;
        continue;
      }
      if (c == q) {
        if (i + 1 < text.size() && text[i + 1] == q) {
          out.push_back(q);
          i += 2;
          continue;
        }
        ++i;
        break;
      }
      out.push_back(c);
      ++i;
    }
  }
}

}  // namespace tessera::sql
