// The one decoder of a server's response to a command: what each packet of the response is and
// what comes next. Sans-IO: the caller reads the packets (or frames) and feeds them one at a
// time; the decoder says what each one is, keeps the state machine (result sets, column
// definitions, rows, their ends, SERVER_MORE_RESULTS_EXISTS, LOCAL INFILE, prepared-statement
// metadata, cursors) and checks that the packet is what the protocol allows at that point.
// Used by the relay to clients, the scatter-gather merge and Tessera's own queries.
//
//   ResponseDecoder d(Command::kQuery, backend_caps, extended_type_info);
//   while (!d.done()) {
//     ResponseEvent e = d.event_due() ? d.next_implied() : d.next_packet(read a packet);
//     ... act on e; with next_frame/next_packet, when !d.consumed() pass the same payload again
//   }
//
// Shapes, by command (the backend's capabilities decide the ends):
//   COM_QUERY          OK | ERR | LOCAL INFILE request (then OK | ERR after the file) |
//                      result set: column count, definitions, [EOF], text rows, EOF | OK(0xfe)
//                      (ERR may end the rows); an OK or end with SERVER_MORE_RESULTS_EXISTS is
//                      followed by another response (multi-statements, CALL).
//   COM_STMT_EXECUTE   as COM_QUERY with binary rows and no LOCAL INFILE; a cursor is opened when
//                      the metadata ends with an EOF carrying SERVER_STATUS_CURSOR_EXISTS (also
//                      under CLIENT_DEPRECATE_EOF) and no rows follow.
//   COM_STMT_FETCH     binary rows, then their end (EOF | OK(0xfe)), or ERR.
//   COM_STMT_PREPARE   ERR | prepare OK, parameter definitions [EOF], column definitions [EOF].
//   COM_FIELD_LIST     ERR | column definitions until EOF | OK(0xfe).
//   COM_STATISTICS     one packet of text (or ERR).
//   anything else      OK | ERR.
// Under CLIENT_DEPRECATE_EOF no packet ends column or parameter definitions: the decoder
// reports that end as an event of its own (implied()), due as soon as the count is reached
// (event_due(); next_implied()), except after a COM_STMT_EXECUTE's columns, where only the next
// packet tells a cursor's EOF from the first row: that packet then yields the implied end
// first, without being consumed().
//
// Input: whole packets (next_packet) or single frames (next_frame, for a relay that passes a
// packet larger than one frame on frame by frame: its further frames are kContinuation events).
// Only a row may span frames. MariaDB's metadata caching (MARIADB_CLIENT_CACHE_METADATA) is not
// supported: the backend connections do not negotiate it.
//
// Errors in the stream (a packet that is not what may come next, a truncated packet, a row whose
// cells do not match the columns) put the decoder in a failed state with a message (error());
// every later call returns kMalformed. Nothing is read outside the payload given.
//
// No allocation per row: rows are checked in place (text rows cell by cell; binary rows against
// the column types, kept in a small string: no allocation up to 15 columns). An OK is decoded
// into ok() (its info and session-state strings); an error message is built once.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/constants.h"
#include "protocol/response_packets.h"
#include "protocol/statement_packets.h"

namespace tessera::protocol {

enum class ResponseEvent : uint8_t {
  kOk,            // a statement's OK packet: ok()
  kErr,           // an ERR packet: err_code(); the response ends
  kResultStart,   // a result set's column count: column_count()
  kColumn,        // one column definition (checked, passed as it came)
  kColumnsEnd,    // the column definitions are complete: the EOF packet, or implied();
                  // cursor_open(): COM_STMT_EXECUTE opened a cursor and the response ends
  kRow,           // one row (text or binary); packet_continues() when it spans frames
  kResultEnd,     // the rows' end: EOF, or (CLIENT_DEPRECATE_EOF) an OK with the 0xfe header,
                  // in ok(); status_flags(), warnings()
  kLocalInfile,   // LOAD DATA LOCAL: the server asks for local_file(); its OK or ERR follows
                  // once the caller has sent the file
  kPrepareOk,     // COM_STMT_PREPARE's OK: prepare_ok()
  kParam,         // one parameter definition of a prepared statement
  kParamsEnd,     // the parameter definitions are complete: the EOF packet, or implied()
  kReply,         // the one packet answering COM_STATISTICS
  kContinuation,  // a further frame of a packet larger than one frame (next_frame only)
  kMalformed,     // not what may come here: error(); the decoder stays failed
};
std::string_view to_string(ResponseEvent e);

// What the decoder expects next.
enum class ResponseStage : uint8_t {
  kResponse,      // the first packet of a response, or of the next result after MORE_RESULTS
  kColumns,       // column definitions (COM_FIELD_LIST: until their end marker)
  kColumnsEnd,    // the EOF after them (without CLIENT_DEPRECATE_EOF), or an implied end
  kCursorOrRows,  // COM_STMT_EXECUTE under CLIENT_DEPRECATE_EOF: a cursor's EOF, or the rows
  kRows,          // rows until their end
  kParams,        // parameter definitions
  kParamsEnd,     // the EOF after them, or an implied end
  kDone,          // the response is complete
  kFailed,        // the stream was malformed
};

class ResponseDecoder {
 public:
  // `command`: the command answered (its first byte; COM_STMT_BULK_EXECUTE answers as
  // COM_STMT_EXECUTE). `caps`: the capabilities of the connection (CLIENT_DEPRECATE_EOF decides
  // how definitions and rows end; CLIENT_SESSION_TRACK how an OK is read). `extended_metadata`:
  // MARIADB_CLIENT_EXTENDED_TYPE_INFO was negotiated (column definitions carry it).
  ResponseDecoder(Command command, uint32_t caps, bool extended_metadata = false);

  // Decodes one whole packet (frames joined).
  ResponseEvent next_packet(std::string_view payload) { return next(payload, false); }
  // Decodes one frame: a payload of kMaxFramePayload bytes is continued in the next frame.
  ResponseEvent next_frame(std::string_view payload) { return next(payload, true); }
  // A run of rows as they lie in a read buffer: the leading whole frames of `wire` (headers
  // included) that are each one row of the result under way, at most `max_rows` of them
  // (0: any number), each checked as next_frame checks it and counted as if it had been given
  // to it. The run stops before anything else: the rows' end, an ERR, a frame of
  // kMaxFramePayload bytes (a row spanning frames), an incomplete frame, a malformed row (which
  // next_frame then reports). Empty outside the rows stage. A relay passes a run on as it came
  // (ClientReply::emit_wire) instead of one packet at a time.
  struct FrameRun {
    size_t bytes = 0;   // wire bytes of the run's frames
    uint64_t rows = 0;  // frames (rows, or definitions) in it
  };
  FrameRun row_run(std::string_view wire, uint64_t max_rows = 0);
  // The same for column definitions (COM_FIELD_LIST's excepted) and parameter definitions:
  // the leading whole frames of `wire` that are each a definition of the block under way, each
  // checked as next_frame checks it, up to the block's last (whose end, a packet or implied,
  // is then what comes next). Empty outside those stages.
  FrameRun definition_run(std::string_view wire);
  // True when the next event needs no packet (an implied end of definitions): call
  // next_implied(). Passing a packet then also works: it yields that event, not consumed().
  bool event_due() const;
  ResponseEvent next_implied();
  // Whether the payload given last was taken (false: an implied event came first; give it again).
  bool consumed() const { return consumed_; }

  ResponseStage stage() const { return stage_; }
  // The response is complete: nothing more will come for this command.
  bool done() const { return stage_ == ResponseStage::kDone; }
  bool failed() const { return stage_ == ResponseStage::kFailed; }
  // The last OK or result end announced another result (SERVER_MORE_RESULTS_EXISTS) and the
  // decoder is waiting for it.
  bool more_results() const { return more_results_; }
  // The next frame continues the packet of the last one (next_frame only).
  bool continuing() const { return continuing_; }
  const std::string& error() const { return error_; }

  // ---- what the last event carried (valid until the next call) ----
  // kOk, and kResultEnd under CLIENT_DEPRECATE_EOF (end_ok() true): the decoded OK packet.
  const OkPacket& ok() const { return ok_; }
  bool end_ok() const { return end_ok_; }
  // kOk, kResultEnd, kColumnsEnd from an EOF packet: the status flags and warnings it carried.
  uint16_t status_flags() const { return status_flags_; }
  uint16_t warnings() const { return warnings_; }
  uint16_t err_code() const { return err_code_; }
  uint64_t column_count() const { return column_count_; }
  // kColumnsEnd, kParamsEnd: no packet carried it (CLIENT_DEPRECATE_EOF).
  bool implied() const { return implied_; }
  bool cursor_open() const { return cursor_open_; }
  // kRow from next_frame: the row continues in the next frame(s) (not checked beyond its start).
  bool packet_continues() const { return continuing_; }
  // kLocalInfile: the file the server asks for (a view into the payload given).
  std::string_view local_file() const { return local_file_; }
  const StmtPrepareOk& prepare_ok() const { return prepare_ok_; }
  // kResultStart..kRow: binary rows (COM_STMT_EXECUTE, COM_STMT_FETCH) rather than text rows.
  bool binary_rows() const { return binary_; }

 private:
  enum class Shape : uint8_t {
    kQuery,
    kExecute,
    kFetch,
    kPrepare,
    kFieldList,
    kStatistics,
    kOkErr
  };

  ResponseEvent next(std::string_view payload, bool frame);
  ResponseEvent response_start(std::string_view p);
  ResponseEvent column(std::string_view p);
  ResponseEvent columns_end(std::string_view p);
  ResponseEvent cursor_or_rows(std::string_view p);
  ResponseEvent row(std::string_view p, bool partial);
  // Whether `p`, a whole frame in the rows stage that is neither an ERR nor the rows' end,
  // holds one row of the result's columns.
  bool row_fits(std::string_view p) const;
  ResponseEvent field_list(std::string_view p);
  ResponseEvent param(std::string_view p);
  ResponseEvent params_end(std::string_view p);
  ResponseEvent err(std::string_view p);
  // The status of a result end or OK: MORE_RESULTS decides what follows.
  ResponseEvent ended(ResponseEvent e, uint16_t status);
  void after_columns();
  // The state every packet starts from (next(), and each frame of a run).
  void begin_packet();
  // The payload of the whole frame at the front of `wire`, when one lies there whole and is not
  // continued in the next (a run passes only those).
  static std::optional<std::string_view> whole_frame(std::string_view wire);
  void after_params();
  bool is_end(std::string_view p) const;
  bool read_end(std::string_view p);
  ResponseEvent fail(std::string message);

  Shape shape_;
  bool deprecate_eof_;
  uint32_t caps_;
  bool extended_;
  bool binary_ = false;
  ResponseStage stage_ = ResponseStage::kResponse;
  bool end_implied_ = false;  // kColumnsEnd / kParamsEnd stages: no packet carries the end
  bool consumed_ = true;
  bool continuing_ = false;
  bool more_results_ = false;
  bool implied_ = false;
  bool cursor_open_ = false;
  bool end_ok_ = false;
  uint16_t status_flags_ = 0;
  uint16_t warnings_ = 0;
  uint16_t err_code_ = 0;
  uint64_t column_count_ = 0;
  uint64_t remaining_ = 0;  // definitions still to come in this block
  uint64_t rows_ = 0;       // rows of the result under way (error messages)
  std::string types_;       // field type of each column (binary rows)
  std::string_view local_file_;
  OkPacket ok_;
  StmtPrepareOk prepare_ok_;
  std::string error_;
};

}  // namespace tessera::protocol
