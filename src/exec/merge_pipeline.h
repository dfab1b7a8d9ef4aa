// The whole merge of one scatter-gather SELECT, chained from a MergeSpec (see merge_spec.h for
// the stages). Sans-IO and pull-driven; the executor drives it:
//
//   auto p = MergePipeline::create(spec, shard_columns, shard_count);   // Result<>
//   Row row;
//   for (;;) {
//     auto r = p->next(row);                     // Result<MergePipeline::Poll>
//     if (!r) -> ERR packet with r.error()
//     if (*r == Poll::kRow)  -> send row.payload() to the client (hidden columns dropped)
//     if (*r == Poll::kDone) -> result complete: send EOF/OK. Shards not finished yet need not
//                               be read on (LIMIT reached): cancel or drain them.
//     if (*r == Poll::kNeedInput) {
//       size_t s = *p->wants();                  // kAnyShard: any shard not yet finished
//       read one row of shard s -> p->offer_payload(s, payload), or its end -> p->finish(s)
//     }
//   }
// A shard that fails is the executor's to report; the merge is then simply abandoned.
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "exec/group_merge.h"
#include "exec/merge_error.h"
#include "exec/merge_spec.h"
#include "exec/row.h"
#include "exec/row_buffers.h"
#include "exec/shard_merge.h"
#include "protocol/column_definition.h"

namespace tessera::exec {

class MergePipeline {
 public:
  enum class Poll : uint8_t { kRow, kNeedInput, kDone };

  // `columns`: the shards' result columns (visible then hidden). Errors when the spec names a
  // column outside them.
  static Result<std::unique_ptr<MergePipeline>> create(
      MergeSpec spec, std::vector<protocol::ColumnDefinition> columns, size_t shard_count);

  // The columns the client sees (hidden ones dropped).
  std::vector<protocol::ColumnDefinition> visible_columns() const;

  // The next output row, or what stops it. After kDone or an error, keeps returning the same.
  Result<Poll> next(Row& out);
  // Which shard must deliver next when next() said kNeedInput (kAnyShard: any unfinished one);
  // nullopt otherwise.
  std::optional<size_t> wants() const;
  Status offer(size_t shard, Row row);
  // Parses a text-protocol row payload first; a malformed one is an error.
  Status offer_payload(size_t shard, std::string payload);
  Status finish(size_t shard);
  // True once every output row has been produced (possibly before all shards finished).
  bool done() const { return done_; }

 private:
  enum class Pull : uint8_t { kRow, kNeed, kEnd, kError };

  MergePipeline(MergeSpec spec, std::vector<protocol::ColumnDefinition> columns,
                size_t shard_count);

  // Builds the stages that compare values, once the first row tells the collations.
  void configure(const Row* first);
  void refuse_unnamed_strings();
  bool source_next(Row& out);
  bool source_done() const;
  Pull pull_grouped(Row& out);
  Pull pull_having(Row& out);
  Pull pull_windowed(Row& out);
  Pull pull_filtered(Row& out);
  Pull pull_ordered(Row& out);
  Pull fail(MergeError e);
  void bind_expressions(const Row* first);
  std::optional<MergeError> apply_computed(
      Row& row, const std::vector<std::pair<size_t, ScalarExpr>>& computed) const;

  MergeSpec spec_;
  std::vector<protocol::ColumnDefinition> columns_;
  std::vector<ValueType> types_;
  size_t visible_;

  std::variant<OrderedMerge, Concatenation> source_;
  std::optional<GroupMerge> groups_;
  // One pass per window specification; pass i reads pass i-1's rows once it is filled.
  std::vector<std::unique_ptr<WindowOperator>> windows_;
  size_t windows_filled_ = 0;
  std::optional<DistinctFilter> distinct_;
  std::optional<MemorySort> sort_;
  bool sort_filled_ = false;
  OffsetLimit limit_;

  bool configured_ = false;
  bool done_ = false;
  std::optional<MergeError> error_;
};

}  // namespace tessera::exec
