#!/usr/bin/env bash
# The sharding-planner fuzz target (parse + plan against a sharded namespace + check every plan
# + re-parse every rewritten shard statement): scripts/fuzz-plan.sh [seconds, default 60].
# Crash inputs land in fuzz/corpus-work/plan_fuzzer/crash-*; add each one to kFuzzRegressions in
# tests/unit/router/plan_robustness_test.cc once fixed. See scripts/fuzz.sh.
exec "$(dirname "${BASH_SOURCE[0]}")/fuzz.sh" "${1:-60}" plan_fuzzer
