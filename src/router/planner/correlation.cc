#include "router/planner/correlation.h"

#include <optional>
#include <string_view>

#include "router/planner/join_split.h"
#include "sql/ast/expression.h"

namespace tessera::router {

using namespace sql;

namespace {

class Resolver {
 public:
  explicit Resolver(const TableScan& scan) : scan_(scan) {}

  // The use whose shard key column `e` names, seen from block `block`; nullopt when `e` is not
  // a column, names another column, or names something else (a derived table, a CTE, a table
  // not sharded).
  std::optional<size_t> key_of(const Expr* e, int block) const {
    if (!e || e->kind != ExprKind::Column) return std::nullopt;
    auto* c = static_cast<const ColumnRef*>(e);
    if (c->n == 1) {
      // Unqualified: only when the block reads one table, whose key it names (then the server
      // finds it there first).
      std::optional<size_t> only;
      size_t count = 0;
      for (size_t i = 0; i < scan_.uses.size(); ++i) {
        if (scan_.uses[i].block == block) {
          only = i;
          ++count;
        }
      }
      if (count != 1 || !scan_.blocks[block].other_names.empty()) return std::nullopt;
      return sharded_key(*only, c->column().name);
    }
    std::string_view q = c->parts[c->n - 2].name;
    for (int b = block; b >= 0 && b < static_cast<int>(scan_.blocks.size());
         b = scan_.blocks[b].parent) {
      for (size_t i = 0; i < scan_.uses.size(); ++i) {
        if (scan_.uses[i].block == b && same_name(scan_.uses[i].qualifier(), q))
          return sharded_key(i, c->column().name);
      }
      for (auto name : scan_.blocks[b].other_names) {
        if (same_name(name, q)) return std::nullopt;
      }
    }
    return std::nullopt;
  }

 private:
  std::optional<size_t> sharded_key(size_t i, std::string_view column) const {
    const auto& u = scan_.uses[i];
    if (!u.rule || u.rule->is_global() || !same_name(u.rule->key(), column)) return std::nullopt;
    return i;
  }

  const TableScan& scan_;
};

}  // namespace

std::vector<bool> correlated_on_key(const TableScan& scan) {
  const size_t n = scan.uses.size();
  std::vector<size_t> parent(n);
  for (size_t i = 0; i < n; ++i) parent[i] = i;
  auto find = [&](size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  Resolver resolve(scan);
  std::vector<const Expr*> conj;
  for (size_t b = 0; b < scan.blocks.size(); ++b) {
    conj.clear();
    for (auto* c : scan.blocks[b].conditions) conjuncts(c, conj);
    for (auto* e : conj) {
      if (e->kind != ExprKind::Binary) continue;
      auto* eq = static_cast<const Binary*>(e);
      if (eq->op != BinaryOp::Eq && eq->op != BinaryOp::NullSafeEq) continue;
      auto l = resolve.key_of(eq->left, static_cast<int>(b));
      auto r = resolve.key_of(eq->right, static_cast<int>(b));
      if (l && r) parent[find(*l)] = find(*r);
    }
  }
  // Components holding a sharded table of the statement's own FROM.
  std::vector<bool> outer_root(n, false);
  for (size_t i = 0; i < n; ++i) {
    const auto& u = scan.uses[i];
    if (!u.in_subquery && u.rule && !u.rule->is_global()) outer_root[find(i)] = true;
  }
  std::vector<bool> out(n, false);
  for (size_t i = 0; i < n; ++i) {
    const auto& u = scan.uses[i];
    out[i] = u.in_subquery && u.rule && !u.rule->is_global() && u.block >= 0 && outer_root[find(i)];
  }
  return out;
}

}  // namespace tessera::router
