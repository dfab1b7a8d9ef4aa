// Internal writer state shared by the write_*.cpp files.
#pragma once

#include <string>

#include "sql/lexer.h"
#include "sql/writer.h"

namespace tessera::sql::detail {

class SqlWriter {
 public:
  SqlWriter(std::string& out, const WriteOptions& opt) : out_(out), opt_(opt) {}

  void kw(std::string_view s) { out_.append(s); }
  void sp() { out_.push_back(' '); }
  void ch(char c) { out_.push_back(c); }
  void ident(const Ident& id);
  void object(const ObjectName& n);
  void table(const TableName& t);               // name (through hooks) + partitions + alias + hints
  void ident_list(const ArenaVec<Ident>& ids);  // (a, b)

  void expr(const Expr* e);
  void expr_body(const Expr* e);
  void exprs(const ArenaVec<Expr*>& es);
  void data_type(const DataType& t);
  void window(const WindowSpec& w);
  void order(const ArenaVec<OrderItem>& items);

  void query(const Query& q);
  void body(const QueryBody* b);
  void core(const SelectCore& s);
  void table_ref(const TableRef* r);
  void select_items(const ArenaVec<SelectItem>& items);
  void limit(const Limit& l);
  void into(const Into& i);
  void export_options(const ExportOptions& o);
  void with(const With& w);
  void assignments(const ArenaVec<Assignment>& a);

  void statement(const Statement& s);
  void ddl(const Statement& s);
  void utility(const Statement& s);
  void account(const Statement& s);
  void sp_node(const SpNode* n);
  void sp_list(const SpList& l);
  void column_def(const ColumnDef& c);
  void index_def(const IndexDef& d);
  void table_option(const TableOption& o);

  std::string& out_;
  const WriteOptions& opt_;
};

}  // namespace tessera::sql::detail
