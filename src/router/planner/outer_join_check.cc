#include "router/planner/outer_join_check.h"

namespace tessera::router {

using namespace sql;

namespace {

// What one side of a join holds.
struct SideTables {
  const ShardRule* sharded = nullptr;
  const ShardRule* global = nullptr;
};

class OuterJoinCheck {
 public:
  explicit OuterJoinCheck(const TableScan& scan) : scan_(scan) {}

  void query(const Query* q) {
    if (q && !found) body(q->body);
  }

  std::optional<std::string> found;

 private:
  void body(const QueryBody* b) {
    if (!b || found) return;
    switch (b->kind) {
      case QueryBodyKind::Select:
        for (auto* r : static_cast<const SelectCore*>(b)->from) ref(r);
        break;
      case QueryBodyKind::SetOp:
        body(static_cast<const SetOp*>(b)->left);
        body(static_cast<const SetOp*>(b)->right);
        break;
      case QueryBodyKind::Paren:
        query(static_cast<const ParenQuery*>(b)->query);
        break;
      default:
        break;
    }
  }

  // Looks for offending joins below `r` (parser depth limits bound the recursion).
  void ref(const TableRef* r) {
    if (!r || found) return;
    switch (r->kind) {
      case TableRefKind::Join: {
        auto* j = static_cast<const JoinRef*>(r);
        ref(j->left);
        ref(j->right);
        if (found || (j->type != JoinType::Left && j->type != JoinType::Right)) return;
        const TableRef* kept = j->type == JoinType::Left ? j->left : j->right;
        const TableRef* other = j->type == JoinType::Left ? j->right : j->left;
        SideTables k, o;
        collect(kept, k);
        collect(other, o);
        // A sharded table on the preserved side splits the preserved rows by shard, so each
        // shard NULL-extends only its own rows: exact.
        if (k.global && !k.sharded && o.sharded) {
          found = j->type == JoinType::Left
                      ? k.global->table() + " LEFT JOIN " + o.sharded->table()
                      : o.sharded->table() + " RIGHT JOIN " + k.global->table();
        }
        break;
      }
      case TableRefKind::Paren:
        for (auto* i : static_cast<const ParenRef*>(r)->items) ref(i);
        break;
      case TableRefKind::Derived:
        query(static_cast<const DerivedTable*>(r)->query);
        break;
      default:
        break;
    }
  }

  void collect(const TableRef* r, SideTables& out) {
    if (!r) return;
    switch (r->kind) {
      case TableRefKind::Table:
        for (auto& u : scan_.uses) {
          if (u.node != r || !u.rule) continue;
          if (u.rule->is_global()) {
            if (!out.global) out.global = u.rule;
          } else if (!out.sharded) {
            out.sharded = u.rule;
          }
        }
        break;
      case TableRefKind::Join:
        collect(static_cast<const JoinRef*>(r)->left, out);
        collect(static_cast<const JoinRef*>(r)->right, out);
        break;
      case TableRefKind::Paren:
        for (auto* i : static_cast<const ParenRef*>(r)->items) collect(i, out);
        break;
      case TableRefKind::Derived:
        collect_query(static_cast<const DerivedTable*>(r)->query, out);
        break;
    }
  }

  void collect_query(const Query* q, SideTables& out) {
    if (!q) return;
    collect_body(q->body, out);
  }

  void collect_body(const QueryBody* b, SideTables& out) {
    if (!b) return;
    switch (b->kind) {
      case QueryBodyKind::Select:
        for (auto* r : static_cast<const SelectCore*>(b)->from) collect(r, out);
        break;
      case QueryBodyKind::SetOp:
        collect_body(static_cast<const SetOp*>(b)->left, out);
        collect_body(static_cast<const SetOp*>(b)->right, out);
        break;
      case QueryBodyKind::Paren:
        collect_query(static_cast<const ParenQuery*>(b)->query, out);
        break;
      default:
        break;
    }
  }

  const TableScan& scan_;
};

}  // namespace

std::optional<std::string> global_preserved_outer_join(const Query& q, const TableScan& scan) {
  OuterJoinCheck c(scan);
  c.query(&q);
  return c.found;
}

}  // namespace tessera::router
