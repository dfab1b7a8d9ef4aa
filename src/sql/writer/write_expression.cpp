// Expressions, types and window specifications.
#include "sql/writer/sql_writer.h"

namespace tessera::sql::detail {

namespace {

std::string_view binary_text(BinaryOp op) {
  switch (op) {
    case BinaryOp::Or:
      return "OR";
    case BinaryOp::OrOr:
      return "||";
    case BinaryOp::Xor:
      return "XOR";
    case BinaryOp::And:
      return "AND";
    case BinaryOp::Eq:
      return "=";
    case BinaryOp::NullSafeEq:
      return "<=>";
    case BinaryOp::Ne:
      return "<>";
    case BinaryOp::Lt:
      return "<";
    case BinaryOp::Le:
      return "<=";
    case BinaryOp::Gt:
      return ">";
    case BinaryOp::Ge:
      return ">=";
    case BinaryOp::BitOr:
      return "|";
    case BinaryOp::BitAnd:
      return "&";
    case BinaryOp::Shl:
      return "<<";
    case BinaryOp::Shr:
      return ">>";
    case BinaryOp::Add:
      return "+";
    case BinaryOp::Sub:
      return "-";
    case BinaryOp::Mul:
      return "*";
    case BinaryOp::Div:
      return "/";
    case BinaryOp::IntDiv:
      return "DIV";
    case BinaryOp::Mod:
      return "%";
    case BinaryOp::BitXor:
      return "^";
    case BinaryOp::JsonExtract:
      return "->";
    case BinaryOp::JsonUnquote:
      return "->>";
    case BinaryOp::MemberOf:
      return "MEMBER OF";
  }
  return "?";
}

bool compound(ExprKind k) {
  switch (k) {
    case ExprKind::Unary:
    case ExprKind::Binary:
    case ExprKind::IsTest:
    case ExprKind::Between:
    case ExprKind::InList:
    case ExprKind::InQuery:
    case ExprKind::Like:
    case ExprKind::Collate:
    case ExprKind::Assign:
    case ExprKind::Interval:
      return true;
    default:
      return false;
  }
}

}  // namespace

void SqlWriter::ident(const Ident& id) {
  append_identifier(out_, id.name, id.quoted || opt_.canonical);
}

void SqlWriter::object(const ObjectName& n) {
  if (n.has_schema()) {
    ident(n.schema);
    ch('.');
  }
  ident(n.name);
}

void SqlWriter::ident_list(const ArenaVec<Ident>& ids) {
  ch('(');
  for (uint32_t i = 0; i < ids.size(); ++i) {
    if (i) kw(", ");
    ident(ids[i]);
  }
  ch(')');
}

void SqlWriter::exprs(const ArenaVec<Expr*>& es) {
  for (uint32_t i = 0; i < es.size(); ++i) {
    if (i) kw(", ");
    expr(es[i]);
  }
}

void SqlWriter::order(const ArenaVec<OrderItem>& items) {
  for (uint32_t i = 0; i < items.size(); ++i) {
    if (i) kw(", ");
    expr(items[i].expr);
    if (items[i].dir == 1) kw(" ASC");
    if (items[i].dir == 2) kw(" DESC");
  }
}

void SqlWriter::expr(const Expr* e) {
  if (!e) return;
  int open = opt_.canonical ? (compound(e->kind) ? 1 : 0) : e->parens;
  for (int i = 0; i < open; ++i) ch('(');
  expr_body(e);
  for (int i = 0; i < open; ++i) ch(')');
}

void SqlWriter::data_type(const DataType& t) {
  kw(t.name);
  if (t.has_args) {
    ch('(');
    for (uint32_t i = 0; i < t.args.size(); ++i) {
      if (i) ch(',');
      kw(t.args[i]);
    }
    ch(')');
  }
  if (t.is_signed) kw(" SIGNED");
  if (t.is_unsigned) kw(" UNSIGNED");
  if (t.zerofill) kw(" ZEROFILL");
  if (t.binary) kw(" BINARY");
  if (!t.charset.empty()) {
    sp();
    kw(t.charset);
  }
  if (!t.collate.empty()) {
    kw(" COLLATE ");
    kw(t.collate);
  }
}

void SqlWriter::window(const WindowSpec& w) {
  ch('(');
  bool any = false;
  auto gap = [&]() {
    if (any) sp();
    any = true;
  };
  if (!w.base.empty()) {
    gap();
    ident(w.base);
  }
  if (!w.partition.empty()) {
    gap();
    kw("PARTITION BY ");
    exprs(w.partition);
  }
  if (!w.order.empty()) {
    gap();
    kw("ORDER BY ");
    order(w.order);
  }
  if (w.frame) {
    gap();
    const WindowFrame& f = *w.frame;
    kw(f.unit == 0 ? "ROWS " : "RANGE ");
    auto bound = [&](const FrameBound& b) {
      switch (b.type) {
        case 0:
          kw("UNBOUNDED PRECEDING");
          break;
        case 1:
          expr(b.value);
          kw(" PRECEDING");
          break;
        case 2:
          kw("CURRENT ROW");
          break;
        case 3:
          expr(b.value);
          kw(" FOLLOWING");
          break;
        default:
          kw("UNBOUNDED FOLLOWING");
          break;
      }
    };
    if (f.between) {
      kw("BETWEEN ");
      bound(f.start);
      kw(" AND ");
      bound(f.end);
    } else {
      bound(f.start);
    }
    static constexpr std::string_view kExclude[] = {"", " EXCLUDE CURRENT ROW", " EXCLUDE GROUP",
                                                    " EXCLUDE TIES", " EXCLUDE NO OTHERS"};
    kw(kExclude[f.exclude]);
  }
  ch(')');
}

void SqlWriter::expr_body(const Expr* e) {
  switch (e->kind) {
    case ExprKind::Literal: {
      auto* l = static_cast<const Literal*>(e);
      if (opt_.hooks && opt_.hooks->literal(*l, out_)) return;
      switch (l->literal_kind) {
        case LiteralKind::Null:
          kw("NULL");
          return;
        case LiteralKind::True:
          kw("TRUE");
          return;
        case LiteralKind::False:
          kw("FALSE");
          return;
        case LiteralKind::Date:
          kw("DATE ");
          break;
        case LiteralKind::Time:
          kw("TIME ");
          break;
        case LiteralKind::Timestamp:
          kw("TIMESTAMP ");
          break;
        default:
          break;
      }
      if (!l->charset.empty()) {
        ch('_');
        kw(l->charset);
        sp();
      }
      kw(l->text);
      return;
    }
    case ExprKind::Column: {
      auto* c = static_cast<const ColumnRef*>(e);
      for (int i = 0; i < c->n; ++i) {
        if (i) ch('.');
        ident(c->parts[i]);
      }
      return;
    }
    case ExprKind::Star: {
      auto* s = static_cast<const Star*>(e);
      for (int i = 0; i < s->n; ++i) {
        ident(s->parts[i]);
        ch('.');
      }
      ch('*');
      return;
    }
    case ExprKind::Param: {
      auto* p = static_cast<const Param*>(e);
      if (opt_.hooks && opt_.hooks->param(*p, out_)) return;
      ch('?');
      return;
    }
    case ExprKind::Variable:
      kw(static_cast<const Variable*>(e)->text);
      return;
    case ExprKind::Unary: {
      auto* u = static_cast<const Unary*>(e);
      size_t at = out_.size();
      switch (u->op) {
        case UnaryOp::Neg:
          ch('-');
          break;
        case UnaryOp::Plus:
          ch('+');
          break;
        case UnaryOp::Not:
          kw("NOT ");
          break;
        case UnaryOp::Bang:
          ch('!');
          break;
        case UnaryOp::BitNot:
          ch('~');
          break;
        case UnaryOp::Binary:
          kw("BINARY ");
          break;
      }
      expr(u->operand);
      // "- -1" must not become the comment "--1".
      if (out_.size() > at + 1 && out_[at] == '-' && out_[at + 1] == '-') out_.insert(at + 1, " ");
      return;
    }
    case ExprKind::Binary: {
      auto* b = static_cast<const Binary*>(e);
      expr(b->left);
      if (b->op == BinaryOp::JsonExtract || b->op == BinaryOp::JsonUnquote) {
        kw(binary_text(b->op));
        expr(b->right);
        return;
      }
      sp();
      kw(binary_text(b->op));
      sp();
      if (b->op == BinaryOp::MemberOf) {
        ch('(');
        expr(b->right);
        ch(')');
        return;
      }
      expr(b->right);
      return;
    }
    case ExprKind::IsTest: {
      auto* t = static_cast<const IsTest*>(e);
      expr(t->operand);
      kw(t->negated ? " IS NOT " : " IS ");
      static constexpr std::string_view kWhat[] = {"NULL", "TRUE", "FALSE", "UNKNOWN"};
      kw(kWhat[size_t(t->what)]);
      return;
    }
    case ExprKind::Between: {
      auto* b = static_cast<const Between*>(e);
      expr(b->operand);
      kw(b->negated ? " NOT BETWEEN " : " BETWEEN ");
      expr(b->low);
      kw(" AND ");
      expr(b->high);
      return;
    }
    case ExprKind::InList: {
      auto* in = static_cast<const InList*>(e);
      expr(in->operand);
      kw(in->negated ? " NOT IN (" : " IN (");
      exprs(in->items);
      ch(')');
      return;
    }
    case ExprKind::InQuery: {
      auto* in = static_cast<const InQuery*>(e);
      expr(in->operand);
      kw(in->negated ? " NOT IN (" : " IN (");
      query(*in->query);
      ch(')');
      return;
    }
    case ExprKind::Like: {
      auto* l = static_cast<const Like*>(e);
      expr(l->operand);
      if (l->negated) kw(" NOT");
      static constexpr std::string_view kOps[] = {" LIKE ", " REGEXP ", " RLIKE ", " SOUNDS LIKE "};
      kw(kOps[size_t(l->op)]);
      expr(l->pattern);
      if (l->escape) {
        kw(" ESCAPE ");
        expr(l->escape);
      }
      return;
    }
    case ExprKind::Case: {
      auto* c = static_cast<const Case*>(e);
      kw("CASE");
      if (c->operand) {
        sp();
        expr(c->operand);
      }
      for (const WhenThen& wt : c->whens) {
        kw(" WHEN ");
        expr(wt.when);
        kw(" THEN ");
        expr(wt.then);
      }
      if (c->else_expr) {
        kw(" ELSE ");
        expr(c->else_expr);
      }
      kw(" END");
      return;
    }
    case ExprKind::Function: {
      auto* f = static_cast<const Function*>(e);
      if (!f->schema.empty()) {
        ident(f->schema);
        ch('.');
      }
      bool plain = true;
      for (char c : f->name) {
        if (!is_ident_char(uint8_t(c))) plain = false;
      }
      if (plain && !f->name.empty()) {
        kw(f->name);
      } else {
        append_identifier(out_, f->name, true);
      }
      if (f->form == FunctionForm::NoParens) return;
      ch('(');
      switch (f->form) {
        case FunctionForm::CountStar:
          ch('*');
          break;
        case FunctionForm::Extract:
          kw(f->keyword);
          kw(" FROM ");
          expr(f->args[0]);
          break;
        case FunctionForm::SubstringFrom:
          expr(f->args[0]);
          kw(" FROM ");
          expr(f->args[1]);
          if (f->args.size() > 2) {
            kw(" FOR ");
            expr(f->args[2]);
          }
          break;
        case FunctionForm::Trim:
          if (!f->keyword.empty()) {
            kw(f->keyword);
            sp();
          }
          if (f->args[0]) {
            expr(f->args[0]);
            sp();
          }
          kw("FROM ");
          expr(f->args[1]);
          break;
        case FunctionForm::Position:
          expr(f->args[0]);
          kw(" IN ");
          expr(f->args[1]);
          break;
        case FunctionForm::CharUsing:
          exprs(f->args);
          kw(" USING ");
          kw(f->keyword);
          break;
        case FunctionForm::WeightString:
          expr(f->args[0]);
          if (f->type) {
            kw(" AS ");
            data_type(*f->type);
          }
          if (!f->level.empty()) {
            kw(" LEVEL ");
            kw(f->level);
          }
          break;
        default:
          if (f->distinct) kw("DISTINCT ");
          for (uint32_t i = 0; i < f->args.size(); ++i) {
            if (i) kw(", ");
            expr(f->args[i]);
            if (i < f->arg_types.size() && f->arg_types[i]) {
              kw(" AS ");
              data_type(*f->arg_types[i]);
            }
          }
          if (!f->order.empty() && !f->within_group) {
            kw(" ORDER BY ");
            order(f->order);
          }
          if (f->separator) {
            kw(" SEPARATOR ");
            expr(f->separator);
          }
          if (f->limit) limit(*f->limit);
          break;
      }
      ch(')');
      if (f->within_group) {
        kw(" WITHIN GROUP (ORDER BY ");
        order(f->order);
        ch(')');
      }
      if (f->over) {
        kw(" OVER ");
        window(*f->over);
      } else if (!f->over_name.empty()) {
        kw(" OVER ");
        ident(f->over_name);
      }
      return;
    }
    case ExprKind::Cast: {
      auto* c = static_cast<const Cast*>(e);
      kw(c->convert ? "CONVERT(" : "CAST(");
      expr(c->operand);
      if (!c->using_charset.empty()) {
        kw(" USING ");
        kw(c->using_charset);
      } else {
        kw(c->convert ? ", " : " AS ");
        data_type(*c->type);
        if (c->array) kw(" ARRAY");
      }
      ch(')');
      return;
    }
    case ExprKind::Interval: {
      auto* iv = static_cast<const Interval*>(e);
      kw("INTERVAL ");
      expr(iv->value);
      sp();
      kw(iv->unit);
      return;
    }
    case ExprKind::Subquery:
      ch('(');
      query(*static_cast<const Subquery*>(e)->query);
      ch(')');
      return;
    case ExprKind::Exists:
      kw("EXISTS (");
      query(*static_cast<const Exists*>(e)->query);
      ch(')');
      return;
    case ExprKind::Quantified: {
      auto* q = static_cast<const Quantified*>(e);
      static constexpr std::string_view kQ[] = {"ANY (", "SOME (", "ALL ("};
      kw(kQ[q->quantifier]);
      query(*q->query);
      ch(')');
      return;
    }
    case ExprKind::Row: {
      auto* r = static_cast<const Row*>(e);
      kw(r->row_keyword ? "ROW(" : "(");
      exprs(r->items);
      ch(')');
      return;
    }
    case ExprKind::Collate: {
      auto* c = static_cast<const Collate*>(e);
      expr(c->operand);
      kw(" COLLATE ");
      ident(c->collation);
      return;
    }
    case ExprKind::Match: {
      auto* m = static_cast<const Match*>(e);
      kw("MATCH (");
      exprs(m->columns);
      kw(") AGAINST (");
      expr(m->against);
      static constexpr std::string_view kMod[] = {"", " IN NATURAL LANGUAGE MODE",
                                                  " IN NATURAL LANGUAGE MODE WITH QUERY EXPANSION",
                                                  " IN BOOLEAN MODE", " WITH QUERY EXPANSION"};
      kw(kMod[m->modifier]);
      ch(')');
      return;
    }
    case ExprKind::Default: {
      auto* d = static_cast<const Default*>(e);
      if (d->ignore) {
        kw("IGNORE");
        return;
      }
      kw("DEFAULT");
      if (d->column) {
        ch('(');
        expr(d->column);
        ch(')');
      }
      return;
    }
    case ExprKind::Assign: {
      auto* a = static_cast<const Assign*>(e);
      expr(a->target);
      kw(" := ");
      expr(a->value);
      return;
    }
    case ExprKind::OdbcEscape: {
      auto* o = static_cast<const OdbcEscape*>(e);
      ch('{');
      ident(o->type);
      sp();
      expr(o->value);
      ch('}');
      return;
    }
  }
}

}  // namespace tessera::sql::detail
