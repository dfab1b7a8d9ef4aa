// The hash join operator (exec/hash_join.h): keys under the comparison's collation, NULL never
// equal, inner and LEFT joins, and the grace hash join beyond the budget equal to the join in
// memory and to a nested-loop reference.
#include "exec/hash_join.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "exec_test_util.h"

namespace tessera::exec {
namespace {

using testing::Cells;
using testing::kNull;

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

std::vector<Cells> run(HashJoinSpec spec, const std::vector<Cells>& build,
                       const std::vector<Cells>& probe, bool* spilled = nullptr,
                       std::optional<MergeError>* error = nullptr) {
  HashJoin j(std::move(spec));
  std::vector<Cells> out;
  Row r;
  for (const auto& b : build) {
    Status s = j.add_build(Row::of(b));
    if (!s) {
      if (error) *error = s.error();
      return out;
    }
  }
  EXPECT_TRUE(j.finish_build().ok());
  for (const auto& p : probe) {
    Status s = j.add_probe(Row::of(p));
    EXPECT_TRUE(s.ok());
    while (j.next(r)) out.push_back(testing::cells_of(r));
  }
  EXPECT_TRUE(j.finish_probe().ok());
  while (j.next(r)) out.push_back(testing::cells_of(r));
  EXPECT_FALSE(j.error()) << (j.error() ? j.error()->message : "");
  EXPECT_TRUE(j.done());
  if (spilled) *spilled = j.spilled();
  std::sort(out.begin(), out.end());
  return out;
}

HashJoinSpec text_join(bool outer, const char* collation = "utf8mb4_general_ci") {
  HashJoinSpec s;
  s.build_keys = {0};
  s.probe_keys = {0};
  s.key_types = {text_type(collation)};
  s.probe_outer = outer;
  s.build_width = 2;
  return s;
}

TEST(HashJoin, KeysCompareUnderTheCollationAndNullNeverMatches) {
  std::vector<Cells> build{{"Apple", "b1"}, {"banana ", "b2"}, {kNull, "b3"}, {"äpple", "b4"}};
  std::vector<Cells> probe{{"apple", "p1"}, {"BANANA", "p2"}, {kNull, "p3"}, {"cherry", "p4"}};
  // general_ci: a = A = ä, trailing spaces ignored (PAD SPACE); NULL joins nothing.
  EXPECT_EQ(run(text_join(false), build, probe),
            (std::vector<Cells>{{"BANANA", "p2", "banana ", "b2"},
                                {"apple", "p1", "Apple", "b1"},
                                {"apple", "p1", "äpple", "b4"}}));
  // LEFT JOIN keeps p3 and p4, NULL-extended; _bin compares bytes (only "banana " vs "BANANA"
  // differ in case, so nothing matches there).
  auto left = run(text_join(true, "utf8mb4_bin"), build, probe);
  EXPECT_EQ(left, (std::vector<Cells>{{kNull, "p3", kNull, kNull},
                                      {"BANANA", "p2", kNull, kNull},
                                      {"apple", "p1", kNull, kNull},
                                      {"cherry", "p4", kNull, kNull}}));
}

TEST(HashJoin, NumbersJoinByValueAcrossTypes) {
  HashJoinSpec s;
  s.build_keys = {0};
  s.probe_keys = {1};
  s.key_types = {int_type()};
  s.build_width = 1;
  auto out = run(s, {{"1.00"}, {"2"}, {"-0"}}, {{"a", "1"}, {"b", "0"}, {"c", "3"}});
  EXPECT_EQ(out, (std::vector<Cells>{{"a", "1", "1.00"}, {"b", "0", "-0"}}));
}

// (k, tag): k an integer with many duplicates, NULL sometimes, tag text.
std::vector<Cells> side(size_t n, unsigned seed, const char* prefix) {
  std::mt19937 rng(seed);
  std::vector<Cells> out;
  for (size_t i = 0; i < n; ++i) {
    Cells c;
    if (rng() % 17 == 0) {
      c.push_back(kNull);
    } else {
      c.push_back(std::to_string(rng() % 700));
    }
    c.push_back(std::string(prefix) + std::to_string(i));
    out.push_back(c);
  }
  return out;
}

std::vector<Cells> nested_loop(const std::vector<Cells>& build, const std::vector<Cells>& probe,
                               bool outer) {
  std::vector<Cells> out;
  for (const auto& p : probe) {
    bool any = false;
    for (const auto& b : build) {
      if (p[0] && b[0] && std::stoi(*p[0]) == std::stoi(*b[0])) {
        out.push_back({p[0], p[1], b[0], b[1]});
        any = true;
      }
    }
    if (!any && outer) out.push_back({p[0], p[1], kNull, kNull});
  }
  std::sort(out.begin(), out.end());
  return out;
}

class HashJoinSpill : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tessera-hj-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    open_before_ = spill_totals().open_files;
  }
  void TearDown() override {
    EXPECT_TRUE(std::filesystem::is_empty(dir_));
    EXPECT_EQ(spill_totals().open_files, open_before_);
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  uint64_t open_before_ = 0;
};

TEST_F(HashJoinSpill, GraceHashJoinEqualsTheJoinInMemory) {
  auto build = side(4000, 1, "b"), probe = side(3000, 2, "p");
  for (bool outer : {false, true}) {
    SCOPED_TRACE(outer ? "LEFT" : "inner");
    HashJoinSpec s;
    s.build_keys = {0};
    s.probe_keys = {0};
    s.key_types = {int_type()};
    s.probe_outer = outer;
    s.build_width = 2;
    auto want = nested_loop(build, probe, outer);
    EXPECT_EQ(run(s, build, probe), want);
    auto budget = std::make_shared<MemoryBudget>(8 * 1024, dir_);
    s.budget = budget;
    bool spilled = false;
    EXPECT_EQ(run(s, build, probe, &spilled), want);
    EXPECT_TRUE(spilled);
    EXPECT_GT(budget->spilled(), 0u);
    EXPECT_EQ(budget->used(), 0u);
    // The build rows held stay within the budget (plus one row and its key).
    EXPECT_LE(budget->peak(), 8 * 1024 + 512);
  }
}

TEST_F(HashJoinSpill, OverTheBudgetWithSpillingOffIs1038) {
  HashJoinSpec s;
  s.build_keys = {0};
  s.probe_keys = {0};
  s.key_types = {int_type()};
  s.build_width = 2;
  s.budget = std::make_shared<MemoryBudget>(8 * 1024, "");
  std::optional<MergeError> error;
  run(s, side(4000, 3, "b"), {}, nullptr, &error);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code.code, 1038);
  EXPECT_NE(error->message.find("hash join"), std::string::npos) << error->message;
}

}  // namespace
}  // namespace tessera::exec
