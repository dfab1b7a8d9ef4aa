#include "backend/status_ledger.h"

#include <array>
#include <charconv>
#include <optional>

#include "backend/backend_connection.h"
#include "backend/backend_error.h"

namespace tessera::backend {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::optional<int64_t> integer(std::string_view v) {
  int64_t out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return out;
}

}  // namespace

bool is_session_counter(std::string_view name) {
  // MariaDB's per-connection counters (system_status_var); the rest of SHOW SESSION STATUS is
  // global or describes the connection rather than counting.
  static constexpr std::array<std::string_view, 8> kPrefixes = {
      "Com_", "Handler_", "Feature_", "Select_", "Sort_", "Created_tmp_", "Rows_", "Opened_"};
  static constexpr std::array<std::string_view, 7> kNames = {"Questions",
                                                             "Queries",
                                                             "Empty_queries",
                                                             "Slow_queries",
                                                             "Access_denied_errors",
                                                             "Max_statement_time_exceeded",
                                                             "Optimizer_join_prefixes_check_calls"};
  for (auto p : kPrefixes) {
    if (starts_with(name, p)) return true;
  }
  for (auto n : kNames) {
    if (name == n) return true;
  }
  return false;
}

asio::awaitable<StatusRows> read_status(BackendConnection& conn) {
  SimpleResult r = co_await conn.query("SHOW SESSION STATUS");
  if (!r.ok) throw BackendError(r.err);
  StatusRows rows;
  rows.reserve(r.rows.size());
  for (auto& row : r.rows) {
    if (row.size() >= 2) rows.emplace_back(std::move(row[0]), std::move(row[1]));
  }
  co_return rows;
}

namespace {

using CounterMap = std::map<std::string, int64_t, std::less<>>;

CounterMap counters_of(const StatusRows& rows) {
  CounterMap out;
  for (const auto& [name, value] : rows) {
    if (!is_session_counter(name)) continue;
    if (auto v = integer(value)) out.emplace(name, *v);
  }
  return out;
}

}  // namespace

namespace {

// b - a, the non-zero differences.
CounterMap difference(const CounterMap& a, const CounterMap& b) {
  CounterMap out;
  for (const auto& [name, value] : b) {
    auto it = a.find(name);
    int64_t d = value - (it == a.end() ? 0 : it->second);
    if (d != 0) out.emplace(name, d);
  }
  return out;
}

// The reading sets ROW_COUNT() to -1 (any SHOW does) just before the session's first statement
// here, where a fresh session (or one whose connection was reset) sees 0: `DO 0` sets it back,
// changes nothing else, and its own counts (Com_do, Questions, ...) are known.
asio::awaitable<void> restore_row_count(BackendConnection& conn) {
  SimpleResult r = co_await conn.query("DO 0");
  if (!r.ok) throw BackendError(r.err);
}

}  // namespace

bool status_tracking_due(const BackendConnection& conn,
                         const std::shared_ptr<StatusLedger>& ledger) {
  // In an expired password's sandbox SHOW STATUS fails (1820): nothing is counted there.
  if (!ledger || conn.password_expired) return false;
  return conn.status_ledger.lock() != ledger;
}

asio::awaitable<void> track_status(BackendConnection& conn,
                                   const std::shared_ptr<StatusLedger>& ledger) {
  if (!status_tracking_due(conn, ledger)) co_return;
  auto current = conn.status_ledger.lock();
  if (current) co_await settle_status(conn);  // the former owner's interval
  if (!conn.status_calibrated) {
    // What one reading adds to the counters it reads (Com_show_status, Questions, ...): two
    // readings back to back differ by exactly that, and it is taken out of every interval.
    CounterMap first = counters_of(co_await read_status(conn));
    CounterMap second = counters_of(co_await read_status(conn));
    conn.status_read_cost = difference(first, second);
    co_await restore_row_count(conn);
    CounterMap third = counters_of(co_await read_status(conn));
    CounterMap restore = difference(second, third);
    for (const auto& [name, d] : conn.status_read_cost) restore[name] -= d;
    std::erase_if(restore, [](const auto& kv) { return kv.second == 0; });
    conn.status_restore_cost = std::move(restore);
    conn.status_calibrated = true;
    conn.status_baseline = std::move(third);
  } else {
    conn.status_baseline = counters_of(co_await read_status(conn));
  }
  co_await restore_row_count(conn);
  for (const auto& [name, d] : conn.status_restore_cost) conn.status_baseline[name] += d;
  conn.status_ledger = ledger;
}

asio::awaitable<StatusRows> settle_status(BackendConnection& conn) {
  auto ledger = conn.status_ledger.lock();
  if (!ledger) {
    conn.status_ledger.reset();
    co_return StatusRows{};
  }
  StatusRows rows = co_await read_status(conn);
  CounterMap now = counters_of(rows);
  for (const auto& [name, value] : now) {
    auto base = conn.status_baseline.find(name);
    auto cost = conn.status_read_cost.find(name);
    int64_t d = value - (base == conn.status_baseline.end() ? 0 : base->second) -
                (cost == conn.status_read_cost.end() ? 0 : cost->second);
    if (d != 0) ledger->add(name, d);
  }
  conn.status_baseline = std::move(now);
  co_return rows;
}

asio::awaitable<void> rebase_status(BackendConnection& conn) {
  if (conn.status_ledger.expired()) co_return;
  conn.status_baseline = counters_of(co_await read_status(conn));
}

}  // namespace tessera::backend
