// Stored programs: CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT and compound statements
// (BEGIN [NOT ATOMIC] ... END, IF, CASE, loops, DECLARE, cursors, handlers, SIGNAL, ...).
// A proxy routes these whole; the AST exists so table names inside bodies can be found.
#pragma once

#include "sql/ast/ddl.h"

namespace tessera::sql {

enum class SpKind : uint8_t {
  Statement,
  Block,
  If,
  Case,
  While,
  Loop,
  Repeat,
  ForRange,
  ForCursor,
  Leave,
  Iterate,
  Return,
  DeclareVar,
  DeclareCondition,
  DeclareHandler,
  DeclareCursor,
  Open,
  Fetch,
  Close,
  Signal,
  GetDiagnostics,
};

struct SpNode {
  SpKind kind;
  Ident label;      // label: before BEGIN/LOOP/WHILE/REPEAT/FOR
  Ident end_label;  // END [label]
  explicit SpNode(SpKind k) : kind(k) {}
};

using SpList = ArenaVec<SpNode*>;

struct SpStatement : SpNode {
  SpStatement() : SpNode(SpKind::Statement) {}
  Statement* statement = nullptr;
};

struct SpBlock : SpNode {
  SpBlock() : SpNode(SpKind::Block) {}
  bool not_atomic = false;
  SpList body;
};

// IF c THEN ... [ELSEIF c THEN ...] [ELSE ...] END IF, and the CASE statement.
struct SpBranch {
  Expr* when;
  SpList body;
};

struct SpConditional : SpNode {
  explicit SpConditional(SpKind k) : SpNode(k) {}  // If or Case
  Expr* operand = nullptr;                         // CASE x WHEN ...
  ArenaVec<SpBranch> branches;
  bool has_else = false;
  SpList else_body;
};

// WHILE c DO ... END WHILE / LOOP ... END LOOP / REPEAT ... UNTIL c END REPEAT /
// FOR i IN [REVERSE] a .. b DO ... END FOR / FOR r IN cursor|(SELECT ...) DO ... END FOR
struct SpLoop : SpNode {
  explicit SpLoop(SpKind k) : SpNode(k) {}
  Expr* condition = nullptr;
  SpList body;
  Ident variable;
  bool reverse = false;
  Expr* from = nullptr;
  Expr* to = nullptr;
  Ident cursor;
  Query* query = nullptr;
};

// LEAVE l / ITERATE l / RETURN e / OPEN c / CLOSE c
struct SpSimple : SpNode {
  explicit SpSimple(SpKind k) : SpNode(k) {}
  Ident target;
  Expr* value = nullptr;
  ArenaVec<Expr*> args;  // OPEN c (args)
  bool has_args = false;
};

struct SpDeclareVar : SpNode {
  SpDeclareVar() : SpNode(SpKind::DeclareVar) {}
  ArenaVec<Ident> names;
  DataType* type = nullptr;
  std::string_view type_of;  // TYPE OF t.c / ROW TYPE OF t: source text
  Expr* default_value = nullptr;
};

struct SpDeclareCondition : SpNode {
  SpDeclareCondition() : SpNode(SpKind::DeclareCondition) {}
  Ident name;
  std::string_view value;  // SQLSTATE [VALUE] 'x' or an error number, as written
};

struct SpDeclareHandler : SpNode {
  SpDeclareHandler() : SpNode(SpKind::DeclareHandler) {}
  std::string_view action;                // CONTINUE / EXIT / UNDO
  ArenaVec<std::string_view> conditions;  // SQLSTATE 'x', SQLWARNING, NOT FOUND, name, number
  SpNode* body = nullptr;
};

struct SpDeclareCursor : SpNode {
  SpDeclareCursor() : SpNode(SpKind::DeclareCursor) {}
  Ident name;
  std::string_view params;  // (p INT, ...) as written
  Query* query = nullptr;
};

struct SpFetch : SpNode {
  SpFetch() : SpNode(SpKind::Fetch) {}
  std::string_view from;  // "NEXT FROM" / "FROM" / ""
  Ident cursor;
  ArenaVec<Expr*> into;
};

struct SpSignalItem {
  Ident name;
  Expr* value;
};

struct SpSignal : SpNode {
  SpSignal() : SpNode(SpKind::Signal) {}
  bool resignal = false;
  std::string_view condition;  // SQLSTATE [VALUE] 'x' or name, as written
  ArenaVec<SpSignalItem> items;
};

struct SpGetDiagnostics : SpNode {
  SpGetDiagnostics() : SpNode(SpKind::GetDiagnostics) {}
  std::string_view area;         // CURRENT / STACKED
  Expr* condition = nullptr;     // CONDITION n
  ArenaVec<SpSignalItem> items;  // target = item
};

struct RoutineParam {
  std::string_view mode;  // IN / OUT / INOUT
  Ident name;
  DataType* type;
};

// CREATE [OR REPLACE] [DEFINER=u] {PROCEDURE|[AGGREGATE] FUNCTION|TRIGGER|EVENT} ...
struct CreateRoutineStatement : Statement {
  CreateRoutineStatement() : Statement(StatementKind::OtherDdl) { node = StatementNode::Routine; }
  bool or_replace = false;
  Expr* definer = nullptr;
  std::string_view type;  // PROCEDURE / FUNCTION / AGGREGATE FUNCTION / TRIGGER / EVENT
  bool if_not_exists = false;
  TableName* name = nullptr;
  ArenaVec<RoutineParam> params;
  DataType* returns = nullptr;
  ArenaVec<std::string_view> characteristics;  // as written: "DETERMINISTIC", "COMMENT 'x'"
  // TRIGGER
  std::string_view timing;  // BEFORE / AFTER
  std::string_view event;   // INSERT / UPDATE / DELETE
  TableName* table = nullptr;
  std::string_view order;  // FOLLOWS x / PRECEDES x
  // EVENT
  bool every = false;
  Expr* at = nullptr;  // AT e / EVERY e
  std::string_view every_unit;
  Expr* starts = nullptr;
  Expr* ends = nullptr;
  std::string_view completion;  // ON COMPLETION [NOT] PRESERVE
  std::string_view status;      // ENABLE / DISABLE [ON SLAVE]
  std::string_view comment;
  SpNode* body = nullptr;
};

// BEGIN NOT ATOMIC ... END, SIGNAL, RESIGNAL, GET DIAGNOSTICS outside a routine.
struct CompoundStatement : Statement {
  CompoundStatement() : Statement(StatementKind::Other) { node = StatementNode::Compound; }
  SpNode* body = nullptr;
};

}  // namespace tessera::sql
