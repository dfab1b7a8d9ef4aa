#include "exec/row_buffers.h"

#include <algorithm>

namespace tessera::exec {

MergeError too_many_rows(const char* what, uint64_t limit) {
  return MergeError{protocol::errc::kUnknownError,
                    std::string("merged result ") + what + " " + std::to_string(limit) +
                        " (max_sql_result_size); narrow the query with WHERE or LIMIT, or "
                        "raise max_sql_result_size"};
}

MemorySort::MemorySort(RowComparator order, std::optional<uint64_t> keep, uint64_t max_rows,
                       uint64_t max_bytes)
    : order_(std::move(order)), keep_(keep), max_rows_(max_rows), max_bytes_(max_bytes) {}

void MemorySort::trim() {
  // Keep the `keep` smallest rows; the rest can never be emitted.
  auto less = [this](const Row& a, const Row& b) { return order_.less(a, b); };
  auto cut = rows_.begin() + static_cast<std::ptrdiff_t>(*keep_);
  std::nth_element(rows_.begin(), cut, rows_.end(), less);
  for (auto it = cut; it != rows_.end(); ++it) bytes_ -= it->memory_bytes();
  rows_.erase(cut, rows_.end());
}

Status MemorySort::add(Row row) {
  if (keep_ && *keep_ == 0) return {};
  bytes_ += row.memory_bytes();
  rows_.push_back(std::move(row));
  // Trimming at twice the kept size makes its cost amortized O(1) per row.
  if (keep_ && *keep_ < UINT64_MAX / 4 && rows_.size() >= 2 * *keep_ + 64) trim();
  if (max_rows_ != 0 && rows_.size() > max_rows_)
    return too_many_rows("to sort exceeds", max_rows_);
  if (max_bytes_ != 0 && bytes_ > max_bytes_) {
    return MergeError{protocol::errc::kUnknownError,
                      "merged result to sort exceeds " + std::to_string(max_bytes_) +
                          " bytes of memory; add a LIMIT or narrow the query with WHERE"};
  }
  return {};
}

void MemorySort::finish() {
  if (finished_) return;
  finished_ = true;
  if (keep_ && rows_.size() > *keep_) trim();
  // Stable, so rows with equal keys keep their arrival order (unless trim() reordered them).
  std::stable_sort(rows_.begin(), rows_.end(),
                   [this](const Row& a, const Row& b) { return order_.less(a, b); });
}

bool MemorySort::next(Row& out) {
  if (!finished_ || emit_ >= rows_.size()) return false;
  out = std::move(rows_[emit_++]);
  return true;
}

DistinctFilter::DistinctFilter(std::vector<ValueType> types, std::vector<size_t> columns,
                               uint64_t max_rows)
    : types_(std::move(types)), columns_(std::move(columns)), max_rows_(max_rows) {}

Result<bool> DistinctFilter::admit(const Row& row) {
  std::string key;
  for (size_t c : columns_) {
    if (c < row.size()) append_key(types_[c], row.get(c), key);
  }
  if (!seen_.insert(std::move(key)).second) return false;
  if (max_rows_ != 0 && seen_.size() > max_rows_) {
    return too_many_rows("has more distinct rows than", max_rows_);
  }
  return true;
}

}  // namespace tessera::exec
