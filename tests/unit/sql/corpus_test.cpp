// Corpus test: every SQL statement of MariaDB's own test suite (package mariadb-test) must parse
// and round-trip (print, re-parse, compare canonical forms). Statements are extracted at test
// time, never stored in this repository. Prints the share per statement kind, writes failures to
// a file for triage, and fails below the targets of issue 3:
//   >= 98% of SELECT/INSERT/UPDATE/DELETE/REPLACE, >= 90% of all statements.
// Exit code 77 (ctest SKIP_RETURN_CODE) when the suite is not installed.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "mysqltest_extract.h"
#include "sql/classify.h"
#include "sql/fingerprint.h"
#include "sql/parser.h"
#include "sql/writer.h"

namespace fs = std::filesystem;
using namespace tessera::sql;

namespace {

struct Tally {
  size_t total = 0, parsed = 0, roundtrip = 0, opaque = 0;
};

double pct(size_t a, size_t b) {
  return b ? 100.0 * double(a) / double(b) : 100.0;
}

bool is_dml(StatementKind k) {
  return k == StatementKind::Select || k == StatementKind::Insert || k == StatementKind::Update ||
         k == StatementKind::Delete || k == StatementKind::Replace;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "/usr/share/mysql/mysql-test/main";
  std::string failures_path = "sql-corpus-failures.txt";
  double dml_target = 98.0, all_target = 90.0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--dir=", 0) == 0)
      dir = a.substr(6);
    else if (a.rfind("--failures=", 0) == 0)
      failures_path = a.substr(11);
    else if (a.rfind("--dml-target=", 0) == 0)
      dml_target = std::atof(a.c_str() + 13);
    else if (a.rfind("--all-target=", 0) == 0)
      all_target = std::atof(a.c_str() + 13);
  }
  if (!fs::is_directory(dir)) {
    std::printf("SKIP: %s not found; install the Debian package mariadb-test\n", dir.c_str());
    return 77;
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".test") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::printf("SKIP: no .test files in %s\n", dir.c_str());
    return 77;
  }
  std::ofstream failures(failures_path);
  std::map<StatementKind, Tally> by_kind;
  Tally all, dml;
  size_t skipped_expected_errors = 0;
  Arena arena;
  Parser parser;
  std::string printed, c1, c2, fp1, fp2;
  TokenTape tape;
  const LexOptions default_lex;
  LexOptions session_lex;
  session_lex.comments.family = CommentModel::Family::kMariaDb;
  session_lex.comments.version = 101100;
  size_t replayed = 0, replay_mismatches = 0;
  WriteOptions canonical;
  canonical.canonical = true;
  for (const auto& path : files) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    for (const auto& st : tessera::sql::testing::extract_statements(ss.str())) {
      if (st.expects_parse_error) {
        ++skipped_expected_errors;
        continue;
      }
      StatementKind kind = classify(st.sql, {}, &tape).kind;
      // The statistics replay classify's tokens (sql/token_tape.h): the fingerprint must be the
      // one lexing afresh gives, under the default options and a session's (MariaDB comments).
      for (const LexOptions* lex : {&default_lex, static_cast<const LexOptions*>(&session_lex)}) {
        classify(st.sql, *lex, &tape);
        if (!tape.complete) continue;
        ++replayed;
        const uint64_t d1 = fingerprint_into(st.sql, fp1);
        const uint64_t d2 = fingerprint_into(st.sql, fp2, {}, &tape);
        if (d1 != d2 || fp1 != fp2) {
          ++replay_mismatches;
          failures << "REPLAY " << path.filename().string() << ":" << st.line << "\n  " << st.sql
                   << "\n  lexed:    " << fp1 << "\n  replayed: " << fp2 << "\n";
        }
      }
      if (kind == StatementKind::Empty) continue;
      Tally& t = by_kind[kind];
      ++t.total;
      ++all.total;
      if (is_dml(kind)) ++dml.total;
      arena.reset();
      ParseResult r = parser.parse(st.sql, arena);
      if (!r.ok()) {
        failures << "PARSE " << path.filename().string() << ":" << st.line << " ["
                 << to_string(kind) << "] " << r.error.message << "\n  " << st.sql << "\n";
        continue;
      }
      ++t.parsed;
      ++all.parsed;
      if (is_dml(kind)) ++dml.parsed;
      if (r.has_opaque_parts) {
        ++t.opaque;
        ++all.opaque;
        if (is_dml(kind)) ++dml.opaque;
      }
      printed.clear();
      c1.clear();
      c2.clear();
      to_sql(*r.statement, printed);
      to_sql(*r.statement, c1, canonical);
      ParseResult r2 = parser.parse(printed, arena);
      if (!r2.ok()) {
        failures << "REPARSE " << path.filename().string() << ":" << st.line << " ["
                 << to_string(kind) << "] " << r2.error.message << "\n  " << st.sql
                 << "\n  printed: " << printed << "\n";
        continue;
      }
      to_sql(*r2.statement, c2, canonical);
      if (c1 != c2) {
        failures << "MISMATCH " << path.filename().string() << ":" << st.line << " ["
                 << to_string(kind) << "]\n  " << st.sql << "\n  c1: " << c1 << "\n  c2: " << c2
                 << "\n";
        continue;
      }
      ++t.roundtrip;
      ++all.roundtrip;
      if (is_dml(kind)) ++dml.roundtrip;
    }
  }
  // "opaque": parsed, but a clause (PARTITION BY definitions, some ALTER operations) was kept
  // as source text rather than as AST nodes.
  std::printf("%-16s %8s %8s %8s %8s %8s\n", "kind", "total", "parsed", "opaque", "rt", "rt%");
  for (const auto& [k, t] : by_kind) {
    std::printf("%-16s %8zu %8zu %8zu %8zu %7.2f%%\n", std::string(to_string(k)).c_str(), t.total,
                t.parsed, t.opaque, t.roundtrip, pct(t.roundtrip, t.total));
  }
  std::printf("%-16s %8zu %8zu %8zu %8zu %7.2f%%  (target %.1f%%)\n", "DML", dml.total, dml.parsed,
              dml.opaque, dml.roundtrip, pct(dml.roundtrip, dml.total), dml_target);
  std::printf("%-16s %8zu %8zu %8zu %8zu %7.2f%%  (target %.1f%%)\n", "ALL", all.total, all.parsed,
              all.opaque, all.roundtrip, pct(all.roundtrip, all.total), all_target);
  std::printf("files: %zu, statements expected to fail parsing (skipped): %zu, failures in %s\n",
              files.size(), skipped_expected_errors, failures_path.c_str());
  std::printf("fingerprints from replayed tokens: %zu, differing from lexing afresh: %zu\n",
              replayed, replay_mismatches);
  bool ok = pct(dml.roundtrip, dml.total) >= dml_target &&
            pct(all.roundtrip, all.total) >= all_target && replay_mismatches == 0 &&
            replayed > 10000;
  return ok ? 0 : 1;
}
