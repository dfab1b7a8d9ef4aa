// Stored programs and compound statements.
#include "sql/writer/sql_writer.h"

namespace tessera::sql::detail {

void SqlWriter::sp_list(const SpList& l) {
  for (const SpNode* n : l) {
    sp();
    sp_node(n);
    ch(';');
  }
}

void SqlWriter::sp_node(const SpNode* n) {
  auto label = [&]() {
    if (!n->label.empty()) {
      ident(n->label);
      kw(": ");
    }
  };
  auto end_label = [&]() {
    if (!n->end_label.empty()) {
      sp();
      ident(n->end_label);
    }
  };
  switch (n->kind) {
    case SpKind::Statement:
      statement(*static_cast<const SpStatement*>(n)->statement);
      return;
    case SpKind::Block: {
      auto* b = static_cast<const SpBlock*>(n);
      label();
      kw(b->not_atomic ? "BEGIN NOT ATOMIC" : "BEGIN");
      sp_list(b->body);
      kw(" END");
      end_label();
      return;
    }
    case SpKind::If:
    case SpKind::Case: {
      auto* c = static_cast<const SpConditional*>(n);
      bool is_if = n->kind == SpKind::If;
      kw(is_if ? "IF " : "CASE");
      if (!is_if && c->operand) {
        sp();
        expr(c->operand);
      }
      for (uint32_t i = 0; i < c->branches.size(); ++i) {
        if (is_if) {
          if (i) kw(" ELSEIF ");
        } else {
          kw(" WHEN ");
        }
        expr(c->branches[i].when);
        kw(" THEN");
        sp_list(c->branches[i].body);
      }
      if (c->has_else) {
        kw(" ELSE");
        sp_list(c->else_body);
      }
      kw(is_if ? " END IF" : " END CASE");
      return;
    }
    case SpKind::While:
    case SpKind::Loop:
    case SpKind::Repeat:
    case SpKind::ForRange:
    case SpKind::ForCursor: {
      auto* l = static_cast<const SpLoop*>(n);
      label();
      switch (n->kind) {
        case SpKind::While:
          kw("WHILE ");
          expr(l->condition);
          kw(" DO");
          sp_list(l->body);
          kw(" END WHILE");
          break;
        case SpKind::Loop:
          kw("LOOP");
          sp_list(l->body);
          kw(" END LOOP");
          break;
        case SpKind::Repeat:
          kw("REPEAT");
          sp_list(l->body);
          kw(" UNTIL ");
          expr(l->condition);
          kw(" END REPEAT");
          break;
        default:
          kw("FOR ");
          ident(l->variable);
          kw(l->reverse ? " IN REVERSE " : " IN ");
          if (l->query) {
            ch('(');
            query(*l->query);
            ch(')');
          } else if (!l->cursor.empty()) {
            ident(l->cursor);
          } else {
            expr(l->from);
            kw(" .. ");
            expr(l->to);
          }
          kw(" DO");
          sp_list(l->body);
          kw(" END FOR");
          break;
      }
      end_label();
      return;
    }
    case SpKind::Leave:
    case SpKind::Iterate:
    case SpKind::Open:
    case SpKind::Close: {
      auto* s = static_cast<const SpSimple*>(n);
      static constexpr std::string_view kWords[] = {"LEAVE ", "ITERATE ", "OPEN ", "CLOSE "};
      size_t i = n->kind == SpKind::Leave     ? 0
                 : n->kind == SpKind::Iterate ? 1
                 : n->kind == SpKind::Open    ? 2
                                              : 3;
      kw(kWords[i]);
      ident(s->target);
      if (s->has_args) {
        ch('(');
        exprs(s->args);
        ch(')');
      }
      return;
    }
    case SpKind::Return:
      kw("RETURN ");
      expr(static_cast<const SpSimple*>(n)->value);
      return;
    case SpKind::DeclareVar: {
      auto* v = static_cast<const SpDeclareVar*>(n);
      kw("DECLARE ");
      for (uint32_t i = 0; i < v->names.size(); ++i) {
        if (i) kw(", ");
        ident(v->names[i]);
      }
      sp();
      if (v->type) {
        data_type(*v->type);
      } else {
        kw(v->type_of);
      }
      if (v->default_value) {
        kw(" DEFAULT ");
        expr(v->default_value);
      }
      return;
    }
    case SpKind::DeclareCondition: {
      auto* c = static_cast<const SpDeclareCondition*>(n);
      kw("DECLARE ");
      ident(c->name);
      kw(" CONDITION FOR ");
      kw(c->value);
      return;
    }
    case SpKind::DeclareHandler: {
      auto* h = static_cast<const SpDeclareHandler*>(n);
      kw("DECLARE ");
      kw(h->action);
      kw(" HANDLER FOR ");
      for (uint32_t i = 0; i < h->conditions.size(); ++i) {
        if (i) kw(", ");
        kw(h->conditions[i]);
      }
      sp();
      sp_node(h->body);
      return;
    }
    case SpKind::DeclareCursor: {
      auto* c = static_cast<const SpDeclareCursor*>(n);
      kw("DECLARE ");
      ident(c->name);
      kw(" CURSOR ");
      if (!c->params.empty()) {
        kw(c->params);
        sp();
      }
      kw("FOR ");
      query(*c->query);
      return;
    }
    case SpKind::Fetch: {
      auto* f = static_cast<const SpFetch*>(n);
      kw("FETCH ");
      if (!f->from.empty()) {
        kw(f->from);
        sp();
      }
      ident(f->cursor);
      kw(" INTO ");
      exprs(f->into);
      return;
    }
    case SpKind::Signal: {
      auto* s = static_cast<const SpSignal*>(n);
      kw(s->resignal ? "RESIGNAL" : "SIGNAL");
      if (!s->condition.empty()) {
        sp();
        kw(s->condition);
      }
      for (uint32_t i = 0; i < s->items.size(); ++i) {
        kw(i ? ", " : " SET ");
        ident(s->items[i].name);
        kw(" = ");
        expr(s->items[i].value);
      }
      return;
    }
    case SpKind::GetDiagnostics: {
      auto* g = static_cast<const SpGetDiagnostics*>(n);
      kw("GET ");
      if (!g->area.empty()) {
        kw(g->area);
        sp();
      }
      kw("DIAGNOSTICS ");
      if (g->condition) {
        kw("CONDITION ");
        expr(g->condition);
        sp();
      }
      for (uint32_t i = 0; i < g->items.size(); ++i) {
        if (i) kw(", ");
        expr(g->items[i].value);
        kw(" = ");
        ident(g->items[i].name);
      }
      return;
    }
  }
}

}  // namespace tessera::sql::detail
