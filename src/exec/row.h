// One result row in text-protocol form. The row keeps its cells exactly as the wire encodes
// them (length-encoded strings, 0xFB for NULL) in one buffer, plus an index of where each cell
// starts; so a shard row becomes a Row without copying cell by cell, and a Row goes back to
// the client as its payload without re-encoding. Dropping trailing (hidden) columns is a
// truncation of that buffer.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::exec {

class Row {
 public:
  Row() = default;

  // Takes a text-protocol row payload (ProtocolText::ResultsetRow). nullopt when the payload
  // does not hold exactly `column_count` cells.
  static std::optional<Row> from_text_payload(std::string payload, size_t column_count);

  // Builds a row from cells; nullopt cells are NULL. Mostly for tests and local results.
  static Row of(const std::vector<std::optional<std::string>>& cells);

  size_t size() const { return cells_.size(); }
  bool is_null(size_t i) const { return cells_[i].length == kNullLength; }
  // The cell's bytes; empty for NULL (check is_null()).
  std::string_view cell(size_t i) const {
    const Cell& c = cells_[i];
    if (c.length == kNullLength) return {};
    return std::string_view(payload_).substr(c.offset, c.length);
  }
  std::optional<std::string_view> get(size_t i) const {
    if (is_null(i)) return std::nullopt;
    return cell(i);
  }

  void append(std::string_view value);
  void append_null();
  // A cell that may be NULL.
  void append_cell(std::optional<std::string_view> value) {
    value ? append(*value) : append_null();
  }

  // Keeps the first `n` cells (n <= size()).
  void truncate(size_t n);

  // The text-protocol row payload, ready to frame and send.
  const std::string& payload() const { return payload_; }
  std::string take_payload() && { return std::move(payload_); }

  // Approximate heap bytes held, for the byte limits of buffering operators.
  size_t memory_bytes() const {
    return payload_.capacity() + cells_.capacity() * sizeof(Cell) + sizeof(Row);
  }

  friend bool operator==(const Row& a, const Row& b) { return a.payload_ == b.payload_; }

 private:
  static constexpr uint32_t kNullLength = UINT32_MAX;
  struct Cell {
    uint32_t offset;  // first value byte (after the length prefix); for NULL, just past 0xFB
    uint32_t length;  // kNullLength for NULL
  };

  std::string payload_;
  std::vector<Cell> cells_;
};

}  // namespace tessera::exec
