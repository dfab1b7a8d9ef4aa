#include "protocol/response_decoder.h"

#include <cstdint>

#include "protocol/column_definition.h"
#include "protocol/framing.h"
#include "protocol/wire_reader.h"

namespace tessera::protocol {

namespace {

// COM_STMT_BULK_EXECUTE (MariaDB): not in Command, answered as COM_STMT_EXECUTE.
constexpr uint8_t kComStmtBulkExecute = 0xfa;

uint8_t head_of(std::string_view p) {
  return p.empty() ? 0 : static_cast<uint8_t>(p[0]);
}

// A column definition that lies within its payload: the six names (and the extended type info
// when negotiated), then the fixed fields; `type` receives its field type. COM_FIELD_LIST's
// definitions carry a default value after them, so bytes may follow.
bool column_fits(std::string_view p, bool extended, uint8_t& type) {
  // (Read directly, as text_row_fits reads a row: WireReader's checks cost more than the
  // definition, one per column of every result.)
  auto b = reinterpret_cast<const uint8_t*>(p.data());
  const auto* const end = b + p.size();
  // A length-encoded integer (0xfb, NULL: 0 and `null`); false past the end or for 0xff.
  auto lenenc = [&](uint64_t& value, bool& null) {
    if (b == end) return false;
    const uint8_t first = *b++;
    value = first;
    null = false;
    if (first < 0xfb) return true;
    size_t width = 0;
    switch (first) {
      case 0xfb:
        value = 0;
        null = true;
        return true;
      case 0xfc:
        width = 2;
        break;
      case 0xfd:
        width = 3;
        break;
      case 0xfe:
        width = 8;
        break;
      default:
        return false;
    }
    if (static_cast<size_t>(end - b) < width) return false;
    value = 0;
    for (size_t k = 0; k < width; ++k) value |= static_cast<uint64_t>(b[k]) << (8 * k);
    b += width;
    return true;
  };
  uint64_t n = 0;
  bool null = false;
  // The six names, and the extended type info when negotiated.
  for (int i = extended ? 7 : 6; i > 0; --i) {
    if (!lenenc(n, null) || n > static_cast<uint64_t>(end - b)) return false;
    b += n;
  }
  // Length of the fixed fields (at least 10): character set (2), column length (4), type (1),
  // flags (2), decimals (1).
  if (!lenenc(n, null) || null || n < 10 || end - b < 10) return false;
  type = b[6];
  return true;
}

// A text row: exactly `columns` cells, each a length-encoded string or 0xfb (NULL).
bool text_row_fits(std::string_view p, uint64_t columns) {
  auto b = reinterpret_cast<const uint8_t*>(p.data());
  const auto* end = b + p.size();
  for (uint64_t i = 0; i < columns; ++i) {
    if (b == end) return false;
    const uint8_t first = *b++;
    uint64_t len = first;
    size_t width = 0;
    if (first == 0xfb) continue;
    if (first == 0xfc) width = 2;
    if (first == 0xfd) width = 3;
    if (first == 0xfe) width = 8;
    if (first == 0xff) return false;
    if (width != 0) {
      if (static_cast<size_t>(end - b) < width) return false;
      len = 0;
      for (size_t k = 0; k < width; ++k) len |= static_cast<uint64_t>(b[k]) << (8 * k);
      b += width;
    }
    if (len > static_cast<uint64_t>(end - b)) return false;
    b += len;
  }
  return b == end;
}

// The bytes a non-NULL value of `type` takes in a binary row (protocol/binary_values.h);
// SIZE_MAX: a length-encoded string, 0xfe: a length byte and that many bytes.
constexpr size_t kLenencValue = SIZE_MAX;
constexpr size_t kLengthByteValue = SIZE_MAX - 1;
size_t binary_value_size(uint8_t type) {
  switch (static_cast<FieldType>(type)) {
    case FieldType::kNull:
      return 0;
    case FieldType::kTiny:
      return 1;
    case FieldType::kShort:
    case FieldType::kYear:
      return 2;
    case FieldType::kInt24:
    case FieldType::kLong:
    case FieldType::kFloat:
      return 4;
    case FieldType::kLongLong:
    case FieldType::kDouble:
      return 8;
    case FieldType::kDate:
    case FieldType::kDatetime:
    case FieldType::kTimestamp:
    case FieldType::kTime:
      return kLengthByteValue;
    default:
      return kLenencValue;
  }
}

// A binary row: 0x00, the NULL bitmap (offset 2), then each non-NULL value as its column's
// type lays it out, ending with the payload.
bool binary_row_fits(std::string_view p, std::string_view types) {
  // (Read directly, as text_row_fits reads a text row: WireReader's checks per value cost more
  // than the value, on every row of every binary result.)
  const size_t bitmap = (types.size() + 7 + 2) / 8;
  if (p.size() < 1 + bitmap) return false;
  const auto* bits = reinterpret_cast<const uint8_t*>(p.data()) + 1;
  const uint8_t* b = bits + bitmap;
  const uint8_t* const end = reinterpret_cast<const uint8_t*>(p.data()) + p.size();
  for (size_t i = 0; i < types.size(); ++i) {
    if (bits[(i + 2) / 8] & (1u << ((i + 2) % 8))) continue;
    const size_t size = binary_value_size(static_cast<uint8_t>(types[i]));
    uint64_t n = size;
    if (size == kLenencValue) {
      // A length-encoded length; NULL (0xfb) and 0xff are not lengths.
      if (b == end) return false;
      const uint8_t first = *b++;
      n = first;
      if (first >= 0xfb) {
        size_t width = 0;
        if (first == 0xfc) width = 2;
        if (first == 0xfd) width = 3;
        if (first == 0xfe) width = 8;
        if (width == 0 || static_cast<size_t>(end - b) < width) return false;
        n = 0;
        for (size_t k = 0; k < width; ++k) n |= static_cast<uint64_t>(b[k]) << (8 * k);
        b += width;
      }
    } else if (size == kLengthByteValue) {
      if (b == end) return false;
      n = *b++;
    }
    if (n > static_cast<uint64_t>(end - b)) return false;
    b += n;
  }
  return b == end;
}

// OkPacket::decode into `ok` (its strings reused: no optional, no moves, no allocation for an
// OK without info or state, which every statement ends with). Same fields, same failures.
bool decode_ok_into(std::string_view payload, uint32_t caps, OkPacket& ok) {
  WireReader r(payload);
  ok.header = r.u8();
  if (ok.header != kOkHeader && ok.header != kEofHeader) return false;
  ok.affected_rows = r.lenenc_int().value_or(0);
  ok.last_insert_id = r.lenenc_int().value_or(0);
  ok.status_flags = r.u16();
  ok.warnings = r.u16();
  if (!r.ok()) return false;
  ok.info.clear();
  ok.session_state.clear();
  if (caps & cap::kSessionTrack) {
    if (!r.at_end()) ok.info.assign(r.lenenc_str());
    if ((ok.status_flags & status::kSessionStateChanged) && !r.at_end()) {
      ok.session_state.assign(r.lenenc_str());
    }
  } else if (!r.at_end()) {
    ok.info.assign(r.lenenc_str());
  }
  return r.ok();
}

// An ERR packet's fixed part lies within it: header, code, and the SQL state when marked.
bool err_fits(std::string_view p) {
  if (p.size() < 3) return false;
  return p.size() == 3 || p[3] != '#' || p.size() >= 9;
}

}  // namespace

std::string_view to_string(ResponseEvent e) {
  switch (e) {
    case ResponseEvent::kOk:
      return "OK";
    case ResponseEvent::kErr:
      return "ERR";
    case ResponseEvent::kResultStart:
      return "result start";
    case ResponseEvent::kColumn:
      return "column";
    case ResponseEvent::kColumnsEnd:
      return "columns end";
    case ResponseEvent::kRow:
      return "row";
    case ResponseEvent::kResultEnd:
      return "result end";
    case ResponseEvent::kLocalInfile:
      return "local infile request";
    case ResponseEvent::kPrepareOk:
      return "prepare OK";
    case ResponseEvent::kParam:
      return "parameter";
    case ResponseEvent::kParamsEnd:
      return "parameters end";
    case ResponseEvent::kReply:
      return "reply";
    case ResponseEvent::kContinuation:
      return "continuation";
    case ResponseEvent::kMalformed:
      return "malformed";
  }
  return "?";
}

ResponseDecoder::ResponseDecoder(Command command, uint32_t caps, bool extended_metadata)
    : deprecate_eof_(caps & cap::kDeprecateEof), caps_(caps), extended_(extended_metadata) {
  switch (command) {
    case Command::kQuery:
      shape_ = Shape::kQuery;
      break;
    case Command::kStmtExecute:
      shape_ = Shape::kExecute;
      binary_ = true;
      break;
    case Command::kStmtFetch:
      shape_ = Shape::kFetch;
      binary_ = true;
      stage_ = ResponseStage::kRows;
      break;
    case Command::kStmtPrepare:
      shape_ = Shape::kPrepare;
      break;
    case Command::kFieldList:
      shape_ = Shape::kFieldList;
      stage_ = ResponseStage::kColumns;
      break;
    case Command::kStatistics:
      shape_ = Shape::kStatistics;
      break;
    default:
      if (static_cast<uint8_t>(command) == kComStmtBulkExecute) {
        shape_ = Shape::kExecute;
        binary_ = true;
      } else {
        shape_ = Shape::kOkErr;
      }
      break;
  }
}

bool ResponseDecoder::event_due() const {
  return end_implied_ &&
         (stage_ == ResponseStage::kColumnsEnd || stage_ == ResponseStage::kParamsEnd);
}

ResponseEvent ResponseDecoder::fail(std::string message) {
  error_ = std::move(message);
  stage_ = ResponseStage::kFailed;
  continuing_ = false;
  more_results_ = false;
  return ResponseEvent::kMalformed;
}

ResponseEvent ResponseDecoder::next_implied() {
  consumed_ = false;
  if (stage_ == ResponseStage::kFailed) return ResponseEvent::kMalformed;
  if (!event_due()) return fail("no event is due before the next packet");
  implied_ = true;
  end_implied_ = false;
  if (stage_ == ResponseStage::kParamsEnd) {
    after_params();
    return ResponseEvent::kParamsEnd;
  }
  stage_ = shape_ == Shape::kPrepare ? ResponseStage::kDone : ResponseStage::kRows;
  rows_ = 0;
  return ResponseEvent::kColumnsEnd;
}

void ResponseDecoder::begin_packet() {
  consumed_ = true;
  implied_ = false;
  cursor_open_ = false;
  end_ok_ = false;
  more_results_ = false;
  local_file_ = {};
}

std::optional<std::string_view> ResponseDecoder::whole_frame(std::string_view wire) {
  if (wire.size() < kFrameHeaderSize) return std::nullopt;
  const FrameHeader h = decode_frame_header(wire.data());
  if (h.length >= kMaxFramePayload || wire.size() - kFrameHeaderSize < h.length)
    return std::nullopt;
  return wire.substr(kFrameHeaderSize, h.length);
}

ResponseEvent ResponseDecoder::next(std::string_view p, bool frame) {
  begin_packet();
  if (stage_ == ResponseStage::kFailed) return ResponseEvent::kMalformed;
  if (frame && continuing_) {
    continuing_ = p.size() == kMaxFramePayload;
    return ResponseEvent::kContinuation;
  }
  if (event_due()) {
    // Under CLIENT_DEPRECATE_EOF nothing on the wire ends the definitions: that end first,
    // then this same packet.
    auto e = next_implied();
    consumed_ = false;
    return e;
  }
  // Only a row may be larger than one frame.
  const bool partial = frame && p.size() == kMaxFramePayload;
  if (partial && stage_ != ResponseStage::kRows && stage_ != ResponseStage::kCursorOrRows) {
    return fail("a packet larger than one frame where only rows may be that large");
  }
  switch (stage_) {
    case ResponseStage::kResponse:
      return response_start(p);
    case ResponseStage::kColumns:
      return shape_ == Shape::kFieldList ? field_list(p) : column(p);
    case ResponseStage::kColumnsEnd:
      return columns_end(p);
    case ResponseStage::kCursorOrRows:
      return cursor_or_rows(p);
    case ResponseStage::kRows:
      return row(p, partial);
    case ResponseStage::kParams:
      return param(p);
    case ResponseStage::kParamsEnd:
      return params_end(p);
    case ResponseStage::kDone:
      return fail("a packet after the end of the response");
    case ResponseStage::kFailed:
      break;
  }
  return ResponseEvent::kMalformed;
}

ResponseEvent ResponseDecoder::err(std::string_view p) {
  if (!err_fits(p)) return fail("truncated ERR packet");
  err_code_ = static_cast<uint16_t>(static_cast<uint8_t>(p[1]) | static_cast<uint8_t>(p[2]) << 8);
  stage_ = ResponseStage::kDone;
  return ResponseEvent::kErr;
}

ResponseEvent ResponseDecoder::ended(ResponseEvent e, uint16_t status) {
  status_flags_ = status;
  const bool more_allowed = shape_ == Shape::kQuery || shape_ == Shape::kExecute;
  if (more_allowed && (status & status::kMoreResultsExist)) {
    stage_ = ResponseStage::kResponse;
    more_results_ = true;
  } else {
    stage_ = ResponseStage::kDone;
  }
  return e;
}

ResponseEvent ResponseDecoder::response_start(std::string_view p) {
  const uint8_t head = head_of(p);
  if (head == kErrHeader) return err(p);
  if (shape_ == Shape::kStatistics) {
    stage_ = ResponseStage::kDone;
    return ResponseEvent::kReply;  // text, whatever it holds
  }
  if (p.empty()) return fail("an empty packet where a response was expected");
  if (shape_ == Shape::kPrepare) {
    auto prep = head == kOkHeader ? StmtPrepareOk::decode(p) : std::nullopt;
    if (!prep) return fail("expected COM_STMT_PREPARE's OK or an ERR");
    prepare_ok_ = *prep;
    warnings_ = prep->warnings;
    if (prep->num_params > 0) {
      remaining_ = prep->num_params;
      stage_ = ResponseStage::kParams;
    } else {
      after_params();
    }
    return ResponseEvent::kPrepareOk;
  }
  if (head == kOkHeader) {
    if (!decode_ok_into(p, caps_, ok_)) return fail("truncated OK packet");
    warnings_ = ok_.warnings;
    return ended(ResponseEvent::kOk, ok_.status_flags);
  }
  if (shape_ == Shape::kOkErr) return fail("expected an OK or an ERR");
  if (head == kLocalInfileHeader) {
    if (shape_ != Shape::kQuery)
      return fail("a LOCAL INFILE request answering a prepared statement");
    local_file_ = p.substr(1);
    return ResponseEvent::kLocalInfile;  // the LOAD's OK or ERR follows the file
  }
  WireReader r(p);
  auto count = r.lenenc_int();
  if (!count || !r.at_end() || *count == 0) return fail("malformed result set header");
  column_count_ = remaining_ = *count;
  types_.clear();
  rows_ = 0;
  stage_ = ResponseStage::kColumns;
  return ResponseEvent::kResultStart;
}

ResponseEvent ResponseDecoder::column(std::string_view p) {
  uint8_t type = 0;
  if (!column_fits(p, extended_, type)) {
    return fail("malformed column definition (column " +
                std::to_string(column_count_ - remaining_ + 1) + " of " +
                std::to_string(column_count_) + ")");
  }
  if (binary_) types_.push_back(static_cast<char>(type));
  if (--remaining_ == 0) after_columns();
  return ResponseEvent::kColumn;
}

void ResponseDecoder::after_columns() {
  if (deprecate_eof_ && shape_ == Shape::kExecute) {
    // Only the next packet tells: a cursor's EOF, or the first row (or the end of none).
    stage_ = ResponseStage::kCursorOrRows;
    return;
  }
  stage_ = ResponseStage::kColumnsEnd;
  end_implied_ = deprecate_eof_;
}

ResponseEvent ResponseDecoder::columns_end(std::string_view p) {
  auto eof = EofPacket::decode(p);
  if (!eof) return fail("expected the EOF after the column definitions");
  status_flags_ = eof->status_flags;
  warnings_ = eof->warnings;
  if (shape_ == Shape::kPrepare) {
    stage_ = ResponseStage::kDone;
  } else if (shape_ == Shape::kExecute && (eof->status_flags & status::kCursorExists)) {
    cursor_open_ = true;
    stage_ = ResponseStage::kDone;
  } else {
    stage_ = ResponseStage::kRows;
    rows_ = 0;
  }
  return ResponseEvent::kColumnsEnd;
}

ResponseEvent ResponseDecoder::cursor_or_rows(std::string_view p) {
  // With a cursor the server ends the metadata with an EOF packet carrying
  // SERVER_STATUS_CURSOR_EXISTS, also under CLIENT_DEPRECATE_EOF, and sends no rows (they come
  // with COM_STMT_FETCH). An end-of-rows OK can look like an EOF (7 bytes, 0xfe): its status
  // (bytes 3-4, where an EOF has it too) never says a cursor exists.
  if (head_of(p) == kEofHeader && p.size() < 9) {
    auto eof = EofPacket::decode(p);
    if (eof && (eof->status_flags & status::kCursorExists)) {
      status_flags_ = eof->status_flags;
      warnings_ = eof->warnings;
      cursor_open_ = true;
      stage_ = ResponseStage::kDone;
      return ResponseEvent::kColumnsEnd;
    }
  }
  // No cursor: the metadata's end, implied, then this same packet among the rows.
  implied_ = true;
  consumed_ = false;
  stage_ = ResponseStage::kRows;
  rows_ = 0;
  return ResponseEvent::kColumnsEnd;
}

bool ResponseDecoder::is_end(std::string_view p) const {
  return deprecate_eof_ ? is_result_end_ok(p) : is_eof_packet(p);
}

bool ResponseDecoder::read_end(std::string_view p) {
  if (deprecate_eof_) {
    if (!decode_ok_into(p, caps_, ok_)) return false;
    end_ok_ = true;
    status_flags_ = ok_.status_flags;
    warnings_ = ok_.warnings;
    return true;
  }
  auto eof = EofPacket::decode(p);
  if (!eof) return false;
  status_flags_ = eof->status_flags;
  warnings_ = eof->warnings;
  return true;
}

ResponseEvent ResponseDecoder::row(std::string_view p, bool partial) {
  if (p.empty()) return fail("an empty packet among the rows");
  const uint8_t head = head_of(p);
  if (head == kErrHeader && !partial) return err(p);  // an error may end the rows
  if (!partial && is_end(p)) {
    if (!read_end(p)) return fail("malformed end of the rows");
    if (shape_ == Shape::kFetch) {
      // A fetch's end says whether the cursor has more (SERVER_STATUS_LAST_ROW_SENT), never
      // that another result follows.
      stage_ = ResponseStage::kDone;
      return ResponseEvent::kResultEnd;
    }
    return ended(ResponseEvent::kResultEnd, status_flags_);
  }
  bool fits = true;
  if (partial) {
    fits = !binary_ || head == kOkHeader;
  } else {
    fits = row_fits(p);
  }
  if (!fits) {
    return fail("row " + std::to_string(rows_ + 1) + " is not a " + (binary_ ? "binary" : "text") +
                " row of the result's " +
                (shape_ == Shape::kFetch ? std::string("columns")
                                         : std::to_string(column_count_) + " columns"));
  }
  ++rows_;
  continuing_ = partial;
  return ResponseEvent::kRow;
}

bool ResponseDecoder::row_fits(std::string_view p) const {
  if (binary_) {
    // (A fetch's column types came with the COM_STMT_EXECUTE: only the header is checked.)
    return head_of(p) == kOkHeader && (shape_ == Shape::kFetch || binary_row_fits(p, types_));
  }
  return text_row_fits(p, column_count_);
}

ResponseDecoder::FrameRun ResponseDecoder::row_run(std::string_view wire, uint64_t max_rows) {
  FrameRun run;
  if (stage_ != ResponseStage::kRows || continuing_) return run;
  while (max_rows == 0 || run.rows < max_rows) {
    const auto frame = whole_frame(wire.substr(run.bytes));
    if (!frame) break;
    const std::string_view p = *frame;
    // (What row() takes for something other than a row, or refuses, is left to next_frame.)
    if (p.empty() || head_of(p) == kErrHeader || is_end(p) || !row_fits(p)) break;
    run.bytes += kFrameHeaderSize + p.size();
    ++run.rows;
  }
  rows_ += run.rows;
  if (run.rows > 0) {
    // As next_frame leaves them after a row.
    begin_packet();
  }
  return run;
}

ResponseDecoder::FrameRun ResponseDecoder::definition_run(std::string_view wire) {
  FrameRun run;
  const bool columns = stage_ == ResponseStage::kColumns && shape_ != Shape::kFieldList;
  if (!columns && stage_ != ResponseStage::kParams) return run;
  while (remaining_ > 0) {
    const auto frame = whole_frame(wire.substr(run.bytes));
    if (!frame) break;
    uint8_t type = 0;
    // (A malformed one is left to next_frame, which reports it.)
    if (!column_fits(*frame, extended_, type)) break;
    if (columns && binary_) types_.push_back(static_cast<char>(type));
    run.bytes += kFrameHeaderSize + frame->size();
    ++run.rows;
    --remaining_;
  }
  if (run.rows > 0) {
    // As next_frame leaves them after the last definition given.
    begin_packet();
    if (remaining_ == 0) {
      if (columns) {
        after_columns();
      } else {
        stage_ = ResponseStage::kParamsEnd;
        end_implied_ = deprecate_eof_;
      }
    }
  }
  return run;
}

ResponseEvent ResponseDecoder::field_list(std::string_view p) {
  if (p.empty()) return fail("an empty packet among the field list");
  if (head_of(p) == kErrHeader) return err(p);
  if (is_end(p)) {
    // (Lenient about the end's form: an EOF where an OK was expected ends the list as well.)
    if (!read_end(p)) {
      auto eof = EofPacket::decode(p);
      status_flags_ = eof ? eof->status_flags : 0;
      warnings_ = eof ? eof->warnings : 0;
    }
    end_ok_ = false;
    stage_ = ResponseStage::kDone;
    return ResponseEvent::kColumnsEnd;
  }
  uint8_t type = 0;
  if (!column_fits(p, extended_, type)) return fail("malformed column definition in a field list");
  return ResponseEvent::kColumn;
}

ResponseEvent ResponseDecoder::param(std::string_view p) {
  uint8_t type = 0;
  if (!column_fits(p, extended_, type)) {
    return fail("malformed parameter definition (parameter " +
                std::to_string(prepare_ok_.num_params - remaining_ + 1) + " of " +
                std::to_string(prepare_ok_.num_params) + ")");
  }
  if (--remaining_ == 0) {
    stage_ = ResponseStage::kParamsEnd;
    end_implied_ = deprecate_eof_;
  }
  return ResponseEvent::kParam;
}

ResponseEvent ResponseDecoder::params_end(std::string_view p) {
  auto eof = EofPacket::decode(p);
  if (!eof) return fail("expected the EOF after the parameter definitions");
  status_flags_ = eof->status_flags;
  warnings_ = eof->warnings;
  after_params();
  return ResponseEvent::kParamsEnd;
}

void ResponseDecoder::after_params() {
  if (prepare_ok_.num_columns > 0) {
    column_count_ = remaining_ = prepare_ok_.num_columns;
    stage_ = ResponseStage::kColumns;
  } else {
    stage_ = ResponseStage::kDone;
  }
}

}  // namespace tessera::protocol
