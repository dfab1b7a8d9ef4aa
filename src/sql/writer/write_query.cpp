// SELECT and its clauses.
#include "sql/writer/sql_writer.h"

namespace tessera::sql {

bool named_by_text(const SelectItem& item) {
  if (!item.alias.empty() || item.text.empty() || !item.expr) return false;
  switch (item.expr->kind) {
    case ExprKind::Column:
    case ExprKind::Literal:
    case ExprKind::Star:
      return false;
    default:
      return true;
  }
}

}  // namespace tessera::sql

namespace tessera::sql::detail {

void SqlWriter::with(const With& w) {
  kw(w.recursive ? "WITH RECURSIVE " : "WITH ");
  for (uint32_t i = 0; i < w.ctes.size(); ++i) {
    const Cte& c = w.ctes[i];
    if (i) kw(", ");
    ident(c.name);
    if (!c.columns.empty()) ident_list(c.columns);
    kw(" AS (");
    query(*c.query);
    ch(')');
    if (!c.cycle.empty()) {
      kw(" CYCLE ");
      for (uint32_t k = 0; k < c.cycle.size(); ++k) {
        if (k) kw(", ");
        ident(c.cycle[k]);
      }
      kw(" RESTRICT");
    }
  }
  sp();
}

void SqlWriter::query(const Query& q) {
  if (q.with) with(*q.with);
  body(q.body);
  if (!q.order_by.empty()) {
    kw(" ORDER BY ");
    order(q.order_by);
  }
  if (q.limit) limit(*q.limit);
  if (q.procedure) {
    kw(" PROCEDURE ");
    expr(q.procedure);
  }
  if (q.into) into(*q.into);
  if (q.locking) {
    const Locking& l = *q.locking;
    static constexpr std::string_view kMode[] = {" FOR UPDATE", " FOR SHARE",
                                                 " LOCK IN SHARE MODE"};
    kw(kMode[l.mode]);
    if (!l.of.empty()) {
      kw(" OF ");
      for (uint32_t i = 0; i < l.of.size(); ++i) {
        if (i) kw(", ");
        object(l.of[i]);
      }
    }
    if (l.wait == 1) kw(" NOWAIT");
    if (l.wait == 2) kw(" SKIP LOCKED");
    if (l.wait == 3) {
      kw(" WAIT ");
      expr(l.wait_seconds);
    }
  }
  if (q.into_after_lock) into(*q.into_after_lock);
}

void SqlWriter::body(const QueryBody* b) {
  switch (b->kind) {
    case QueryBodyKind::Select:
      core(*static_cast<const SelectCore*>(b));
      return;
    case QueryBodyKind::SetOp: {
      auto* s = static_cast<const SetOp*>(b);
      body(s->left);
      static constexpr std::string_view kOp[] = {" UNION", " INTERSECT", " EXCEPT"};
      kw(kOp[size_t(s->op)]);
      if (s->quantifier == 1) kw(" ALL");
      if (s->quantifier == 2) kw(" DISTINCT");
      sp();
      body(s->right);
      return;
    }
    case QueryBodyKind::Paren:
      ch('(');
      query(*static_cast<const ParenQuery*>(b)->query);
      ch(')');
      return;
    case QueryBodyKind::Values: {
      auto* v = static_cast<const ValuesQuery*>(b);
      kw("VALUES ");
      for (uint32_t i = 0; i < v->rows.size(); ++i) {
        if (i) kw(", ");
        expr(v->rows[i]);
      }
      return;
    }
    case QueryBodyKind::Table:
      kw("TABLE ");
      table(*static_cast<const TableQuery*>(b)->table);
      return;
  }
}

void SqlWriter::select_items(const ArenaVec<SelectItem>& items) {
  const bool keep = opt_.hooks && opt_.hooks->keep_item_names();
  for (uint32_t i = 0; i < items.size(); ++i) {
    if (i) kw(", ");
    const size_t start = out_.size();
    expr(items[i].expr);
    if (!items[i].alias.empty()) {
      kw(" AS ");
      ident(items[i].alias);
    } else if (keep && named_by_text(items[i])) {
      opt_.hooks->select_item(items[i]);
      if (std::string_view(out_).substr(start) != items[i].text) {
        kw(" AS ");
        append_identifier(out_, items[i].text, /*force=*/true);
      }
    }
  }
}

void SqlWriter::core(const SelectCore& s) {
  kw("SELECT ");
  if (!s.hint.empty()) {
    kw(s.hint);
    sp();
  }
  static constexpr std::pair<uint32_t, std::string_view> kOptions[] = {
      {kSelAll, "ALL "},
      {kSelDistinct, "DISTINCT "},
      {kSelDistinctRow, "DISTINCTROW "},
      {kSelHighPriority, "HIGH_PRIORITY "},
      {kSelStraightJoin, "STRAIGHT_JOIN "},
      {kSelSmallResult, "SQL_SMALL_RESULT "},
      {kSelBigResult, "SQL_BIG_RESULT "},
      {kSelBufferResult, "SQL_BUFFER_RESULT "},
      {kSelCache, "SQL_CACHE "},
      {kSelNoCache, "SQL_NO_CACHE "},
      {kSelCalcFoundRows, "SQL_CALC_FOUND_ROWS "},
  };
  for (const auto& [bit, text] : kOptions) {
    if (s.options & bit) kw(text);
  }
  select_items(s.items);
  if (s.into) into(*s.into);
  if (s.from_dual) kw(" FROM DUAL");
  if (!s.from.empty()) {
    kw(" FROM ");
    for (uint32_t i = 0; i < s.from.size(); ++i) {
      if (i) kw(", ");
      table_ref(s.from[i]);
    }
  }
  if (s.where) {
    kw(" WHERE ");
    expr(s.where);
  }
  if (!s.group_by.empty()) {
    kw(" GROUP BY ");
    order(s.group_by);
    if (s.with_rollup) kw(" WITH ROLLUP");
  }
  if (s.having) {
    kw(" HAVING ");
    expr(s.having);
  }
  if (!s.windows.empty()) {
    kw(" WINDOW ");
    for (uint32_t i = 0; i < s.windows.size(); ++i) {
      if (i) kw(", ");
      ident(s.windows[i].name);
      kw(" AS ");
      window(*s.windows[i].spec);
    }
  }
}

void SqlWriter::limit(const Limit& l) {
  if (l.fetch) {
    if (l.offset) {
      kw(" OFFSET ");
      expr(l.offset);
      kw(" ROWS");
    }
    if (l.has_fetch) {
      kw(" FETCH FIRST ");
      if (l.count) {
        expr(l.count);
        sp();
      }
      kw(l.with_ties ? "ROWS WITH TIES" : "ROWS ONLY");
    }
    return;
  }
  kw(" LIMIT ");
  if (l.rows_examined) {
    kw("ROWS EXAMINED ");
    expr(l.count);
    return;
  }
  if (l.offset && !l.offset_keyword) {
    expr(l.offset);
    kw(", ");
  }
  expr(l.count);
  if (l.offset && l.offset_keyword) {
    kw(" OFFSET ");
    expr(l.offset);
  }
}

void SqlWriter::export_options(const ExportOptions& o) {
  if (o.has_fields) {
    kw(o.columns_word ? " COLUMNS" : " FIELDS");
    if (!o.fields_terminated.empty()) {
      kw(" TERMINATED BY ");
      kw(o.fields_terminated);
    }
    if (!o.enclosed.empty()) {
      kw(o.optionally ? " OPTIONALLY ENCLOSED BY " : " ENCLOSED BY ");
      kw(o.enclosed);
    }
    if (!o.escaped.empty()) {
      kw(" ESCAPED BY ");
      kw(o.escaped);
    }
  }
  if (o.has_lines) {
    kw(" LINES");
    if (!o.lines_starting.empty()) {
      kw(" STARTING BY ");
      kw(o.lines_starting);
    }
    if (!o.lines_terminated.empty()) {
      kw(" TERMINATED BY ");
      kw(o.lines_terminated);
    }
  }
}

void SqlWriter::into(const Into& i) {
  kw(" INTO ");
  if (i.type == 0) {
    exprs(i.vars);
    return;
  }
  kw(i.type == 1 ? "OUTFILE " : "DUMPFILE ");
  kw(i.file);
  if (!i.charset.empty()) {
    kw(" CHARACTER SET ");
    kw(i.charset);
  }
  if (i.options) export_options(*i.options);
}

void SqlWriter::table(const TableName& t) {
  if (!(opt_.hooks && opt_.hooks->table_name(t.name, out_))) object(t.name);
  if (!t.partitions.empty()) {
    kw(" PARTITION ");
    ident_list(t.partitions);
  }
  if (!t.alias.empty()) {
    kw(" AS ");
    ident(t.alias);
  }
  for (const IndexHint& h : t.hints) {
    static constexpr std::string_view kAction[] = {" USE ", " FORCE ", " IGNORE "};
    kw(kAction[h.action]);
    kw(h.key_word ? "KEY" : "INDEX");
    static constexpr std::string_view kScope[] = {"", " FOR JOIN", " FOR ORDER BY",
                                                  " FOR GROUP BY"};
    kw(kScope[h.scope]);
    kw(" ");
    ident_list(h.names);
  }
}

void SqlWriter::table_ref(const TableRef* r) {
  switch (r->kind) {
    case TableRefKind::Table:
      table(*static_cast<const TableName*>(r));
      return;
    case TableRefKind::Derived: {
      auto* d = static_cast<const DerivedTable*>(r);
      if (d->lateral) kw("LATERAL ");
      ch('(');
      query(*d->query);
      ch(')');
      if (!d->alias.empty()) {
        kw(" AS ");
        ident(d->alias);
        if (!d->columns.empty()) ident_list(d->columns);
      }
      return;
    }
    case TableRefKind::Paren: {
      auto* p = static_cast<const ParenRef*>(r);
      ch('(');
      for (uint32_t i = 0; i < p->items.size(); ++i) {
        if (i) kw(", ");
        table_ref(p->items[i]);
      }
      ch(')');
      return;
    }
    case TableRefKind::Join: {
      auto* j = static_cast<const JoinRef*>(r);
      table_ref(j->left);
      sp();
      if (j->natural) kw("NATURAL ");
      switch (j->type) {
        case JoinType::Comma:
        case JoinType::Inner:
          kw(j->inner_keyword ? "INNER JOIN " : "JOIN ");
          break;
        case JoinType::Cross:
          kw("CROSS JOIN ");
          break;
        case JoinType::Straight:
          kw("STRAIGHT_JOIN ");
          break;
        case JoinType::Left:
          kw(j->outer_keyword ? "LEFT OUTER JOIN " : "LEFT JOIN ");
          break;
        case JoinType::Right:
          kw(j->outer_keyword ? "RIGHT OUTER JOIN " : "RIGHT JOIN ");
          break;
      }
      bool nested = j->right->kind == TableRefKind::Join;
      if (nested) ch('(');
      table_ref(j->right);
      if (nested) ch(')');
      if (j->on) {
        kw(" ON ");
        expr(j->on);
      } else if (j->has_using) {
        kw(" USING ");
        ident_list(j->using_columns);
      }
      return;
    }
  }
}

void SqlWriter::assignments(const ArenaVec<Assignment>& a) {
  for (uint32_t i = 0; i < a.size(); ++i) {
    if (i) kw(", ");
    expr(a[i].column);
    kw(" = ");
    expr(a[i].value);
  }
}

}  // namespace tessera::sql::detail
