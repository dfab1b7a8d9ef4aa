// Golden plan tests (issue 17): every statement of tests/unit/router/golden/*.test is planned
// the way frontend plans a text statement (router::plan_statement over the namespace's rules),
// once as `EXPLAIN <statement>` (what the client sees) and once as itself (router::describe_plan:
// kind, queries, how results are combined, errors). The output must equal the checked-in
// .result file; a mismatch prints a unified diff. TESSERA_UPDATE_GOLDEN=1 rewrites the .result
// files instead. Format and directives: golden/README.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "config/namespace_config.h"
#include "router/explain.h"
#include "router/planner.h"
#include "router/shard_rule.h"
#include "sql/parser.h"
#include "sql/writer.h"

namespace tessera::router {
namespace {

namespace fs = std::filesystem;

const fs::path kSourceDir = TESSERA_SOURCE_DIR;
const fs::path kGoldenDir = kSourceDir / "tests/unit/router/golden";

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// Ids start at 1000 for every statement, so adding a statement changes no other's ids.
class GoldenSequence : public SequenceSource {
 public:
  std::optional<uint64_t> take(std::string_view, std::string_view, uint64_t count) override {
    if (exhausted) return std::nullopt;
    uint64_t first = next;
    next += count;
    return first;
  }
  uint64_t next = 1000;
  bool exhausted = false;
};

// `--params` values: NULL, integers, 'quoted strings' ('' for a quote).
struct Param {
  ShardValue value;
  std::string literal;
};

std::vector<Param> parse_params(std::string_view text) {
  std::vector<Param> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
    if (i >= text.size()) break;
    if (text[i] == '\'') {
      std::string s;
      for (++i; i < text.size(); ++i) {
        if (text[i] == '\'') {
          if (i + 1 < text.size() && text[i + 1] == '\'') {
            s.push_back('\'');
            ++i;
            continue;
          }
          ++i;
          break;
        }
        s.push_back(text[i]);
      }
      Param p;
      sql::append_string_literal(p.literal, s);
      // As frontend's shard_value() takes a string parameter: one that spells an integer of
      // up to 18 digits compares as that integer.
      size_t k = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
      bool digits = k < s.size() && s.size() - k <= 18;
      for (size_t j = k; digits && j < s.size(); ++j) digits = s[j] >= '0' && s[j] <= '9';
      p.value = digits ? ShardValue::of(int64_t(std::stoll(s))) : ShardValue::of(s);
      out.push_back(std::move(p));
      continue;
    }
    size_t end = text.find(',', i);
    std::string word = trim(text.substr(i, end == std::string_view::npos ? end : end - i));
    i = end == std::string_view::npos ? text.size() : end;
    Param p;
    p.literal = word;
    if (word.empty()) {
      ADD_FAILURE() << "empty value in --params " << text;
      continue;
    }
    if (word == "NULL") {
      p.value = ShardValue::null();
    } else if (word[0] == '-') {
      p.value = ShardValue::of(int64_t(std::stoll(word)));
    } else {
      p.value = ShardValue::of_unsigned(std::stoull(word));
      if (std::get<uint64_t>(p.value.v) <= uint64_t(INT64_MAX))
        p.value = ShardValue::of(int64_t(std::get<uint64_t>(p.value.v)));
    }
    out.push_back(std::move(p));
  }
  return out;
}

// Runs one .test file and returns what its .result file must hold.
class GoldenRun {
 public:
  std::string run(const fs::path& test_file) {
    for (auto& line : split_lines(read_text(test_file))) {
      if (!statement_.empty()) {
        statement_ += "\n" + line;
        if (ends_statement(line)) finish_statement();
        continue;
      }
      std::string t = trim(line);
      if (t.empty() || t[0] == '#') {
        out_ += line + "\n";
      } else if (t.rfind("--", 0) == 0) {
        out_ += line + "\n";
        directive(t);
      } else {
        statement_ = line;
        if (ends_statement(line)) finish_statement();
      }
    }
    if (!statement_.empty()) ADD_FAILURE() << test_file << ": statement without ';' at the end";
    return out_;
  }

  int statements() const { return count_; }

 private:
  static bool ends_statement(const std::string& line) {
    std::string t = trim(line);
    return !t.empty() && t.back() == ';';
  }

  void directive(const std::string& t) {
    std::string name =
        t.substr(2, t.find(' ') == std::string::npos ? std::string::npos : t.find(' ') - 2);
    std::string arg = t.find(' ') == std::string::npos ? "" : trim(t.substr(t.find(' ')));
    if (name == "namespace") {
      load_namespace(arg);
    } else if (name == "use") {
      db_ = arg;
    } else if (name == "sequence") {
      if (arg != "exhausted" && arg != "available") ADD_FAILURE() << "--sequence " << arg;
      sequence_exhausted_ = arg == "exhausted";
    } else if (name == "schema") {
      learn_schema(arg);
    } else if (name == "params") {
      params_ = parse_params(arg);
      has_params_ = true;
    } else {
      ADD_FAILURE() << "unknown directive " << t;
    }
  }

  // `--schema db.table col, col, ...`: the schema catalog knows the table's columns (as read
  // from a backend; `col:invisible` for an INVISIBLE one, `col:pk` for one of the primary
  // key); `--schema db.table` alone forgets
  // them.
  void learn_schema(const std::string& arg) {
    if (!rules_) {
      ADD_FAILURE() << "--schema before --namespace";
      return;
    }
    std::string table = arg.substr(0, arg.find(' '));
    auto names = SchemaCatalog::split_key(table);
    if (!names) {
      ADD_FAILURE() << "--schema " << arg << ": expected db.table";
      return;
    }
    if (table.size() == arg.size()) {
      rules_->schema().forget(names->first, names->second);
      return;
    }
    TableSchema t;
    std::istringstream cols(arg.substr(table.size() + 1));
    std::string col;
    while (std::getline(cols, col, ',')) {
      SchemaColumn c;
      c.name = trim(col);
      if (c.name.ends_with(":invisible")) {
        c.invisible = true;
        c.name.resize(c.name.size() - std::string_view(":invisible").size());
      }
      if (c.name.ends_with(":pk")) {
        c.primary_key = true;
        c.name.resize(c.name.size() - std::string_view(":pk").size());
      }
      t.columns.push_back(std::move(c));
    }
    t.loaded_at = TableSchema::Clock::now();
    rules_->schema().publish(names->first, names->second, std::move(t));
  }

  // A path under the repository; a CMake template (`.json.in`) gets a number for every
  // `@VARIABLE@` (ports and capacities, which do not change plans).
  void load_namespace(const std::string& path) {
    std::string text = read_text(kSourceDir / path);
    ASSERT_FALSE(text.empty()) << "cannot read " << path;
    if (path.ends_with(".in")) {
      std::string filled;
      for (size_t i = 0; i < text.size(); ++i) {
        size_t close = text[i] == '@' ? text.find('@', i + 1) : std::string::npos;
        if (close != std::string::npos && close - i < 40 &&
            text.find_first_of(" \n\"", i + 1) > close) {
          filled += "100";
          i = close;
        } else {
          filled.push_back(text[i]);
        }
      }
      text = std::move(filled);
    }
    ns_ = config::parse_namespace(text, path);
    rules_ = ShardRuleSet::build(ns_);
  }

  // Plans `sql` as frontend does; a statement Tessera cannot parse is never planned (frontend
  // refuses it with 1064 when it mentions a rule's table and passes it to the default slice
  // otherwise), so its text says that instead.
  std::string planned(const std::string& sql, const PlanInput& base, bool explain,
                      std::string_view indent) {
    sequence_.next = 1000;
    sequence_.exhausted = sequence_exhausted_;
    arena_.reset();
    parsed_ = parser_.parse(sql, arena_);
    if (!parsed_.ok()) {
      // EXPLAIN of DDL, SHOW, SET ... is no statement (for MariaDB either): one short line.
      if (explain) {
        explained_.clear();
        return "(EXPLAIN does not parse)\n";
      }
      return std::string(indent) + "does not parse: " + parsed_.error.message + "\n";
    }
    PlanInput in = base;
    in.rules = rules_.get();
    in.current_db = db_;
    in.sequences = &sequence_;
    in.sequence_config = &ns_.global_sequences;
    in.schema = &rules_->schema();
    Plan p = plan_statement(sql, parsed_, in, arena_);
    if (explain) {
      explained_ = p.kind == PlanKind::kExplain ? explain_rows(p) : std::vector<ExplainRow>{};
      return explain_text(p);
    }
    last_kind_ = p.kind;
    last_single_relay_ = p.result == ResultMode::kRelay && p.generated_id == 0;
    return describe_plan(p, indent, &explained_);
  }

  void finish_statement() {
    std::string text = trim(statement_);
    out_ += statement_ + "\n";
    statement_.clear();
    text.pop_back();  // the ';'
    ++count_;
    if (!rules_) {
      ADD_FAILURE() << "statement before --namespace: " << text;
      return;
    }
    // The client's EXPLAIN, then the statement's own plan.
    out_ += planned("EXPLAIN " + text, {}, true, "");
    if (!has_params_) {
      out_ += planned(text, {}, false, "  ");
      return;
    }
    // A prepared statement, as frontend's sharded_statements.cc plans it: COM_STMT_PREPARE for
    // its metadata, COM_STMT_EXECUTE with the bound values, and, unless that is one relayed
    // query, again with the values printed as literals (the queries then run as text).
    std::vector<ShardValue> values;
    std::vector<std::string> literals;
    std::string shown;
    for (auto& p : params_) {
      values.push_back(p.value);
      literals.push_back(p.literal);
      shown += (shown.empty() ? "" : ", ") + p.literal;
    }
    has_params_ = false;
    params_.clear();
    PlanInput prepare;
    prepare.metadata_only = true;
    out_ += "  prepare:\n" + planned(text, prepare, false, "    ");
    PlanInput execute;
    execute.params = &values;
    out_ += "  execute with " + shown + ":\n" + planned(text, execute, false, "    ");
    if (last_kind_ == PlanKind::kRoute && !last_single_relay_) {
      execute.param_literals = &literals;
      out_ += "  execute as text:\n" + planned(text, execute, false, "    ");
    }
  }

  config::Namespace ns_;
  std::shared_ptr<const ShardRuleSet> rules_;
  std::string db_;
  bool sequence_exhausted_ = false;
  bool has_params_ = false;
  std::vector<Param> params_;
  GoldenSequence sequence_;
  sql::Parser parser_;
  sql::Arena arena_;
  sql::ParseResult parsed_;
  std::string statement_;
  std::string out_;
  int count_ = 0;
  PlanKind last_kind_ = PlanKind::kDefaultSlice;
  bool last_single_relay_ = false;
  std::vector<ExplainRow> explained_;  // the current statement's EXPLAIN rows
};

// A unified diff (3 lines of context) of two texts, from their longest common subsequence of
// lines; golden files are small enough for the quadratic table.
std::string unified_diff(const std::string& expected, const std::string& actual,
                         const std::string& name) {
  auto a = split_lines(expected), b = split_lines(actual);
  size_t n = a.size(), m = b.size();
  std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  struct Op {
    char tag;
    size_t ai, bi;
  };
  std::vector<Op> ops;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      ops.push_back({' ', i++, j++});
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      ops.push_back({'-', i++, j});  // removals first, as diff -u prints them
    } else {
      ops.push_back({'+', i, j++});
    }
  }
  std::string out = "--- " + name + ".result (checked in)\n+++ " + name + ".result (now)\n";
  constexpr size_t kContext = 3;
  size_t k = 0;
  while (k < ops.size()) {
    if (ops[k].tag == ' ') {
      ++k;
      continue;
    }
    size_t start = k >= kContext ? k - kContext : 0;
    size_t end = k;
    // Extend the hunk while changes are within 2 * context of each other.
    while (end < ops.size()) {
      size_t next = end;
      while (next < ops.size() && ops[next].tag != ' ') ++next;
      size_t gap = next;
      while (gap < ops.size() && ops[gap].tag == ' ' && gap - next < 2 * kContext + 1) ++gap;
      if (gap < ops.size() && ops[gap].tag != ' ') {
        end = gap;
        continue;
      }
      end = std::min(ops.size(), next + kContext);
      break;
    }
    size_t a_start = ops[start].ai, b_start = ops[start].bi, a_len = 0, b_len = 0;
    std::string body;
    for (size_t x = start; x < end; ++x) {
      const Op& o = ops[x];
      if (o.tag != '+') ++a_len;
      if (o.tag != '-') ++b_len;
      body += o.tag;
      body += o.tag == '+' ? b[o.bi] : a[o.ai];
      body += '\n';
    }
    out += "@@ -" + std::to_string(a_start + 1) + "," + std::to_string(a_len) + " +" +
           std::to_string(b_start + 1) + "," + std::to_string(b_len) + " @@\n" + body;
    k = end;
  }
  return out;
}

std::vector<std::string> golden_tests() {
  std::vector<std::string> names;
  for (auto& e : fs::directory_iterator(kGoldenDir)) {
    if (e.path().extension() == ".test") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class GoldenPlan : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenPlan, MatchesResultFile) {
  const std::string& name = GetParam();
  GoldenRun run;
  std::string actual = run.run(kGoldenDir / (name + ".test"));
  fs::path result = kGoldenDir / (name + ".result");
  if (const char* u = std::getenv("TESSERA_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    std::ofstream(result, std::ios::binary) << actual;
    std::cout << "rewrote " << result << " (" << run.statements() << " statements)\n";
    return;
  }
  ASSERT_TRUE(fs::exists(result)) << result << " is missing; TESSERA_UPDATE_GOLDEN=1 writes it";
  std::string expected = read_text(result);
  EXPECT_TRUE(expected == actual)
      << name << ": plans differ from the checked-in result (TESSERA_UPDATE_GOLDEN=1 rewrites "
      << "it once the change is intended):\n"
      << unified_diff(expected, actual, name);
}

INSTANTIATE_TEST_SUITE_P(Corpus, GoldenPlan, ::testing::ValuesIn(golden_tests()),
                         [](const auto& info) { return info.param; });

// Issue 17 asks for at least 300 statements; every .result belongs to a .test.
TEST(GoldenPlanCorpus, HasAtLeast300StatementsAndNoOrphans) {
  int total = 0;
  for (auto& name : golden_tests()) {
    GoldenRun run;
    run.run(kGoldenDir / (name + ".test"));
    total += run.statements();
  }
  EXPECT_GE(total, 300);
  for (auto& e : fs::directory_iterator(kGoldenDir)) {
    if (e.path().extension() == ".result") {
      fs::path test = e.path();
      test.replace_extension(".test");
      EXPECT_TRUE(fs::exists(test)) << e.path() << " has no .test file";
    }
  }
}

}  // namespace
}  // namespace tessera::router
