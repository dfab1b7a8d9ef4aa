#include "session/consistency_statement.h"

#include <cctype>

#include "sql/ascii_case.h"

namespace tessera::session {

namespace {

using sql::iequals;

// A minimal scanner over the few token shapes these statements use.
struct Scanner {
  std::string_view s;
  size_t pos = 0;

  void skip_space() {
    while (pos < s.size()) {
      if (std::isspace(static_cast<unsigned char>(s[pos]))) {
        ++pos;
      } else if (s.compare(pos, 2, "/*") == 0) {
        size_t end = s.find("*/", pos + 2);
        pos = end == std::string_view::npos ? s.size() : end + 2;
      } else {
        break;
      }
    }
  }
  bool at_end() {
    skip_space();
    while (pos < s.size() && s[pos] == ';') {
      ++pos;
      skip_space();
    }
    return pos >= s.size();
  }
  std::string_view word() {
    skip_space();
    size_t start = pos;
    while (pos < s.size() && (std::isalnum(static_cast<unsigned char>(s[pos])) || s[pos] == '_')) {
      ++pos;
    }
    return s.substr(start, pos - start);
  }
  bool eat(std::string_view lit) {
    skip_space();
    if (s.compare(pos, lit.size(), lit) != 0) return false;
    pos += lit.size();
    return true;
  }
  bool eat_word(std::string_view w) {
    size_t save = pos;
    if (iequals(word(), w)) return true;
    pos = save;
    return false;
  }
  // @@[session.|local.]name, or name when `sigil_optional`. Sets `global` for @@global.
  bool variable(bool sigil_optional, bool& global) {
    bool sigil = eat("@@");
    if (!sigil && !sigil_optional) return false;
    if (sigil) {
      size_t save = pos;
      std::string_view scope = word();
      if (eat(".")) {
        if (iequals(scope, "global"))
          global = true;
        else if (!iequals(scope, "session") && !iequals(scope, "local"))
          return false;
      } else {
        pos = save;
      }
    }
    return iequals(word(), kReadConsistencyVariable);
  }
};

}  // namespace

bool may_name_consistency_variable(std::string_view sql) {
  return sql::icontains(sql, kReadConsistencyVariable);
}

ConsistencyStatement parse_consistency_statement(std::string_view sql) {
  using Kind = ConsistencyStatement::Kind;
  if (!may_name_consistency_variable(sql)) return {};
  Scanner sc{sql};
  bool global = false;
  if (sc.eat_word("SELECT")) {
    if (!sc.variable(false, global) || !sc.at_end()) return {};
    if (global) return {Kind::kInvalid, {}, "tessera_read_consistency is a SESSION variable"};
    return {Kind::kSelect, {}, {}};
  }
  if (!sc.eat_word("SET")) return {};
  if (sc.eat_word("GLOBAL"))
    global = true;
  else if (!sc.eat_word("SESSION"))
    sc.eat_word("LOCAL");
  if (!sc.variable(true, global)) return {};
  if (global) {
    return {Kind::kInvalid,
            {},
            "tessera_read_consistency is a SESSION variable and can't be set "
            "with SET GLOBAL"};
  }
  if (!sc.eat(":=") && !sc.eat("=")) return {Kind::kInvalid, {}, "expected = after the name"};
  sc.skip_space();
  std::string_view value;
  if (sc.pos < sql.size() && (sql[sc.pos] == '\'' || sql[sc.pos] == '"')) {
    char q = sql[sc.pos];
    size_t end = sql.find(q, sc.pos + 1);
    if (end == std::string_view::npos) return {Kind::kInvalid, {}, "unterminated string"};
    value = sql.substr(sc.pos + 1, end - sc.pos - 1);
    sc.pos = end + 1;
  } else {
    value = sc.word();
  }
  if (!sc.at_end()) {
    return {Kind::kInvalid,
            {},
            "SET tessera_read_consistency must be the only assignment in its statement"};
  }
  return {Kind::kSet, value, {}};
}

}  // namespace tessera::session
