// Helpers shared by the merge tests: column definitions of each type family, rows from
// literals, and a driver that feeds shard rows to a pipeline the way the executor would.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "exec/merge_pipeline.h"
#include "exec/row.h"
#include "protocol/column_definition.h"

namespace tessera::exec::testing {

using Cells = std::vector<std::optional<std::string>>;
inline constexpr std::nullopt_t kNull = std::nullopt;

inline protocol::ColumnDefinition column(protocol::FieldType type, uint16_t flags = 0,
                                         uint16_t charset = 45, uint8_t decimals = 0) {
  protocol::ColumnDefinition c;
  c.name = "c";
  c.type = type;
  c.flags = flags;
  c.charset = charset;
  c.decimals = decimals;
  return c;
}
inline protocol::ColumnDefinition int_col() {
  return column(protocol::FieldType::kLongLong, 0, 63);
}
inline protocol::ColumnDefinition decimal_col(uint8_t decimals) {
  return column(protocol::FieldType::kNewDecimal, 0, 63, decimals);
}
inline protocol::ColumnDefinition double_col() {
  return column(protocol::FieldType::kDouble, 0, 63, 31);
}
inline protocol::ColumnDefinition text_col(uint16_t charset = 45) {
  return column(protocol::FieldType::kVarString, 0, charset);
}

inline Row row(const Cells& cells) {
  return Row::of(cells);
}

inline Cells cells_of(const Row& r) {
  Cells out;
  for (size_t i = 0; i < r.size(); ++i) {
    auto v = r.get(i);
    out.push_back(v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
  }
  return out;
}

struct RunResult {
  std::vector<Cells> rows;
  std::optional<MergeError> error;
  std::vector<size_t> rows_read;  // per shard, how many rows the pipeline pulled
};

// Feeds each shard's rows on demand until the pipeline is done; kAnyShard is answered by the
// first shard with anything left.
inline RunResult run(MergeSpec spec, std::vector<protocol::ColumnDefinition> columns,
                     const std::vector<std::vector<Cells>>& shards) {
  RunResult result;
  result.rows_read.assign(shards.size(), 0);
  auto p = MergePipeline::create(std::move(spec), std::move(columns), shards.size());
  if (!p) {
    result.error = p.error();
    return result;
  }
  std::vector<bool> finished(shards.size(), false);
  Row out;
  for (int guard = 0; guard < 1000000; ++guard) {
    auto r = (*p)->next(out);
    if (!r) {
      result.error = r.error();
      return result;
    }
    if (*r == MergePipeline::Poll::kDone) return result;
    if (*r == MergePipeline::Poll::kRow) {
      result.rows.push_back(cells_of(out));
      continue;
    }
    auto want = (*p)->wants();
    if (!want) {
      result.error = MergeError{{}, "pipeline needs input but wants nothing"};
      return result;
    }
    size_t s = *want;
    if (s == kAnyShard) {
      s = 0;
      while (s < shards.size() && finished[s]) ++s;
    }
    Status st;
    if (result.rows_read[s] < shards[s].size()) {
      st = (*p)->offer(s, Row::of(shards[s][result.rows_read[s]++]));
    } else {
      finished[s] = true;
      st = (*p)->finish(s);
    }
    if (!st) {
      result.error = st.error();
      return result;
    }
  }
  result.error = MergeError{{}, "pipeline did not finish"};
  return result;
}

}  // namespace tessera::exec::testing
