// Expression nodes. One struct per node family; Expr::kind says which one a pointer holds.
#pragma once

#include "sql/ast/names.h"

namespace tessera::sql {

struct Query;
struct WindowSpec;

enum class ExprKind : uint8_t {
  Literal,
  Column,
  Star,      // * or t.*
  Param,     // ?
  Variable,  // @v, @@scope.v
  Unary,
  Binary,
  IsTest,  // IS [NOT] NULL/TRUE/FALSE/UNKNOWN
  Between,
  InList,
  InQuery,
  Like,  // LIKE / REGEXP / RLIKE / SOUNDS LIKE
  Case,
  Function,
  Cast,      // CAST(x AS t), CONVERT(x, t), CONVERT(x USING cs)
  Interval,  // INTERVAL e unit
  Subquery,
  Exists,
  Quantified,  // ANY/SOME/ALL (subquery)
  Row,         // (a, b) / ROW(a, b)
  Collate,
  Match,       // MATCH (cols) AGAINST (e [modifier])
  Default,     // DEFAULT or DEFAULT(col)
  Assign,      // @v := e
  OdbcEscape,  // { d '...' }
};

struct Expr {
  ExprKind kind;
  uint8_t parens = 0;  // explicit parentheses around this expression in the source
  uint32_t pos = 0;
  explicit Expr(ExprKind k) : kind(k) {}
};

enum class LiteralKind : uint8_t {
  String,
  NString,
  HexString,
  BitString,
  Integer,
  Decimal,
  Float,
  HexNumber,
  BitNumber,
  Null,
  True,
  False,
  Date,
  Time,
  Timestamp,
};

struct Literal : Expr {
  Literal() : Expr(ExprKind::Literal) {}
  LiteralKind literal_kind = LiteralKind::Null;
  // Source spelling of the value: quotes and escapes included ('it''s', 0x1F, 1e3). Adjacent
  // string literals ('a' 'b') keep their whole span. DATE/TIME/TIMESTAMP keep only the string.
  std::string_view text;
  std::string_view charset;  // _utf8mb4'x' introducer, without the underscore
};

struct ColumnRef : Expr {
  ColumnRef() : Expr(ExprKind::Column) {}
  Ident parts[3];  // [schema.][table.]column; n parts used
  uint8_t n = 0;
  const Ident& column() const { return parts[n - 1]; }
};

struct Star : Expr {
  Star() : Expr(ExprKind::Star) {}
  Ident parts[2];  // qualifier: [schema.]table
  uint8_t n = 0;
};

struct Param : Expr {
  Param() : Expr(ExprKind::Param) {}
  uint32_t index = 0;  // 0-based position among the statement's '?'
};

struct Variable : Expr {
  Variable() : Expr(ExprKind::Variable) {}
  bool system = false;
  std::string_view text;  // source spelling including @ / @@
};

enum class UnaryOp : uint8_t { Neg, Plus, Not, Bang, BitNot, Binary };

struct Unary : Expr {
  Unary() : Expr(ExprKind::Unary) {}
  UnaryOp op = UnaryOp::Neg;
  Expr* operand = nullptr;
};

enum class BinaryOp : uint8_t {
  Or,
  OrOr,
  Xor,
  And,
  Eq,
  NullSafeEq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  BitOr,
  BitAnd,
  Shl,
  Shr,
  Add,
  Sub,
  Mul,
  Div,
  IntDiv,
  Mod,
  BitXor,
  JsonExtract,
  JsonUnquote,
  MemberOf,
};

struct Binary : Expr {
  Binary() : Expr(ExprKind::Binary) {}
  BinaryOp op = BinaryOp::Eq;
  Expr* left = nullptr;
  Expr* right = nullptr;
};

enum class IsWhat : uint8_t { Null, True, False, Unknown };

struct IsTest : Expr {
  IsTest() : Expr(ExprKind::IsTest) {}
  Expr* operand = nullptr;
  IsWhat what = IsWhat::Null;
  bool negated = false;
};

struct Between : Expr {
  Between() : Expr(ExprKind::Between) {}
  Expr* operand = nullptr;
  Expr* low = nullptr;
  Expr* high = nullptr;
  bool negated = false;
};

struct InList : Expr {
  InList() : Expr(ExprKind::InList) {}
  Expr* operand = nullptr;
  ArenaVec<Expr*> items;
  bool negated = false;
};

struct InQuery : Expr {
  InQuery() : Expr(ExprKind::InQuery) {}
  Expr* operand = nullptr;
  Query* query = nullptr;
  bool negated = false;
};

enum class LikeOp : uint8_t { Like, Regexp, Rlike, SoundsLike };

struct Like : Expr {
  Like() : Expr(ExprKind::Like) {}
  LikeOp op = LikeOp::Like;
  Expr* operand = nullptr;
  Expr* pattern = nullptr;
  Expr* escape = nullptr;
  bool negated = false;
};

struct WhenThen {
  Expr* when;
  Expr* then;
};

struct Case : Expr {
  Case() : Expr(ExprKind::Case) {}
  Expr* operand = nullptr;  // CASE x WHEN ... (simple form) or null (searched form)
  ArenaVec<WhenThen> whens;
  Expr* else_expr = nullptr;
};

struct OrderItem {
  Expr* expr;
  uint8_t dir;  // 0 unspecified, 1 ASC, 2 DESC
};

// Special argument syntaxes of built-in functions.
enum class FunctionForm : uint8_t {
  Plain,          // f(a, b)
  CountStar,      // COUNT(*)
  Extract,        // EXTRACT(unit FROM e)
  SubstringFrom,  // SUBSTRING(s FROM a [FOR b])
  Trim,           // TRIM([LEADING|TRAILING|BOTH] [r] FROM s)
  Position,       // POSITION(a IN b)
  CharUsing,      // CHAR(a, b USING cs)
  NoParens,       // CURRENT_TIMESTAMP without ()
  GroupConcat,    // GROUP_CONCAT([DISTINCT] e, ... [ORDER BY ...] [SEPARATOR s])
  WeightString,   // WEIGHT_STRING(e AS CHAR(n))
};

struct DataType;
struct Limit;

struct Function : Expr {
  Function() : Expr(ExprKind::Function) {}
  Ident schema;           // db.f(...)
  std::string_view name;  // as written
  FunctionForm form = FunctionForm::Plain;
  bool distinct = false;
  ArenaVec<Expr*> args;
  std::string_view keyword;   // Extract unit / Trim side / CharUsing charset
  ArenaVec<OrderItem> order;  // GROUP_CONCAT ORDER BY, also JSON_ARRAYAGG
  Expr* separator = nullptr;
  Limit* limit = nullptr;    // MariaDB GROUP_CONCAT / JSON_ARRAYAGG ... LIMIT [m,] n
  DataType* type = nullptr;  // WEIGHT_STRING(e AS CHAR(n))
  WindowSpec* over = nullptr;
  Ident over_name;                // OVER w
  ArenaVec<DataType*> arg_types;  // COLUMN_CREATE(n, v AS type, ...): parallel to args
  bool within_group = false;      // f(x) WITHIN GROUP (ORDER BY ...): order holds the keys
  std::string_view level;         // WEIGHT_STRING(... LEVEL ...): source text after LEVEL
};

// Type in CAST/CONVERT and column definitions.
struct DataType {
  std::string_view name;            // upper-case canonical words, e.g. "DOUBLE PRECISION"
  ArenaVec<std::string_view> args;  // length/precision/scale or ENUM/SET values (source text)
  bool has_args = false;
  bool is_unsigned = false;
  bool is_signed = false;
  bool zerofill = false;
  bool binary = false;  // CHAR(10) BINARY
  bool national = false;
  std::string_view charset;  // whole clause as written: "CHARACTER SET x", "CHARSET x", "ASCII"
  std::string_view collate;
};

struct Cast : Expr {
  Cast() : Expr(ExprKind::Cast) {}
  Expr* operand = nullptr;
  DataType* type = nullptr;
  std::string_view using_charset;  // CONVERT(x USING cs)
  bool convert = false;            // CONVERT(...) spelling
  bool array = false;              // CAST(... AS t ARRAY)
};

struct Interval : Expr {
  Interval() : Expr(ExprKind::Interval) {}
  Expr* value = nullptr;
  std::string_view unit;  // DAY, HOUR_MINUTE...
};

struct Subquery : Expr {
  Subquery() : Expr(ExprKind::Subquery) {}
  Query* query = nullptr;
};

struct Exists : Expr {
  Exists() : Expr(ExprKind::Exists) {}
  Query* query = nullptr;
};

struct Quantified : Expr {
  Quantified() : Expr(ExprKind::Quantified) {}
  uint8_t quantifier = 0;  // 0 ANY, 1 SOME, 2 ALL
  Query* query = nullptr;
};

struct Row : Expr {
  Row() : Expr(ExprKind::Row) {}
  ArenaVec<Expr*> items;
  bool row_keyword = false;
};

struct Collate : Expr {
  Collate() : Expr(ExprKind::Collate) {}
  Expr* operand = nullptr;
  Ident collation;
};

struct Match : Expr {
  Match() : Expr(ExprKind::Match) {}
  ArenaVec<Expr*> columns;
  Expr* against = nullptr;
  uint8_t modifier = 0;  // 0 none, 1 IN NATURAL LANGUAGE MODE, 2 ... WITH QUERY EXPANSION,
                         // 3 IN BOOLEAN MODE, 4 WITH QUERY EXPANSION
};

struct Default : Expr {
  Default() : Expr(ExprKind::Default) {}
  ColumnRef* column = nullptr;  // DEFAULT(col) when set
  bool ignore = false;          // MariaDB IGNORE as a value (INSERT/UPDATE/EXECUTE USING)
};

struct Assign : Expr {
  Assign() : Expr(ExprKind::Assign) {}
  Variable* target = nullptr;
  Expr* value = nullptr;
};

struct OdbcEscape : Expr {
  OdbcEscape() : Expr(ExprKind::OdbcEscape) {}
  Ident type;  // d, t, ts, fn...
  Expr* value = nullptr;
};

}  // namespace tessera::sql
