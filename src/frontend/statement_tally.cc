// Hands each finished client statement to the worker's statistics (admin/worker_stats.h):
// fingerprint, latency, rows, error. Only COM_QUERY and COM_STMT_EXECUTE are statements;
// everything stays on this worker's thread, so nothing here locks.
#include <spdlog/spdlog.h>

#include "frontend/client_session.h"
#include "frontend/worker.h"
#include "protocol/constants.h"
#include "protocol/statement_packets.h"

namespace tessera::frontend {

using protocol::Command;

void ClientSession::begin_tally() {
  tally_.start = std::chrono::steady_clock::now();
  tally_.rows = 0;
  tally_.error_code = 0;
  tally_.backend_sql.clear();
}

void ClientSession::tally_error(std::string_view err_payload) {
  // ERR: 0xff, 2-byte little-endian code, ...
  if (err_payload.size() >= 3) {
    tally_.error_code = static_cast<uint16_t>(static_cast<uint8_t>(err_payload[1]) |
                                              (static_cast<uint8_t>(err_payload[2]) << 8));
  }
}

void ClientSession::finish_tally(uint8_t command) {
  if (!namespace_) return;
  auto& stats = worker_.stats();
  std::string_view sql;
  admin::StatementKey key;
  if (command == static_cast<uint8_t>(Command::kQuery)) {
    sql = std::string_view(command_).substr(1);
    key = stats.key_of(sql, &lex_tape_);  // (handle_query's classification tokens)
  } else if (command == static_cast<uint8_t>(Command::kStmtExecute) && command_.size() >= 5) {
    auto it = statements_.find(protocol::read_statement_id(std::string_view(command_).substr(1)));
    if (it == statements_.end()) return;
    ClientStatement& stmt = it->second;
    sql = stmt.sql;
    // The text never changes: fingerprinted at its first execution only.
    if (!stmt.stats_keyed) {
      const admin::StatementKey k = stats.key_of(sql);
      stmt.stats_digest = k.digest;
      stmt.stats_text = k.text;
      stmt.stats_keyed = true;
    }
    key = admin::StatementKey{stmt.stats_digest, stmt.stats_text};
  } else {
    return;
  }
  auto latency = std::chrono::steady_clock::now() - tally_.start;
  const std::string& ns = namespace_->name;
  stats.record_session(ns, key, latency, tally_.rows, tally_.error_code);
  if (tally_.backend_sql.empty()) {
    stats.record_backend(ns, key, latency, tally_.rows, tally_.error_code != 0);
  } else {
    // A plan's statements ran concurrently; each is charged the whole statement's time.
    for (const auto& b : tally_.backend_sql) {
      stats.record_backend(ns, stats.key_of(b), latency, 0, tally_.error_code != 0);
    }
  }
}

}  // namespace tessera::frontend
