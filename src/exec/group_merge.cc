#include "exec/group_merge.h"

namespace tessera::exec {

namespace {

// As DistinctFilter's: 16^6 partitions; deeper is one group's rows, which cannot split.
constexpr unsigned kMaxSpillLevel = 6;

}  // namespace

GroupMerge::GroupMerge(std::shared_ptr<const AggregateContext> ctx, std::vector<size_t> group_by,
                       bool sorted_input, uint64_t max_groups, std::shared_ptr<MemoryBudget> budget,
                       unsigned level)
    : ctx_(std::move(ctx)),
      group_by_(std::move(group_by)),
      sorted_(sorted_input || group_by_.empty()),
      max_groups_(max_groups),
      level_(level),
      share_(std::move(budget)) {}

GroupMerge::~GroupMerge() = default;

size_t GroupMerge::common_prefix(const Row& a, const Row& b) const {
  size_t k = 0;
  while (k < group_by_.size() &&
         compare_cells(ctx_->types[group_by_[k]], a.get(group_by_[k]), b.get(group_by_[k])) == 0)
    ++k;
  return k;
}

void GroupMerge::set_rollup(std::vector<std::vector<size_t>> rollup) {
  rollup_ = std::move(rollup);
  prefixes_.resize(group_by_.size());
}

void GroupMerge::close_prefixes(size_t from) {
  for (size_t k = prefixes_.size(); k-- > from;) {
    if (!prefixes_[k]) continue;
    Row total = prefixes_[k]->result();
    prefixes_[k].reset();
    // The keys beyond the prefix are NULL; the other cells are the first row's, as in a group.
    std::vector<bool> null_cell(total.size(), false);
    for (size_t j = k; j < rollup_.size(); ++j) {
      for (size_t c : rollup_[j]) {
        if (c < null_cell.size()) null_cell[c] = true;
      }
    }
    Row out;
    for (size_t c = 0; c < total.size(); ++c)
      out.append_cell(null_cell[c] ? std::nullopt : total.get(c));
    ready_.push_back(std::move(out));
  }
}

std::string GroupMerge::key_of(const Row& row) const {
  std::string key;
  for (size_t c : group_by_) append_key(ctx_->types[c], row.get(c), key);
  return key;
}

Status GroupMerge::add(const Row& row) {
  for (size_t c : group_by_) {
    if (c >= row.size()) return internal_error("GROUP BY column outside the shard result");
  }
  if (sorted_) {
    if (current_ && current_->first_row()) {
      if (size_t shared = common_prefix(*current_->first_row(), row); shared < group_by_.size()) {
        ready_.push_back(current_->result());
        current_.reset();
        close_prefixes(shared + 1);  // (WITH ROLLUP: the prefixes of `shared` keys or fewer go on)
      }
    }
    if (!current_) current_.emplace(*ctx_);
    current_->add(row);
    for (auto& p : prefixes_) {
      if (!p) p.emplace(*ctx_);
      p->add(row);
    }
    return {};
  }
  std::string key = key_of(row);
  auto it = index_.find(key);
  if (it == index_.end() && partitions_) {
    // A group not held: all its rows go to its partition, in arrival order.
    std::string record;
    encode_row(row, record);
    return partitions_->add(spill_partition(key, level_), record);
  }
  if (it == index_.end()) {
    if (max_groups_ != 0 && groups_.size() >= max_groups_) {
      return MergeError{protocol::errc::kUnknownError,
                        "merged result has more than " + std::to_string(max_groups_) +
                            " groups (max_sql_result_size); add a WHERE condition or LIMIT, "
                            "or raise max_sql_result_size"};
    }
    // The key twice (map and accumulator's first row) and the map's node.
    uint64_t base = key.size() + 96;
    it = index_.emplace(std::move(key), groups_.size()).first;
    groups_.push_back(std::make_unique<GroupAccumulator>(*ctx_));
    charged_.push_back(base);
    share_.charge(base);
  }
  GroupAccumulator& g = *groups_[it->second];
  size_t before = g.memory_bytes();
  g.add(row);
  if (size_t grew = g.memory_bytes() - before) {
    charged_[it->second] += grew;
    share_.charge(grew);
  }
  if (share_.over()) {
    if (!share_.can_spill()) return share_.budget()->out_of_memory("GROUP BY over the merged rows");
    if (share_.should_spill() && !partitions_) {
      if (level_ >= kMaxSpillLevel)
        return share_.budget()->out_of_memory("GROUP BY over rows of one hash partition");
      auto f = SpillFile::create(*share_.budget());
      if (!f) return f.error();
      file_ = std::move(*f);
      partitions_ = std::make_unique<SpillPartitions>(*file_);
    }
  }
  return {};
}

Status GroupMerge::finish() {
  if (finished_) return {};
  finished_ = true;
  if (sorted_) {
    // Without GROUP BY the single group exists even when no row arrived.
    if (!current_ && group_by_.empty()) current_.emplace(*ctx_);
    if (current_) ready_.push_back(current_->result());
    current_.reset();
    close_prefixes(0);
  }
  index_.clear();  // keys are not needed to emit
  if (partitions_) {
    auto streams = partitions_->take();
    if (!streams) return streams.error();
    streams_ = std::move(*streams);
  }
  return {};
}

Result<bool> GroupMerge::open_partition() {
  while (partition_ < streams_.size() && streams_[partition_].empty()) ++partition_;
  if (partition_ >= streams_.size()) return false;
  SpillReader reader(*file_, std::move(streams_[partition_++]));
  child_ = std::make_unique<GroupMerge>(ctx_, group_by_, false, max_groups_, share_.shared(),
                                        level_ + 1);
  std::string_view record;
  for (;;) {
    auto more = reader.next(record);
    if (!more) return more.error();
    if (!*more) break;
    auto row = decode_row(record);
    if (!row) return corrupt_spill();
    if (Status s = child_->add(*row); !s) return s.error();
  }
  if (Status s = child_->finish(); !s) return s.error();
  return true;
}

bool GroupMerge::next(Row& out) {
  if (error_) return false;
  if (!ready_.empty()) {
    out = std::move(ready_.front());
    ready_.pop_front();
    return true;
  }
  if (finished_ && emit_ < groups_.size()) {
    out = groups_[emit_]->result();
    groups_[emit_].reset();
    share_.release(charged_[emit_]);
    ++emit_;
    return true;
  }
  if (!finished_) return false;
  for (;;) {
    if (child_) {
      if (child_->next(out)) return true;
      if (child_->error()) {
        error_ = child_->error();
        return false;
      }
      child_.reset();
    }
    auto opened = open_partition();
    if (!opened) {
      error_ = opened.error();
      return false;
    }
    if (!*opened) return false;
  }
}

}  // namespace tessera::exec
