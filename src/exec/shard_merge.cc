#include "exec/shard_merge.h"

#include <algorithm>
#include <string>

namespace tessera::exec {
namespace {

MergeError misuse(const char* what, size_t shard) {
  return internal_error(std::string("merge: ") + what + " for shard " + std::to_string(shard));
}

}  // namespace

OrderedMerge::OrderedMerge(size_t shard_count, RowComparator order)
    : order_(std::move(order)), pending_(shard_count), finished_(shard_count, false) {
  // Asked for in shard order: wants() takes from the back.
  for (size_t s = shard_count; s > 0; --s) missing_.push_back(s - 1);
  heap_.reserve(shard_count);
}

bool OrderedMerge::heap_less(size_t a, size_t b) const {
  int c = order_.compare(*pending_[a], *pending_[b]);
  if (c != 0) return c > 0;
  return a > b;
}

std::optional<size_t> OrderedMerge::wants() const {
  if (missing_.empty()) return std::nullopt;
  return missing_.back();
}

Status OrderedMerge::offer(size_t shard, Row row) {
  auto it = std::find(missing_.begin(), missing_.end(), shard);
  if (shard >= pending_.size() || it == missing_.end()) {
    return misuse("row offered while one is waiting or after the end", shard);
  }
  missing_.erase(it);
  pending_[shard] = std::move(row);
  heap_.push_back(shard);
  std::push_heap(heap_.begin(), heap_.end(),
                 [this](size_t a, size_t b) { return heap_less(a, b); });
  return {};
}

Status OrderedMerge::finish(size_t shard) {
  auto it = std::find(missing_.begin(), missing_.end(), shard);
  if (shard >= pending_.size() || it == missing_.end()) {
    return misuse("end reported while a row is waiting or twice", shard);
  }
  missing_.erase(it);
  finished_[shard] = true;
  return {};
}

bool OrderedMerge::next(Row& out) {
  if (!missing_.empty() || heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), [this](size_t a, size_t b) { return heap_less(a, b); });
  size_t shard = heap_.back();
  heap_.pop_back();
  out = std::move(*pending_[shard]);
  pending_[shard].reset();
  missing_.push_back(shard);
  return true;
}

Concatenation::Concatenation(size_t shard_count)
    : finished_(shard_count, false), unfinished_(shard_count) {}

std::optional<size_t> Concatenation::wants() const {
  if (pending_ || unfinished_ == 0) return std::nullopt;
  return kAnyShard;
}

Status Concatenation::offer(size_t shard, Row row) {
  if (shard >= finished_.size() || finished_[shard] || pending_) {
    return misuse("row offered while one is waiting or after the end", shard);
  }
  pending_ = std::move(row);
  return {};
}

Status Concatenation::finish(size_t shard) {
  if (shard >= finished_.size() || finished_[shard]) return misuse("end reported twice", shard);
  finished_[shard] = true;
  --unfinished_;
  return {};
}

bool Concatenation::next(Row& out) {
  if (!pending_) return false;
  out = std::move(*pending_);
  pending_.reset();
  return true;
}

}  // namespace tessera::exec
