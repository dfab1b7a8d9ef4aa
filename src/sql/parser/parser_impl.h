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
};

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
  int depth_ = 0;  // recursion guard
};

// Raises SyntaxError past kMaxDepth nesting levels (protects the stack against hostile input).
struct DepthGuard {
  static constexpr int kMaxDepth = 200;
  explicit DepthGuard(ParserImpl& p) : p_(p) {
    if (++p_.depth_ > kMaxDepth) p_.fail("less nesting");
  }
  ~DepthGuard() { --p_.depth_; }
  ParserImpl& p_;
};

}  // namespace tessera::sql::detail
