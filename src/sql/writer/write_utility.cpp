// Administrative statements (see parser/parse_utility.cpp).
#include "sql/writer/sql_writer.h"

namespace tessera::sql::detail {

void SqlWriter::utility(const Statement& st) {
  switch (st.node) {
    case StatementNode::DropObject: {
      auto& s = static_cast<const DropObjectStatement&>(st);
      kw(s.temporary ? "DROP TEMPORARY " : "DROP ");
      kw(s.object);
      if (s.if_exists) kw(" IF EXISTS");
      sp();
      for (uint32_t i = 0; i < s.names.size(); ++i) {
        if (i) kw(", ");
        table(*s.names[i]);
      }
      for (uint32_t i = 0; i < s.users.size(); ++i) {
        if (i) kw(", ");
        expr(s.users[i]);
      }
      return;
    }
    case StatementNode::TableMaintenance: {
      auto& s = static_cast<const TableMaintenanceStatement&>(st);
      kw(s.verb);
      if (!s.modifier.empty()) {
        sp();
        kw(s.modifier);
      }
      kw(s.tables_word ? " TABLES " : " TABLE ");
      for (uint32_t i = 0; i < s.tables.size(); ++i) {
        if (i) kw(", ");
        table(*s.tables[i]);
      }
      if (!s.persistent.empty()) {
        sp();
        kw(s.persistent);
      }
      for (std::string_view o : s.options) {
        sp();
        kw(o);
      }
      return;
    }
    case StatementNode::Flush: {
      auto& s = static_cast<const FlushStatement&>(st);
      kw("FLUSH ");
      if (!s.modifier.empty()) {
        kw(s.modifier);
        sp();
      }
      if (s.tables_form) {
        kw(s.tables_word ? "TABLES" : "TABLE");
        for (uint32_t i = 0; i < s.tables.size(); ++i) {
          kw(i ? ", " : " ");
          table(*s.tables[i]);
        }
        if (!s.tail.empty()) {
          sp();
          kw(s.tail);
        }
        return;
      }
      for (uint32_t i = 0; i < s.options.size(); ++i) {
        if (i) kw(", ");
        kw(s.options[i]);
      }
      return;
    }
    case StatementNode::Handler: {
      auto& s = static_cast<const HandlerStatement&>(st);
      kw("HANDLER ");
      table(*s.table);
      sp();
      kw(s.action);
      if (!s.alias.empty()) {
        kw(" AS ");
        ident(s.alias);
      }
      if (!s.index.empty()) {
        sp();
        ident(s.index);
      }
      if (!s.direction.empty()) {
        sp();
        kw(s.direction);
      }
      if (!s.values.empty()) {
        kw(" (");
        exprs(s.values);
        ch(')');
      }
      if (s.where) {
        kw(" WHERE ");
        expr(s.where);
      }
      if (s.limit) limit(*s.limit);
      return;
    }
    case StatementNode::Words: {
      auto& s = static_cast<const WordsStatement&>(st);
      for (uint32_t i = 0; i < s.words.size(); ++i) {
        if (i && s.words[i] != ",") sp();
        kw(s.words[i]);
      }
      return;
    }
    case StatementNode::AlterDatabase: {
      auto& s = static_cast<const DatabaseStatement&>(st);
      kw(s.schema_word ? "ALTER SCHEMA" : "ALTER DATABASE");
      if (!s.name.empty()) {
        sp();
        ident(s.name);
      }
      for (const TableOption& o : s.options) {
        kw(o.comma ? ", " : " ");
        if (o.value.empty() && !o.eq) {
          kw(o.name);
        } else {
          table_option(o);
        }
      }
      return;
    }
    case StatementNode::Grant:
    case StatementNode::User:
      account(st);
      return;
    case StatementNode::Compound:
      sp_node(static_cast<const CompoundStatement&>(st).body);
      return;
    case StatementNode::Routine: {
      auto& s = static_cast<const CreateRoutineStatement&>(st);
      kw("CREATE ");
      if (s.or_replace) kw("OR REPLACE ");
      if (s.definer) {
        kw("DEFINER=");
        expr(s.definer);
        sp();
      }
      kw(s.type);
      if (s.if_not_exists) kw(" IF NOT EXISTS");
      sp();
      table(*s.name);
      if (s.type == "TRIGGER") {
        sp();
        kw(s.timing);
        sp();
        kw(s.event);
        kw(" ON ");
        table(*s.table);
        kw(" FOR EACH ROW");
        if (!s.order.empty()) {
          sp();
          kw(s.order);
        }
      } else if (s.type == "EVENT") {
        kw(s.every ? " ON SCHEDULE EVERY " : " ON SCHEDULE AT ");
        expr(s.at);
        if (s.every) {
          sp();
          kw(s.every_unit);
        }
        if (s.starts) {
          kw(" STARTS ");
          expr(s.starts);
        }
        if (s.ends) {
          kw(" ENDS ");
          expr(s.ends);
        }
        if (!s.completion.empty()) {
          sp();
          kw(s.completion);
        }
        if (!s.status.empty()) {
          sp();
          kw(s.status);
        }
        if (!s.comment.empty()) {
          kw(" COMMENT ");
          kw(s.comment);
        }
        kw(" DO");
      } else {
        ch('(');
        for (uint32_t i = 0; i < s.params.size(); ++i) {
          const RoutineParam& p = s.params[i];
          if (i) kw(", ");
          if (!p.mode.empty()) {
            kw(p.mode);
            sp();
          }
          ident(p.name);
          sp();
          data_type(*p.type);
        }
        ch(')');
        if (s.returns) {
          kw(" RETURNS ");
          data_type(*s.returns);
        }
        for (std::string_view c : s.characteristics) {
          sp();
          kw(c);
        }
      }
      sp();
      sp_node(s.body);
      return;
    }
    default:
      kw("/* unsupported statement */");
      return;
  }
}

}  // namespace tessera::sql::detail
