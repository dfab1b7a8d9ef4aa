#include "exec/run_merge.h"

#include <algorithm>

namespace tessera::exec {

RunMerge::RunMerge(const RowComparator& order, SpillFile& file, std::vector<SpillStream> runs,
                   std::vector<Row> tail)
    : order_(&order), file_(&file), runs_(std::move(runs)), tail_(std::move(tail)) {}

Status RunMerge::reduce(size_t fan_in) {
  if (fan_in < 2) fan_in = 2;
  while (runs_.size() > fan_in) {
    // The first `fan_in` runs (the earliest rows) become one run in their place.
    std::vector<SpillStream> group(runs_.begin(), runs_.begin() + static_cast<ptrdiff_t>(fan_in));
    RunMerge pass(*order_, *file_, std::move(group), {});
    SpillWriter w(*file_);
    std::string record;
    Row row;
    for (;;) {
      auto more = pass.next(row);
      if (!more) return more.error();
      if (!*more) break;
      record.clear();
      encode_row(row, record);
      if (Status s = w.add(record); !s) return s;
    }
    auto merged = w.take();
    if (!merged) return merged.error();
    runs_.erase(runs_.begin(), runs_.begin() + static_cast<ptrdiff_t>(fan_in));
    runs_.insert(runs_.begin(), std::move(*merged));
  }
  return {};
}

Status RunMerge::pull(size_t s) {
  Source& src = sources_[s];
  src.head.reset();
  if (s == runs_.size()) {  // the in-memory tail
    if (tail_pos_ < tail_.size()) src.head = std::move(tail_[tail_pos_++]);
    return {};
  }
  std::string_view record;
  auto more = src.reader.next(record);
  if (!more) return more.error();
  if (!*more) return {};
  auto row = decode_row(record);
  if (!row) return corrupt_spill();
  src.head = std::move(*row);
  return {};
}

bool RunMerge::before(size_t a, size_t b) const {
  int c = order_->compare(*sources_[a].head, *sources_[b].head);
  return c != 0 ? c < 0 : a < b;
}

Status RunMerge::start() {
  started_ = true;
  sources_.resize(runs_.size() + 1);
  for (size_t i = 0; i < runs_.size(); ++i) sources_[i].reader = SpillReader(*file_, runs_[i]);
  for (size_t i = 0; i < sources_.size(); ++i) {
    if (Status s = pull(i); !s) return s;
    if (sources_[i].head) heap_.push_back(i);
  }
  // A min-heap: std::*_heap keep the greatest first, so the comparison is reversed.
  auto greater = [this](size_t a, size_t b) { return before(b, a); };
  std::make_heap(heap_.begin(), heap_.end(), greater);
  return {};
}

Result<bool> RunMerge::next(Row& out) {
  if (!started_) {
    if (Status s = start(); !s) return s.error();
  }
  if (heap_.empty()) return false;
  auto greater = [this](size_t a, size_t b) { return before(b, a); };
  std::pop_heap(heap_.begin(), heap_.end(), greater);
  size_t s = heap_.back();
  out = std::move(*sources_[s].head);
  if (Status st = pull(s); !st) return st.error();
  if (sources_[s].head) {
    std::push_heap(heap_.begin(), heap_.end(), greater);
  } else {
    heap_.pop_back();
  }
  return true;
}

}  // namespace tessera::exec
