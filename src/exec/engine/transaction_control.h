// TransactionControl: BEGIN / START TRANSACTION, COMMIT, ROLLBACK (with AND CHAIN) and XA
// statements in a namespace whose transactions may span slices. Which transaction the
// statement ends is session state the planner does not see: the cursor ends a distributed (XA)
// transaction, or the transactions other slices joined, itself and answers the client; what it
// leaves runs as any statement on the default slice (`on_default`, a Route), whose retries and
// bookkeeping then apply unchanged.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "exec/engine/primitive.h"

namespace tessera::exec::engine {

class TransactionControl final : public Primitive {
 public:
  TransactionControl(TransactionStatement kind, std::string_view sql,
                     std::shared_ptr<const Primitive> on_default)
      : kind_(kind), sql_(sql), on_default_(std::move(on_default)) {}

  asio::awaitable<void> run(Cursor& cursor) const override;
  void describe(std::vector<PlanLine>& out, int depth) const override;

 private:
  TransactionStatement kind_;
  std::string_view sql_;  // borrowed: the client's packet, which outlives the run
  std::shared_ptr<const Primitive> on_default_;
};

}  // namespace tessera::exec::engine
