// The session cursor's side of a scatter read (exec/engine/scatter.cc merges): connections for
// every part (replicas past the consistency fence when the session splits reads), the queries
// sent at once, each shard's response read through protocol::ResponseDecoder, and the merged
// rows written to the client (binary rows for a COM_STMT_EXECUTE).
#include <spdlog/spdlog.h>

#include <set>

#include "backend/backend_error.h"
#include "frontend/client_session.h"
#include "frontend/session_cursor.h"
#include "frontend/shard_streams.h"
#include "frontend/worker.h"
#include "protocol/binary_values.h"
#include "protocol/constants.h"
#include "protocol/error_codes.h"
#include "protocol/wire_writer.h"

namespace tessera::frontend {

using exec::engine::Attempt;
using exec::engine::Role;
using exec::engine::ShardEvent;
using namespace protocol;

namespace {

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

SessionCursor::~SessionCursor() = default;

void SessionCursor::give_back(ShardStream& s, bool discard) {
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
      s.replica->end_use(s_.lease_facts(*s.replica));
    }
    s.replica.reset();
  }
}

asio::awaitable<Attempt> SessionCursor::open_shards(const std::vector<exec::engine::Query>& queries,
                                                    Role role) {
  Attempt opened;  // kAnswered: every query sent
  Attempt failed;
  failed.kind = Attempt::Kind::kFailed;
  scattering_ = true;
  scatter_slices_.clear();
  for (const auto& q : queries) scatter_slices_.push_back(slice_of(q.target));
  // Replicas serve the parts when the session may read from them now (its user splits reads,
  // no transaction or pin holds it to the primary); each part's replica passes the session's
  // consistency fence on its own slice.
  if (role == Role::kReadSplit && !reads_from_replica()) {
    role = Role::kPrimary;
  }
  shards_ = std::make_unique<ShardStreams>();
  auto& streams = shards_->streams;
  const size_t n = queries.size();
  streams.resize(n);
  shards_->status_flags = s_.state_.status_flags;
  std::set<std::string> slices_used;
  std::optional<std::string> failure;
  std::optional<ErrPacket> refused;

  // Connections: the session's own for the first query on a slice, borrowed ones after that.
  for (size_t i = 0; i < n; ++i) {
    const auto& q = queries[i].target;
    streams[i].slice = q.slice;
    if (role == Role::kReadSplit) {
      // Read splitting: a replica of the slice that has what the read must see serves this
      // part (the consistency fence: read_split.cc); none qualifying, the primary does.
      const config::Slice* cfg = s_.namespace_->find_slice(q.slice);
      backend::BackendLease rc;
      const std::string& db = q.db.empty() ? s_.state_.db : q.db;
      if (cfg && co_await s_.choose_read_replica(*cfg, db, rc)) {
        streams[i].replica.emplace(std::move(rc));
        streams[i].conn = streams[i].replica->get();
        continue;
      }
    }
    if (slices_used.insert(q.slice).second) {
      streams[i].conn = co_await s_.slice_connection(q.slice, q.db);
      if (!streams[i].conn) {
        for (auto& s : streams) give_back(s, false);
        co_return failed;  // the error went to the client
      }
      continue;
    }
    auto* pool_ptr = co_await s_.write_pool(q.slice, q.db.empty() ? s_.state_.db : q.db);
    if (!pool_ptr) {
      for (auto& s : streams) give_back(s, false);
      co_return failed;  // the error went to the client
    }
    auto& pool = *pool_ptr;
    streams[i].extra_pool = &pool;
    try {
      const std::string& db = q.db.empty() ? s_.state_.db : q.db;
      backend::ConnectOptions opts = s_.connect_options(db.empty());
      streams[i].extra = co_await pool.acquire(nullptr, opts);
      auto& c = *streams[i].extra;
      if (!db.empty() && c.db != db) {
        auto r = co_await c.init_db(db);
        if (!r.ok) refused = r.err;
      }
      std::string sync = session::build_sync_statement(s_.state_, c);
      if (!refused && !sync.empty()) {
        auto r = co_await c.query(sync);
        if (!r.ok) {
          refused = r.err;
        } else {
          c.vars = s_.state_.vars;
          c.collation = s_.state_.collation;
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
  if (!failure && !refused) {
    // max_sql_execute_time / max_sql_result_size: every shard's statement can be stopped.
    if (s_.watchdog_) {
      for (auto& s : streams) s_.watchdog_->watch(*s.conn);
    }
    try {
      // Every query first: the shards work in parallel.
      for (size_t i = 0; i < n; ++i) {
        std::string packet;
        packet.push_back(static_cast<char>(Command::kQuery));
        packet += queries[i].sql;
        uint8_t seq = 0;
        co_await streams[i].conn->socket().write_packet(packet, seq);
        streams[i].decoder.emplace(Command::kQuery, streams[i].conn->capabilities(),
                                   streams[i].conn->extended_type_info());
      }
      co_return opened;
    } catch (const std::exception& e) {
      failure = failure_text(e);
    }
    // Queries may be in flight on the others: every connection of the read is closed.
    for (auto& s : streams) give_back(s, true);
    s_.drop_slices();
    s_.drop_backend();
  } else {
    for (auto& s : streams) give_back(s, true);
    s_.release_slices();
    s_.after_statement(nullptr);
  }
  if (refused) {
    co_await s_.send_error(*refused);
    co_return failed;
  }
  // The engine may run the whole read again (a read: running it twice changes nothing).
  Attempt lost;
  lost.kind = Attempt::Kind::kLost;
  lost.sent = true;
  lost.failure = "Lost connection to a backend: " + *failure;
  co_return lost;
}

asio::awaitable<std::optional<ErrPacket>> SessionCursor::read_head(
    size_t shard, std::vector<ColumnDefinition>& columns) {
  auto& s = shards_->streams[shard];
  std::string payload;
  std::optional<ErrPacket> error;
  while (!s.head_read && !s.ended) {
    const ResponseEvent event = co_await next_event(s, payload);
    switch (event) {
      case ResponseEvent::kErr:
        error = ErrPacket::decode(payload).value_or(ErrPacket(errc::kUnknownError, "shard error"));
        s.ended = true;
        break;
      case ResponseEvent::kOk:
        error = ErrPacket(errc::kUnknownError, "shard returned no result set for a SELECT");
        s.ended = true;
        break;
      case ResponseEvent::kResultStart:
        break;
      case ResponseEvent::kColumn: {
        auto def = ColumnDefinition::decode(payload, s.conn->extended_type_info());
        if (!def) throw ProtocolViolation("malformed column definition from backend");
        columns.push_back(std::move(*def));
        break;
      }
      case ResponseEvent::kColumnsEnd:
        s.head_read = true;
        break;
      default:
        shard_response_error(s, event);
    }
  }
  co_return error;
}

asio::awaitable<ShardEvent> SessionCursor::read_row(size_t shard, std::string& payload) {
  auto& s = shards_->streams[shard];
  ShardEvent out;
  const ResponseEvent event = co_await next_event(s, payload);
  switch (event) {
    case ResponseEvent::kRow:
      out.kind = ShardEvent::Kind::kRow;
      break;
    case ResponseEvent::kErr:
      s.ended = true;
      out.kind = ShardEvent::Kind::kError;
      out.error =
          ErrPacket::decode(payload).value_or(ErrPacket(errc::kUnknownError, "shard error"));
      break;
    case ResponseEvent::kResultEnd:
      s.ended = true;
      out.kind = ShardEvent::Kind::kEnd;
      out.warnings = s.decoder->warnings();
      if (s.decoder->end_ok()) {
        s.conn->observe_ok(s.decoder->ok());
      } else {
        s.conn->status_flags = s.decoder->status_flags();
      }
      break;
    default:
      shard_response_error(s, event);
  }
  co_return out;
}

bool SessionCursor::shard_ready(size_t shard) const {
  const auto& s = shards_->streams[shard];
  return !s.ended && s.conn->socket().buffered_frame();
}

asio::awaitable<void> SessionCursor::drain_shards() {
  std::string payload;
  for (auto& s : shards_->streams) {
    while (!s.ended) {
      const ResponseEvent event = co_await next_event(s, payload);
      if (event == ResponseEvent::kMalformed) shard_response_error(s, event);
      s.ended = event == ResponseEvent::kErr || event == ResponseEvent::kResultEnd;
    }
  }
}

void SessionCursor::stop_shards() {
  if (s_.watchdog_) s_.watchdog_->fire_now();
}

asio::awaitable<void> SessionCursor::close_shards(bool failed) {
  if (!shards_) co_return;
  auto& streams = shards_->streams;
  if (failed) {
    for (auto& s : streams) give_back(s, true);
    s_.drop_slices();
    s_.drop_backend();
    co_return;
  }
  for (auto& s : streams) co_await s_.release_watched(s.conn);
  for (auto& s : streams) give_back(s, false);
  s_.release_slices();
  s_.after_statement(nullptr);
}

std::optional<ErrPacket> SessionCursor::limit_error() const {
  if (s_.watchdog_ && s_.watchdog_->timed_out()) return s_.timeout_error();
  return std::nullopt;
}

exec::engine::MergeLimits SessionCursor::merge_limits() const {
  exec::engine::MergeLimits limits;
  limits.max_result_rows =
      s_.namespace_->max_sql_result_size > 0 ? uint64_t(s_.namespace_->max_sql_result_size) : 0;
  // MariaDB's default group_concat_max_len is 1 MiB; a SET by the client is tracked.
  if (auto it = s_.state_.vars.find("group_concat_max_len"); it != s_.state_.vars.end()) {
    limits.group_concat_max_len = std::strtoull(it->second.c_str(), nullptr, 10);
  }
  return limits;
}

void SessionCursor::begin_result(const std::vector<ColumnDefinition>& columns) {
  shards_->visible = columns;
  shards_->seq = s_.reply_.restart();
  uint8_t& seq = shards_->seq;
  std::string count;
  WireWriter w(count);
  w.lenenc_int(columns.size());
  s_.reply_.emit(count, seq);
  // MariaDB's extended type info (format "json", ...) as the client negotiated it.
  const bool extended = s_.reply_.mariadb_capabilities() & mariadb_cap::kExtendedTypeInfo;
  for (const auto& c : columns) s_.reply_.emit(c.encode(extended), seq);
  if (!(s_.reply_.capabilities() & cap::kDeprecateEof)) {
    s_.reply_.emit(EofPacket{0, shards_->status_flags}.encode(), seq);
  }
}

bool SessionCursor::send_row(std::string_view row, std::string& why) {
  if (binary_rows_) {
    shards_->binary_row.clear();
    if (!text_row_to_binary(row, shards_->visible, shards_->binary_row, &why)) return false;
    s_.reply_.emit(shards_->binary_row, shards_->seq);
  } else {
    s_.reply_.emit(row, shards_->seq);
  }
  return true;
}

bool SessionCursor::output_full() const {
  return s_.reply_.wants_flush();
}

asio::awaitable<void> SessionCursor::flush_rows() {
  co_await s_.reply_.flush();
}

asio::awaitable<void> SessionCursor::end_result(uint16_t warnings) {
  s_.reply_.emit_result_end(warnings, shards_->status_flags & ~status::kSessionStateChanged,
                            nullptr, {}, shards_->seq);
  co_await s_.reply_.flush();
}

asio::awaitable<void> SessionCursor::fail_result(const ErrPacket& error) {
  if (shards_ && s_.reply_.sent()) {
    // Rows already reached the client: the error ends the row stream, as a server's would.
    s_.reply_.emit(error.encode(), shards_->seq);
    co_await s_.reply_.flush();
    co_return;
  }
  // Rows may be queued but nothing reached the client unless flushed: the error replaces them.
  s_.reply_.restart();
  co_await s_.send_error(error);
}

void SessionCursor::abort_client(std::string_view why) {
  spdlog::warn("client {}: {}", s_.peer_text(), why);
  s_.client_.close();
}

asio::awaitable<void> SessionCursor::reply_error(const ErrPacket& error) {
  co_await s_.send_error(error);
}

}  // namespace tessera::frontend
