// The general log (every statement of a namespace with open_general_log) and the slow log
// (statements that took at least the namespace's slow_sql_time), one line per statement:
//   conn=<session id> user=<user> ns=<namespace> db=<db> duration_ms=<ms> [fingerprint=<fp>]
//   sql=<text>
// The SQL is written on one line (newlines escaped), with passwords masked (sql/mask_secrets.h),
// and cut at kMaxLoggedSql bytes.
#include "frontend/client_session.h"
#include "logs/log_files.h"
#include "sql/fingerprint.h"
#include "sql/mask_secrets.h"

namespace tessera::frontend {

namespace {

constexpr size_t kMaxLoggedSql = 64 * 1024;

std::string one_line(std::string_view sql) {
  std::string out;
  out.reserve(std::min(sql.size(), kMaxLoggedSql) + 16);
  for (char c : sql.substr(0, kMaxLoggedSql)) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  if (sql.size() > kMaxLoggedSql) out += "...";
  return out;
}

}  // namespace

bool ClientSession::statement_logs_wanted() const {
  if (!namespace_) return false;
  return logs::slow_log() || (namespace_->open_general_log && logs::general_log());
}

void ClientSession::log_statement(std::string_view sql,
                                  std::chrono::steady_clock::time_point started) {
  if (!statement_logs_wanted()) return;
  auto elapsed = std::chrono::steady_clock::now() - started;
  double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  auto* general = namespace_->open_general_log ? logs::general_log() : nullptr;
  auto* slow = elapsed >= namespace_->slow_sql_time ? logs::slow_log() : nullptr;
  if (!general && !slow) return;
  // Passwords (CREATE USER ... IDENTIFIED BY, SET PASSWORD ...) never reach a log file.
  std::string text = one_line(sql::mask_secrets(sql));
  const std::string& user = user_ ? user_->user_name : std::string();
  if (general) {
    general->info("conn={} user={} ns={} db={} duration_ms={:.3f} sql={}", connection_id_, user,
                  namespace_->name, state_.db, ms, text);
  }
  if (slow) {
    slow->info("conn={} user={} ns={} db={} duration_ms={:.3f} fingerprint={} sql={}",
               connection_id_, user, namespace_->name, state_.db, ms,
               one_line(sql::fingerprint(sql).text), text);
  }
}

}  // namespace tessera::frontend
