#include "classify.h"

#include <array>

#include "lexer.h"

namespace tessera::sql {

std::string_view to_string(StatementKind kind) {
  static constexpr std::array<std::string_view, size_t(StatementKind::Count_)> kNames = {
      "Empty",        "Select",         "Insert",        "Replace",     "Update",
      "Delete",       "LoadData",       "Set",           "Use",         "Begin",
      "Commit",       "Rollback",       "Savepoint",     "Xa",          "LockTables",
      "UnlockTables", "Show",           "Explain",       "Describe",    "CreateTable",
      "AlterTable",   "DropTable",      "TruncateTable", "RenameTable", "CreateIndex",
      "DropIndex",    "CreateDatabase", "DropDatabase",  "CreateView",  "DropView",
      "OtherDdl",     "Prepare",        "Execute",       "Deallocate",  "Call",
      "Do",           "Kill",           "Other"};
  return kNames[size_t(kind)];
}

namespace {

constexpr std::array<std::string_view, kSessionFnCount> kSessionFnNames = {
#define SF(name, sql) sql,
#include "session_functions.inc"
#undef SF
};

uint32_t session_function_mask(std::string_view name) {
  if (name.size() < 4 || name.size() > 26) return 0;
  for (size_t i = 0; i < kSessionFnNames.size(); ++i) {
    if (iequals_upper(name, kSessionFnNames[i])) return 1u << i;
  }
  return 0;
}

void check_hint(std::string_view c, StatementInfo& info) {
  ProxyHint h = proxy_hint(c);
  if (h == ProxyHint::Master) info.hint_master = true;
  if (h == ProxyHint::Slave) info.hint_slave = true;
}

std::string_view unquote_name(std::string_view s) {
  if (s.size() >= 2 && (s.front() == '`' || s.front() == '"' || s.front() == '\'')) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

bool is_name(const Token& t) {
  return t.type == Tok::Ident || t.type == Tok::QuotedIdent;
}

// Decides the kind from the first significant tokens (at most kWindow).
constexpr int kWindow = 12;

StatementKind kind_from_prefix(const Token* w, int n, std::string_view src, StatementInfo& info,
                               bool* pending_with) {
  int i = 0;
  while (i < n && w[i].type == Tok::LParen) ++i;
  if (i >= n) return n == 0 ? StatementKind::Empty : StatementKind::Other;
  auto kw = [&](int k) { return k < n ? w[k].kw : Kw::None; };
  auto word = [&](int k, std::string_view upper) {
    return k < n && w[k].type == Tok::Ident && iequals_upper(w[k].text(src), upper);
  };
  switch (w[i].kw) {
    case Kw::SELECT:
    case Kw::VALUES:
    case Kw::TABLE:
      return StatementKind::Select;
    case Kw::WITH:
      *pending_with = true;
      return StatementKind::Select;
    case Kw::INSERT:
      return StatementKind::Insert;
    case Kw::REPLACE:
      return StatementKind::Replace;
    case Kw::UPDATE:
      return StatementKind::Update;
    case Kw::DELETE:
      return StatementKind::Delete;
    case Kw::LOAD:
      return (kw(i + 1) == Kw::DATA || word(i + 1, "XML")) ? StatementKind::LoadData
                                                           : StatementKind::Other;
    case Kw::SET:
      return StatementKind::Set;
    case Kw::USE:
      if (i + 1 < n && is_name(w[i + 1])) info.database = unquote_name(w[i + 1].text(src));
      return StatementKind::Use;
    case Kw::BEGIN:
      // BEGIN NOT ATOMIC starts a MariaDB compound statement, not a transaction.
      if (kw(i + 1) == Kw::NOT) return StatementKind::Other;
      return StatementKind::Begin;
    case Kw::START:
      if (kw(i + 1) == Kw::TRANSACTION) {
        for (int k = i + 2; k + 1 < n; ++k) {
          if (w[k].kw == Kw::READ && w[k + 1].kw == Kw::ONLY) info.is_read_only_txn = true;
        }
        return StatementKind::Begin;
      }
      return StatementKind::Other;
    case Kw::COMMIT:
      return StatementKind::Commit;
    case Kw::ROLLBACK: {
      int k = i + 1;
      if (kw(k) == Kw::WORK) ++k;
      if (kw(k) == Kw::TO) info.is_rollback_to_savepoint = true;
      return StatementKind::Rollback;
    }
    case Kw::SAVEPOINT:
      return StatementKind::Savepoint;
    case Kw::RELEASE:
      return kw(i + 1) == Kw::SAVEPOINT ? StatementKind::Savepoint : StatementKind::Other;
    case Kw::XA:
      return StatementKind::Xa;
    case Kw::LOCK:
      return (kw(i + 1) == Kw::TABLES || kw(i + 1) == Kw::TABLE) ? StatementKind::LockTables
                                                                 : StatementKind::Other;
    case Kw::UNLOCK:
      return (kw(i + 1) == Kw::TABLES || kw(i + 1) == Kw::TABLE) ? StatementKind::UnlockTables
                                                                 : StatementKind::Other;
    case Kw::SHOW:
      return StatementKind::Show;
    case Kw::EXPLAIN:
    case Kw::DESCRIBE:
    case Kw::DESC: {
      // EXPLAIN <table> is DESCRIBE; EXPLAIN <statement> / FORMAT= / EXTENDED is a plan.
      Kw next = kw(i + 1);
      if (i + 1 >= n) return StatementKind::Describe;
      if (w[i + 1].type == Tok::LParen) return StatementKind::Explain;
      switch (next) {
        case Kw::SELECT:
        case Kw::INSERT:
        case Kw::REPLACE:
        case Kw::UPDATE:
        case Kw::DELETE:
        case Kw::WITH:
        case Kw::FORMAT:
        case Kw::EXTENDED:
        case Kw::PARTITIONS:
        case Kw::ANALYZE:
        case Kw::FOR:
        case Kw::VALUES:
        case Kw::TABLE:
          return StatementKind::Explain;
        default:
          return StatementKind::Describe;
      }
    }
    case Kw::ANALYZE:
      switch (kw(i + 1)) {
        case Kw::SELECT:
        case Kw::INSERT:
        case Kw::REPLACE:
        case Kw::UPDATE:
        case Kw::DELETE:
        case Kw::FORMAT:
        case Kw::WITH:
          return StatementKind::Explain;
        default:
          return StatementKind::OtherDdl;
      }
    case Kw::CREATE: {
      int k = i + 1;
      // Skip the modifiers that may precede the object type.
      while (k < n) {
        Kw m = kw(k);
        if (m == Kw::OR && kw(k + 1) == Kw::REPLACE) {
          k += 2;
        } else if (m == Kw::TEMPORARY) {
          info.creates_temporary_table = true;
          ++k;
        } else if (m == Kw::ALGORITHM || m == Kw::DEFINER) {
          k += 2;  // ALGORITHM = x / DEFINER = user: skip '=' and the first value token
          if (k < n) ++k;
          // user@host lexes as name + UserVar; CURRENT_USER may carry "()".
          if (k < n && w[k].type == Tok::UserVar) ++k;
          if (k + 1 < n && w[k].type == Tok::LParen && w[k + 1].type == Tok::RParen) k += 2;
        } else if (m == Kw::SQL && kw(k + 1) == Kw::SECURITY) {
          k += 3;
        } else if (m == Kw::UNIQUE || m == Kw::FULLTEXT || m == Kw::SPATIAL || m == Kw::ONLINE ||
                   word(k, "OFFLINE")) {
          ++k;
        } else {
          break;
        }
      }
      switch (kw(k)) {
        case Kw::TABLE:
          return StatementKind::CreateTable;
        case Kw::INDEX:
          return StatementKind::CreateIndex;
        case Kw::DATABASE:
        case Kw::SCHEMA:
          return StatementKind::CreateDatabase;
        case Kw::VIEW:
          return StatementKind::CreateView;
        default:
          info.creates_temporary_table = false;
          return StatementKind::OtherDdl;
      }
    }
    case Kw::ALTER: {
      int k = i + 1;
      while (kw(k) == Kw::ONLINE || kw(k) == Kw::IGNORE || word(k, "OFFLINE")) ++k;
      return kw(k) == Kw::TABLE ? StatementKind::AlterTable : StatementKind::OtherDdl;
    }
    case Kw::DROP: {
      int k = i + 1;
      if (kw(k) == Kw::TEMPORARY) {
        info.drops_temporary_table = true;
        ++k;
      }
      switch (kw(k)) {
        case Kw::TABLE:
          return StatementKind::DropTable;
        case Kw::INDEX:
          return StatementKind::DropIndex;
        case Kw::DATABASE:
        case Kw::SCHEMA:
          return StatementKind::DropDatabase;
        case Kw::VIEW:
          return StatementKind::DropView;
        case Kw::PREPARE:
          return StatementKind::Deallocate;
        default:
          if (word(k, "TABLES")) return StatementKind::DropTable;
          return StatementKind::OtherDdl;
      }
    }
    case Kw::TRUNCATE:
      return StatementKind::TruncateTable;
    case Kw::CHECK:
    case Kw::OPTIMIZE:
    case Kw::CHECKSUM:
      return StatementKind::OtherDdl;  // table maintenance, like ANALYZE TABLE
    case Kw::RENAME:
      return (kw(i + 1) == Kw::TABLE || kw(i + 1) == Kw::TABLES) ? StatementKind::RenameTable
                                                                 : StatementKind::Other;
    case Kw::PREPARE:
      return StatementKind::Prepare;
    case Kw::EXECUTE:
      return StatementKind::Execute;
    case Kw::DEALLOCATE:
      return StatementKind::Deallocate;
    case Kw::CALL:
      return StatementKind::Call;
    case Kw::DO:
      return StatementKind::Do;
    case Kw::KILL:
      return StatementKind::Kill;
    default:
      if (word(i, "REPAIR")) return StatementKind::OtherDdl;
      return StatementKind::Other;
  }
}

}  // namespace

ProxyHint proxy_hint(std::string_view c) {
  if (c.size() < 4 || c[0] != '/' || c[1] != '*') return ProxyHint::None;
  c = c.substr(2, c.size() - 4);
  if (!c.empty() && c.front() == '+') c.remove_prefix(1);
  while (!c.empty() && (c.front() == ' ' || c.front() == '\t' || c.front() == '\n')) {
    c.remove_prefix(1);
  }
  while (!c.empty() && (c.back() == ' ' || c.back() == '\t' || c.back() == '\n')) {
    c.remove_suffix(1);
  }
  if (iequals_upper(c, "MASTER")) return ProxyHint::Master;
  if (iequals_upper(c, "SLAVE")) return ProxyHint::Slave;
  return ProxyHint::None;
}

std::string_view session_function_name(SessionFunction f) {
  return kSessionFnNames[f];
}

StatementInfo classify(std::string_view sql, const LexOptions& options, TokenTape* tape) {
  StatementInfo info;
  info.end = uint32_t(sql.size());
  Lexer lx(sql, /*emit_comments=*/true, options);
  if (tape) {
    tape->clear();
    if (!lexes_as_default(sql, options)) tape = nullptr;
  }
  Token window[kWindow];
  int nwin = 0;
  bool decided = false;
  bool pending_with = false;
  int depth = 0;
  Token prev;  // previous significant token
  bool after_semicolon = false;
  int block = 0;  // BEGIN ... END nesting inside stored-program bodies
  Kw first_kw = Kw::None;
  Kw with_verb = Kw::None;
  for (;;) {
    Token t = lx.next();
    if (tape) tape->tokens.push_back(t);
    if (t.type == Tok::End) {
      if (tape) {
        tape->text.assign(sql);
        tape->complete = true;
      }
      break;
    }
    if (t.type == Tok::Comment || t.type == Tok::Hint) {
      check_hint(t.text(sql), info);
      continue;
    }
    if (t.type == Tok::Error) info.has_lex_error = true;
    if (after_semicolon) {
      if (t.type != Tok::Semicolon) {
        info.is_multi_statement = true;
        break;
      }
      continue;
    }
    // Stored-program bodies (CREATE PROCEDURE ... BEGIN a; b; END, BEGIN NOT ATOMIC ... END)
    // contain ';' that do not end the statement: track BEGIN ... END nesting.
    if (t.type == Tok::Ident) {
      if (t.kw == Kw::BEGIN && (first_kw == Kw::CREATE || first_kw == Kw::ALTER || block > 0)) {
        ++block;
      } else if (t.kw == Kw::NOT && prev.kw == Kw::BEGIN && first_kw == Kw::BEGIN && block == 0) {
        block = 1;
      }
    }
    if (prev.kw == Kw::END && block > 0 && t.kw != Kw::IF && t.kw != Kw::CASE && t.kw != Kw::FOR &&
        !(t.type == Tok::Ident &&
          (iequals_upper(t.text(sql), "LOOP") || iequals_upper(t.text(sql), "WHILE") ||
           iequals_upper(t.text(sql), "REPEAT")))) {
      --block;
    }
    if (t.type == Tok::Semicolon) {
      if (block == 0) {
        after_semicolon = true;
        // The server parses the next statement afresh from just after this ';'.
        info.end = t.off;
        info.next = t.off + 1;
      }
      prev = t;
      continue;
    }
    if (first_kw == Kw::None && t.type != Tok::LParen)
      first_kw = t.kw == Kw::None ? Kw::Count_ : t.kw;
    if (!decided) {
      window[nwin++] = t;
      if (nwin == kWindow) {
        info.kind = kind_from_prefix(window, nwin, sql, info, &pending_with);
        decided = true;
      }
    }
    // Flags that need the token and its predecessor.
    switch (t.type) {
      case Tok::LParen:
        if (prev.type == Tok::Ident &&
            (prev.kw == Kw::None || !is_reserved(prev.kw) || prev.kw == Kw::DATABASE ||
             prev.kw == Kw::SCHEMA || prev.kw == Kw::CURRENT_USER)) {
          info.session_functions |= session_function_mask(prev.text(sql));
        }
        ++depth;
        break;
      case Tok::RParen:
        if (depth > 0) --depth;
        break;
      case Tok::Assign:
        if (prev.type == Tok::UserVar) info.uses_user_variable_assignment = true;
        break;
      case Tok::UserVar:
        // SELECT ... INTO @v assigns too, and so may CALL p(@v): an OUT or INOUT parameter
        // is written into the variable (which parameter is OUT only the procedure knows).
        if (prev.kw == Kw::INTO || first_kw == Kw::CALL) info.uses_user_variable_assignment = true;
        break;
      case Tok::Ident:
        switch (t.kw) {
          case Kw::SQL_CALC_FOUND_ROWS:
            info.has_sql_calc_found_rows = true;
            break;
          case Kw::UPDATE:
          case Kw::SHARE:
            if (prev.kw == Kw::FOR) info.has_locking_read = true;
            break;
          case Kw::IN:
            if (prev.kw == Kw::LOCK) info.has_locking_read = true;
            break;
          default:
            break;
        }
        // WITH cte AS (...) <verb>: the first top-level verb after the CTEs decides the kind.
        if (first_kw == Kw::WITH && with_verb == Kw::None && depth == 0 && prev.kw != Kw::FOR &&
            (t.kw == Kw::SELECT || t.kw == Kw::INSERT || t.kw == Kw::REPLACE ||
             t.kw == Kw::DELETE || t.kw == Kw::UPDATE)) {
          with_verb = t.kw;
        }
        break;
      case Tok::Eq:
        // SET @x = ..., SET @x := ... (the latter caught by Assign).
        if (prev.type == Tok::UserVar && depth == 0 && window[0].kw == Kw::SET) {
          info.uses_user_variable_assignment = true;
        }
        break;
      default:
        break;
    }
    prev = t;
  }
  info.has_dependent_comment = lx.dependent_comments() > 0 || lx.versions_overflow();
  if (!decided) info.kind = kind_from_prefix(window, nwin, sql, info, &pending_with);
  if (info.kind == StatementKind::Other && nwin > 0 && window[0].type == Tok::Ident &&
      iequals_upper(window[0].text(sql), "HANDLER")) {
    info.uses_handler = true;
  }
  if (pending_with) {
    switch (with_verb) {
      case Kw::INSERT:
        info.kind = StatementKind::Insert;
        break;
      case Kw::REPLACE:
        info.kind = StatementKind::Replace;
        break;
      case Kw::UPDATE:
        info.kind = StatementKind::Update;
        break;
      case Kw::DELETE:
        info.kind = StatementKind::Delete;
        break;
      default:
        break;
    }
  }
  if (info.kind != StatementKind::Select && info.kind != StatementKind::Insert &&
      info.kind != StatementKind::Replace && info.kind != StatementKind::Explain) {
    // FOR UPDATE only means a locking read inside queries.
    if (info.kind != StatementKind::Update && info.kind != StatementKind::Delete) {
      info.has_locking_read = false;
    }
  }
  return info;
}

}  // namespace tessera::sql
