#include "session/connection_hygiene.h"

#include <array>

#include "sql/ascii_case.h"
#include "sql/lexer.h"

namespace tessera::session {

bool leaves_server_state(const sql::StatementInfo& info) {
  using sql::StatementKind;
  if (info.is_multi_statement || info.has_lex_error || info.creates_temporary_table ||
      info.uses_user_variable_assignment) {
    return true;
  }
  if (info.calls(sql::kSessionFnGetLockIndex) || info.calls(sql::kSessionFnReleaseLockIndex) ||
      info.calls(sql::kSessionFnReleaseAllLocksIndex)) {
    return true;
  }
  switch (info.kind) {
    case StatementKind::Empty:
    case StatementKind::Select:
    case StatementKind::Insert:
    case StatementKind::Replace:
    case StatementKind::Update:
    case StatementKind::Delete:
    case StatementKind::Set:  // system variables: reported by session tracking, replayed
    case StatementKind::Use:
    case StatementKind::Begin:
    case StatementKind::Commit:
    case StatementKind::Rollback:
    case StatementKind::Savepoint:
    case StatementKind::Show:
    case StatementKind::Explain:
    case StatementKind::Describe:
    case StatementKind::CreateTable:
    case StatementKind::AlterTable:
    case StatementKind::DropTable:
    case StatementKind::TruncateTable:
    case StatementKind::RenameTable:
    case StatementKind::CreateIndex:
    case StatementKind::DropIndex:
    case StatementKind::CreateDatabase:
    case StatementKind::DropDatabase:
    case StatementKind::CreateView:
    case StatementKind::DropView:
      return false;
    default:
      // LoadData, Xa, LockTables, UnlockTables, Prepare, Execute, Deallocate, Call, Do, Kill,
      // OtherDdl, Other (HANDLER, compound statements, EXECUTE IMMEDIATE, ...).
      return true;
  }
}

namespace {

using sql::iequals;

constexpr std::array<std::string_view, 12> kProtected = {
    "session_track_system_variables",
    "session_track_schema",
    "session_track_state_change",
    "session_track_gtids",
    "session_track_transaction_info",
    "sql_log_bin",
    "pseudo_thread_id",
    "pseudo_slave_mode",
    "gtid_domain_id",
    "gtid_seq_no",
    "server_id",
    "skip_replication",
};

std::optional<std::string_view> protected_name(std::string_view name) {
  // @@session.x, @@local.x, @@global.x, @@x, `x`
  if (name.substr(0, 2) == "@@") {
    name.remove_prefix(2);
    if (auto dot = name.find('.'); dot != std::string_view::npos) name.remove_prefix(dot + 1);
  }
  if (name.size() >= 2 && name.front() == '`' && name.back() == '`') {
    name = name.substr(1, name.size() - 2);
  }
  for (auto p : kProtected) {
    if (iequals(name, p)) return p;
  }
  return std::nullopt;
}

std::optional<std::string_view> scan(std::string_view sql, int depth) {
  if (depth > 4) return std::nullopt;
  sql::Lexer lex(sql);
  bool saw_set = false;
  bool dynamic_sql = false;  // EXECUTE IMMEDIATE / PREPARE: string literals are statements
  std::optional<std::string_view> candidate;  // a protected name followed by = or :=
  std::string_view prev_text;
  sql::Tok prev = sql::Tok::End;
  for (;;) {
    sql::Token t = lex.next();
    if (t.type == sql::Tok::End || t.type == sql::Tok::Error) break;
    std::string_view text = sql.substr(t.off, t.len);
    if (t.type == sql::Tok::Ident && iequals(text, "set")) saw_set = true;
    if (t.type == sql::Tok::Ident && (iequals(text, "execute") || iequals(text, "prepare"))) {
      dynamic_sql = true;
    }
    if ((t.type == sql::Tok::Eq || t.type == sql::Tok::Assign) &&
        (prev == sql::Tok::Ident || prev == sql::Tok::QuotedIdent || prev == sql::Tok::SysVar)) {
      if (auto p = protected_name(prev_text); p && !candidate) candidate = p;
    }
    if (dynamic_sql && t.type == sql::Tok::String && text.size() >= 2) {
      // EXECUTE IMMEDIATE 'SET sql_log_bin=0', PREPARE s FROM '...': the text runs too.
      if (auto inner = scan(text.substr(1, text.size() - 2), depth + 1)) return inner;
    }
    prev = t.type;
    prev_text = text;
  }
  if (saw_set && candidate) return candidate;
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> protected_variable_assignment(std::string_view sql) {
  return scan(sql, 0);
}

}  // namespace tessera::session
