#include "exec/group_merge.h"

namespace tessera::exec {

GroupMerge::GroupMerge(std::shared_ptr<const AggregateContext> ctx, std::vector<size_t> group_by,
                       bool sorted_input, uint64_t max_groups)
    : ctx_(std::move(ctx)),
      group_by_(std::move(group_by)),
      sorted_(sorted_input || group_by_.empty()),
      max_groups_(max_groups) {}

bool GroupMerge::same_group(const Row& a, const Row& b) const {
  for (size_t c : group_by_) {
    if (compare_cells(ctx_->types[c], a.get(c), b.get(c)) != 0) return false;
  }
  return true;
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
    if (current_ && current_->first_row() && !same_group(*current_->first_row(), row)) {
      ready_.push_back(current_->result());
      current_.reset();
    }
    if (!current_) current_.emplace(*ctx_);
    current_->add(row);
    return {};
  }
  auto [it, inserted] = index_.try_emplace(key_of(row), groups_.size());
  if (inserted) {
    if (max_groups_ != 0 && groups_.size() >= max_groups_) {
      return MergeError{protocol::errc::kUnknownError,
                        "merged result has more than " + std::to_string(max_groups_) +
                            " groups (max_sql_result_size); add a WHERE condition or LIMIT, "
                            "or raise max_sql_result_size"};
    }
    groups_.push_back(std::make_unique<GroupAccumulator>(*ctx_));
  }
  groups_[it->second]->add(row);
  return {};
}

void GroupMerge::finish() {
  if (finished_) return;
  finished_ = true;
  if (sorted_) {
    // Without GROUP BY the single group exists even when no row arrived.
    if (!current_ && group_by_.empty()) current_.emplace(*ctx_);
    if (current_) ready_.push_back(current_->result());
    current_.reset();
  }
  index_.clear();  // keys are not needed to emit
}

bool GroupMerge::next(Row& out) {
  if (!ready_.empty()) {
    out = std::move(ready_.front());
    ready_.pop_front();
    return true;
  }
  if (finished_ && emit_ < groups_.size()) {
    out = groups_[emit_]->result();
    groups_[emit_].reset();
    ++emit_;
    return true;
  }
  return false;
}

}  // namespace tessera::exec
