// Stored programs (CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT) and compound statements.
#include "sql/parser/parser_impl.h"

namespace tessera::sql::detail {

namespace {

bool stop_end(const ParserImpl& p) {
  return p.is(Kw::END);
}
bool stop_if(const ParserImpl& p) {
  return p.is(Kw::END) || p.is(Kw::ELSE) || p.is_word("ELSEIF");
}
bool stop_case(const ParserImpl& p) {
  return p.is(Kw::END) || p.is(Kw::ELSE) || p.is(Kw::WHEN);
}
bool stop_until(const ParserImpl& p) {
  return p.is_word("UNTIL");
}

}  // namespace

void ParserImpl::sp_list(SpList& out, bool (*stop)(const ParserImpl&)) {
  while (!stop(*this) && !is(Tok::End)) {
    out.push(arena_, sp_statement());
    if (!accept(Tok::Semicolon)) break;
    while (accept(Tok::Semicolon)) {
    }
  }
}

SpNode* ParserImpl::sp_statement() {
  DepthGuard guard(*this);
  Ident label;
  if (is_ident() && is(Tok::Colon, 1)) {
    label = ident();
    take();
  }
  auto end_label = [&](SpNode* n) {
    n->label = label;
    if (!label.empty() && is_ident()) n->end_label = ident();
    return n;
  };
  if (accept(Kw::BEGIN)) {
    SpBlock* b = make<SpBlock>();
    if (is(Kw::NOT)) {
      take();
      expect_word("ATOMIC");
      b->not_atomic = true;
    }
    sp_list(b->body, stop_end);
    expect(Kw::END);
    return end_label(b);
  }
  if (accept(Kw::IF)) {
    SpConditional* c = make<SpConditional>(SpKind::If);
    do {
      SpBranch br{expr(), {}};
      expect(Kw::THEN);
      sp_list(br.body, stop_if);
      c->branches.push(arena_, br);
    } while (accept_word("ELSEIF"));
    if (accept(Kw::ELSE)) {
      c->has_else = true;
      sp_list(c->else_body, stop_end);
    }
    expect(Kw::END);
    expect(Kw::IF);
    c->label = label;
    return c;
  }
  if (accept(Kw::CASE)) {
    SpConditional* c = make<SpConditional>(SpKind::Case);
    if (!is(Kw::WHEN)) c->operand = expr();
    while (accept(Kw::WHEN)) {
      SpBranch br{expr(), {}};
      expect(Kw::THEN);
      sp_list(br.body, stop_case);
      c->branches.push(arena_, br);
    }
    if (c->branches.empty()) fail("WHEN");
    if (accept(Kw::ELSE)) {
      c->has_else = true;
      sp_list(c->else_body, stop_end);
    }
    expect(Kw::END);
    expect(Kw::CASE);
    c->label = label;
    return c;
  }
  if (accept_word("WHILE")) {
    SpLoop* l = make<SpLoop>(SpKind::While);
    l->condition = expr();
    expect(Kw::DO);
    sp_list(l->body, stop_end);
    expect(Kw::END);
    expect_word("WHILE");
    return end_label(l);
  }
  if (accept_word("LOOP")) {
    SpLoop* l = make<SpLoop>(SpKind::Loop);
    sp_list(l->body, stop_end);
    expect(Kw::END);
    expect_word("LOOP");
    return end_label(l);
  }
  if (is_word("REPEAT") && !is(Tok::LParen, 1)) {
    take();
    SpLoop* l = make<SpLoop>(SpKind::Repeat);
    sp_list(l->body, stop_until);
    expect_word("UNTIL");
    l->condition = expr();
    expect(Kw::END);
    expect_word("REPEAT");
    return end_label(l);
  }
  if (accept(Kw::FOR)) {
    SpLoop* l = make<SpLoop>(SpKind::ForRange);
    l->variable = ident();
    expect(Kw::IN);
    l->reverse = accept_word("REVERSE");
    if (is(Tok::LParen) && query_starts(1)) {
      take();
      l->kind = SpKind::ForCursor;
      l->query = query();
      expect(Tok::RParen, "')'");
    } else if (is_ident() && is(Kw::DO, 1)) {
      l->kind = SpKind::ForCursor;
      l->cursor = ident();
    } else {
      l->from = expr();
      expect(Tok::Dot, "'..'");
      expect(Tok::Dot, "'..'");
      l->to = expr();
    }
    expect(Kw::DO);
    sp_list(l->body, stop_end);
    expect(Kw::END);
    expect(Kw::FOR);
    return end_label(l);
  }
  if (!label.empty()) fail("BEGIN, LOOP, WHILE, REPEAT or FOR after a label");
  if (is_word("LEAVE") || is_word("ITERATE")) {
    SpSimple* s = make<SpSimple>(is_word("LEAVE") ? SpKind::Leave : SpKind::Iterate);
    take();
    s->target = ident();
    return s;
  }
  if (is_word("RETURN")) {
    take();
    SpSimple* s = make<SpSimple>(SpKind::Return);
    s->value = expr();
    return s;
  }
  if ((is_word("OPEN") || is_word("CLOSE")) && is_ident(1)) {
    SpSimple* s = make<SpSimple>(is_word("OPEN") ? SpKind::Open : SpKind::Close);
    take();
    s->target = ident();
    if (s->kind == SpKind::Open && accept(Tok::LParen)) {
      s->has_args = true;
      if (!is(Tok::RParen)) expr_list(s->args);
      expect(Tok::RParen, "')'");
    }
    return s;
  }
  if (is_word("FETCH")) {
    take();
    SpFetch* f = make<SpFetch>();
    size_t m = mark();
    if (accept_word("NEXT"))
      expect(Kw::FROM);
    else
      accept(Kw::FROM);
    f->from = span_from(m);
    f->cursor = ident();
    expect(Kw::INTO);
    do {
      f->into.push(arena_, is(Tok::UserVar) ? primary() : column_ref());
    } while (accept(Tok::Comma));
    return f;
  }
  if (is_word("SIGNAL") || is_word("RESIGNAL")) {
    SpSignal* s = make<SpSignal>();
    s->resignal = is_word("RESIGNAL");
    take();
    size_t m = mark();
    if (accept_word("SQLSTATE")) {
      accept(Kw::VALUE);
      if (!is(Tok::String)) fail("an SQLSTATE string");
      take();
    } else if (is_ident() && !is(Kw::SET)) {
      ident();
    }
    s->condition = span_from(m);
    if (accept(Kw::SET)) {
      do {
        SpSignalItem it{ident_any(), nullptr};
        expect(Tok::Eq, "'='");
        it.value = expr();
        s->items.push(arena_, it);
      } while (accept(Tok::Comma));
    }
    return s;
  }
  if (is_word("GET") &&
      (is_word("DIAGNOSTICS", 1) || is(Kw::CURRENT, 1) || is_word("STACKED", 1))) {
    take();
    SpGetDiagnostics* g = make<SpGetDiagnostics>();
    if (is(Kw::CURRENT) || is_word("STACKED")) {
      g->area = is(Kw::CURRENT) ? "CURRENT" : "STACKED";
      take();
    }
    expect_word("DIAGNOSTICS");
    if (accept_word("CONDITION")) g->condition = expr(8);
    do {
      SpSignalItem it{Ident{}, nullptr};
      it.value = is(Tok::UserVar) ? primary() : column_ref();
      expect(Tok::Eq, "'='");
      it.name = ident_any();
      g->items.push(arena_, it);
    } while (accept(Tok::Comma));
    return g;
  }
  if (is_word("DECLARE")) {
    take();
    if ((is_word("CONTINUE") || is_word("EXIT") || is_word("UNDO")) && is_word("HANDLER", 1)) {
      SpDeclareHandler* h = make<SpDeclareHandler>();
      h->action = keyword_text(peek().kw).empty() ? text(peek()) : keyword_text(peek().kw);
      take();
      take();
      expect(Kw::FOR);
      do {
        size_t m = mark();
        if (accept_word("SQLSTATE")) {
          accept(Kw::VALUE);
          if (!is(Tok::String)) fail("an SQLSTATE string");
          take();
        } else if (accept(Kw::NOT)) {
          expect_word("FOUND");
        } else if (is(Tok::Integer)) {
          take();
        } else {
          ident_any();
        }
        h->conditions.push(arena_, span_from(m));
      } while (accept(Tok::Comma));
      h->body = sp_statement();
      return h;
    }
    Ident name = ident();
    if (accept_word("CONDITION")) {
      SpDeclareCondition* c = make<SpDeclareCondition>();
      c->name = name;
      expect(Kw::FOR);
      size_t m = mark();
      if (accept_word("SQLSTATE")) {
        accept(Kw::VALUE);
        if (!is(Tok::String)) fail("an SQLSTATE string");
        take();
      } else if (is(Tok::Integer)) {
        take();
      } else {
        fail("SQLSTATE or an error code");
      }
      c->value = span_from(m);
      return c;
    }
    if (is_word("CURSOR")) {
      take();
      SpDeclareCursor* c = make<SpDeclareCursor>();
      c->name = name;
      if (is(Tok::LParen)) {
        size_t m = mark();
        int depth = 0;
        do {
          if (is(Tok::LParen)) ++depth;
          if (is(Tok::RParen)) --depth;
          if (is(Tok::End)) fail("')'");
          take();
        } while (depth > 0);
        c->params = span_from(m);
      }
      expect(Kw::FOR);
      c->query = query();
      return c;
    }
    SpDeclareVar* v = make<SpDeclareVar>();
    v->names.push(arena_, name);
    while (accept(Tok::Comma)) v->names.push(arena_, ident());
    if (is(Kw::ROW) || is(Kw::TYPE)) {
      size_t m = mark();
      accept(Kw::ROW);
      expect(Kw::TYPE);
      expect_word("OF");
      object_name();
      if (accept(Tok::Dot)) ident_any();
      v->type_of = span_from(m);
    } else {
      v->type = data_type();
    }
    if (accept(Kw::DEFAULT)) v->default_value = expr();
    return v;
  }
  SpStatement* s = make<SpStatement>();
  s->statement = statement();
  return s;
}

Statement* ParserImpl::compound_statement() {
  CompoundStatement* c = make<CompoundStatement>();
  c->body = sp_statement();
  return c;
}

Statement* ParserImpl::routine_statement(bool or_replace, Expr* definer) {
  CreateRoutineStatement* s = make<CreateRoutineStatement>();
  s->or_replace = or_replace;
  s->definer = definer;
  bool function = false, trigger = false, event = false;
  if (accept_word("AGGREGATE")) {
    expect(Kw::FUNCTION);
    s->type = "AGGREGATE FUNCTION";
    function = true;
  } else if (accept(Kw::FUNCTION)) {
    s->type = "FUNCTION";
    function = true;
  } else if (accept(Kw::PROCEDURE)) {
    s->type = "PROCEDURE";
  } else if (accept_word("TRIGGER")) {
    s->type = "TRIGGER";
    trigger = true;
  } else if (accept(Kw::EVENT)) {
    s->type = "EVENT";
    event = true;
  } else {
    fail("PROCEDURE, FUNCTION, TRIGGER, EVENT or VIEW");
  }
  if (is(Kw::IF)) {
    take();
    expect(Kw::NOT);
    expect(Kw::EXISTS);
    s->if_not_exists = true;
  }
  s->name = table_name();
  if (!trigger && !event) {
    expect(Tok::LParen, "'('");
    if (!is(Tok::RParen)) {
      do {
        RoutineParam p{{}, Ident{}, nullptr};
        if (is(Kw::IN) || is_word("OUT") || is_word("INOUT")) {
          p.mode = keyword_text(peek().kw).empty() ? text(peek()) : keyword_text(peek().kw);
          take();
        }
        p.name = ident();
        p.type = data_type();
        s->params.push(arena_, p);
      } while (accept(Tok::Comma));
    }
    expect(Tok::RParen, "')'");
    if (function) {
      expect_word("RETURNS");
      s->returns = data_type();
    }
    for (;;) {
      size_t m = mark();
      if (accept(Kw::COMMENT)) {
        if (!is(Tok::String)) fail("a comment string");
        take();
      } else if (accept(Kw::LANGUAGE)) {
        expect(Kw::SQL);
      } else if (is(Kw::NOT) && is_word("DETERMINISTIC", 1)) {
        take();
        take();
      } else if (accept_word("DETERMINISTIC")) {
      } else if (accept_word("CONTAINS")) {
        expect(Kw::SQL);
      } else if (is(Kw::NO) && is(Kw::SQL, 1)) {
        take();
        take();
      } else if (accept(Kw::READ) || accept_word("READS") || accept_word("MODIFIES")) {
        expect(Kw::SQL);
        expect(Kw::DATA);
      } else if (accept(Kw::SQL)) {
        expect(Kw::SECURITY);
        if (!accept(Kw::DEFINER) && !accept(Kw::INVOKER)) fail("DEFINER or INVOKER");
      } else {
        break;
      }
      s->characteristics.push(arena_, span_from(m));
    }
  } else if (trigger) {
    if (!is(Kw::BEFORE) && !is(Kw::AFTER)) fail("BEFORE or AFTER");
    s->timing = keyword_text(take().kw);
    if (!is(Kw::INSERT) && !is(Kw::UPDATE) && !is(Kw::DELETE)) fail("INSERT, UPDATE or DELETE");
    s->event = keyword_text(take().kw);
    expect(Kw::ON);
    s->table = table_name();
    expect(Kw::FOR);
    expect_word("EACH");
    expect(Kw::ROW);
    if (is_word("FOLLOWS") || is_word("PRECEDES")) {
      size_t m = mark();
      take();
      ident();
      s->order = span_from(m);
    }
  } else {
    expect(Kw::ON);
    expect_word("SCHEDULE");
    if (accept_word("EVERY")) {
      s->every = true;
      s->at = expr();
      if (type() != Tok::Ident) fail("an interval unit");
      s->every_unit = text(take());
      if (accept_word("STARTS")) s->starts = expr();
      if (accept_word("ENDS")) s->ends = expr();
    } else {
      expect_word("AT");
      s->at = expr();
    }
    if (is(Kw::ON) && is_word("COMPLETION", 1)) {
      size_t m = mark();
      take();
      take();
      accept(Kw::NOT);
      expect_word("PRESERVE");
      s->completion = span_from(m);
    }
    if (is(Kw::ENABLE) || is(Kw::DISABLE)) {
      size_t m = mark();
      take();
      if (is(Kw::ON) && is_word("SLAVE", 1)) {
        take();
        take();
      }
      s->status = span_from(m);
    }
    if (accept(Kw::COMMENT)) {
      if (!is(Tok::String)) fail("a comment string");
      s->comment = text(take());
    }
    expect(Kw::DO);
  }
  s->body = sp_statement();
  return s;
}

}  // namespace tessera::sql::detail
