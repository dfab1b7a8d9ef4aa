// Builds a complete text-protocol result set (column count, definitions,
// optional EOF, rows, terminator) as frames, for results Tessera produces itself.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/column_definition.h"

namespace tessera::protocol {

class TextResultBuilder {
 public:
  // `extended_type_info`: the client negotiated MARIADB_CLIENT_EXTENDED_TYPE_INFO, so every
  // column definition carries the (here empty) extended metadata.
  TextResultBuilder(uint32_t client_caps, uint16_t status_flags, bool extended_type_info = false)
      : caps_(client_caps), status_(status_flags), extended_(extended_type_info) {}

  void add_column(ColumnDefinition def) { columns_.push_back(std::move(def)); }
  // One row; nullopt cells are SQL NULL.
  void add_row(const std::vector<std::optional<std::string>>& cells);
  // Appends the finished result set to `out`, starting at sequence `seq`.
  void finish(std::string& out, uint8_t& seq) const;

 private:
  uint32_t caps_;
  uint16_t status_;
  bool extended_;
  std::vector<ColumnDefinition> columns_;
  std::vector<std::string> rows_;
};

}  // namespace tessera::protocol
