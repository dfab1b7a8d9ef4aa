#include "exec/row.h"

#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace tessera::exec {

std::optional<Row> Row::from_text_payload(std::string payload, size_t column_count) {
  Row row;
  row.cells_.reserve(column_count);
  // A cell longer than 4 GiB cannot occur (packets are at most 1 GiB) but would not fit the
  // index, so such a payload is rejected rather than mis-indexed.
  if (payload.size() >= kNullLength) return std::nullopt;
  protocol::WireReader reader(payload);
  for (size_t i = 0; i < column_count; ++i) {
    if (reader.at_end()) return std::nullopt;
    if (reader.peek() == 0xfb) {
      reader.u8();
      row.cells_.push_back(
          Cell{static_cast<uint32_t>(payload.size() - reader.remaining()), kNullLength});
      continue;
    }
    std::string_view v = reader.lenenc_str();
    if (!reader.ok()) return std::nullopt;
    row.cells_.push_back(
        Cell{static_cast<uint32_t>(v.data() - payload.data()), static_cast<uint32_t>(v.size())});
  }
  if (!reader.at_end()) return std::nullopt;
  // Offsets are relative to the buffer start, so they survive the move below.
  row.payload_ = std::move(payload);
  return row;
}

Row Row::of(const std::vector<std::optional<std::string>>& cells) {
  Row row;
  for (const auto& c : cells) {
    if (c) {
      row.append(std::string_view(*c));
    } else {
      row.append_null();
    }
  }
  return row;
}

void Row::append(std::string_view value) {
  protocol::WireWriter w(payload_);
  w.lenenc_int(value.size());
  cells_.push_back(
      Cell{static_cast<uint32_t>(payload_.size()), static_cast<uint32_t>(value.size())});
  w.bytes(value);
}

void Row::append_null() {
  payload_.push_back(static_cast<char>(0xfb));
  cells_.push_back(Cell{static_cast<uint32_t>(payload_.size()), kNullLength});
}

void Row::truncate(size_t n) {
  if (n >= cells_.size()) return;
  // The payload ends where cell n's encoding begins: just after cell n-1's value.
  size_t end = 0;
  if (n > 0) {
    const Cell& last = cells_[n - 1];
    end = last.length == kNullLength ? last.offset : last.offset + last.length;
  }
  payload_.resize(end);
  cells_.resize(n);
}

}  // namespace tessera::exec
