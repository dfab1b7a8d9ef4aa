// The session cursor's side of a scatter read (exec/engine/scatter.cc merges): connections for
// every part (replicas past the consistency fence when the session splits reads), the queries
// sent at once, each shard's response read through protocol::ResponseDecoder, and the merged
// rows written to the client (binary rows for a COM_STMT_EXECUTE).
#include <spdlog/spdlog.h>

#include <map>
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
// The connection's response stays pending until the decoder has seen its last packet: one
// left part-read, or malformed, is unusable to the lease rule (backend/lease_rule.h).
asio::awaitable<ResponseEvent> read_wire(ShardStream& s, std::string& payload) {
  ResponseDecoder& d = *s.decoder;
  ResponseEvent event;
  if (d.event_due()) {
    event = d.next_implied();
  } else {
    uint8_t seq = 0;
    co_await s.conn->socket().read_packet(payload, seq);
    event = d.next_packet(payload);
  }
  s.wire_done = d.done();
  s.conn->response_pending = !s.wire_done;
  co_return event;
}

// The next event of a part: what was read ahead of the merge first (shard_streams.h).
asio::awaitable<ResponseEvent> next_event(ShardStream& s, std::string& payload) {
  if (!s.ahead.empty()) {
    ShardStream::Ahead a = std::move(s.ahead.front());
    s.ahead.pop_front();
    payload = std::move(a.payload);
    co_return a.event;
  }
  co_return co_await read_wire(s, payload);
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
  if (!s.own) return;
  if (discard) {
    s.own->discard();
  } else {
    backend::SessionFacts facts = s_.lease_facts(*s.own);
    facts.statement_only = true;
    s.own->end_use(facts);
  }
  s.own.reset();
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
  {
    // A primitive that reads in rounds (a lookup join's batches) may have begun the client's
    // result with streams it has closed since: the result's columns and sequence id go on.
    auto next = std::make_unique<ShardStreams>();
    if (shards_) {
      next->visible = std::move(shards_->visible);
      next->seq = shards_->seq;
    }
    shards_ = std::move(next);
  }
  auto& streams = shards_->streams;
  const size_t n = queries.size();
  streams.resize(n);
  shards_->status_flags = s_.state_.status_flags;
  std::set<std::string> slices_used;
  // Inside a transaction (or with autocommit off, where the first statement starts one) the
  // parts on a slice share its lease, one after the other (shard_streams.h).
  const bool in_transaction =
      s_.client_in_transaction() || !(s_.state_.status_flags & status::kAutocommit);
  std::map<std::string, size_t> last_on_slice;
  std::optional<std::string> failure;
  std::optional<ErrPacket> refused;

  // Connections: the slice's own lease for the first query on a slice (a replica's when read
  // splitting serves the part), a lease of the part's own after that.
  for (size_t i = 0; i < n; ++i) {
    const auto& q = queries[i].target;
    streams[i].slice = q.slice;
    // (Inside a transaction every part shares the slice's lease anyway, below.)
    if (const int a = queries[i].after; !in_transaction && a >= 0 && static_cast<size_t>(a) < i &&
                                        streams[a].conn && queries[a].target.slice == q.slice &&
                                        queries[a].target.db == q.db) {
      // After an earlier query on its connection (a set operation's later branch).
      streams[i].conn = streams[a].conn;
      streams[i].after = static_cast<size_t>(a);
      streams[i].started = false;
      streams[i].deferred_sql = std::string(queries[i].sql);
      continue;
    }
    if (role == Role::kReadSplit) {
      // Read splitting: a replica of the slice that has what the read must see serves this
      // part (the consistency fence: read_split.cc); none qualifying, the primary does.
      const config::Slice* cfg = s_.namespace_->find_slice(q.slice);
      backend::BackendLease rc;
      const std::string& db = q.db.empty() ? s_.state_.db : q.db;
      if (cfg && co_await s_.choose_read_replica(*cfg, db, rc)) {
        streams[i].conn = streams[i].own.emplace(std::move(rc)).get();
        continue;
      }
    }
    if (slices_used.insert(q.slice).second) {
      streams[i].conn = co_await s_.slice_connection(q.slice, q.db);
      if (!streams[i].conn) {
        for (auto& s : streams) give_back(s, false);
        co_return failed;  // the error went to the client
      }
      last_on_slice[q.slice] = i;
      continue;
    }
    if (in_transaction) {
      auto& last = last_on_slice[q.slice];
      streams[i].conn = streams[last].conn;
      streams[i].after = last;
      streams[i].started = false;
      streams[i].deferred_sql = std::string(queries[i].sql);
      last = i;
      continue;
    }
    const std::string& db = q.db.empty() ? s_.state_.db : q.db;
    auto* pool = co_await s_.write_pool(q.slice, db);
    if (!pool) {
      for (auto& s : streams) give_back(s, false);
      co_return failed;  // the error went to the client
    }
    // Another part on a slice already in use: a lease of the part's own, acquired, its database
    // selected and the session's state replayed as every lease's.
    backend::BackendLease& own = streams[i].own.emplace(q.slice, pool);
    if (auto error = co_await own.acquire(s_.connect_options(db.empty()), db, &s_.replay_)) {
      // Lost after the pool gave it (closed): the engine may run the read again. Otherwise
      // the server's answer (or the pool's) is the client's.
      if (error->stage == backend::LeaseError::Stage::kLost) {
        failure = error->err.message;
      } else {
        refused = std::move(error->err);
      }
      break;
    }
    streams[i].conn = own.get();
  }
  if (!failure && !refused) {
    // max_sql_execute_time / max_sql_result_size: every shard's statement can be stopped.
    if (s_.watchdog_) {
      for (auto& s : streams)
        if (!s.after) s_.watchdog_->watch(*s.conn);
    }
    try {
      // Every query first: the shards work in parallel.
      for (size_t i = 0; i < n; ++i) {
        if (!streams[i].started) continue;  // after the part before it on its connection
        std::string packet;
        packet.push_back(static_cast<char>(Command::kQuery));
        packet += queries[i].sql;
        uint8_t seq = 0;
        streams[i].conn->response_pending = true;  // until next_event reads its end
        co_await streams[i].conn->socket().write_packet(packet, seq);
        streams[i].decoder.emplace(Command::kQuery, streams[i].conn->capabilities(),
                                   streams[i].conn->extended_type_info());
      }
      co_return opened;
    } catch (const std::exception& e) {
      failure = "Lost connection to a backend: " + failure_text(e);
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
  lost.failure = *failure;
  co_return lost;
}

asio::awaitable<void> SessionCursor::start_part(size_t shard) {
  auto& streams = shards_->streams;
  ShardStream& s = streams[shard];
  if (s.started) co_return;
  ShardStream& before = streams[*s.after];
  co_await start_part(*s.after);
  // The connection is free once the response before this part's has been read to its end:
  // what the merge has not taken of it yet waits in memory.
  std::string payload;
  while (!before.wire_done) {
    const ResponseEvent event = co_await read_wire(before, payload);
    before.ahead.push_back({event, std::move(payload)});
    payload.clear();
  }
  std::string packet;
  packet.push_back(static_cast<char>(Command::kQuery));
  packet += s.deferred_sql;
  uint8_t seq = 0;
  s.conn->response_pending = true;
  s.started = true;
  co_await s.conn->socket().write_packet(packet, seq);
  s.decoder.emplace(Command::kQuery, s.conn->capabilities(), s.conn->extended_type_info());
}

asio::awaitable<std::optional<ErrPacket>> SessionCursor::read_head(
    size_t shard, std::vector<ColumnDefinition>& columns) {
  co_await start_part(shard);
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
  if (!s.started || s.ended) return false;
  return !s.ahead.empty() || s.conn->socket().buffered_frame();
}

asio::awaitable<void> SessionCursor::drain_shards() {
  std::string payload;
  for (auto& s : shards_->streams) {
    if (!s.started) s.ended = true;  // never sent: nothing to read
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
  for (auto& s : streams)
    if (!s.after) co_await s_.release_watched(s.conn);
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
  limits.memory_bytes = uint64_t(std::max<int64_t>(0, s_.namespace_->merge_memory_bytes));
  limits.spill_dir = s_.namespace_->spill_dir;
  limits.spill_max_bytes = uint64_t(std::max<int64_t>(0, s_.namespace_->spill_max_bytes));
  limits.hash_join_rows = s_.namespace_->hash_join_rows;
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
    s_.reply_.emit_eof(0, shards_->status_flags, seq);
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

void SessionCursor::abandon_result() {
  s_.reply_.restart();
}

void SessionCursor::abort_client(std::string_view why) {
  spdlog::warn("client {}: {}", s_.peer_text(), why);
  s_.client_.close();
}

asio::awaitable<void> SessionCursor::reply_error(const ErrPacket& error) {
  co_await s_.send_error(error);
}

}  // namespace tessera::frontend
