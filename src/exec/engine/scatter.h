// Scatter: one read sent to several sub-tables at once, their results merged into the one
// result a single server holding every row would return (ordered k-way merge, GROUP BY and
// aggregates, DISTINCT, HAVING, OFFSET/LIMIT: merge_info.h, exec/merge_pipeline.h). With
// Role::kReadSplit each slice's part may be served by one of its replicas. A lost connection
// or a read-only / deadlock answer before any row reached the client reruns the whole read
// (retry_policy.h); after that the client is told.
#pragma once
#include <memory>
#include <vector>

#include "exec/engine/merge_info.h"
#include "exec/engine/primitive.h"
#include "exec/engine/retry_policy.h"

namespace tessera::exec::engine {

class Scatter final : public Primitive {
 public:
  Scatter(std::vector<Query> queries, Role role, MergeInfo merge, StatementTraits traits)
      : queries_(std::move(queries)), role_(role), merge_(std::move(merge)), traits_(traits) {}

  asio::awaitable<void> run(Cursor& cursor) const override;
  void describe(std::vector<PlanLine>& out, int depth) const override;

  const std::vector<Query>& queries() const { return queries_; }
  // One attempt: open the shards, merge their results into the client's.
  asio::awaitable<Attempt> once(Cursor& cursor) const;
  const MergeInfo& merge() const { return merge_; }
  Role role() const { return role_; }
  // What answers when the merge finds, at its first row, that it cannot compare what the
  // statement asks (1235: HAVING on a string in a collation compared by the server's weights)
  // and nothing reached the client yet: the statement shipped to one server instead.
  void set_fallback(std::shared_ptr<const Primitive> fallback) { fallback_ = std::move(fallback); }

 private:
  std::shared_ptr<const Primitive> fallback_;
  std::vector<Query> queries_;
  Role role_;
  MergeInfo merge_;
  StatementTraits traits_;
};

}  // namespace tessera::exec::engine
