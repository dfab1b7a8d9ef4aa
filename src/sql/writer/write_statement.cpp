// DML, session, transaction and utility statements; public entry points.
#include "sql/writer/sql_writer.h"

namespace tessera::sql {

namespace detail {

namespace {
constexpr std::string_view kScopes[] = {"",       "GLOBAL ",  "SESSION ",
                                        "LOCAL ", "PERSIST ", "PERSIST_ONLY "};
}

void SqlWriter::statement(const Statement& st) {
  if (st.node != StatementNode::Standard && st.node != StatementNode::AlterView) {
    utility(st);
    return;
  }
  switch (st.kind) {
    case StatementKind::Select:
      query(*static_cast<const SelectStatement&>(st).query);
      return;
    case StatementKind::Insert:
    case StatementKind::Replace: {
      auto& s = static_cast<const InsertStatement&>(st);
      kw(s.kind == StatementKind::Insert ? "INSERT " : "REPLACE ");
      if (!s.hint.empty()) {
        kw(s.hint);
        sp();
      }
      static constexpr std::string_view kPrio[] = {"", "LOW_PRIORITY ", "DELAYED ",
                                                   "HIGH_PRIORITY "};
      kw(kPrio[s.priority]);
      if (s.ignore) kw("IGNORE ");
      kw("INTO ");
      table(*s.table);
      if (s.has_columns) {
        sp();
        ident_list(s.columns);
      }
      switch (s.source) {
        case 0:
        case 1:
          kw(s.source == 0 ? " VALUES " : " VALUE ");
          for (uint32_t i = 0; i < s.rows.size(); ++i) {
            if (i) kw(", ");
            expr(s.rows[i]);
          }
          if (!s.row_alias.empty()) {
            kw(" AS ");
            ident(s.row_alias);
            if (!s.row_alias_columns.empty()) ident_list(s.row_alias_columns);
          }
          break;
        case 2:
          kw(" SET ");
          assignments(s.set);
          break;
        default:
          sp();
          query(*s.select);
          break;
      }
      if (s.has_on_duplicate) {
        kw(" ON DUPLICATE KEY UPDATE ");
        assignments(s.on_duplicate);
      }
      if (!s.returning.empty()) {
        kw(" RETURNING ");
        select_items(s.returning);
      }
      return;
    }
    case StatementKind::Update: {
      auto& s = static_cast<const UpdateStatement&>(st);
      if (s.with) with(*s.with);
      kw("UPDATE ");
      if (!s.hint.empty()) {
        kw(s.hint);
        sp();
      }
      if (s.low_priority) kw("LOW_PRIORITY ");
      if (s.ignore) kw("IGNORE ");
      for (uint32_t i = 0; i < s.tables.size(); ++i) {
        if (i) kw(", ");
        table_ref(s.tables[i]);
      }
      kw(" SET ");
      assignments(s.set);
      if (s.where) {
        kw(" WHERE ");
        expr(s.where);
      }
      if (!s.order_by.empty()) {
        kw(" ORDER BY ");
        order(s.order_by);
      }
      if (s.limit) limit(*s.limit);
      return;
    }
    case StatementKind::Delete: {
      auto& s = static_cast<const DeleteStatement&>(st);
      if (s.with) with(*s.with);
      kw("DELETE ");
      if (!s.hint.empty()) {
        kw(s.hint);
        sp();
      }
      if (s.low_priority) kw("LOW_PRIORITY ");
      if (s.quick) kw("QUICK ");
      if (s.ignore) kw("IGNORE ");
      auto targets = [&]() {
        for (uint32_t i = 0; i < s.targets.size(); ++i) {
          if (i) kw(", ");
          table(*s.targets[i]);
        }
      };
      auto refs = [&]() {
        for (uint32_t i = 0; i < s.from.size(); ++i) {
          if (i) kw(", ");
          table_ref(s.from[i]);
        }
      };
      if (s.targets.empty()) {
        kw("FROM ");
        refs();
      } else if (s.using_form) {
        kw("FROM ");
        targets();
        kw(" USING ");
        refs();
      } else {
        targets();
        kw(" FROM ");
        refs();
      }
      if (s.where) {
        kw(" WHERE ");
        expr(s.where);
      }
      if (!s.order_by.empty()) {
        kw(" ORDER BY ");
        order(s.order_by);
      }
      if (s.limit) limit(*s.limit);
      if (!s.returning.empty()) {
        kw(" RETURNING ");
        select_items(s.returning);
      }
      return;
    }
    case StatementKind::LoadData: {
      auto& s = static_cast<const LoadDataStatement&>(st);
      kw(s.xml ? "LOAD XML " : "LOAD DATA ");
      if (s.priority == 1) kw("LOW_PRIORITY ");
      if (s.priority == 2) kw("CONCURRENT ");
      if (s.local) kw("LOCAL ");
      kw("INFILE ");
      kw(s.file);
      if (s.duplicates == 1) kw(" REPLACE");
      if (s.duplicates == 2) kw(" IGNORE");
      kw(" INTO TABLE ");
      table(*s.table);
      if (!s.charset.empty()) {
        kw(" CHARACTER SET ");
        kw(s.charset);
      }
      if (!s.rows_identified_by.empty()) {
        kw(" ROWS IDENTIFIED BY ");
        kw(s.rows_identified_by);
      }
      if (s.options) export_options(*s.options);
      if (s.ignore_count) {
        kw(" IGNORE ");
        expr(s.ignore_count);
        kw(s.ignore_rows_word ? " ROWS" : " LINES");
      }
      if (s.has_columns) {
        kw(" (");
        exprs(s.columns);
        ch(')');
      }
      if (!s.set.empty()) {
        kw(" SET ");
        assignments(s.set);
      }
      return;
    }
    case StatementKind::Set: {
      auto& s = static_cast<const SetStatement&>(st);
      kw("SET ");
      if (s.transaction) {
        kw(kScopes[s.txn_scope]);
        kw("TRANSACTION ");
        static constexpr std::string_view kIso[] = {
            "", "ISOLATION LEVEL READ UNCOMMITTED", "ISOLATION LEVEL READ COMMITTED",
            "ISOLATION LEVEL REPEATABLE READ", "ISOLATION LEVEL SERIALIZABLE"};
        static constexpr std::string_view kAccess[] = {"", "READ ONLY", "READ WRITE"};
        std::string_view a = kIso[s.isolation], b = kAccess[s.access_mode];
        if (!s.isolation_first) std::swap(a, b);
        kw(a);
        if (!a.empty() && !b.empty()) kw(", ");
        kw(b);
        return;
      }
      if (s.for_statement) kw("STATEMENT ");
      for (uint32_t i = 0; i < s.items.size(); ++i) {
        const SetItem& it = s.items[i];
        if (i) kw(", ");
        switch (it.kind) {
          case SetItemKind::Names:
            kw("NAMES ");
            kw(it.charset);
            if (!it.collate.empty()) {
              kw(" COLLATE ");
              kw(it.collate);
            }
            break;
          case SetItemKind::Charset:
            kw("CHARACTER SET ");
            kw(it.charset);
            break;
          case SetItemKind::Variable:
            kw(kScopes[it.scope]);
            expr(it.target);
            kw(it.assign_op ? " := " : " = ");
            expr(it.value);
            break;
        }
      }
      if (s.for_statement) {
        kw(" FOR ");
        statement(*s.for_statement);
      }
      return;
    }
    case StatementKind::Use:
      kw("USE ");
      ident(static_cast<const UseStatement&>(st).database);
      return;
    case StatementKind::Begin:
    case StatementKind::Commit:
    case StatementKind::Rollback:
    case StatementKind::Savepoint: {
      auto& s = static_cast<const TransactionStatement&>(st);
      if (s.kind == StatementKind::Begin) {
        if (!s.start_transaction) {
          kw(s.work ? "BEGIN WORK" : "BEGIN");
          return;
        }
        kw("START TRANSACTION");
        static constexpr std::string_view kModes[] = {"", "WITH CONSISTENT SNAPSHOT", "READ ONLY",
                                                      "READ WRITE"};
        for (uint32_t i = 0; i < s.modes.size(); ++i) {
          kw(i ? ", " : " ");
          kw(kModes[s.modes[i]]);
        }
        return;
      }
      if (s.kind == StatementKind::Savepoint) {
        kw(s.release_savepoint ? "RELEASE SAVEPOINT " : "SAVEPOINT ");
        ident(s.savepoint);
        return;
      }
      kw(s.kind == StatementKind::Commit ? "COMMIT" : "ROLLBACK");
      if (s.work) kw(" WORK");
      if (!s.savepoint.empty()) {
        kw(s.to_savepoint_keyword ? " TO SAVEPOINT " : " TO ");
        ident(s.savepoint);
        return;
      }
      if (s.chain == 1) kw(" AND CHAIN");
      if (s.chain == 2) kw(" AND NO CHAIN");
      if (s.release == 1) kw(" RELEASE");
      if (s.release == 2) kw(" NO RELEASE");
      return;
    }
    case StatementKind::Xa: {
      auto& s = static_cast<const XaStatement&>(st);
      kw("XA ");
      kw(s.verb);
      if (!s.xid.empty()) {
        sp();
        for (uint32_t i = 0; i < s.xid.size(); ++i) {
          if (i) ch(',');
          expr(s.xid[i]);
        }
      }
      if (!s.suffix.empty()) {
        sp();
        kw(s.suffix);
      }
      return;
    }
    case StatementKind::LockTables: {
      auto& s = static_cast<const LockTablesStatement&>(st);
      kw(s.table_word ? "LOCK TABLE " : "LOCK TABLES ");
      static constexpr std::string_view kModes[] = {" READ", " READ LOCAL", " WRITE",
                                                    " LOW_PRIORITY WRITE", " WRITE CONCURRENT"};
      for (uint32_t i = 0; i < s.items.size(); ++i) {
        if (i) kw(", ");
        table(*s.items[i].table);
        kw(kModes[s.items[i].mode]);
      }
      return;
    }
    case StatementKind::UnlockTables:
      kw(static_cast<const UnlockTablesStatement&>(st).table_word ? "UNLOCK TABLE"
                                                                  : "UNLOCK TABLES");
      return;
    case StatementKind::Show: {
      auto& s = static_cast<const ShowStatement&>(st);
      kw("SHOW");
      for (std::string_view w : s.words) {
        sp();
        kw(w);
      }
      if (s.has_object) {
        static constexpr std::string_view kPrep[] = {" ", " FROM ", " IN "};
        kw(kPrep[s.object_prep]);
        object(s.object);
      }
      if (!s.database.empty()) {
        kw(s.database_prep == 1 ? " FROM " : " IN ");
        ident(s.database);
      }
      if (!s.args.empty()) {
        for (uint32_t i = 0; i < s.args.size(); ++i) {
          sp();
          if (!s.arg_preps[i].empty()) {
            kw(s.arg_preps[i]);
            sp();
          }
          expr(s.args[i]);
        }
      }
      if (s.like) {
        kw(" LIKE ");
        expr(s.like);
      }
      if (s.where) {
        kw(" WHERE ");
        expr(s.where);
      }
      if (s.limit) limit(*s.limit);
      return;
    }
    case StatementKind::Explain:
    case StatementKind::Describe: {
      auto& s = static_cast<const ExplainStatement&>(st);
      kw(s.verb);
      for (std::string_view o : s.options) {
        sp();
        kw(o);
      }
      sp();
      if (s.for_connection) {
        kw("FOR CONNECTION ");
        expr(s.for_connection);
      } else if (s.statement) {
        statement(*s.statement);
      } else {
        table(*s.table);
        if (!s.column.empty()) {
          sp();
          ident(s.column);
        } else if (!s.column_pattern.empty()) {
          sp();
          kw(s.column_pattern);
        }
      }
      return;
    }
    case StatementKind::Kill: {
      auto& s = static_cast<const KillStatement&>(st);
      kw("KILL ");
      if (!s.modifier.empty()) {
        kw(s.modifier);
        sp();
      }
      static constexpr std::string_view kTarget[] = {"", "CONNECTION ", "QUERY ", "QUERY ID ",
                                                     "USER "};
      kw(kTarget[s.target]);
      expr(s.id);
      return;
    }
    case StatementKind::Prepare: {
      auto& s = static_cast<const PrepareStatement&>(st);
      kw("PREPARE ");
      ident(s.name);
      kw(" FROM ");
      expr(s.source);
      return;
    }
    case StatementKind::Execute: {
      auto& s = static_cast<const ExecuteStatement&>(st);
      if (s.immediate) {
        kw("EXECUTE IMMEDIATE ");
        expr(s.immediate_sql);
      } else {
        kw("EXECUTE ");
        ident(s.name);
      }
      if (!s.using_vars.empty()) {
        kw(" USING ");
        exprs(s.using_vars);
      }
      return;
    }
    case StatementKind::Deallocate: {
      auto& s = static_cast<const DeallocateStatement&>(st);
      kw(s.drop_keyword ? "DROP PREPARE " : "DEALLOCATE PREPARE ");
      ident(s.name);
      return;
    }
    case StatementKind::Call: {
      auto& s = static_cast<const CallStatement&>(st);
      kw("CALL ");
      object(s.procedure);
      if (s.parens) {
        ch('(');
        exprs(s.args);
        ch(')');
      }
      return;
    }
    case StatementKind::Do:
      kw("DO ");
      exprs(static_cast<const DoStatement&>(st).exprs);
      return;
    default:
      ddl(st);
      return;
  }
}

}  // namespace detail

void to_sql(const Statement& stmt, std::string& out, const WriteOptions& options) {
  detail::SqlWriter w(out, options);
  w.statement(stmt);
}

std::string to_sql(const Statement& stmt, const WriteOptions& options) {
  std::string out;
  to_sql(stmt, out, options);
  return out;
}

void to_sql(const Expr& expr, std::string& out, const WriteOptions& options) {
  detail::SqlWriter w(out, options);
  w.expr(&expr);
}

}  // namespace tessera::sql
