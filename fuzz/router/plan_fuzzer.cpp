// Parse + plan: any input that parses is planned against the sharded namespace of
// tests/unit/router/sharded_namespace.h (t1..t3 hashed on a, t4 global, range/date/mod/mycat
// rules), as a query and as COM_STMT_PREPARE would (metadata only, then with values bound to
// its '?'). Every plan must satisfy tests/unit/router/plan_checks.h (routes carry queries with
// a slice and SQL that re-parses and names no sharded logical table; errors carry a message
// and a code); anything else traps. Crashes, hangs and sanitizer reports are libFuzzer's.
// Inputs starting with 0xFF are expanded into long operator chains, deep nesting or huge IN
// lists first (fuzz/sql/chain_expander.h), e.g. a 60,000-term `a = 1 OR a = 2 ...`.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "../sql/chain_expander.h"
#include "config/namespace_config.h"
#include "plan_checks.h"
#include "router/planner.h"
#include "router/shard_rule.h"
#include "sharded_namespace.h"
#include "sql/parser.h"

using namespace tessera;
using namespace tessera::router;

namespace {

class CountingSequence : public SequenceSource {
 public:
  std::optional<uint64_t> take(std::string_view, std::string_view, uint64_t count) override {
    if (count > 1000) return std::nullopt;
    uint64_t first = next;
    next += count;
    if (next > (1u << 30)) next = 1;
    return first;
  }
  uint64_t next = 1000;
};

struct Env {
  config::Namespace ns = config::parse_namespace(testing::kShardedNamespace, "fuzz");
  std::shared_ptr<const ShardRuleSet> rules = [this] {
    auto r = ShardRuleSet::build(ns);
    testing::learn_test_schemas(*r);
    return r;
  }();
  CountingSequence seq;
  sql::Parser parser;
  sql::Arena arena, scratch;
};

void check(const Plan& plan, std::string_view sql, const char* mode, Env& env) {
  std::vector<testing::PlanProblem> problems;
  testing::check_plan(plan, *env.rules, testing::kShardedDb, env.parser, env.scratch, problems);
  if (problems.empty()) return;
  std::fprintf(stderr, "plan check failed (%s)\n  input: %.*s\n", mode,
               int(std::min<size_t>(sql.size(), 2000)), sql.data());
  for (auto& p : problems) std::fprintf(stderr, "  %s\n", p.detail.c_str());
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Env* env = new Env;
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  static std::string expanded;
  if (fuzz::expand_chain(data, size, expanded)) sql = expanded;
  PlanInput in;
  in.rules = env->rules.get();
  in.current_db = testing::kShardedDb;
  in.sequences = &env->seq;
  in.sequence_config = &env->ns.global_sequences;
  in.schema = &env->rules->schema();
  in.schema_loaded = true;

  env->arena.reset();
  sql::ParseResult r = env->parser.parse(sql, env->arena);
  if (!r.ok()) return 0;
  uint32_t params_count = r.param_count;
  check(plan_statement(sql, r, in, env->arena), sql, "query", *env);

  // The planner may change the AST: parse again for each further plan.
  env->arena.reset();
  r = env->parser.parse(sql, env->arena);
  if (!r.ok()) __builtin_trap();  // the same text parsed a moment ago
  PlanInput prepare = in;
  prepare.metadata_only = true;
  check(plan_statement(sql, r, prepare, env->arena), sql, "prepare", *env);

  if (params_count == 0) return 0;
  std::vector<ShardValue> params;
  std::vector<std::string> literals;
  for (uint32_t i = 0; i < params_count; ++i) {
    // Values derived from the input so the fuzzer can steer them a little.
    uint8_t b = data[i % size];
    switch (b % 4) {
      case 0:
        params.push_back(ShardValue::of(int64_t(int8_t(b)) * 1000003));
        break;
      case 1:
        params.push_back(ShardValue::of(std::string(sql.substr(0, b % 16))));
        break;
      case 2:
        params.push_back(ShardValue::null());
        break;
      default:
        params.push_back(ShardValue::of_unsigned(UINT64_MAX - b));
        break;
    }
    literals.push_back(b % 2 ? "NULL" : std::to_string(b));
  }
  env->arena.reset();
  r = env->parser.parse(sql, env->arena);
  if (!r.ok()) __builtin_trap();
  PlanInput execute = in;
  execute.params = &params;
  execute.param_literals = &literals;
  check(plan_statement(sql, r, execute, env->arena), sql, "execute", *env);
  return 0;
}
