// Route: one statement on one slice (unsharded statements on the default slice, sharded ones
// the planner resolved to one sub-table, global-table reads), its answer relayed to the client
// as the server sends it. With Role::kReadSplit the cursor may serve it from a replica.
// Failover and deadlock retries follow retry_policy.h.
#pragma once
#include <string>
#include <string_view>

#include "exec/engine/primitive.h"
#include "exec/engine/retry_policy.h"

namespace tessera::exec::engine {

class Route final : public Primitive {
 public:
  Route(Target target, std::string sql, StatementTraits traits)
      : target_(std::move(target)), owned_(std::move(sql)), sql_(owned_), traits_(traits) {}
  // The text is borrowed: it outlives the run (the client's packet, on the hot path).
  struct Borrow {};
  Route(Borrow, Target target, std::string_view sql, StatementTraits traits)
      : target_(std::move(target)), sql_(sql), traits_(traits) {}
  Route(const Route&) = delete;
  Route& operator=(const Route&) = delete;

  asio::awaitable<void> run(Cursor& cursor) const override;
  void describe(std::vector<PlanLine>& out, int depth) const override;

  const Target& target() const { return target_; }
  std::string_view sql() const { return sql_; }

 private:
  Target target_;
  std::string owned_;
  std::string_view sql_;
  StatementTraits traits_;
};

}  // namespace tessera::exec::engine
