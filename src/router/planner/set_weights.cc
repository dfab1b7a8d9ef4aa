#include "router/planner/set_weights.h"

#include "exec/collation.h"
#include "router/planner/select_merge.h"

namespace tessera::router {
namespace {

using namespace sql;

struct Builder {
  Arena& arena;

  Function* call(std::string_view name, std::initializer_list<Expr*> args) {
    auto* f = arena.make<Function>();
    f->name = name;
    for (Expr* a : args) f->args.push(arena, a);
    return f;
  }
  Literal* string(const std::string& quoted) {
    auto* l = arena.make<Literal>();
    l->literal_kind = LiteralKind::String;
    l->text = arena.copy(quoted);
    return l;
  }
  Binary* binary(BinaryOp op, Expr* left, Expr* right) {
    auto* b = arena.make<Binary>();
    b->op = op;
    b->left = left;
    b->right = right;
    return b;
  }
  // IF(COLLATION(e) = 'binary' OR (COLLATION(e) IN (<native>) AND @@character_set_results IN
  // (<UTF-8>)), NULL, WEIGHT_STRING(e)): as select_merge.cc's weight column.
  Expr* weight(Expr* e) {
    auto* native = arena.make<InList>();
    native->operand = call("COLLATION", {e});
    for (const auto& n : exec::Collation::native_names()) {
      if (n != "binary") native->items.push(arena, string("'" + n + "'"));
    }
    auto* results = arena.make<InList>();
    auto* var = arena.make<Variable>();
    var->system = true;
    var->text = "@@character_set_results";
    results->operand = var;
    for (const char* cs : {"'utf8mb4'", "'utf8mb3'", "'utf8'"})
      results->items.push(arena, string(cs));
    auto* either =
        binary(BinaryOp::Or, binary(BinaryOp::Eq, call("COLLATION", {e}), string("'binary'")),
               binary(BinaryOp::And, native, results));
    either->parens = 1;
    auto* null = arena.make<Literal>();
    null->literal_kind = LiteralKind::Null;
    null->text = "NULL";
    return call("IF", {either, null, call("WEIGHT_STRING", {e})});
  }
};

std::string weight_text(const std::string& c) {
  std::string native;
  for (const auto& n : exec::Collation::native_names()) {
    if (n == "binary") continue;
    native += (native.empty() ? "'" : ", '") + n + "'";
  }
  return "IF((COLLATION(" + c + ") = 'binary' OR COLLATION(" + c + ") IN (" + native +
         ") AND @@character_set_results IN ('utf8mb4', 'utf8mb3', 'utf8')), NULL, "
         "WEIGHT_STRING(" +
         c + "))";
}

}  // namespace

std::vector<size_t> add_set_weight_columns(Query& branch, Arena& arena) {
  if (!branch.body || branch.body->kind != QueryBodyKind::Select) return {};
  auto* core = static_cast<SelectCore*>(branch.body);
  if (core->items.empty() || !core->group_by.empty() || core->having || core->with_rollup ||
      !core->windows.empty() || core->into ||
      (core->options & (kSelDistinct | kSelDistinctRow | kSelCalcFoundRows)))
    return {};
  for (auto& o : branch.order_by) {
    if (contains_aggregate(o.expr)) return {};
  }
  std::vector<size_t> out;
  for (size_t i = 0; i < core->items.size(); ++i) {
    const Expr* e = core->items[i].expr;
    if (!e || e->kind == ExprKind::Star) return {};
    if (e->kind == ExprKind::Column || e->kind == ExprKind::Literal) out.push_back(i);
  }
  Builder b{arena};
  for (size_t k = 0; k < out.size(); ++k) {
    Expr* e = core->items[out[k]].expr;
    for (int part = 0; part < 2; ++part) {
      SelectItem item{};
      item.expr = part == 0 ? b.call("COLLATION", {e}) : b.weight(e);
      item.alias.name = arena.copy("__tessera_sw" + std::to_string(2 * k + part));
      item.alias.quoted = true;
      item.as_keyword = true;
      core->items.push(arena, item);
    }
  }
  return out;
}

std::string wrap_set_weight_columns(const std::string& sql, size_t columns) {
  std::string names, list, extra;
  for (size_t i = 0; i < columns; ++i) {
    std::string c = "`__tessera_c" + std::to_string(i) + "`";
    names += (i ? ", " : "") + c;
    extra += ", COLLATION(" + c + "), " + weight_text(c);
  }
  return "WITH `__tessera_s`(" + names + ") AS (" + sql + ") SELECT " + names + extra +
         " FROM `__tessera_s`";
}

}  // namespace tessera::router
