// SequenceFetch: a statement that takes ids from a global sequence whose reserved segment has
// run out. The ids are part of the plan (the sub-table a row goes to may depend on its id, and
// the text carries them as literals), so this primitive reserves a new segment through the
// cursor and then has the client's statement planned again (Cursor::plan_again), which finds
// the ids this time. Text and prepared statements share it: the refill and the second plan are
// written once, here and in the cursor.
#pragma once
#include <string>
#include <utility>

#include "exec/engine/primitive.h"

namespace tessera::exec::engine {

class SequenceFetch final : public Primitive {
 public:
  explicit SequenceFetch(std::string sequence) : sequence_(std::move(sequence)) {}

  asio::awaitable<void> run(Cursor& cursor) const override;
  void describe(std::vector<PlanLine>& out, int depth) const override;

  // "db.table" of the sequence (config::GlobalSequence), as the sequence cache keys it.
  const std::string& sequence() const { return sequence_; }

 private:
  std::string sequence_;
};

}  // namespace tessera::exec::engine
