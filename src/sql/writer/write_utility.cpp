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
    default:
      kw("/* unsupported statement */");
      return;
  }
}

}  // namespace tessera::sql::detail
