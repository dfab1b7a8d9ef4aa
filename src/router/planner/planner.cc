// Statement -> plan. One function per statement family; the shared part is RouteBuilder, which
// prints the statement once per target sub-table with every logical table name replaced.
#include "router/planner.h"
#include "router/plan_primitives.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <unordered_map>

#include "router/planner/correlation.h"
#include "router/planner/cte_inline.h"
#include "router/planner/decorrelate.h"
#include "router/planner/hash_join_choice.h"
#include "router/planner/join_split.h"
#include "router/planner/key_ranges.h"
#include "router/planner/key_update.h"
#include "router/planner/name_hooks.h"
#include "router/planner/outer_join_check.h"
#include "router/planner/select_merge.h"
#include "router/planner/set_weights.h"
#include "router/planner/table_scan.h"
#include "router/planner/window_pushdown.h"
#include "sql/ast/ddl.h"
#include "sql/writer.h"

namespace tessera::router {

using namespace sql;
namespace errc = protocol::errc;

namespace {

constexpr protocol::ErrorCode kNotSupported{1235, "42000"};  // ER_NOT_SUPPORTED_YET

std::string quote_ident(std::string_view name) {
  std::string out;
  append_identifier(out, name, /*force=*/true);
  return out;
}

const SubTable* sub_table_at(const ShardRule& rule, int index) {
  for (auto& st : rule.sub_tables()) {
    if (st.index == index) return &st;
  }
  return nullptr;
}

const SubTable* sub_table_on(const ShardRule& rule, std::string_view slice) {
  for (auto& st : rule.sub_tables()) {
    if (st.slice == slice) return &st;
  }
  return nullptr;
}

std::string table_list(const std::vector<const ShardRule*>& rules) {
  std::string out;
  for (auto* r : rules) {
    if (!out.empty()) out += ", ";
    out += r->table();
  }
  return out;
}

class Planner {
 public:
  Planner(std::string_view sql, ParseResult& parsed, const PlanInput& in, Arena& arena)
      : sql_(sql), parsed_(parsed), in_(in), rules_(*in.rules), arena_(arena) {}

  Plan run(Statement& stmt) {
    switch (stmt.kind) {
      case StatementKind::Select:
        return select(static_cast<SelectStatement&>(stmt));
      case StatementKind::Insert:
      case StatementKind::Replace:
        return insert(static_cast<InsertStatement&>(stmt));
      case StatementKind::Update:
      case StatementKind::Delete:
        return update_delete(stmt);
      case StatementKind::CreateTable:
      case StatementKind::AlterTable:
      case StatementKind::DropTable:
      case StatementKind::TruncateTable:
      case StatementKind::CreateIndex:
      case StatementKind::DropIndex:
      case StatementKind::RenameTable:
        return ddl(stmt);
      case StatementKind::CreateDatabase:
      case StatementKind::DropDatabase:
        return database_ddl(static_cast<DatabaseStatement&>(stmt));
      case StatementKind::Show:
        return show(static_cast<ShowStatement&>(stmt));
      case StatementKind::Explain:
        return explain(static_cast<ExplainStatement&>(stmt));
      case StatementKind::LockTables:
      case StatementKind::LoadData:
      case StatementKind::CreateView:
      case StatementKind::Other: {
        // Passed to the default slice unchanged, these would touch one copy of a global table
        // or a table that only exists split into shards.
        auto scan = scan_tables(stmt, rules_, in_.current_db);
        if (!scan.sharded.empty() || !scan.globals.empty()) {
          const ShardRule* r = scan.sharded.empty() ? scan.globals[0] : scan.sharded[0];
          std::string what = stmt.kind == StatementKind::LockTables   ? "LOCK TABLES"
                             : stmt.kind == StatementKind::LoadData   ? "LOAD DATA"
                             : stmt.kind == StatementKind::CreateView ? "a view"
                                                                      : "HANDLER";
          return Plan::make_error(kNotSupported, what + " on " +
                                                     (r->is_global() ? "global" : "sharded") +
                                                     " table " + r->table() + " is not supported");
        }
        return Plan{};
      }
      default:
        return Plan{};
    }
  }

 private:
  // ---- shared ----

  Plan default_slice() { return Plan{}; }

  // Every sharded rule of the statement must place rows the same way, or the statement would
  // need a cross-shard join.
  std::optional<Plan> check_colocated(const TableScan& scan) {
    if (scan.sharded.empty()) return std::nullopt;
    if (scan.has_unsharded) {
      std::string unsharded;
      for (auto& u : scan.uses) {
        if (!u.rule) {
          unsharded = std::string(u.name->name.name);
          break;
        }
      }
      return Plan::make_error(kNotSupported, "cross-shard join is not supported: sharded table " +
                                                 scan.sharded[0]->table() +
                                                 " with unsharded table " + unsharded);
    }
    for (auto* r : scan.sharded) {
      if (r->distribution_token() != scan.sharded[0]->distribution_token())
        return Plan::make_error(kNotSupported,
                                "cross-shard join is not supported: " + scan.sharded[0]->table() +
                                    " and " + r->table() + " are sharded differently");
    }
    for (auto* g : scan.globals) {
      for (auto& st : scan.sharded[0]->sub_tables()) {
        if (!sub_table_on(*g, st.slice))
          return Plan::make_error(
              kNotSupported, "global table " + g->table() + " has no copy on slice " + st.slice +
                                 " where " + scan.sharded[0]->table() + " lives");
      }
    }
    return std::nullopt;
  }

  // Sharded occurrences in the statement's own FROM must be joined on their keys; sharded
  // tables under subqueries are only allowed as `key IN (SELECT key FROM colocated ...)`.
  std::optional<Plan> check_join_keys(const TableScan& scan, const std::vector<Expr*>& conditions) {
    std::vector<const TableUse*> top;
    std::vector<bool> correlated;  // (computed when a subquery reads a sharded table)
    for (size_t i = 0; i < scan.uses.size(); ++i) {
      const auto& u = scan.uses[i];
      if (u.rule && !u.rule->is_global()) {
        if (u.in_subquery) {
          if (correlated.empty()) correlated = correlated_on_key(scan);
          if (!correlated[i] && !subquery_ok(u, conditions))
            return Plan::make_error(kNotSupported,
                                    "cross-shard subquery is not supported: " + u.rule->table() +
                                        " is sharded; only a subquery over tables sharded the "
                                        "same way, correlated on the shard key or `key IN "
                                        "(SELECT key FROM ...)`, stays on one shard");
          continue;
        }
        top.push_back(&u);
      }
    }
    if (top.size() <= 1) return std::nullopt;
    // Union-find over occurrences joined by key equality.
    std::vector<size_t> parent(top.size());
    for (size_t i = 0; i < parent.size(); ++i) parent[i] = i;
    auto find = [&](size_t x) {
      while (parent[x] != x) x = parent[x] = parent[parent[x]];
      return x;
    };
    auto occurrence = [&](const Expr* e) -> std::optional<size_t> {
      if (!e || e->kind != ExprKind::Column) return std::nullopt;
      auto* c = static_cast<const ColumnRef*>(e);
      if (c->n < 2) return std::nullopt;
      std::string_view q = c->parts[c->n - 2].name;
      for (size_t i = 0; i < top.size(); ++i) {
        if (same_name(top[i]->qualifier(), q) && same_name(top[i]->rule->key(), c->column().name))
          return i;
      }
      return std::nullopt;
    };
    std::vector<const Expr*> conj;
    for (auto* c : conditions) conjuncts(c, conj);
    for (auto* e : conj) {
      if (e->kind != ExprKind::Binary) continue;
      auto* b = static_cast<const Binary*>(e);
      if (b->op != BinaryOp::Eq && b->op != BinaryOp::NullSafeEq) continue;
      auto l = occurrence(b->left), r = occurrence(b->right);
      if (l && r) parent[find(*l)] = find(*r);
    }
    for (size_t i = 1; i < top.size(); ++i) {
      if (find(i) != find(0))
        return Plan::make_error(
            kNotSupported, "cross-shard join is not supported: " + top[0]->rule->table() + " and " +
                               top[i]->rule->table() + " must be joined on their shard keys (" +
                               top[0]->rule->key() + " = " + top[i]->rule->key() +
                               ") to stay on one shard");
    }
    return std::nullopt;
  }

  bool subquery_ok(const TableUse& u, const std::vector<Expr*>& conditions) {
    // Accept `<outer key> IN (SELECT <key> FROM <u> ...)` found among the top-level conditions.
    std::vector<const Expr*> conj;
    for (auto* c : conditions) conjuncts(c, conj);
    for (auto* e : conj) {
      if (e->kind != ExprKind::InQuery) continue;
      auto* in = static_cast<const InQuery*>(e);
      if (in->negated || !in->query || !in->query->body ||
          in->query->body->kind != QueryBodyKind::Select)
        continue;
      auto* core = static_cast<const SelectCore*>(in->query->body);
      if (core->items.size() != 1 || core->from.size() != 1 || !core->group_by.empty() ||
          in->query->limit)
        continue;
      if (core->from[0] != u.node) continue;
      auto* item = core->items[0].expr;
      if (item->kind != ExprKind::Column ||
          !same_name(static_cast<const ColumnRef*>(item)->column().name, u.rule->key()))
        continue;
      if (in->operand->kind != ExprKind::Column) continue;
      for (auto* r : outer_rules_) {
        if (same_name(static_cast<const ColumnRef*>(in->operand)->column().name, r->key()))
          return true;
      }
    }
    return false;
  }

  // ON conditions of inner joins restrict rows like WHERE does; outer joins' do not.
  static void inner_join_conditions(TableRef* r, std::vector<Expr*>& out, bool outer_side) {
    if (!r) return;
    if (r->kind == TableRefKind::Join) {
      auto* j = static_cast<JoinRef*>(r);
      bool outer = j->type == JoinType::Left || j->type == JoinType::Right;
      inner_join_conditions(j->left, out, outer_side);
      inner_join_conditions(j->right, out, outer_side || outer);
      if (j->on && !outer && !outer_side) out.push_back(j->on);
    } else if (r->kind == TableRefKind::Paren) {
      for (auto* i : static_cast<ParenRef*>(r)->items) inner_join_conditions(i, out, outer_side);
    }
  }

  // Join conditions for the key-equality check: every ON, inner or outer.
  static void all_join_conditions(TableRef* r, std::vector<Expr*>& out) {
    if (!r) return;
    if (r->kind == TableRefKind::Join) {
      auto* j = static_cast<JoinRef*>(r);
      all_join_conditions(j->left, out);
      all_join_conditions(j->right, out);
      if (j->on) out.push_back(j->on);
    } else if (r->kind == TableRefKind::Paren) {
      for (auto* i : static_cast<ParenRef*>(r)->items) all_join_conditions(i, out);
    }
  }

  // Sub-table indexes the conditions allow, for the statement's sharded tables.
  std::variant<IndexSet, Plan> target_indexes(const TableScan& scan,
                                              const std::vector<Expr*>& conditions) {
    const ShardRule& lead = *scan.sharded[0];
    std::optional<IndexSet> result;
    for (auto* r : scan.sharded) {
      KeyColumns key;
      key.key = r->key();
      for (auto& u : scan.uses) {
        if (u.rule == r && !u.in_subquery) key.qualifiers.push_back(u.qualifier());
      }
      for (auto* c : conditions) {
        auto kr = restrict_by_key(c, key, *lead.function(), in_.params);
        if (kr.error)
          return Plan::make_error(errc::kUnknownError,
                                  "shard key of " + r->table() + ": " + kr.error->message);
        if (!kr.indexes) continue;
        if (!result) {
          result = *kr.indexes;
        } else {
          IndexSet both;
          for (int i : *result) {
            if (kr.indexes->count(i)) both.insert(i);
          }
          result = std::move(both);
        }
      }
    }
    if (in_.metadata_only) return IndexSet{lead.sub_tables().front().index};
    if (!result) {
      IndexSet all;
      for (auto& st : lead.sub_tables()) all.insert(st.index);
      return all;
    }
    if (result->empty()) {
      // No row can match; one shard still answers so the client gets the right columns.
      result->insert(lead.sub_tables().front().index);
    }
    return *result;
  }

  // Prints the statement for sub-table `index` (or, with index -1, for `slice`).
  // `replace`: one more table name printed as given (a lookup join's driving table).
  std::variant<ShardQuery, Plan> shard_query(
      Statement& stmt, const TableScan& scan, int index, std::string_view slice, bool alias_ok,
      bool reprint, const std::pair<const ObjectName*, std::string>* replace = nullptr) {
    ShardQuery q;
    q.index = index;
    NameHooks hooks;
    hooks.param_literals = in_.param_literals;
    if (replace) hooks.names.emplace(replace->first, replace->second);
    if (index >= 0) {
      const SubTable* lead = sub_table_at(*scan.sharded[0], index);
      if (!lead)
        return Plan::make_error(errc::kUnknownError, "no sub-table " + std::to_string(index));
      q.slice = lead->slice;
      q.db = lead->db;
    } else {
      q.slice = std::string(slice);
    }
    for (auto& u : scan.uses) {
      if (!u.rule) continue;
      const SubTable* st =
          u.rule->is_global() ? sub_table_on(*u.rule, q.slice) : sub_table_at(*u.rule, index);
      if (!st)
        return Plan::make_error(kNotSupported,
                                "table " + u.rule->table() + " has no copy on slice " + q.slice);
      if (q.db.empty()) q.db = st->db;
      bool renamed = st->table != u.name->name.name;
      // An unqualified name resolves in the database the shard query runs in, which for mycat
      // rules is the shard's physical database (`hdms0`); a global or co-located table living
      // elsewhere (the logical db) must then be qualified, or the server answers 1146.
      std::string_view resolves_in = u.name->has_schema() ? u.name->schema.name : q.db;
      bool moved = st->db != resolves_in;
      if (!renamed && !moved) continue;  // same name in the same database: print as written
      std::string text;
      if (u.name->has_schema() || moved) text = quote_ident(st->db) + ".";
      text += quote_ident(st->table);
      if (alias_ok && renamed && u.node && u.node->alias.empty() && !u.insert_target) {
        text += " AS " + quote_ident(u.name->name.name);
      }
      hooks.names.emplace(u.name, std::move(text));
    }
    if (reprint || force_reprint_) {
      WriteOptions o;
      o.hooks = &hooks;
      q.sql = to_sql(stmt, o);
    } else {
      q.sql = rewrite(sql_, stmt, hooks);
    }
    return q;
  }

  // The statement as its tree now reads (parameters as their values), on the default slice.
  ShardQuery on_default_slice(Statement& st) {
    ShardQuery q;
    q.slice = rules_.default_slice();
    NameHooks hooks;
    hooks.param_literals = in_.param_literals;
    WriteOptions o;
    o.hooks = &hooks;
    q.sql = to_sql(st, o);
    return q;
  }

  // ---- SELECT ----

  Plan select(SelectStatement& s) {
    Plan plan = select_as_written(s);
    if (plan.kind == PlanKind::kError && plan.error.code.code == kNotSupported.code && s.query &&
        s.query->with && !in_.metadata_only && !ctes_inlined_) {
      if (auto inlined = select_ctes_inlined()) return std::move(*inlined);
    }
    return plan;
  }

  // The client's statement, parsed afresh (planning the first time may have rewritten the
  // tree), with its WITH written as derived tables (cte_inline.h), planned again. nullopt: not
  // possible, or refused again (the first refusal, naming WITH, stands).
  std::optional<Plan> select_ctes_inlined() {
    ParseResult fresh = sql::parse(sql_, arena_);
    if (!fresh.ok()) return {};
    Statement* stmt = fresh.statement;
    if (stmt->kind == StatementKind::Explain)
      stmt = static_cast<ExplainStatement*>(stmt)->statement;
    if (!stmt || stmt->kind != StatementKind::Select) return {};
    auto& st = static_cast<SelectStatement&>(*stmt);
    const TableScan scan = scan_tables(st, rules_, in_.current_db);
    InlinedCtes inlined = inline_ctes(st, scan, parsed_.param_count, in_.param_literals);
    if (!inlined.sql) return {};
    const std::string_view text = arena_.copy(*inlined.sql);
    // (Its nodes live in the arena and point into `text`, also the arena's: the plan may keep
    // them as long as the statement runs; the ParseResult itself is needed only here.)
    ParseResult reparsed = sql::parse(text, arena_);
    if (!reparsed.ok() || reparsed.statement->kind != StatementKind::Select) return {};
    Planner inner(text, reparsed, in_, arena_);
    inner.ctes_inlined_ = true;
    Plan plan = inner.select(static_cast<SelectStatement&>(*reparsed.statement));
    if (plan.kind == PlanKind::kError) return {};
    return plan;
  }

  Plan select_as_written(SelectStatement& s) {
    auto scan = scan_tables(s, rules_, in_.current_db);
    if (!materialized_.empty()) {
      // The CTEs of materialized subqueries (materialize()) are on every slice: no tables.
      std::erase_if(scan.uses, [&](const TableUse& u) {
        return std::find(materialized_.begin(), materialized_.end(), u.node) != materialized_.end();
      });
      scan.has_unsharded = false;
      for (auto& u : scan.uses) scan.has_unsharded |= !u.rule;
    }
    if (scan.sharded.empty() && scan.globals.empty()) return default_slice();
    if (scan.sharded.empty()) return global_read(s, scan);
    if (s.query && is_set_operation(s.query->body)) return set_operation(s, scan);
    if (auto err = check_colocated(scan)) {
      if (auto joined = lookup_join(s, scan)) return std::move(*joined);
      if (auto sub = materialize(s, scan)) return std::move(*sub);
      if (auto r = recursive_with(s, scan)) return std::move(*r);
      if (auto semi = decorrelated(s, scan)) return std::move(*semi);
      return std::move(*err);
    }
    outer_rules_ = scan.sharded;
    std::vector<Expr*> where_like, join_all;
    collect_select_conditions(*s.query, where_like, join_all);
    std::vector<Expr*> for_joins = where_like;
    for_joins.insert(for_joins.end(), join_all.begin(), join_all.end());
    if (auto err = check_join_keys(scan, for_joins)) {
      if (auto joined = lookup_join(s, scan)) return std::move(*joined);
      if (auto sub = materialize(s, scan)) return std::move(*sub);
      if (auto r = recursive_with(s, scan)) return std::move(*r);
      if (auto semi = decorrelated(s, scan)) return std::move(*semi);
      return std::move(*err);
    }
    auto targets = target_indexes(scan, where_like);
    if (auto* p = std::get_if<Plan>(&targets)) return std::move(*p);
    auto& indexes = std::get<IndexSet>(targets);
    if (indexes.size() > 1) {
      if (auto err = outer_join_refusal(*s.query, scan)) {
        // (A shape the lookup join refuses keeps this refusal, which names the cause.)
        auto joined = lookup_join(s, scan);
        if (joined && joined->kind != PlanKind::kError) return std::move(*joined);
        return std::move(*err);
      }
    }
    Plan plan;
    plan.kind = PlanKind::kRoute;
    plan.explain_type = "shard";
    bool reprint = false;
    if (indexes.size() > 1) {
      // (What the merge rewriting changes, put back if it refuses and the rows are shipped.)
      auto* core = s.query->body && s.query->body->kind == QueryBodyKind::Select
                       ? static_cast<SelectCore*>(s.query->body)
                       : nullptr;
      const auto group_by = core ? core->group_by : ArenaVec<OrderItem>{};
      Expr* having = core ? core->having : nullptr;
      const bool with_rollup = core && core->with_rollup;
      const auto order_by = s.query->order_by;
      Limit* limit = s.query->limit;
      // `SELECT DISTINCT *` / `ORDER BY <position>` over `*` of one sharded table: the merge
      // cannot ask a string column's collation of a column it cannot name, so `*` becomes the
      // table's columns (read first when not known).
      if (core && star_needs_names(*s.query, *core, scan)) {
        auto columns = table_columns_of(*scan.sharded[0]);
        if (auto* p = std::get_if<Plan>(&columns)) return std::move(*p);
        expand_star(*s.query, *core, *std::get<std::shared_ptr<const TableSchema>>(columns),
                    scan.uses[0].qualifier());
      } else if (core) {
        if (auto p = expand_star_over_join(*s.query, *core, scan)) return std::move(*p);
      }
      const auto items = core ? core->items : ArenaVec<SelectItem>{};
      // HAVING may compare a string the merge can only tell at run time it cannot compare
      // (a collation it compares by the server's weights): the shipped statement stands by.
      std::shared_ptr<Plan> fallback;
      // So may ROLLUP's group order (group_merge.h).
      if (core && (core->having || core->with_rollup)) {
        if (auto shipped = materialize_table(s, scan); shipped && shipped->kind == PlanKind::kRoute)
          fallback = std::make_shared<Plan>(std::move(*shipped));
      }
      // Window functions: computed by each shard where every partition lives on one, else by
      // the merge (the shipped statement standing by for what it finds inexact at run time).
      WindowMode windows = WindowMode::kRefuse;
      if (core && windows_pinned_to_shards(*s.query, *core, scan)) {
        windows = WindowMode::kPerShard;
        plan.explain_type = "shard, windows per shard";
      } else if (core && calls_window_functions(*s.query, *core)) {
        windows = WindowMode::kEngine;
        if (auto shipped = fallback ? std::nullopt : materialize_table(s, scan);
            shipped && shipped->kind == PlanKind::kRoute)
          fallback = std::make_shared<Plan>(std::move(*shipped));
      }
      if (auto err = prepare_scatter_select(*s.query, plan.merge, arena_, windows)) {
        // (An ORDER BY position past the columns is the client's error: not worth the rows.)
        if (core && err->rfind("unknown column position", 0) != 0) {
          core->items = items;
          core->group_by = group_by;
          core->having = having;
          core->with_rollup = with_rollup;
          s.query->order_by = order_by;
          s.query->limit = limit;
          if (auto shipped = materialize_table(s, scan)) return std::move(*shipped);
        }
        return Plan::make_error(kNotSupported,
                                *err + " (tables: " + table_list(scan.sharded) + ")");
      }
      if (!plan.merge.windows.empty()) plan.explain_type = "shard, window functions in the merge";
      if (!plan.merge.rollup.empty()) plan.explain_type = "shard, ROLLUP in the merge";
      plan.fallback = std::move(fallback);
      plan.result = ResultMode::kMerge;
      reprint = true;
    }
    for (int i : indexes) {
      auto q = shard_query(s, scan, i, {}, /*alias_ok=*/true, reprint);
      if (auto* p = std::get_if<Plan>(&q)) return std::move(*p);
      plan.queries.push_back(std::move(std::get<ShardQuery>(q)));
    }
    return plan;
  }

  // A table's rows for a lookup join or a shipped table: every column (`SELECT q.* ...`, `q`
  // the name the statement reads it by), with `pushed` conditions, read with
  // character_set_results=NULL so values keep their columns' own character sets; per sub-table
  // the conditions allow (sharded), else from one copy (global) or the default slice.
  struct DrivingQueries {
    std::vector<ShardQuery> queries;
    size_t count = 0;
    std::string first_table;  // queries[0]'s table as it names it
  };
  // `select`: the select list instead (a hash join's side read, in the session's character set).
  std::variant<DrivingQueries, Plan> driving_queries(const TableUse& d,
                                                     const std::vector<Expr*>& pushed,
                                                     const std::string* select = nullptr) {
    struct Part {
      std::string slice, db, name;
      int index = -1;
    };
    std::vector<Part> parts;
    if (d.rule && !d.rule->is_global()) {
      TableScan one;
      one.uses.push_back(d);
      one.sharded.push_back(d.rule);
      auto targets = target_indexes(one, pushed);
      if (auto* p = std::get_if<Plan>(&targets)) return std::move(*p);
      for (int i : std::get<IndexSet>(targets)) {
        const SubTable* st = sub_table_at(*d.rule, i);
        if (!st) return Plan::make_error(errc::kUnknownError, "no sub-table " + std::to_string(i));
        parts.push_back({st->slice, st->db, quote_ident(st->db) + "." + quote_ident(st->table), i});
      }
    } else if (d.rule) {
      const SubTable* st = sub_table_on(*d.rule, rules_.default_slice());
      if (!st) st = &d.rule->sub_tables().front();
      parts.push_back({st->slice, st->db, quote_ident(st->db) + "." + quote_ident(st->table), -1});
    } else {
      std::string name;
      if (d.name->has_schema()) name = quote_ident(d.name->schema.name) + ".";
      name += quote_ident(d.name->name.name);
      parts.push_back({rules_.default_slice(), "", name, -1});
    }
    const std::string qualifier = quote_ident(d.qualifier());
    NameHooks hooks;
    hooks.param_literals = in_.param_literals;
    WriteOptions o;
    o.hooks = &hooks;
    DrivingQueries out;
    for (const auto& p : parts) {
      ShardQuery dq;
      dq.slice = p.slice;
      dq.db = p.db;
      dq.index = p.index;
      dq.sql = select ? "SELECT " + *select + " FROM " + p.name + " AS " + qualifier
                      : "SET STATEMENT character_set_results=NULL FOR SELECT " + qualifier +
                            ".* FROM " + p.name + " AS " + qualifier;
      for (size_t i = 0; i < pushed.size(); ++i) {
        dq.sql += i ? " AND (" : " WHERE (";
        to_sql(*pushed[i], dq.sql, o);
        dq.sql += ')';
      }
      out.queries.push_back(std::move(dq));
    }
    out.count = out.queries.size();
    out.first_table = parts.front().name;
    return out;
  }

  // ---- joins of tables not placed alike (exec/engine/lookup_join.h) ----
  //
  // One table drives: its rows are read first and shipped, batch by batch, into the whole
  // statement over the other tables, which must then be placed alike (co-located sharded
  // tables with global copies, or unsharded tables on the default slice). The driving table is
  // the first in FROM order that leaves such a rest and is not NULL-extended by an outer join.
  // nullopt: this shape is not taken (the caller's refusal stands).
  std::optional<Plan> lookup_join(SelectStatement& s, const TableScan& scan) {
    if (!s.query || !s.query->body || s.query->body->kind != QueryBodyKind::Select) return {};
    Query& q = *s.query;
    if (q.with || q.into || q.into_after_lock || q.locking || q.procedure) return {};
    auto* core = static_cast<SelectCore*>(q.body);
    if (core->into) return {};
    for (auto& u : scan.uses) {
      if (u.in_subquery || !u.node) return {};
    }
    std::vector<JoinLeaf> leaves;
    bool has_outer = false;
    if (!join_leaves(core->from, leaves, has_outer) || leaves.size() < 2) return {};
    auto use_of = [&](const TableName* t) -> const TableUse* {
      for (auto& u : scan.uses) {
        if (u.node == t) return &u;
      }
      return nullptr;
    };
    std::vector<Expr*> where_like, join_all;
    collect_select_conditions(q, where_like, join_all);
    std::vector<Expr*> for_joins = where_like;
    for_joins.insert(for_joins.end(), join_all.begin(), join_all.end());
    const TableUse* driver = nullptr;
    TableScan rest;
    for (const auto& leaf : leaves) {
      const TableUse* d = use_of(leaf.table);
      if (!d || leaf.nullable || !leaf.table->partitions.empty() || !leaf.table->hints.empty())
        continue;
      TableScan r;
      r.references_sharded_db = scan.references_sharded_db;
      for (auto& u : scan.uses) {
        if (&u == d) continue;
        r.uses.push_back(u);
        if (!u.rule) {
          r.has_unsharded = true;
          continue;
        }
        auto& list = u.rule->is_global() ? r.globals : r.sharded;
        if (std::find(list.begin(), list.end(), u.rule) == list.end()) list.push_back(u.rule);
      }
      if (check_colocated(r)) continue;
      outer_rules_ = r.sharded;
      if (check_join_keys(r, for_joins)) continue;
      if (r.sharded.empty() && !r.globals.empty() && !r.has_unsharded) {
        // Only global tables: one copy answers.
      }
      driver = d;
      rest = std::move(r);
      break;
    }
    if (!driver) return {};
    const std::string qualifier(driver->qualifier());

    // The driving table's own conditions travel with its query (inner joins only: an outer
    // join's ON does not filter the preserved side, its WHERE does).
    std::vector<Expr*> pushed;
    {
      std::vector<const Expr*> conj;
      if (core->where) conjuncts(core->where, conj);
      if (!has_outer) {
        std::vector<Expr*> ons;
        for (auto* r : core->from) inner_join_conditions(r, ons, false);
        for (auto* e : ons) conjuncts(e, conj);
      }
      for (auto* e : conj) {
        if (reads_only(e, qualifier)) pushed.push_back(const_cast<Expr*>(e));
      }
    }
    auto driving = driving_queries(*driver, pushed);
    if (auto* p = std::get_if<Plan>(&driving)) return std::move(*p);
    auto& drive = std::get<DrivingQueries>(driving);

    // The other side's targets.
    std::vector<int> inner_indexes;
    std::string inner_slice;
    if (!rest.sharded.empty()) {
      auto targets = target_indexes(rest, where_like);
      if (auto* p = std::get_if<Plan>(&targets)) return std::move(*p);
      for (int i : std::get<IndexSet>(targets)) inner_indexes.push_back(i);
    } else {
      inner_slice = rules_.default_slice();
      if (!rest.has_unsharded) {
        for (auto* g : rest.globals) {
          if (!sub_table_on(*g, inner_slice)) inner_slice = g->sub_tables().front().slice;
        }
      }
      inner_indexes.push_back(-1);
    }
    auto refuse = [&](const std::string& why) {
      return Plan::make_error(kNotSupported, "cross-shard join (" + table_list(scan.sharded) +
                                                 "): " + why + " is not supported");
    };

    // An outer join NULL-extends on every target without a match: over several targets, only
    // the two-table form `d LEFT JOIN t ON ...`, whose matches a probe finds first.
    JoinRef* outer_join = nullptr;
    if (has_outer && inner_indexes.size() > 1) {
      JoinRef* j = core->from.size() == 1 && core->from[0]->kind == TableRefKind::Join
                       ? static_cast<JoinRef*>(core->from[0])
                       : nullptr;
      // (`b RIGHT JOIN a ON ...` is the same join, the driving table on the right)
      const bool left = j && j->type == JoinType::Left && j->left == driver->node &&
                        j->right->kind == TableRefKind::Table;
      const bool right = j && j->type == JoinType::Right && j->right == driver->node &&
                         j->left->kind == TableRefKind::Table;
      if (!j || leaves.size() != 2 || !(left || right) || !j->on || j->natural || j->has_using)
        return refuse(
            "an outer join over several shards other than `a LEFT JOIN b ON ...` or `b RIGHT "
            "JOIN a ON ...` of two tables");
      outer_join = j;
    }

    // COM_STMT_PREPARE: the whole statement prepared on a slice holding every table tells
    // parameters and columns.
    if (in_.metadata_only) return prepare_whole(s, scan);

    Plan plan;
    plan.kind = PlanKind::kRoute;
    plan.result = ResultMode::kLookupJoin;
    plan.explain_type = "shard";
    for (auto& dq : drive.queries) plan.queries.push_back(std::move(dq));
    // The statement over the rest, rewritten to merge (every batch's results combine).
    std::optional<ShardQuery> types = types_query(s, scan);
    if (auto p = expand_star_over_join(q, *core, scan)) return std::move(*p);
    if (auto err = prepare_scatter_select(q, plan.merge, arena_)) return refuse(*err);
    plan.merge.shard_order.clear();  // batches arrive one after the other: concatenated
    const std::string cte = "`__tj`";
    std::pair<const ObjectName*, std::string> replace{
        driver->name,
        driver->node->alias.empty() ? cte + " AS " + quote_ident(driver->name->name.name) : cte};
    // With probes, the targets run the LEFT JOIN as an inner join (the unmatched rows are
    // NULL-extended once, by the statement as written on the first target).
    const JoinType outer_type = outer_join ? outer_join->type : JoinType::Inner;
    if (outer_join) outer_join->type = JoinType::Inner;
    for (int i : inner_indexes) {
      auto sq = shard_query(s, rest, i, inner_slice, /*alias_ok=*/true, /*reprint=*/true, &replace);
      if (auto* p = std::get_if<Plan>(&sq)) {
        if (outer_join) outer_join->type = outer_type;
        return std::move(*p);
      }
      plan.queries.push_back(std::move(std::get<ShardQuery>(sq)));
    }
    if (outer_join) outer_join->type = outer_type;
    JoinPlan jp;
    jp.qualifier = qualifier;
    jp.driver_table = drive.first_table;
    jp.driver = drive.count;
    jp.inner = inner_indexes.size();
    if (outer_join) {
      // Per target: which driving rows the ON condition matches there.
      const TableUse* other = use_of(static_cast<TableName*>(
          outer_join->type == JoinType::Left ? outer_join->right : outer_join->left));
      if (!other || !other->rule) return refuse("this outer join");
      for (size_t k = 0; k < inner_indexes.size(); ++k) {
        const SubTable* st = sub_table_at(*other->rule, inner_indexes[k]);
        if (!st) return refuse("this outer join");
        ShardQuery pq;
        pq.slice = st->slice;
        pq.db = st->db;
        pq.index = inner_indexes[k];
        pq.sql = "SELECT DISTINCT " + quote_ident(qualifier) + ".`__tj_row` FROM " + cte + " AS " +
                 quote_ident(qualifier) + " JOIN " + quote_ident(st->db) + "." +
                 quote_ident(st->table) + " AS " + quote_ident(other->qualifier()) + " ON ";
        NameHooks hooks;
        hooks.param_literals = in_.param_literals;
        WriteOptions o;
        o.hooks = &hooks;
        to_sql(*outer_join->on, pq.sql, o);
        plan.queries.push_back(std::move(pq));
      }
      jp.probes = inner_indexes.size();
      auto sq = shard_query(s, rest, inner_indexes[0], inner_slice, /*alias_ok=*/true,
                            /*reprint=*/true, &replace);
      if (auto* p = std::get_if<Plan>(&sq)) return std::move(*p);
      plan.queries.push_back(std::move(std::get<ShardQuery>(sq)));
      jp.complement = 1;
    }
    if (types) {
      plan.queries.push_back(std::move(*types));
      jp.types = true;
    }
    plan.join = jp;
    hash_join_alternative(plan, s, scan);
    return plan;
  }

  // The hash join a lookup join may switch to (planner/hash_join_choice.h): two tables of
  // rules (no unsharded table), a slice holding both (for the merge's column types), a shape
  // hash_join_shape() takes. `plan` has the lookup join, its merge rewritten.
  void hash_join_alternative(Plan& plan, SelectStatement& s, const TableScan& scan) {
    auto* core = static_cast<SelectCore*>(s.query->body);
    const HashJoinHint hint = hash_join_hint(core->hint);
    if (hint == HashJoinHint::kNever || scan.uses.size() != 2) return;
    TableRef* left = nullptr;
    TableRef* right = nullptr;
    const Expr* on = nullptr;
    bool outer = false;
    if (core->from.size() == 1 && core->from[0]->kind == TableRefKind::Join) {
      auto* j = static_cast<JoinRef*>(core->from[0]);
      if (j->natural || j->has_using ||
          (j->type != JoinType::Inner && j->type != JoinType::Left && j->type != JoinType::Cross &&
           j->type != JoinType::Comma))
        return;
      left = j->left;
      right = j->right;
      on = j->on;
      outer = j->type == JoinType::Left;
    } else if (core->from.size() == 2) {
      left = core->from[0];
      right = core->from[1];
    }
    if (!left || !right || left->kind != TableRefKind::Table || right->kind != TableRefKind::Table)
      return;
    // The probe and build sides: the left and right tables (an inner join may swap them below).
    const TableUse* sides[2] = {nullptr, nullptr};
    for (auto& u : scan.uses) {
      if (u.node == left) sides[0] = &u;
      if (u.node == right) sides[1] = &u;
    }
    if (!sides[0] || !sides[1] || !sides[0]->rule || !sides[1]->rule) return;
    for (auto* u : sides) {
      if (!u->node->partitions.empty() || !u->node->hints.empty()) return;
    }
    auto slice = metadata_slice(scan);
    if (!slice) return;
    std::string why;
    auto shape = hash_join_shape(*core, plan.merge, sides[0]->qualifier(), sides[1]->qualifier(),
                                 on, outer, why);
    if (!shape) return;
    if (!outer && !shape->where[0].empty() && shape->where[1].empty()) {
      // An inner join builds the side its conditions narrow (the right one otherwise): the
      // build side is held, and one key's rows there must fit the budget.
      std::swap(sides[0], sides[1]);
      shape = hash_join_shape(*core, plan.merge, sides[0]->qualifier(), sides[1]->qualifier(), on,
                              outer, why);
      if (!shape) return;
    }
    NameHooks hooks;
    hooks.param_literals = in_.param_literals;
    WriteOptions o;
    o.hooks = &hooks;
    HashJoinPlan h;
    // build first, then probe
    for (int side : {1, 0}) {
      std::string list;
      for (size_t i = 0; i < shape->items[side].size(); ++i) {
        if (i) list += ", ";
        std::string item;
        to_sql(*shape->items[side][i], item, o);
        if (const auto* f = shape->unwrap[side][i]) {
          // (the aggregate's text, as printed, replaced by its argument's)
          std::string call, arg;
          to_sql(*f, call, o);
          to_sql(*f->args[0], arg, o);
          for (size_t at = item.find(call); at != std::string::npos;
               at = item.find(call, at + arg.size()))
            item.replace(at, call.size(), arg);
        }
        list += item;
      }
      std::vector<Expr*> pushed;
      for (auto* e : shape->where[side]) pushed.push_back(const_cast<Expr*>(e));
      auto reads = driving_queries(*sides[side], pushed, &list);
      if (std::get_if<Plan>(&reads)) return;
      auto& d = std::get<DrivingQueries>(reads);
      (side == 1 ? h.build : h.probe) = d.queries.size();
      for (auto& q : d.queries) h.queries.push_back(std::move(q));
    }
    auto types = types_query(s, scan);
    if (!types) return;
    ShardQuery collations;
    collations.slice = *slice;
    collations.db = types->db;
    collations.sql = "SELECT ";
    for (int side : {1, 0}) {
      for (size_t k = 0; k < shape->keys; ++k) {
        if (side == 0 || k) collations.sql += ", ";
        collations.sql += "COLLATION(";
        to_sql(*shape->items[side][k], collations.sql, o);
        collations.sql += ")";
      }
    }
    collations.sql += " FROM (SELECT 1) AS `__tj_one`";
    for (int side : {1, 0}) {
      const SubTable* st = sub_table_on(*sides[side]->rule, *slice);
      if (!st) return;
      collations.sql += " LEFT JOIN " + quote_ident(st->db) + "." + quote_ident(st->table) +
                        " AS " + quote_ident(sides[side]->qualifier()) + " ON 0";
    }
    h.queries.push_back(std::move(*types));
    h.queries.push_back(std::move(collations));
    h.keys = shape->keys;
    h.project = std::move(shape->project);
    h.outer = outer;
    h.forced = hint == HashJoinHint::kForce;
    plan.hash_join = std::move(h);
  }

  // The client's column types for a statement that runs in rounds over shipped rows: the whole
  // statement with LIMIT 0 on a slice holding every table (the shipped literals would type a
  // driving INT as BIGINT, a VARCHAR by its longest value); nullopt when no slice does.
  std::optional<ShardQuery> types_query(SelectStatement& s, const TableScan& scan) {
    auto slice = metadata_slice(scan);
    if (!slice || !s.query) return std::nullopt;
    Limit* saved = s.query->limit;
    auto* zero = arena_.make<Limit>();
    zero->count = number_literal(0);
    s.query->limit = zero;
    ShardQuery q = metadata_query(s, scan, *slice);
    s.query->limit = saved;
    return q;
  }

  // ---- subqueries and derived tables over sharded tables, run first (materialized) ----
  //
  // An uncorrelated `IN (SELECT ...)`, `EXISTS (SELECT ...)`, scalar `(SELECT ...)` or derived
  // table whose tables are not placed like the statement's: planned and run on its own (a
  // route, or a scatter with its merge), its whole result shipped as the CTE `__tj` into the
  // statement, where it now reads `(SELECT * FROM __tj)` or `__tj AS <alias>`, and the
  // statement planned as it then is (exec/engine/lookup_join.h, single batch). Several in one
  // statement: planning it again materializes the next one under its own name (`__tj2`, ...),
  // and the plans compose: each earlier one a stage run first (materialized_stages.h), the last
  // one the driver; a subquery nested in another is taken first when the other cannot be
  // planned alone (kMaxMaterialized at most). nullopt: no such subquery (the caller's refusal
  // stands).
  struct Candidate {
    Query** slot = nullptr;      // the subquery's Query pointer, replaced
    TableRef** table = nullptr;  // or the derived table's place in FROM
    DerivedTable* derived = nullptr;
    bool in_list = false;  // `x IN (SELECT ...)`
    bool nested = false;   // inside another candidate: correlated to any table around it?
  };
  static constexpr size_t kMaxMaterialized = 8;

  // The subqueries in the ON conditions of a FROM item's joins.
  void find_in_joins(TableRef* r, std::vector<Candidate>& out, int depth = 0) {
    if (!r || depth > 256) return;
    if (r->kind == TableRefKind::Join) {
      auto* j = static_cast<JoinRef*>(r);
      find_in_joins(j->left, out, depth + 1);
      find_in_joins(j->right, out, depth + 1);
      find_subqueries(j->on, out);
    } else if (r->kind == TableRefKind::Paren) {
      for (auto* i : static_cast<ParenRef*>(r)->items) find_in_joins(i, out, depth + 1);
    }
  }

  // Subqueries (IN / EXISTS / scalar) inside query `q`: in its WHERE, ON, select list and
  // HAVING, its derived tables' and its subqueries' own, innermost first.
  void find_nested_subqueries(Query* q, std::vector<Candidate>& out, int depth = 0) {
    if (!q || !q->body || depth > 64) return;
    nested_subqueries_in_body(q->body, out, depth);
  }

  void nested_subqueries_in_body(QueryBody* b, std::vector<Candidate>& out, int depth) {
    switch (b->kind) {
      case QueryBodyKind::Select: {
        auto* c = static_cast<SelectCore*>(b);
        std::vector<Candidate> subs;
        for (auto& r : c->from) {
          std::vector<Candidate> derived;
          find_derived(&r, derived);
          for (auto& d : derived) find_nested_subqueries(d.derived->query, out, depth + 1);
          find_in_joins(r, subs);
        }
        find_subqueries(c->where, subs);
        for (auto& item : c->items) find_subqueries(item.expr, subs);
        find_subqueries(c->having, subs);
        for (auto& sub : subs) {
          find_nested_subqueries(*sub.slot, out, depth + 1);
          sub.nested = true;
          out.push_back(sub);
        }
        return;
      }
      case QueryBodyKind::SetOp:
        nested_subqueries_in_body(static_cast<SetOp*>(b)->left, out, depth + 1);
        nested_subqueries_in_body(static_cast<SetOp*>(b)->right, out, depth + 1);
        return;
      case QueryBodyKind::Paren:
        find_nested_subqueries(static_cast<ParenQuery*>(b)->query, out, depth + 1);
        return;
      default:
        return;
    }
  }

  void find_subqueries(Expr* e, std::vector<Candidate>& out, int depth = 0) {
    if (!e || depth > 256) return;
    switch (e->kind) {
      case ExprKind::Subquery:
        out.push_back({&static_cast<Subquery*>(e)->query, nullptr, nullptr});
        return;
      case ExprKind::Exists:
        out.push_back({&static_cast<Exists*>(e)->query, nullptr, nullptr});
        return;
      case ExprKind::InQuery: {
        auto* in = static_cast<InQuery*>(e);
        find_subqueries(in->operand, out, depth + 1);
        out.push_back({&in->query, nullptr, nullptr, true});
        return;
      }
      case ExprKind::Unary:
        find_subqueries(static_cast<Unary*>(e)->operand, out, depth + 1);
        return;
      case ExprKind::Binary:
        find_subqueries(static_cast<Binary*>(e)->left, out, depth + 1);
        find_subqueries(static_cast<Binary*>(e)->right, out, depth + 1);
        return;
      case ExprKind::IsTest:
        find_subqueries(static_cast<IsTest*>(e)->operand, out, depth + 1);
        return;
      case ExprKind::Between: {
        auto* b = static_cast<Between*>(e);
        find_subqueries(b->operand, out, depth + 1);
        find_subqueries(b->low, out, depth + 1);
        find_subqueries(b->high, out, depth + 1);
        return;
      }
      case ExprKind::Function:
        for (auto* a : static_cast<Function*>(e)->args) find_subqueries(a, out, depth + 1);
        return;
      default:
        return;
    }
  }

  // The derived tables of a FROM item. `nested`: also those inside each one's query (first,
  // innermost first: find_nested_derived).
  void find_derived(TableRef** r, std::vector<Candidate>& out, bool nested = false, int depth = 0) {
    if (!r || !*r || depth > 256) return;
    switch ((*r)->kind) {
      case TableRefKind::Derived: {
        auto* d = static_cast<DerivedTable*>(*r);
        if (nested) find_nested_derived(d->query, out, depth + 1);
        if (!d->lateral) out.push_back({nullptr, r, d});
        return;
      }
      case TableRefKind::Join: {
        auto* j = static_cast<JoinRef*>(*r);
        find_derived(&j->left, out, nested, depth + 1);
        find_derived(&j->right, out, nested, depth + 1);
        return;
      }
      case TableRefKind::Paren:
        for (auto& i : static_cast<ParenRef*>(*r)->items) find_derived(&i, out, nested, depth + 1);
        return;
      default:
        return;
    }
  }

  // COM_STMT_PREPARE of a statement that runs in rounds: the whole statement prepared on a
  // slice holding every table tells parameters and columns.
  Plan prepare_whole(SelectStatement& s, const TableScan& scan) {
    auto slice = metadata_slice(scan);
    if (!slice)
      return Plan::make_error(kNotSupported,
                              "preparing this cross-shard statement needs one slice holding "
                              "every table it reads (" +
                                  table_list(scan.sharded) + ")");
    Plan plan;
    plan.kind = PlanKind::kRoute;
    plan.explain_type = "shard";
    plan.queries.push_back(metadata_query(s, scan, *slice));
    return plan;
  }

  void find_nested_derived(Query* q, std::vector<Candidate>& out, int depth = 0) {
    if (!q || !q->body || depth > 64) return;
    nested_in_body(q->body, out, depth);
  }

  void nested_in_body(QueryBody* b, std::vector<Candidate>& out, int depth) {
    switch (b->kind) {
      case QueryBodyKind::Select: {
        auto* c = static_cast<SelectCore*>(b);
        for (auto& r : c->from) find_derived(&r, out, /*nested=*/true, depth + 1);
        std::vector<Candidate> subs;
        find_subqueries(c->where, subs);
        for (auto& item : c->items) find_subqueries(item.expr, subs);
        find_subqueries(c->having, subs);
        for (auto& sub : subs) find_nested_derived(*sub.slot, out, depth + 1);
        return;
      }
      case QueryBodyKind::SetOp:
        nested_in_body(static_cast<SetOp*>(b)->left, out, depth + 1);
        nested_in_body(static_cast<SetOp*>(b)->right, out, depth + 1);
        return;
      case QueryBodyKind::Paren:
        find_nested_derived(static_cast<ParenQuery*>(b)->query, out, depth + 1);
        return;
      default:
        return;
    }
  }

  bool holds_sharded_derived(Query* q) {
    std::vector<Candidate> nested;
    find_nested_derived(q, nested);
    for (auto& c : nested) {
      SelectStatement st;
      st.query = c.derived->query;
      if (!scan_tables(st, rules_, in_.current_db).sharded.empty()) return true;
    }
    return false;
  }

  static bool same_columns(const ArenaVec<Ident>& a, const ArenaVec<Ident>& b) {
    if (a.size() != b.size()) return false;
    for (uint32_t i = 0; i < a.size(); ++i) {
      if (a[i].name != b[i].name) return false;
    }
    return true;
  }

  std::optional<Plan> materialize(SelectStatement& s, const TableScan& scan) {
    if (nested_candidate_ || !s.query || !s.query->body ||
        s.query->body->kind != QueryBodyKind::Select || s.query->with)
      return {};
    auto* core = static_cast<SelectCore*>(s.query->body);
    std::vector<Candidate> found;
    for (auto& r : core->from) find_derived(&r, found);
    for (auto& r : core->from) find_in_joins(r, found);
    find_subqueries(core->where, found);
    for (auto& item : core->items) find_subqueries(item.expr, found);
    find_subqueries(core->having, found);
    // Then derived tables nested in those (a CTE read by another, or read in a subquery, once
    // written as derived tables): taken when the outer one is not, innermost first.
    {
      std::vector<Candidate> nested;
      for (auto& c : found) find_nested_derived(c.derived ? c.derived->query : *c.slot, nested);
      // Subqueries inside those, innermost first: taken when the one around them is not (it
      // cannot be planned alone), and correlated to nothing around them.
      const size_t first_level = found.size();
      for (size_t i = 0; i < first_level; ++i) {
        const auto& c = found[i];
        if (c.nested) continue;
        find_nested_subqueries(c.derived ? c.derived->query : *c.slot, nested);
      }
      found.insert(found.end(), nested.begin(), nested.end());
    }
    // The statement's own tables, whose names inside a subquery would make it correlated.
    std::vector<std::string> outer_names;
    for (auto& u : scan.uses) {
      if (!u.in_subquery) outer_names.emplace_back(u.qualifier());
    }
    std::optional<Plan> refused;  // the first candidate that planned alone as a refusal
    for (auto& cand : found) {
      Query* sub = cand.derived ? cand.derived->query : *cand.slot;
      if (!sub || !sub->body) continue;
      if (cand.in_list && sub->limit)  // as the server answers it
        return Plan::make_error(kNotSupported,
                                "This version of MariaDB doesn't yet support 'LIMIT & "
                                "IN/ALL/ANY/SOME subquery'");
      auto* st = arena_.make<SelectStatement>();
      st->query = sub;
      auto inner_scan = scan_tables(*st, rules_, in_.current_db);
      if (inner_scan.sharded.empty()) continue;
      // Holding a derived table over sharded tables itself, it would only plan by
      // materializing that one first (rewriting its tree): that one is a candidate later on.
      if (holds_sharded_derived(sub)) continue;
      // Correlated (names an outer table): not taken. A conservative test on the printed text.
      std::string text = to_sql(*st);
      if (names_a_qualifier(text, outer_names)) continue;
      if (cand.nested) {
        // (any table of the statement around it that is not its own)
        std::vector<std::string> around;
        for (auto& u : scan.uses) {
          const bool own = std::any_of(inner_scan.uses.begin(), inner_scan.uses.end(),
                                       [&](const TableUse& i) { return i.node == u.node; });
          if (!own) around.emplace_back(u.qualifier());
        }
        if (names_a_qualifier(text, around)) continue;
      }
      if (in_.metadata_only) return prepare_whole(s, scan);
      // The same derived table elsewhere in the statement (a CTE read twice): the same rows.
      // (Compared before planning, which rewrites the subquery's tree for its merge.)
      std::vector<Candidate> twins;
      if (cand.derived) {
        for (auto& other : found) {
          if (!other.derived || other.derived == cand.derived ||
              !same_columns(other.derived->columns, cand.derived->columns))
            continue;
          SelectStatement o;
          o.query = other.derived->query;
          if (to_sql(o) == text) twins.push_back(other);
        }
      }
      // (the client's column types, from the statement as written: before planning the
      // subquery rewrites it for its merge; an earlier materialize() asked already)
      std::optional<ShardQuery> types;
      if (materialized_.empty()) types = types_query(s, scan);
      Planner inner(sql_, parsed_, in_, arena_);
      inner.force_reprint_ = true;
      inner.materialized_ = materialized_;  // (the earlier ones' CTEs it may read)
      inner.nested_candidate_ = true;
      Plan p = inner.select(*st);
      if (p.kind == PlanKind::kError) {
        // (it may need a subquery of its own materialized first: a later candidate)
        if (p.error.code.code != kNotSupported.code) return p;
        if (!refused) refused = std::move(p);
        continue;
      }
      if (p.kind != PlanKind::kRoute ||
          (p.result != ResultMode::kRelay && p.result != ResultMode::kMerge))
        continue;
      if (stages_ >= kMaxMaterialized)
        return Plan::make_error(kNotSupported, "a statement with more than " +
                                                   std::to_string(kMaxMaterialized) +
                                                   " cross-shard subqueries or derived tables "
                                                   "is not supported");
      // The statement with the subquery's result in its place.
      const std::string cte_name = stages_ == 0 ? "__tj" : "__tj" + std::to_string(stages_ + 1);
      ++stages_;
      auto* tj = arena_.make<TableName>();
      tj->name.name.name = arena_.copy(cte_name);
      tj->name.name.quoted = true;
      std::vector<std::string> cte_columns;
      if (cand.derived) {
        tj->alias = cand.derived->alias;
        tj->as_keyword = true;
        for (auto& c : cand.derived->columns) cte_columns.emplace_back(c.name);
        *cand.table = tj;
        for (auto& twin : twins) {
          auto* t = arena_.make<TableName>(*tj);
          t->alias = twin.derived->alias;
          *twin.table = t;
          materialized_.push_back(t);
        }
      } else {
        auto* body = arena_.make<SelectCore>();
        body->items.push(arena_, SelectItem{arena_.make<Star>(), Ident{}, false});
        body->from.push(arena_, tj);
        auto* q = arena_.make<Query>();
        q->body = body;
        *cand.slot = q;
      }
      materialized_.push_back(tj);
      force_reprint_ = true;  // the text is no longer the client's: print the changed tree
      Plan outer = select(s);
      if (outer.kind == PlanKind::kError) return outer;
      Plan plan;
      plan.kind = PlanKind::kRoute;
      plan.result = ResultMode::kLookupJoin;
      plan.explain_type = "shard";
      for (auto& q : p.queries) {
        q.sql = "SET STATEMENT character_set_results=NULL FOR " + q.sql;
        plan.queries.push_back(std::move(q));
      }
      if (outer.kind == PlanKind::kRoute && outer.result == ResultMode::kLookupJoin && outer.join &&
          !outer.recursive_walk) {
        // Another subquery materialized in the statement planned again: this one runs first,
        // a stage before its (which may read this one's CTE).
        JoinPlan j = std::move(*outer.join);
        if (j.types) {
          outer.queries.pop_back();
          j.types = false;
        }
        StagePlan stage;
        stage.queries = plan.queries.size();
        if (p.result == ResultMode::kMerge) stage.merge = std::move(p.merge);
        stage.cte = cte_name;
        stage.cte_columns = std::move(cte_columns);
        j.stages.insert(j.stages.begin(), std::move(stage));
        for (auto& q : outer.queries) plan.queries.push_back(std::move(q));
        plan.merge = std::move(outer.merge);
        if (types) {
          plan.queries.push_back(std::move(*types));
          j.types = true;
        }
        plan.join = std::move(j);
        return plan;
      }
      JoinPlan jp;
      jp.cte = cte_name;
      jp.driver = plan.queries.size();
      if (p.result == ResultMode::kMerge) jp.driver_merge = std::move(p.merge);
      jp.single_batch = true;
      jp.cte_columns = std::move(cte_columns);
      if (outer.kind == PlanKind::kDefaultSlice) {
        plan.queries.push_back(on_default_slice(s));
      } else if (outer.kind == PlanKind::kRoute &&
                 (outer.result == ResultMode::kRelay || outer.result == ResultMode::kMerge)) {
        plan.merge = std::move(outer.merge);
        // (its streams are read one after the other: concatenated, then sorted)
        plan.merge.shard_order.clear();
        for (auto& q : outer.queries) plan.queries.push_back(std::move(q));
      } else {
        return Plan::make_error(kNotSupported,
                                "a cross-shard subquery in a statement of this form (" +
                                    table_list(scan.sharded) + ") is not supported");
      }
      jp.inner = plan.queries.size() - jp.driver;
      if (types) {
        plan.queries.push_back(std::move(*types));
        jp.types = true;
      }
      plan.join = std::move(jp);
      return plan;
    }
    return refused;
  }

  // Correlated subqueries over tables not placed alike, written as semi/anti-joins over
  // uncorrelated ones (decorrelate.h), which materialize() then runs first; the statement
  // planned again. nullopt: nothing rewritten (the caller's refusal stands).
  std::optional<Plan> decorrelated(SelectStatement& s, const TableScan& scan) {
    if (decorrelated_ || !materialized_.empty() || nested_candidate_ || !s.query ||
        !s.query->body || s.query->body->kind != QueryBodyKind::Select)
      return {};
    // COM_STMT_PREPARE: the statement as written, prepared whole on one slice, tells its
    // parameters and columns (a scalar subquery rewritten would rename its column).
    if (in_.metadata_only) return prepare_whole(s, scan);
    std::vector<std::string> outer_names;
    for (auto& u : scan.uses) {
      if (!u.in_subquery) outer_names.emplace_back(u.qualifier());
    }
    // (the client's columns, named and typed as the statement is written: a scalar subquery
    // becomes a column of a derived table)
    std::optional<ShardQuery> types = types_query(s, scan);
    if (!decorrelate_where(*static_cast<SelectCore*>(s.query->body), outer_names, arena_))
      return {};
    decorrelated_ = true;
    force_reprint_ = true;  // the text is no longer the client's: print the changed tree
    Plan plan = select_as_written(s);
    if (types && plan.join && plan.join->types && !plan.queries.empty())
      plan.queries.back() = std::move(*types);
    return plan;
  }

  // A statement over one sharded table that the scatter merge cannot answer (window
  // functions, WITH ROLLUP, ...): the table's rows (its own conditions applied, routed by its
  // key) shipped whole as the CTE `__tj`, and the statement run over them on the default slice,
  // where the server evaluates everything. Bounded: the rows are held within the merge budget
  // and must fit one statement (16 MiB), else a clear error. nullopt: not this shape.
  std::optional<Plan> materialize_table(SelectStatement& s, const TableScan& scan) {
    if (nested_candidate_ || stages_ >= kMaxMaterialized || scan.uses.size() != 1 || !s.query ||
        !s.query->body || s.query->body->kind != QueryBodyKind::Select || s.query->with ||
        s.query->into || s.query->into_after_lock || s.query->locking || s.query->procedure)
      return {};
    const TableUse& d = scan.uses[0];
    if (!d.rule || d.rule->is_global() || d.in_subquery || !d.node || !d.node->partitions.empty() ||
        !d.node->hints.empty())
      return {};
    auto* core = static_cast<SelectCore*>(s.query->body);
    // (FOUND_ROWS() after it would ask another connection than the one that counted.)
    if (core->into || (core->options & kSelCalcFoundRows)) return {};
    if (in_.metadata_only) return prepare_whole(s, scan);
    const std::string qualifier(d.qualifier());
    std::vector<Expr*> pushed;
    {
      std::vector<const Expr*> conj;
      if (core->where) conjuncts(core->where, conj);
      for (auto* e : conj) {
        if (reads_only(e, qualifier, /*unqualified_ok=*/true))
          pushed.push_back(const_cast<Expr*>(e));
      }
    }
    auto driving = driving_queries(d, pushed);
    if (auto* p = std::get_if<Plan>(&driving)) return std::move(*p);
    auto& drive = std::get<DrivingQueries>(driving);
    // After subqueries were materialized (the table's rows then a stage's driver, its CTE named
    // after theirs), the client's types are the first materialize()'s to ask.
    if (materialized_.empty()) return ship_table(s, drive, {&d}, types_query(s, scan), false);
    return ship_table(s, drive, {&d}, std::nullopt, false, "__tj" + std::to_string(stages_ + 1));
  }

  // A table's rows (`drive`) shipped as the CTE `__tj` into the statement, which runs on the
  // default slice with every one of `uses` reading `__tj`. `recursive`: the statement starts
  // WITH RECURSIVE, its CTE list continuing the engine's.
  Plan ship_table(SelectStatement& s, DrivingQueries& drive,
                  const std::vector<const TableUse*>& uses, std::optional<ShardQuery> types,
                  bool recursive, const std::string& cte = "__tj") {
    Plan plan;
    plan.kind = PlanKind::kRoute;
    plan.result = ResultMode::kLookupJoin;
    plan.explain_type = "shard";
    for (auto& dq : drive.queries) plan.queries.push_back(std::move(dq));
    NameHooks hooks;
    hooks.param_literals = in_.param_literals;
    for (const TableUse* u : uses) {
      hooks.names.emplace(u->name, u->node->alias.empty()
                                       ? quote_ident(cte) + " AS " + quote_ident(u->name->name.name)
                                       : quote_ident(cte));
    }
    WriteOptions o;
    o.hooks = &hooks;
    ShardQuery outer;
    outer.slice = rules_.default_slice();
    outer.sql = to_sql(s, o);
    if (recursive) {
      constexpr std::string_view kWith = "WITH RECURSIVE ";
      if (outer.sql.compare(0, kWith.size(), kWith) != 0)
        return Plan::make_error(errc::kUnknownError, "unexpected text of a WITH RECURSIVE");
      outer.sql = ", " + outer.sql.substr(kWith.size());
    }
    plan.queries.push_back(std::move(outer));
    JoinPlan jp;
    jp.driver = plan.queries.size() - 1;
    jp.inner = 1;
    jp.single_batch = true;
    jp.qualifier = std::string(uses.front()->qualifier());
    jp.driver_table = drive.first_table;
    jp.recursive = recursive;
    jp.cte = cte;
    if (types) {
      plan.queries.push_back(std::move(*types));
      jp.types = true;
    }
    plan.join = std::move(jp);
    return plan;
  }

  // WITH RECURSIVE over one sharded table (a tree or graph kept in one table: categories by
  // parent, employees by manager): every row of it shipped as the CTE `__tj`, every reference
  // to it reading `__tj`, and the statement run whole on the default slice, where the server
  // iterates as it would over the table itself. Exact; bounded as materialize_table() is (the
  // rows must fit one statement). nullopt: not this shape.
  std::optional<Plan> recursive_with(SelectStatement& s, const TableScan& scan) {
    if (!materialized_.empty() || nested_candidate_ || !s.query || !s.query->with ||
        !s.query->with->recursive || s.query->into || s.query->into_after_lock ||
        s.query->locking || s.query->procedure || scan.sharded.size() != 1 ||
        !scan.globals.empty() || scan.has_unsharded)
      return {};
    const TableUse* d = nullptr;
    for (auto& u : scan.uses) {
      if (!u.node || !u.node->partitions.empty() || !u.node->hints.empty()) return {};
      if (!d) d = &u;
    }
    if (!d) return {};
    if (in_.metadata_only) return prepare_whole(s, scan);
    auto driving = driving_queries(*d, {});
    if (auto* p = std::get_if<Plan>(&driving)) return std::move(*p);
    auto& drive = std::get<DrivingQueries>(driving);
    // (No types query: with LIMIT 0, MariaDB types an aggregate over a recursive CTE's column
    // otherwise than it does running it, MIN(d) of `0 AS d` as INT(11) instead of INT(2).)
    std::vector<const TableUse*> uses;
    for (auto& u : scan.uses) uses.push_back(&u);
    std::optional<RecursiveWalkPlan> walk = recursive_walk_plan(s, scan);
    Plan plan = ship_table(s, drive, uses, std::nullopt, /*recursive=*/true);
    if (plan.kind == PlanKind::kError || !plan.join || plan.join->driver >= plan.queries.size())
      return plan;
    // The statement runs beside one of the table's sub-tables (the default slice's when it has
    // one), which types the shipped rows as the table's columns: the server's recursion types
    // the CTE from them, and the client's columns with it.
    if (d->rule && !d->rule->is_global()) {
      const SubTable* st = sub_table_on(*d->rule, rules_.default_slice());
      if (!st) st = &d->rule->sub_tables().front();
      ShardQuery& outer = plan.queries[plan.join->driver];
      if (st->slice != outer.slice) {
        outer.slice = st->slice;
        outer.db = st->db;
      }
      plan.join->typed_by = quote_ident(st->db) + "." + quote_ident(st->table);
    }
    plan.recursive_walk = std::move(walk);
    return plan;
  }

  // The walk across the shards that lets a WITH RECURSIVE ship only the rows it can read
  // (exec/engine/recursive_walk.h), for the shape it is exact on: one CTE, `anchor UNION [ALL]
  // step`; the anchor a plain SELECT of the table (or of no table); the step a plain SELECT
  // joining the table to the CTE by inner joins, naming the CTE once (no subquery reads it);
  // the table read nowhere else. Plain: no DISTINCT, GROUP BY, aggregate, window, `*`, ORDER
  // BY or LIMIT. nullopt otherwise: the whole table is shipped.
  std::optional<RecursiveWalkPlan> recursive_walk_plan(SelectStatement& s, const TableScan& scan) {
    const With* w = s.query->with;
    if (w->ctes.size() != 1) return {};
    const Cte& cte = w->ctes[0];
    const Query* body = cte.query;
    if (!body || body->with || !body->order_by.empty() || body->limit || body->into ||
        body->locking || body->into_after_lock || body->procedure || !body->body ||
        body->body->kind != QueryBodyKind::SetOp)
      return {};
    const auto* op = static_cast<const SetOp*>(body->body);
    if (op->op != SetOpType::Union || !op->left || !op->right ||
        op->left->kind != QueryBodyKind::Select || op->right->kind != QueryBodyKind::Select)
      return {};
    auto* anchor = static_cast<SelectCore*>(op->left);
    auto* step = static_cast<SelectCore*>(op->right);
    auto plain = [](const SelectCore* c) {
      if (c->options != 0 || !c->hint.empty() || c->into || !c->group_by.empty() || c->having ||
          !c->windows.empty() || c->with_rollup)
        return false;
      for (const auto& item : c->items) {
        if (!item.expr || item.expr->kind == ExprKind::Star || contains_aggregate(item.expr) ||
            contains_window_function(item.expr))
          return false;
      }
      return true;
    };
    if (!plain(anchor) || !plain(step)) return {};
    const size_t width = cte.columns.empty() ? anchor->items.size() : cte.columns.size();
    if (anchor->items.size() != width || step->items.size() != width) return {};
    // Where the CTE is named inside its own body: once, as a table of the step's FROM.
    const TableName* cte_node = nullptr;
    for (const auto& ref : scan.cte_refs) {
      if (ref.cte != &cte || ref.in_body != 0) continue;
      if (cte_node || !ref.node) return {};
      cte_node = ref.node;
    }
    if (!cte_node) return {};
    std::vector<JoinLeaf> anchor_leaves, step_leaves;
    bool outer = false;
    if (!join_leaves(anchor->from, anchor_leaves, outer) || outer || anchor_leaves.size() > 1)
      return {};
    if (!join_leaves(step->from, step_leaves, outer) || outer || step_leaves.size() != 2) return {};
    const TableName* step_table = step_leaves[0].table == cte_node   ? step_leaves[1].table
                                  : step_leaves[1].table == cte_node ? step_leaves[0].table
                                                                     : nullptr;
    const TableName* anchor_table = anchor_leaves.empty() ? nullptr : anchor_leaves[0].table;
    if (!step_table) return {};
    const TableUse* anchor_use = nullptr;
    const TableUse* step_use = nullptr;
    for (const auto& u : scan.uses) {
      if (u.node == step_table && !step_use) {
        step_use = &u;
      } else if (anchor_table && u.node == anchor_table && !anchor_use) {
        anchor_use = &u;
      } else {
        return {};  // the table read anywhere else (the final query, a subquery)
      }
    }
    if (!step_use || (anchor_table && !anchor_use) || !step_use->rule ||
        step_use->rule->is_global())
      return {};
    const ShardRule& rule = *step_use->rule;
    TableScan one;
    one.uses.push_back(*step_use);
    one.sharded.push_back(&rule);
    auto targets = target_indexes(one, {});
    if (std::holds_alternative<Plan>(targets)) return {};

    RecursiveWalkPlan walk;
    walk.cte = std::string(cte.name.name);
    for (const auto& c : cte.columns) walk.cte_columns.emplace_back(c.name);
    walk.width = width;
    walk.anchor_reads_table = anchor_use != nullptr;
    // `SELECT <prefix><the core's own select list> FROM ...`, with the table named `name`.
    auto print = [&](SelectCore* core, const TableUse* use, const std::string& name,
                     const std::string& prefix) -> std::optional<std::string> {
      NameHooks hooks;
      hooks.param_literals = in_.param_literals;
      if (use) {
        hooks.names.emplace(use->name, use->node->alias.empty()
                                           ? name + " AS " + quote_ident(use->name->name.name)
                                           : name);
      }
      WriteOptions o;
      o.hooks = &hooks;
      Query q;
      q.body = core;
      SelectStatement st;
      st.query = &q;
      std::string text = to_sql(st, o);
      constexpr std::string_view kSelect = "SELECT ";
      if (text.compare(0, kSelect.size(), kSelect) != 0) return {};
      text.insert(kSelect.size(), prefix);
      return text;
    };
    const std::string cte_qualifier =
        quote_ident(cte_node->alias.empty() ? cte_node->name.name.name : cte_node->alias.name);
    constexpr std::string_view kResults = "SET STATEMENT character_set_results=NULL FOR ";
    if (!anchor_use) {
      auto text = print(anchor, nullptr, {}, {});
      if (!text) return {};
      ShardQuery q;
      q.slice = rules_.default_slice();
      q.sql = std::string(kResults) + *text;
      walk.anchor.push_back(std::move(q));
    }
    for (int i : std::get<IndexSet>(targets)) {
      const SubTable* st = sub_table_at(rule, i);
      if (!st) return {};
      const std::string name = quote_ident(st->db) + "." + quote_ident(st->table);
      if (anchor_use) {
        auto text = print(anchor, anchor_use, name, quote_ident(anchor_use->qualifier()) + ".*, ");
        if (!text) return {};
        ShardQuery q;
        q.slice = st->slice;
        q.db = st->db;
        q.index = i;
        q.sql = std::string(kResults) + *text;
        walk.anchor.push_back(std::move(q));
      }
      auto text = print(step, step_use, name,
                        quote_ident(step_use->qualifier()) + ".*, " + cte_qualifier + "." +
                            quote_ident(walk.row_column) + ", ");
      if (!text) return {};
      ShardQuery q;
      q.slice = st->slice;
      q.db = st->db;
      q.index = i;
      q.sql = std::move(*text);
      walk.step.push_back(std::move(q));
    }
    return walk;
  }

  // ---- UNION / INTERSECT / EXCEPT over sharded tables ----
  //
  // Each branch is planned as it would be alone (a route to one shard, a scatter with its own
  // merge, a global or unsharded read), and the engine combines them (exec/engine/
  // set_operation.h). When every branch reads only co-located sharded tables without ORDER
  // BY, LIMIT, DISTINCT, GROUP BY or expressions of its own, a UNION ALL or UNION runs whole
  // on each shard instead (pushed_down()): every row lives on one shard, so the shards'
  // results concatenate (UNION ALL) or de-duplicate (UNION) into the answer. Never for
  // INTERSECT and EXCEPT: a row's copies can live on different shards (branch 1 finds ('x')
  // on shard 0, branch 2 on shard 1), so each shard's INTERSECT misses it and each shard's
  // EXCEPT keeps it; only sets compared across all shards are exact. Nor for a branch on a
  // global or unsharded table, which every shard (or none) would return.

  // A set operation, possibly in parentheses: `(SELECT ... UNION SELECT ...) ORDER BY 1`.
  static bool is_set_operation(const QueryBody* b) {
    for (int depth = 0; b && depth < 64; ++depth) {
      if (b->kind == QueryBodyKind::SetOp) return true;
      if (b->kind != QueryBodyKind::Paren) return false;
      const Query* inner = static_cast<const ParenQuery*>(b)->query;
      b = inner ? inner->body : nullptr;
    }
    return false;
  }

  // Maps a set-operation tree to exec nodes (bottom-up) and its branches. Parentheses around
  // a set operation without its own ORDER BY / LIMIT are only grouping.
  // `units`: the nested units (a parenthesised set operation, or one INTERSECT's precedence
  // puts on an operator's right), whose column types MariaDB derives on their own.
  std::optional<std::string> flatten_set(QueryBody* b, std::vector<exec::SetNode>& nodes,
                                         std::vector<Query*>& leaves,
                                         std::vector<std::pair<int, Query*>>& units, int& out,
                                         int depth) {
    if (!b) return std::string("an empty set operation branch");
    if (depth > 2000) return std::string("a set operation nested this deeply");
    if (b->kind == QueryBodyKind::SetOp) {
      auto* op = static_cast<SetOp*>(b);
      int left = 0, right = 0;
      if (auto err = flatten_set(op->left, nodes, leaves, units, left, depth + 1)) return err;
      if (auto err = flatten_set(op->right, nodes, leaves, units, right, depth + 1)) return err;
      if (op->right && op->right->kind == QueryBodyKind::SetOp) {
        auto* unit = arena_.make<Query>();
        unit->body = op->right;
        units.emplace_back(right, unit);
      }
      exec::SetNode n;
      n.op = op->op == SetOpType::Union       ? exec::SetOpKind::kUnion
             : op->op == SetOpType::Intersect ? exec::SetOpKind::kIntersect
                                              : exec::SetOpKind::kExcept;
      n.all = op->quantifier == 1;
      n.left = left;
      n.right = right;
      nodes.push_back(n);
      out = static_cast<int>(nodes.size() - 1);
      return std::nullopt;
    }
    Query* leaf = nullptr;
    if (b->kind == QueryBodyKind::Paren) {
      Query* inner = static_cast<ParenQuery*>(b)->query;
      if (!inner || !inner->body) return std::string("an empty set operation branch");
      bool plain = inner->order_by.empty() && !inner->limit && !inner->with && !inner->into &&
                   !inner->locking && !inner->into_after_lock;
      if (inner->body->kind == QueryBodyKind::SetOp || inner->body->kind == QueryBodyKind::Paren) {
        if (!plain)
          return std::string(
              "a parenthesised set operation with its own ORDER BY, LIMIT or WITH inside "
              "another one");
        auto err = flatten_set(inner->body, nodes, leaves, units, out, depth + 1);
        if (!err && inner->body->kind == QueryBodyKind::SetOp) units.emplace_back(out, inner);
        return err;
      }
      leaf = inner;
    } else {
      leaf = arena_.make<Query>();
      leaf->body = b;
    }
    exec::SetNode n;
    n.branch = static_cast<int>(leaves.size());
    leaves.push_back(leaf);
    nodes.push_back(n);
    out = static_cast<int>(nodes.size() - 1);
    return std::nullopt;
  }

  // A slice holding a copy or sub-table of every table the set operation reads (the default
  // slice when it does), where the whole statement can run to tell the result's types.
  std::optional<std::string> metadata_slice(const TableScan& scan) {
    auto holds_all = [&](std::string_view slice) {
      if (scan.has_unsharded && slice != rules_.default_slice()) return false;
      for (auto& u : scan.uses) {
        if (u.rule && !sub_table_on(*u.rule, slice)) return false;
      }
      return true;
    };
    if (holds_all(rules_.default_slice())) return rules_.default_slice();
    for (auto* r : scan.sharded) {
      for (auto& st : r->sub_tables()) {
        if (holds_all(st.slice)) return st.slice;
      }
    }
    return std::nullopt;
  }

  // The whole statement for `slice`, every table renamed to its copy or a sub-table there.
  ShardQuery metadata_query(SelectStatement& s, const TableScan& scan, const std::string& slice) {
    ShardQuery q;
    q.slice = slice;
    NameHooks hooks;
    hooks.param_literals = in_.param_literals;
    for (auto& u : scan.uses) {
      if (!u.rule) continue;
      const SubTable* st = sub_table_on(*u.rule, slice);
      if (q.db.empty() && !u.rule->is_global()) q.db = st->db;
    }
    for (auto& u : scan.uses) {
      if (!u.rule) continue;
      const SubTable* st = sub_table_on(*u.rule, slice);
      if (q.db.empty()) q.db = st->db;
      bool renamed = st->table != u.name->name.name;
      std::string_view resolves_in = u.name->has_schema() ? u.name->schema.name : q.db;
      bool moved = st->db != resolves_in;
      if (!renamed && !moved) continue;
      std::string text;
      if (u.name->has_schema() || moved) text = quote_ident(st->db) + ".";
      text += quote_ident(st->table);
      if (renamed && u.node && u.node->alias.empty())
        text += " AS " + quote_ident(u.name->name.name);
      hooks.names.emplace(u.name, std::move(text));
    }
    WriteOptions o;
    o.hooks = &hooks;
    q.sql = to_sql(s, o);
    return q;
  }

  // The set operation's own ORDER BY (result names or positions) and OFFSET / LIMIT.
  std::optional<Plan> set_order_and_limit(const Query& q, exec::engine::SetOperationSpec& spec) {
    auto refuse_set = [](const std::string& what) {
      return Plan::make_error(kNotSupported, what + " over several shards is not supported");
    };
    for (auto& o : q.order_by) {
      exec::engine::SetOrderKey key;
      key.descending = o.dir == 2;
      if (auto n = limit_value(o.expr)) {
        if (*n == 0)
          return Plan::make_error(errc::kUnknownError, "Unknown column '0' in 'order clause'");
        key.position = static_cast<int>(*n - 1);
      } else if (o.expr && o.expr->kind == ExprKind::Column &&
                 static_cast<ColumnRef*>(o.expr)->n == 1) {
        key.name = std::string(static_cast<ColumnRef*>(o.expr)->column().name);
      } else {
        return refuse_set(
            "ORDER BY an expression or a qualified column after a UNION/INTERSECT/"
            "EXCEPT (order by a result column's name or position)");
      }
      spec.order_by.push_back(std::move(key));
    }
    if (q.limit) {
      if (q.limit->rows_examined || q.limit->with_ties)
        return refuse_set("LIMIT ROWS EXAMINED / WITH TIES after a UNION/INTERSECT/EXCEPT");
      if (q.limit->count) {
        auto c = limit_value(q.limit->count);
        if (!c) return refuse_set("LIMIT without a literal row count after a UNION");
        spec.limit = *c;
      } else if (q.limit->has_fetch) {
        spec.limit = 1;
      }
      if (q.limit->offset) {
        auto o = limit_value(q.limit->offset);
        if (!o) return refuse_set("LIMIT without a literal offset after a UNION");
        spec.offset = *o;
      }
    }
    return std::nullopt;
  }

  // UNION ALL, or UNION DISTINCT, whose every branch is a plain projection (columns, literals,
  // `*`) of co-located sharded tables, without DISTINCT, GROUP BY, HAVING, ORDER BY or LIMIT
  // of its own: each row lives on one shard, so the whole set operation can run on
  // every shard any branch needs, and the shards' results concatenate (UNION ALL) or
  // de-duplicate (UNION) into the answer. Returns the nodes over that one pushed-down branch
  // (its queries appended to `plan`), or nullopt to plan branch by branch. Never for INTERSECT
  // / EXCEPT (see above), global or unsharded tables (every shard would return their rows).
  std::optional<std::vector<exec::SetNode>> pushed_down(SelectStatement& s, const TableScan& scan,
                                                        const std::vector<exec::SetNode>& nodes,
                                                        const std::vector<Query*>& leaves,
                                                        bool no_units, Plan& plan, SetPlan& set) {
    if (!no_units || !scan.globals.empty() || scan.has_unsharded || scan.sharded.empty())
      return std::nullopt;
    if (check_colocated(scan)) return std::nullopt;
    bool all = true, distinct = true;
    for (const auto& n : nodes) {
      if (n.branch >= 0) continue;
      if (n.op != exec::SetOpKind::kUnion) return std::nullopt;
      all &= n.all;
      distinct &= !n.all;
    }
    if (!all && !distinct) return std::nullopt;
    // Every branch's shape first: planning a branch below may rewrite its AST (a scatter's
    // hidden columns), which only plain branches never need.
    for (Query* leaf : leaves) {
      if (!leaf->body || leaf->body->kind != QueryBodyKind::Select || !leaf->order_by.empty() ||
          leaf->limit || leaf->with || leaf->into || leaf->locking || leaf->into_after_lock)
        return std::nullopt;
      auto* core = static_cast<SelectCore*>(leaf->body);
      if (core->from.empty() || !core->group_by.empty() || core->having || core->into ||
          !core->windows.empty() || core->with_rollup ||
          (core->options & (kSelDistinct | kSelDistinctRow | kSelCalcFoundRows)))
        return std::nullopt;
      for (auto& item : core->items) {
        if (!item.expr) return std::nullopt;
        auto k = item.expr->kind;
        if (k != ExprKind::Column && k != ExprKind::Literal && k != ExprKind::Star)
          return std::nullopt;
      }
    }
    IndexSet indexes;
    for (Query* leaf : leaves) {
      auto* st = arena_.make<SelectStatement>();
      st->query = leaf;
      auto leaf_scan = scan_tables(*st, rules_, in_.current_db);
      if (leaf_scan.sharded.empty()) return std::nullopt;
      Planner inner(sql_, parsed_, in_, arena_);
      inner.force_reprint_ = true;
      Plan p = inner.select(*st);
      if (p.kind != PlanKind::kRoute || p.queries.empty()) return std::nullopt;
      for (auto& pq : p.queries) {
        if (pq.index < 0) return std::nullopt;
        indexes.insert(pq.index);
      }
    }
    // The whole statement for each sub-table, without the set operation's own ORDER BY and
    // LIMIT (the engine applies them to the merged rows).
    Query& q = *s.query;
    auto saved_order = q.order_by;
    Limit* saved_limit = q.limit;
    q.order_by = ArenaVec<OrderItem>();
    q.limit = nullptr;
    SetPlanBranch b;
    b.first = plan.queries.size();
    b.scatter = true;
    std::optional<Plan> failed;
    for (int i : indexes) {
      auto sq = shard_query(s, scan, i, {}, /*alias_ok=*/true, /*reprint=*/true);
      if (std::get_if<Plan>(&sq)) {
        failed.emplace();
        break;
      }
      plan.queries.push_back(std::move(std::get<ShardQuery>(sq)));
    }
    q.order_by = saved_order;
    q.limit = saved_limit;
    if (failed) {
      plan.queries.resize(b.first);
      return std::nullopt;
    }
    b.count = plan.queries.size() - b.first;
    set.branches.push_back(std::move(b));
    exec::SetNode leaf;
    leaf.branch = 0;
    std::vector<exec::SetNode> out{leaf};
    if (distinct) {
      exec::SetNode d;  // UNION DISTINCT of the one branch with itself: its distinct rows
      d.op = exec::SetOpKind::kUnion;
      d.left = 0;
      d.right = 0;
      out.push_back(d);
    }
    return out;
  }

  Plan set_operation(SelectStatement& s, const TableScan& scan) {
    Query& q = *s.query;
    auto refuse_set = [](const std::string& what) {
      return Plan::make_error(kNotSupported, what + " over several shards is not supported");
    };
    if (q.with) return refuse_set("WITH before a UNION/INTERSECT/EXCEPT");
    if (q.into || q.into_after_lock) return refuse_set("UNION/INTERSECT/EXCEPT ... INTO");
    if (q.locking) return refuse_set("UNION/INTERSECT/EXCEPT ... FOR UPDATE / LOCK IN SHARE MODE");
    if (q.procedure) return refuse_set("PROCEDURE after a UNION/INTERSECT/EXCEPT");
    std::vector<exec::SetNode> nodes;
    std::vector<Query*> leaves;
    std::vector<std::pair<int, Query*>> units;
    int root = 0;
    if (auto err = flatten_set(q.body, nodes, leaves, units, root, 0)) return refuse_set(*err);

    auto slice = metadata_slice(scan);
    if (!slice)
      return Plan::make_error(
          kNotSupported,
          "UNION/INTERSECT/EXCEPT over several shards needs one slice holding a copy or "
          "sub-table of every table it reads (to ask it for the result's column types); none "
          "does for tables " +
              table_list(scan.sharded));
    // The statement with LIMIT 0: its columns, as the server types them.
    Limit* saved_limit = q.limit;
    ShardQuery meta;
    if (in_.metadata_only) {
      // COM_STMT_PREPARE: the whole statement prepared there tells parameters and columns.
      meta = metadata_query(s, scan, *slice);
      Plan plan;
      plan.kind = PlanKind::kRoute;
      plan.explain_type = "shard";
      plan.queries.push_back(std::move(meta));
      return plan;
    }
    // The ORDER BY stays: MariaDB types a UNION ALL's strings differently when it streams the
    // branches (no ORDER BY: decimals 39) than through its temporary table (decimals 0).
    auto* zero = arena_.make<Limit>();
    zero->count = number_literal(0);
    q.limit = zero;
    meta = metadata_query(s, scan, *slice);
    q.limit = saved_limit;

    // The union columns' collation names, asked by position: a column definition's id
    // cannot tell utf8mb4_unicode_ci from the uca1400 collations MariaDB sends it for.
    std::optional<ShardQuery> names;
    if (!leaves.empty() && leaves[0]->body && leaves[0]->body->kind == QueryBodyKind::Select) {
      auto* first = static_cast<SelectCore*>(leaves[0]->body);
      bool star = first->items.empty();
      for (auto& item : first->items) star |= item.expr->kind == ExprKind::Star;
      if (!star) {
        // Then each one's weight string of a space, the padding of its weights.
        std::string cols, asks, spaces;
        for (size_t i = 0; i < first->items.size(); ++i) {
          std::string c = "`__tessera_c" + std::to_string(i) + "`";
          cols += (i ? ", " : "") + c;
          asks += (i ? ", COLLATION(" : "COLLATION(") + c + ")";
          spaces += ", HEX(WEIGHT_STRING(CONCAT(COALESCE(LEFT(" + c + ", 0), ''), ' ')))";
        }
        asks += spaces;
        // (Without the ORDER BY, which the column list would hide its names from; it does
        // not change a collation.)
        auto order = q.order_by;
        q.order_by = ArenaVec<OrderItem>{};
        q.limit = zero;
        ShardQuery unordered = metadata_query(s, scan, *slice);
        q.limit = saved_limit;
        q.order_by = order;
        names = unordered;
        names->sql = "WITH `__tessera_u`(" + cols + ") AS (" + unordered.sql + ") SELECT " + asks +
                     " FROM (SELECT 1) AS `__tessera_one` LEFT JOIN `__tessera_u` ON 0";
      }
    }
    Plan plan;
    plan.kind = PlanKind::kRoute;
    plan.result = ResultMode::kSetOperation;
    plan.explain_type = "shard";
    ShardQuery collations = meta;
    collations.sql = "SET STATEMENT character_set_results=NULL FOR " + meta.sql;
    plan.queries.push_back(std::move(meta));
    plan.queries.push_back(std::move(collations));
    SetPlan set;
    for (auto& [node, unit] : units) {
      auto* st = arena_.make<SelectStatement>();
      st->query = unit;
      Limit* kept = unit->limit;
      unit->limit = zero;
      plan.queries.push_back(metadata_query(*st, scan, *slice));
      unit->limit = kept;
      set.spec.unit_nodes.push_back(node);
    }
    set.units = units.size();
    // Rows compared across shards (DISTINCT, INTERSECT, EXCEPT, ORDER BY) carry the server's
    // weights of their strings too (set_weights.h), for collations the merge lacks.
    bool weigh = !q.order_by.empty();
    for (const auto& n : nodes)
      weigh |= n.branch < 0 && (n.op != exec::SetOpKind::kUnion || !n.all);
    weigh &= names.has_value();
    if (auto pushed = pushed_down(s, scan, nodes, leaves, units.empty(), plan, set)) {
      if (weigh) {
        auto& b = set.branches[0];
        size_t width = static_cast<SelectCore*>(leaves[0]->body)->items.size();
        for (size_t i = b.first; i < b.first + b.count; ++i)
          plan.queries[i].sql = wrap_set_weight_columns(plan.queries[i].sql, width);
        for (size_t i = 0; i < width; ++i) b.weighed.push_back(i);
      }
      set.spec.nodes = std::move(*pushed);
      set.spec.root = static_cast<int>(set.spec.nodes.size() - 1);
      if (auto err = set_order_and_limit(q, set.spec)) return std::move(*err);
      if (names) {
        plan.queries.push_back(std::move(*names));
        set.names = true;
      }
      plan.set_op = std::move(set);
      return plan;
    }
    for (size_t i = 0; i < leaves.size(); ++i) {
      auto* st = arena_.make<SelectStatement>();
      st->query = leaves[i];
      SetPlanBranch b;
      if (weigh) b.weighed = add_set_weight_columns(*leaves[i], arena_);
      Planner inner(sql_, parsed_, in_, arena_);
      inner.force_reprint_ = true;
      Plan p = inner.select(*st);
      if (p.kind == PlanKind::kError) {
        p.error.message =
            "branch " + std::to_string(i + 1) + " of a UNION/INTERSECT/EXCEPT: " + p.error.message;
        return p;
      }
      b.first = plan.queries.size();
      if (p.kind == PlanKind::kDefaultSlice) {
        // Unsharded tables (or none): the branch as written, on the default slice.
        plan.queries.push_back(on_default_slice(*st));
        b.count = 1;
      } else {
        if (p.result != ResultMode::kRelay && p.result != ResultMode::kMerge)
          return refuse_set("this branch form (branch " + std::to_string(i + 1) + ")");
        b.scatter = p.result == ResultMode::kMerge;
        b.merge = std::move(p.merge);
        b.count = p.queries.size();
        for (auto& pq : p.queries) plan.queries.push_back(std::move(pq));
      }
      set.branches.push_back(std::move(b));
    }
    set.spec.nodes = std::move(nodes);
    set.spec.root = root;
    if (auto err = set_order_and_limit(q, set.spec)) return std::move(*err);
    if (names) {
      plan.queries.push_back(std::move(*names));
      set.names = true;
    }
    plan.set_op = std::move(set);
    return plan;
  }

  // A global table on the preserved side of an outer join with a sharded table, over several
  // shards: each shard would NULL-extend the global rows it has no match for, so rows matched
  // on another shard (or nowhere) would come back once per shard. Refused rather than wrong.
  std::optional<Plan> outer_join_refusal(const Query& q, const TableScan& scan) {
    auto shape = global_preserved_outer_join(q, scan);
    if (!shape) return std::nullopt;
    return Plan::make_error(
        kNotSupported,
        "outer join with a global table on the preserved side over several shards "
        "is not supported: " +
            *shape +
            " would return the global rows without a match once per shard; "
            "restrict the sharded table's key to one shard, or put the sharded "
            "table on the preserved side");
  }

  static void collect_select_conditions(Query& q, std::vector<Expr*>& where_like,
                                        std::vector<Expr*>& join_all) {
    if (!q.body || q.body->kind != QueryBodyKind::Select) return;
    auto* core = static_cast<SelectCore*>(q.body);
    if (core->where) where_like.push_back(core->where);
    for (auto* r : core->from) {
      inner_join_conditions(r, where_like, false);
      all_join_conditions(r, join_all);
    }
  }

  Plan global_read(Statement& s, const TableScan& scan) {
    // Every global table must have a copy on the chosen slice; unsharded tables pin it to the
    // default slice.
    std::string slice = rules_.default_slice();
    bool all_on_default = true;
    for (auto* g : scan.globals) {
      if (!sub_table_on(*g, slice)) all_on_default = false;
    }
    if (!all_on_default) {
      if (scan.has_unsharded)
        return Plan::make_error(kNotSupported, "global table " + scan.globals[0]->table() +
                                                   " has no copy on the default slice " + slice);
      slice = scan.globals[0]->sub_tables().front().slice;
    }
    Plan plan;
    plan.kind = PlanKind::kRoute;
    plan.explain_type = "global";
    auto q = shard_query(s, scan, -1, slice, true, false);
    if (auto* p = std::get_if<Plan>(&q)) return std::move(*p);
    plan.queries.push_back(std::move(std::get<ShardQuery>(q)));
    return plan;
  }

  // Writes to global tables go to every copy.
  Plan global_write(Statement& s, const TableScan& scan, const ShardRule& target) {
    if (scan.has_unsharded)
      return Plan::make_error(kNotSupported, "writing global table " + target.table() +
                                                 " from an unsharded table is not supported");
    Plan plan;
    plan.kind = PlanKind::kRoute;
    plan.explain_type = "global";
    plan.is_write = true;
    plan.writes_copies = true;
    plan.result = ResultMode::kSumAffected;
    // INSERT/REPLACE targets and single-table DELETE take no alias (as in update_delete).
    bool alias_ok =
        s.kind == StatementKind::Update ||
        (s.kind == StatementKind::Delete && !static_cast<DeleteStatement&>(s).targets.empty());
    for (auto& st : target.sub_tables()) {
      auto q = shard_query(s, scan, -1, st.slice, alias_ok, false);
      if (auto* p = std::get_if<Plan>(&q)) return std::move(*p);
      plan.queries.push_back(std::move(std::get<ShardQuery>(q)));
    }
    if (plan.queries.size() == 1) plan.result = ResultMode::kRelay;
    return plan;
  }

  // ---- INSERT / REPLACE ----

  const config::GlobalSequence* sequence_for(const ShardRule& r) const {
    if (!in_.sequence_config) return nullptr;
    for (auto& s : *in_.sequence_config) {
      if (same_name(s.db, r.db()) && same_name(s.table, r.table())) return &s;
    }
    return nullptr;
  }

  Plan insert(InsertStatement& ins) {
    auto scan = scan_tables(ins, rules_, in_.current_db);
    if (scan.sharded.empty() && scan.globals.empty()) return default_slice();
    auto* target = scan.uses.empty() ? nullptr : scan.uses[0].rule;
    if (!target) {
      // INSERT INTO unsharded ... SELECT FROM global tables: the default slice has copies.
      if (ins.select && scan.sharded.empty()) {
        for (auto* g : scan.globals) {
          if (!sub_table_on(*g, rules_.default_slice()))
            return Plan::make_error(
                kNotSupported, "global table " + g->table() + " has no copy on the default slice");
        }
        Plan plan;
        plan.kind = PlanKind::kRoute;
        plan.explain_type = "unshard";
        plan.is_write = true;
        auto q = shard_query(ins, scan, -1, rules_.default_slice(), true, false);
        if (auto* p = std::get_if<Plan>(&q)) return std::move(*p);
        plan.queries.push_back(std::move(std::get<ShardQuery>(q)));
        return plan;
      }
      return Plan::make_error(kNotSupported, "INSERT into unsharded table " +
                                                 std::string(ins.table->name.name.name) +
                                                 " from sharded tables is not supported");
    }
    if (target->is_global()) {
      if (!scan.sharded.empty())
        return Plan::make_error(kNotSupported, "INSERT into global table " + target->table() +
                                                   " from sharded table " +
                                                   scan.sharded[0]->table() + " is not supported");
      // Without a column list the copies need no key, but a wrong value count would come back
      // from every copy as a fan-out's error: answered here as one server answers it.
      if (!ins.has_columns && !ins.select && ins.source != 2 && in_.schema && !in_.metadata_only) {
        auto columns = table_columns(*target);
        if (auto* p = std::get_if<Plan>(&columns)) return std::move(*p);
        const auto& schema = *std::get<std::shared_ptr<const TableSchema>>(columns);
        const bool all_rows_empty = std::all_of(ins.rows.begin(), ins.rows.end(),
                                                [](const Row* r) { return r->items.empty(); });
        if (!all_rows_empty) {
          if (auto err = check_value_counts(ins, schema, *target)) return std::move(*err);
        }
        Plan plan = global_write(ins, scan, *target);
        plan.schema_used = SchemaCatalog::key(target->db(), target->table());
        return plan;
      }
      return global_write(ins, scan, *target);
    }
    if (ins.select) return insert_select(ins, scan, *target);
    if (scan.sharded.size() > 1 || scan.has_unsharded)
      return Plan::make_error(kNotSupported, "INSERT into sharded table " + target->table() +
                                                 " reading other tables is not supported");
    for (auto& a : ins.on_duplicate) {
      if (same_name(a.column->column().name, target->key()))
        return Plan::make_error(kNotSupported, "updating the shard key column " + target->key() +
                                                   " of " + target->table() + " is not allowed");
    }
    const config::GlobalSequence* seq = sequence_for(*target);
    uint64_t generated = 0;
    std::string schema_used;  // the columns came from the catalog
    // Key values, one per row.
    std::vector<Expr*> key_exprs;
    if (ins.source == 2) {  // SET
      Expr* key = nullptr;
      for (auto& a : ins.set) {
        if (same_name(a.column->column().name, target->key())) key = a.value;
      }
      if (!key && seq && same_name(seq->pk_name, target->key()) && !in_.metadata_only) {
        auto id = take_ids(*target, 1);
        if (!id) return sequence_exhausted(*target);
        generated = *id;
        auto* col = arena_.make<ColumnRef>();
        col->parts[0].name = arena_.copy(target->key());
        col->n = 1;
        key = number_literal(*id);
        ins.set.push(arena_, Assignment{col, key});
      }
      if (!key && !in_.metadata_only) return missing_key(*target);
      if (key) key_exprs.push_back(key);
    } else {
      int key_pos = -1;
      // Without a column list (and with values in its rows) the key's position comes from the
      // table's columns as the backends have them (the schema catalog); a prepared statement's
      // metadata plan needs no key. `INSERT INTO t VALUES ()` fills defaults, as `() VALUES ()`.
      const bool all_rows_empty = std::all_of(ins.rows.begin(), ins.rows.end(),
                                              [](const Row* r) { return r->items.empty(); });
      if (!ins.has_columns && !all_rows_empty && !in_.metadata_only) {
        auto columns = table_columns(*target);
        if (auto* p = std::get_if<Plan>(&columns)) return std::move(*p);
        const auto& schema = *std::get<std::shared_ptr<const TableSchema>>(columns);
        if (auto err = check_value_counts(ins, schema, *target)) return std::move(*err);
        key_pos = schema.insert_position(target->key());
        schema_used = SchemaCatalog::key(target->db(), target->table());
        if (key_pos < 0)
          return Plan::make_error({1054, "42S22"}, "Unknown column '" + target->key() + "' in '" +
                                                       target->table() +
                                                       "': the shard key is not among the "
                                                       "table's columns on the backends");
      }
      for (uint32_t i = 0; i < ins.columns.size(); ++i) {
        if (same_name(ins.columns[i].name, target->key())) key_pos = int(i);
      }
      // NULL or DEFAULT for a key a global sequence fills: the sequence's next ids, as the
      // server's AUTO_INCREMENT would fill them.
      if (key_pos >= 0 && seq && same_name(seq->pk_name, target->key()) && !in_.metadata_only) {
        std::vector<uint32_t> to_fill;
        for (uint32_t r = 0; r < ins.rows.size(); ++r) {
          if (uint32_t(key_pos) < ins.rows[r]->items.size() &&
              takes_generated_id(ins.rows[r]->items[key_pos]))
            to_fill.push_back(r);
        }
        if (!to_fill.empty()) {
          auto first = take_ids(*target, to_fill.size());
          if (!first) return sequence_exhausted(*target);
          generated = *first;
          for (size_t i = 0; i < to_fill.size(); ++i)
            ins.rows[to_fill[i]]->items[key_pos] = number_literal(*first + i);
        }
      }
      if (key_pos < 0 && seq && same_name(seq->pk_name, target->key()) && !in_.metadata_only) {
        auto first = take_ids(*target, ins.rows.size());
        if (!first) return sequence_exhausted(*target);
        generated = *first;
        Ident col;
        col.name = arena_.copy(target->key());
        ins.columns.push(arena_, col);
        ins.has_columns = true;  // `VALUES ()` without a list: now `(key) VALUES (id)`
        for (uint32_t r = 0; r < ins.rows.size(); ++r)
          ins.rows[r]->items.push(arena_, number_literal(*first + r));
        key_pos = int(ins.columns.size() - 1);
      }
      if (key_pos < 0 && !in_.metadata_only) return missing_key(*target);
      for (auto* row : ins.rows) {
        if (key_pos < 0) break;
        if (uint32_t(key_pos) >= row->items.size())
          return Plan::make_error({1136, "21S01"},
                                  "Column count doesn't match value count at row 1");
        key_exprs.push_back(row->items[key_pos]);
      }
    }
    // Sub-table of every row.
    std::vector<int> row_index;
    if (in_.metadata_only) {
      // Parameters unknown: every row "goes" to the first sub-table.
      row_index.assign(std::max<size_t>(1, ins.rows.size()), target->sub_tables().front().index);
      key_exprs.clear();
    }
    for (auto* e : key_exprs) {
      auto v = constant_value(e, in_.params);
      if (!v)
        return Plan::make_error(kNotSupported, "the shard key " + target->key() + " of " +
                                                   target->table() +
                                                   " must be given as a constant");
      if (v->is_null())
        return Plan::make_error({1048, "23000"}, "Column '" + target->key() +
                                                     "' cannot be null: it is the shard key of " +
                                                     target->table());
      auto r = target->function()->find(write_key(*v, *target->function()));
      if (auto* err = std::get_if<ShardError>(&r))
        return Plan::make_error(errc::kUnknownError,
                                "shard key of " + target->table() + ": " + err->message);
      row_index.push_back(std::get<int>(r));
    }
    Plan plan;
    plan.kind = PlanKind::kRoute;
    plan.explain_type = "shard";
    plan.is_write = true;
    plan.generated_id = generated;
    plan.schema_used = std::move(schema_used);
    std::vector<int> distinct = row_index;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    bool reprint = generated != 0 || distinct.size() > 1;
    ArenaVec<Row*> all_rows = ins.rows;
    for (int idx : distinct) {
      if (ins.source != 2 && distinct.size() > 1) {
        ArenaVec<Row*> subset;
        for (uint32_t r = 0; r < all_rows.size(); ++r) {
          if (row_index[r] == idx) subset.push(arena_, all_rows[r]);
        }
        ins.rows = subset;
      }
      auto q = shard_query(ins, scan, idx, {}, /*alias_ok=*/false, reprint);
      ins.rows = all_rows;
      if (auto* p = std::get_if<Plan>(&q)) return std::move(*p);
      plan.queries.push_back(std::move(std::get<ShardQuery>(q)));
    }
    plan.result = plan.queries.size() == 1 ? ResultMode::kRelay : ResultMode::kSumAffected;
    return plan;
  }

  // INSERT INTO sharded SELECT ... FROM co-located tables: when the value for the target's key
  // is a co-located source table's key column, every row stays on its sub-table index, so each
  // shard runs INSERT INTO t_i SELECT ... FROM s_i.
  Plan insert_select(InsertStatement& ins, const TableScan& scan, const ShardRule& target) {
    auto refuse = [&](const std::string& why) {
      return Plan::make_error(kNotSupported, "INSERT ... SELECT into sharded table " +
                                                 target.table() + " is not supported: " + why);
    };
    if (auto err = check_colocated(scan)) return std::move(*err);
    Query* q = ins.select;
    if (!q->body || q->body->kind != QueryBodyKind::Select || q->limit || !q->order_by.empty())
      return refuse("only a plain SELECT (no UNION, ORDER BY or LIMIT) can be split per shard");
    auto* core = static_cast<SelectCore*>(q->body);
    if (!core->group_by.empty() || core->having || (core->options & kSelDistinct))
      return refuse("the SELECT must not group or de-duplicate rows");
    bool star = false;
    for (auto& item : core->items) {
      star |= item.expr->kind == ExprKind::Star;
      if (item.expr->kind != ExprKind::Star && contains_aggregate(item.expr))
        return refuse("the SELECT must not aggregate");
    }
    if (star) {
      // `SELECT *` from one sharded table: its columns (from the schema catalog), so the key's
      // value can be found among them.
      const TableUse* source = nullptr;
      for (auto& u : scan.uses) {
        if (!u.insert_target) source = source ? nullptr : &u;
      }
      if (!in_.schema || !source || !source->rule || source->rule->is_global() ||
          source->in_subquery || core->from.size() != 1 || source->node != core->from[0])
        return refuse("name the selected columns");
      auto columns = table_columns_of(*source->rule);
      if (auto* p = std::get_if<Plan>(&columns)) {
        p->is_write = true;
        return std::move(*p);
      }
      expand_star(*q, *core, *std::get<std::shared_ptr<const TableSchema>>(columns),
                  source->qualifier());
    }
    int key_pos = -1;
    std::string schema_used;
    if (!ins.has_columns) {
      // Without a column list: the table's columns (read first when not known), as many as
      // the SELECT's.
      auto columns = table_columns(target);
      if (auto* p = std::get_if<Plan>(&columns)) return std::move(*p);
      const auto& schema = *std::get<std::shared_ptr<const TableSchema>>(columns);
      if (core->items.size() != schema.insert_columns().size()) {
        if (!in_.schema_loaded) return schema_fetch(target);
        return Plan::make_error({1136, "21S01"}, "Column count doesn't match value count at row 1");
      }
      key_pos = schema.insert_position(target.key());
      schema_used = SchemaCatalog::key(target.db(), target.table());
    }
    for (uint32_t i = 0; i < ins.columns.size(); ++i) {
      if (same_name(ins.columns[i].name, target.key())) key_pos = int(i);
    }
    if (key_pos < 0) return refuse("the column list must include the shard key " + target.key());
    if (uint32_t(key_pos) >= core->items.size())
      return Plan::make_error({1136, "21S01"}, "Column count doesn't match value count at row 1");
    Expr* key_source = core->items[key_pos].expr;
    bool key_ok = false;
    for (auto& u : scan.uses) {
      if (!u.rule || u.rule->is_global() || u.insert_target || u.in_subquery) continue;
      KeyColumns key;
      key.key = u.rule->key();
      key.qualifiers.push_back(u.qualifier());
      if (is_key_column(key_source, key)) key_ok = true;
    }
    if (!key_ok)
      return refuse("the value for " + target.key() +
                    " must be the shard key column of a table sharded the same way");
    outer_rules_ = scan.sharded;
    std::vector<Expr*> where_like, join_all;
    collect_select_conditions(*q, where_like, join_all);
    std::vector<Expr*> for_joins = where_like;
    for_joins.insert(for_joins.end(), join_all.begin(), join_all.end());
    // The target is not part of the SELECT's joins: check the source tables only.
    TableScan sources = scan;
    sources.uses.erase(std::remove_if(sources.uses.begin(), sources.uses.end(),
                                      [](const TableUse& u) { return u.insert_target; }),
                       sources.uses.end());
    if (auto err = check_join_keys(sources, for_joins)) return std::move(*err);
    auto targets = target_indexes(sources, where_like);
    if (auto* p = std::get_if<Plan>(&targets)) return std::move(*p);
    if (std::get<IndexSet>(targets).size() > 1) {
      if (auto err = outer_join_refusal(*q, scan)) return std::move(*err);
    }
    Plan plan;
    plan.kind = PlanKind::kRoute;
    plan.explain_type = "shard";
    plan.is_write = true;
    plan.schema_used = std::move(schema_used);
    for (int i : std::get<IndexSet>(targets)) {
      // (`*` expanded: printed as checked, so the shards read the columns the key was found in.)
      auto sq = shard_query(ins, scan, i, {}, /*alias_ok=*/true, /*reprint=*/star);
      if (auto* p = std::get_if<Plan>(&sq)) return std::move(*p);
      plan.queries.push_back(std::move(std::get<ShardQuery>(sq)));
    }
    plan.result = plan.queries.size() == 1 ? ResultMode::kRelay : ResultMode::kSumAffected;
    return plan;
  }

  // The columns of `r`'s table as the backends have them (an INSERT without a column list):
  // from the schema catalog, else a plan that reads them first (SchemaFetch), or a refusal
  // when the planner has no catalog.
  std::variant<std::shared_ptr<const TableSchema>, Plan> table_columns(const ShardRule& r) {
    if (!in_.schema)
      return Plan::make_error(kNotSupported,
                              "INSERT into sharded table " + r.table() + " needs a column list");
    if (auto t = in_.schema->lookup(r.db(), r.table())) return t;
    return schema_fetch(r);
  }

  // A table's columns for a read (`*` named): as table_columns, without the INSERT wording.
  std::variant<std::shared_ptr<const TableSchema>, Plan> table_columns_of(const ShardRule& r) {
    if (auto t = in_.schema->lookup(r.db(), r.table())) return t;
    return schema_fetch(r, /*write=*/false);
  }

  // `*` (or `t.*`) in a scatter SELECT over one sharded base table that de-duplicates its rows
  // or orders them by a position: what the merge refuses for string columns it cannot name.
  bool star_needs_names(const Query& q, const SelectCore& core, const TableScan& scan) const {
    if (scan.uses.size() != 1 || scan.sharded.size() != 1 || !scan.uses[0].rule ||
        core.from.size() != 1 || core.from[0]->kind != TableRefKind::Table ||
        scan.uses[0].node != core.from[0])
      return false;
    if (merge_names_star(q, core)) return true;
    // Window functions the merge evaluates read their inputs as hidden columns after the
    // visible ones, whose count `*` leaves to the shards: `*` becomes the table's columns.
    if (!in_.schema || !core.group_by.empty() || core.having) return false;
    bool star = false;
    for (auto& item : core.items) star |= item.expr->kind == ExprKind::Star;
    return star && calls_window_functions(q, core) && !windows_pinned_to_shards(q, core, scan);
  }

  // A `*` in the select list that the merge compares or orders by position (DISTINCT, ORDER BY
  // <n>), without GROUP BY or HAVING, and a catalog to name its columns from.
  bool merge_names_star(const Query& q, const SelectCore& core) const {
    if (!in_.schema || !core.group_by.empty() || core.having) return false;
    bool star = false;
    for (auto& item : core.items) star |= item.expr->kind == ExprKind::Star;
    if (!star) return false;
    if (core.options & (kSelDistinct | kSelDistinctRow)) return true;
    for (auto& o : q.order_by) {
      if (o.expr->kind == ExprKind::Literal &&
          static_cast<const Literal*>(o.expr)->literal_kind == LiteralKind::Integer)
        return true;
    }
    return false;
  }

  // Every ORDER BY position is within `count` columns (past them, the shards' own 1054 stands,
  // as the server answers it, not the merge's).
  static bool positions_within(const Query& q, size_t count) {
    for (auto& o : q.order_by) {
      if (o.expr->kind != ExprKind::Literal ||
          static_cast<const Literal*>(o.expr)->literal_kind != LiteralKind::Integer)
        continue;
      auto text = static_cast<const Literal*>(o.expr)->text;
      uint64_t pos = 0;
      auto r = std::from_chars(text.data(), text.data() + text.size(), pos);
      if (r.ec != std::errc() || r.ptr != text.data() + text.size() || pos < 1 || pos > count)
        return false;
    }
    return true;
  }

  // `qualifier`.`column` items for a table's columns as `*` names them (INVISIBLE ones left out).
  void push_star_columns(ArenaVec<SelectItem>& items, std::string_view qualifier,
                         const TableSchema& schema) {
    for (const SchemaColumn* c : schema.insert_columns()) {
      auto* col = arena_.make<ColumnRef>();
      col->parts[0].name = arena_.copy(qualifier);
      col->parts[0].quoted = true;
      col->parts[1].name = arena_.copy(c->name);
      col->parts[1].quoted = true;
      col->n = 2;
      items.push(arena_, SelectItem{col, Ident{}, false});
    }
  }

  static bool natural_or_using(const TableRef* r, int depth = 0) {
    if (!r || depth > 256) return true;
    if (r->kind == TableRefKind::Join) {
      auto* j = static_cast<const JoinRef*>(r);
      return j->natural || j->has_using || natural_or_using(j->left, depth + 1) ||
             natural_or_using(j->right, depth + 1);
    }
    if (r->kind == TableRefKind::Paren) {
      for (auto* i : static_cast<const ParenRef*>(r)->items) {
        if (natural_or_using(i, depth + 1)) return true;
      }
    }
    return false;
  }

  // `*` (or `t.*`) over a join of base tables in a statement that de-duplicates its rows or
  // orders them by a position, merged across shards: each table's columns named in FROM
  // order (what `*` means without NATURAL or USING), from the schema catalog, so the merge can
  // ask each string column's collation. A plan reading a table's columns first when they are
  // not known; nullopt otherwise (expanded, or not this shape).
  std::optional<Plan> expand_star_over_join(Query& q, SelectCore& core, const TableScan& scan) {
    if (!merge_names_star(q, core)) return std::nullopt;
    std::vector<JoinLeaf> leaves;
    bool has_outer = false;
    if (!join_leaves(core.from, leaves, has_outer) || leaves.size() < 2) return std::nullopt;
    for (auto* r : core.from) {
      if (natural_or_using(r)) return std::nullopt;
    }
    std::vector<std::pair<std::string_view, std::shared_ptr<const TableSchema>>> tables;
    for (auto& leaf : leaves) {
      const TableUse* use = nullptr;
      for (auto& u : scan.uses) {
        if (u.node == leaf.table) use = &u;
      }
      if (!use || !use->rule) return std::nullopt;
      auto columns = table_columns_of(*use->rule);
      if (auto* p = std::get_if<Plan>(&columns)) return std::move(*p);
      tables.emplace_back(use->qualifier(),
                          std::get<std::shared_ptr<const TableSchema>>(std::move(columns)));
    }
    ArenaVec<SelectItem> items;
    for (auto& item : core.items) {
      if (item.expr->kind != ExprKind::Star) {
        items.push(arena_, item);
        continue;
      }
      auto* st = static_cast<const Star*>(item.expr);
      bool found = st->n == 0;
      for (auto& [qualifier, schema] : tables) {
        if (st->n == 0) {
          push_star_columns(items, qualifier, *schema);
        } else if (same_name(qualifier, st->parts[st->n - 1].name)) {
          push_star_columns(items, qualifier, *schema);
          found = true;
          break;
        }
      }
      if (!found) return std::nullopt;  // (the server's own error: an unknown table)
    }
    if (positions_within(q, items.size())) core.items = items;
    return std::nullopt;
  }

  // Replaces each `*` / `qualifier.*` of the select list by the table's columns (as the
  // server expands it: INVISIBLE ones left out), qualified, so each has a name.
  void expand_star(const Query& q, SelectCore& core, const TableSchema& schema,
                   std::string_view qualifier) {
    ArenaVec<SelectItem> items;
    for (auto& item : core.items) {
      if (item.expr->kind != ExprKind::Star) {
        items.push(arena_, item);
        continue;
      }
      push_star_columns(items, qualifier, schema);
    }
    if (positions_within(q, items.size())) core.items = items;
  }

  Plan schema_fetch(const ShardRule& r, bool write = true) {
    Plan p;
    p.kind = PlanKind::kError;
    p.is_write = write;
    p.error = PlanError{kNotSupported, "the columns of " + r.db() + "." + r.table() +
                                           " are not known: Tessera reads them first"};
    p.needs_schema = SchemaCatalog::key(r.db(), r.table());
    return p;
  }

  // Every row of an INSERT without a column list has one value per column, as the server
  // checks it (1136, the first row that does not, counted from 1). A mismatch against columns
  // not read for this very statement may mean they changed on the backends: read them again
  // first, so a stale catalog never decides the answer (nor where a value goes).
  std::optional<Plan> check_value_counts(const InsertStatement& ins, const TableSchema& schema,
                                         const ShardRule& r) {
    const size_t want = schema.insert_columns().size();
    for (uint32_t i = 0; i < ins.rows.size(); ++i) {
      if (ins.rows[i]->items.size() == want) continue;
      if (!in_.schema_loaded) return schema_fetch(r);
      return Plan::make_error({1136, "21S01"}, "Column count doesn't match value count at row " +
                                                   std::to_string(i + 1));
    }
    return std::nullopt;
  }

  // NULL or DEFAULT: what makes the server's AUTO_INCREMENT (here a global sequence) fill a
  // key.
  bool takes_generated_id(const Expr* e) const {
    if (e->kind == ExprKind::Default) return true;
    auto v = constant_value(e, in_.params);
    return v && v->is_null();
  }

  Expr* number_literal(uint64_t v) {
    auto* lit = arena_.make<Literal>();
    lit->literal_kind = LiteralKind::Integer;
    lit->text = arena_.copy(std::to_string(v));
    return lit;
  }

  std::optional<uint64_t> take_ids(const ShardRule& r, uint64_t count) {
    if (!in_.sequences) return std::nullopt;
    return in_.sequences->take(r.db(), r.table(), count);
  }

  Plan sequence_exhausted(const ShardRule& r) {
    Plan p;
    p.kind = PlanKind::kError;
    p.error = PlanError{errc::kUnknownError, "global sequence for " + r.db() + "." + r.table() +
                                                 " has no ids available"};
    p.needs_sequence = r.db() + "." + r.table();
    return p;
  }

  Plan missing_key(const ShardRule& r) {
    return Plan::make_error(
        {1364, "HY000"}, "Field '" + r.key() +
                             "' doesn't have a default value: it is the shard key of " + r.table() +
                             " and must be given (or come from a global sequence)");
  }

  // ---- UPDATE / DELETE ----

  Plan update_delete(Statement& stmt) {
    auto scan = scan_tables(stmt, rules_, in_.current_db);
    if (scan.sharded.empty() && scan.globals.empty()) return default_slice();
    Expr* where = nullptr;
    std::vector<Expr*> joins_inner, joins_all;
    bool has_order_or_limit = false;
    bool sets_key = false;  // the UPDATE assigns a shard key column
    if (stmt.kind == StatementKind::Update) {
      auto& u = static_cast<UpdateStatement&>(stmt);
      where = u.where;
      for (auto* r : u.tables) {
        inner_join_conditions(r, joins_inner, false);
        all_join_conditions(r, joins_all);
      }
      has_order_or_limit = !u.order_by.empty() || u.limit;
      for (auto& a : u.set) {
        for (auto* r : scan.sharded) {
          KeyColumns key;
          key.key = r->key();
          for (auto& use : scan.uses) {
            if (use.rule == r) key.qualifiers.push_back(use.qualifier());
          }
          if (is_key_column(a.column, key)) sets_key = true;
        }
      }
    } else {
      auto& d = static_cast<DeleteStatement&>(stmt);
      where = d.where;
      for (auto* r : d.from) {
        inner_join_conditions(r, joins_inner, false);
        all_join_conditions(r, joins_all);
      }
      has_order_or_limit = !d.order_by.empty() || d.limit;
    }
    if (scan.sharded.empty()) {
      // Global tables only (plus unsharded ones being read).
      const ShardRule* written = scan.globals[0];
      return global_write(stmt, scan, *written);
    }
    if (auto err = check_colocated(scan)) return std::move(*err);
    outer_rules_ = scan.sharded;
    std::vector<Expr*> conditions = joins_inner;
    if (where) conditions.push_back(where);
    std::vector<Expr*> for_joins = conditions;
    for_joins.insert(for_joins.end(), joins_all.begin(), joins_all.end());
    if (auto err = check_join_keys(scan, for_joins)) return std::move(*err);
    auto targets = target_indexes(scan, conditions);
    if (auto* p = std::get_if<Plan>(&targets)) return std::move(*p);
    auto& indexes = std::get<IndexSet>(targets);
    // A row whose key changes may belong to another sub-table now, and ORDER BY/LIMIT over
    // several shards picks rows out of all of them: both read the rows first
    // (read_then_write). A prepared statement's metadata plan needs neither.
    if (!in_.metadata_only && (sets_key || (indexes.size() > 1 && has_order_or_limit)))
      return read_then_write(stmt, scan, indexes, sets_key);
    // Single-table DELETE cannot take an alias, so its names are replaced without one.
    bool alias_ok =
        stmt.kind == StatementKind::Update || !static_cast<DeleteStatement&>(stmt).targets.empty();
    Plan plan;
    plan.kind = PlanKind::kRoute;
    plan.explain_type = "shard";
    plan.is_write = true;
    for (int i : indexes) {
      auto q = shard_query(stmt, scan, i, {}, alias_ok, false);
      if (auto* p = std::get_if<Plan>(&q)) return std::move(*p);
      plan.queries.push_back(std::move(std::get<ShardQuery>(q)));
    }
    plan.result = plan.queries.size() == 1 ? ResultMode::kRelay : ResultMode::kSumAffected;
    return plan;
  }

  // ---- UPDATE / DELETE that read their rows first (exec/engine/read_then_write.h) ----
  //
  // An UPDATE of the shard key, or UPDATE / DELETE ... ORDER BY ... LIMIT over several
  // shards: the candidate rows are read `FOR UPDATE` by a SELECT planned as any SELECT over
  // the table (its scatter merge takes the ORDER BY / LIMIT), then written by primary key. The
  // SELECT reads the primary key and the shard key; for a key move every stored column and
  // each SET expression as `__tsr_new<i>`, evaluated by the row's own shard.
  Plan read_then_write(Statement& stmt, const TableScan& scan, const IndexSet& indexes,
                       bool moves_key) {
    const ShardRule& rule = *scan.sharded[0];
    const std::string what =
        moves_key ? "updating the shard key column " + rule.key() + " of " + rule.table()
                  : "ORDER BY/LIMIT in an UPDATE or DELETE over several shards of " + rule.table();
    auto refuse = [&](const std::string& why) {
      return Plan::make_error(kNotSupported, what + ": " + why + " is not supported");
    };
    const bool is_update = stmt.kind == StatementKind::Update;
    ArenaVec<TableRef*>* from = nullptr;
    Expr** where = nullptr;
    ArenaVec<OrderItem>* order_by = nullptr;
    Limit** limit = nullptr;
    if (is_update) {
      auto& u = static_cast<UpdateStatement&>(stmt);
      if (u.ignore) return refuse("UPDATE IGNORE");
      if (u.with) return refuse("WITH");
      if (u.tables.size() != 1 || u.tables[0]->kind != TableRefKind::Table)
        return refuse("a multi-table UPDATE");
      from = &u.tables;
      where = &u.where;
      order_by = &u.order_by;
      limit = &u.limit;
    } else {
      auto& d = static_cast<DeleteStatement&>(stmt);
      if (d.ignore) return refuse("DELETE IGNORE");
      if (d.with) return refuse("WITH");
      if (!d.targets.empty() || d.from.size() != 1 || d.from[0]->kind != TableRefKind::Table)
        return refuse("a multi-table DELETE");
      if (!d.returning.empty()) return refuse("DELETE ... RETURNING");
      from = &d.from;
      where = &d.where;
      order_by = &d.order_by;
      limit = &d.limit;
    }
    if (scan.uses.size() != 1 || scan.has_unsharded || !scan.globals.empty())
      return refuse("a statement reading other tables");
    if (*limit && ((*limit)->rows_examined || (*limit)->fetch)) return refuse("this LIMIT form");
    if (!in_.schema) return refuse("a namespace without schema tracking");
    auto learned = table_columns_of(rule);
    if (auto* p = std::get_if<Plan>(&learned)) return std::move(*p);
    const TableSchema& schema = *std::get<std::shared_ptr<const TableSchema>>(learned);
    const auto pk = schema.primary_key();
    if (pk.empty()) return refuse("a table without a PRIMARY KEY (rows are written by it)");

    auto spec = std::make_shared<exec::engine::ReadThenWriteSpec>();
    spec->is_delete = !is_update;
    spec->moves_key = moves_key;
    // The row's columns the SELECT reads, in order.
    std::vector<std::string> names;
    auto position = [&](std::string_view name) -> int {
      for (size_t i = 0; i < names.size(); ++i) {
        if (same_name(names[i], name)) return int(i);
      }
      return -1;
    };
    if (moves_key) {
      for (const auto& c : schema.columns) {
        if (!c.generated) names.push_back(c.name);
      }
    } else {
      for (const auto* c : pk) names.push_back(c->name);
      if (position(rule.key()) < 0) names.push_back(rule.key());
    }
    for (const auto* c : pk) {
      spec->pk.push_back(size_t(position(c->name)));
      std::string quoted;
      sql::append_identifier(quoted, c->name, /*force=*/true);
      spec->pk_names.push_back(std::move(quoted));
    }
    if (position(rule.key()) < 0)
      return Plan::make_error({1054, "42S22"}, "Unknown column '" + rule.key() + "' in '" +
                                                   rule.table() +
                                                   "': the shard key is not among the table's "
                                                   "columns on the backends");
    spec->key = size_t(position(rule.key()));
    spec->row_columns = names.size();

    auto* core = arena_.make<SelectCore>();
    for (const auto& n : names) {
      auto* col = arena_.make<ColumnRef>();
      col->parts[0].name = arena_.copy(n);
      col->parts[0].quoted = true;
      col->n = 1;
      core->items.push(arena_, SelectItem{col, Ident{}, false});
    }
    if (moves_key) {
      auto& u = static_cast<UpdateStatement&>(stmt);
      std::vector<std::string> assigned_before;
      for (size_t j = 0; j < u.set.size(); ++j) {
        const Assignment& a = u.set[j];
        const std::string_view col = a.column->column().name;
        const int at = position(col);
        if (at < 0) {
          for (const auto& c : schema.columns) {
            if (same_name(c.name, col) && c.generated)
              return Plan::make_error(
                  {3105, "HY000"}, "The value specified for generated column '" + std::string(col) +
                                       "' in table '" + rule.table() + "' has been ignored");
          }
          return Plan::make_error({1054, "42S22"},
                                  "Unknown column '" + std::string(col) + "' in 'field list'");
        }
        for (const auto& b : assigned_before) {
          if (same_name(b, col)) return refuse("assigning column " + std::string(col) + " twice");
        }
        if (a.value->kind == ExprKind::Default) return refuse("SET ... = DEFAULT");
        if (names_any_column(a.value, assigned_before))
          return refuse("a SET expression reading a column the same SET assigns before it");
        assigned_before.emplace_back(col);
        const std::string alias = "__tsr_new" + std::to_string(j);
        Ident id;
        id.name = arena_.copy(alias);
        id.quoted = true;
        core->items.push(arena_, SelectItem{a.value, id, true});
        const size_t value_column = names.size() + j;
        spec->assigned.emplace_back(size_t(at), value_column);
        if (same_name(col, rule.key())) spec->new_key = value_column;
      }
      for (size_t i = 0; i < schema.columns.size(); ++i) {
        const auto& c = schema.columns[i];
        if (!c.on_update_now || c.generated) continue;
        const int at = position(c.name);
        if (at < 0 || std::any_of(spec->assigned.begin(), spec->assigned.end(),
                                  [&](const auto& p) { return p.first == size_t(at); }))
          continue;
        spec->on_update_now.push_back(size_t(at));
      }
    }

    // The statements that write by primary key, one per sub-table read: the client's
    // statement without its WHERE, ORDER BY and LIMIT, the keys appended as the WHERE.
    std::vector<std::pair<int, std::string>> writes;
    {
      Expr* kept_where = *where;
      ArenaVec<OrderItem> kept_order = *order_by;
      Limit* kept_limit = *limit;
      *where = nullptr;
      *order_by = ArenaVec<OrderItem>();
      *limit = nullptr;
      for (int i : indexes) {
        auto q = shard_query(stmt, scan, i, {}, /*alias_ok=*/is_update, /*reprint=*/true);
        if (auto* p = std::get_if<Plan>(&q)) return std::move(*p);
        writes.emplace_back(i, std::get<ShardQuery>(q).sql + " WHERE ");
      }
      *where = kept_where;
      *order_by = kept_order;
      *limit = kept_limit;
    }
    std::vector<std::string> insert_columns(names.begin(), names.end());
    for (const auto& st : rule.sub_tables()) {
      exec::engine::WriteTable t;
      t.index = st.index;
      t.target.slice = st.slice;
      t.target.db = st.db;
      for (auto& [i, sql] : writes) {
        if (i == st.index) t.write = sql;
      }
      if (moves_key) {
        t.remove = remove_head(st);
        t.insert = insert_head(st, insert_columns);
      } else if (t.write.empty()) {
        continue;
      }
      spec->tables.push_back(std::move(t));
    }
    for (const auto& r : rules_.rules()) {
      if (r.get() == &rule) spec->route = key_route(r);
    }
    if (!spec->route) return refuse("a rule the rule set does not hold");

    // The read: SELECT <columns> FROM <the table as written> WHERE ... ORDER BY ... LIMIT ...
    // FOR UPDATE, planned as any SELECT (printed from the tree: it has no text of its own).
    core->from.push(arena_, (*from)[0]);
    core->where = *where;
    auto* query = arena_.make<Query>();
    query->body = core;
    query->order_by = *order_by;
    query->limit = *limit;
    query->locking = arena_.make<Locking>();
    auto* select = arena_.make<SelectStatement>();
    select->query = query;
    const bool kept_reprint = force_reprint_;
    force_reprint_ = true;
    Plan read = select_as_written(*select);
    force_reprint_ = kept_reprint;
    if (read.kind == PlanKind::kError) {
      read.error.message = what + ": reading its rows: " + read.error.message;
      return read;
    }
    if (read.kind != PlanKind::kRoute ||
        (read.result != ResultMode::kRelay && read.result != ResultMode::kMerge) ||
        read.queries.empty())
      return refuse("a WHERE that needs more than one read of the table");

    Plan plan;
    plan.kind = PlanKind::kRoute;
    plan.explain_type = "shard";
    plan.is_write = true;
    plan.result = ResultMode::kReadThenWrite;
    plan.merge = std::move(read.merge);
    plan.schema_used = SchemaCatalog::key(rule.db(), rule.table());
    for (auto& q : read.queries) {
      q.sql = "SET STATEMENT character_set_results=NULL FOR " + q.sql;
      plan.queries.push_back(std::move(q));
    }
    plan.read_then_write = std::move(spec);
    return plan;
  }

  // ---- DDL ----

  Plan ddl(Statement& stmt) {
    auto scan = scan_tables(stmt, rules_, in_.current_db);
    if (scan.sharded.empty() && scan.globals.empty()) return default_slice();
    if (stmt.kind == StatementKind::RenameTable)
      return Plan::make_error(kNotSupported,
                              "RENAME TABLE of sharded or global tables is not supported: change "
                              "the shard rules instead");
    if (scan.has_unsharded || scan.sharded.size() + scan.globals.size() > 1) {
      return Plan::make_error(kNotSupported,
                              "DDL naming a sharded or global table together with other tables is "
                              "not supported: run one statement per table");
    }
    if (stmt.kind == StatementKind::CreateTable && static_cast<CreateTableStatement&>(stmt).select)
      return Plan::make_error(
          kNotSupported, "CREATE TABLE ... SELECT for a sharded or global table is not supported");
    const ShardRule& rule = scan.sharded.empty() ? *scan.globals[0] : *scan.sharded[0];
    Plan plan;
    plan.kind = PlanKind::kRoute;
    plan.schema_changes.push_back(SchemaCatalog::key(rule.db(), rule.table()));
    plan.explain_type = rule.is_global() ? "global" : "shard";
    plan.is_write = true;
    plan.result = ResultMode::kSumAffected;
    for (auto& st : rule.sub_tables()) {
      auto q = rule.is_global() ? shard_query(stmt, scan, -1, st.slice, false, false)
                                : shard_query(stmt, scan, st.index, {}, false, false);
      if (auto* p = std::get_if<Plan>(&q)) return std::move(*p);
      plan.queries.push_back(std::move(std::get<ShardQuery>(q)));
    }
    return plan;
  }

  Plan database_ddl(DatabaseStatement& d) {
    // A database the rules shard lives on every slice they use (under its physical name for
    // mycat rules, `db_0`...); create or drop it everywhere.
    std::vector<std::pair<std::string, std::string>> targets;  // (slice, physical db)
    auto add = [&](const std::string& slice, const std::string& db) {
      std::pair<std::string, std::string> t{slice, db};
      if (std::find(targets.begin(), targets.end(), t) == targets.end()) targets.push_back(t);
    };
    std::string logical(d.name.name);
    add(rules_.default_slice(), std::string(rules_.physical_db(logical)));
    bool sharded_db = false;
    for (auto& r : rules_.rules()) {
      if (!same_name(r->db(), logical)) continue;
      sharded_db = true;
      for (auto& st : r->sub_tables()) add(st.slice, st.db);
    }
    if (!sharded_db) return default_slice();
    // The name's source span, to splice a physical name in.
    size_t begin = d.name.pos, end = begin;
    if (end < sql_.size() && sql_[end] == '`') {
      for (++end; end < sql_.size(); ++end) {
        if (sql_[end] == '`') {
          if (end + 1 < sql_.size() && sql_[end + 1] == '`') {
            ++end;
            continue;
          }
          ++end;
          break;
        }
      }
    } else {
      while (end < sql_.size() &&
             (std::isalnum(static_cast<unsigned char>(sql_[end])) || sql_[end] == '_' ||
              sql_[end] == '$' || static_cast<unsigned char>(sql_[end]) >= 0x80))
        ++end;
    }
    Plan plan;
    plan.kind = PlanKind::kRoute;
    plan.explain_type = "global";
    plan.is_write = true;
    plan.result = ResultMode::kSumAffected;
    for (auto& [slice, db] : targets) {
      ShardQuery q;
      q.slice = slice;
      if (db == logical || end <= begin) {
        q.sql = std::string(sql_);
      } else {
        q.sql =
            std::string(sql_.substr(0, begin)) + quote_ident(db) + std::string(sql_.substr(end));
      }
      plan.queries.push_back(std::move(q));
    }
    return plan;
  }

  // ---- SHOW / EXPLAIN ----

  Plan show(ShowStatement& s) {
    bool tables = false;
    for (auto w : s.words) {
      if (w == "TABLES") tables = true;
    }
    if (!tables) return default_slice();
    std::string_view db = s.database.empty() ? in_.current_db : s.database.name;
    Plan plan;
    bool any = false;
    for (auto& r : rules_.rules()) {
      if (!same_name(r->db(), db)) continue;
      any = true;
      for (auto& st : r->sub_tables()) {
        if (st.table != r->table()) plan.table_aliases.emplace_back(st.table, r->table());
      }
    }
    if (!any) return default_slice();
    plan.kind = PlanKind::kRoute;
    plan.result = ResultMode::kShowTables;
    plan.explain_type = "unshard";
    ShardQuery q;
    q.slice = rules_.default_slice();
    q.sql = std::string(sql_);
    plan.queries.push_back(std::move(q));
    return plan;
  }

  Plan explain(ExplainStatement& e) {
    if (!e.statement || !e.options.empty()) return default_slice();
    // The explained statement's text: from its first token to the end.
    Planner inner(sql_, parsed_, in_, arena_);
    inner.force_reprint_ = true;  // the splice would copy the EXPLAIN keyword too
    Plan p = inner.run(*e.statement);
    if (p.kind == PlanKind::kError) return p;
    Plan out;
    out.kind = PlanKind::kExplain;
    if (p.kind == PlanKind::kDefaultSlice) {
      out.explain_type = "unshard";
      ShardQuery q;
      q.slice = rules_.default_slice();
      q.db = std::string(in_.current_db);
      q.sql = to_sql(*e.statement);
      out.queries.push_back(std::move(q));
      return out;
    }
    out.explain_type = p.explain_type;
    if (p.result == ResultMode::kSetOperation ||
        (p.result == ResultMode::kLookupJoin && p.hash_join)) {
      // The operator tree, each route with its SQL (the primitives copy the text they print).
      attach_primitives(p, in_.traits);
      if (p.root) p.root->describe(out.explain_tree, 0);
      for (auto& line : out.explain_tree) {
        if (!line.sql.empty() && line.db.empty()) line.db = std::string(in_.current_db);
      }
    }
    out.queries = std::move(p.queries);
    for (auto& q : out.queries) {
      if (q.db.empty()) q.db = std::string(in_.current_db);
    }
    return out;
  }

  std::string_view sql_;
  ParseResult& parsed_;
  const PlanInput& in_;
  const ShardRuleSet& rules_;
  Arena& arena_;
  std::vector<const ShardRule*> outer_rules_;
  bool force_reprint_ = false;
  // The CTEs subqueries' results became (`__tj`, `__tj2`, ...; a derived table read twice is
  // two of them under one name), and how many names were given.
  std::vector<const TableName*> materialized_;
  size_t stages_ = 0;
  // Planning one candidate of materialize() alone: it is not materialized in turn (its tree
  // rewritten for a plan that is then not taken), nested subqueries are candidates of their own.
  bool nested_candidate_ = false;
  bool decorrelated_ = false;  // correlated subqueries rewritten (decorrelated())
  bool ctes_inlined_ = false;  // planning the text select_ctes_inlined made
};

}  // namespace

bool plans_by_named_tables(sql::StatementKind kind) {
  // Each of these starts (Planner::select, insert, update_delete) with the tables it names and
  // returns the default slice when none is a rule's.
  using sql::StatementKind;
  return kind == StatementKind::Select || kind == StatementKind::Insert ||
         kind == StatementKind::Replace || kind == StatementKind::Update ||
         kind == StatementKind::Delete;
}

Plan plan_statement(std::string_view sql, ParseResult& parsed, const PlanInput& in, Arena& arena) {
  if (!in.rules || in.rules->empty() || !parsed.statement) return Plan{};
  Planner p(sql, parsed, in, arena);
  Plan plan = p.run(*parsed.statement);
  attach_primitives(plan, in.traits);
  return plan;
}

}  // namespace tessera::router
