#include "exec/row_buffers.h"

#include <algorithm>

namespace tessera::exec {

namespace {

// Runs merged in one pass: one block (kBlockBytes) read ahead per run, within half the budget.
size_t fan_in(const MemoryBudget* budget) {
  uint64_t limit = budget ? budget->limit() : 0;
  return static_cast<size_t>(std::clamp<uint64_t>(limit / (2 * kBlockBytes), 4, 64));
}

// Recursion levels of hash partitions (16^6 of them): a key held more than that deep is one
// key's own rows over the budget, which partitioning cannot split.
constexpr unsigned kMaxSpillLevel = 6;

}  // namespace

MergeError too_many_rows(const char* what, uint64_t limit) {
  return MergeError{protocol::errc::kUnknownError,
                    std::string("merged result ") + what + " " + std::to_string(limit) +
                        " (max_sql_result_size); narrow the query with WHERE or LIMIT, or "
                        "raise max_sql_result_size"};
}

MemorySort::MemorySort(RowComparator order, std::optional<uint64_t> keep, uint64_t max_rows,
                       std::shared_ptr<MemoryBudget> budget)
    : order_(std::move(order)), keep_(keep), max_rows_(max_rows), share_(std::move(budget)) {}

MemorySort::~MemorySort() = default;

void MemorySort::trim() {
  // Keep the `keep` smallest rows; the rest can never be emitted.
  auto less = [this](const Row& a, const Row& b) { return order_.less(a, b); };
  auto cut = rows_.begin() + static_cast<std::ptrdiff_t>(*keep_);
  std::nth_element(rows_.begin(), cut, rows_.end(), less);
  uint64_t freed = 0;
  for (auto it = cut; it != rows_.end(); ++it) freed += it->memory_bytes();
  share_.release(freed);
  rows_.erase(cut, rows_.end());
}

Status MemorySort::spill_run() {
  if (rows_.empty()) return {};
  if (keep_ && rows_.size() > *keep_) trim();
  std::stable_sort(rows_.begin(), rows_.end(),
                   [this](const Row& a, const Row& b) { return order_.less(a, b); });
  if (!file_) {
    auto f = SpillFile::create(*share_.budget());
    if (!f) return f.error();
    file_ = std::move(*f);
  }
  SpillWriter w(*file_);
  std::string record;
  for (const Row& r : rows_) {
    record.clear();
    encode_row(r, record);
    if (Status s = w.add(record); !s) return s;
  }
  auto run = w.take();
  if (!run) return run.error();
  runs_.push_back(std::move(*run));
  spilled_rows_ += rows_.size();
  std::vector<Row>().swap(rows_);
  share_.release_all();
  return {};
}

Status MemorySort::add(Row row) {
  if (keep_ && *keep_ == 0) return {};
  share_.charge(row.memory_bytes());
  rows_.push_back(std::move(row));
  // Trimming at twice the kept size makes its cost amortized O(1) per row.
  if (keep_ && *keep_ < UINT64_MAX / 4 && rows_.size() >= 2 * *keep_ + 64) trim();
  if (max_rows_ != 0 && rows_.size() + spilled_rows_ > max_rows_)
    return too_many_rows("to sort exceeds", max_rows_);
  if (share_.over()) {
    if (!share_.can_spill()) return share_.budget()->out_of_memory("the merged result to sort");
    if (share_.should_spill()) return spill_run();
  }
  return {};
}

Status MemorySort::finish() {
  if (finished_) return {};
  finished_ = true;
  if (keep_ && rows_.size() > *keep_) trim();
  // Stable, so rows with equal keys keep their arrival order (unless trim() reordered them).
  std::stable_sort(rows_.begin(), rows_.end(),
                   [this](const Row& a, const Row& b) { return order_.less(a, b); });
  if (runs_.empty()) return {};
  merged_runs_ = runs_.size();
  merge_ = std::make_unique<RunMerge>(order_, *file_, std::move(runs_), std::move(rows_));
  runs_.clear();
  rows_.clear();
  if (Status s = merge_->reduce(fan_in(share_.budget())); !s) {
    error_ = s.error();
    return s;
  }
  return {};
}

bool MemorySort::next(Row& out) {
  if (!finished_ || error_) return false;
  if (keep_ && emitted_ >= *keep_) return false;
  if (merge_) {
    auto more = merge_->next(out);
    if (!more) {
      error_ = more.error();
      return false;
    }
    if (!*more) return false;
    ++emitted_;
    return true;
  }
  if (emit_ >= rows_.size()) return false;
  share_.release(rows_[emit_].memory_bytes());
  out = std::move(rows_[emit_++]);
  ++emitted_;
  return true;
}

DistinctFilter::DistinctFilter(std::vector<ValueType> types, std::vector<size_t> columns,
                               uint64_t max_rows, std::shared_ptr<MemoryBudget> budget,
                               unsigned level)
    : types_(std::move(types)),
      columns_(std::move(columns)),
      max_rows_(max_rows),
      level_(level),
      share_(std::move(budget)) {}

DistinctFilter::~DistinctFilter() = default;

std::string DistinctFilter::key_of(const Row& row) const {
  std::string key;
  for (size_t c : columns_) {
    if (c < row.size()) append_key(types_[c], row.get(c), key);
  }
  return key;
}

Result<bool> DistinctFilter::admit(const Row& row) {
  std::string key = key_of(row);
  if (seen_.count(key)) return false;
  if (partitions_) {
    // A key not seen before the budget ran out: decided later, with its partition.
    std::string record;
    encode_row(row, record);
    if (Status s = partitions_->add(spill_partition(key, level_), record); !s) return s.error();
    return false;
  }
  // Node, bucket and the string's own heap block.
  share_.charge(key.size() + 64);
  seen_.insert(std::move(key));
  if (max_rows_ != 0 && seen_.size() > max_rows_) {
    return too_many_rows("has more distinct rows than", max_rows_);
  }
  if (share_.over()) {
    if (!share_.can_spill()) return share_.budget()->out_of_memory("DISTINCT over the merged rows");
    if (share_.should_spill()) {
      if (level_ >= kMaxSpillLevel)
        return share_.budget()->out_of_memory("DISTINCT over rows of one hash partition");
      auto f = SpillFile::create(*share_.budget());
      if (!f) return f.error();
      file_ = std::move(*f);
      partitions_ = std::make_unique<SpillPartitions>(*file_);
    }
  }
  return true;
}

Status DistinctFilter::finish() {
  if (!partitions_ || !streams_.empty()) return {};
  auto streams = partitions_->take();
  if (!streams) return streams.error();
  streams_ = std::move(*streams);
  // The keys seen are no row's in the partitions: not needed any more.
  std::unordered_set<std::string>().swap(seen_);
  share_.release_all();
  return {};
}

Result<bool> DistinctFilter::next_deferred(Row& out) {
  if (!partitions_) return false;
  if (streams_.empty()) {
    if (Status s = finish(); !s) return s.error();
  }
  for (;;) {
    if (child_) {
      if (!child_fed_) {
        std::string_view record;
        auto more = reader_.next(record);
        if (!more) return more.error();
        if (*more) {
          auto row = decode_row(record);
          if (!row) return corrupt_spill();
          auto first = child_->admit(*row);
          if (!first) return first.error();
          if (*first) {
            out = std::move(*row);
            return true;
          }
          continue;
        }
        child_fed_ = true;
        if (Status s = child_->finish(); !s) return s.error();
      }
      auto more = child_->next_deferred(out);
      if (!more) return more.error();
      if (*more) return true;
      child_.reset();
    }
    while (partition_ < streams_.size() && streams_[partition_].empty()) ++partition_;
    if (partition_ >= streams_.size()) return false;
    reader_ = SpillReader(*file_, std::move(streams_[partition_++]));
    child_ =
        std::make_unique<DistinctFilter>(types_, columns_, max_rows_, share_.shared(), level_ + 1);
    child_fed_ = false;
  }
}

}  // namespace tessera::exec
