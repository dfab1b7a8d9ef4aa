// INSERT/REPLACE, UPDATE, DELETE and LOAD DATA.
#include "sql/parser/parser_impl.h"

namespace tessera::sql::detail {

void ParserImpl::assignments(ArenaVec<Assignment>& out) {
  do {
    Assignment a;
    a.column = column_ref();
    if (!accept(Tok::Eq) && !accept(Tok::Assign)) fail("'='");
    a.value = expr();
    out.push(arena_, a);
  } while (accept(Tok::Comma));
}

static void returning(ParserImpl& p, ArenaVec<SelectItem>& out) {
  if (p.accept(Kw::RETURNING)) p.select_items(out);
}

Statement* ParserImpl::insert_statement(bool replace) {
  take();
  InsertStatement* s = make<InsertStatement>();
  if (replace) s->kind = StatementKind::Replace;
  if (is(Tok::Hint)) s->hint = text(take());
  if (accept(Kw::LOW_PRIORITY))
    s->priority = 1;
  else if (accept(Kw::DELAYED))
    s->priority = 2;
  else if (accept(Kw::HIGH_PRIORITY))
    s->priority = 3;
  s->ignore = accept(Kw::IGNORE);
  s->into_keyword = accept(Kw::INTO);
  s->table = table_name();
  if (accept(Kw::PARTITION)) s->table->partitions = ident_list_parens();
  if (is(Tok::LParen) && !query_starts(1) && !is(Tok::LParen, 1)) {
    s->has_columns = true;
    take();
    if (!is(Tok::RParen)) {
      do {
        // Columns may be qualified (t.a); the router only needs the last part.
        ColumnRef* c = column_ref();
        s->columns.push(arena_, c->column());
      } while (accept(Tok::Comma));
    }
    expect(Tok::RParen, "')'");
  }
  if (is(Kw::VALUES) || is(Kw::VALUE)) {
    s->source = take().kw == Kw::VALUES ? 0 : 1;
    do {
      s->rows.push(arena_, values_row());
    } while (accept(Tok::Comma));
    if (is(Kw::AS)) {
      take();
      s->row_alias = ident();
      if (is(Tok::LParen)) s->row_alias_columns = ident_list_parens();
    }
  } else if (accept(Kw::SET)) {
    s->source = 2;
    assignments(s->set);
  } else {
    s->source = 3;
    s->select = query();
  }
  if (accept(Kw::ON)) {
    expect(Kw::DUPLICATE);
    expect(Kw::KEY);
    expect(Kw::UPDATE);
    s->has_on_duplicate = true;
    assignments(s->on_duplicate);
  }
  returning(*this, s->returning);
  return s;
}

Statement* ParserImpl::update_statement(With* with) {
  expect(Kw::UPDATE);
  UpdateStatement* s = make<UpdateStatement>();
  s->with = with;
  if (is(Tok::Hint)) s->hint = text(take());
  s->low_priority = accept(Kw::LOW_PRIORITY);
  s->ignore = accept(Kw::IGNORE);
  table_refs(s->tables);
  expect(Kw::SET);
  assignments(s->set);
  if (accept(Kw::WHERE)) s->where = expr();
  if (accept(Kw::ORDER)) {
    expect(Kw::BY);
    order_items(s->order_by);
  }
  if (is(Kw::LIMIT)) s->limit = limit_clause();
  return s;
}

Statement* ParserImpl::delete_statement(With* with) {
  expect(Kw::DELETE);
  DeleteStatement* s = make<DeleteStatement>();
  s->with = with;
  if (is(Tok::Hint)) s->hint = text(take());
  for (;;) {
    if (accept(Kw::LOW_PRIORITY))
      s->low_priority = true;
    else if (accept(Kw::QUICK))
      s->quick = true;
    else if (accept(Kw::IGNORE))
      s->ignore = true;
    else
      break;
  }
  auto target_list = [&]() {
    do {
      TableName* t = table_name();
      if (is(Tok::Dot) && is(Tok::Star, 1)) {  // t.* is the same target as t
        take();
        take();
      }
      s->targets.push(arena_, t);
    } while (accept(Tok::Comma));
  };
  if (!is(Kw::FROM)) {
    // DELETE t1, t2 FROM refs ...
    target_list();
    expect(Kw::FROM);
    table_refs(s->from);
  } else {
    take();
    size_t m = mark();
    TableName* first = table_with_alias(false);
    if (is(Tok::Comma) || is(Kw::USING) || (is(Tok::Dot) && is(Tok::Star, 1))) {
      reset_to(m);
      target_list();
      expect(Kw::USING);
      s->using_form = true;
      table_refs(s->from);
    } else {
      s->from.push(arena_, first);
    }
  }
  if (accept(Kw::WHERE)) s->where = expr();
  if (accept(Kw::ORDER)) {
    expect(Kw::BY);
    order_items(s->order_by);
  }
  if (is(Kw::LIMIT)) s->limit = limit_clause();
  returning(*this, s->returning);
  return s;
}

Statement* ParserImpl::load_statement() {
  expect(Kw::LOAD);
  LoadDataStatement* s = make<LoadDataStatement>();
  if (accept_word("XML")) {
    s->xml = true;
  } else {
    expect(Kw::DATA);
  }
  if (accept(Kw::LOW_PRIORITY))
    s->priority = 1;
  else if (accept_word("CONCURRENT"))
    s->priority = 2;
  s->local = accept(Kw::LOCAL);
  expect(Kw::INFILE);
  if (!is(Tok::String)) fail("a file name");
  s->file = text(take());
  if (accept(Kw::REPLACE))
    s->duplicates = 1;
  else if (accept(Kw::IGNORE))
    s->duplicates = 2;
  expect(Kw::INTO);
  expect(Kw::TABLE);
  s->table = table_name();
  if (accept(Kw::PARTITION)) s->table->partitions = ident_list_parens();
  if ((is(Kw::CHARACTER) && is(Kw::SET, 1)) || is(Kw::CHARSET)) {
    if (take().kw == Kw::CHARACTER) take();
    s->charset = charset_name();
  }
  if (s->xml && is(Kw::ROWS)) {
    take();
    expect_word("IDENTIFIED");
    expect(Kw::BY);
    s->rows_identified_by = text(take());
  }
  s->options = export_options();
  if (accept(Kw::IGNORE)) {
    s->ignore_count = primary();
    if (accept(Kw::ROWS))
      s->ignore_rows_word = true;
    else
      expect(Kw::LINES);
  }
  if (accept(Tok::LParen)) {
    s->has_columns = true;
    if (!is(Tok::RParen)) {
      do {
        s->columns.push(arena_, is(Tok::UserVar) ? primary() : column_ref());
      } while (accept(Tok::Comma));
    }
    expect(Tok::RParen, "')'");
  }
  if (accept(Kw::SET)) assignments(s->set);
  return s;
}

}  // namespace tessera::sql::detail
