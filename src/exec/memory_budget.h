// One statement's memory budget for the rows its blocking operators hold (sort, hashing GROUP
// BY, DISTINCT, set operations), and where they spill beyond it. The operators of one statement
// share one budget (a shared_ptr in the MergeSpec / SetSpec), so the budget bounds the
// statement, not each operator: whichever operator's row takes the total over the limit moves
// what it holds to disk (spill_file.h), or, with spilling off, fails the statement with 1038.
// Sans-IO like the operators: it only counts.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "exec/merge_error.h"

namespace tessera::exec {

class MemoryBudget {
 public:
  // `limit`: bytes (0: none). `spill_dir`: where spill files go (empty: spilling off).
  // `spill_limit`: bytes one statement may write to spill files (0: as much as the disk holds).
  MemoryBudget(uint64_t limit, std::string spill_dir, uint64_t spill_limit = 0)
      : limit_(limit), spill_dir_(std::move(spill_dir)), spill_limit_(spill_limit) {}

  uint64_t limit() const { return limit_; }
  uint64_t used() const { return used_; }
  uint64_t peak() const { return peak_; }
  bool over() const { return limit_ != 0 && used_ > limit_; }
  bool can_spill() const { return !spill_dir_.empty(); }
  const std::string& spill_dir() const { return spill_dir_; }

  void charge(uint64_t bytes) {
    used_ += bytes;
    if (used_ > peak_) peak_ = used_;
  }
  void release(uint64_t bytes) { used_ = bytes > used_ ? 0 : used_ - bytes; }

  // Bytes written to spill files so far; an error beyond `spill_limit`.
  Status add_spilled(uint64_t bytes);
  uint64_t spilled() const { return spilled_; }

  // The error an operator answers when it is over the budget and cannot spill: MariaDB's
  // "Out of sort memory" (1038, HY001), naming the knobs.
  MergeError out_of_memory(const char* what) const;

 private:
  uint64_t limit_;
  std::string spill_dir_;
  uint64_t spill_limit_;
  uint64_t used_ = 0;
  uint64_t peak_ = 0;
  uint64_t spilled_ = 0;
};

// An operator's share of a budget: what it charged, released together when it lets go.
class BudgetShare {
 public:
  BudgetShare() = default;
  explicit BudgetShare(std::shared_ptr<MemoryBudget> budget) : budget_(std::move(budget)) {}
  BudgetShare(BudgetShare&& o) noexcept : budget_(std::move(o.budget_)), held_(o.held_) {
    o.held_ = 0;
  }
  BudgetShare& operator=(BudgetShare&& o) noexcept {
    if (this != &o) {
      release_all();
      budget_ = std::move(o.budget_);
      held_ = o.held_;
      o.held_ = 0;
    }
    return *this;
  }
  BudgetShare(const BudgetShare&) = delete;
  BudgetShare& operator=(const BudgetShare&) = delete;
  ~BudgetShare() { release_all(); }

  void charge(uint64_t bytes) {
    held_ += bytes;
    if (budget_) budget_->charge(bytes);
  }
  void release(uint64_t bytes) {
    if (bytes > held_) bytes = held_;
    held_ -= bytes;
    if (budget_) budget_->release(bytes);
  }
  void release_all() { release(held_); }
  uint64_t held() const { return held_; }
  // The statement is over its budget (never without one).
  bool over() const { return budget_ && budget_->over(); }
  bool can_spill() const { return budget_ && budget_->can_spill(); }
  // Over the budget, and holding enough of it that moving it to disk is worth a run: at least
  // an eighth of the limit. An operator holding less leaves it to the others (what they pin,
  // such as DISTINCT's keys, is bounded by the budget too, so the statement stays within a
  // few times the budget at worst).
  bool should_spill() const { return over() && can_spill() && held_ * 8 >= budget_->limit(); }
  MemoryBudget* budget() const { return budget_.get(); }
  const std::shared_ptr<MemoryBudget>& shared() const { return budget_; }

 private:
  std::shared_ptr<MemoryBudget> budget_;
  uint64_t held_ = 0;
};

}  // namespace tessera::exec
