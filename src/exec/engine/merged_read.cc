#include "exec/engine/merged_read.h"

namespace tessera::exec::engine {

asio::awaitable<Attempt> answer_head_error(Cursor& c, const protocol::ErrPacket& error,
                                           const std::optional<protocol::ErrPacket>& retryable,
                                           const std::string& retryable_slice) {
  Attempt answered;  // the client has an error it must see
  co_await c.drain_shards();
  co_await c.close_shards(/*failed=*/false);
  if (auto limit = c.limit_error()) {
    co_await c.reply_error(*limit);
    co_return answered;
  }
  if (retryable) {
    Attempt rejected;
    rejected.kind = Attempt::Kind::kRejected;
    rejected.error = *retryable;
    rejected.slice = retryable_slice;
    co_return rejected;
  }
  co_await c.reply_error(error);
  co_return answered;
}

asio::awaitable<bool> MergedRead::feed(Cursor& c, MergePipeline& pipeline,
                                       const std::vector<Query>& queries, size_t first,
                                       std::vector<bool>& ended) {
  const size_t parts = ended.size();
  auto want = pipeline.wants();
  if (!want) {
    merge_error = MergeError{protocol::errc::kUnknownError, "internal error: merge stalled"};
    co_return false;
  }
  size_t part = *want;
  if (part == kAnyShard) {
    // Prefer a stream with data already buffered, else the first unfinished one.
    part = parts;
    for (size_t i = 0; i < parts && part == parts; ++i) {
      if (!ended[i] && c.shard_ready(first + i)) part = i;
    }
    for (size_t i = 0; i < parts && part == parts; ++i) {
      if (!ended[i]) part = i;
    }
    if (part == parts) {
      merge_error = MergeError{protocol::errc::kUnknownError, "internal error: no shard left"};
      co_return false;
    }
  }
  const size_t stream = first + part;
  ShardEvent event = co_await c.read_row(stream, payload);
  Status st;
  if (event.kind == ShardEvent::Kind::kError) {
    ended[part] = true;
    row_error = std::move(event.error);
    row_error->message += " (on slice " + queries[stream].target.slice + ")";
    co_return false;
  }
  if (event.kind == ShardEvent::Kind::kEnd) {
    ended[part] = true;
    warnings = static_cast<uint16_t>(warnings + event.warnings);
    st = pipeline.finish(part);
  } else {
    st = pipeline.offer_payload(part, std::move(payload));
    payload = std::string();
  }
  if (!st.ok()) {
    merge_error = st.error();
    co_return false;
  }
  co_return true;
}

asio::awaitable<void> end_merged_result(Cursor& c, const std::optional<protocol::ErrPacket>& error,
                                        uint16_t warnings) {
  // An error (more rows than max_sql_result_size, a stream's ERR, ...): the streams are stopped
  // rather than read to the end of their whole results.
  if (error) c.stop_shards();
  // Stopped early (LIMIT reached, or an error): the rest of each stream is unread.
  co_await c.drain_shards();
  co_await c.close_shards(/*failed=*/false);
  if (error) {
    protocol::ErrPacket err = *error;
    if (auto limit = c.limit_error()) err = *limit;
    co_await c.fail_result(err);
    co_return;
  }
  co_await c.end_result(warnings);
}

asio::awaitable<std::optional<protocol::ErrPacket>> read_whole(Cursor& c, size_t streams,
                                                               WholeRead& out, size_t max_bytes) {
  out.heads.assign(streams, {});
  out.rows.assign(streams, {});
  out.too_big = false;
  out.bad_rows = 0;
  std::optional<protocol::ErrPacket> error;
  for (size_t i = 0; i < streams && !error; ++i) error = co_await c.read_head(i, out.heads[i]);
  size_t bytes = 0;
  std::string payload;
  for (size_t i = 0; i < streams && !error && !out.too_big; ++i) {
    for (;;) {
      ShardEvent ev = co_await c.read_row(i, payload);
      if (ev.kind == ShardEvent::Kind::kEnd) break;
      if (ev.kind == ShardEvent::Kind::kError) {
        error = ev.error;
        break;
      }
      auto row = Row::from_text_payload(std::move(payload), out.heads[i].size());
      payload = std::string();
      if (!row) {
        ++out.bad_rows;
        continue;
      }
      bytes += row->memory_bytes();
      if (max_bytes && bytes > max_bytes) {
        out.too_big = true;
        break;
      }
      out.rows[i].push_back(std::move(*row));
    }
  }
  if (error || out.too_big) c.stop_shards();
  co_await c.drain_shards();
  co_await c.close_shards(/*failed=*/false);
  co_return error;
}

asio::awaitable<Attempt> shard_failure(Cursor& c, const std::string& failure,
                                       std::string_view what) {
  Attempt failed;
  failed.kind = Attempt::Kind::kFailed;
  co_await c.close_shards(/*failed=*/true);
  if (c.output_started()) {
    c.abort_client("shard failed mid-result: " + failure);
    co_return failed;
  }
  if (auto limit = c.limit_error()) {
    limit->message += "; a shard that would not stop was disconnected";
    co_await c.reply_error(*limit);
    co_return failed;
  }
  // Lost before the client saw anything: the engine may run the read again.
  Attempt lost;
  lost.kind = Attempt::Kind::kLost;
  lost.sent = true;
  lost.failure = "Lost connection to a backend during " + std::string(what) + ": " + failure;
  co_return lost;
}

MergeError held_rows_over_budget(const MemoryBudget& budget, const std::string& what,
                                 std::string_view narrow) {
  if (!budget.can_spill()) return budget.out_of_memory(what.c_str());
  return MergeError{protocol::errc::kUnknownError,
                    what + " exceed " + std::to_string(budget.limit()) +
                        " bytes of memory (merge_memory_bytes); " + std::string(narrow)};
}

}  // namespace tessera::exec::engine
