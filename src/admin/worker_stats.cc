#include "admin/worker_stats.h"

#include <algorithm>
#include <cctype>

#include "sql/fingerprint.h"

namespace tessera::admin {

namespace {

constexpr uint64_t kOverflowDigest = 0;
constexpr std::string_view kOverflowText = "(other fingerprints)";

bool starts_with_word(std::string_view text, std::string_view word) {
  if (text.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) != word[i]) return false;
  }
  return text.size() == word.size() || !std::isalnum(static_cast<unsigned char>(text[word.size()]));
}

}  // namespace

void FingerprintStats::merge(const FingerprintStats& other) {
  if (fingerprint.empty()) fingerprint = other.fingerprint;
  if (type.empty()) type = other.type;
  count += other.count;
  errors += other.errors;
  rows += other.rows;
  latency.merge(other.latency);
}

void PromHistogram::add(double seconds) {
  size_t i = 0;
  while (i < kPromLatencyBounds.size() && seconds > kPromLatencyBounds[i]) ++i;
  buckets[i]++;
  count++;
  sum_seconds += seconds;
}

void PromHistogram::merge(const PromHistogram& other) {
  for (size_t i = 0; i < buckets.size(); ++i) buckets[i] += other.buckets[i];
  count += other.count;
  sum_seconds += other.sum_seconds;
}

void NamespaceMetrics::merge(const NamespaceMetrics& other) {
  for (const auto& [k, v] : other.statements_by_type) statements_by_type[k] += v;
  for (const auto& [k, v] : other.errors_by_code) errors_by_code[k] += v;
  latency.merge(other.latency);
}

std::string_view statement_type_label(std::string_view text) {
  // Leading parentheses: "(SELECT ...) UNION ...".
  while (!text.empty() && (text.front() == '(' || text.front() == ' ')) text.remove_prefix(1);
  static constexpr std::pair<std::string_view, std::string_view> kWords[] = {
      {"SELECT", "select"}, {"WITH", "select"},       {"INSERT", "insert"}, {"UPDATE", "update"},
      {"DELETE", "delete"}, {"REPLACE", "replace"},   {"BEGIN", "begin"},   {"START", "begin"},
      {"COMMIT", "commit"}, {"ROLLBACK", "rollback"}, {"SET", "set"},       {"SHOW", "show"},
      {"USE", "use"},       {"CREATE", "ddl"},        {"ALTER", "ddl"},     {"DROP", "ddl"},
      {"TRUNCATE", "ddl"},  {"RENAME", "ddl"},        {"XA", "xa"},         {"EXPLAIN", "show"},
      {"DESCRIBE", "show"}, {"DESC", "show"},         {"LOAD", "insert"},   {"CALL", "other"},
  };
  for (const auto& [word, label] : kWords) {
    if (starts_with_word(text, word)) return label;
  }
  return "other";
}

StatementKey WorkerStats::key_of(std::string_view sql, const sql::TokenTape* tape) {
  const uint64_t digest = sql::fingerprint_into(sql, scratch_, {}, tape);
  return {digest, scratch_};
}

FingerprintStats& WorkerStats::entry(SqlSide side, std::string_view ns, StatementKey key) {
  uint64_t digest = key.digest;
  auto& by_ns = tables_[static_cast<size_t>(side)];
  auto it = by_ns.find(ns);
  if (it == by_ns.end()) it = by_ns.emplace(std::string(ns), FingerprintTable{}).first;
  FingerprintTable& table = it->second;
  if (digest == kOverflowDigest) digest = 1;  // keep 0 for the overflow entry
  auto e = table.find(digest);
  if (e != table.end()) return e->second;
  if (table.size() >= kMaxFingerprints) {
    auto& overflow = table[kOverflowDigest];
    if (overflow.fingerprint.empty()) overflow.fingerprint = kOverflowText;
    return overflow;
  }
  auto& fresh = table[digest];
  fresh.fingerprint = key.text;
  fresh.type = statement_type_label(key.text);
  return fresh;
}

void WorkerStats::record_session(std::string_view ns, StatementKey key,
                                 std::chrono::nanoseconds latency, uint64_t rows,
                                 uint16_t error_code) {
  uint64_t micros = static_cast<uint64_t>(std::max<int64_t>(0, latency.count() / 1000));
  FingerprintStats& e = entry(SqlSide::kSession, ns, key);
  e.count++;
  e.rows += rows;
  if (error_code != 0) e.errors++;
  e.latency.add(micros);

  auto m = metrics_.find(ns);
  if (m == metrics_.end()) m = metrics_.emplace(std::string(ns), NamespaceMetrics{}).first;
  // (The overflow entry folds every type: its statement's own label.)
  std::string_view type = e.type.empty() ? statement_type_label(key.text) : e.type;
  auto t = m->second.statements_by_type.find(type);
  if (t == m->second.statements_by_type.end()) {
    m->second.statements_by_type.emplace(std::string(type), 1);
  } else {
    t->second++;
  }
  if (error_code != 0) m->second.errors_by_code[error_code]++;
  m->second.latency.add(static_cast<double>(latency.count()) / 1e9);
}

void WorkerStats::record_backend(std::string_view ns, StatementKey key,
                                 std::chrono::nanoseconds latency, uint64_t rows, bool error) {
  uint64_t micros = static_cast<uint64_t>(std::max<int64_t>(0, latency.count() / 1000));
  FingerprintStats& e = entry(SqlSide::kBackend, ns, key);
  e.count++;
  e.rows += rows;
  if (error) e.errors++;
  e.latency.add(micros);
}

FingerprintTable WorkerStats::fingerprints(SqlSide side, std::string_view ns) const {
  const auto& by_ns = tables_[static_cast<size_t>(side)];
  auto it = by_ns.find(ns);
  return it == by_ns.end() ? FingerprintTable{} : it->second;
}

void WorkerStats::reset(SqlSide side, std::string_view ns) {
  auto& by_ns = tables_[static_cast<size_t>(side)];
  if (auto it = by_ns.find(ns); it != by_ns.end()) by_ns.erase(it);
}

}  // namespace tessera::admin
