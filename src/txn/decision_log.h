// The durable record of commit decisions: one line per XA transaction whose participants all
// prepared, written and fsynced before the first XA COMMIT is sent. A transaction that is
// prepared somewhere but not in this log was never decided and is rolled back by recovery
// (presumed abort).
//
// Appends go to one writer thread; every append waiting while an fsync runs shares the next
// one (group commit). Records are "C <gtrid> <crc32 hex>\n"; a torn or corrupt line (a crash
// mid-write) is ignored on load, which is safe because nobody was told about that decision yet.
// The file is locked (flock) so two processes never share one log.
#pragma once
#include <asio/awaitable.hpp>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace tessera::txn {

class DecisionLog {
 public:
  // Opens (creating) the log and reads the decisions in it. Throws std::runtime_error with a
  // message naming the file when it cannot be opened, read or locked.
  explicit DecisionLog(std::filesystem::path path);
  ~DecisionLog();
  DecisionLog(const DecisionLog&) = delete;
  DecisionLog& operator=(const DecisionLog&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Decisions found in the file when it was opened.
  const std::vector<std::string>& loaded() const { return loaded_; }

  // Appends one decision; completes once it is on disk. Call from an Asio coroutine.
  asio::awaitable<std::error_code> append(std::string gtrid);
  // Same, blocking the calling thread (tests, tools).
  std::error_code append_blocking(std::string gtrid);

  // Replaces the file by one holding exactly what `pending()` returns, called while no append
  // is being written (so nothing decided meanwhile can be lost): temp file, fsync, rename,
  // fsync of the directory.
  std::error_code rewrite(const std::function<std::vector<std::string>()>& pending);

  uint64_t records_in_file() const;
  uint64_t syncs() const;

  // The line for one decision, and the parser for it (exposed for tests).
  static std::string record(std::string_view gtrid);
  static bool parse_record(std::string_view line, std::string& gtrid);

 private:
  struct Request {
    std::string line;
    std::function<void(std::error_code)> done;
  };
  void enqueue(Request r);
  void writer_loop();
  std::error_code write_and_sync(const std::string& bytes);

  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::string> loaded_;

  std::mutex mu_;  // queue_, stop_
  std::condition_variable cv_;
  std::deque<Request> queue_;
  bool stop_ = false;

  mutable std::mutex io_mu_;  // fd_, records_, syncs_: one writer or rewriter at a time
  uint64_t records_ = 0;
  uint64_t syncs_ = 0;
  std::thread writer_;
};

}  // namespace tessera::txn
