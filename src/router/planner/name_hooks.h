// Writer hooks the planner prints statements with: table names replaced (a sub-table, a CTE's
// body, `__tj`), and '?' placeholders replaced by bound values when given.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "sql/writer.h"

namespace tessera::router {

class NameHooks : public sql::WriterHooks {
 public:
  std::unordered_map<const sql::ObjectName*, std::string> names;
  const std::vector<std::string>* param_literals = nullptr;
  bool table_name(const sql::ObjectName& n, std::string& out) const override {
    auto it = names.find(&n);
    if (it == names.end()) return false;
    out += it->second;
    return true;
  }
  bool param(const sql::Param& p, std::string& out) const override {
    if (!param_literals || p.index >= param_literals->size()) return false;
    out += (*param_literals)[p.index];
    return true;
  }
  // The client sees the columns of the statements Tessera writes: named as its own text names
  // them (`a+1`, not the printed `a + 1`; no sub-table names).
  bool keep_item_names() const override { return true; }
};

}  // namespace tessera::router
