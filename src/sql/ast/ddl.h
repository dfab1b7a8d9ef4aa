// DDL nodes: CREATE/ALTER/DROP/TRUNCATE/RENAME TABLE, indexes, databases, views. Every table name
// is a TableName so a router can find and rewrite it.
#pragma once

#include "sql/ast/statement.h"

namespace tessera::sql {

struct ReferenceDef {
  TableName* table = nullptr;
  ArenaVec<Ident> columns;
  std::string_view match;      // FULL / PARTIAL / SIMPLE
  std::string_view on_delete;  // RESTRICT / CASCADE / SET NULL / NO ACTION / SET DEFAULT
  std::string_view on_update;
};

enum class ColumnAttrKind : uint8_t {
  Null,
  NotNull,
  Default,
  AutoIncrement,
  PrimaryKey,
  Key,
  Unique,
  UniqueKey,
  Comment,
  Collate,
  Charset,
  OnUpdate,
  Generated,
  Check,
  References,
  ColumnFormat,
  Storage,
  Invisible,
  Visible,
  Serial,
  Srid,
  Compressed,
  Constraint,
  Word,
};

struct ColumnAttr {
  ColumnAttrKind kind;
  Expr* expr;             // DEFAULT / ON UPDATE / generated / CHECK value
  std::string_view word;  // COMMENT literal, COLLATE name, STORED/VIRTUAL, format...
  bool flag;              // Generated: "GENERATED ALWAYS" spelled out
  ReferenceDef* ref;
  Ident name;  // CONSTRAINT name
};

struct ColumnDef {
  Ident name;
  DataType* type = nullptr;
  ArenaVec<ColumnAttr> attrs;
};

struct KeyPart {
  Expr* expr;               // column (ColumnRef) or (expression)
  std::string_view length;  // col(10)
  uint8_t dir;              // 0, 1 ASC, 2 DESC
};

enum class IndexKind : uint8_t { Primary, Unique, Index, Fulltext, Spatial, Foreign, Check };

struct IndexOption {
  std::string_view name;   // KEY_BLOCK_SIZE, USING, COMMENT, WITH PARSER, VISIBLE, ...
  std::string_view value;  // source text
  bool eq = false;
};

struct IndexDef {
  IndexKind kind = IndexKind::Index;
  bool constraint_keyword = false;
  Ident constraint_name;
  std::string_view key_word;  // KEY / INDEX as written after UNIQUE/FULLTEXT/SPATIAL/PRIMARY
  bool if_not_exists = false;
  Ident name;
  std::string_view using_type;  // USING BTREE before the key parts
  ArenaVec<KeyPart> parts;
  ArenaVec<IndexOption> options;
  ReferenceDef* ref = nullptr;
  Expr* check = nullptr;
  std::string_view check_enforced;  // [NOT] ENFORCED
};

struct TableOption {
  std::string_view name;        // upper-case words, e.g. "ENGINE", "DEFAULT CHARSET"
  std::string_view value;       // source text of the value
  ArenaVec<TableName*> tables;  // UNION = (t1, t2)
  bool eq = false;
  bool comma = false;  // preceded by ','
};

struct TableElement {
  ColumnDef* column;  // one of the two is set
  IndexDef* index;
};

struct CreateTableStatement : Statement {
  CreateTableStatement() : Statement(StatementKind::CreateTable) {}
  bool or_replace = false;
  bool temporary = false;
  bool if_not_exists = false;
  TableName* table = nullptr;
  ArenaVec<TableElement> elements;
  bool has_elements = false;
  TableName* like = nullptr;
  bool like_parens = false;
  ArenaVec<TableOption> options;
  std::string_view partitioning;  // PARTITION BY ...: opaque source text
  uint8_t duplicates = 0;         // 1 IGNORE, 2 REPLACE before AS SELECT
  bool as_keyword = false;
  Query* select = nullptr;
};

enum class AlterKind : uint8_t {
  AddColumn,
  AddColumns,
  AddIndex,
  DropColumn,
  DropIndex,
  DropPrimaryKey,
  DropForeignKey,
  DropConstraint,
  DropCheck,
  ModifyColumn,
  ChangeColumn,
  AlterColumnDefault,
  AlterColumnDropDefault,
  RenameTable,
  RenameColumn,
  RenameIndex,
  OrderBy,
  ConvertCharset,
  Option,
  Algorithm,
  Lock,
  Force,
  EnableKeys,
  DisableKeys,
  DiscardTablespace,
  ImportTablespace,
  Opaque,
};

struct AlterSpec {
  AlterKind kind;
  bool column_keyword;
  bool if_exists;    // DROP COLUMN IF EXISTS / ADD COLUMN IF NOT EXISTS
  Ident name;        // affected column/index
  Ident new_name;    // RENAME ... TO
  TableName* table;  // RENAME TO t
  ColumnDef* column;
  ArenaVec<ColumnDef*> columns;
  IndexDef* index;
  std::string_view position;  // FIRST / AFTER
  Ident after;
  Expr* expr;
  ArenaVec<OrderItem> order;
  TableOption option;
  std::string_view text;  // Opaque: source text; Algorithm/Lock value; Convert charset
  std::string_view collate;
  std::string_view key_word;  // INDEX/KEY spelling for DropIndex/RenameIndex
  bool eq;
};

struct AlterTableStatement : Statement {
  AlterTableStatement() : Statement(StatementKind::AlterTable) {}
  bool online = false;
  bool ignore = false;
  bool if_exists = false;
  TableName* table = nullptr;
  ArenaVec<AlterSpec> specs;
  std::string_view partitioning;  // opaque partition operations
};

struct DropTableStatement : Statement {
  DropTableStatement() : Statement(StatementKind::DropTable) {}
  bool temporary = false;
  bool tables_word = false;
  bool if_exists = false;
  ArenaVec<TableName*> tables;
  std::string_view behavior;  // RESTRICT / CASCADE
};

struct TruncateStatement : Statement {
  TruncateStatement() : Statement(StatementKind::TruncateTable) {}
  bool table_keyword = false;
  TableName* table = nullptr;
};

struct RenamePair {
  TableName* from;
  TableName* to;
};

struct RenameTableStatement : Statement {
  RenameTableStatement() : Statement(StatementKind::RenameTable) {}
  bool tables_word = false;
  bool if_exists = false;
  ArenaVec<RenamePair> pairs;
};

struct CreateIndexStatement : Statement {
  CreateIndexStatement() : Statement(StatementKind::CreateIndex) {}
  bool or_replace = false;
  std::string_view online;    // ONLINE / OFFLINE
  IndexDef* index = nullptr;  // kind Unique/Fulltext/Spatial/Index, name, parts, options
  TableName* table = nullptr;
  ArenaVec<IndexOption> tail;  // ALGORITHM=..., LOCK=...
};

struct DropIndexStatement : Statement {
  DropIndexStatement() : Statement(StatementKind::DropIndex) {}
  std::string_view online;
  bool if_exists = false;
  Ident name;
  TableName* table = nullptr;
  ArenaVec<IndexOption> tail;
};

struct DatabaseStatement : Statement {
  explicit DatabaseStatement(StatementKind k) : Statement(k) {}  // Create/DropDatabase
  bool or_replace = false;
  bool schema_word = false;
  bool if_exists = false;  // IF EXISTS / IF NOT EXISTS
  Ident name;
  ArenaVec<TableOption> options;
};

struct CreateViewStatement : Statement {
  CreateViewStatement() : Statement(StatementKind::CreateView) {}
  bool or_replace = false;
  bool alter = false;  // ALTER VIEW
  std::string_view algorithm;
  Expr* definer = nullptr;
  std::string_view security;
  bool if_not_exists = false;
  TableName* view = nullptr;
  ArenaVec<Ident> columns;
  Query* query = nullptr;
  std::string_view check_option;  // WITH [CASCADED|LOCAL] CHECK OPTION
};

struct DropViewStatement : Statement {
  DropViewStatement() : Statement(StatementKind::DropView) {}
  bool if_exists = false;
  ArenaVec<TableName*> views;
  std::string_view behavior;
};

// DROP PROCEDURE / FUNCTION / TRIGGER / EVENT / SEQUENCE / USER / ROLE / SERVER / PACKAGE ...
struct DropObjectStatement : Statement {
  DropObjectStatement() : Statement(StatementKind::OtherDdl) { node = StatementNode::DropObject; }
  std::string_view object;  // upper-case words: "PROCEDURE", "PACKAGE BODY", "USER"...
  bool temporary = false;   // DROP TEMPORARY SEQUENCE
  bool if_exists = false;
  ArenaVec<TableName*> names;  // [schema.]name objects (sequences are tables)
  ArenaVec<Expr*> users;       // USER / ROLE: user specs
};

// ANALYZE / CHECK / REPAIR / OPTIMIZE / CHECKSUM TABLE t1, t2 [options]
struct TableMaintenanceStatement : Statement {
  TableMaintenanceStatement() : Statement(StatementKind::OtherDdl) {
    node = StatementNode::TableMaintenance;
  }
  std::string_view verb;
  std::string_view modifier;  // NO_WRITE_TO_BINLOG / LOCAL
  bool tables_word = false;   // TABLES vs TABLE
  ArenaVec<TableName*> tables;
  ArenaVec<std::string_view> options;  // QUICK, EXTENDED, USE_FRM, FOR UPGRADE, ...
  // ANALYZE ... PERSISTENT FOR ALL | COLUMNS (...) INDEXES (...): source text.
  std::string_view persistent;
};

// FLUSH [NO_WRITE_TO_BINLOG|LOCAL] option, ... / FLUSH TABLES [t, ...] [WITH READ LOCK|FOR EXPORT]
struct FlushStatement : Statement {
  FlushStatement() : Statement(StatementKind::Other) { node = StatementNode::Flush; }
  std::string_view modifier;
  ArenaVec<std::string_view> options;  // each option's words as written ("BINARY LOGS")
  bool tables_form = false;
  bool tables_word = true;  // TABLES vs TABLE
  ArenaVec<TableName*> tables;
  std::string_view tail;  // WITH READ LOCK / FOR EXPORT ...
};

// HANDLER t OPEN [AS a] | READ [idx] {FIRST|NEXT|PREV|LAST | op (values)} [WHERE] [LIMIT] | CLOSE
struct HandlerStatement : Statement {
  HandlerStatement() : Statement(StatementKind::Other) { node = StatementNode::Handler; }
  TableName* table = nullptr;
  std::string_view action;  // OPEN / READ / CLOSE
  Ident alias;
  bool as_keyword = false;
  Ident index;
  std::string_view direction;  // FIRST / NEXT / PREV / LAST or the comparison operator
  ArenaVec<Expr*> values;
  Expr* where = nullptr;
  Limit* limit = nullptr;
};

// Statements whose grammar is a plain word sequence: BACKUP STAGE x, RESET MASTER, HELP 'x',
// INSTALL PLUGIN p SONAME 'lib', UNINSTALL SONAME 'x', ... Words print as written.
struct WordsStatement : Statement {
  explicit WordsStatement(StatementKind k) : Statement(k) { node = StatementNode::Words; }
  ArenaVec<std::string_view> words;
};

}  // namespace tessera::sql
