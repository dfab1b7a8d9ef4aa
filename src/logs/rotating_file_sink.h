// An spdlog sink writing one file that is rotated by size (file -> file.1 -> ... -> file.N,
// the oldest dropped) and can be reopened on request: after logrotate (or an operator) moved
// the file away, reopen() starts a fresh file under the configured name.
#pragma once
#include <spdlog/details/file_helper.h>
#include <spdlog/sinks/base_sink.h>

#include <cstddef>
#include <filesystem>
#include <mutex>

namespace tessera::logs {

class RotatingFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // max_size 0 = never rotate by size; max_files = rotated files kept (0 = truncate instead).
  RotatingFileSink(std::filesystem::path path, size_t max_size, size_t max_files);

  // Closes the file and opens `path` again (appending; created when missing).
  void reopen();
  const std::filesystem::path& path() const { return path_; }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  void rotate();  // called with the mutex held

  std::filesystem::path path_;
  size_t max_size_;
  size_t max_files_;
  size_t size_ = 0;
  spdlog::details::file_helper file_;
};

// The path of the i-th rotated file: `path.i` (i >= 1).
std::filesystem::path rotated_name(const std::filesystem::path& path, size_t i);

}  // namespace tessera::logs
