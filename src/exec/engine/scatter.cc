#include "exec/engine/scatter.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend_error.h"
#include "exec/engine/merge_resolve.h"
#include "exec/engine/retrying.h"
#include "exec/merge_pipeline.h"

namespace tessera::exec::engine {

asio::awaitable<void> Scatter::run(Cursor& cursor) const {
  RetryingRun run;
  // No one slice: failures name theirs (Attempt::slice), or the cursor answers for all.
  run.target.role = role_;
  run.traits = traits_;
  run.finish_when_answered = false;
  // A named function object: GCC 12 mishandles temporaries inside co_await expressions.
  std::function<asio::awaitable<Attempt>()> attempt = [&]() { return once(cursor); };
  co_await run_retrying(cursor, run, attempt);
}

asio::awaitable<Attempt> Scatter::once(Cursor& c) const {
  Attempt answered;  // the client has the result, or an error it must see
  Attempt failed;
  failed.kind = Attempt::Kind::kFailed;
  {
    Attempt opened = co_await c.open_shards(queries_, role_);
    if (opened.kind != Attempt::Kind::kAnswered) co_return opened;
  }
  const size_t n = queries_.size();
  std::optional<std::string> failure;
  try {
    // Result heads: every shard's columns, or the first error (named by its slice).
    std::vector<std::vector<protocol::ColumnDefinition>> columns(n);
    std::optional<protocol::ErrPacket> shard_error;
    std::optional<protocol::ErrPacket> retryable;  // that error, when the engine may retry it
    std::string retryable_slice;
    for (size_t i = 0; i < n; ++i) {
      auto err = co_await c.read_head(i, columns[i]);
      if (err && !shard_error) {
        shard_error = *err;
        shard_error->message += " (on slice " + queries_[i].target.slice + ")";
        if (is_retryable_rejection(err->code)) {
          retryable = *err;
          retryable_slice = queries_[i].target.slice;
        }
      }
    }
    std::unique_ptr<MergePipeline> pipeline;
    const size_t total_columns = columns[0].size();
    if (!shard_error) {
      for (const auto& cols : columns) {
        if (cols.size() != total_columns) {
          shard_error = protocol::ErrPacket(protocol::errc::kUnknownError,
                                            "shards returned different column counts; are the "
                                            "physical tables' definitions the same on every "
                                            "slice?");
        }
      }
    }
    if (!shard_error) {
      auto spec = resolve_merge(merge_, total_columns, c.merge_limits());
      if (!spec) {
        shard_error = protocol::ErrPacket(spec.error().code, spec.error().message);
      } else {
        auto made = MergePipeline::create(std::move(*spec), columns[0], n);
        if (!made) {
          shard_error = protocol::ErrPacket(made.error().code, made.error().message);
        } else {
          pipeline = std::move(*made);
        }
      }
    }
    if (shard_error) {
      // The other shards' results are read to their end so their connections stay usable.
      co_await c.drain_shards();
      co_await c.close_shards(/*failed=*/false);
      if (auto limit = c.limit_error()) {
        co_await c.reply_error(*limit);
        co_return answered;
      }
      if (retryable) {
        // A read-only primary or a deadlock, before any row: the engine decides.
        Attempt rejected;
        rejected.kind = Attempt::Kind::kRejected;
        rejected.error = *retryable;
        rejected.slice = retryable_slice;
        co_return rejected;
      }
      co_await c.reply_error(*shard_error);
      co_return answered;
    }

    // The client's columns: the first shard's visible ones.
    const size_t visible = total_columns - merge_.hidden_columns;
    c.begin_result(std::vector<protocol::ColumnDefinition>(
        columns[0].begin(), columns[0].begin() + static_cast<long>(visible)));

    // Rows: the pipeline says which shard it needs next.
    std::vector<bool> ended(n, false);
    std::optional<MergeError> merge_error;
    std::optional<protocol::ErrPacket> row_error;  // a shard failed after its columns
    uint16_t warnings = 0;
    Row row;
    std::string payload;
    for (;;) {
      auto polled = pipeline->next(row);
      if (!polled) {
        merge_error = polled.error();
        break;
      }
      if (*polled == MergePipeline::Poll::kRow) {
        std::string why;
        if (!c.send_row(row.payload(), why)) {
          merge_error = MergeError{protocol::errc::kUnknownError,
                                   "cannot encode a merged row for the binary protocol: " + why};
          break;
        }
        if (c.output_full()) co_await c.flush_rows();
        continue;
      }
      if (*polled == MergePipeline::Poll::kDone) break;
      auto want = pipeline->wants();
      if (!want) {
        merge_error = MergeError{protocol::errc::kUnknownError, "internal error: merge stalled"};
        break;
      }
      size_t shard = *want;
      if (shard == kAnyShard) {
        // Prefer a shard with data already buffered, else the first unfinished one.
        shard = n;
        for (size_t i = 0; i < n && shard == n; ++i) {
          if (!ended[i] && c.shard_ready(i)) shard = i;
        }
        for (size_t i = 0; i < n && shard == n; ++i) {
          if (!ended[i]) shard = i;
        }
        if (shard == n) {
          merge_error = MergeError{protocol::errc::kUnknownError, "internal error: no shard left"};
          break;
        }
      }
      ShardEvent event = co_await c.read_row(shard, payload);
      Status st;
      if (event.kind == ShardEvent::Kind::kError) {
        ended[shard] = true;
        row_error = std::move(event.error);
        row_error->message += " (on slice " + queries_[shard].target.slice + ")";
        break;
      }
      if (event.kind == ShardEvent::Kind::kEnd) {
        ended[shard] = true;
        warnings = static_cast<uint16_t>(warnings + event.warnings);
        st = pipeline->finish(shard);
      } else {
        st = pipeline->offer_payload(shard, std::move(payload));
        payload = std::string();
      }
      if (!st.ok()) {
        merge_error = st.error();
        break;
      }
    }
    if (row_error) merge_error = MergeError{protocol::errc::kUnknownError, row_error->message};
    // A merge error (more rows than max_sql_result_size, ...): the shards are stopped rather
    // than read to the end of their whole results.
    if (merge_error) c.stop_shards();
    // Stopped early (LIMIT reached, or an error): the rest of each stream is unread.
    co_await c.drain_shards();
    co_await c.close_shards(/*failed=*/false);
    if (merge_error) {
      protocol::ErrPacket err =
          row_error ? *row_error : protocol::ErrPacket(merge_error->code, merge_error->message);
      if (auto limit = c.limit_error()) err = *limit;
      co_await c.fail_result(err);
      co_return answered;
    }
    co_await c.end_result(warnings);
  } catch (const std::exception& e) {
    failure = backend::failure_text(e);
  }
  if (!failure) co_return answered;
  co_await c.close_shards(/*failed=*/true);
  if (c.output_started()) {
    c.abort_client("shard failed mid-result: " + *failure);
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
  lost.failure = "Lost connection to a backend during a merged query: " + *failure;
  co_return lost;
}

void Scatter::describe(std::vector<PlanLine>& out, int depth) const {
  PlanLine head;
  head.depth = depth;
  head.op = "Scatter";
  head.detail = role_ == Role::kReadSplit ? "merge, read split" : "merge";
  out.push_back(std::move(head));
  describe_routes(queries_, depth, out);
}

}  // namespace tessera::exec::engine
