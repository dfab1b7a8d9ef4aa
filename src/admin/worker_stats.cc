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

namespace {

// A statement's shape: its text with each literal token replaced by the token's type, each
// stretch of text between literals preceded by its length (so the shape reads back in one way
// only). The text between literals lexes the same whatever the literals' values, and the
// fingerprint reads of a literal only its type: statements of one shape have one fingerprint.
void append_length(std::string& out, size_t n) {
  const char bytes[4] = {static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                         static_cast<char>((n >> 16) & 0xff), static_cast<char>(n >> 24)};
  out.append(bytes, sizeof bytes);
}

void shape_of(std::string_view sql, const std::vector<sql::Token>& tokens, std::string& out) {
  out.clear();
  size_t from = 0;
  for (const sql::Token& t : tokens) {
    if (!sql::is_literal(t.type)) continue;
    append_length(out, t.off - from);
    out.append(sql.data() + from, t.off - from);
    out.push_back(static_cast<char>(t.type));
    from = size_t(t.off) + t.len;
  }
  append_length(out, sql.size() - from);
  out.append(sql.data() + from, sql.size() - from);
}

}  // namespace

StatementKey WorkerStats::key_of(std::string_view sql, const sql::TokenTape* tape) {
  if (!tape || sql.size() > kMaxShapeText || !tape->replays(sql)) {
    const uint64_t digest = sql::fingerprint_into(sql, scratch_, {}, tape);
    return {digest, scratch_};
  }
  shape_of(sql, tape->tokens, shape_);
  if (auto it = shapes_.find(shape_); it != shapes_.end()) {
    return {it->second.digest, it->second.text};
  }
  const uint64_t digest = sql::fingerprint_into(sql, scratch_, {}, tape);
  if (shapes_.size() >= kMaxShapes) shapes_.clear();
  Known& known = shapes_[shape_];
  known.digest = digest;
  known.text = scratch_;
  return {digest, known.text};
}

FingerprintTable& WorkerStats::table(SqlSide side, std::string_view ns) {
  if (ns != recent_.ns) recent_ = Recent{std::string(ns)};
  FingerprintTable*& cached = recent_.tables[static_cast<size_t>(side)];
  if (!cached) {
    auto& by_ns = tables_[static_cast<size_t>(side)];
    auto it = by_ns.find(ns);
    if (it == by_ns.end()) it = by_ns.emplace(std::string(ns), FingerprintTable{}).first;
    cached = &it->second;  // (an unordered_map's elements stay where they are)
  }
  return *cached;
}

NamespaceMetrics& WorkerStats::namespace_metrics(std::string_view ns) {
  if (ns != recent_.ns) recent_ = Recent{std::string(ns)};
  if (!recent_.metrics) {
    auto m = metrics_.find(ns);
    if (m == metrics_.end()) m = metrics_.emplace(std::string(ns), NamespaceMetrics{}).first;
    recent_.metrics = &m->second;
  }
  return *recent_.metrics;
}

FingerprintStats& WorkerStats::entry(SqlSide side, std::string_view ns, StatementKey key) {
  uint64_t digest = key.digest;
  FingerprintTable& table = this->table(side, ns);
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

  NamespaceMetrics& m = namespace_metrics(ns);
  // (The overflow entry folds every type: its statement's own label.)
  std::string_view type = e.type.empty() ? statement_type_label(key.text) : e.type;
  auto t = m.statements_by_type.find(type);
  if (t == m.statements_by_type.end()) {
    m.statements_by_type.emplace(std::string(type), 1);
  } else {
    t->second++;
  }
  if (error_code != 0) m.errors_by_code[error_code]++;
  m.latency.add(static_cast<double>(latency.count()) / 1e9);
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
  recent_ = Recent{};
}

}  // namespace tessera::admin
