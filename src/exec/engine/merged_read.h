// The steps Scatter and SetOperation both take over the shard streams of a merged read
// (Cursor::open_shards ... close_shards): answering a failed result head, feeding a merge
// pipeline the rows it asks for, ending the client's result, and turning a lost shard into the
// attempt's outcome. One copy, so the two primitives cannot drift apart on what a client sees.
#pragma once
#include <asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exec/engine/cursor.h"
#include "exec/memory_budget.h"
#include "exec/merge_error.h"
#include "exec/merge_pipeline.h"
#include "exec/row.h"
#include "protocol/response_packets.h"

namespace tessera::exec::engine {

// Rows held to be shipped as literals (so never spilled) passed the statement's budget: the
// budget's own error with spilling off, else one naming `what` exceeded merge_memory_bytes and
// how to `narrow` it.
MergeError held_rows_over_budget(const MemoryBudget& budget, const std::string& what,
                                 std::string_view narrow);

// A result head failed with `error` (named by its slice): the other streams are read to their
// end so their connections stay usable, and closed; then the session's limit error, or the
// engine gets `retryable` (a read-only primary or a deadlock, before any row) to decide on, or
// the client gets `error`.
asio::awaitable<Attempt> answer_head_error(Cursor& c, const protocol::ErrPacket& error,
                                           const std::optional<protocol::ErrPacket>& retryable,
                                           const std::string& retryable_slice);

// The row phase's state, and one step of it.
struct MergedRead {
  std::optional<MergeError> merge_error;
  std::optional<protocol::ErrPacket> row_error;  // a stream failed after its head
  uint16_t warnings = 0;                         // summed over the streams' ends
  std::string payload;

  // Gives `pipeline` what it wants next from its streams, queries[first + i] for its part i
  // (`ended[i]`: part i has ended): a row, or the stream's end. False when the read must stop
  // (merge_error or row_error set).
  asio::awaitable<bool> feed(Cursor& c, MergePipeline& pipeline, const std::vector<Query>& queries,
                             size_t first, std::vector<bool>& ended);
};

// Ends the client's result: on `error` the streams are stopped rather than read to their end,
// and the client gets it (or the session's limit error); otherwise the end of the result with
// `warnings`. The streams are drained and closed either way.
asio::awaitable<void> end_merged_result(Cursor& c, const std::optional<protocol::ErrPacket>& error,
                                        uint16_t warnings);

// Every stream of an open_shards() call read whole, for the small reads a primitive makes
// before its result (the collations a join asks for, a hash join's metadata, a recursive walk's
// rounds): each stream's head, then its rows. On the first ERR (returned, head or row) or past
// `max_bytes` of rows held (0: no bound; `too_big`) the streams are stopped; they are drained
// and closed either way. A row that does not parse is counted in `bad_rows`, not kept.
struct WholeRead {
  std::vector<std::vector<protocol::ColumnDefinition>> heads;
  std::vector<std::vector<Row>> rows;
  bool too_big = false;
  size_t bad_rows = 0;
};
asio::awaitable<std::optional<protocol::ErrPacket>> read_whole(Cursor& c, size_t streams,
                                                               WholeRead& out,
                                                               size_t max_bytes = 0);

// A stream failed (`failure`, the exception's text) during the read `what` ("a merged query"):
// the streams are closed, and the outcome is a failed attempt once the client saw output or a
// limit error was answered, else a lost one the engine may run again.
asio::awaitable<Attempt> shard_failure(Cursor& c, const std::string& failure,
                                       std::string_view what);

}  // namespace tessera::exec::engine
