// Statement statistics kept by one worker thread: per namespace and per SQL fingerprint
// (count, errors, rows, latency histogram) for the SQL clients send ("session" side) and the
// SQL Tessera sends to backends ("backend" side), plus the counters /metrics exports
// (statements by type, errors by code, a latency histogram per namespace).
//
// Thread-confined: only the owning worker thread touches an instance, so recording takes no
// lock and no atomic. Readers (the admin thread) run snapshot()/reset() on the worker's own
// thread by posting to it (admin/worker_probe.h) and merge the copies.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "admin/latency_histogram.h"
#include "sql/token_tape.h"

namespace tessera::admin {

enum class SqlSide : uint8_t { kSession = 0, kBackend = 1 };

// One fingerprint's figures.
struct FingerprintStats {
  std::string fingerprint;  // normalised text (literals as ?)
  std::string_view type;    // statement_type_label(fingerprint), a static label
  uint64_t count = 0;
  uint64_t errors = 0;
  uint64_t rows = 0;  // rows returned plus rows affected
  LatencyHistogram latency;

  void merge(const FingerprintStats& other);
};

// digest -> figures, for one namespace and side.
using FingerprintTable = std::unordered_map<uint64_t, FingerprintStats>;

// Buckets of the Prometheus latency histogram (seconds, cumulative "le" bounds).
inline constexpr std::array<double, 14> kPromLatencyBounds{
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

struct PromHistogram {
  std::array<uint64_t, kPromLatencyBounds.size() + 1> buckets{};  // last: above every bound
  uint64_t count = 0;
  double sum_seconds = 0;
  void add(double seconds);
  void merge(const PromHistogram& other);
};

// Counters of one namespace for /metrics.
struct NamespaceMetrics {
  std::map<std::string, uint64_t, std::less<>>
      statements_by_type;  // "select", "insert", ... "other"
  std::map<uint16_t, uint64_t> errors_by_code;
  PromHistogram latency;
  void merge(const NamespaceMetrics& other);
};

using MetricsByNamespace = std::map<std::string, NamespaceMetrics, std::less<>>;

// The statement type label for a fingerprint ("select", "insert", "update", "delete",
// "replace", "begin", "commit", "rollback", "set", "show", "use", "ddl", "xa", "other").
std::string_view statement_type_label(std::string_view fingerprint_text);

// A statement as the tables key it: its fingerprint's digest and text. Fingerprinting lexes the
// whole statement, the dearest part of recording it, so it is done once per statement (both
// sides use it) and a prepared statement's key is kept with it.
struct StatementKey {
  uint64_t digest = 0;
  std::string_view text;
};

class WorkerStats {
 public:
  // Fingerprints kept per namespace and side; further new ones are folded into one
  // "(other fingerprints)" entry so a workload of unique SQL cannot grow memory unbounded.
  static constexpr size_t kMaxFingerprints = 5000;

  // `sql`'s key; its text lives in this worker's buffer until the next key_of().
  // `tape`: the session's classification tokens of `sql`, replayed when they fit (see
  // sql/token_tape.h) instead of lexing the text a second time. With a tape, the key is
  // remembered by the statement's shape (its text with each literal replaced by its token type,
  // see shape_of): the next statement of that shape (the same statement with other values)
  // gets it without fingerprinting. The fingerprint depends on nothing else, so the key is the
  // one fingerprint_into would compute.
  StatementKey key_of(std::string_view sql, const sql::TokenTape* tape = nullptr);

  // Shapes remembered (dropped all at once when full; a statement longer than kMaxShapeText
  // is not remembered).
  static constexpr size_t kMaxShapes = 1024;
  static constexpr size_t kMaxShapeText = 1024;

  // A client statement finished (session side). `error_code` 0 = success.
  void record_session(std::string_view ns, StatementKey key, std::chrono::nanoseconds latency,
                      uint64_t rows, uint16_t error_code);
  void record_session(std::string_view ns, std::string_view sql, std::chrono::nanoseconds latency,
                      uint64_t rows, uint16_t error_code) {
    record_session(ns, key_of(sql), latency, rows, error_code);
  }
  // A statement Tessera sent to a backend finished.
  void record_backend(std::string_view ns, StatementKey key, std::chrono::nanoseconds latency,
                      uint64_t rows, bool error);
  void record_backend(std::string_view ns, std::string_view sql, std::chrono::nanoseconds latency,
                      uint64_t rows, bool error) {
    record_backend(ns, key_of(sql), latency, rows, error);
  }

  // Copies, for the admin thread (call on the owning thread).
  FingerprintTable fingerprints(SqlSide side, std::string_view ns) const;
  MetricsByNamespace metrics() const { return metrics_; }
  // Forgets the fingerprint figures of one namespace and side (/metrics counters stay:
  // Prometheus counters must not go backwards).
  void reset(SqlSide side, std::string_view ns);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using ByNamespace = std::unordered_map<std::string, FingerprintTable, Hash, std::equal_to<>>;

  FingerprintStats& entry(SqlSide side, std::string_view ns, StatementKey key);
  FingerprintTable& table(SqlSide side, std::string_view ns);
  NamespaceMetrics& namespace_metrics(std::string_view ns);

  std::array<ByNamespace, 2> tables_;
  MetricsByNamespace metrics_;
  // The last namespace recorded and its tables (each statement records one namespace's figures
  // several times): found without hashing its name again. Forgotten by reset().
  struct Recent {
    std::string ns;
    std::array<FingerprintTable*, 2> tables{};
    NamespaceMetrics* metrics = nullptr;
  };
  Recent recent_;
  std::string scratch_;  // fingerprint text buffer, reused
  struct Known {
    uint64_t digest = 0;
    std::string text;
  };
  std::unordered_map<std::string, Known, Hash, std::equal_to<>> shapes_;  // shape -> key
  std::string shape_;                                                     // shape buffer, reused
};

}  // namespace tessera::admin
