// Administrative statements that a proxy must route but never rewrites beyond table names:
// DROP of stored objects and accounts, table maintenance, FLUSH, HANDLER and plain word
// sequences (BACKUP STAGE, RESET, HELP, INSTALL/UNINSTALL).
#include "sql/parser/parser_impl.h"

namespace tessera::sql::detail {

namespace {

std::string_view upper_word(ParserImpl& p, const Token& t) {
  return t.kw != Kw::None ? keyword_text(t.kw) : p.text(t);
}

}  // namespace

Statement* ParserImpl::drop_object_statement() {
  // DROP already consumed by drop_statement().
  DropObjectStatement* s = make<DropObjectStatement>();
  s->temporary = accept(Kw::TEMPORARY);
  size_t m = mark();
  bool users = false;
  if (is_word("PACKAGE")) {
    take();
    accept_word("BODY");
  } else if (is_word("LOGFILE")) {
    take();
    expect(Kw::GROUP);
  } else if (is_word("USER") || is_word("ROLE")) {
    users = true;
    take();
  } else if (is(Kw::PROCEDURE) || is(Kw::FUNCTION) || is_word("TRIGGER") || is(Kw::EVENT) ||
             is_word("SEQUENCE") || is_word("SERVER") || is(Kw::TABLESPACE)) {
    take();
  } else {
    fail(
        "TABLE, INDEX, DATABASE, VIEW, PROCEDURE, FUNCTION, TRIGGER, EVENT, SEQUENCE, USER "
        "or ROLE");
  }
  s->object = span_from(m);
  if (is(Kw::IF) && is(Kw::EXISTS, 1)) {
    take();
    take();
    s->if_exists = true;
  }
  do {
    if (users) {
      s->users.push(arena_, user_name());
    } else {
      s->names.push(arena_, table_name());
    }
  } while (accept(Tok::Comma));
  return s;
}

Statement* ParserImpl::table_maintenance_statement() {
  TableMaintenanceStatement* s = make<TableMaintenanceStatement>();
  s->verb = keyword_text(take().kw);
  if (s->verb.empty()) s->verb = text(toks_[pos_ - 1]);
  if (is(Kw::NO_WRITE_TO_BINLOG) || is(Kw::LOCAL)) s->modifier = keyword_text(take().kw);
  if (accept_word("TABLES")) {
    s->tables_word = true;
  } else {
    expect(Kw::TABLE);
  }
  do {
    s->tables.push(arena_, table_name());
  } while (accept(Tok::Comma));
  if (is_word("PERSISTENT")) {
    size_t m = mark();
    take();
    expect(Kw::FOR);
    if (!accept(Kw::ALL)) {
      while (is(Kw::COLUMNS) || is(Kw::INDEXES)) {
        take();
        expect(Tok::LParen, "'('");
        if (!is(Tok::RParen)) {
          do {
            if (is(Kw::PRIMARY)) {
              take();
            } else {
              ident();
            }
          } while (accept(Tok::Comma));
        }
        expect(Tok::RParen, "')'");
      }
    }
    s->persistent = span_from(m);
  }
  while (type() == Tok::Ident) {
    const Token& t = take();
    std::string_view w = upper_word(*this, t);
    if (t.kw == Kw::FOR && is_word("UPGRADE")) {
      take();
      w = "FOR UPGRADE";
    }
    s->options.push(arena_, w);
  }
  return s;
}

Statement* ParserImpl::flush_statement() {
  expect_word("FLUSH");
  FlushStatement* s = make<FlushStatement>();
  if (is(Kw::NO_WRITE_TO_BINLOG) || is(Kw::LOCAL)) s->modifier = keyword_text(take().kw);
  if (is(Kw::TABLE) || is_word("TABLES")) {
    s->tables_form = true;
    s->tables_word = !is(Kw::TABLE);
    take();
    if (is_ident() && !is(Kw::WITH) && !is(Kw::FOR)) {
      do {
        s->tables.push(arena_, table_name());
      } while (accept(Tok::Comma));
    }
    size_t m = mark();
    while (type() == Tok::Ident) take();
    s->tail = span_from(m);
    return s;
  }
  do {
    size_t m = mark();
    if (type() != Tok::Ident) fail("a FLUSH option");
    while (type() == Tok::Ident || is(Tok::String)) take();
    s->options.push(arena_, span_from(m));
  } while (accept(Tok::Comma));
  return s;
}

Statement* ParserImpl::handler_statement() {
  expect_word("HANDLER");
  HandlerStatement* s = make<HandlerStatement>();
  s->table = table_name();
  if (is_word("OPEN")) {
    s->action = "OPEN";
    take();
    if (accept(Kw::AS)) {
      s->as_keyword = true;
      s->alias = ident();
    } else if (is_ident()) {
      s->alias = ident();
    }
    return s;
  }
  if (is_word("CLOSE")) {
    take();
    s->action = "CLOSE";
    return s;
  }
  expect(Kw::READ);
  s->action = "READ";
  auto direction = [&]() {
    return is(Kw::FIRST) || is_word("NEXT") || is_word("PREV") || is(Kw::LAST);
  };
  if (!direction()) {
    if (is(Kw::PRIMARY)) {
      s->index = make_ident(take());
    } else {
      s->index = ident();
    }
  }
  if (direction()) {
    s->direction = upper_word(*this, take());
  } else if (!s->index.empty() &&
             (is(Tok::Eq) || is(Tok::Ge) || is(Tok::Le) || is(Tok::Gt) || is(Tok::Lt))) {
    s->direction = text(take());
    expect(Tok::LParen, "'('");
    expr_list(s->values);
    expect(Tok::RParen, "')'");
  } else {
    fail("FIRST, NEXT, PREV, LAST or a comparison");
  }
  if (accept(Kw::WHERE)) s->where = expr();
  if (is(Kw::LIMIT)) s->limit = limit_clause();
  return s;
}

Statement* ParserImpl::words_statement(StatementKind kind) {
  WordsStatement* s = make<WordsStatement>(kind);
  while (!at_end()) {
    const Token& t = peek();
    if (t.type != Tok::Ident && t.type != Tok::QuotedIdent && t.type != Tok::String &&
        t.type != Tok::Integer && t.type != Tok::Comma && t.type != Tok::Eq) {
      fail("a word");
    }
    take();
    s->words.push(arena_, t.kw != Kw::None ? keyword_text(t.kw) : text(t));
  }
  if (s->words.empty()) fail("a statement");
  return s;
}

}  // namespace tessera::sql::detail
