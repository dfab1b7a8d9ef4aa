// DDL statements.
#include "sql/writer/sql_writer.h"

namespace tessera::sql::detail {

namespace {
constexpr std::string_view kIndexKind[] = {"PRIMARY KEY", "UNIQUE",      "INDEX", "FULLTEXT",
                                           "SPATIAL",     "FOREIGN KEY", "CHECK"};
}

void SqlWriter::table_option(const TableOption& o) {
  kw(o.name);
  kw(o.eq ? "=" : " ");
  if (!o.tables.empty()) {
    ch('(');
    for (uint32_t i = 0; i < o.tables.size(); ++i) {
      if (i) kw(", ");
      table(*o.tables[i]);
    }
    ch(')');
    return;
  }
  kw(o.value);
}

static void write_ref(SqlWriter& w, const ReferenceDef& r) {
  w.kw("REFERENCES ");
  w.table(*r.table);
  if (!r.columns.empty()) {
    w.sp();
    w.ident_list(r.columns);
  }
  if (!r.match.empty()) {
    w.kw(" MATCH ");
    w.kw(r.match);
  }
  if (!r.on_delete.empty()) {
    w.kw(" ON DELETE ");
    w.kw(r.on_delete);
  }
  if (!r.on_update.empty()) {
    w.kw(" ON UPDATE ");
    w.kw(r.on_update);
  }
}

void SqlWriter::column_def(const ColumnDef& c) {
  ident(c.name);
  sp();
  data_type(*c.type);
  for (const ColumnAttr& a : c.attrs) {
    sp();
    switch (a.kind) {
      case ColumnAttrKind::Null:
        kw("NULL");
        break;
      case ColumnAttrKind::NotNull:
        kw("NOT NULL");
        break;
      case ColumnAttrKind::Default:
        kw("DEFAULT ");
        expr(a.expr);
        break;
      case ColumnAttrKind::AutoIncrement:
        kw("AUTO_INCREMENT");
        break;
      case ColumnAttrKind::PrimaryKey:
        kw("PRIMARY KEY");
        break;
      case ColumnAttrKind::Key:
        kw("KEY");
        break;
      case ColumnAttrKind::Unique:
        kw("UNIQUE");
        break;
      case ColumnAttrKind::UniqueKey:
        kw("UNIQUE KEY");
        break;
      case ColumnAttrKind::Comment:
        kw("COMMENT ");
        kw(a.word);
        break;
      case ColumnAttrKind::Collate:
        kw("COLLATE ");
        kw(a.word);
        break;
      case ColumnAttrKind::Charset:
        kw("CHARACTER SET ");
        kw(a.word);
        break;
      case ColumnAttrKind::OnUpdate:
        kw("ON UPDATE ");
        expr(a.expr);
        break;
      case ColumnAttrKind::Generated:
        kw(a.flag ? "GENERATED ALWAYS AS " : "AS ");
        if (opt_.canonical || a.expr->parens == 0) ch('(');
        expr(a.expr);
        if (opt_.canonical || a.expr->parens == 0) ch(')');
        if (!a.word.empty()) {
          sp();
          kw(a.word);
        }
        break;
      case ColumnAttrKind::Check:
        kw("CHECK ");
        if (opt_.canonical || a.expr->parens == 0) ch('(');
        expr(a.expr);
        if (opt_.canonical || a.expr->parens == 0) ch(')');
        break;
      case ColumnAttrKind::References:
        write_ref(*this, *a.ref);
        break;
      case ColumnAttrKind::ColumnFormat:
        kw("COLUMN_FORMAT ");
        kw(a.word);
        break;
      case ColumnAttrKind::Storage:
        kw("STORAGE ");
        kw(a.word);
        break;
      case ColumnAttrKind::Invisible:
        kw("INVISIBLE");
        break;
      case ColumnAttrKind::Visible:
        kw("VISIBLE");
        break;
      case ColumnAttrKind::Serial:
        kw("SERIAL DEFAULT VALUE");
        break;
      case ColumnAttrKind::Srid:
        kw("SRID ");
        kw(a.word);
        break;
      case ColumnAttrKind::Compressed:
        kw("COMPRESSED");
        if (!a.word.empty()) {
          ch('=');
          kw(a.word);
        }
        break;
      case ColumnAttrKind::Constraint:
        kw("CONSTRAINT");
        if (!a.name.empty()) {
          sp();
          ident(a.name);
        }
        break;
      case ColumnAttrKind::Word:
        kw(a.word);
        break;
    }
  }
}

static void key_parts(SqlWriter& w, const ArenaVec<KeyPart>& parts) {
  w.ch('(');
  for (uint32_t i = 0; i < parts.size(); ++i) {
    if (i) w.kw(", ");
    const KeyPart& k = parts[i];
    bool paren = k.expr->kind != ExprKind::Column && (w.opt_.canonical || k.expr->parens == 0);
    if (paren) w.ch('(');
    w.expr(k.expr);
    if (paren) w.ch(')');
    if (!k.length.empty()) {
      w.ch('(');
      w.kw(k.length);
      w.ch(')');
    }
    if (k.dir == 1) w.kw(" ASC");
    if (k.dir == 2) w.kw(" DESC");
  }
  w.ch(')');
}

static void index_options(SqlWriter& w, const ArenaVec<IndexOption>& opts) {
  for (const IndexOption& o : opts) {
    w.sp();
    w.kw(o.name);
    if (!o.value.empty()) {
      w.kw(o.eq ? "=" : " ");
      w.kw(o.value);
    }
  }
}

void SqlWriter::index_def(const IndexDef& d) {
  if (d.constraint_keyword) {
    kw("CONSTRAINT ");
    if (!d.constraint_name.empty()) {
      ident(d.constraint_name);
      sp();
    }
  }
  kw(kIndexKind[size_t(d.kind)]);
  if (d.kind == IndexKind::Check) {
    sp();
    if (opt_.canonical || d.check->parens == 0) ch('(');
    expr(d.check);
    if (opt_.canonical || d.check->parens == 0) ch(')');
    if (!d.check_enforced.empty()) {
      sp();
      kw(d.check_enforced);
    }
    return;
  }
  if (d.kind != IndexKind::Index && !d.key_word.empty()) {
    sp();
    kw(d.key_word);
  }
  if (d.if_not_exists) kw(" IF NOT EXISTS");
  if (!d.name.empty()) {
    sp();
    ident(d.name);
  }
  if (!d.using_type.empty()) {
    kw(" USING ");
    kw(d.using_type);
  }
  sp();
  key_parts(*this, d.parts);
  if (d.ref) {
    sp();
    write_ref(*this, *d.ref);
  }
  index_options(*this, d.options);
}

void SqlWriter::ddl(const Statement& st) {
  switch (st.kind) {
    case StatementKind::CreateTable: {
      auto& s = static_cast<const CreateTableStatement&>(st);
      kw("CREATE ");
      if (s.or_replace) kw("OR REPLACE ");
      if (s.temporary) kw("TEMPORARY ");
      kw("TABLE ");
      if (s.if_not_exists) kw("IF NOT EXISTS ");
      table(*s.table);
      if (s.like) {
        kw(s.like_parens ? " (LIKE " : " LIKE ");
        table(*s.like);
        if (s.like_parens) ch(')');
        return;
      }
      if (s.has_elements) {
        kw(" (");
        for (uint32_t i = 0; i < s.elements.size(); ++i) {
          if (i) kw(", ");
          if (s.elements[i].column) {
            column_def(*s.elements[i].column);
          } else {
            index_def(*s.elements[i].index);
          }
        }
        ch(')');
      }
      for (const TableOption& o : s.options) {
        kw(o.comma ? ", " : " ");
        table_option(o);
      }
      if (!s.partitioning.empty()) {
        sp();
        kw(s.partitioning);
      }
      if (s.duplicates == 1) kw(" IGNORE");
      if (s.duplicates == 2) kw(" REPLACE");
      if (s.select) {
        kw(s.as_keyword ? " AS " : " ");
        query(*s.select);
      }
      return;
    }
    case StatementKind::AlterTable: {
      auto& s = static_cast<const AlterTableStatement&>(st);
      kw("ALTER ");
      if (s.online) kw("ONLINE ");
      if (s.ignore) kw("IGNORE ");
      kw("TABLE ");
      if (s.if_exists) kw("IF EXISTS ");
      table(*s.table);
      for (uint32_t i = 0; i < s.specs.size(); ++i) {
        const AlterSpec& a = s.specs[i];
        kw(i ? ", " : " ");
        auto col = [&]() {
          if (a.column_keyword) kw("COLUMN ");
        };
        auto if_exists = [&]() {
          if (a.if_exists) kw("IF EXISTS ");
        };
        auto position = [&]() {
          if (!a.position.empty()) {
            sp();
            kw(a.position);
            if (!a.after.empty()) {
              sp();
              ident(a.after);
            }
          }
        };
        switch (a.kind) {
          case AlterKind::AddColumn:
            kw("ADD ");
            col();
            if (a.if_exists) kw("IF NOT EXISTS ");
            column_def(*a.column);
            position();
            break;
          case AlterKind::AddColumns:
            kw("ADD ");
            col();
            if (a.if_exists) kw("IF NOT EXISTS ");
            ch('(');
            for (uint32_t k = 0; k < a.columns.size(); ++k) {
              if (k) kw(", ");
              column_def(*a.columns[k]);
            }
            ch(')');
            break;
          case AlterKind::AddIndex:
            kw("ADD ");
            index_def(*a.index);
            break;
          case AlterKind::DropColumn:
            kw("DROP ");
            col();
            if_exists();
            ident(a.name);
            if (!a.text.empty()) {
              sp();
              kw(a.text);
            }
            break;
          case AlterKind::DropIndex:
            kw("DROP ");
            kw(a.key_word);
            sp();
            if_exists();
            ident(a.name);
            break;
          case AlterKind::DropPrimaryKey:
            kw("DROP PRIMARY KEY");
            break;
          case AlterKind::DropForeignKey:
            kw("DROP FOREIGN KEY ");
            if_exists();
            ident(a.name);
            break;
          case AlterKind::DropConstraint:
          case AlterKind::DropCheck:
            kw(a.kind == AlterKind::DropConstraint ? "DROP CONSTRAINT " : "DROP CHECK ");
            if_exists();
            ident(a.name);
            break;
          case AlterKind::ModifyColumn:
          case AlterKind::ChangeColumn:
            kw(a.kind == AlterKind::ModifyColumn ? "MODIFY " : "CHANGE ");
            col();
            if_exists();
            if (a.kind == AlterKind::ChangeColumn) {
              ident(a.name);
              sp();
            }
            column_def(*a.column);
            position();
            break;
          case AlterKind::AlterColumnDefault:
            kw("ALTER ");
            col();
            ident(a.name);
            kw(" SET DEFAULT ");
            expr(a.expr);
            break;
          case AlterKind::AlterColumnDropDefault:
            kw("ALTER ");
            col();
            ident(a.name);
            kw(" DROP DEFAULT");
            break;
          case AlterKind::RenameTable:
            kw("RENAME ");
            if (!a.text.empty()) {
              kw(a.text);
              sp();
            }
            table(*a.table);
            break;
          case AlterKind::RenameColumn:
          case AlterKind::RenameIndex:
            kw("RENAME ");
            kw(a.kind == AlterKind::RenameColumn ? std::string_view("COLUMN") : a.key_word);
            sp();
            ident(a.name);
            kw(" TO ");
            ident(a.new_name);
            break;
          case AlterKind::OrderBy:
            kw("ORDER BY ");
            order(a.order);
            break;
          case AlterKind::ConvertCharset:
            kw("CONVERT TO CHARACTER SET ");
            kw(a.text);
            if (!a.collate.empty()) {
              kw(" COLLATE ");
              kw(a.collate);
            }
            break;
          case AlterKind::Option:
            table_option(a.option);
            break;
          case AlterKind::Algorithm:
          case AlterKind::Lock:
            kw(a.kind == AlterKind::Algorithm ? "ALGORITHM" : "LOCK");
            kw(a.eq ? "=" : " ");
            kw(a.text);
            break;
          case AlterKind::Force:
            kw("FORCE");
            break;
          case AlterKind::EnableKeys:
            kw("ENABLE KEYS");
            break;
          case AlterKind::DisableKeys:
            kw("DISABLE KEYS");
            break;
          case AlterKind::DiscardTablespace:
            kw("DISCARD TABLESPACE");
            break;
          case AlterKind::ImportTablespace:
            kw("IMPORT TABLESPACE");
            break;
          case AlterKind::Opaque:
            kw(a.text);
            break;
        }
      }
      if (!s.partitioning.empty()) {
        sp();
        kw(s.partitioning);
      }
      return;
    }
    case StatementKind::DropTable: {
      auto& s = static_cast<const DropTableStatement&>(st);
      kw("DROP ");
      if (s.temporary) kw("TEMPORARY ");
      kw(s.tables_word ? "TABLES " : "TABLE ");
      if (s.if_exists) kw("IF EXISTS ");
      for (uint32_t i = 0; i < s.tables.size(); ++i) {
        if (i) kw(", ");
        table(*s.tables[i]);
      }
      if (!s.behavior.empty()) {
        sp();
        kw(s.behavior);
      }
      return;
    }
    case StatementKind::TruncateTable: {
      auto& s = static_cast<const TruncateStatement&>(st);
      kw(s.table_keyword ? "TRUNCATE TABLE " : "TRUNCATE ");
      table(*s.table);
      return;
    }
    case StatementKind::RenameTable: {
      auto& s = static_cast<const RenameTableStatement&>(st);
      kw(s.tables_word ? "RENAME TABLES " : "RENAME TABLE ");
      if (s.if_exists) kw("IF EXISTS ");
      for (uint32_t i = 0; i < s.pairs.size(); ++i) {
        if (i) kw(", ");
        table(*s.pairs[i].from);
        kw(" TO ");
        table(*s.pairs[i].to);
      }
      return;
    }
    case StatementKind::CreateIndex: {
      auto& s = static_cast<const CreateIndexStatement&>(st);
      const IndexDef& d = *s.index;
      kw("CREATE ");
      if (s.or_replace) kw("OR REPLACE ");
      if (!s.online.empty()) {
        kw(s.online);
        sp();
      }
      if (d.kind != IndexKind::Index) {
        kw(kIndexKind[size_t(d.kind)]);
        sp();
      }
      kw("INDEX ");
      if (d.if_not_exists) kw("IF NOT EXISTS ");
      ident(d.name);
      if (!d.using_type.empty()) {
        kw(" USING ");
        kw(d.using_type);
      }
      kw(" ON ");
      table(*s.table);
      sp();
      key_parts(*this, d.parts);
      index_options(*this, d.options);
      index_options(*this, s.tail);
      return;
    }
    case StatementKind::DropIndex: {
      auto& s = static_cast<const DropIndexStatement&>(st);
      kw("DROP ");
      if (!s.online.empty()) {
        kw(s.online);
        sp();
      }
      kw("INDEX ");
      if (s.if_exists) kw("IF EXISTS ");
      ident(s.name);
      kw(" ON ");
      table(*s.table);
      index_options(*this, s.tail);
      return;
    }
    case StatementKind::CreateDatabase:
    case StatementKind::DropDatabase: {
      auto& s = static_cast<const DatabaseStatement&>(st);
      bool create = s.kind == StatementKind::CreateDatabase;
      kw(create ? "CREATE " : "DROP ");
      if (s.or_replace) kw("OR REPLACE ");
      kw(s.schema_word ? "SCHEMA " : "DATABASE ");
      if (s.if_exists) kw(create ? "IF NOT EXISTS " : "IF EXISTS ");
      ident(s.name);
      for (const TableOption& o : s.options) {
        kw(o.comma ? ", " : " ");
        table_option(o);
      }
      return;
    }
    case StatementKind::CreateView:
    case StatementKind::OtherDdl: {
      auto& s = static_cast<const CreateViewStatement&>(st);
      kw(s.alter ? "ALTER " : "CREATE ");
      if (s.or_replace) kw("OR REPLACE ");
      if (!s.algorithm.empty()) {
        kw("ALGORITHM=");
        kw(s.algorithm);
        sp();
      }
      if (s.definer) {
        kw("DEFINER=");
        expr(s.definer);
        sp();
      }
      if (!s.security.empty()) {
        kw("SQL SECURITY ");
        kw(s.security);
        sp();
      }
      kw("VIEW ");
      if (s.if_not_exists) kw("IF NOT EXISTS ");
      table(*s.view);
      if (!s.columns.empty()) {
        sp();
        ident_list(s.columns);
      }
      kw(" AS ");
      query(*s.query);
      if (!s.check_option.empty()) {
        sp();
        kw(s.check_option);
      }
      return;
    }
    case StatementKind::DropView: {
      auto& s = static_cast<const DropViewStatement&>(st);
      kw("DROP VIEW ");
      if (s.if_exists) kw("IF EXISTS ");
      for (uint32_t i = 0; i < s.views.size(); ++i) {
        if (i) kw(", ");
        table(*s.views[i]);
      }
      if (!s.behavior.empty()) {
        sp();
        kw(s.behavior);
      }
      return;
    }
    default:
      kw("/* unsupported statement */");
      return;
  }
}

}  // namespace tessera::sql::detail
