// Streams a backend's response to the client packet by packet. The backend
// connection always runs with CLIENT_DEPRECATE_EOF and CLIENT_SESSION_TRACK;
// clients may have neither, so end-of-metadata EOFs are inserted or dropped
// and OK packets re-encoded as each client expects. Sequence ids are
// renumbered for the client. Nothing is buffered beyond one batch of frames.
#include <spdlog/spdlog.h>
#include <asio/use_awaitable.hpp>

#include "backend/kill_query.h"
#include "frontend/client_session.h"
#include "protocol/column_definition.h"
#include "protocol/constants.h"
#include "protocol/error_codes.h"
#include "protocol/response_decoder.h"
#include "protocol/session_tracking.h"
#include "protocol/statement_packets.h"
#include "protocol/wire_reader.h"

namespace tessera::frontend {

using namespace protocol;

namespace {
// ER_MAX_PREPARED_STMT_COUNT_REACHED
constexpr uint16_t kErMaxPreparedStmtCount = 1461;
}  // namespace

void ClientSession::relay_err(std::string_view payload, uint8_t& seq) {
  auto err = ErrPacket::decode(payload);
  relayed_error_code_ = err ? err->code : 0;
  if (!err || relay_error_note_.empty()) {
    reply_.emit(payload, seq);
    return;
  }
  // Inside a distributed transaction the client must learn which slice refused, and that a
  // deadlock (the server rolled its branch back) ends the transaction on every slice.
  err->message += relay_error_note_;
  if (err->code == txn::kErLockDeadlock)
    err->message += "; the transaction was rolled back on every slice";
  reply_.emit(err->encode(), seq);
}

asio::awaitable<void> ClientSession::relay_response(RelayMode mode, uint32_t client_stmt_id) {
  auto& be = conn_->socket();
  const uint32_t bcaps = conn_->capabilities();
  const bool cl_deof = client_caps_ & cap::kDeprecateEof;
  // What each backend packet is, and what comes next (protocol/response_decoder.h); this
  // function decides what the client gets for it.
  const Command command = [mode] {
    switch (mode) {
      case RelayMode::kQuery:
        break;
      case RelayMode::kExecute:
        return Command::kStmtExecute;
      case RelayMode::kPrepare:
        return Command::kStmtPrepare;
      case RelayMode::kFieldList:
        return Command::kFieldList;
      case RelayMode::kFetch:
        return Command::kStmtFetch;
      case RelayMode::kSingle:
        return Command::kStatistics;  // (the one command relayed as a single packet)
    }
    return Command::kQuery;
  }();
  ResponseDecoder decoder(command, bcaps, conn_->extended_type_info());

  size_t statement = 0;  // index into relay_statements_
  // The status of the result under way for the EOF after its column definitions (clients
  // without DEPRECATE_EOF): the session's status, MORE_RESULTS as the server would set it,
  // nothing left over from an earlier OK.
  auto session_status = [&]() -> uint16_t {
    return conn_->status_flags & ~(status::kMoreResultsExist | status::kSessionStateChanged);
  };
  auto columns_eof_status = [&] {
    uint16_t st = session_status();
    const bool call = statement < relay_statements_.size() && relay_statements_[statement];
    if (call || statement + 1 < relay_statements_.size()) st |= status::kMoreResultsExist;
    return st;
  };
  uint8_t seq = reply_.restart();
  if (!statement_keeps_diagnostics_) keep_for_diagnostics_ = false;
  reply_.done_waiting();
  relayed_error_code_ = 0;

  // Limits (max_sql_execute_time, max_sql_result_size). Once one is hit the backend statement
  // is stopped and the rest of its response is read and dropped (`dropping`): the connection
  // must end up clean. The client gets `limit_error` in place of the result, or in place of
  // the next row when rows already went out (an ERR may end a row stream).
  const uint64_t max_rows =
      (mode == RelayMode::kQuery || mode == RelayMode::kExecute || mode == RelayMode::kFetch)
          ? result_row_limit()
          : 0;
  // A fetch continues the cursor's count (fetching in chunks must not get round the limit).
  uint64_t rows = mode == RelayMode::kFetch ? cursor_rows_ : 0;
  bool dropping = false;
  bool close_client = false;  // stopped where the protocol cannot take an ERR
  std::optional<ErrPacket> limit_error;
  struct OutputRestorer {
    ClientReply& reply;
    ~OutputRestorer() { reply.set_discard(false); }
  } restore_output{reply_};
  if (watchdog_) watchdog_->watch(*conn_);
  // Until the last packet of the response (no SERVER_MORE_RESULTS_EXISTS) has been read, the
  // connection must not serve anybody else: if this relay ends early for any reason (an
  // exception, a client gone), the pool closes it instead of reusing it.
  conn_->response_pending = true;

  while (!decoder.done()) {
    // Rows already buffered go on as they came, a run at a time: the same bytes the per-packet
    // path below gives them (only the sequence ids renumbered), counted the same, without its
    // work per packet. What a row needs beyond that goes one packet at a time below: a row the
    // session rewrites (the Compression status), the row past the limit, a row spanning
    // frames, the statement's timeout noticed, anything that is not a row.
    // Column and parameter definitions likewise, unless the client gets them stripped of
    // MariaDB's extended type info.
    const ResponseStage stage = decoder.stage();
    if ((stage == ResponseStage::kRows || stage == ResponseStage::kColumns ||
         stage == ResponseStage::kParams) &&
        !(watchdog_ && !dropping && watchdog_->timed_out())) {
      ResponseDecoder::FrameRun run;
      if (stage == ResponseStage::kRows) {
        const bool limited = max_rows != 0 && !dropping;
        if (!decoder.continuing() && !(rewrite_compression_status_ && mode == RelayMode::kQuery) &&
            (!limited || rows < max_rows)) {
          run = decoder.row_run(be.buffered_wire(), limited ? max_rows - rows : 0);
          if (max_rows != 0) rows += run.rows;
          if (!dropping) tally_.rows += run.rows;
        }
      } else if (!conn_->extended_type_info() ||
                 (reply_.mariadb_capabilities() & mariadb_cap::kExtendedTypeInfo)) {
        run = decoder.definition_run(be.buffered_wire());
      }
      if (run.rows > 0) {
        reply_.emit_wire(be.buffered_wire().substr(0, run.bytes), seq);
        be.consume_bytes(run.bytes);
        if (reply_.wants_flush() && !decoder.done()) co_await reply_.flush();
        continue;
      }
    }
    // An end of definitions no packet carries (CLIENT_DEPRECATE_EOF) is handled at once.
    std::optional<Frame> buffered;
    if (!decoder.event_due()) {
      buffered = be.buffered_frame();
      if (!buffered) {
        // Hand over what we have before waiting on the backend again.
        co_await reply_.flush();
        // (Not while a stopped statement is drained: the client has its answer already.)
        reply_.waiting(!decoder.continuing() && !reply_.discarding(), seq);
        co_await be.next_frame();
        reply_.done_waiting();
        buffered = be.buffered_frame();
      }
    }
    std::string_view p = buffered ? buffered->payload : std::string_view();

    if (buffered && !dropping && watchdog_ && watchdog_->timed_out()) {
      const uint8_t first = p.empty() ? 0 : static_cast<uint8_t>(p[0]);
      std::optional<OkPacket> final_ok;
      if (decoder.stage() == ResponseStage::kResponse && reply_.queued() == 0 && !reply_.sent() &&
          first == kOkHeader && mode != RelayMode::kPrepare) {
        final_ok = OkPacket::decode(p, bcaps);
      }
      if (final_ok && !(final_ok->status_flags & status::kMoreResultsExist)) {
        // The statement finished before the kill landed: its OK is the truth (a write took
        // effect), so it is relayed as is.
      } else {
        dropping = true;
        limit_error = timeout_error();
        if (!reply_.sent()) {
          seq = reply_.restart();
        } else {
          co_await reply_.flush();
          if (decoder.stage() != ResponseStage::kRows || decoder.continuing()) {
            close_client = true;
            limit_error.reset();
          }
        }
        reply_.set_discard(true);
      }
    }

    const ResponseEvent event = buffered ? decoder.next_frame(p) : decoder.next_implied();
    switch (event) {
      case ResponseEvent::kErr:
        if (mode == RelayMode::kFieldList) {
          reply_.emit(p, seq);  // (not a statement: no tally, no diagnostics kept)
          break;
        }
        if (mode == RelayMode::kPrepare && decoder.err_code() == kErMaxPreparedStmtCount &&
            !conn_->prepared.empty()) {
          // 1461 while Tessera keeps statements for reuse on this connection: not the client's
          // answer yet; handle_prepare closes them and prepares again.
          relayed_error_code_ = kErMaxPreparedStmtCount;
          break;
        }
        if (!dropping) tally_error(p);
        relay_err(p, seq);
        keep_for_diagnostics_ = true;
        break;

      case ResponseEvent::kReply:
        reply_.emit(p, seq);
        break;

      case ResponseEvent::kPrepareOk: {
        const StmtPrepareOk& prep = decoder.prepare_ok();
        auto& stmt = statements_[client_stmt_id];
        stmt.num_params = prep.num_params;
        stmt.num_columns = prep.num_columns;
        conn_->note_prepared(stmt.sql, {prep.statement_id, prep.num_params, prep.num_columns});
        StmtPrepareOk mine = prep;
        mine.statement_id = client_stmt_id;
        reply_.emit(mine.encode(), seq);
        break;
      }

      case ResponseEvent::kOk: {
        const OkPacket& ok = decoder.ok();
        if (state_.absorb_ok(ok, *conn_)) pin(session::PinReason::kOpaqueState);
        if (ok.warnings > 0) keep_for_diagnostics_ = true;
        tally_.rows += ok.affected_rows;
        reply_.emit_ok(ok, p, seq, client_tracking());
        ++statement;  // a statement's own OK (a CALL's final one) ends it
        break;
      }

      case ResponseEvent::kLocalInfile: {
        uint8_t backend_seq = static_cast<uint8_t>(buffered->seq + 1);
        be.consume(*buffered);
        if (!(client_caps_ & cap::kLocalFiles)) {
          // The client did not offer local files: it must not be asked for one (a server
          // refuses such a LOAD DATA LOCAL itself, with 4166).
          co_await refuse_local_infile(seq, backend_seq);
          // Read to its end unless refuse_local_infile had to close it.
          conn_->response_pending = conn_->broken;
          co_return;
        }
        reply_.emit(p, seq);
        co_await reply_.flush();
        // The file transfer is paced by the client: no execution time limit applies.
        if (watchdog_) co_await watchdog_->release(*conn_);
        co_await relay_local_infile(seq, backend_seq);
        if (watchdog_) watchdog_->watch(*conn_);
        // The LOAD's OK or ERR follows, and (multi-statements) possibly more results:
        // relayed like any other response, so SERVER_MORE_RESULTS_EXISTS is honoured.
        continue;
      }

      case ResponseEvent::kResultStart:
        reply_.emit(p, seq);
        if (mode != RelayMode::kFetch) rows = 0;
        break;

      case ResponseEvent::kColumn:
      case ResponseEvent::kParam:
        reply_.emit_column(p, seq, conn_->extended_type_info());
        break;

      case ResponseEvent::kParamsEnd:
      case ResponseEvent::kColumnsEnd:
        if (decoder.cursor_open()) {
          // The server opened a cursor: its EOF (also to CLIENT_DEPRECATE_EOF clients, with
          // SERVER_STATUS_CURSOR_EXISTS) ends the response; the rows come with COM_STMT_FETCH.
          reply_.emit(p, seq);
          conn_->status_flags = decoder.status_flags();
          state_.status_flags = decoder.status_flags();
        } else if (mode == RelayMode::kFieldList) {
          reply_.emit_result_end(0, conn_->status_flags, nullptr, {}, seq);
        } else if (cl_deof) {
          // (Nothing ends definitions for this client.)
        } else if (!decoder.implied()) {
          reply_.emit(p, seq);  // the backend's own EOF
        } else {
          const bool prepare = mode == RelayMode::kPrepare;
          reply_.emit_eof(0, prepare ? session_status() : columns_eof_status(), seq);
        }
        break;

      case ResponseEvent::kRow: {
        if (max_rows != 0 && ++rows > max_rows && !dropping) {
          // The client's answer ends here; the backend statement is stopped and drained.
          auto err = too_many_rows_error();
          tally_.error_code = err.code;
          reply_.emit(err.encode(), seq);
          co_await reply_.flush();
          dropping = true;
          reply_.set_discard(true);
          // (A fetch's rows are already materialised and few: they are just read.)
          if (watchdog_ && mode != RelayMode::kFetch) watchdog_->fire_now();
          break;
        }
        if (!dropping) tally_.rows++;
        if (decoder.packet_continues()) {
          // A packet larger than one frame (a big row): passed on frame for frame.
          if (!dropping) reply_.emit_frame(p, seq);
          break;
        }
        if (rewrite_compression_status_ && mode == RelayMode::kQuery) {
          if (auto row = compressed_status_row(p)) {
            reply_.emit(*row, seq);
            break;
          }
        }
        reply_.emit(p, seq);
        break;
      }

      case ResponseEvent::kContinuation:
        if (!dropping) reply_.emit_frame(p, seq);
        break;

      case ResponseEvent::kResultEnd: {
        const uint16_t st = decoder.status_flags();
        const uint16_t warnings = decoder.warnings();
        if (decoder.end_ok()) {
          if (state_.absorb_ok(decoder.ok(), *conn_)) pin(session::PinReason::kOpaqueState);
          reply_.emit_result_end(warnings, st, &decoder.ok(), p, seq, client_tracking());
        } else {
          conn_->status_flags = st;
          state_.status_flags = st;
          reply_.emit_result_end(warnings, st, nullptr, {}, seq);
        }
        if (warnings > 0) keep_for_diagnostics_ = true;
        // A result ends its statement unless the statement is a CALL (whose OK follows).
        if (!(statement < relay_statements_.size() && relay_statements_[statement])) ++statement;
        break;
      }

      case ResponseEvent::kMalformed:
        throw ProtocolViolation("malformed response from backend: " + decoder.error());
    }
    if (buffered && decoder.consumed()) be.consume(*buffered);
    if (reply_.wants_flush() && !decoder.done()) co_await reply_.flush();
  }
  conn_->response_pending = false;
  reply_.set_discard(false);
  if (mode == RelayMode::kFetch) cursor_rows_ = rows;
  if (watchdog_) co_await watchdog_->release(*conn_);
  if (dropping) keep_for_diagnostics_ = false;  // the backend's diagnostics are not the answer
  if (limit_error) {
    tally_.error_code = limit_error->code;
    reply_.emit(limit_error->encode(), seq);
  }
  co_await reply_.flush();
  if (state_.collation_unknown && !close_client && !conn_->broken) co_await learn_collation();
  if (close_client) {
    spdlog::warn(
        "client {}: statement stopped by max_sql_execute_time in the middle of result "
        "metadata; closing the connection",
        peer_text());
    client_.close();
  }
}

asio::awaitable<void> ClientSession::learn_collation() {
  state_.collation_unknown = false;
  // A SELECT of variables only: it leaves the statement's warnings in place (no tables), and
  // the client has its answer already.
  auto r = co_await conn_->query("SELECT @@session.collation_connection");
  if (r.ok && r.rows.size() == 1 && r.rows[0].size() == 1 && !r.rows[0][0].empty()) {
    state_.vars["collation_connection"] = r.rows[0][0];
    conn_->vars["collation_connection"] = r.rows[0][0];
  }
}

asio::awaitable<void> ClientSession::refuse_local_infile(uint8_t& client_seq, uint8_t backend_seq) {
  // A server that refuses LOAD DATA LOCAL itself (4166) fails that statement: the rest of a
  // multi-statement never runs and an open transaction stays open. The backend connection
  // offered local files, so its server asked for one and waits. Its statement is killed first
  // (KILL QUERY only marks it; the server is blocked reading the file), then a file of one
  // empty line is sent: the LOAD checks the mark before it takes a line and fails (1317), so
  // the server stops there as it would have, and the connection, its transaction included,
  // stays usable. (An empty file would end the LOAD without that check: it succeeds and the
  // statements after it run.)
  const uint32_t backend_thread = conn_->connection_id();
  const std::string kill_failure =
      co_await backend::kill_query(client_.socket().get_executor(), conn_->endpoint(),
                                   backend_thread, std::chrono::milliseconds(3000));
  if (!kill_failure.empty()) {
    spdlog::warn(
        "client {}: refusing LOAD DATA LOCAL: KILL QUERY {} failed ({}); closing the"
        " backend connection so nothing after the LOAD runs",
        peer_text(), backend_thread, kill_failure);
    conn_->broken = true;
    conn_->socket().close();
  } else {
    co_await conn_->socket().write_packet(std::string_view("\n"), backend_seq);
    co_await conn_->socket().write_packet(std::string_view(), backend_seq);
    std::string reply;
    uint8_t bseq = 0;
    co_await conn_->socket().read_packet(reply, bseq);
    const uint8_t head = reply.empty() ? 0 : static_cast<uint8_t>(reply[0]);
    bool clean = head == kErrHeader;
    if (head == kOkHeader) {
      // (The kill came too late to fail the LOAD: a statement after it may be running.)
      auto ok = OkPacket::decode(reply, conn_->capabilities());
      clean = ok && !(ok->status_flags & status::kMoreResultsExist);
      if (clean) conn_->status_flags = ok->status_flags;
    }
    if (!clean) {
      // Closed now, so nothing can read what the server still sends; the pool discards it.
      conn_->broken = true;
      conn_->socket().close();
    }
  }
  ErrPacket err(errc::kLocalInfileDisabled,
                "The used command is not allowed because the MariaDB server or client has "
                "disabled the local infile capability");
  tally_.error_code = err.code;
  reply_.emit(err.encode(), client_seq);
  co_await reply_.flush();
}

// LOAD DATA LOCAL INFILE: the backend asked for a file; the client sends its
// contents as packets ending with an empty one, which go to the backend. The backend's
// answer (OK or ERR, and more results after it) is read by relay_response, continuing the
// client's sequence.
asio::awaitable<void> ClientSession::relay_local_infile(uint8_t& client_seq, uint8_t backend_seq) {
  std::string chunk;
  for (;;) {
    uint8_t got = 0;
    // The client paces the transfer: each packet must arrive within net_read_timeout (the
    // watchdog closes the client otherwise; the backend connection, mid-LOAD, is discarded).
    enter_phase(Phase::kReading);
    co_await client_.read_packet(chunk, got, client_seq);
    enter_phase(Phase::kCommand);
    client_seq = static_cast<uint8_t>(got + 1);
    co_await conn_->socket().write_packet(chunk, backend_seq);
    if (chunk.empty()) break;
  }
}

}  // namespace tessera::frontend
