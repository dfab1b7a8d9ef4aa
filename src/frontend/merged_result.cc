// Scatter SELECTs: every shard's result set is read as it arrives and combined by the exec/
// merge operators (ordered k-way merge, aggregates, GROUP BY, HAVING, DISTINCT, LIMIT). Each
// query gets a connection of its own (a second query on the same slice borrows a second
// connection) so the streams can be read side by side; only the operators' state is buffered.
#include <spdlog/spdlog.h>

#include <set>

#include "backend/backend_error.h"
#include "exec/engine/merge_resolve.h"
#include "exec/engine/retry_policy.h"
#include "exec/merge_pipeline.h"
#include "frontend/client_session.h"
#include "frontend/worker.h"
#include "protocol/binary_values.h"
#include "protocol/column_definition.h"
#include "protocol/constants.h"
#include "protocol/error_codes.h"
#include "protocol/response_decoder.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace tessera::frontend {

using namespace protocol;

namespace {

struct ShardStream {
  backend::BackendConnection* conn = nullptr;
  std::unique_ptr<backend::BackendConnection> extra;  // borrowed for this statement only
  backend::ConnectionPool* extra_pool = nullptr;
  // Read splitting: the replica serving this part (chosen past the consistency fence).
  std::optional<backend::BackendLease> replica;
  std::string slice;
  bool head_read = false;
  bool ended = false;  // end-of-result (or ERR) consumed
  std::vector<ColumnDefinition> columns;
  std::optional<ErrPacket> error;
  // Reads the shard's response (a COM_QUERY's: every packet it yields is consumed at once).
  std::optional<ResponseDecoder> decoder;
};

// The next event of a shard's response, reading a packet into `payload` when one is needed.
asio::awaitable<ResponseEvent> next_event(ShardStream& s, std::string& payload) {
  ResponseDecoder& d = *s.decoder;
  if (d.event_due()) co_return d.next_implied();
  uint8_t seq = 0;
  co_await s.conn->socket().read_packet(payload, seq);
  co_return d.next_packet(payload);
}

// A shard's response that is not a result set the merge can read.
[[noreturn]] void shard_response_error(const ShardStream& s, ResponseEvent e) {
  throw ProtocolViolation(
      "unexpected response from slice " + s.slice + ": " +
      (e == ResponseEvent::kMalformed ? s.decoder->error() : std::string(to_string(e))));
}

}  // namespace

asio::awaitable<exec::engine::Attempt> ClientSession::run_merge(
    const std::vector<exec::engine::Query>& queries, const router::MergeInfo& merge,
    bool binary_rows, exec::engine::Role role) {
  using exec::engine::Attempt;
  Attempt answered;  // kAnswered: the client has the result or an error it must see
  Attempt failed;
  failed.kind = Attempt::Kind::kFailed;
  const size_t n = queries.size();
  // A part's own connection (borrowed from its pool, or a replica's lease) goes back at the end.
  auto give_back = [this](ShardStream& s, bool discard) {
    if (s.extra) {
      if (discard) {
        s.extra_pool->discard(std::move(s.extra));
      } else {
        s.extra_pool->release(std::move(s.extra));
      }
    }
    if (s.replica) {
      if (discard) {
        s.replica->discard();
      } else {
        s.replica->end_use(lease_facts(*s.replica));
      }
      s.replica.reset();
    }
  };
  std::vector<ShardStream> streams(n);
  std::set<std::string> slices_used;
  std::optional<std::string> failure;
  std::optional<ErrPacket> refused;

  // Connections: the session's own for the first query on a slice, borrowed ones after that.
  for (size_t i = 0; i < n; ++i) {
    const auto& q = queries[i].target;
    streams[i].slice = q.slice;
    if (role == exec::engine::Role::kReadSplit) {
      // Read splitting: a replica of the slice that has what the read must see serves this
      // part (the consistency fence: read_split.cc); none qualifying, the primary does.
      const config::Slice* cfg = namespace_->find_slice(q.slice);
      backend::BackendLease rc;
      const std::string& db = q.db.empty() ? state_.db : q.db;
      if (cfg && co_await choose_read_replica(*cfg, db, rc)) {
        streams[i].replica.emplace(std::move(rc));
        streams[i].conn = streams[i].replica->get();
        continue;
      }
    }
    if (slices_used.insert(q.slice).second) {
      streams[i].conn = co_await slice_connection(q.slice, q.db);
      if (!streams[i].conn) {
        failure.reset();
        refused.reset();
        for (auto& s : streams) {
          give_back(s, false);
        }
        co_return failed;  // the error went to the client
      }
      continue;
    }
    auto* pool_ptr = co_await write_pool(q.slice, q.db.empty() ? state_.db : q.db);
    if (!pool_ptr) {
      for (auto& s : streams) {
        give_back(s, false);
      }
      co_return failed;  // the error went to the client
    }
    auto& pool = *pool_ptr;
    streams[i].extra_pool = &pool;
    try {
      const std::string& db = q.db.empty() ? state_.db : q.db;
      backend::ConnectOptions opts = connect_options(db.empty());
      streams[i].extra = co_await pool.acquire(nullptr, opts);
      auto& c = *streams[i].extra;
      if (!db.empty() && c.db != db) {
        auto r = co_await c.init_db(db);
        if (!r.ok) refused = r.err;
      }
      std::string sync = session::build_sync_statement(state_, c);
      if (!refused && !sync.empty()) {
        auto r = co_await c.query(sync);
        if (!r.ok)
          refused = r.err;
        else {
          c.vars = state_.vars;
          c.collation = state_.collation;
        }
      }
    } catch (const backend::BackendError& e) {
      refused = e.err();
    } catch (const std::exception& e) {
      failure = failure_text(e);
    }
    if (failure || refused) break;
    streams[i].conn = streams[i].extra.get();
  }

  auto discard_all = [&]() {
    for (auto& s : streams) {
      give_back(s, true);
    }
    drop_slices();
    drop_backend();
  };
  auto release_all = [&]() {
    for (auto& s : streams) {
      give_back(s, false);
    }
    release_slices();
    after_statement(nullptr);
  };

  if (failure || refused) {
    for (auto& s : streams) {
      give_back(s, true);
    }
    release_slices();
    after_statement(nullptr);
    if (refused) {
      co_await send_error(*refused);
      co_return failed;
    }
    // Nothing was sent: the engine may run the whole read again.
    Attempt lost;
    lost.kind = Attempt::Kind::kLost;
    lost.failure = *failure;
    co_return lost;
  }

  // max_sql_execute_time / max_sql_result_size: every shard's statement can be stopped.
  if (watchdog_) {
    for (auto& s : streams) watchdog_->watch(*s.conn);
  }

  const uint32_t hidden = merge.hidden_columns;
  size_t total_columns = 0;
  std::string payload;
  uint16_t warnings = 0;
  uint16_t status_flags = state_.status_flags;
  std::unique_ptr<exec::MergePipeline> pipeline;
  std::optional<exec::MergeError> merge_error;
  std::optional<ErrPacket> row_error;  // a shard failed after its columns
  bool binary = false;
  (void)binary;

  try {
    // Send every query first: the shards work in parallel.
    for (size_t i = 0; i < n; ++i) {
      std::string packet;
      packet.push_back(static_cast<char>(Command::kQuery));
      packet += queries[i].sql;
      uint8_t seq = 0;
      co_await streams[i].conn->socket().write_packet(packet, seq);
    }
    // Result heads: column count and definitions.
    for (size_t i = 0; i < n; ++i) {
      auto& s = streams[i];
      s.decoder.emplace(Command::kQuery, s.conn->capabilities(), s.conn->extended_type_info());
      while (!s.head_read && !s.ended) {
        const ResponseEvent event = co_await next_event(s, payload);
        switch (event) {
          case ResponseEvent::kErr:
            s.error =
                ErrPacket::decode(payload).value_or(ErrPacket(errc::kUnknownError, "shard error"));
            s.ended = true;
            break;
          case ResponseEvent::kOk:
            s.error = ErrPacket(errc::kUnknownError, "shard returned no result set for a SELECT");
            s.ended = true;
            break;
          case ResponseEvent::kResultStart:
            break;
          case ResponseEvent::kColumn: {
            auto def = ColumnDefinition::decode(payload, s.conn->extended_type_info());
            if (!def) throw ProtocolViolation("malformed column definition from backend");
            s.columns.push_back(std::move(*def));
            break;
          }
          case ResponseEvent::kColumnsEnd:
            s.head_read = true;
            break;
          default:
            shard_response_error(s, event);
        }
      }
    }
    std::optional<ErrPacket> shard_error;
    std::optional<ErrPacket> retryable;  // the first shard error, when the engine may retry it
    std::string retryable_slice;
    for (auto& s : streams) {
      if (s.error && !shard_error) {
        shard_error = s.error;
        shard_error->message += " (on slice " + s.slice + ")";
        if (exec::engine::is_retryable_rejection(s.error->code)) {
          retryable = s.error;
          retryable_slice = s.slice;
        }
      }
    }
    if (!shard_error) {
      total_columns = streams[0].columns.size();
      for (auto& s : streams) {
        if (s.columns.size() != total_columns)
          shard_error = ErrPacket(errc::kUnknownError,
                                  "shards returned different column counts; are the physical "
                                  "tables' definitions the same on every slice?");
      }
      if (total_columns < hidden)
        shard_error = ErrPacket(errc::kUnknownError, "internal error: fewer columns than planned");
    }
    if (!shard_error) {
      exec::engine::MergeLimits limits;
      limits.max_result_rows =
          namespace_->max_sql_result_size > 0 ? uint64_t(namespace_->max_sql_result_size) : 0;
      // MariaDB's default group_concat_max_len is 1 MiB; a SET by the client is tracked.
      if (auto it = state_.vars.find("group_concat_max_len"); it != state_.vars.end()) {
        limits.group_concat_max_len = std::strtoull(it->second.c_str(), nullptr, 10);
      }
      auto resolved = exec::engine::resolve_merge(merge, total_columns, limits);
      std::optional<exec::MergeSpec> spec_ready;
      if (!resolved) {
        shard_error = ErrPacket(resolved.error().code, resolved.error().message);
      } else {
        spec_ready = std::move(*resolved);
      }
      if (!shard_error) {
        auto made = exec::MergePipeline::create(std::move(*spec_ready), streams[0].columns, n);
        if (!made)
          shard_error = ErrPacket(made.error().code, made.error().message);
        else
          pipeline = std::move(*made);
      }
    }
    if (shard_error) {
      // Drain what the other shards still send so their connections stay usable.
      for (auto& s : streams) {
        while (s.head_read && !s.ended) {
          const ResponseEvent event = co_await next_event(s, payload);
          if (event == ResponseEvent::kMalformed) shard_response_error(s, event);
          s.ended = event == ResponseEvent::kErr || event == ResponseEvent::kResultEnd;
        }
      }
      for (auto& s : streams) co_await release_watched(s.conn);
      if (watchdog_ && watchdog_->timed_out()) shard_error = timeout_error();
      release_all();
      if (retryable) {
        // A read-only primary or a deadlock, before any row: the engine decides (retry_policy.h).
        Attempt rejected;
        rejected.kind = Attempt::Kind::kRejected;
        rejected.error = *retryable;
        rejected.slice = retryable_slice;
        co_return rejected;
      }
      co_await send_error(*shard_error);
      co_return answered;
    }

    // Metadata for the client: the visible columns of the first shard.
    out_.clear();
    uint8_t cseq = reply_seq_;
    const size_t visible = total_columns - hidden;
    {
      std::string count;
      WireWriter w(count);
      w.lenenc_int(visible);
      emit(count, cseq);
      // MariaDB's extended type info (format "json", ...) as the client negotiated it.
      const bool extended = client_mariadb_caps_ & mariadb_cap::kExtendedTypeInfo;
      for (size_t c = 0; c < visible; ++c) emit(streams[0].columns[c].encode(extended), cseq);
      if (!(client_caps_ & cap::kDeprecateEof)) emit(EofPacket{0, status_flags}.encode(), cseq);
    }

    // Rows: the pipeline says which shard it needs next.
    exec::Row row;
    std::string binary_row;
    std::vector<ColumnDefinition> visible_defs(streams[0].columns.begin(),
                                               streams[0].columns.begin() + long(visible));
    bool complete = false;
    for (;;) {
      auto polled = pipeline->next(row);
      if (!polled) {
        merge_error = polled.error();
        break;
      }
      if (*polled == exec::MergePipeline::Poll::kRow) {
        if (binary_rows) {
          binary_row.clear();
          std::string why;
          if (!text_row_to_binary(row.payload(), visible_defs, binary_row, &why)) {
            merge_error = exec::MergeError{errc::kUnknownError,
                                           "cannot encode a merged row for "
                                           "the binary protocol: " +
                                               why};
            break;
          }
          emit(binary_row, cseq);
        } else {
          emit(row.payload(), cseq);
        }
        if (out_.size() >= 128 * 1024) co_await flush();
        continue;
      }
      if (*polled == exec::MergePipeline::Poll::kDone) {
        complete = true;
        break;
      }
      auto want = pipeline->wants();
      if (!want) {
        merge_error = exec::MergeError{errc::kUnknownError, "internal error: merge stalled"};
        break;
      }
      size_t shard = *want;
      if (shard == exec::kAnyShard) {
        // Prefer a shard with data already buffered, else the first unfinished one.
        shard = n;
        for (size_t i = 0; i < n && shard == n; ++i) {
          if (!streams[i].ended && streams[i].conn->socket().buffered_frame()) shard = i;
        }
        for (size_t i = 0; i < n && shard == n; ++i) {
          if (!streams[i].ended) shard = i;
        }
        if (shard == n) {
          merge_error = exec::MergeError{errc::kUnknownError, "internal error: no shard left"};
          break;
        }
      }
      auto& s = streams[shard];
      const ResponseEvent event = co_await next_event(s, payload);
      exec::Status st;
      if (event == ResponseEvent::kErr) {
        s.ended = true;
        auto err =
            ErrPacket::decode(payload).value_or(ErrPacket(errc::kUnknownError, "shard error"));
        err.message += " (on slice " + s.slice + ")";
        row_error = std::move(err);
        break;
      }
      if (event == ResponseEvent::kResultEnd) {
        s.ended = true;
        warnings = static_cast<uint16_t>(warnings + s.decoder->warnings());
        if (s.decoder->end_ok()) {
          s.conn->observe_ok(s.decoder->ok());
        } else {
          s.conn->status_flags = s.decoder->status_flags();
        }
        st = pipeline->finish(shard);
      } else if (event == ResponseEvent::kRow) {
        st = pipeline->offer_payload(shard, std::move(payload));
        payload = std::string();
      } else {
        shard_response_error(s, event);
      }
      if (!st.ok()) {
        merge_error = st.error();
        break;
      }
    }
    (void)complete;
    if (row_error) merge_error = exec::MergeError{errc::kUnknownError, row_error->message};
    // A merge error (e.g. more rows than max_sql_result_size): stop the shards rather than
    // read their whole results.
    if (merge_error && watchdog_) watchdog_->fire_now();
    {  // LIMIT reached early, or an error: read what the shards still send
      // Stopped early (LIMIT reached, or an error): the rest of each stream is unread.
      for (auto& s : streams) {
        while (!s.ended) {
          const ResponseEvent event = co_await next_event(s, payload);
          if (event == ResponseEvent::kMalformed) shard_response_error(s, event);
          s.ended = event == ResponseEvent::kErr || event == ResponseEvent::kResultEnd;
        }
      }
    }
    for (auto& s : streams) co_await release_watched(s.conn);
    if (merge_error) {
      ErrPacket err = row_error ? *row_error : ErrPacket(merge_error->code, merge_error->message);
      if (watchdog_ && watchdog_->timed_out()) err = timeout_error();
      release_all();
      if (sent_this_command_) {
        // Rows already reached the client: the error ends the row stream, as a server's would.
        emit(err.encode(), cseq);
        co_await flush();
        co_return answered;
      }
      // Rows may be queued in out_ but nothing reached the client unless flushed.
      out_.clear();
      co_await send_error(err);
      co_return answered;
    }
    emit_result_end(warnings, status_flags & ~status::kSessionStateChanged, nullptr, {}, cseq);
    co_await flush();
  } catch (const std::exception& e) {
    failure = failure_text(e);
  }
  if (failure) {
    discard_all();
    if (sent_this_command_) {
      spdlog::warn("client {}: shard failed mid-result: {}", peer_text(), *failure);
      client_.close();
      co_return failed;
    }
    if (watchdog_ && watchdog_->timed_out()) {
      ErrPacket err = timeout_error();
      err.message += "; a shard that would not stop was disconnected";
      co_await send_error(err);
      co_return failed;
    }
    // Lost before the client saw anything: the engine may run the read again.
    Attempt lost;
    lost.kind = Attempt::Kind::kLost;
    lost.sent = true;
    lost.failure = *failure;
    co_return lost;
  }
  release_all();
  co_return answered;
}

}  // namespace tessera::frontend
