// Expressions: precedence climbing over MySQL's operator table, then primaries.
//
// MySQL precedence, lowest first: :=  |  OR ||  |  XOR  |  AND &&  |  NOT  |
// comparison, IS, LIKE, IN, BETWEEN  |  '|'  |  &  |  << >>  |  + -  |  * / DIV % MOD  |  ^  |
// unary - ~  |  !  |  BINARY, COLLATE.
#include "sql/parser/parser_impl.h"

namespace tessera::sql::detail {

namespace {

enum Prec : int {
  kAssign = 1,
  kOr = 2,
  kXor = 3,
  kAnd = 4,
  kNot = 5,
  kCmp = 7,
  kBitOr = 8,
  kBitAnd = 9,
  kShift = 10,
  kAdd = 11,
  kMul = 12,
  kBitXor = 13,
};

// Binary operator at the current token, or prec 0.
int binary_op(const ParserImpl& p, BinaryOp* op) {
  switch (p.type()) {
    case Tok::OrOr:
      *op = BinaryOp::OrOr;
      return kOr;
    case Tok::AndAnd:
      *op = BinaryOp::And;
      return kAnd;
    case Tok::Eq:
      *op = BinaryOp::Eq;
      return kCmp;
    case Tok::NullSafeEq:
      *op = BinaryOp::NullSafeEq;
      return kCmp;
    case Tok::Ne:
      *op = BinaryOp::Ne;
      return kCmp;
    case Tok::Lt:
      *op = BinaryOp::Lt;
      return kCmp;
    case Tok::Le:
      *op = BinaryOp::Le;
      return kCmp;
    case Tok::Gt:
      *op = BinaryOp::Gt;
      return kCmp;
    case Tok::Ge:
      *op = BinaryOp::Ge;
      return kCmp;
    case Tok::Pipe:
      *op = BinaryOp::BitOr;
      return kBitOr;
    case Tok::Amp:
      *op = BinaryOp::BitAnd;
      return kBitAnd;
    case Tok::Shl:
      *op = BinaryOp::Shl;
      return kShift;
    case Tok::Shr:
      *op = BinaryOp::Shr;
      return kShift;
    case Tok::Plus:
      *op = BinaryOp::Add;
      return kAdd;
    case Tok::Minus:
      *op = BinaryOp::Sub;
      return kAdd;
    case Tok::Star:
      *op = BinaryOp::Mul;
      return kMul;
    case Tok::Slash:
      *op = BinaryOp::Div;
      return kMul;
    case Tok::Percent:
      *op = BinaryOp::Mod;
      return kMul;
    case Tok::Caret:
      *op = BinaryOp::BitXor;
      return kBitXor;
    case Tok::Ident:
      switch (p.kw()) {
        case Kw::OR:
          *op = BinaryOp::Or;
          return kOr;
        case Kw::XOR:
          *op = BinaryOp::Xor;
          return kXor;
        case Kw::AND:
          *op = BinaryOp::And;
          return kAnd;
        case Kw::DIV:
          *op = BinaryOp::IntDiv;
          return kMul;
        case Kw::MOD:
          *op = BinaryOp::Mod;
          return kMul;
        default:
          return 0;
      }
    default:
      return 0;
  }
}

bool is_predicate_kw(Kw k) {
  return k == Kw::IN || k == Kw::BETWEEN || k == Kw::LIKE || k == Kw::REGEXP || k == Kw::RLIKE;
}

bool is_string_like(Tok t) {
  return t == Tok::String || t == Tok::HexString || t == Tok::BitString || t == Tok::HexNumber ||
         t == Tok::BitNumber;
}

}  // namespace

void ParserImpl::expr_list(ArenaVec<Expr*>& out) {
  do {
    out.push(arena_, expr());
  } while (accept(Tok::Comma));
}

bool ParserImpl::query_starts(size_t off) const {
  Kw k = kw(off);
  return k == Kw::SELECT || k == Kw::WITH || k == Kw::VALUES || k == Kw::TABLE;
}

Query* ParserImpl::try_query() {
  size_t k = 0;
  while (is(Tok::LParen, k)) ++k;
  if (!query_starts(k)) return nullptr;
  if (k == 0 && !is(Kw::VALUES)) return query();
  size_t m = mark();
  if (memo_[m] & kQueryFailed) return nullptr;
  try {
    Query* q = query();
    if (is(Tok::RParen)) return q;
  } catch (const SyntaxError& e) {
    if (e.too_deep) throw;  // as deep read as an expression: no point retrying
  }
  reset_to(m);
  memo_[m] |= kQueryFailed;
  return nullptr;
}

Expr* ParserImpl::expr(int min_prec) {
  DepthGuard guard(*this);
  Expr* lhs;
  uint32_t start = peek().off;
  if (is(Kw::NOT) && min_prec <= kNot) {
    take();
    Unary* u = make<Unary>();
    u->op = UnaryOp::Not;
    u->operand = expr(kNot);
    u->pos = start;
    lhs = u;
    grow_height();
  } else {
    lhs = unary();  // positions its own node; a parenthesised one keeps its inner position
  }
  for (;;) {
    BinaryOp op;
    int prec = binary_op(*this, &op);
    bool negated = false;
    if (prec == 0) {
      // Predicates and keyword operators at comparison level.
      Kw k = kw();
      size_t skip = 0;
      if (k == Kw::NOT && is_predicate_kw(kw(1))) {
        negated = true;
        skip = 1;
        k = kw(1);
      }
      if (is_predicate_kw(k) || k == Kw::IS || (k == Kw::SOUNDS && is(Kw::LIKE, 1)) ||
          (is_word("MEMBER") && is_word("OF", 1))) {
        prec = kCmp;
      } else if (is(Tok::Assign)) {
        prec = kAssign;
      } else {
        break;
      }
      if (prec < min_prec) break;
      pos_ += skip;
      if (prec == kAssign) {
        take();
        if (lhs->kind != ExprKind::Variable || lhs->parens) fail("a variable before ':='");
        Assign* a = make<Assign>();
        a->pos = start;
        a->target = static_cast<Variable*>(lhs);
        a->value = expr(kAssign);
        lhs = a;
        grow_height();
        continue;
      }
      if (accept(Kw::IS)) {
        IsTest* t = make<IsTest>();
        t->operand = lhs;
        t->negated = accept(Kw::NOT);
        if (accept(Kw::NULL_SYM))
          t->what = IsWhat::Null;
        else if (accept(Kw::TRUE_SYM))
          t->what = IsWhat::True;
        else if (accept(Kw::FALSE_SYM))
          t->what = IsWhat::False;
        else if (accept(Kw::UNKNOWN))
          t->what = IsWhat::Unknown;
        else
          fail("NULL, TRUE, FALSE or UNKNOWN");
        lhs = t;
      } else if (accept(Kw::IN)) {
        expect(Tok::LParen, "'('");
        if (Query* sub = try_query()) {
          InQuery* q = make<InQuery>();
          q->operand = lhs;
          q->negated = negated;
          q->query = sub;
          expect(Tok::RParen, "')'");
          lhs = q;
        } else {
          InList* l = make<InList>();
          l->operand = lhs;
          l->negated = negated;
          expr_list(l->items);
          expect(Tok::RParen, "')'");
          lhs = l;
        }
      } else if (accept(Kw::BETWEEN)) {
        Between* b = make<Between>();
        b->operand = lhs;
        b->negated = negated;
        b->low = expr(kBitOr);
        expect(Kw::AND);
        b->high = expr(kBitOr);
        lhs = b;
      } else if (is_word("MEMBER")) {
        take();
        take();
        Binary* b = make<Binary>();
        b->op = BinaryOp::MemberOf;
        b->left = lhs;
        expect(Tok::LParen, "'('");
        b->right = expr();
        expect(Tok::RParen, "')'");
        lhs = b;
      } else {
        Like* l = make<Like>();
        l->operand = lhs;
        l->negated = negated;
        Kw lk = take().kw;
        if (lk == Kw::SOUNDS) {
          take();
          l->op = LikeOp::SoundsLike;
        } else {
          l->op = lk == Kw::LIKE ? LikeOp::Like : lk == Kw::REGEXP ? LikeOp::Regexp : LikeOp::Rlike;
        }
        l->pattern = expr(kBitOr);
        if (l->op == LikeOp::Like && accept(Kw::ESCAPE)) l->escape = expr(kBitOr);
        lhs = l;
      }
      lhs->pos = start;
      grow_height();
      continue;
    }
    if (prec < min_prec) break;
    if (op == BinaryOp::Or || op == BinaryOp::OrOr || op == BinaryOp::Xor || op == BinaryOp::And) {
      lhs = logical_chain(op, prec, lhs, start);
      continue;
    }
    take();
    Binary* b = make<Binary>();
    b->pos = start;
    b->op = op;
    b->left = lhs;
    if (prec == kCmp && (is(Kw::ANY) || is(Kw::SOME) || is(Kw::ALL)) && is(Tok::LParen, 1)) {
      Quantified* q = make<Quantified>();
      q->pos = peek().off;
      q->quantifier = is(Kw::ANY) ? 0 : is(Kw::SOME) ? 1 : 2;
      take();
      take();
      q->query = query();
      expect(Tok::RParen, "')'");
      b->right = q;
    } else {
      b->right = expr(prec + 1);
    }
    lhs = b;
    grow_height();
  }
  return lhs;
}

// `first OP x OP y ...` for one associative logical operator, at the current OP token. The
// operands are parsed in a loop like any chain, then paired up left to right into a balanced
// tree: 60,000 ORs (an ORM's findAll(ids)) are 16 levels, not 60,000. Meaning and evaluation
// order are unchanged: OR, XOR and AND are associative in SQL's three-valued logic, an in-order
// walk still meets the operands left to right (short-circuiting the same way), and the writer
// prints the operands with the same operator between them, as written.
Expr* ParserImpl::logical_chain(BinaryOp op, int prec, Expr* first, uint32_t start) {
  struct Operand {
    Expr* e;
    uint32_t pos;  // where the operand starts (its '(' if parenthesised)
  };
  ArenaVec<Operand> ops;
  ops.push(arena_, Operand{first, start});
  BinaryOp next;
  while (binary_op(*this, &next) == prec && next == op) {
    take();
    uint32_t at = peek().off;
    Expr* e = expr(prec + 1);
    ops.push(arena_, Operand{e, at});
  }
  uint32_t n = ops.size();
  int levels = 0;
  while (n > 1) {
    uint32_t w = 0;
    for (uint32_t i = 0; i + 1 < n; i += 2) {
      Binary* b = make<Binary>();
      b->op = op;
      b->pos = ops[i].pos;
      b->left = ops[i].e;
      b->right = ops[i + 1].e;
      ops[w++] = Operand{b, ops[i].pos};
    }
    if (n % 2) ops[w++] = ops[n - 1];
    n = w;
    ++levels;
  }
  grow_height(levels);
  return ops[0].e;
}

Expr* ParserImpl::unary() {
  DepthGuard guard(*this);
  uint32_t start = peek().off;
  UnaryOp op;
  bool is_op = true;
  switch (type()) {
    case Tok::Minus:
      op = UnaryOp::Neg;
      break;
    case Tok::Plus:
      op = UnaryOp::Plus;
      break;
    case Tok::Tilde:
      op = UnaryOp::BitNot;
      break;
    case Tok::Bang:
      op = UnaryOp::Bang;
      break;
    default:
      is_op = is(Kw::BINARY) && !is(Tok::Comma, 1) && !is(Tok::RParen, 1);
      op = UnaryOp::Binary;
      break;
  }
  Expr* e;
  if (is_op) {
    take();
    Unary* u = make<Unary>();
    u->op = op;
    u->operand = unary();
    u->pos = start;
    e = u;
  } else {
    e = primary();
  }
  while (is(Kw::COLLATE)) {
    take();
    Collate* c = make<Collate>();
    c->pos = start;
    c->operand = e;
    if (is(Tok::String)) {
      c->collation = make_ident(take());
    } else {
      c->collation = ident_any();
    }
    e = c;
    grow_height();
  }
  return e;
}

Expr* ParserImpl::literal() {
  const Token& t = take();
  Literal* l = make<Literal>();
  l->pos = t.off;
  l->text = text(t);
  switch (t.type) {
    case Tok::String: {
      l->literal_kind = LiteralKind::String;
      // 'a' 'b' is one literal in MySQL.
      size_t from = pos_ - 1;
      while (is(Tok::String)) take();
      l->text = span_from(from);
      break;
    }
    case Tok::NString:
      l->literal_kind = LiteralKind::NString;
      break;
    case Tok::HexString:
      l->literal_kind = LiteralKind::HexString;
      break;
    case Tok::BitString:
      l->literal_kind = LiteralKind::BitString;
      break;
    case Tok::Integer:
      l->literal_kind = LiteralKind::Integer;
      break;
    case Tok::Decimal:
      l->literal_kind = LiteralKind::Decimal;
      break;
    case Tok::Float:
      l->literal_kind = LiteralKind::Float;
      break;
    case Tok::HexNumber:
      l->literal_kind = LiteralKind::HexNumber;
      break;
    case Tok::BitNumber:
      l->literal_kind = LiteralKind::BitNumber;
      break;
    default:
      --pos_;
      fail("a literal");
  }
  return l;
}

Expr* ParserImpl::primary() {
  const Token& t = peek();
  switch (t.type) {
    case Tok::String:
    case Tok::NString:
    case Tok::HexString:
    case Tok::BitString:
    case Tok::Integer:
    case Tok::Decimal:
    case Tok::Float:
    case Tok::HexNumber:
    case Tok::BitNumber:
      return literal();
    case Tok::Param: {
      take();
      Param* p = make<Param>();
      p->pos = t.off;
      p->index = params_++;
      return p;
    }
    case Tok::UserVar:
    case Tok::SysVar: {
      take();
      Variable* v = make<Variable>();
      v->pos = t.off;
      v->system = t.type == Tok::SysVar;
      v->text = text(t);
      return v;
    }
    case Tok::LParen:
      return paren_expression();
    case Tok::LBrace: {
      take();
      OdbcEscape* o = make<OdbcEscape>();
      o->pos = t.off;
      o->type = ident_any();
      o->value = expr();
      expect(Tok::RBrace, "'}'");
      return o;
    }
    case Tok::Star: {
      take();
      Star* s = make<Star>();
      s->pos = t.off;
      return s;
    }
    case Tok::QuotedIdent:
      return column_or_function();
    case Tok::Ident:
      break;
    default:
      fail("an expression");
  }
  // Words.
  Kw k = t.kw;
  Tok next = type(1);
  switch (k) {
    case Kw::NULL_SYM:
    case Kw::TRUE_SYM:
    case Kw::FALSE_SYM: {
      take();
      Literal* l = make<Literal>();
      l->pos = t.off;
      l->text = text(t);
      l->literal_kind = k == Kw::NULL_SYM   ? LiteralKind::Null
                        : k == Kw::TRUE_SYM ? LiteralKind::True
                                            : LiteralKind::False;
      return l;
    }
    case Kw::DATE:
    case Kw::TIME:
    case Kw::TIMESTAMP:
      if (next == Tok::String) {
        take();
        Literal* l = make<Literal>();
        l->pos = t.off;
        l->text = text(take());
        l->literal_kind = k == Kw::DATE   ? LiteralKind::Date
                          : k == Kw::TIME ? LiteralKind::Time
                                          : LiteralKind::Timestamp;
        return l;
      }
      break;
    case Kw::CASE:
      return case_expr();
    case Kw::CAST:
      if (next == Tok::LParen) return cast_expr(false);
      break;
    case Kw::CONVERT:
      if (next == Tok::LParen) return cast_expr(true);
      break;
    case Kw::MATCH:
      return match_expr();
    case Kw::EXISTS: {
      take();
      Exists* e = make<Exists>();
      e->pos = t.off;
      expect(Tok::LParen, "'('");
      e->query = query();
      expect(Tok::RParen, "')'");
      return e;
    }
    case Kw::INTERVAL: {
      if (next == Tok::LParen && !(memo_[mark()] & kNotIntervalFunction)) {
        // INTERVAL(n, a, b, ...) is a function; INTERVAL (expr) unit is an interval.
        size_t m = mark();
        take();
        Expr* f = nullptr;
        try {
          f = function_call(Ident{}, t);
        } catch (const SyntaxError& e) {
          if (e.too_deep) throw;
        }
        if (f && static_cast<Function*>(f)->args.size() >= 2) return f;
        reset_to(m);
        memo_[m] |= kNotIntervalFunction;
      }
      take();
      Interval* iv = make<Interval>();
      iv->pos = t.off;
      iv->value = expr();
      if (type() != Tok::Ident) fail("an interval unit");
      iv->unit = text(take());
      return iv;
    }
    case Kw::ROW:
      if (next == Tok::LParen) {
        take();
        take();
        Row* r = make<Row>();
        r->pos = t.off;
        r->row_keyword = true;
        if (!is(Tok::RParen)) expr_list(r->items);
        expect(Tok::RParen, "')'");
        return r;
      }
      break;
    case Kw::IGNORE:
      if (next == Tok::Comma || next == Tok::RParen || next == Tok::End || next == Tok::Semicolon ||
          (next == Tok::Ident && is_reserved(kw(1)))) {
        take();
        Default* d = make<Default>();
        d->pos = t.off;
        d->ignore = true;
        return d;
      }
      break;
    case Kw::DEFAULT: {
      take();
      Default* d = make<Default>();
      d->pos = t.off;
      if (accept(Tok::LParen)) {
        d->column = column_ref();
        expect(Tok::RParen, "')'");
      }
      return d;
    }
    case Kw::CURRENT_DATE:
    case Kw::CURRENT_TIME:
    case Kw::CURRENT_TIMESTAMP:
    case Kw::LOCALTIME:
    case Kw::LOCALTIMESTAMP:
    case Kw::CURRENT_USER:
      if (next != Tok::LParen) {
        take();
        Function* f = make<Function>();
        f->pos = t.off;
        f->name = text(t);
        f->form = FunctionForm::NoParens;
        return f;
      }
      break;
    default:
      break;
  }
  std::string_view word = text(t);
  if (word.size() > 1 && word[0] == '_' && is_string_like(next) && k == Kw::None) {
    // _charset'literal' introducer.
    take();
    Literal* l = static_cast<Literal*>(literal());
    l->charset = word.substr(1);
    l->pos = t.off;
    return l;
  }
  if (k != Kw::None && is_reserved(k)) {
    if (next == Tok::LParen) {
      // Reserved words that are also function names: IF(), LEFT(), REPLACE(), CHAR(), ...
      take();
      return function_call(Ident{}, t);
    }
    if (iequals_upper(word, "UTC_DATE") || iequals_upper(word, "UTC_TIME") ||
        iequals_upper(word, "UTC_TIMESTAMP")) {
      take();
      Function* f = make<Function>();
      f->pos = t.off;
      f->name = word;
      f->form = FunctionForm::NoParens;
      return f;
    }
    fail("an expression");
  }
  return column_or_function();
}

ColumnRef* ParserImpl::column_ref() {
  ColumnRef* c = make<ColumnRef>();
  c->pos = peek().off;
  c->parts[0] = ident();
  c->n = 1;
  while (c->n < 3 && is(Tok::Dot) && (is(Tok::Ident, 1) || is(Tok::QuotedIdent, 1))) {
    take();
    c->parts[c->n++] = ident_any();
  }
  return c;
}

Expr* ParserImpl::column_or_function() {
  const Token& first = peek();
  if (first.type == Tok::Ident && is(Tok::LParen, 1)) {
    take();
    return function_call(Ident{}, first);
  }
  Ident parts[3];
  int n = 0;
  parts[n++] = first.type == Tok::Ident && first.kw != Kw::None && is_reserved(first.kw)
                   ? ident_any()
                   : ident();
  while (is(Tok::Dot)) {
    if (is(Tok::Star, 1) && n <= 2) {
      take();
      take();
      Star* s = make<Star>();
      s->pos = first.off;
      for (int i = 0; i < n; ++i) s->parts[i] = parts[i];
      s->n = uint8_t(n);
      return s;
    }
    if (n == 3) fail("at most three name parts");
    if (!is(Tok::Ident, 1) && !is(Tok::QuotedIdent, 1)) break;
    take();
    const Token& nt = peek();
    if (n == 1 && nt.type == Tok::Ident && is(Tok::LParen, 1)) {
      take();
      return function_call(parts[0], nt);  // db.func(...)
    }
    parts[n++] = ident_any();
  }
  ColumnRef* c = make<ColumnRef>();
  c->pos = first.off;
  for (int i = 0; i < n; ++i) c->parts[i] = parts[i];
  c->n = uint8_t(n);
  if (is(Tok::Arrow) || is(Tok::LongArrow)) {
    Binary* b = make<Binary>();
    b->pos = first.off;
    b->op = take().type == Tok::Arrow ? BinaryOp::JsonExtract : BinaryOp::JsonUnquote;
    b->left = c;
    if (!is(Tok::String)) fail("a JSON path string");
    b->right = literal();
    return b;
  }
  return c;
}

Expr* ParserImpl::function_call(Ident schema, const Token& name) {
  DepthGuard guard(*this);
  Function* f = make<Function>();
  f->pos = schema.empty() ? name.off : schema.pos;
  f->schema = schema;
  f->name = text(name);
  if (name.type == Tok::QuotedIdent) f->name = make_ident(name).name;
  expect(Tok::LParen, "'('");
  std::string_view n = f->name;
  auto named = [&](std::string_view upper) { return iequals_upper(n, upper); };
  if (named("COUNT") && is(Tok::Star) && is(Tok::RParen, 1)) {
    take();
    f->form = FunctionForm::CountStar;
  } else if (named("EXTRACT")) {
    f->form = FunctionForm::Extract;
    if (type() != Tok::Ident) fail("a unit");
    f->keyword = text(take());
    expect(Kw::FROM);
    f->args.push(arena_, expr());
  } else if (named("SUBSTRING") || named("SUBSTR") || named("MID")) {
    f->args.push(arena_, expr());
    if (accept(Kw::FROM)) {
      f->form = FunctionForm::SubstringFrom;
      f->args.push(arena_, expr());
      if (accept(Kw::FOR)) f->args.push(arena_, expr());
    } else {
      while (accept(Tok::Comma)) f->args.push(arena_, expr());
    }
  } else if (named("TRIM")) {
    if (is(Kw::LEADING) || is(Kw::TRAILING) || is(Kw::BOTH)) f->keyword = text(take());
    if (accept(Kw::FROM)) {
      f->form = FunctionForm::Trim;
      f->args.push(arena_, nullptr);
      f->args.push(arena_, expr());
    } else {
      Expr* e = expr();
      if (accept(Kw::FROM)) {
        f->form = FunctionForm::Trim;
        f->args.push(arena_, e);
        f->args.push(arena_, expr());
      } else {
        if (!f->keyword.empty()) fail("FROM");
        f->args.push(arena_, e);
      }
    }
  } else if (named("POSITION")) {
    f->form = FunctionForm::Position;
    f->args.push(arena_, expr(kBitOr));
    expect(Kw::IN);
    f->args.push(arena_, expr());
  } else if (named("CHAR")) {
    if (!is(Tok::RParen)) expr_list(f->args);
    if (accept(Kw::USING)) {
      f->form = FunctionForm::CharUsing;
      f->keyword = charset_name();
    }
  } else if (named("GROUP_CONCAT")) {
    f->form = FunctionForm::GroupConcat;
    if (accept(Kw::DISTINCT)) f->distinct = true;
    expr_list(f->args);
    if (accept(Kw::ORDER)) {
      expect(Kw::BY);
      order_items(f->order);
    }
    if (accept(Kw::SEPARATOR)) f->separator = literal();
    if (is(Kw::LIMIT)) f->limit = limit_clause();
  } else if (named("WEIGHT_STRING")) {
    f->args.push(arena_, expr());
    if (accept(Kw::AS)) {
      f->form = FunctionForm::WeightString;
      f->type = data_type();
    }
    if (accept(Kw::LEVEL)) {
      f->form = FunctionForm::WeightString;
      size_t m = mark();
      while (!is(Tok::RParen) && !is(Tok::End)) take();
      f->level = span_from(m);
    }
  } else if (n.size() > 7 && iequals_upper(n.substr(0, 7), "COLUMN_")) {
    // MariaDB dynamic columns: value AS type pairs.
    bool typed = false;
    do {
      f->args.push(arena_, expr());
      if (accept(Kw::AS)) {
        typed = true;
        f->arg_types.push(arena_, data_type());
      } else {
        f->arg_types.push(arena_, nullptr);
      }
    } while (accept(Tok::Comma));
    if (!typed) f->arg_types = ArenaVec<DataType*>{};
  } else if (!is(Tok::RParen)) {
    if (accept(Kw::DISTINCT)) {
      f->distinct = true;
    } else if (is(Kw::ALL) && !is(Tok::LParen, 1)) {
      take();  // COUNT(ALL x) == COUNT(x)
    }
    expr_list(f->args);
    if (accept(Kw::ORDER)) {  // JSON_ARRAYAGG(x ORDER BY y) (MariaDB)
      expect(Kw::BY);
      order_items(f->order);
    }
    if (is(Kw::LIMIT)) f->limit = limit_clause();
  }
  expect(Tok::RParen, "')'");
  if (is_word("WITHIN") && is(Kw::GROUP, 1)) {
    take();
    take();
    expect(Tok::LParen, "'('");
    expect(Kw::ORDER);
    expect(Kw::BY);
    order_items(f->order);
    expect(Tok::RParen, "')'");
    f->within_group = true;
  }
  if (accept(Kw::OVER)) {
    if (is(Tok::LParen)) {
      f->over = window_spec();
    } else {
      f->over_name = ident();
    }
  }
  return f;
}

WindowSpec* ParserImpl::window_spec() {
  WindowSpec* w = make<WindowSpec>();
  expect(Tok::LParen, "'('");
  if (is_ident() && !is(Kw::PARTITION) && !is(Kw::ORDER) && !is(Kw::ROWS) && !is(Kw::RANGE)) {
    w->base = ident();
  }
  if (accept(Kw::PARTITION)) {
    expect(Kw::BY);
    expr_list(w->partition);
  }
  if (accept(Kw::ORDER)) {
    expect(Kw::BY);
    order_items(w->order);
  }
  if (is(Kw::ROWS) || is(Kw::RANGE)) {
    WindowFrame* fr = make<WindowFrame>();
    fr->unit = take().kw == Kw::ROWS ? 0 : 1;
    auto bound = [&]() {
      FrameBound b{0, nullptr};
      if (accept(Kw::UNBOUNDED)) {
        if (accept(Kw::PRECEDING)) {
          b.type = 0;
        } else {
          expect(Kw::FOLLOWING);
          b.type = 4;
        }
      } else if (accept(Kw::CURRENT)) {
        expect(Kw::ROW);
        b.type = 2;
      } else {
        b.value = expr(kBitOr);
        if (accept(Kw::PRECEDING)) {
          b.type = 1;
        } else {
          expect(Kw::FOLLOWING);
          b.type = 3;
        }
      }
      return b;
    };
    if (accept(Kw::BETWEEN)) {
      fr->between = true;
      fr->start = bound();
      expect(Kw::AND);
      fr->end = bound();
    } else {
      fr->start = bound();
    }
    if (accept_word("EXCLUDE")) {
      if (accept(Kw::CURRENT)) {
        expect(Kw::ROW);
        fr->exclude = 1;
      } else if (accept(Kw::GROUP)) {
        fr->exclude = 2;
      } else if (accept_word("TIES")) {
        fr->exclude = 3;
      } else {
        expect(Kw::NO);
        expect_word("OTHERS");
        fr->exclude = 4;
      }
    }
    w->frame = fr;
  }
  expect(Tok::RParen, "')'");
  return w;
}

Expr* ParserImpl::paren_expression() {
  const Token& open = take();
  if (Query* q = try_query()) {
    Subquery* s = make<Subquery>();
    s->pos = open.off;
    s->query = q;
    expect(Tok::RParen, "')'");
    return s;
  }
  Expr* e = expr();
  if (is(Tok::Comma)) {
    Row* r = make<Row>();
    r->pos = open.off;
    r->items.push(arena_, e);
    while (accept(Tok::Comma)) r->items.push(arena_, expr());
    expect(Tok::RParen, "')'");
    return r;
  }
  expect(Tok::RParen, "')'");
  if (e->parens == 255) fail("less nesting");
  e->parens++;
  return e;
}

Expr* ParserImpl::case_expr() {
  Case* c = make<Case>();
  c->pos = take().off;
  if (!is(Kw::WHEN)) c->operand = expr();
  while (accept(Kw::WHEN)) {
    WhenThen wt;
    wt.when = expr();
    expect(Kw::THEN);
    wt.then = expr();
    c->whens.push(arena_, wt);
  }
  if (c->whens.empty()) fail("WHEN");
  if (accept(Kw::ELSE)) c->else_expr = expr();
  expect(Kw::END);
  return c;
}

Expr* ParserImpl::cast_expr(bool convert) {
  Cast* c = make<Cast>();
  c->pos = take().off;
  c->convert = convert;
  expect(Tok::LParen, "'('");
  c->operand = expr();
  if (convert) {
    if (accept(Kw::USING)) {
      c->using_charset = charset_name();
    } else {
      expect(Tok::Comma, "',' or USING");
      c->type = data_type();
    }
  } else {
    expect(Kw::AS);
    c->type = data_type();
    if (accept_word("ARRAY")) c->array = true;
  }
  expect(Tok::RParen, "')'");
  return c;
}

Expr* ParserImpl::match_expr() {
  Match* m = make<Match>();
  m->pos = take().off;
  if (accept(Tok::LParen)) {
    expr_list(m->columns);
    expect(Tok::RParen, "')'");
  } else {
    do {
      m->columns.push(arena_, column_ref());  // MATCH a, b AGAINST (...)
    } while (accept(Tok::Comma));
  }
  expect(Kw::AGAINST);
  expect(Tok::LParen, "'('");
  m->against = expr(kBitOr);
  if (accept(Kw::IN)) {
    if (accept(Kw::BOOLEAN)) {
      expect(Kw::MODE);
      m->modifier = 3;
    } else {
      expect(Kw::NATURAL);
      expect(Kw::LANGUAGE);
      expect(Kw::MODE);
      m->modifier = 1;
      if (accept(Kw::WITH)) {
        expect(Kw::QUERY);
        expect(Kw::EXPANSION);
        m->modifier = 2;
      }
    }
  } else if (accept(Kw::WITH)) {
    expect(Kw::QUERY);
    expect(Kw::EXPANSION);
    m->modifier = 4;
  }
  expect(Tok::RParen, "')'");
  return m;
}

DataType* ParserImpl::data_type() {
  DataType* d = make<DataType>();
  if (type() != Tok::Ident) fail("a data type");
  size_t from = mark();
  Kw first = take().kw;
  // Two-word type names.
  if ((first == Kw::DOUBLE && is(Kw::PRECISION)) ||
      ((first == Kw::LONG) && (is(Kw::VARCHAR) || is(Kw::VARBINARY) || is_word("VARCHARACTER") ||
                               is(Kw::CHAR) || is(Kw::BLOB) || is(Kw::TEXT))) ||
      ((first == Kw::CHARACTER || first == Kw::CHAR || first == Kw::NCHAR) && is_word("VARYING")) ||
      ((first == Kw::SIGNED || first == Kw::UNSIGNED) && (is(Kw::INT) || is(Kw::INTEGER)))) {
    take();
  } else if (first == Kw::NATIONAL) {
    if (!is(Kw::CHAR) && !is(Kw::CHARACTER) && !is(Kw::VARCHAR)) fail("CHAR or VARCHAR");
    take();
    accept_word("VARYING");
  } else if (first == Kw::NCHAR && is(Kw::VARCHAR)) {
    take();
  }
  d->name = span_from(from);
  if (accept(Tok::LParen)) {
    d->has_args = true;
    if (!is(Tok::RParen)) {
      do {
        size_t a = mark();
        if (is(Tok::Minus) || is(Tok::Plus)) take();
        if (type() == Tok::Ident && text(peek())[0] == '_' && is(Tok::String, 1)) take();
        if (!is_literal(type()) && !is(Tok::Ident)) fail("a type argument");
        take();
        d->args.push(arena_, span_from(a));
      } while (accept(Tok::Comma));
    }
    expect(Tok::RParen, "')'");
  }
  for (;;) {
    if (accept(Kw::UNSIGNED))
      d->is_unsigned = true;
    else if (accept(Kw::SIGNED))
      d->is_signed = true;
    else if (accept(Kw::ZEROFILL))
      d->zerofill = true;
    else if (is(Kw::BINARY) && !is(Tok::LParen, 1)) {
      take();
      d->binary = true;
    } else if (is_word("ASCII") || is_word("UNICODE") || is_word("BYTE")) {
      d->charset = text(take());
    } else if ((is(Kw::CHARACTER) && is(Kw::SET, 1)) || is(Kw::CHARSET)) {
      size_t a = mark();
      if (take().kw == Kw::CHARACTER) take();
      charset_name();
      d->charset = span_from(a);
    } else if (is(Kw::COLLATE)) {
      take();
      d->collate = charset_name();
    } else {
      break;
    }
  }
  return d;
}

}  // namespace tessera::sql::detail
