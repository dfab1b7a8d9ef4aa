// Planner + rewrite CPU per statement on a sharded table (issue 4). Not a test: it prints
// figures. The namespace is the planner tests' seed: tbl_ks hashed on id over three slices,
// one sub-table each. Every iteration resets the arena, parses one statement (the key varies
// over 4096 pre-built texts so branch predictors and caches see a realistic spread) and, except
// for the parse-only baselines, plans it with router::plan_statement. A counting global
// operator new reports heap allocations per statement as "allocs"; a summary after the usual
// table gives microseconds per statement and the planner's share (parse+plan minus parse).
#include <benchmark/benchmark.h>

#include "alloc_counter.h"

#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "config/namespace_config.h"
#include "router/planner.h"
#include "router/shard_rule.h"
#include "sql/parser.h"

using namespace tessera;

namespace {

constexpr const char* kNamespace = R"({
  "name": "ns", "allowed_dbs": {"db_ks": true}, "default_slice": "slice-1",
  "slices": [
    {"name": "slice-1", "user_name": "u", "password": "p", "master": "127.0.0.1:3306", "capacity": 1, "max_capacity": 2, "idle_timeout": 60},
    {"name": "slice-2", "user_name": "u", "password": "p", "master": "127.0.0.1:3307", "capacity": 1, "max_capacity": 2, "idle_timeout": 60},
    {"name": "slice-3", "user_name": "u", "password": "p", "master": "127.0.0.1:3308", "capacity": 1, "max_capacity": 2, "idle_timeout": 60}
  ],
  "shard_rules": [
    {"db": "db_ks", "table": "tbl_ks", "type": "hash", "key": "id", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"]},
    {"db": "db_ks", "table": "tbl_ks2", "type": "linked", "parent_table": "tbl_ks", "key": "id"},
    {"db": "db_ks", "table": "tbl_global", "type": "global", "locations": [1,1,1], "slices": ["slice-1","slice-2","slice-3"]}
  ],
  "users": [{"user_name": "app", "password": "pw", "namespace": "ns", "rw_flag": 2, "rw_split": 0}]
})";

constexpr size_t kVariants = 4096;  // distinct statement texts cycled through

struct Env {
  config::Namespace ns;
  std::shared_ptr<const router::ShardRuleSet> rules;
  Env() {
    ns = config::parse_namespace(kNamespace, "bench.json");
    rules = router::ShardRuleSet::build(ns);
  }
};

const Env& env() {
  static const Env e;
  return e;
}

template <class Make>
std::vector<std::string> texts(Make make) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> key(1, 10'000'000);
  std::vector<std::string> out;
  out.reserve(kVariants);
  for (size_t i = 0; i < kVariants; ++i) out.push_back(make(key(rng)));
  return out;
}

const std::vector<std::string>& point_selects() {
  static const auto v = texts(
      [](int64_t id) { return "SELECT c, pad FROM tbl_ks WHERE id = " + std::to_string(id); });
  return v;
}

// Not on the shard key: all three sub-tables, each rewritten with LIMIT offset+count.
const std::vector<std::string>& scatter_selects() {
  static const auto v = texts([](int64_t k) {
    return "SELECT id, c, pad FROM tbl_ks WHERE k = " + std::to_string(k % 100000) +
           " ORDER BY c DESC, id LIMIT 20, 10";
  });
  return v;
}

// Ten consecutive ids: rows for all three sub-tables, split into three INSERTs.
const std::vector<std::string>& inserts() {
  static const auto v = texts([](int64_t base) {
    std::string s = "INSERT INTO tbl_ks (id, k, c, pad) VALUES ";
    for (int i = 0; i < 10; ++i) {
      if (i) s += ", ";
      s += '(';
      s += std::to_string(base + i);
      s += ", ";
      s += std::to_string(4990 + i);
      s += ", '83868641912-28773972837-60736120486-75162659906-27563526494-20381887404-"
           "41576422241-93426793964-56405065102-33518432330', "
           "'67847967377-48000963322-62604785301-91415491898-96926520291')";
    }
    return s;
  });
  return v;
}

void report(benchmark::State& state, uint64_t allocs_before) {
  state.counters["allocs"] = benchmark::Counter(
      double(tessera::bench::allocations() - allocs_before) / double(state.iterations()));
  state.SetItemsProcessed(int64_t(state.iterations()));
}

void parse_only(benchmark::State& state, const std::vector<std::string>& sqls) {
  sql::Arena arena;
  sql::Parser parser;
  for (const auto& s : sqls) {  // warm-up: arena and token buffer reach their steady size
    arena.reset();
    if (!parser.parse(s, arena).ok()) {
      state.SkipWithError(("parse failed: " + s).c_str());
      return;
    }
  }
  size_t i = 0;
  uint64_t before = tessera::bench::allocations();
  for (auto _ : state) {
    const std::string& s = sqls[i++ & (kVariants - 1)];
    arena.reset();
    sql::ParseResult r = parser.parse(s, arena);
    benchmark::DoNotOptimize(r.statement);
  }
  report(state, before);
}

// Plans every text once outside the timing and checks the plan has the expected shape.
bool check_plans(benchmark::State& state, const std::vector<std::string>& sqls,
                 router::ResultMode mode, size_t queries) {
  sql::Arena arena;
  sql::Parser parser;
  router::PlanInput in;
  in.rules = env().rules.get();
  in.current_db = "db_ks";
  for (const auto& s : sqls) {
    arena.reset();
    sql::ParseResult r = parser.parse(s, arena);
    router::Plan p = router::plan_statement(s, r, in, arena);
    if (p.kind != router::PlanKind::kRoute || p.result != mode || p.queries.size() != queries) {
      std::string why = "unexpected plan for: " + s;
      if (p.kind == router::PlanKind::kError) why += " (" + p.error.message + ")";
      state.SkipWithError(why.c_str());
      return false;
    }
  }
  state.SetLabel(std::to_string(queries) + (queries == 1 ? " query" : " queries"));
  return true;
}

void parse_and_plan(benchmark::State& state, const std::vector<std::string>& sqls,
                    router::ResultMode mode, size_t queries) {
  if (!check_plans(state, sqls, mode, queries)) return;
  sql::Arena arena;
  sql::Parser parser;
  router::PlanInput in;
  in.rules = env().rules.get();
  in.current_db = "db_ks";
  size_t i = 0;
  uint64_t before = tessera::bench::allocations();
  for (auto _ : state) {
    const std::string& s = sqls[i++ & (kVariants - 1)];
    arena.reset();
    sql::ParseResult r = parser.parse(s, arena);
    router::Plan p = router::plan_statement(s, r, in, arena);
    benchmark::DoNotOptimize(p.queries.data());
  }
  report(state, before);
}

void BM_ParsePointSelect(benchmark::State& state) {
  parse_only(state, point_selects());
}
void BM_PlanPointSelect(benchmark::State& state) {
  parse_and_plan(state, point_selects(), router::ResultMode::kRelay, 1);
}
void BM_ParseScatterOrderLimit(benchmark::State& state) {
  parse_only(state, scatter_selects());
}
void BM_PlanScatterOrderLimit(benchmark::State& state) {
  parse_and_plan(state, scatter_selects(), router::ResultMode::kMerge, 3);
}
void BM_ParseInsert10Rows(benchmark::State& state) {
  parse_only(state, inserts());
}
void BM_PlanInsert10Rows(benchmark::State& state) {
  parse_and_plan(state, inserts(), router::ResultMode::kSumAffected, 3);
}

// Console output as usual, then per statement: parse, parse+plan, the planner's share.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred || r.run_type != Run::RT_Iteration) continue;
      ns_[r.benchmark_name()] = r.GetAdjustedCPUTime() * to_ns(r.time_unit);
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::FILE* out = stdout;
    std::fprintf(out, "\nPer statement (CPU time, one core; plan = parse+plan - parse):\n");
    std::fprintf(out, "%-34s %12s %12s %12s %14s\n", "statement", "parse ns", "parse+plan ns",
                 "plan ns", "parse+plan us");
    row(out, "point select (1 shard, relay)", "BM_ParsePointSelect", "BM_PlanPointSelect");
    row(out, "scatter ORDER BY/LIMIT (3 shards)", "BM_ParseScatterOrderLimit",
        "BM_PlanScatterOrderLimit");
    row(out, "10-row INSERT (3 shards)", "BM_ParseInsert10Rows", "BM_PlanInsert10Rows");
    auto it = ns_.find("BM_PlanPointSelect");
    if (it != ns_.end()) {
      std::fprintf(out,
                   "\npoint select: %.3f us per statement parse+plan+rewrite (%.0f/s per core)\n",
                   it->second / 1000.0, 1e9 / it->second);
    }
  }

 private:
  static double to_ns(benchmark::TimeUnit u) {
    switch (u) {
      case benchmark::kNanosecond:
        return 1;
      case benchmark::kMicrosecond:
        return 1e3;
      case benchmark::kMillisecond:
        return 1e6;
      default:
        return 1e9;
    }
  }
  void row(std::FILE* out, const char* what, const std::string& parse, const std::string& plan) {
    auto p = ns_.find(parse), q = ns_.find(plan);
    if (p == ns_.end() || q == ns_.end()) return;
    std::fprintf(out, "%-34s %12.0f %12.0f %12.0f %14.3f\n", what, p->second, q->second,
                 q->second - p->second, q->second / 1000.0);
  }
  std::map<std::string, double> ns_;
};

}  // namespace

BENCHMARK(BM_ParsePointSelect);
BENCHMARK(BM_PlanPointSelect);
BENCHMARK(BM_ParseScatterOrderLimit);
BENCHMARK(BM_PlanScatterOrderLimit);
BENCHMARK(BM_ParseInsert10Rows);
BENCHMARK(BM_PlanInsert10Rows);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  env();  // build the rule set before any timing
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
