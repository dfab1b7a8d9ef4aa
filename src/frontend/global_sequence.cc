// Reserving a segment of a global sequence: one statement on the sequence's slice,
//   INSERT INTO <db>.tessera_sequence VALUES (name, LAST_INSERT_ID(GREATEST(floor, 1) + step))
//     ON DUPLICATE KEY UPDATE next_id = LAST_INSERT_ID(GREATEST(next_id, floor) + step)
// whose OK packet carries the segment's end (next_id: the first id not handed out), so
// concurrent proxies never share ids; `floor` is the end of the highest segment this process
// reserved (a row made again does not start below it). It runs on
// a connection of its own, outside the client's transaction: a rollback must not hand the same
// ids out twice.
#include <spdlog/spdlog.h>

#include "backend/backend_error.h"
#include "frontend/client_session.h"
#include "frontend/worker.h"
#include "protocol/error_codes.h"
#include "sql/writer.h"

namespace tessera::frontend {

using namespace protocol;

namespace {
constexpr uint64_t kDefaultStep = 1000;
constexpr uint16_t kErNoSuchTable = 1146;  // ER_NO_SUCH_TABLE
}  // namespace

asio::awaitable<bool> ClientSession::refill_sequence(const std::string& key) {
  const config::GlobalSequence* seq = nullptr;
  for (auto& s : namespace_->global_sequences) {
    if (SequenceCache::key(s.db, s.table) == key) seq = &s;
  }
  if (!seq) {
    co_await send_error(errc::kUnknownError, "no global sequence configured for " + key);
    co_return false;
  }
  std::string slice_name = seq->slice_name.empty() ? namespace_->default_slice : seq->slice_name;
  const config::Slice* slice = namespace_->find_slice(slice_name);
  if (!slice) {
    co_await send_error(errc::kUnknownError,
                        "global sequence " + key + ": slice " + slice_name + " is not configured");
    co_return false;
  }
  uint64_t step = seq->max_limit > 0 ? uint64_t(seq->max_limit) : kDefaultStep;
  std::string table;
  sql::append_identifier(table, seq->db, true);
  table += ".tessera_sequence";
  std::string name;
  sql::append_string_literal(name, key);
  auto* pool_ptr = co_await write_pool(slice_name, seq->db);
  if (!pool_ptr) co_return false;  // the error went to the client
  auto& pool = *pool_ptr;
  auto& cache = worker_.sequences();
  const std::string high_water_key = namespace_->name + "/" + key;
  std::optional<ErrPacket> failure;
  uint64_t end = 0;
  std::unique_ptr<backend::BackendConnection> c;
  try {
    backend::ConnectOptions opts = connect_options(/*without_database=*/false);
    opts.found_rows = false;
    c = co_await pool.acquire(nullptr, opts);
    std::string where = slice_name + "/" + seq->db;
    // The table is created once per worker; one that has gone since (its database dropped
    // and made again) is created again rather than failing every later statement.
    for (int round = 0; round < 2 && !end && !failure; ++round) {
      const bool created_now = !cache.table_ready(where);
      if (created_now) {
        auto r = co_await c->query("CREATE TABLE IF NOT EXISTS " + table +
                                   " (name VARCHAR(255) NOT NULL PRIMARY KEY, "
                                   "next_id BIGINT UNSIGNED NOT NULL) ENGINE=InnoDB");
        if (!r.ok) {
          failure = r.err;
          break;
        }
        cache.mark_table_ready(where);
      }
      // Never below what this process handed out already (a row made again starts at 1).
      const std::string s = std::to_string(step);
      const std::string floor =
          std::to_string(worker_.context().sequence_high_water(high_water_key));
      auto r = co_await c->query("INSERT INTO " + table + " (name, next_id) VALUES (" + name +
                                 ", LAST_INSERT_ID(GREATEST(" + floor + ", 1) + " + s +
                                 ")) ON DUPLICATE KEY UPDATE next_id = LAST_INSERT_ID(GREATEST("
                                 "next_id, " +
                                 floor + ") + " + s + ")");
      if (r.ok) {
        end = r.ok_packet.last_insert_id;
      } else if (r.err.code == kErNoSuchTable && !created_now) {
        cache.forget_table(where);
      } else {
        failure = r.err;
      }
    }
  } catch (const backend::BackendError& e) {
    failure = e.err();
  } catch (const std::system_error& e) {
    failure = ErrPacket(errc::kBackendLost,
                        "Lost connection to slice " + slice_name +
                            " while reserving global sequence ids: " + e.code().message());
  }
  if (c) {
    if (failure)
      pool.discard(std::move(c));
    else
      pool.release(std::move(c));
  }
  if (failure) {
    failure->message = "global sequence " + key + ": " + failure->message;
    co_await send_error(*failure);
    co_return false;
  }
  if (end <= step) end = step + 1;
  worker_.context().note_sequence_end(high_water_key, end);
  cache.add_segment(key, end - step, end);
  spdlog::debug("global sequence {}: reserved ids [{}, {})", key, end - step, end);
  co_return true;
}

}  // namespace tessera::frontend
