// FanOut: one write sent to several targets (a write spanning sub-tables, copies of a
// global-table write, DDL on every sub-table), answered with one OK: affected rows summed, or
// for copies one copy's count (the namespace decides). An autocommit DML over several slices
// of an XA namespace runs as one distributed transaction (the cursor's part). A read-only
// primary or a deadlock before any target applied the write runs it again (retry_policy.h);
// after one applied it, the client is told which did.
#pragma once
#include <cstdint>
#include <vector>

#include "exec/engine/primitive.h"
#include "exec/engine/retry_policy.h"

namespace tessera::exec::engine {

struct FanOutSpec {
  bool is_write = true;
  // Every query writes a copy of the same rows (global tables, CREATE/DROP DATABASE on every
  // slice): one copy's affected rows is what a single server would report.
  bool writes_copies = false;
  // A global sequence's id handed out for the INSERT: the OK's LAST_INSERT_ID().
  uint64_t generated_id = 0;
};

class FanOut final : public Primitive {
 public:
  FanOut(std::vector<Query> queries, FanOutSpec spec, StatementTraits traits)
      : queries_(std::move(queries)), spec_(spec), traits_(traits) {}

  asio::awaitable<void> run(Cursor& cursor) const override;
  void describe(std::vector<PlanLine>& out, int depth) const override;

  const std::vector<Query>& queries() const { return queries_; }
  const FanOutSpec& spec() const { return spec_; }

 private:
  std::vector<Query> queries_;
  FanOutSpec spec_;
  StatementTraits traits_;
};

}  // namespace tessera::exec::engine
