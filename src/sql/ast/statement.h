// Statement nodes: DML, session/transaction control, SHOW/EXPLAIN, and utility statements.
// DDL lives in ddl.h. Statement::kind uses the classifier's StatementKind so the router can
// switch on one enum whether it parsed or only classified.
#pragma once

#include "sql/ast/query.h"
#include "sql/statement_kind.h"

namespace tessera::sql {

// Which struct a Statement is, where the kind alone does not say (OtherDdl / Other cover
// several node types).
enum class StatementNode : uint8_t {
  Standard,          // the struct implied by kind
  AlterView,         // CreateViewStatement with alter = true
  DropObject,        // DropObjectStatement
  TableMaintenance,  // TableMaintenanceStatement
  Flush,             // FlushStatement
  Handler,           // HandlerStatement
  Words,             // WordsStatement
  Routine,           // CreateRoutineStatement
  Compound,          // CompoundStatement
  Grant,             // GrantStatement (GRANT / REVOKE)
  User,              // UserStatement
  AlterDatabase,     // DatabaseStatement (ALTER DATABASE / SCHEMA)
};

struct Statement {
  StatementKind kind;
  StatementNode node = StatementNode::Standard;
  explicit Statement(StatementKind k) : kind(k) {}
};

struct SelectStatement : Statement {
  SelectStatement() : Statement(StatementKind::Select) {}
  Query* query = nullptr;
};

struct Assignment {
  ColumnRef* column;
  Expr* value;
};

struct InsertStatement : Statement {
  InsertStatement() : Statement(StatementKind::Insert) {}
  std::string_view hint;
  uint8_t priority = 0;  // 0 none, 1 LOW_PRIORITY, 2 DELAYED, 3 HIGH_PRIORITY
  bool ignore = false;
  bool into_keyword = false;
  TableName* table = nullptr;
  ArenaVec<Ident> columns;
  bool has_columns = false;  // "()" is legal and differs from no list
  uint8_t source = 0;        // 0 VALUES, 1 VALUE, 2 SET, 3 SELECT
  ArenaVec<Row*> rows;
  ArenaVec<Assignment> set;
  Query* select = nullptr;
  Ident row_alias;  // INSERT ... VALUES (...) AS new [(a, b)]
  ArenaVec<Ident> row_alias_columns;
  ArenaVec<Assignment> on_duplicate;
  bool has_on_duplicate = false;
  ArenaVec<SelectItem> returning;  // MariaDB
};

struct UpdateStatement : Statement {
  UpdateStatement() : Statement(StatementKind::Update) {}
  With* with = nullptr;
  std::string_view hint;
  bool low_priority = false;
  bool ignore = false;
  ArenaVec<TableRef*> tables;
  ArenaVec<Assignment> set;
  Expr* where = nullptr;
  ArenaVec<OrderItem> order_by;
  Limit* limit = nullptr;
};

struct DeleteStatement : Statement {
  DeleteStatement() : Statement(StatementKind::Delete) {}
  With* with = nullptr;
  std::string_view hint;
  bool low_priority = false;
  bool quick = false;
  bool ignore = false;
  // Multi-table: DELETE t1, t2 FROM refs / DELETE FROM t1, t2 USING refs.
  ArenaVec<TableName*> targets;
  bool using_form = false;
  // Single-table: from holds one TableName (with partitions/alias).
  ArenaVec<TableRef*> from;
  Expr* where = nullptr;
  ArenaVec<OrderItem> order_by;
  Limit* limit = nullptr;
  ArenaVec<SelectItem> returning;
};

struct LoadDataStatement : Statement {
  LoadDataStatement() : Statement(StatementKind::LoadData) {}
  bool xml = false;
  uint8_t priority = 0;  // 1 LOW_PRIORITY, 2 CONCURRENT
  bool local = false;
  std::string_view file;   // literal source text
  uint8_t duplicates = 0;  // 1 REPLACE, 2 IGNORE
  TableName* table = nullptr;
  std::string_view charset;
  std::string_view rows_identified_by;  // LOAD XML
  ExportOptions* options = nullptr;
  Expr* ignore_count = nullptr;
  bool ignore_rows_word = false;  // IGNORE n ROWS vs LINES
  ArenaVec<Expr*> columns;        // columns or @vars
  bool has_columns = false;
  ArenaVec<Assignment> set;
};

// SET: variables, NAMES, CHARACTER SET, TRANSACTION, PASSWORD is not handled (classified only).
enum class SetItemKind : uint8_t { Variable, Names, Charset };

struct SetItem {
  SetItemKind kind;
  uint8_t scope;             // 0 none, 1 GLOBAL, 2 SESSION, 3 LOCAL, 4 PERSIST, 5 PERSIST_ONLY
  Expr* target;              // Variable or ColumnRef (plain system variable name)
  Expr* value;               // null for NAMES DEFAULT
  std::string_view charset;  // Names/Charset: as written (identifier/string/DEFAULT)
  std::string_view collate;
  bool assign_op;  // := rather than =
};

struct SetStatement : Statement {
  SetStatement() : Statement(StatementKind::Set) {}
  ArenaVec<SetItem> items;
  // SET [GLOBAL|SESSION] TRANSACTION characteristic, ...
  bool transaction = false;
  uint8_t txn_scope = 0;
  uint8_t isolation = 0;    // 0 none, 1 READ UNCOMMITTED, 2 READ COMMITTED, 3 REPEATABLE READ,
                            // 4 SERIALIZABLE
  uint8_t access_mode = 0;  // 0 none, 1 READ ONLY, 2 READ WRITE
  bool isolation_first = true;
  // SET STATEMENT var=v, ... FOR <statement> (MariaDB)
  Statement* for_statement = nullptr;
};

struct UseStatement : Statement {
  UseStatement() : Statement(StatementKind::Use) {}
  Ident database;
};

// BEGIN / START TRANSACTION / COMMIT / ROLLBACK / SAVEPOINT / RELEASE SAVEPOINT.
struct TransactionStatement : Statement {
  explicit TransactionStatement(StatementKind k) : Statement(k) {}
  bool start_transaction = false;  // START TRANSACTION (vs BEGIN)
  bool work = false;
  // START TRANSACTION characteristics in order: 1 WITH CONSISTENT SNAPSHOT, 2 READ ONLY,
  // 3 READ WRITE.
  ArenaVec<uint8_t> modes;
  uint8_t chain = 0;                  // 1 AND CHAIN, 2 AND NO CHAIN
  uint8_t release = 0;                // 1 RELEASE, 2 NO RELEASE
  Ident savepoint;                    // SAVEPOINT x / ROLLBACK TO x / RELEASE SAVEPOINT x
  bool to_savepoint_keyword = false;  // ROLLBACK TO SAVEPOINT x
  bool release_savepoint = false;
};

struct XaStatement : Statement {
  XaStatement() : Statement(StatementKind::Xa) {}
  std::string_view verb;    // START, BEGIN, END, PREPARE, COMMIT, ROLLBACK, RECOVER
  ArenaVec<Expr*> xid;      // gtrid [, bqual [, formatID]]
  std::string_view suffix;  // JOIN/RESUME/SUSPEND [FOR MIGRATE]/ONE PHASE/FORMAT=...
};

struct LockItem {
  TableName* table;
  uint8_t mode;  // 0 READ, 1 READ LOCAL, 2 WRITE, 3 LOW_PRIORITY WRITE, 4 WRITE CONCURRENT
};

struct LockTablesStatement : Statement {
  LockTablesStatement() : Statement(StatementKind::LockTables) {}
  bool table_word = false;  // LOCK TABLE vs TABLES
  ArenaVec<LockItem> items;
};

struct UnlockTablesStatement : Statement {
  UnlockTablesStatement() : Statement(StatementKind::UnlockTables) {}
  bool table_word = false;
};

struct ShowStatement : Statement {
  ShowStatement() : Statement(StatementKind::Show) {}
  // The words naming what is shown, upper-cased: "TABLES", "FULL COLUMNS", "CREATE TABLE",
  // "GLOBAL STATUS", "ENGINE INNODB STATUS"...
  ArenaVec<std::string_view> words;
  ObjectName object;  // SHOW CREATE TABLE x / SHOW COLUMNS FROM x / SHOW INDEX FROM x
  bool has_object = false;
  uint8_t object_prep = 0;  // 0 direct, 1 FROM, 2 IN
  Ident database;           // ... FROM db / IN db
  uint8_t database_prep = 0;
  Expr* like = nullptr;
  Expr* where = nullptr;
  ArenaVec<Expr*> args;  // SHOW GRANTS FOR u / SHOW BINLOG EVENTS IN 'f' FROM n / ...
  ArenaVec<std::string_view> arg_preps;  // word before each arg: FOR / IN / FROM / ""
  Limit* limit = nullptr;
};

struct ExplainStatement : Statement {
  explicit ExplainStatement(StatementKind k) : Statement(k) {}  // Explain or Describe
  std::string_view verb;               // EXPLAIN / DESCRIBE / DESC / ANALYZE
  ArenaVec<std::string_view> options;  // EXTENDED, PARTITIONS, FORMAT=JSON, ANALYZE
  Statement* statement = nullptr;      // Explain
  TableName* table = nullptr;          // Describe
  Ident column;                        // DESCRIBE t col
  std::string_view column_pattern;     // DESCRIBE t 'pat%'
  Expr* for_connection = nullptr;      // EXPLAIN FOR CONNECTION n
};

struct KillStatement : Statement {
  KillStatement() : Statement(StatementKind::Kill) {}
  std::string_view modifier;  // HARD / SOFT
  uint8_t target = 0;         // 0 default, 1 CONNECTION, 2 QUERY, 3 QUERY ID, 4 USER
  Expr* id = nullptr;
};

struct PrepareStatement : Statement {
  PrepareStatement() : Statement(StatementKind::Prepare) {}
  Ident name;
  Expr* source = nullptr;  // string literal or @var
};

struct ExecuteStatement : Statement {
  ExecuteStatement() : Statement(StatementKind::Execute) {}
  Ident name;
  bool immediate = false;  // EXECUTE IMMEDIATE expr (MariaDB)
  Expr* immediate_sql = nullptr;
  ArenaVec<Expr*> using_vars;
};

struct DeallocateStatement : Statement {
  DeallocateStatement() : Statement(StatementKind::Deallocate) {}
  bool drop_keyword = false;
  Ident name;
};

struct CallStatement : Statement {
  CallStatement() : Statement(StatementKind::Call) {}
  ObjectName procedure;
  ArenaVec<Expr*> args;
  bool parens = false;
};

struct DoStatement : Statement {
  DoStatement() : Statement(StatementKind::Do) {}
  ArenaVec<Expr*> exprs;
};

}  // namespace tessera::sql
