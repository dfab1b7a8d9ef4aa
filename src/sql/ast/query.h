// SELECT: table references, select cores, set operations, WITH, ORDER BY/LIMIT and locking.
#pragma once

#include "sql/ast/expression.h"

namespace tessera::sql {

enum class TableRefKind : uint8_t { Table, Derived, Join, Paren };

struct TableRef {
  TableRefKind kind;
  explicit TableRef(TableRefKind k) : kind(k) {}
};

struct IndexHint {
  uint8_t action;  // 0 USE, 1 FORCE, 2 IGNORE
  bool key_word;   // KEY instead of INDEX
  uint8_t scope;   // 0 none, 1 FOR JOIN, 2 FOR ORDER BY, 3 FOR GROUP BY
  ArenaVec<Ident> names;
};

// A base table: the thing a sharding router rewrites.
struct TableName : TableRef {
  TableName() : TableRef(TableRefKind::Table) {}
  ObjectName name;
  ArenaVec<Ident> partitions;
  Ident alias;
  bool as_keyword = false;
  ArenaVec<IndexHint> hints;
};

struct DerivedTable : TableRef {
  DerivedTable() : TableRef(TableRefKind::Derived) {}
  Query* query = nullptr;
  bool lateral = false;
  Ident alias;
  bool as_keyword = false;
  ArenaVec<Ident> columns;
};

enum class JoinType : uint8_t { Comma, Inner, Cross, Straight, Left, Right };

struct JoinRef : TableRef {
  JoinRef() : TableRef(TableRefKind::Join) {}
  JoinType type = JoinType::Inner;
  bool natural = false;
  bool outer_keyword = false;
  bool inner_keyword = false;
  TableRef* left = nullptr;
  TableRef* right = nullptr;
  Expr* on = nullptr;
  ArenaVec<Ident> using_columns;
  bool has_using = false;
};

struct ParenRef : TableRef {
  ParenRef() : TableRef(TableRefKind::Paren) {}
  ArenaVec<TableRef*> items;  // ( t1, t2 JOIN t3 ... )
};

struct SelectItem {
  Expr* expr;
  Ident alias;
  bool as_keyword;
  // The expression's source text, first to last token (a view into the parsed statement; empty
  // for items made by rewriting). The server names an unaliased column by it.
  std::string_view text{};
};

struct FrameBound {
  uint8_t type;  // 0 UNBOUNDED PRECEDING, 1 e PRECEDING, 2 CURRENT ROW, 3 e FOLLOWING,
                 // 4 UNBOUNDED FOLLOWING
  Expr* value;
};

struct WindowFrame {
  uint8_t unit;  // 0 ROWS, 1 RANGE
  bool between;
  FrameBound start;
  FrameBound end;
  uint8_t exclude;  // 0 none, 1 CURRENT ROW, 2 GROUP, 3 TIES, 4 NO OTHERS
};

struct WindowSpec {
  Ident base;  // existing window name
  ArenaVec<Expr*> partition;
  ArenaVec<OrderItem> order;
  WindowFrame* frame = nullptr;
};

struct NamedWindow {
  Ident name;
  WindowSpec* spec;
};

struct ExportOptions {
  // FIELDS/COLUMNS [TERMINATED BY s] [[OPTIONALLY] ENCLOSED BY s] [ESCAPED BY s]
  // LINES [STARTING BY s] [TERMINATED BY s]; values are literal source text.
  bool columns_word = false;
  bool has_fields = false;
  std::string_view fields_terminated, enclosed, escaped;
  bool optionally = false;
  bool has_lines = false;
  std::string_view lines_starting, lines_terminated;
};

struct Into {
  uint8_t type = 0;  // 0 variables, 1 OUTFILE, 2 DUMPFILE
  ArenaVec<Expr*> vars;
  std::string_view file;     // literal source text
  std::string_view charset;  // CHARACTER SET x
  ExportOptions* options = nullptr;
};

struct Limit {
  Expr* count = nullptr;
  Expr* offset = nullptr;
  bool offset_keyword = false;  // LIMIT n OFFSET m (else LIMIT m, n)
  bool rows_examined = false;   // MariaDB LIMIT ROWS EXAMINED n
  // Standard form: [OFFSET m ROWS] FETCH FIRST|NEXT n ROWS ONLY|WITH TIES (count may be null).
  bool fetch = false;
  bool with_ties = false;
  bool has_fetch = false;  // FETCH clause present (count may still be omitted: one row)
};

struct Locking {
  uint8_t mode = 0;  // 0 FOR UPDATE, 1 FOR SHARE, 2 LOCK IN SHARE MODE
  ArenaVec<ObjectName> of;
  uint8_t wait = 0;  // 0 none, 1 NOWAIT, 2 SKIP LOCKED, 3 WAIT n
  Expr* wait_seconds = nullptr;
};

// Select options are bits so one field carries DISTINCT, HIGH_PRIORITY, SQL_* ...
enum SelectOption : uint32_t {
  kSelAll = 1 << 0,
  kSelDistinct = 1 << 1,
  kSelDistinctRow = 1 << 2,
  kSelHighPriority = 1 << 3,
  kSelStraightJoin = 1 << 4,
  kSelSmallResult = 1 << 5,
  kSelBigResult = 1 << 6,
  kSelBufferResult = 1 << 7,
  kSelCache = 1 << 8,
  kSelNoCache = 1 << 9,
  kSelCalcFoundRows = 1 << 10,
};

enum class QueryBodyKind : uint8_t { Select, SetOp, Paren, Values, Table };

struct QueryBody {
  QueryBodyKind kind;
  explicit QueryBody(QueryBodyKind k) : kind(k) {}
};

struct SelectCore : QueryBody {
  SelectCore() : QueryBody(QueryBodyKind::Select) {}
  std::string_view hint;  // /*+ ... */ as written
  uint32_t options = 0;
  ArenaVec<SelectItem> items;
  Into* into = nullptr;  // SELECT a INTO @x FROM ...
  ArenaVec<TableRef*> from;
  bool from_dual = false;
  Expr* where = nullptr;
  ArenaVec<OrderItem> group_by;
  bool with_rollup = false;
  Expr* having = nullptr;
  ArenaVec<NamedWindow> windows;
};

enum class SetOpType : uint8_t { Union, Intersect, Except };

struct SetOp : QueryBody {
  SetOp() : QueryBody(QueryBodyKind::SetOp) {}
  SetOpType op = SetOpType::Union;
  uint8_t quantifier = 0;  // 0 none, 1 ALL, 2 DISTINCT
  QueryBody* left = nullptr;
  QueryBody* right = nullptr;
};

struct ParenQuery : QueryBody {
  ParenQuery() : QueryBody(QueryBodyKind::Paren) {}
  Query* query = nullptr;
};

// VALUES (1,2), (3,4) / VALUES ROW(1,2) as a query.
struct ValuesQuery : QueryBody {
  ValuesQuery() : QueryBody(QueryBodyKind::Values) {}
  ArenaVec<Row*> rows;
};

// TABLE t
struct TableQuery : QueryBody {
  TableQuery() : QueryBody(QueryBodyKind::Table) {}
  TableName* table = nullptr;
};

struct Cte {
  Ident name;
  ArenaVec<Ident> columns;
  Query* query;
  ArenaVec<Ident> cycle;  // MariaDB: CYCLE a, b RESTRICT
};

struct With {
  bool recursive = false;
  ArenaVec<Cte> ctes;
};

struct Query {
  With* with = nullptr;
  QueryBody* body = nullptr;
  ArenaVec<OrderItem> order_by;
  Limit* limit = nullptr;
  Into* into = nullptr;  // after LIMIT / before locking
  Locking* locking = nullptr;
  Into* into_after_lock = nullptr;
  Expr* procedure = nullptr;  // PROCEDURE ANALYSE(...) (a Function)
};

}  // namespace tessera::sql
