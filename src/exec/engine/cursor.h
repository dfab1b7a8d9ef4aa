// The engine's only way to the backends and to the client: what a primitive asks for, not how
// it is done (the shape of Vitess's VCursor). frontend/ implements it for a client session
// (frontend/session_cursor.cc); tests implement it without a server (tests/unit/exec/engine).
//
// A primitive names *where* a statement runs (Target) and *what* runs there (SQL text); the
// cursor knows the client's command: for COM_QUERY the text is sent as a query, for
// COM_STMT_EXECUTE it is prepared on the chosen connection and executed with the client's
// parameters, so one primitive serves text and prepared statements alike.
#pragma once
#include <asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exec/engine/merge_info.h"
#include "exec/engine/merge_resolve.h"
#include "protocol/column_definition.h"
#include "protocol/response_packets.h"

namespace tessera::exec::engine {

// Which instance of a slice a statement may use.
enum class Role : uint8_t {
  kPrimary,    // the slice's write target (its primary, or the writer a multi-writer key is
               // pinned to), chosen from the topology snapshot
  kReadSplit,  // a replica when the session splits reads and its consistency level finds one
               // that has what the read must see (the consistency fence); else the primary
};

struct Target {
  std::string slice;  // empty: the namespace's default slice, as the session uses it unsharded
  std::string db;     // physical database; empty: the session's current one
  Role role = Role::kPrimary;

  bool operator==(const Target&) const = default;
};

// One try of a statement (or of a scatter or fan-out as a whole) on the backends.
struct Attempt {
  enum class Kind : uint8_t {
    kAnswered,     // the client has the answer (rows, an OK, or an error it must see)
    kRejected,     // the first response was `error`, kept from the client because it may be
                   // retried: a primary turned read-only (1290, 1836) or a deadlock (1213)
    kLost,         // a backend connection broke: `failure` says how, `sent` whether after the
                   // statement reached the server
    kFailed,       // no connection could be had, or the statement could not start; the client
                   // has been told (the cursor answered it)
    kServerError,  // write(): the server answered with `error` (not retryable), kept from the
                   // client for the fan-out to report
  };
  Kind kind = Kind::kAnswered;
  protocol::ErrPacket error;
  std::string failure;
  bool sent = false;
  std::string slice;     // the slice the attempt failed on (scatter: the one that broke)
  std::string instance;  // "host:port" it ran on, for failover bookkeeping and logs
};

// How a rejected or lost attempt's connection is given up before a retry.
enum class Settle : uint8_t {
  kRelease,  // clean (a rejected statement did not run): back to the pool
  kDiscard,  // broken or uncertain: closed
};

// What a final error is, for the bookkeeping that follows it.
enum class Failure : uint8_t {
  kReadOnly,         // a primary refused the write (after the one retry, or in a transaction)
  kDeadlock,         // 1213 after the retries: the session keeps the connection so SHOW
                     // WARNINGS sees it; a distributed transaction is rolled back everywhere
  kTransactionLost,  // the session's transaction died with its primary: end it everywhere
};

struct FanOutSpec;

// What a scatter's shard sent next.
struct ShardEvent {
  enum class Kind : uint8_t { kRow, kEnd, kError };
  Kind kind = Kind::kRow;
  protocol::ErrPacket error;  // kError
  uint16_t warnings = 0;      // kEnd
};

// One write of a fan-out: an Attempt, with the server's OK when it was answered.
struct WriteAttempt : Attempt {
  protocol::OkPacket ok;
  bool timed_out = false;  // max_sql_execute_time stopped it (`error` says so)
};

// One statement sent to one target (a scatter's member). The text is borrowed from the plan
// (router::Plan::queries owns it and outlives the run): planning a statement copies no SQL.
struct Query {
  Target target;
  std::string_view sql;
  int index = -1;  // the sub-table's index, for messages (-1: unsharded or global)
  // >= 0: run on the connection of that earlier query of the same open_shards() call (same
  // slice and db), sent once its answer has been read (what was not taken of it yet waits in
  // memory). A set operation reads its branches one after the other, so a later branch's
  // parts need no connections of their own.
  int after = -1;
};

// How a statement that reads rows and then writes them (read_then_write.h) is made one.
enum class StatementTxn : uint8_t {
  kOwn,      // a transaction of its own (XA) that every slice it reaches joins: committed or
             // rolled back whole by end_statement_txn()
  kClient,   // it runs inside the client's transaction (or autocommit=0): undone alone, on a
             // failure, through savepoints the primitive sets
  kRefused,  // it cannot be made atomic here (best_effort namespace); the client has been told
};

// A statement that begins or ends a transaction (transaction_control.h).
enum class TransactionStatement : uint8_t { kBegin, kCommit, kRollback, kXa };

class Cursor {
 public:
  virtual ~Cursor() = default;

  // Runs `sql` on `target` and relays the answer to the client, except a first response that
  // is a retryable error (kRejected). Connection problems come back as kLost / kFailed.
  virtual asio::awaitable<Attempt> route(const Target& target, std::string_view sql) = 0;

  // Runs a read on several targets and answers the client with one merged result (`merge`
  // says how). A retryable error or a lost connection before anything reached the client
  // comes back as kRejected / kLost with every connection it used already given up; kAnswered
  // also covers the session's bookkeeping after the statement (no finish() follows).
  // --- scatter reads (scatter.h merges; the cursor moves the bytes) ---
  // Opens one stream per query: a connection for each (for Role::kReadSplit a replica past the
  // consistency fence when the session may read from one now), every query sent before any
  // answer is read so the shards work in parallel. kAnswered: open; kFailed: the client has
  // been told; kLost: nothing was sent and everything is given up.
  virtual asio::awaitable<Attempt> open_shards(const std::vector<Query>& queries, Role role) = 0;
  // Shard `i`'s result head: its column definitions, or the error it answered with (nullopt:
  // the columns are in `columns`). Throws on a lost connection or a malformed response, as
  // every shard call does.
  virtual asio::awaitable<std::optional<protocol::ErrPacket>> read_head(
      size_t shard, std::vector<protocol::ColumnDefinition>& columns) = 0;
  // Shard `i`'s next row (its text payload in `payload`), its end, or its error.
  virtual asio::awaitable<ShardEvent> read_row(size_t shard, std::string& payload) = 0;
  // Shard `i` has its next packet buffered already (reading it does not wait).
  virtual bool shard_ready(size_t shard) const = 0;
  // Reads what every shard still sends (the merge stopped early: LIMIT, an error).
  virtual asio::awaitable<void> drain_shards() = 0;
  // Stops every shard's statement now (the merge failed: do not read whole results).
  virtual void stop_shards() = 0;
  // Gives the streams' connections back (`failed`: closes them) and ends the statement.
  virtual asio::awaitable<void> close_shards(bool failed) = 0;
  // The error a statement limit (max_sql_execute_time) stopped the shards with, if it did.
  virtual std::optional<protocol::ErrPacket> limit_error() const = 0;
  // What the session bounds a merge by (max_sql_result_size, group_concat_max_len).
  virtual MergeLimits merge_limits() const = 0;

  // --- answering with rows (a scatter's result) ---
  virtual void begin_result(const std::vector<protocol::ColumnDefinition>& columns) = 0;
  // One merged row (text protocol cells); false with `why` when it cannot be sent in the form
  // the client asked for (binary rows of a COM_STMT_EXECUTE).
  virtual bool send_row(std::string_view row, std::string& why) = 0;
  // Enough rows are buffered for the client that they should go out (flush_rows).
  virtual bool output_full() const = 0;
  virtual asio::awaitable<void> flush_rows() = 0;
  // The result's end, with the warnings the shards reported.
  virtual asio::awaitable<void> end_result(uint16_t warnings) = 0;
  // An error in place of the result, or ending rows already sent.
  virtual asio::awaitable<void> fail_result(const protocol::ErrPacket& error) = 0;
  // Drops the result begun and not sent (columns, queued rows): another primitive answers.
  virtual void abandon_result() = 0;
  // The connection to the client is closed (a failure after rows reached it).
  virtual void abort_client(std::string_view why) = 0;
  virtual asio::awaitable<void> reply_error(const protocol::ErrPacket& error) = 0;

  // --- fan-out writes (fan_out.h) ---
  // One write of a fan-out on `target`; nothing reaches the client. kAnswered with `ok`, or
  // kServerError / kRejected with `error`; kLost, kFailed as for route().
  virtual asio::awaitable<WriteAttempt> write(const Target& target, std::string_view sql) = 0;
  // The namespace reports one copy's affected rows for copies of a write (global tables).
  virtual bool one_copy_counts() const = 0;
  // The write is an autocommit DML over several targets of a namespace that makes such writes
  // atomic (XA); atomic_write() then runs it whole (kRejected: rolled back everywhere, so it
  // may run again; kAnswered: the client has the answer).
  virtual bool wants_atomic(const std::vector<Query>& queries, const FanOutSpec& spec) const = 0;
  virtual asio::awaitable<Attempt> atomic_write(const std::vector<Query>& queries,
                                                const FanOutSpec& spec) = 0;
  // The fan-out's answer: one OK with `total`, or `error` (`roll_back_all`: the session's
  // distributed transaction is rolled back on every slice first).
  virtual asio::awaitable<void> end_fan_out(const FanOutSpec& spec, protocol::OkPacket total) = 0;
  virtual asio::awaitable<void> fail_fan_out(const Target& target, protocol::ErrPacket error,
                                             bool roll_back_all) = 0;
  // The session has a distributed (XA) transaction open.
  virtual bool in_distributed_transaction() const = 0;

  // --- a statement that reads rows before it writes them (read_then_write.h) ---
  // Makes the reads (open_shards) and writes (write) that follow one statement: see
  // StatementTxn.
  virtual asio::awaitable<StatementTxn> begin_statement_txn() = 0;
  // kOwn only: commits it (`commit`) or rolls it back on every slice. nullopt: done; else the
  // commit's error, every branch rolled back. The answer to the client is still to come
  // (end_fan_out / fail_fan_out).
  virtual asio::awaitable<std::optional<protocol::ErrPacket>> end_statement_txn(bool commit) = 0;
  // The client connected with CLIENT_FOUND_ROWS: an UPDATE's affected rows are the rows it
  // matched, not the rows it changed (the backends' OKs count so too).
  virtual bool found_rows() const { return false; }

  // --- statements the session's state answers (sequence_fetch.h, schema_fetch.h,
  // transaction_control.h) ---
  // Reserves a new segment of ids of global sequence `key` ("db.table"). false: the client
  // has been told why (no such sequence or slice, a server error, or a statement that still
  // finds too few ids after the reservations one command may make).
  virtual asio::awaitable<bool> reserve_ids(const std::string& key) = 0;
  // Reads the columns of logical table `table` ("db.table") from a backend holding it into
  // the namespace's schema catalog (router/schema_catalog.h). false: the client has been told
  // why (no such table on the backend, a server error, a statement still asking after the
  // loads one command may make).
  virtual asio::awaitable<bool> load_schema(const std::string& table) = 0;
  // Plans the client's statement again and runs that plan (it finds the reserved ids, the
  // loaded columns).
  virtual asio::awaitable<void> plan_again() = 0;
  // The part of a transaction statement beyond the default slice: a distributed (XA)
  // transaction, or the transactions other slices joined. true: the client has its answer;
  // false: the statement runs on the default slice next.
  virtual asio::awaitable<bool> control_transaction(TransactionStatement kind,
                                                    std::string_view sql) = 0;

  // --- what a retry decision needs to know ---
  // Nothing ties the session to a connection: autocommit, no transaction, pin or cursor.
  virtual bool may_retry() const = 0;
  // The client has bytes of this command's answer already (a retry would duplicate them).
  virtual bool output_started() const = 0;
  virtual int deadlock_retries() const = 0;
  // The client's transaction is open (a read-only primary then ends it).
  virtual bool in_transaction() const = 0;

  // --- what a retry does ---
  // Asks the topology monitor to look at the slice now.
  virtual void request_check(const Target& target) = 0;
  // Gives up the connection the attempt used.
  virtual void settle(const Target& target, Settle how) = 0;
  // Records a retry (counters, log) and makes the next route() wait for news of `instance`
  // newer than now before choosing it again.
  virtual void note_retry(const Attempt& attempt, bool deadlock, int count) = 0;
  virtual asio::awaitable<void> pause(std::chrono::milliseconds how_long) = 0;

  // --- ending the command ---
  // The attempt answered the client: session bookkeeping after a statement.
  virtual asio::awaitable<void> finish(const Target& target) = 0;
  // Tells the client the connection to `target` broke (`what`), closing it.
  virtual asio::awaitable<void> report_lost(const Target& target, std::string_view what) = 0;
  // Tells the client `error` after the kind of failure `kind` (see Failure).
  virtual asio::awaitable<void> report_error(const Target& target, const protocol::ErrPacket& error,
                                             Failure kind) = 0;
};

}  // namespace tessera::exec::engine
