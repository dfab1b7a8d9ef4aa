// Parser entry point, token helpers, names and the statement dispatcher.
#include "sql/parser.h"

#include <fmt/format.h>

#include "sql/classify.h"
#include "sql/lexer.h"
#include "sql/parser/parser_impl.h"

namespace tessera::sql {

using detail::ParserImpl;
using detail::SyntaxError;

namespace {

bool hint_position(const std::vector<Token>& toks) {
  // Optimizer hints belong right after the statement verb; elsewhere they are comments.
  if (toks.empty()) return false;
  Kw k = toks.back().type == Tok::Ident ? toks.back().kw : Kw::None;
  return k == Kw::SELECT || k == Kw::INSERT || k == Kw::REPLACE || k == Kw::UPDATE ||
         k == Kw::DELETE;
}

}  // namespace

ParseResult Parser::parse(std::string_view sql, Arena& arena) {
  ParseResult r;
  tokens_.clear();

  Lexer lx(sql, /*emit_comments=*/true);
  uint32_t lex_error = UINT32_MAX;
  bool& hint_master = r.hint_master;
  bool& hint_slave = r.hint_slave;
  for (;;) {
    Token t = lx.next();
    if (t.type == Tok::Comment) {
      ProxyHint h = proxy_hint(t.text(sql));
      hint_master |= h == ProxyHint::Master;
      hint_slave |= h == ProxyHint::Slave;
      continue;
    }
    if (t.type == Tok::Hint) {
      ProxyHint h = proxy_hint(t.text(sql));
      hint_master |= h == ProxyHint::Master;
      hint_slave |= h == ProxyHint::Slave;
    }
    if (t.type == Tok::Hint && !hint_position(tokens_)) continue;
    if (t.type == Tok::Error && lex_error == UINT32_MAX) lex_error = t.off;
    tokens_.push_back(t);
    if (t.type == Tok::End) break;
  }
  memo_.assign(tokens_.size(), 0);
  ParserImpl p(sql, arena, tokens_, memo_);
  uint32_t err_off = 0;
  const char* expected = nullptr;
  bool too_deep = false;
  if (lex_error != UINT32_MAX) {
    err_off = lex_error;
    expected = "a terminated string, identifier or comment";
  } else {
    try {
      Statement* s = p.statement();
      while (p.accept(Tok::Semicolon)) {
      }
      if (!p.is(Tok::End)) p.fail("end of statement");
      // Frames that built no chain add their 2 levels unchecked: settle it here.
      if (p.tree_height() > detail::DepthGuard::kMaxHeight) p.fail_too_deep();
      r.statement = s;
      r.kind = s->kind;
      r.param_count = p.param_count();
      r.has_opaque_parts = p.opaque();
      return r;
    } catch (const SyntaxError& e) {
      err_off = e.offset;
      expected = e.expected;
      too_deep = e.too_deep;
    }
  }
  r.kind = classify(sql).kind;
  ParseError& err = r.error;
  err.offset = err_off;
  line_column(sql, err_off, &err.line, &err.column);
  err.near = std::string(sql.substr(err_off, 40));
  err.too_deep = too_deep;
  if (too_deep) {
    err.message = fmt::format(
        "expression or statement too deeply nested at line {}, column {} near '{}': Tessera "
        "accepts at most {} levels of operators, parentheses and subqueries; use IN (...) "
        "lists or split the statement",
        err.line, err.column, err.near, detail::DepthGuard::kMaxHeight);
  } else {
    err.message =
        fmt::format("syntax error at line {}, column {} near '{}'{}{}", err.line, err.column,
                    err.near, expected ? ": expected " : "", expected ? expected : "");
  }
  return r;
}

ParseResult parse(std::string_view sql, Arena& arena) {
  thread_local Parser parser;
  return parser.parse(sql, arena);
}

namespace detail {

void ParserImpl::fail(const char* expected) const {
  throw SyntaxError{peek().off, expected};
}

void ParserImpl::fail_too_deep() const {
  throw SyntaxError{peek().off, "less nesting", true};
}

void ParserImpl::grow_height(int levels) {
  DepthGuard& f = *frame_;
  f.tree_ = (f.tree_ > f.below_ ? f.tree_ : f.below_) + levels;
  f.below_ = 0;
  if (f.height() > DepthGuard::kMaxHeight) fail_too_deep();
}

void ParserImpl::expect(Kw k) {
  if (!accept(k)) fail(keyword_text(k).data());
}

void ParserImpl::expect(Tok t, const char* what) {
  if (!accept(t)) fail(what);
}

void ParserImpl::expect_word(std::string_view upper) {
  if (!accept_word(upper)) fail(upper.data());
}

std::string_view ParserImpl::span_from(size_t from) const {
  if (pos_ <= from) return {};
  const Token& a = toks_[from];
  const Token& b = toks_[pos_ - 1];
  return src_.substr(a.off, b.off + b.len - a.off);
}

bool ParserImpl::is_ident(size_t off) const {
  const Token& t = peek(off);
  if (t.type == Tok::QuotedIdent) return true;
  return t.type == Tok::Ident && (t.kw == Kw::None || !is_reserved(t.kw));
}

Ident ParserImpl::make_ident(const Token& t) {
  Ident id;
  id.pos = t.off;
  std::string_view s = text(t);
  if (t.type == Tok::QuotedIdent || (t.type == Tok::String && s.size() >= 2)) {
    char q = s.front();
    id.quoted = t.type == Tok::QuotedIdent;
    s = s.substr(1, s.size() - 2);
    // Doubled quote characters stand for one; only then do we need a copy.
    if (s.find(q) != std::string_view::npos ||
        (t.type == Tok::String && s.find('\\') != std::string_view::npos)) {
      char* buf = static_cast<char*>(arena_.allocate(s.size() + 1, 1));
      size_t n = 0;
      for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == q && i + 1 < s.size() && s[i + 1] == q)
          ++i;
        else if (t.type == Tok::String && s[i] == '\\' && i + 1 < s.size())
          ++i;
        buf[n++] = s[i];
      }
      s = std::string_view(buf, n);
    }
    if (t.type == Tok::String) id.quoted = true;
  }
  id.name = s;
  return id;
}

Ident ParserImpl::ident() {
  if (!is_ident()) fail("an identifier");
  return make_ident(take());
}

Ident ParserImpl::ident_any() {
  if (type() != Tok::Ident && type() != Tok::QuotedIdent) fail("an identifier");
  return make_ident(take());
}

ObjectName ParserImpl::object_name() {
  ObjectName n;
  n.name = ident();
  if (is(Tok::Dot) && (type(1) == Tok::Ident || type(1) == Tok::QuotedIdent)) {
    take();
    n.schema = n.name;
    n.name = ident_any();
  }
  return n;
}

TableName* ParserImpl::table_name() {
  TableName* t = make<TableName>();
  // ".t" means the current database in some MySQL versions: not supported, reported here.
  t->name = object_name();
  return t;
}

ArenaVec<Ident> ParserImpl::ident_list_parens() {
  ArenaVec<Ident> out;
  expect(Tok::LParen, "'('");
  if (!is(Tok::RParen)) {
    do {
      out.push(arena_, ident());
    } while (accept(Tok::Comma));
  }
  expect(Tok::RParen, "')'");
  return out;
}

std::string_view ParserImpl::charset_name() {
  const Token& t = peek();
  if (t.type == Tok::Ident || t.type == Tok::QuotedIdent || t.type == Tok::String) {
    take();
    return text(t);
  }
  fail("a character set name");
}

Expr* ParserImpl::user_name() {
  // 'user'@'host' lexes as String + UserVar(@'host'); keep the whole spelling.
  size_t from = mark();
  if (is(Kw::CURRENT_USER)) {
    take();
    if (is(Tok::LParen) && is(Tok::RParen, 1)) {
      take();
      take();
    }
  } else if (is(Tok::String) || is(Tok::Ident) || is(Tok::QuotedIdent)) {
    take();
    if (is(Tok::UserVar) && peek().adjacent) take();
  } else {
    fail("a user name");
  }
  Variable* v = make<Variable>();
  v->pos = toks_[from].off;
  v->text = span_from(from);
  return v;
}

Statement* ParserImpl::statement() {
  if (is(Tok::End) || is(Tok::Semicolon)) fail("a statement");
  switch (kw()) {
    case Kw::SELECT:
    case Kw::VALUES:
    case Kw::TABLE: {
      SelectStatement* s = make<SelectStatement>();
      s->query = query();
      return s;
    }
    case Kw::WITH: {
      // WITH may precede SELECT, UPDATE or DELETE.
      size_t m = mark();
      With* w = with_clause();
      if (is(Kw::UPDATE)) return update_statement(w);
      if (is(Kw::DELETE)) return delete_statement(w);
      reset_to(m);
      SelectStatement* s = make<SelectStatement>();
      s->query = query();
      return s;
    }
    case Kw::INSERT:
      return insert_statement(false);
    case Kw::REPLACE:
      return insert_statement(true);
    case Kw::UPDATE:
      return update_statement(nullptr);
    case Kw::DELETE:
      return delete_statement(nullptr);
    case Kw::LOAD:
      return load_statement();
    case Kw::SET:
      return set_statement();
    case Kw::BEGIN:
      if (is(Kw::NOT, 1)) return compound_statement();  // BEGIN NOT ATOMIC ... END
      return transaction_statement();
    case Kw::IF:
    case Kw::CASE:
    case Kw::FOR:
      return compound_statement();
    case Kw::START:
    case Kw::COMMIT:
    case Kw::ROLLBACK:
    case Kw::SAVEPOINT:
    case Kw::RELEASE:
      return transaction_statement();
    case Kw::SHOW:
      return show_statement();
    case Kw::EXPLAIN:
    case Kw::DESCRIBE:
    case Kw::DESC:
      return explain_statement();
    case Kw::CREATE:
      return create_statement();
    case Kw::ALTER:
      return alter_statement();
    case Kw::DROP:
      return drop_statement();
    case Kw::RENAME:
      return rename_statement();
    case Kw::TRUNCATE:
      return truncate_statement();
    default:
      break;
  }
  if (is(Tok::LParen)) {
    SelectStatement* s = make<SelectStatement>();
    s->query = query();
    return s;
  }
  // Compound statements outside stored programs (MariaDB), labeled blocks, SIGNAL, GET
  // DIAGNOSTICS.
  if ((is_ident() && is(Tok::Colon, 1)) || is_word("WHILE") || is_word("LOOP") ||
      (is_word("REPEAT") && !is(Tok::LParen, 1)) || is_word("SIGNAL") || is_word("RESIGNAL") ||
      (is_word("GET") &&
       (is_word("DIAGNOSTICS", 1) || is(Kw::CURRENT, 1) || is_word("STACKED", 1)))) {
    return compound_statement();
  }
  return misc_statement();
}

}  // namespace detail
}  // namespace tessera::sql
