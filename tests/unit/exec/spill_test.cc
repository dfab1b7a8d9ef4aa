// The merge operators beyond the statement's memory budget (exec/memory_budget.h,
// exec/spill_file.h): the external sort, GROUP BY's and DISTINCT's hash partitions and the set
// merge's give the same answers as in memory, stay within the budget, leave no file behind,
// and answer 1038 when spilling is off.
#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "exec/group_merge.h"
#include "exec/row_buffers.h"
#include "exec/set_merge.h"
#include "exec/spill_file.h"
#include "exec_test_util.h"

namespace tessera::exec {
namespace {

using testing::Cells;
using testing::kNull;

// A spill directory of this test, empty when the test ends (checked).
class SpillDir : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "tessera-spill-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    open_before_ = spill_totals().open_files;
  }
  void TearDown() override {
    // Files are unlinked when created: the directory never shows one.
    EXPECT_EQ(entries(), 0u);
    EXPECT_EQ(spill_totals().open_files, open_before_) << "a spill file is still open";
    std::filesystem::remove_all(dir_);
  }
  size_t entries() const {
    size_t n = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir_)) ++n;
    return n;
  }
  std::shared_ptr<MemoryBudget> budget(uint64_t limit, bool spill = true) const {
    return std::make_shared<MemoryBudget>(limit, spill ? dir_ : std::string());
  }

  std::string dir_;
  uint64_t open_before_ = 0;
};

ValueType text_type(const char* collation) {
  ValueType t;
  t.family = ValueFamily::kString;
  t.collation = Collation::from_name(collation, Collation::Encoding::kUtf8);
  return t;
}

ValueType int_type() {
  ValueType t;
  t.family = ValueFamily::kSignedInt;
  return t;
}

// Rows (name, n, id): names with case, accents, trailing spaces and NULLs that a _ci collation
// makes equal; many duplicates; id is the arrival order.
std::vector<Row> sample_rows(size_t count, unsigned seed) {
  static const char* names[] = {"apple",  "Apple",  "APPLE ", "äpple", "banana", "Banana",
                                "cherry", "ÇHERRY", "",       " ",     "zebra",  "Zèbra"};
  std::mt19937 rng(seed);
  std::vector<Row> rows;
  for (size_t i = 0; i < count; ++i) {
    Cells c;
    size_t pick = rng() % 14;
    if (pick >= 12) {
      c.push_back(kNull);
    } else {
      c.push_back(std::string(names[pick]) + std::to_string(rng() % 40));
    }
    c.push_back(rng() % 9 == 0 ? std::optional<std::string>()
                               : std::to_string(int(rng() % 50) - 25));
    c.push_back(std::to_string(i));
    rows.push_back(Row::of(c));
  }
  return rows;
}

std::vector<ValueType> sample_types() {
  return {text_type("utf8mb4_general_ci"), int_type(), int_type()};
}

std::vector<Cells> sorted_with(std::vector<SortKey> keys, const std::vector<Row>& rows,
                               std::optional<uint64_t> keep, std::shared_ptr<MemoryBudget> b,
                               size_t* runs = nullptr, std::optional<MergeError>* error = nullptr) {
  MemorySort s(RowComparator(std::move(keys), sample_types()), keep, 0, std::move(b));
  for (const Row& r : rows) {
    Status st = s.add(r);
    if (!st) {
      if (error) *error = st.error();
      return {};
    }
  }
  EXPECT_TRUE(s.finish().ok());
  if (runs) *runs = s.runs();
  std::vector<Cells> out;
  Row r;
  while (s.next(r)) out.push_back(testing::cells_of(r));
  EXPECT_FALSE(s.error());
  return out;
}

TEST_F(SpillDir, ExternalSortEqualsTheStableInMemorySort) {
  auto rows = sample_rows(3000, 1);
  for (auto keys : {std::vector<SortKey>{{0, false}}, std::vector<SortKey>{{0, true}},
                    std::vector<SortKey>{{1, false}, {0, true}}, std::vector<SortKey>{{1, true}}}) {
    auto memory = sorted_with(keys, rows, std::nullopt, nullptr);
    size_t runs = 0;
    auto b = budget(8 * 1024);
    auto spilled = sorted_with(keys, rows, std::nullopt, b, &runs);
    // Many runs: more than one merge pass (fan-in 4 under this budget).
    EXPECT_GT(runs, 16u);
    // Equal keys keep their arrival order (the id column) in both.
    EXPECT_EQ(spilled, memory);
    EXPECT_GT(b->spilled(), 0u);
    // Rows held never pass the budget by more than one row.
    EXPECT_LE(b->peak(), 8 * 1024 + 512);
    EXPECT_EQ(b->used(), 0u);
  }
}

TEST_F(SpillDir, ExternalSortKeepsOnlyTheLimit) {
  auto rows = sample_rows(2000, 2);
  std::vector<SortKey> keys{{0, false}, {2, true}};
  auto memory = sorted_with(keys, rows, 700, nullptr);
  ASSERT_EQ(memory.size(), 700u);
  size_t runs = 0;
  EXPECT_EQ(sorted_with(keys, rows, 700, budget(4 * 1024), &runs), memory);
  EXPECT_GT(runs, 1u);
}

TEST_F(SpillDir, SortOverTheBudgetWithSpillingOffIs1038) {
  auto rows = sample_rows(500, 3);
  std::optional<MergeError> error;
  sorted_with({{0, false}}, rows, std::nullopt, budget(4 * 1024, false), nullptr, &error);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code.code, 1038);
  EXPECT_EQ(std::string(error->code.sqlstate), "HY001");
  EXPECT_NE(error->message.find("merge_memory_bytes"), std::string::npos) << error->message;
  EXPECT_NE(error->message.find("spill_dir"), std::string::npos) << error->message;
}

TEST_F(SpillDir, SpillLimitIsAClearError) {
  auto rows = sample_rows(3000, 4);
  auto b = std::make_shared<MemoryBudget>(4 * 1024, dir_, 16 * 1024);
  std::optional<MergeError> error;
  sorted_with({{0, false}}, rows, std::nullopt, b, nullptr, &error);
  ASSERT_TRUE(error);
  EXPECT_NE(error->message.find("spill_max_bytes"), std::string::npos) << error->message;
}

AggregateSpec agg(AggregateKind kind, size_t column) {
  AggregateSpec a;
  a.kind = kind;
  a.column = column;
  return a;
}

// GROUP BY name: COUNT(n), SUM(n), MIN(n), GROUP_CONCAT(id) (arrival order), the first id.
std::vector<Cells> grouped_with(const std::vector<Row>& rows, std::shared_ptr<MemoryBudget> b,
                                bool* spilled = nullptr,
                                std::optional<MergeError>* error = nullptr) {
  // Columns: name, count, sum, min, concat, id.
  std::vector<protocol::ColumnDefinition> cols{testing::text_col(),     testing::int_col(),
                                               testing::decimal_col(0), testing::int_col(),
                                               testing::text_col(),     testing::int_col()};
  auto g_concat = agg(AggregateKind::kGroupConcat, 4);
  g_concat.separator = ",";
  auto ctx = std::make_shared<AggregateContext>(
      std::vector<AggregateSpec>{agg(AggregateKind::kCount, 1), agg(AggregateKind::kSum, 2),
                                 agg(AggregateKind::kMin, 3), g_concat},
      cols, 1 << 20);
  ctx->types = {text_type("utf8mb4_general_ci"), int_type(), int_type(), int_type(),
                text_type("utf8mb4_bin"),        int_type()};
  GroupMerge g(ctx, {0}, false, 0, std::move(b));
  for (const Row& r : rows) {
    Cells c = testing::cells_of(r);
    Status st = g.add(Row::of({c[0], c[1] ? "1" : "0", c[1], c[1], c[2], c[2]}));
    if (!st) {
      if (error) *error = st.error();
      return {};
    }
  }
  EXPECT_TRUE(g.finish().ok());
  std::vector<Cells> out;
  Row r;
  while (g.next(r)) out.push_back(testing::cells_of(r));
  EXPECT_FALSE(g.error());
  EXPECT_TRUE(g.done());
  if (spilled) *spilled = g.spilled();
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(SpillDir, GroupBySpillEqualsInMemory) {
  auto rows = sample_rows(4000, 5);
  auto memory = grouped_with(rows, nullptr);
  ASSERT_GT(memory.size(), 100u);
  bool spilled = false;
  auto b = budget(6 * 1024);
  EXPECT_EQ(grouped_with(rows, b, &spilled), memory);
  EXPECT_TRUE(spilled);
  EXPECT_GT(b->spilled(), 0u);
  EXPECT_EQ(b->used(), 0u);
}

TEST_F(SpillDir, GroupByOverTheBudgetWithSpillingOffIs1038) {
  std::optional<MergeError> error;
  grouped_with(sample_rows(4000, 6), budget(6 * 1024, false), nullptr, &error);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code.code, 1038);
}

// DISTINCT on (name): every first occurrence, once (the id says which row came first).
std::vector<Cells> distinct_with(const std::vector<Row>& rows, std::shared_ptr<MemoryBudget> b,
                                 bool* spilled = nullptr) {
  DistinctFilter d(sample_types(), {0}, 0, std::move(b));
  std::vector<Cells> out;
  for (const Row& r : rows) {
    auto first = d.admit(r);
    EXPECT_TRUE(first.ok());
    if (first.ok() && *first) out.push_back(testing::cells_of(r));
  }
  EXPECT_TRUE(d.finish().ok());
  Row r;
  for (;;) {
    auto more = d.next_deferred(r);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    out.push_back(testing::cells_of(r));
  }
  if (spilled) *spilled = d.spilled();
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(SpillDir, DistinctSpillEqualsInMemory) {
  auto rows = sample_rows(5000, 7);
  auto memory = distinct_with(rows, nullptr);
  ASSERT_GT(memory.size(), 100u);
  bool spilled = false;
  auto b = budget(2 * 1024);
  EXPECT_EQ(distinct_with(rows, b, &spilled), memory);
  EXPECT_TRUE(spilled);
  EXPECT_EQ(b->used(), 0u);
}

SetSpec two_branches(SetOpKind op, bool all) {
  SetSpec s;
  s.branches = 2;
  SetNode l, r, o;
  l.branch = 0;
  r.branch = 1;
  o.op = op;
  o.all = all;
  o.left = 0;
  o.right = 1;
  s.nodes = {l, r, o};
  s.root = 2;
  return s;
}

std::vector<Cells> set_with(SetSpec spec, const std::vector<Row>& a, const std::vector<Row>& b,
                            std::shared_ptr<MemoryBudget> budget, bool* spilled = nullptr) {
  spec.budget = std::move(budget);
  // Compared on (name, n): the id column is left out of these rows.
  SetMerge m(spec, {text_type("utf8mb4_general_ci"), int_type()});
  std::vector<Cells> out;
  Row r;
  const std::vector<Row>* branches[] = {&a, &b};
  for (size_t i = 0; i < 2; ++i) {
    for (const Row& row : *branches[i]) {
      Cells c = testing::cells_of(row);
      EXPECT_TRUE(m.add(i, Row::of({c[0], c[1]})).ok());
      while (m.next(r)) out.push_back(testing::cells_of(r));
    }
  }
  EXPECT_TRUE(m.finish().ok());
  while (m.next(r)) out.push_back(testing::cells_of(r));
  EXPECT_FALSE(m.error());
  if (spilled) *spilled = m.spilled();
  if (spec.order_by.empty()) {
    // Which of equal rows represents them may differ ('apple' or 'Apple'): compare the
    // multiset of their keys, and the count.
    std::sort(out.begin(), out.end());
  }
  return out;
}

// A row as the _ci collation sees it: 'apple' and 'Apple' are one value.
std::string key_of_cells(const Cells& c) {
  std::string k;
  append_key(text_type("utf8mb4_general_ci"), c[0], k);
  append_key(int_type(), c[1], k);
  return k;
}

std::vector<std::string> canonical(const std::vector<Cells>& rows) {
  std::vector<std::string> out;
  for (const auto& c : rows) out.push_back(key_of_cells(c));
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(SpillDir, SetOperationsSpillEqualInMemory) {
  auto a = sample_rows(3000, 8), b = sample_rows(2500, 9);
  for (auto [op, all] :
       {std::pair{SetOpKind::kUnion, false}, std::pair{SetOpKind::kIntersect, false},
        std::pair{SetOpKind::kIntersect, true}, std::pair{SetOpKind::kExcept, false},
        std::pair{SetOpKind::kExcept, true}}) {
    SCOPED_TRACE(std::to_string(int(op)) + (all ? " ALL" : ""));
    auto memory = set_with(two_branches(op, all), a, b, nullptr);
    bool spilled = false;
    auto budget_ = budget(4 * 1024);
    auto spilled_rows = set_with(two_branches(op, all), a, b, budget_, &spilled);
    EXPECT_TRUE(spilled);
    EXPECT_EQ(canonical(spilled_rows), canonical(memory));
    EXPECT_FALSE(memory.empty());
    EXPECT_EQ(budget_->used(), 0u);
  }
  // With the union's ORDER BY (which spills too) and LIMIT: the same rows in the same order.
  SetSpec ordered = two_branches(SetOpKind::kExcept, true);
  ordered.order_by = {{1, true}, {0, false}};
  ordered.limit = 300;
  auto memory = set_with(ordered, a, b, nullptr);
  auto spilled_rows = set_with(ordered, a, b, budget(4 * 1024));
  ASSERT_EQ(spilled_rows.size(), memory.size());
  // Ties on (n, name) under _ci may pick another spelling; the keys agree row by row.
  for (size_t i = 0; i < memory.size(); ++i) {
    EXPECT_EQ(key_of_cells(spilled_rows[i]), key_of_cells(memory[i])) << i;
  }
}

TEST_F(SpillDir, SetOperationOverTheBudgetWithSpillingOffIs1038) {
  auto a = sample_rows(3000, 10);
  SetSpec spec = two_branches(SetOpKind::kIntersect, true);
  spec.budget = budget(4 * 1024, false);
  SetMerge m(spec, {text_type("utf8mb4_general_ci"), int_type()});
  Status st;
  for (const Row& row : a) {
    Cells c = testing::cells_of(row);
    st = m.add(0, Row::of({c[0], c[1]}));
    if (!st) break;
  }
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code.code, 1038);
}

// Whole pipelines whose operators share one budget: DISTINCT's keys stay pinned while the sort
// after it spills; hashing GROUP BY spills, then the sort of its groups does.
std::vector<std::vector<Cells>> pipeline_shards(unsigned seed) {
  std::vector<std::vector<Cells>> shards(3);
  auto rows = sample_rows(4500, seed);
  for (size_t i = 0; i < rows.size(); ++i) {
    Cells c = testing::cells_of(rows[i]);
    // (n, name, 1): one partial COUNT per row
    shards[i % 3].push_back({c[1], c[0], std::string("1")});
  }
  return shards;
}

TEST_F(SpillDir, PipelinesOverOneBudgetEqualInMemory) {
  std::vector<protocol::ColumnDefinition> cols{testing::int_col(), testing::text_col(),
                                               testing::int_col()};
  auto shards = pipeline_shards(11);
  MergeSpec distinct;
  distinct.hidden_columns = 1;
  distinct.distinct = true;
  distinct.order_by = {{1, true}, {0, false}};
  MergeSpec grouped;
  grouped.group_by = {1};
  AggregateSpec count;
  count.kind = AggregateKind::kCount;
  count.column = 2;
  grouped.aggregates = {count};
  grouped.order_by = {{2, true}, {1, false}};
  for (const MergeSpec& spec : {distinct, grouped}) {
    auto memory = testing::run(spec, cols, shards);
    ASSERT_FALSE(memory.error) << memory.error->message;
    ASSERT_GT(memory.rows.size(), 200u);
    MergeSpec small = spec;
    auto b = budget(8 * 1024);
    small.budget = b;
    auto spilled = testing::run(small, cols, shards);
    ASSERT_FALSE(spilled.error) << spilled.error->message;
    EXPECT_GT(b->spilled(), 0u);
    // Distinct rows and groups: each key once, in the same order (ties under _ci pick the
    // first row seen, which the shards' interleaving decides alike here).
    ASSERT_EQ(spilled.rows.size(), memory.rows.size());
    for (size_t i = 0; i < memory.rows.size(); ++i) {
      EXPECT_EQ(key_of_cells({spilled.rows[i][1], spilled.rows[i][0]}),
                key_of_cells({memory.rows[i][1], memory.rows[i][0]}))
          << i;
    }
    // The budget is shared: what both operators held at once stayed near it.
    EXPECT_LE(b->peak(), 2 * 8 * 1024 + 1024);
    MergeSpec off = spec;
    off.budget = budget(8 * 1024, false);
    auto refused = testing::run(off, cols, shards);
    ASSERT_TRUE(refused.error);
    EXPECT_EQ(refused.error->code.code, 1038);
  }
}

TEST_F(SpillDir, RecordsOfEverySizeReadBack) {
  MemoryBudget b(1024, dir_);
  auto f = SpillFile::create(b);
  ASSERT_TRUE(f.ok());
  SpillWriter w(**f);
  std::vector<std::string> records;
  for (size_t n : {0u, 1u, 3u, 4u, 100u, 300000u, 17u, 600000u, 5u}) {
    records.push_back(std::string(n, static_cast<char>('a' + n % 26)));
    ASSERT_TRUE(w.add(records.back()).ok());
  }
  auto s = w.take();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->records, records.size());
  SpillReader r(**f, *s);
  std::string_view rec;
  for (const auto& want : records) {
    auto more = r.next(rec);
    ASSERT_TRUE(more.ok());
    ASSERT_TRUE(*more);
    EXPECT_EQ(rec, want);
  }
  auto more = r.next(rec);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
  EXPECT_GE(spill_totals().files, 1u);
}

TEST(SpillFile, AMissingDirectoryIsCreatedAndAnUnwritableOneIsAClearError) {
  MemoryBudget bad(1024, "/proc/no-such-dir/spill");
  auto f = SpillFile::create(bad);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find("spill_dir"), std::string::npos) << f.error().message;
}

}  // namespace
}  // namespace tessera::exec
