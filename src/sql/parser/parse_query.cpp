// SELECT and its parts: WITH, set operations, select cores, table references, ORDER BY, LIMIT,
// INTO and locking clauses.
#include "sql/parser/parser_impl.h"

namespace tessera::sql::detail {

Query* ParserImpl::query() {
  DepthGuard guard(*this);
  Query* q = make<Query>();
  if (is(Kw::WITH)) q->with = with_clause();
  q->body = query_body();
  if (accept(Kw::ORDER)) {
    expect(Kw::BY);
    order_items(q->order_by);
  }
  if (is(Kw::LIMIT)) {
    q->limit = limit_clause();
  } else if ((is(Kw::OFFSET) && !is(Tok::Comma, 1)) || is_word("FETCH")) {
    // OFFSET m ROWS / FETCH FIRST n ROWS ONLY|WITH TIES (MariaDB 10.6+, SQL standard).
    Limit* l = make<Limit>();
    l->fetch = true;
    if (accept(Kw::OFFSET)) {
      l->offset = primary();
      if (!accept(Kw::ROWS) && !accept(Kw::ROW)) fail("ROWS");
    }
    if (accept_word("FETCH")) {
      l->has_fetch = true;
      if (!accept(Kw::FIRST) && !accept_word("NEXT")) fail("FIRST or NEXT");
      if (!is(Kw::ROWS) && !is(Kw::ROW)) l->count = primary();
      if (!accept(Kw::ROWS) && !accept(Kw::ROW)) fail("ROWS");
      if (accept(Kw::WITH)) {
        expect_word("TIES");
        l->with_ties = true;
      } else {
        expect(Kw::ONLY);
      }
    }
    q->limit = l;
  }
  if (is(Kw::PROCEDURE) && (type(1) == Tok::Ident) && is(Tok::LParen, 2)) {
    take();
    const Token& name = take();
    q->procedure = function_call(Ident{}, name);
  }
  if (is(Kw::INTO)) q->into = into_clause();
  if (is(Kw::FOR) || is(Kw::LOCK)) q->locking = locking_clause();
  if (is(Kw::INTO)) q->into_after_lock = into_clause();
  return q;
}

With* ParserImpl::with_clause() {
  expect(Kw::WITH);
  With* w = make<With>();
  w->recursive = accept(Kw::RECURSIVE);
  do {
    Cte c;
    c.name = ident();
    if (is(Tok::LParen)) c.columns = ident_list_parens();
    expect(Kw::AS);
    expect(Tok::LParen, "'('");
    c.query = query();
    expect(Tok::RParen, "')'");
    if (accept_word("CYCLE")) {
      do {
        c.cycle.push(arena_, ident());
      } while (accept(Tok::Comma));
      expect(Kw::RESTRICT);
    }
    w->ctes.push(arena_, c);
  } while (accept(Tok::Comma));
  return w;
}

// INTERSECT binds tighter than UNION and EXCEPT (SQL standard, MariaDB 10.3+, MySQL 8.0.31+).
QueryBody* ParserImpl::query_body(int min_prec) {
  DepthGuard guard(*this);
  QueryBody* lhs = query_primary();
  for (;;) {
    int prec;
    SetOpType op;
    if (is(Kw::UNION)) {
      op = SetOpType::Union;
      prec = 1;
    } else if (is(Kw::EXCEPT) || is_word("MINUS")) {
      op = SetOpType::Except;
      prec = 1;
    } else if (is(Kw::INTERSECT)) {
      op = SetOpType::Intersect;
      prec = 2;
    } else {
      break;
    }
    if (prec < min_prec) break;
    take();
    SetOp* s = make<SetOp>();
    s->op = op;
    if (accept(Kw::ALL))
      s->quantifier = 1;
    else if (accept(Kw::DISTINCT))
      s->quantifier = 2;
    s->left = lhs;
    s->right = query_body(prec + 1);
    lhs = s;
    grow_height();
  }
  return lhs;
}

QueryBody* ParserImpl::query_primary() {
  if (accept(Tok::LParen)) {
    ParenQuery* p = make<ParenQuery>();
    p->query = query();
    expect(Tok::RParen, "')'");
    return p;
  }
  if (is(Kw::SELECT)) return select_core();
  if (accept(Kw::VALUES)) {
    ValuesQuery* v = make<ValuesQuery>();
    do {
      v->rows.push(arena_, values_row());
    } while (accept(Tok::Comma));
    return v;
  }
  if (accept(Kw::TABLE)) {
    TableQuery* t = make<TableQuery>();
    t->table = table_name();
    return t;
  }
  fail("SELECT");
}

Row* ParserImpl::values_row() {
  Row* r = make<Row>();
  r->pos = peek().off;
  if (accept(Kw::ROW)) r->row_keyword = true;
  expect(Tok::LParen, "'('");
  if (!is(Tok::RParen)) expr_list(r->items);
  expect(Tok::RParen, "')'");
  return r;
}

SelectCore* ParserImpl::select_core() {
  expect(Kw::SELECT);
  SelectCore* s = make<SelectCore>();
  if (is(Tok::Hint)) s->hint = text(take());
  for (;;) {
    uint32_t bit = 0;
    switch (kw()) {
      case Kw::ALL:
        bit = kSelAll;
        break;
      case Kw::DISTINCT:
        bit = kSelDistinct;
        break;
      case Kw::DISTINCTROW:
        bit = kSelDistinctRow;
        break;
      case Kw::HIGH_PRIORITY:
        bit = kSelHighPriority;
        break;
      case Kw::STRAIGHT_JOIN:
        bit = kSelStraightJoin;
        break;
      case Kw::SQL_SMALL_RESULT:
        bit = kSelSmallResult;
        break;
      case Kw::SQL_BIG_RESULT:
        bit = kSelBigResult;
        break;
      case Kw::SQL_BUFFER_RESULT:
        bit = kSelBufferResult;
        break;
      case Kw::SQL_CACHE:
        bit = kSelCache;
        break;
      case Kw::SQL_NO_CACHE:
        bit = kSelNoCache;
        break;
      case Kw::SQL_CALC_FOUND_ROWS:
        bit = kSelCalcFoundRows;
        break;
      default:
        break;
    }
    if (!bit) break;
    take();
    s->options |= bit;
  }
  select_items(s->items);
  if (is(Kw::INTO)) s->into = into_clause();
  if (accept(Kw::FROM)) {
    if (accept(Kw::DUAL)) {
      s->from_dual = true;
    } else {
      table_refs(s->from);
    }
  }
  if (accept(Kw::WHERE)) s->where = expr();
  if (accept(Kw::GROUP)) {
    expect(Kw::BY);
    order_items(s->group_by);
    if (is(Kw::WITH) && is(Kw::ROLLUP, 1)) {
      take();
      take();
      s->with_rollup = true;
    }
  }
  if (accept(Kw::HAVING)) s->having = expr();
  if (accept(Kw::WINDOW)) {
    do {
      NamedWindow w;
      w.name = ident();
      expect(Kw::AS);
      w.spec = window_spec();
      s->windows.push(arena_, w);
    } while (accept(Tok::Comma));
  }
  return s;
}

void ParserImpl::select_items(ArenaVec<SelectItem>& out) {
  do {
    SelectItem item{nullptr, Ident{}, false};
    const size_t first = mark();
    item.expr = expr();
    if (mark() > first) {
      const Token& a = toks_[first];
      const Token& b = toks_[mark() - 1];
      item.text = src_.substr(a.off, b.off + b.len - a.off);
    }
    if (accept(Kw::AS)) {
      item.as_keyword = true;
      if (is(Tok::String)) {
        item.alias = make_ident(take());
      } else {
        item.alias = ident_any();
      }
    } else if (is_ident() || is(Tok::String)) {
      item.alias = make_ident(take());
    }
    out.push(arena_, item);
  } while (accept(Tok::Comma));
}

void ParserImpl::order_items(ArenaVec<OrderItem>& out) {
  do {
    OrderItem o{expr(), 0};
    if (accept(Kw::ASC))
      o.dir = 1;
    else if (accept(Kw::DESC))
      o.dir = 2;
    out.push(arena_, o);
  } while (accept(Tok::Comma));
}

Limit* ParserImpl::limit_clause() {
  expect(Kw::LIMIT);
  Limit* l = make<Limit>();
  if (is_word("ROWS") && is_word("EXAMINED", 1)) {
    take();
    take();
    l->rows_examined = true;
    l->count = primary();
    return l;
  }
  Expr* a = primary();
  if (accept(Tok::Comma)) {
    l->offset = a;
    l->count = primary();
  } else if (accept(Kw::OFFSET)) {
    l->count = a;
    l->offset = primary();
    l->offset_keyword = true;
  } else {
    l->count = a;
  }
  return l;
}

ExportOptions* ParserImpl::export_options() {
  ExportOptions* o = make<ExportOptions>();
  bool any = false;
  if (is(Kw::FIELDS) || is(Kw::COLUMNS)) {
    o->columns_word = take().kw == Kw::COLUMNS;
    o->has_fields = true;
    any = true;
    for (;;) {
      if (accept(Kw::TERMINATED)) {
        expect(Kw::BY);
        o->fields_terminated = text(take());
      } else if (is(Kw::OPTIONALLY) || is(Kw::ENCLOSED)) {
        o->optionally = accept(Kw::OPTIONALLY);
        expect(Kw::ENCLOSED);
        expect(Kw::BY);
        o->enclosed = text(take());
      } else if (accept(Kw::ESCAPED)) {
        expect(Kw::BY);
        o->escaped = text(take());
      } else {
        break;
      }
    }
  }
  if (accept(Kw::LINES)) {
    o->has_lines = true;
    any = true;
    for (;;) {
      if (accept(Kw::STARTING)) {
        expect(Kw::BY);
        o->lines_starting = text(take());
      } else if (accept(Kw::TERMINATED)) {
        expect(Kw::BY);
        o->lines_terminated = text(take());
      } else {
        break;
      }
    }
  }
  return any ? o : nullptr;
}

Into* ParserImpl::into_clause() {
  expect(Kw::INTO);
  Into* i = make<Into>();
  if (accept(Kw::OUTFILE)) {
    i->type = 1;
    if (!is(Tok::String)) fail("a file name");
    i->file = text(take());
    if ((is(Kw::CHARACTER) && is(Kw::SET, 1)) || is(Kw::CHARSET)) {
      if (take().kw == Kw::CHARACTER) take();
      i->charset = charset_name();
    }
    i->options = export_options();
  } else if (accept(Kw::DUMPFILE)) {
    i->type = 2;
    if (!is(Tok::String)) fail("a file name");
    i->file = text(take());
  } else {
    do {
      if (is(Tok::UserVar)) {
        i->vars.push(arena_, primary());
      } else {
        i->vars.push(arena_, column_ref());  // stored-program variable
      }
    } while (accept(Tok::Comma));
  }
  return i;
}

Locking* ParserImpl::locking_clause() {
  Locking* l = make<Locking>();
  if (accept(Kw::LOCK)) {
    expect(Kw::IN);
    expect(Kw::SHARE);
    expect(Kw::MODE);
    l->mode = 2;
  } else {
    expect(Kw::FOR);
    if (accept(Kw::UPDATE)) {
      l->mode = 0;
    } else {
      expect(Kw::SHARE);
      l->mode = 1;
    }
    if (accept_word("OF")) {
      do {
        l->of.push(arena_, object_name());
      } while (accept(Tok::Comma));
    }
  }
  if (accept(Kw::NOWAIT)) {
    l->wait = 1;
  } else if (accept(Kw::SKIP)) {
    expect_word("LOCKED");
    l->wait = 2;
  } else if (accept_word("WAIT")) {
    l->wait = 3;
    l->wait_seconds = primary();
  }
  return l;
}

void ParserImpl::table_refs(ArenaVec<TableRef*>& out) {
  do {
    out.push(arena_, table_ref());
  } while (accept(Tok::Comma));
}

TableRef* ParserImpl::table_ref() {
  DepthGuard guard(*this);
  TableRef* left = table_factor();
  for (;;) {
    JoinRef* j = make<JoinRef>();
    if (accept(Kw::NATURAL)) {
      j->natural = true;
      if (accept(Kw::LEFT))
        j->type = JoinType::Left;
      else if (accept(Kw::RIGHT))
        j->type = JoinType::Right;
      else
        j->type = JoinType::Inner;
      j->inner_keyword = accept(Kw::INNER);
      if (j->type != JoinType::Inner) j->outer_keyword = accept(Kw::OUTER);
      expect(Kw::JOIN);
    } else if (is(Kw::JOIN) || is(Kw::INNER) || is(Kw::CROSS)) {
      Kw k = take().kw;
      j->type = k == Kw::CROSS ? JoinType::Cross : JoinType::Inner;
      j->inner_keyword = k == Kw::INNER;
      if (k != Kw::JOIN) expect(Kw::JOIN);
    } else if (accept(Kw::STRAIGHT_JOIN)) {
      j->type = JoinType::Straight;
    } else if (is(Kw::LEFT) || is(Kw::RIGHT)) {
      j->type = take().kw == Kw::LEFT ? JoinType::Left : JoinType::Right;
      j->outer_keyword = accept(Kw::OUTER);
      expect(Kw::JOIN);
    } else {
      break;
    }
    j->left = left;
    // "a JOIN b JOIN c ON x ON y" nests to the right; LEFT/RIGHT need a condition on each level.
    if (j->type == JoinType::Left || j->type == JoinType::Right) {
      j->right = table_ref();
    } else {
      j->right = table_factor();
    }
    if (!j->natural) {
      if (accept(Kw::ON)) {
        j->on = expr();
      } else if (is(Kw::USING)) {
        take();
        j->has_using = true;
        j->using_columns = ident_list_parens();
      }
    }
    left = j;
    grow_height();
  }
  return left;
}

TableName* ParserImpl::table_with_alias(bool allow_hints) {
  TableName* t = table_name();
  if (accept(Kw::PARTITION)) t->partitions = ident_list_parens();
  if (accept(Kw::AS)) {
    t->as_keyword = true;
    t->alias = ident();
  } else if (is_ident() && !is_word("OF") && !is(Kw::RETURNING) &&
             !(is(Kw::OFFSET) && (is_literal(type(1)) || is(Tok::Param, 1))) &&
             !(is_word("FETCH") && (is(Kw::FIRST, 1) || is_word("NEXT", 1)))) {
    t->alias = ident();
  }
  if (t->partitions.empty() && accept(Kw::PARTITION)) t->partitions = ident_list_parens();
  while (allow_hints && (is(Kw::USE) || is(Kw::FORCE) || is(Kw::IGNORE)) &&
         (is(Kw::INDEX, 1) || is(Kw::KEY, 1))) {
    IndexHint h{0, false, 0, {}};
    Kw a = take().kw;
    h.action = a == Kw::USE ? 0 : a == Kw::FORCE ? 1 : 2;
    h.key_word = take().kw == Kw::KEY;
    if (accept(Kw::FOR)) {
      if (accept(Kw::JOIN)) {
        h.scope = 1;
      } else if (accept(Kw::ORDER)) {
        expect(Kw::BY);
        h.scope = 2;
      } else {
        expect(Kw::GROUP);
        expect(Kw::BY);
        h.scope = 3;
      }
    }
    expect(Tok::LParen, "'('");
    if (!is(Tok::RParen)) {
      do {
        if (is(Kw::PRIMARY)) {
          h.names.push(arena_, make_ident(take()));
        } else {
          h.names.push(arena_, ident());
        }
      } while (accept(Tok::Comma));
    }
    expect(Tok::RParen, "')'");
    t->hints.push(arena_, h);
  }
  return t;
}

TableRef* ParserImpl::table_factor() {
  DepthGuard guard(*this);
  bool lateral = is(Kw::LATERAL) && is(Tok::LParen, 1);
  if (lateral) take();
  if (is(Tok::LParen)) {
    take();
    Query* q = try_query();
    if (q || lateral) {
      DerivedTable* d = make<DerivedTable>();
      d->lateral = lateral;
      d->query = q ? q : query();
      expect(Tok::RParen, "')'");
      if (accept(Kw::AS)) {
        d->as_keyword = true;
        d->alias = ident();
      } else if (is_ident()) {
        d->alias = ident();
      }
      if (!d->alias.empty() && is(Tok::LParen)) d->columns = ident_list_parens();
      return d;
    }
    ParenRef* p = make<ParenRef>();
    table_refs(p->items);
    expect(Tok::RParen, "')'");
    return p;
  }
  if (is(Tok::LBrace)) {
    // { OJ t1 LEFT OUTER JOIN t2 ON ... } ODBC escape: same as the join itself.
    take();
    if (!is_word("OJ")) fail("OJ");
    take();
    TableRef* r = table_ref();
    expect(Tok::RBrace, "'}'");
    return r;
  }
  return table_with_alias(true);
}

}  // namespace tessera::sql::detail
