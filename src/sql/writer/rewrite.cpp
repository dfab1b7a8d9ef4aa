// Splice rewriting: the writer's traversal finds the nodes (through collecting hooks), and only
// their source ranges are replaced in the original text.
#include <algorithm>
#include <vector>

#include "sql/lexer.h"
#include "sql/writer.h"

namespace tessera::sql {

namespace {

struct Splice {
  size_t begin, end;
  std::string text;
};

size_t token_end(std::string_view sql, size_t pos) {
  if (pos >= sql.size()) return sql.size();
  Lexer lx(sql.substr(pos));
  Token t = lx.next();
  return pos + t.off + t.len;
}

// Bytes that continue a word (identifier, keyword, number): a replacement must not fuse with
// its neighbours ("SELECT?" with ? -> NULL must not become "SELECTNULL").
bool word_byte(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' ||
         u == '$' || u >= 0x80;
}

size_t view_end(std::string_view sql, std::string_view part) {
  return size_t(part.data() - sql.data()) + part.size();
}

class Collector : public WriterHooks {
 public:
  Collector(std::string_view sql, const WriterHooks& user) : sql_(sql), user_(user) {}

  bool table_name(const ObjectName& n, std::string& out) const override {
    std::string repl;
    if (user_.table_name(n, repl)) {
      size_t b = n.has_schema() ? n.schema.pos : n.name.pos;
      add(b, token_end(sql_, n.name.pos), std::move(repl));
    }
    (void)out;
    return false;
  }
  bool literal(const Literal& l, std::string& out) const override {
    std::string repl;
    if (user_.literal(l, repl) && inside(l.text)) {
      add(l.pos, view_end(sql_, l.text), std::move(repl));
    }
    (void)out;
    return false;
  }
  bool param(const Param& p, std::string& out) const override {
    std::string repl;
    if (user_.param(p, repl)) add(p.pos, p.pos + 1, std::move(repl));
    (void)out;
    return false;
  }

  bool keep_item_names() const override { return user_.keep_item_names(); }
  void select_item(const SelectItem& item) const override {
    if (inside(item.text)) items_.push_back(item.text);
  }

  std::vector<Splice>& splices() const { return splices_; }
  const std::vector<std::string_view>& items() const { return items_; }

 private:
  bool inside(std::string_view part) const {
    return part.data() >= sql_.data() && part.data() + part.size() <= sql_.data() + sql_.size();
  }
  void add(size_t b, size_t e, std::string text) const {
    if (b > e || e > sql_.size()) return;  // node not from this text: nothing to splice
    splices_.push_back({b, e, std::move(text)});
  }

  std::string_view sql_;
  const WriterHooks& user_;
  mutable std::vector<Splice> splices_;
  mutable std::vector<std::string_view> items_;  // unaliased items named by their text
};

}  // namespace

std::string rewrite(std::string_view sql, const Statement& stmt, const WriterHooks& hooks) {
  Collector c(sql, hooks);
  WriteOptions o;
  o.hooks = &c;
  std::string scratch;
  to_sql(stmt, scratch, o);
  auto& sp = c.splices();
  // An item whose text a splice changes keeps its name: its source text as the alias.
  const size_t replaced = sp.size();
  for (std::string_view item : c.items()) {
    const size_t b = size_t(item.data() - sql.data()), e = b + item.size();
    for (size_t i = 0; i < replaced; ++i) {
      if (sp[i].begin >= b && sp[i].begin < e) {
        std::string alias = "AS ";
        append_identifier(alias, item, /*force=*/true);
        sp.push_back({e, e, std::move(alias)});
        break;
      }
    }
  }
  std::sort(sp.begin(), sp.end(), [](const Splice& a, const Splice& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  std::string out;
  out.reserve(sql.size() + 16);
  size_t at = 0;
  for (const Splice& s : sp) {
    if (s.begin < at) continue;  // overlapping (should not happen): keep the first
    out.append(sql.substr(at, s.begin - at));
    if (s.begin == s.end) {
      // An insertion (an item's alias): a word apart from its neighbours.
      if (!out.empty() && out.back() != ' ') out += ' ';
      out.append(s.text);
      if (s.end < sql.size() && sql[s.end] != ' ') out += ' ';
      at = s.end;
      continue;
    }
    if (!s.text.empty() && !out.empty() && word_byte(out.back()) && word_byte(s.text.front()))
      out += ' ';
    out.append(s.text);
    if (!s.text.empty() && s.end < sql.size() && word_byte(s.text.back()) && word_byte(sql[s.end]))
      out += ' ';
    at = s.end;
  }
  out.append(sql.substr(at));
  return out;
}

}  // namespace tessera::sql
