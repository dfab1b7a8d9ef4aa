#include "logs/rotating_file_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <system_error>

namespace tessera::logs {

namespace {

// Log files can hold statements and client addresses: a file Tessera creates is readable by
// its owner only (0600), whatever the umask. An existing file keeps the mode it has.
void create_private(const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
}

}  // namespace

std::filesystem::path rotated_name(const std::filesystem::path& path, size_t i) {
  return std::filesystem::path(path.string() + "." + std::to_string(i));
}

RotatingFileSink::RotatingFileSink(std::filesystem::path path, size_t max_size, size_t max_files)
    : path_(std::move(path)), max_size_(max_size), max_files_(max_files) {
  create_private(path_);
  file_.open(path_.string(), false);
  size_ = file_.size();
}

void RotatingFileSink::reopen() {
  std::lock_guard lock(mutex_);
  file_.close();
  create_private(path_);
  file_.open(path_.string(), false);
  size_ = file_.size();
}

void RotatingFileSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t formatted;
  formatter_->format(msg, formatted);
  if (max_size_ != 0 && size_ > 0 && size_ + formatted.size() > max_size_) rotate();
  file_.write(formatted);
  size_ += formatted.size();
}

void RotatingFileSink::flush_() {
  file_.flush();
}

void RotatingFileSink::rotate() {
  file_.close();
  std::error_code ec;
  if (max_files_ > 0) {
    std::filesystem::remove(rotated_name(path_, max_files_), ec);
    for (size_t i = max_files_; i > 1; --i) {
      std::filesystem::rename(rotated_name(path_, i - 1), rotated_name(path_, i), ec);
    }
    std::filesystem::rename(path_, rotated_name(path_, 1), ec);
  }
  // Renamed away (or, keeping no old files, truncated): start the file afresh.
  create_private(path_);
  file_.open(path_.string(), true);
  size_ = 0;
}

}  // namespace tessera::logs
