// A plan is a tree of primitives; the engine runs its root with a Cursor (cursor.h). Each
// primitive owns one way of running a statement and the rules that go with it (retries,
// merging, atomicity), so they apply to every statement that plans to it, text or prepared,
// sharded or not. The planner (router/) builds the tree; EXPLAIN prints describe().
#pragma once
#include <asio/awaitable.hpp>
#include <string>
#include <utility>
#include <vector>

#include "exec/engine/cursor.h"

namespace tessera::exec::engine {

// One line of a plan's description: the operator, where it runs and what it sends.
struct PlanLine {
  int depth = 0;      // 0 for the root, children one deeper
  std::string op;     // "Route", "Scatter", ...
  std::string slice;  // "" when the operator runs nowhere itself
  std::string db;
  std::string sql;
  std::string detail;  // how results are combined, the role ("read split"), ...
};

// An operator's own line (no route of its own).
inline void describe_operator(std::vector<PlanLine>& out, int depth, std::string op,
                              std::string detail) {
  PlanLine line;
  line.depth = depth;
  line.op = std::move(op);
  line.detail = std::move(detail);
  out.push_back(std::move(line));
}

// The member routes of a scatter or fan-out, one line each, one level below `depth`.
inline void describe_routes(const std::vector<Query>& queries, int depth,
                            std::vector<PlanLine>& out) {
  for (const auto& q : queries) {
    PlanLine line;
    line.depth = depth + 1;
    line.op = "Route";
    line.slice = q.target.slice;
    line.db = q.target.db;
    line.sql = q.sql;
    out.push_back(std::move(line));
  }
}

class Primitive {
 public:
  virtual ~Primitive() = default;
  virtual asio::awaitable<void> run(Cursor& cursor) const = 0;
  virtual void describe(std::vector<PlanLine>& out, int depth = 0) const = 0;
};

}  // namespace tessera::exec::engine
