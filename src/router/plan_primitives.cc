#include "router/plan_primitives.h"

#include "exec/engine/fan_out.h"
#include "exec/engine/lookup_join.h"
#include "exec/engine/read_then_write.h"
#include "exec/engine/recursive_walk.h"
#include "exec/engine/route.h"
#include "exec/engine/scatter.h"
#include "exec/engine/schema_fetch.h"
#include "exec/engine/sequence_fetch.h"
#include "exec/engine/set_operation.h"

namespace tessera::router {

namespace {

exec::engine::Target target_of(const ShardQuery& q, exec::engine::Role role) {
  exec::engine::Target t;
  t.slice = q.slice;
  t.db = q.db;
  t.role = role;
  return t;
}

}  // namespace

void attach_primitives(Plan& plan, const exec::engine::StatementTraits& traits) {
  if (plan.kind == PlanKind::kError && !plan.needs_sequence.empty()) {
    // The sequence's reserved ids ran out: reserve more, then plan again (sequence_fetch.h).
    plan.kind = PlanKind::kRoute;
    plan.is_write = true;  // an INSERT that takes ids
    plan.root = std::make_shared<exec::engine::SequenceFetch>(plan.needs_sequence);
    return;
  }
  if (plan.kind == PlanKind::kError && !plan.needs_schema.empty()) {
    // The table's columns are unknown (or stale): read them, then plan again (schema_fetch.h).
    // (is_write as the planner says: an INSERT, or a SELECT whose `*` needs names.)
    plan.kind = PlanKind::kRoute;
    plan.root = std::make_shared<exec::engine::SchemaFetch>(plan.needs_schema);
    return;
  }
  if (plan.kind != PlanKind::kRoute || plan.queries.empty()) return;
  // The primitives borrow the queries' text from the plan, which owns it for as long as the
  // statement runs (Plan is move-only, and a moved vector keeps its strings where they are).
  // The session's route decision (session/read_routing.h) has the last word on a read split.
  const auto role = plan.is_write ? exec::engine::Role::kPrimary : exec::engine::Role::kReadSplit;
  auto queries = [&]() {
    std::vector<exec::engine::Query> out;
    out.reserve(plan.queries.size());
    for (const auto& q : plan.queries) out.push_back({target_of(q, role), q.sql, q.index});
    return out;
  };
  auto fan_out = [&]() {
    exec::engine::FanOutSpec spec;
    spec.is_write = plan.is_write;
    spec.writes_copies = plan.writes_copies;
    spec.generated_id = plan.generated_id;
    plan.root = std::make_shared<exec::engine::FanOut>(queries(), spec, traits);
  };
  switch (plan.result) {
    case ResultMode::kRelay:
      // A generated id (global sequence) is the OK's LAST_INSERT_ID: the fan-out's answer.
      if (plan.generated_id != 0) {
        fan_out();
        return;
      }
      plan.root = std::make_shared<exec::engine::Route>(exec::engine::Route::Borrow{},
                                                        target_of(plan.queries[0], role),
                                                        plan.queries[0].sql, traits);
      return;
    case ResultMode::kMerge: {
      auto scatter = std::make_shared<exec::engine::Scatter>(queries(), role, plan.merge, traits);
      if (plan.fallback) {
        attach_primitives(*plan.fallback, traits);
        // (shares the fallback plan's ownership: its primitives borrow its queries' text)
        if (plan.fallback->root)
          scatter->set_fallback(std::shared_ptr<const exec::engine::Primitive>(
              plan.fallback, plan.fallback->root.get()));
      }
      plan.root = std::move(scatter);
      return;
    }
    case ResultMode::kSumAffected:
      fan_out();
      return;
    case ResultMode::kSetOperation: {
      if (!plan.set_op || plan.queries.size() < 2 + (plan.set_op->names ? 1 : 0)) return;
      std::vector<exec::engine::SetBranch> branches;
      for (const auto& b : plan.set_op->branches) {
        exec::engine::SetBranch branch;
        for (size_t i = b.first; i < b.first + b.count && i < plan.queries.size(); ++i) {
          const auto& q = plan.queries[i];
          branch.queries.push_back({target_of(q, role), q.sql, q.index});
        }
        branch.merge = b.merge;
        branch.scatter = b.scatter;
        branch.weighed = b.weighed;
        branches.push_back(std::move(branch));
      }
      exec::engine::Query metadata{target_of(plan.queries[0], role), plan.queries[0].sql, -1};
      exec::engine::Query collations{target_of(plan.queries[1], role), plan.queries[1].sql, -1};
      std::vector<exec::engine::Query> units;
      for (size_t i = 2; i < 2 + plan.set_op->units && i < plan.queries.size(); ++i)
        units.push_back({target_of(plan.queries[i], role), plan.queries[i].sql, -1});
      std::optional<exec::engine::Query> names;
      if (plan.set_op->names) {
        const auto& last = plan.queries.back();
        names = exec::engine::Query{target_of(last, role), last.sql, -1};
      }
      plan.root = std::make_shared<exec::engine::SetOperation>(
          std::move(metadata), std::move(collations), std::move(units), std::move(branches),
          plan.set_op->spec, role, traits, std::move(names));
      return;
    }
    case ResultMode::kLookupJoin: {
      if (!plan.join) return;
      const JoinPlan& j = *plan.join;
      size_t staged = 0;
      for (const auto& st : j.stages) staged += st.queries;
      if (j.driver == 0 || j.inner == 0 ||
          staged + j.driver + j.inner + j.probes + j.complement + (j.types ? 1 : 0) !=
              plan.queries.size())
        return;
      exec::engine::LookupJoinSpec spec;
      auto all = queries();
      {
        auto at = all.begin();
        for (const auto& st : j.stages) {
          exec::engine::MaterializedStage stage;
          stage.queries.assign(at, at + static_cast<long>(st.queries));
          at += static_cast<long>(st.queries);
          stage.merge = st.merge;
          stage.cte = st.cte;
          stage.cte_columns = st.cte_columns;
          spec.stages.push_back(std::move(stage));
        }
        all.erase(all.begin(), at);
      }
      spec.driver.assign(all.begin(), all.begin() + static_cast<long>(j.driver));
      spec.inner.assign(all.begin() + static_cast<long>(j.driver),
                        all.begin() + static_cast<long>(j.driver + j.inner));
      spec.probes.assign(all.begin() + static_cast<long>(j.driver + j.inner),
                         all.begin() + static_cast<long>(j.driver + j.inner + j.probes));
      spec.complement.assign(
          all.begin() + static_cast<long>(j.driver + j.inner + j.probes),
          all.begin() + static_cast<long>(j.driver + j.inner + j.probes + j.complement));
      if (j.types) spec.types = all.back();
      spec.merge = plan.merge;
      spec.qualifier = j.qualifier;
      spec.driver_table = j.driver_table;
      spec.driver_merge = j.driver_merge;
      spec.single_batch = j.single_batch;
      spec.cte_columns = j.cte_columns;
      spec.cte = j.cte;
      spec.recursive = j.recursive;
      spec.typed_by = j.typed_by;
      if (j.single_batch) spec.batch_rows = SIZE_MAX, spec.batch_bytes = 16u << 20;
      if (plan.hash_join && j.stages.empty() &&
          plan.hash_join->queries.size() == plan.hash_join->build + plan.hash_join->probe + 2) {
        const HashJoinPlan& h = *plan.hash_join;
        auto run = [&](const ShardQuery& q) {
          return exec::engine::Query{target_of(q, role), q.sql, q.index};
        };
        exec::engine::HashJoinReadSpec hs;
        for (size_t i = 0; i < h.build; ++i) hs.build.push_back(run(h.queries[i]));
        for (size_t i = h.build; i < h.build + h.probe; ++i) hs.probe.push_back(run(h.queries[i]));
        hs.types = run(h.queries[h.build + h.probe]);
        hs.key_collations = run(h.queries[h.build + h.probe + 1]);
        for (uint32_t k = 0; k < h.keys; ++k) {
          hs.build_keys.push_back(k);
          hs.probe_keys.push_back(k);
        }
        hs.probe_outer = h.outer;
        hs.project = h.project;
        hs.merge = plan.merge;
        hs.when = h.forced ? "hinted HASH_JOIN" : "driving rows > hash_join_rows, or the budget";
        spec.hash_join = std::make_shared<exec::engine::HashJoinRead>(std::move(hs), role, traits);
        spec.hash_join_first = h.forced;
      }
      auto join = std::make_shared<exec::engine::LookupJoin>(std::move(spec), role, traits);
      plan.root = join;
      if (plan.recursive_walk) {
        const RecursiveWalkPlan& w = *plan.recursive_walk;
        exec::engine::RecursiveWalkSpec ws;
        for (const auto& q : w.anchor) ws.anchor.push_back({target_of(q, role), q.sql, q.index});
        for (const auto& q : w.step) ws.step.push_back({target_of(q, role), q.sql, q.index});
        ws.anchor_reads_table = w.anchor_reads_table;
        ws.cte = w.cte;
        ws.cte_columns = w.cte_columns;
        ws.width = w.width;
        ws.row_column = w.row_column;
        plan.root =
            std::make_shared<exec::engine::RecursiveWalk>(std::move(ws), join, role, traits);
      }
      return;
    }
    case ResultMode::kReadThenWrite: {
      if (!plan.read_then_write) return;
      exec::engine::ReadThenWriteSpec spec = *plan.read_then_write;
      spec.reads = queries();
      spec.read_merge = plan.merge;
      plan.root = std::make_shared<exec::engine::ReadThenWrite>(std::move(spec));
      return;
    }
    case ResultMode::kShowTables:
      return;
  }
}

}  // namespace tessera::router
