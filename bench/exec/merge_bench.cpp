// Ordered k-way merge throughput: three shard streams of text-protocol rows sorted by an
// integer key (and by a _ci string key, also with the hidden COLLATION() column the planner
// adds, naming utf8mb4_unicode_ci; and by a uca1400 string, which the merge compares by the
// WEIGHT_STRING() column the planner then also asks for), merged the way the executor drives
// the pipeline.
// Reported as rows/s (items_per_second); row parsing from payloads is included.
#include <benchmark/benchmark.h>

#include <optional>
#include <string>
#include <vector>

#include "exec/merge_pipeline.h"
#include "exec/row.h"

namespace {

using tessera::exec::MergePipeline;
using tessera::exec::MergeSpec;
using tessera::exec::Row;
using tessera::protocol::ColumnDefinition;
using tessera::protocol::FieldType;

constexpr size_t kShards = 3;

std::vector<ColumnDefinition> columns(bool with_collation = false, bool with_weights = false) {
  ColumnDefinition id;
  id.type = FieldType::kLongLong;
  id.charset = 63;
  ColumnDefinition name;
  name.type = FieldType::kVarString;
  name.charset = 45;
  ColumnDefinition amount;
  amount.type = FieldType::kNewDecimal;
  amount.decimals = 2;
  if (!with_collation) return {id, name, amount};
  // The hidden COLLATION(name) column the planner adds (issue 18).
  if (!with_weights) return {id, name, amount, name};
  ColumnDefinition weights;  // IF(..., NULL, WEIGHT_STRING(name)): VARBINARY
  weights.type = FieldType::kVarString;
  weights.charset = 63;
  return {id, name, amount, name, weights};
}

// Stand-in for WEIGHT_STRING(name) under a UCA collation: two bytes per character, in order.
std::string fake_weights(const std::string& s) {
  std::string out;
  for (char ch : s) {
    out.push_back(static_cast<char>(0x20));
    out.push_back(ch);
  }
  return out;
}

// Shard s holds ids s, s+3, s+6...: the merge interleaves all three evenly.
std::vector<std::vector<std::string>> make_shards(size_t rows_per_shard,
                                                  const char* collation = nullptr,
                                                  bool with_weights = false) {
  std::vector<std::vector<std::string>> shards(kShards);
  for (size_t s = 0; s < kShards; ++s) {
    for (size_t i = 0; i < rows_per_shard; ++i) {
      size_t id = i * kShards + s;
      char name[32];
      std::snprintf(name, sizeof name, "user-%08zu", id);
      std::vector<std::optional<std::string>> cells{std::to_string(id), std::string(name),
                                                    std::to_string(id % 1000) + ".25"};
      if (collation) cells.emplace_back(collation);
      if (with_weights) cells.emplace_back(fake_weights(name));
      shards[s].push_back(Row::of(cells).payload());
    }
  }
  return shards;
}

// `collation`: every row also carries COLLATION(name) = it, as the planner's hidden column.
// `with_weights`: and WEIGHT_STRING(name), which the merge compares (collation not native).
void run_merge(benchmark::State& state, size_t key_column, const char* collation = nullptr,
               bool with_weights = false) {
  const size_t per_shard = static_cast<size_t>(state.range(0));
  auto shards = make_shards(per_shard, collation, with_weights);
  MergeSpec spec;
  spec.shard_order = {{key_column, false}};
  spec.order_by = spec.shard_order;
  if (collation) {
    spec.hidden_columns = 1;
    spec.collation_columns = {{1, 3}};
  }
  if (with_weights) {
    spec.hidden_columns = 2;
    spec.weight_columns = {{1, 4}};
  }
  size_t emitted = 0;
  for (auto _ : state) {
    auto p = MergePipeline::create(spec, columns(collation != nullptr, with_weights), kShards);
    std::vector<size_t> pos(kShards, 0);
    Row out;
    for (;;) {
      auto r = (*p)->next(out);
      if (*r == MergePipeline::Poll::kDone) break;
      if (*r == MergePipeline::Poll::kRow) {
        benchmark::DoNotOptimize(out.payload().data());
        ++emitted;
        continue;
      }
      size_t s = *(*p)->wants();
      if (pos[s] < per_shard) {
        (void)(*p)->offer_payload(s, shards[s][pos[s]++]);
      } else {
        (void)(*p)->finish(s);
      }
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(emitted));
}

void BM_OrderedMergeIntKey(benchmark::State& state) {
  run_merge(state, 0);
}
void BM_OrderedMergeCiStringKey(benchmark::State& state) {
  run_merge(state, 1);
}

void BM_OrderedMergeUnicodeCiKeyWithCollationColumn(benchmark::State& state) {
  run_merge(state, 1, "utf8mb4_unicode_ci");
}

void BM_OrderedMergeUca1400KeyByServerWeights(benchmark::State& state) {
  run_merge(state, 1, "utf8mb4_uca1400_ai_ci 0209", true);
}

BENCHMARK(BM_OrderedMergeIntKey)->Arg(10000)->Arg(100000);
BENCHMARK(BM_OrderedMergeCiStringKey)->Arg(10000)->Arg(100000);
BENCHMARK(BM_OrderedMergeUnicodeCiKeyWithCollationColumn)->Arg(10000)->Arg(100000);
BENCHMARK(BM_OrderedMergeUca1400KeyByServerWeights)->Arg(10000)->Arg(100000);

}  // namespace

BENCHMARK_MAIN();
