// Defences of the login phase, shared by every worker thread:
//  - LoginThrottle: after `limit` failed logins of one user name from one client IP, further
//    attempts of that pair are refused for `block` (a brute-force guesser gets `limit`
//    guesses per `block`, not thousands per second). Unknown user names count the same way, so
//    a block says nothing about whether an account exists.
//  - ConnectionLimits: at most `max_total` client connections in all, `max_per_ip` from one
//    address (0 = no limit), counted from accept to close.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tessera::session {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  // limit 0: never blocks. At most max_entries pairs are remembered (the oldest go first).
  void configure(unsigned limit, Clock::duration block, size_t max_entries = 100000);

  // How long the pair stays refused (zero: it may try).
  Clock::duration blocked_for(std::string_view ip, std::string_view user, Clock::time_point now);
  // A wrong password (or unknown user). True when this failure starts a block.
  bool failed(std::string_view ip, std::string_view user, Clock::time_point now);
  // A successful login clears the pair's failures.
  void succeeded(std::string_view ip, std::string_view user);
  size_t entries() const;

 private:
  struct Entry {
    unsigned failures = 0;
    Clock::time_point last_failure{};
    Clock::time_point blocked_until{};
  };
  static std::string key(std::string_view ip, std::string_view user);
  void prune(Clock::time_point now);

  mutable std::mutex mu_;
  unsigned limit_ = 0;
  Clock::duration block_{};
  size_t max_entries_ = 100000;
  std::unordered_map<std::string, Entry> entries_;
};

class ConnectionLimits {
 public:
  enum class Verdict { kOk, kTooManyTotal, kTooManyFromIp };

  void configure(uint64_t max_total, uint64_t max_per_ip);
  // Counts the connection in when allowed; a counted one must be released exactly once.
  Verdict admit(const std::string& ip);
  void release(const std::string& ip);
  uint64_t total() const;
  uint64_t from(const std::string& ip) const;

 private:
  mutable std::mutex mu_;
  uint64_t max_total_ = 0;
  uint64_t max_per_ip_ = 0;
  uint64_t total_ = 0;
  std::unordered_map<std::string, uint64_t> per_ip_;
};

}  // namespace tessera::session
