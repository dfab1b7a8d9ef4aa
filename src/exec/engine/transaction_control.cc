#include "exec/engine/transaction_control.h"

namespace tessera::exec::engine {

namespace {

const char* name_of(TransactionStatement kind) {
  switch (kind) {
    case TransactionStatement::kBegin:
      return "begin";
    case TransactionStatement::kCommit:
      return "commit";
    case TransactionStatement::kRollback:
      return "rollback";
    case TransactionStatement::kXa:
      return "xa";
  }
  return "?";
}

}  // namespace

asio::awaitable<void> TransactionControl::run(Cursor& cursor) const {
  const bool answered = co_await cursor.control_transaction(kind_, sql_);
  if (answered || !on_default_) co_return;
  co_await on_default_->run(cursor);
}

void TransactionControl::describe(std::vector<PlanLine>& out, int depth) const {
  PlanLine line;
  line.depth = depth;
  line.op = "TransactionControl";
  line.sql = std::string(sql_);
  line.detail = std::string(name_of(kind_)) + ": the session's distributed transaction first";
  out.push_back(std::move(line));
  if (on_default_) on_default_->describe(out, depth + 1);
}

}  // namespace tessera::exec::engine
