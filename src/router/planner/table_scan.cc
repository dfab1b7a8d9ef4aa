#include "router/planner/table_scan.h"

#include <algorithm>

#include "sql/ast/ddl.h"

namespace tessera::router {

using namespace sql;

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view TableUse::qualifier() const {
  if (node && !node->alias.empty()) return node->alias.name;
  return name->name.name;
}

namespace {

class Scanner {
 public:
  Scanner(const ShardRuleSet& rules, std::string_view current_db, TableScan& out)
      : rules_(rules), db_(current_db), out_(out) {}

  void table(TableName* t, bool sub) {
    if (!t) return;
    add(t, &t->name, sub);
  }

  void add(TableName* node, ObjectName* name, bool sub) {
    // A bare name may be a CTE of this statement: not a base table.
    if (!name->has_schema()) {
      for (const Cte* cte : ctes_) {
        if (same_name(cte->name.name, name->name.name)) {
          out_.cte_refs.push_back({node, cte, in_body_});
          if (cur_ >= 0)
            out_.blocks[cur_].other_names.push_back(node && !node->alias.empty() ? node->alias.name
                                                                                 : name->name.name);
          return;
        }
      }
    }
    TableUse use;
    use.node = node;
    use.name = name;
    use.db = std::string(name->has_schema() ? name->schema.name : db_);
    use.rule = rules_.find(use.db, name->name.name);
    use.in_subquery = sub;
    use.block = cur_;
    if (!use.rule) {
      out_.has_unsharded = true;
    } else if (use.rule->is_global()) {
      if (std::find(out_.globals.begin(), out_.globals.end(), use.rule) == out_.globals.end())
        out_.globals.push_back(use.rule);
    } else if (std::find(out_.sharded.begin(), out_.sharded.end(), use.rule) ==
               out_.sharded.end()) {
      out_.sharded.push_back(use.rule);
    }
    auto& dbs = rules_.sharded_dbs();
    for (auto& d : dbs) {
      if (same_name(d, use.db)) out_.references_sharded_db = true;
    }
    out_.uses.push_back(std::move(use));
  }

  void with(With* w) {
    if (!w) return;
    ++out_.with_clauses;
    for (auto& c : w->ctes) ctes_.push_back(&c);
    const int outer_body = in_body_;
    for (size_t i = 0; i < w->ctes.size(); ++i) {
      in_body_ = static_cast<int>(i);
      query(w->ctes[i].query, true, -1);
    }
    in_body_ = outer_body;
  }

  // `parent`: the block whose tables the query's blocks may name (-1: none).
  void query(Query* q, bool sub, int parent) {
    if (!q) return;
    const int saved = parent_;
    parent_ = parent;
    with(q->with);
    body(q->body, sub);
    parent_ = saved;
    for (auto& o : q->order_by) expr(o.expr);
    if (q->limit) limit(q->limit);
  }

  void limit(Limit* l) {
    expr(l->count);
    expr(l->offset);
  }

  void body(QueryBody* b, bool sub) {
    if (!b) return;
    switch (b->kind) {
      case QueryBodyKind::Select: {
        auto* s = static_cast<SelectCore*>(b);
        const int saved = cur_;
        cur_ = new_block(parent_);
        if (s->where) out_.blocks[cur_].conditions.push_back(s->where);
        for (auto* r : s->from) ref(r, sub);
        for (auto& i : s->items) expr(i.expr);
        expr(s->where);
        for (auto& g : s->group_by) expr(g.expr);
        expr(s->having);
        cur_ = saved;
        break;
      }
      case QueryBodyKind::SetOp: {
        auto* s = static_cast<SetOp*>(b);
        body(s->left, sub);
        body(s->right, sub);
        break;
      }
      case QueryBodyKind::Paren:
        query(static_cast<ParenQuery*>(b)->query, sub, parent_);
        break;
      case QueryBodyKind::Values:
        for (auto* r : static_cast<ValuesQuery*>(b)->rows) expr(r);
        break;
      case QueryBodyKind::Table:
        // `TABLE t` takes no alias: keep the node out so the rewrite never adds `AS t`.
        if (auto* t = static_cast<TableQuery*>(b)->table) add(nullptr, &t->name, sub);
        break;
    }
  }

  void ref(TableRef* r, bool sub) {
    if (!r) return;
    switch (r->kind) {
      case TableRefKind::Table:
        table(static_cast<TableName*>(r), sub);
        break;
      case TableRefKind::Derived: {
        auto* d = static_cast<DerivedTable*>(r);
        if (cur_ >= 0) out_.blocks[cur_].other_names.push_back(d->alias.name);
        query(d->query, true, -1);
        break;
      }
      case TableRefKind::Join: {
        auto* j = static_cast<JoinRef*>(r);
        ref(j->left, sub);
        ref(j->right, sub);
        if (j->on && cur_ >= 0) out_.blocks[cur_].conditions.push_back(j->on);
        expr(j->on);
        break;
      }
      case TableRefKind::Paren:
        for (auto* i : static_cast<ParenRef*>(r)->items) ref(i, sub);
        break;
    }
  }

  void expr(Expr* e) {
    if (!e) return;
    switch (e->kind) {
      case ExprKind::Unary:
        expr(static_cast<Unary*>(e)->operand);
        break;
      case ExprKind::Binary:
        expr(static_cast<Binary*>(e)->left);
        expr(static_cast<Binary*>(e)->right);
        break;
      case ExprKind::IsTest:
        expr(static_cast<IsTest*>(e)->operand);
        break;
      case ExprKind::Between: {
        auto* b = static_cast<Between*>(e);
        expr(b->operand);
        expr(b->low);
        expr(b->high);
        break;
      }
      case ExprKind::InList: {
        auto* i = static_cast<InList*>(e);
        expr(i->operand);
        for (auto* x : i->items) expr(x);
        break;
      }
      case ExprKind::InQuery:
        expr(static_cast<InQuery*>(e)->operand);
        query(static_cast<InQuery*>(e)->query, true, cur_);
        break;
      case ExprKind::Like: {
        auto* l = static_cast<Like*>(e);
        expr(l->operand);
        expr(l->pattern);
        expr(l->escape);
        break;
      }
      case ExprKind::Case: {
        auto* c = static_cast<Case*>(e);
        expr(c->operand);
        for (auto& w : c->whens) {
          expr(w.when);
          expr(w.then);
        }
        expr(c->else_expr);
        break;
      }
      case ExprKind::Function: {
        auto* f = static_cast<Function*>(e);
        for (auto* a : f->args) expr(a);
        for (auto& o : f->order) expr(o.expr);
        expr(f->separator);
        break;
      }
      case ExprKind::Cast:
        expr(static_cast<Cast*>(e)->operand);
        break;
      case ExprKind::Interval:
        expr(static_cast<Interval*>(e)->value);
        break;
      case ExprKind::Subquery:
        query(static_cast<Subquery*>(e)->query, true, cur_);
        break;
      case ExprKind::Exists:
        query(static_cast<Exists*>(e)->query, true, cur_);
        break;
      case ExprKind::Quantified:
        query(static_cast<Quantified*>(e)->query, true, cur_);
        break;
      case ExprKind::Row:
        for (auto* x : static_cast<Row*>(e)->items) expr(x);
        break;
      case ExprKind::Collate:
        expr(static_cast<Collate*>(e)->operand);
        break;
      case ExprKind::Match: {
        auto* m = static_cast<Match*>(e);
        for (auto* c : m->columns) expr(c);
        expr(m->against);
        break;
      }
      case ExprKind::Assign:
        expr(static_cast<Assign*>(e)->value);
        break;
      case ExprKind::OdbcEscape:
        expr(static_cast<OdbcEscape*>(e)->value);
        break;
      default:
        break;
    }
  }

  void statement(Statement& s) {
    switch (s.kind) {
      case StatementKind::Select:
        query(static_cast<SelectStatement&>(s).query, false, -1);
        break;
      case StatementKind::Insert:
      case StatementKind::Replace: {
        auto& i = static_cast<InsertStatement&>(s);
        table(i.table, false);
        if (!out_.uses.empty() && out_.uses.back().node == i.table)
          out_.uses.back().insert_target = true;
        for (auto* r : i.rows) expr(r);
        for (auto& a : i.set) expr(a.value);
        // (Its FROM is the statement's own: INSERT ... SELECT runs per shard.)
        query(i.select, false, -1);
        for (auto& a : i.on_duplicate) expr(a.value);
        break;
      }
      case StatementKind::Update: {
        auto& u = static_cast<UpdateStatement&>(s);
        with(u.with);
        cur_ = new_block(-1);
        if (u.where) out_.blocks[cur_].conditions.push_back(u.where);
        for (auto* r : u.tables) ref(r, false);
        for (auto& a : u.set) expr(a.value);
        expr(u.where);
        for (auto& o : u.order_by) expr(o.expr);
        break;
      }
      case StatementKind::Delete: {
        auto& d = static_cast<DeleteStatement&>(s);
        with(d.with);
        cur_ = new_block(-1);
        if (d.where) out_.blocks[cur_].conditions.push_back(d.where);
        for (auto* r : d.from) ref(r, false);
        expr(d.where);
        for (auto& o : d.order_by) expr(o.expr);
        break;
      }
      case StatementKind::CreateTable: {
        auto& c = static_cast<CreateTableStatement&>(s);
        table(c.table, false);
        table(c.like, false);
        query(c.select, true, -1);
        break;
      }
      case StatementKind::AlterTable:
        table(static_cast<AlterTableStatement&>(s).table, false);
        break;
      case StatementKind::DropTable:
        for (auto* t : static_cast<DropTableStatement&>(s).tables) table(t, false);
        break;
      case StatementKind::TruncateTable:
        table(static_cast<TruncateStatement&>(s).table, false);
        break;
      case StatementKind::RenameTable:
        for (auto& p : static_cast<RenameTableStatement&>(s).pairs) {
          table(p.from, false);
          table(p.to, false);
        }
        break;
      case StatementKind::CreateIndex:
        table(static_cast<CreateIndexStatement&>(s).table, false);
        break;
      case StatementKind::DropIndex:
        table(static_cast<DropIndexStatement&>(s).table, false);
        break;
      case StatementKind::LockTables:
        for (auto& i : static_cast<LockTablesStatement&>(s).items) table(i.table, false);
        break;
      case StatementKind::LoadData:
        table(static_cast<LoadDataStatement&>(s).table, false);
        break;
      case StatementKind::CreateView: {
        auto& v = static_cast<CreateViewStatement&>(s);
        query(v.query, true, -1);
        break;
      }
      case StatementKind::Other:
        if (s.node == StatementNode::Handler) table(static_cast<HandlerStatement&>(s).table, false);
        break;
      default:
        break;
    }
  }

 private:
  int new_block(int parent) {
    out_.blocks.push_back({});
    out_.blocks.back().parent = parent;
    return static_cast<int>(out_.blocks.size()) - 1;
  }

  const ShardRuleSet& rules_;
  std::string_view db_;
  TableScan& out_;
  std::vector<const Cte*> ctes_;
  int in_body_ = -1;  // the CTE (index in its WITH) whose body is being scanned
  int cur_ = -1;      // the block being scanned (TableScan::blocks)
  int parent_ = -1;   // the block the query being scanned may name tables of
};

}  // namespace

TableScan scan_tables(Statement& stmt, const ShardRuleSet& rules, std::string_view current_db) {
  TableScan out;
  Scanner s(rules, current_db, out);
  s.statement(stmt);
  return out;
}

}  // namespace tessera::router
