// Internal parser state shared by the parse_*.cpp files (one per node family).
#pragma once

#include <string_view>
#include <vector>

#include "sql/parser.h"

namespace tessera::sql::detail {

// Thrown (never across the public API) to unwind to Parser::parse on the first error.
struct SyntaxError {
  uint32_t offset;
  const char* expected;
  bool too_deep = false;  // the statement nests deeper than DepthGuard allows (never retried)
};

struct DepthGuard;

class ParserImpl {
 public:
  ParserImpl(std::string_view src, Arena& arena, const std::vector<Token>& tokens,
             std::vector<uint8_t>& memo)
      : src_(src), arena_(arena), toks_(tokens), memo_(memo) {}

  // Backtracking memo bits per token index: an attempt that failed once at a position is not
  // retried there, which keeps nested "((((..." inputs linear instead of exponential.
  static constexpr uint8_t kQueryFailed = 1;
  static constexpr uint8_t kNotIntervalFunction = 2;

  Statement* statement();
  uint32_t param_count() const { return params_; }
  int tree_height() const { return height_; }
  bool opaque() const { return opaque_; }

  // ---- tokens (parser.cpp)
  const Token& peek(size_t k = 0) const {
    size_t i = pos_ + k;
    return i < toks_.size() ? toks_[i] : toks_.back();
  }
  Tok type(size_t k = 0) const { return peek(k).type; }
  Kw kw(size_t k = 0) const {
    const Token& t = peek(k);
    return t.type == Tok::Ident ? t.kw : Kw::None;
  }
  bool is(Kw k, size_t off = 0) const { return kw(off) == k; }
  bool is(Tok t, size_t off = 0) const { return type(off) == t; }
  bool is_word(std::string_view upper, size_t off = 0) const {
    const Token& t = peek(off);
    return t.type == Tok::Ident && iequals_upper(t.text(src_), upper);
  }
  bool at_end() const { return type() == Tok::End || type() == Tok::Semicolon; }
  const Token& take() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }
  bool accept(Kw k) {
    if (!is(k)) return false;
    ++pos_;
    return true;
  }
  bool accept(Tok t) {
    if (!is(t)) return false;
    ++pos_;
    return true;
  }
  bool accept_word(std::string_view upper) {
    if (!is_word(upper)) return false;
    ++pos_;
    return true;
  }
  void expect(Kw k);
  void expect(Tok t, const char* what);
  void expect_word(std::string_view upper);
  [[noreturn]] void fail(const char* expected) const;
  [[noreturn]] void fail_too_deep() const;
  // The current DepthGuard frame put `levels` new nodes above both its tree so far and what
  // its children built since (one link of an operator, SetOp or join chain); fails once the
  // statement's tree could exceed DepthGuard::kMaxHeight.
  void grow_height(int levels = 1);
  std::string_view text(const Token& t) const { return t.text(src_); }
  // Source text from token index `from` to the token before the current position.
  std::string_view span_from(size_t from) const;
  size_t mark() const { return pos_; }
  void reset_to(size_t m) { pos_ = m; }

  // ---- names (parser.cpp)
  bool is_ident(size_t off = 0) const;  // bare non-reserved word or `quoted`
  Ident ident();                        // fails unless is_ident()
  Ident ident_any();                    // also reserved words (after '.', in some positions)
  Ident make_ident(const Token& t);
  ObjectName object_name();
  TableName* table_name();              // [schema.]name, no alias
  ArenaVec<Ident> ident_list_parens();  // ( a, b, c )
  std::string_view charset_name();      // identifier, string or BINARY/DEFAULT
  Expr* user_name();                    // 'u'@'h', u@h, CURRENT_USER[()]

  // ---- expressions (parse_expression.cpp)
  Expr* expr(int min_prec = 0);
  Expr* logical_chain(BinaryOp op, int prec, Expr* first, uint32_t start);
  Expr* unary();
  Expr* primary();
  Expr* literal();
  Expr* column_or_function();
  Expr* function_call(Ident schema, const Token& name);
  Expr* paren_expression();
  Expr* case_expr();
  Expr* cast_expr(bool convert);
  Expr* match_expr();
  ColumnRef* column_ref();
  DataType* data_type();
  WindowSpec* window_spec();
  void expr_list(ArenaVec<Expr*>& out);
  bool query_starts(size_t off = 0) const;
  // At '(' ... : parses a query if the parenthesised text is one (backtracking over
  // "((SELECT 1) + 1)"-style ambiguity); returns null and consumes nothing otherwise. The caller
  // has already consumed the first '('.
  Query* try_query();

  // ---- queries (parse_query.cpp)
  Query* query();
  With* with_clause();
  QueryBody* query_body(int min_prec = 0);
  QueryBody* query_primary();
  SelectCore* select_core();
  void select_items(ArenaVec<SelectItem>& out);
  void table_refs(ArenaVec<TableRef*>& out);
  TableRef* table_ref();
  TableRef* table_factor();
  TableName* table_with_alias(bool allow_hints);
  void order_items(ArenaVec<OrderItem>& out);
  Limit* limit_clause();
  Into* into_clause();
  Locking* locking_clause();
  ExportOptions* export_options();
  Row* values_row();

  // ---- DML (parse_dml.cpp)
  Statement* insert_statement(bool replace);
  Statement* update_statement(With* with);
  Statement* delete_statement(With* with);
  Statement* load_statement();
  void assignments(ArenaVec<Assignment>& out);

  // ---- session, transactions, utility (parse_session.cpp)
  Statement* set_statement();
  Statement* transaction_statement();
  Statement* show_statement();
  Statement* explain_statement();
  Statement* misc_statement();

  // ---- DDL (parse_ddl.cpp)
  Statement* create_statement();
  Statement* alter_statement();
  Statement* drop_statement();
  Statement* rename_statement();
  Statement* truncate_statement();
  Statement* routine_statement(bool or_replace, Expr* definer);
  Statement* compound_statement();
  SpNode* sp_statement();
  void sp_list(SpList& out, bool (*stop)(const ParserImpl&));
  Statement* grant_statement();
  Statement* user_statement(bool create, bool or_replace);
  UserSpec user_spec();
  std::string_view account_options();
  Statement* drop_object_statement();
  Statement* table_maintenance_statement();
  Statement* flush_statement();
  Statement* handler_statement();
  Statement* words_statement(StatementKind kind);
  ColumnDef* column_def();
  IndexDef* index_def();
  void table_options(ArenaVec<TableOption>& out);
  std::string_view opaque_until_end();
  std::string_view opaque_partition();

  template <typename T, typename... A>
  T* make(A&&... a) {
    return arena_.make<T>(std::forward<A>(a)...);
  }

  std::string_view src_;
  Arena& arena_;
  const std::vector<Token>& toks_;
  std::vector<uint8_t>& memo_;
  size_t pos_ = 0;
  uint32_t params_ = 0;
  bool opaque_ = false;
  int depth_ = 0;                // recursion guard
  DepthGuard* frame_ = nullptr;  // innermost guarded frame
  int height_ = 0;               // bound on the statement's tree height (outermost frames)
};

// Bounds both the parser's own recursion and the height of the tree it builds, so that every
// later recursive walk over the AST (writer, planner, executor) fits in a thread's stack.
//
// Recursion: more than kMaxDepth nested frames fail. Height: precedence climbing builds a
// left-deep chain ("1+1+...+1", "a UNION b UNION ...", "t1 JOIN t2 JOIN ...") in a loop, not
// by recursion, so the recursion guard alone lets a 100,000-term chain through. Each frame
// therefore tracks the height of the tree it is building: children report their heights
// (below_), and each node that wraps the frame's current tree (grow_height) makes it one level
// higher than the highest of the two. A frame's tree is then at most 2 levels above that (the
// nodes a frame builds without a loop: a function call over its arguments, `c->'$.x'`). Past
// kMaxHeight the parse fails. Chains of one associative logical operator (OR, XOR, AND) are
// built balanced instead and cost only their log2.
//
// kMaxHeight, measured per tree level: the writer takes 192 bytes (224 under ASan), the table
// scan 80, the planner's HAVING mapping about 1.3 KiB under ASan; so the deepest accepted tree
// needs under 0.5 MiB in a release build and under 3 MiB under ASan, against the 8 MiB every
// thread gets (app/main.cc). tests/unit/sql/deep_expression_test.cpp and
// tests/unit/router/deep_statement_test.cc walk the deepest accepted statements on a 1 MiB
// stack (4 MiB under ASan). Both failures are reported as "too deeply nested"
// (ParseError::too_deep).
struct DepthGuard {
  static constexpr int kMaxDepth = 200;
  static constexpr int kMaxHeight = 2000;
  explicit DepthGuard(ParserImpl& p) : p_(p), parent_(p.frame_) {
    if (p_.depth_ >= kMaxDepth) p_.fail_too_deep();
    ++p_.depth_;
    p_.frame_ = this;
  }
  ~DepthGuard() {
    --p_.depth_;
    p_.frame_ = parent_;
    int& up = parent_ ? parent_->below_ : p_.height_;
    if (height() > up) up = height();
  }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;
  int height() const { return (tree_ > below_ ? tree_ : below_) + 2; }

  ParserImpl& p_;
  DepthGuard* parent_;
  int tree_ = 0;   // height of the tree the frame's loop has built so far
  int below_ = 0;  // highest subtree reported by a child frame since the last grow_height
};

}  // namespace tessera::sql::detail
