#include "session/login_guard.h"

#include <algorithm>
#include <vector>

namespace tessera::session {

std::string LoginThrottle::key(std::string_view ip, std::string_view user) {
  std::string k(ip);
  k += '\0';
  k += user;
  return k;
}

void LoginThrottle::configure(unsigned limit, Clock::duration block, size_t max_entries) {
  std::lock_guard lock(mu_);
  limit_ = limit;
  block_ = block;
  max_entries_ = std::max<size_t>(1, max_entries);
  if (limit_ == 0) entries_.clear();
}

LoginThrottle::Clock::duration LoginThrottle::blocked_for(std::string_view ip,
                                                          std::string_view user,
                                                          Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (limit_ == 0) return {};
  auto it = entries_.find(key(ip, user));
  if (it == entries_.end() || it->second.blocked_until <= now) return {};
  return it->second.blocked_until - now;
}

bool LoginThrottle::failed(std::string_view ip, std::string_view user, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (limit_ == 0) return false;
  std::string k = key(ip, user);
  auto it = entries_.find(k);
  if (it == entries_.end()) {
    if (entries_.size() >= max_entries_) prune(now);
    it = entries_.emplace(std::move(k), Entry{}).first;
  }
  Entry& e = it->second;
  // Failures older than a block period are forgotten: a user who mistypes now and then is
  // never blocked.
  if (e.failures > 0 && now - e.last_failure > block_) e.failures = 0;
  e.last_failure = now;
  if (++e.failures < limit_) return false;
  e.failures = 0;
  e.blocked_until = now + block_;
  return true;
}

void LoginThrottle::succeeded(std::string_view ip, std::string_view user) {
  std::lock_guard lock(mu_);
  if (limit_ == 0) return;
  entries_.erase(key(ip, user));
}

size_t LoginThrottle::entries() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void LoginThrottle::prune(Clock::time_point now) {
  // Drop what no longer matters (no block, last failure long ago), then, if still full, the
  // entries with the oldest failures.
  for (auto it = entries_.begin(); it != entries_.end();) {
    bool stale = it->second.blocked_until <= now && now - it->second.last_failure > block_;
    it = stale ? entries_.erase(it) : std::next(it);
  }
  if (entries_.size() < max_entries_) return;
  std::vector<std::pair<Clock::time_point, std::string>> by_age;
  by_age.reserve(entries_.size());
  for (const auto& [k, e] : entries_) {
    by_age.emplace_back(std::max(e.last_failure, e.blocked_until), k);
  }
  size_t drop = entries_.size() - max_entries_ / 2;
  std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(drop),
                   by_age.end());
  for (size_t i = 0; i < drop; ++i) entries_.erase(by_age[i].second);
}

void ConnectionLimits::configure(uint64_t max_total, uint64_t max_per_ip) {
  std::lock_guard lock(mu_);
  max_total_ = max_total;
  max_per_ip_ = max_per_ip;
}

ConnectionLimits::Verdict ConnectionLimits::admit(const std::string& ip) {
  std::lock_guard lock(mu_);
  if (max_total_ != 0 && total_ >= max_total_) return Verdict::kTooManyTotal;
  uint64_t& mine = per_ip_[ip];
  if (max_per_ip_ != 0 && mine >= max_per_ip_) return Verdict::kTooManyFromIp;
  mine++;
  total_++;
  return Verdict::kOk;
}

void ConnectionLimits::release(const std::string& ip) {
  std::lock_guard lock(mu_);
  auto it = per_ip_.find(ip);
  if (it == per_ip_.end()) return;
  if (--it->second == 0) per_ip_.erase(it);
  total_--;
}

uint64_t ConnectionLimits::total() const {
  std::lock_guard lock(mu_);
  return total_;
}

uint64_t ConnectionLimits::from(const std::string& ip) const {
  std::lock_guard lock(mu_);
  auto it = per_ip_.find(ip);
  return it == per_ip_.end() ? 0 : it->second;
}

}  // namespace tessera::session
