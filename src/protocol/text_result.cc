#include "protocol/text_result.h"

#include "protocol/constants.h"
#include "protocol/framing.h"
#include "protocol/response_packets.h"
#include "protocol/wire_writer.h"

namespace tessera::protocol {

void TextResultBuilder::add_row(const std::vector<std::optional<std::string>>& cells) {
  std::string row;
  WireWriter w(row);
  for (const auto& cell : cells) {
    if (cell) {
      w.lenenc_str(*cell);
    } else {
      w.lenenc_null();
    }
  }
  rows_.push_back(std::move(row));
}

void TextResultBuilder::finish(std::string& out, uint8_t& seq) const {
  std::string count;
  WireWriter(count).lenenc_int(columns_.size());
  append_frames(out, count, seq);
  for (const auto& c : columns_) append_frames(out, c.encode(extended_), seq);
  bool deprecate_eof = caps_ & cap::kDeprecateEof;
  if (!deprecate_eof) append_frames(out, EofPacket{0, status_}.encode(), seq);
  for (const auto& r : rows_) append_frames(out, r, seq);
  if (deprecate_eof) {
    OkPacket ok;
    ok.header = kEofHeader;
    ok.status_flags = status_;
    append_frames(out, ok.encode(caps_), seq);
  } else {
    append_frames(out, EofPacket{0, status_}.encode(), seq);
  }
}

}  // namespace tessera::protocol
