#include "exec/engine/scatter.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend_error.h"
#include "exec/engine/merge_resolve.h"
#include "exec/engine/merged_read.h"
#include "exec/engine/retrying.h"
#include "exec/merge_pipeline.h"

namespace tessera::exec::engine {

asio::awaitable<void> Scatter::run(Cursor& cursor) const {
  // A named function object: GCC 12 mishandles temporaries inside co_await expressions.
  std::function<asio::awaitable<Attempt>()> attempt = [&]() { return once(cursor); };
  co_await run_streams_retrying(cursor, role_, traits_, attempt);
}

asio::awaitable<Attempt> Scatter::once(Cursor& c) const {
  Attempt answered;  // the client has the result, or an error it must see
  {
    Attempt opened = co_await c.open_shards(queries_, role_);
    if (opened.kind != Attempt::Kind::kAnswered) co_return opened;
  }
  const size_t n = queries_.size();
  std::optional<std::string> failure;
  bool fell_back = false;
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
    if (shard_error)
      co_return co_await answer_head_error(c, *shard_error, retryable, retryable_slice);

    // The client's columns: the first shard's visible ones.
    const size_t visible = total_columns - merge_.hidden_columns;
    c.begin_result(std::vector<protocol::ColumnDefinition>(
        columns[0].begin(), columns[0].begin() + static_cast<long>(visible)));

    // Rows: the pipeline says which shard it needs next.
    std::vector<bool> ended(n, false);
    MergedRead read;
    Row row;
    for (;;) {
      auto polled = pipeline->next(row);
      if (!polled) {
        read.merge_error = polled.error();
        break;
      }
      if (*polled == MergePipeline::Poll::kRow) {
        std::string why;
        if (!c.send_row(row.payload(), why)) {
          read.merge_error =
              MergeError{protocol::errc::kUnknownError,
                         "cannot encode a merged row for the binary protocol: " + why};
          break;
        }
        if (c.output_full()) co_await c.flush_rows();
        continue;
      }
      if (*polled == MergePipeline::Poll::kDone) break;
      if (!co_await read.feed(c, *pipeline, queries_, 0, ended)) break;
    }
    if (fallback_ && !read.row_error && read.merge_error && read.merge_error->code.code == 1235 &&
        !c.output_started()) {
      // The merge cannot answer this; the shipped statement can (nothing reached the client).
      c.stop_shards();
      co_await c.drain_shards();
      co_await c.close_shards(/*failed=*/false);
      c.abandon_result();
      fell_back = true;
    }
    // A shard's ERR goes to the client as it came; a merge error as an ERR of its own.
    std::optional<protocol::ErrPacket> error = read.row_error;
    if (!error && read.merge_error)
      error = protocol::ErrPacket(read.merge_error->code, read.merge_error->message);
    if (!fell_back) co_await end_merged_result(c, error, read.warnings);
  } catch (const std::exception& e) {
    failure = backend::failure_text(e);
  }
  if (!failure && fell_back) {
    co_await fallback_->run(c);
    co_return answered;
  }
  if (!failure) co_return answered;
  co_return co_await shard_failure(c, *failure, "a merged query");
}

void Scatter::describe(std::vector<PlanLine>& out, int depth) const {
  PlanLine head;
  head.depth = depth;
  head.op = "Scatter";
  head.detail = role_ == Role::kReadSplit ? "merge, read split" : "merge";
  if (merge_.windows.size() == 1) head.detail += ", window functions";
  if (merge_.windows.size() > 1)
    head.detail += ", window functions in " + std::to_string(merge_.windows.size()) + " passes";
  if (!merge_.rollup.empty()) head.detail += ", WITH ROLLUP";
  out.push_back(std::move(head));
  describe_routes(queries_, depth, out);
}

}  // namespace tessera::exec::engine
