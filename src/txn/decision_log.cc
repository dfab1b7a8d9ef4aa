#include "txn/decision_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "txn/txn_counters.h"

namespace tessera::txn {

namespace {

uint32_t crc32(std::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

std::error_code last_error() {
  return std::error_code(errno, std::generic_category());
}

std::error_code write_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

std::error_code sync_directory(const std::filesystem::path& dir) {
  int d = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d < 0) return last_error();
  std::error_code ec;
  if (::fsync(d) != 0) ec = last_error();
  ::close(d);
  return ec;
}

}  // namespace

std::string DecisionLog::record(std::string_view gtrid) {
  std::string body = "C ";
  body += gtrid;
  return body + " " + hex8(crc32(body)) + "\n";
}

bool DecisionLog::parse_record(std::string_view line, std::string& gtrid) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  auto space = line.rfind(' ');
  if (line.size() < 4 || line.substr(0, 2) != "C " || space == std::string_view::npos ||
      space < 2) {
    return false;
  }
  std::string_view body = line.substr(0, space);
  if (line.substr(space + 1) != hex8(crc32(body))) return false;
  gtrid = std::string(body.substr(2));
  return !gtrid.empty();
}

DecisionLog::DecisionLog(std::filesystem::path path) : path_(std::move(path)) {
  auto fail = [&](const std::string& what) {
    std::string msg =
        "XA decision log " + path_.string() + ": " + what + ": " + std::strerror(errno);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    throw std::runtime_error(msg);
  };
  std::error_code ec;
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path(), ec);
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) fail("cannot open");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    fail("locked by another process (another Tessera with the same proxy_instance_id?)");
  }
  std::ifstream in(path_, std::ios::binary);
  std::string line, gtrid;
  while (std::getline(in, line)) {
    if (parse_record(line, gtrid)) {
      loaded_.push_back(gtrid);
      ++records_;
    }
  }
  writer_ = std::thread([this] { writer_loop(); });
}

DecisionLog::~DecisionLog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (fd_ >= 0) ::close(fd_);
}

void DecisionLog::enqueue(Request r) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(r));
  }
  cv_.notify_one();
}

std::error_code DecisionLog::write_and_sync(const std::string& bytes) {
  std::lock_guard lock(io_mu_);
  if (auto ec = write_all(fd_, bytes)) return ec;
  if (::fdatasync(fd_) != 0) return last_error();
  ++syncs_;
  txn_counters().decision_log_syncs++;
  return {};
}

void DecisionLog::writer_loop() {
  for (;;) {
    std::deque<Request> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      batch.swap(queue_);
    }
    std::string bytes;
    for (auto& r : batch) bytes += r.line;
    std::error_code ec = write_and_sync(bytes);
    if (!ec) {
      std::lock_guard lock(io_mu_);
      records_ += batch.size();
    }
    for (auto& r : batch) r.done(ec);
  }
}

asio::awaitable<std::error_code> DecisionLog::append(std::string gtrid) {
  // The writer thread wakes this coroutine through its own executor: a timer that never
  // expires by itself, cancelled once the record is on disk.
  struct Wait {
    asio::steady_timer timer;
    bool done = false;
    std::error_code ec;
    explicit Wait(asio::any_io_executor ex) : timer(ex, asio::steady_timer::time_point::max()) {}
  };
  auto ex = co_await asio::this_coro::executor;
  auto wait = std::make_shared<Wait>(ex);
  Request r;
  r.line = record(gtrid);
  // Weak: the writer thread may destroy this callback after the coroutine's executor is gone
  // (a test's io_context, shutdown); the last owner of the timer must be the coroutine, on its
  // own thread, never the writer (a timer destroyed after its io_context is undefined).
  r.done = [weak = std::weak_ptr<Wait>(wait), ex](std::error_code ec) {
    asio::post(ex, [weak, ec] {
      auto w = weak.lock();
      if (!w) return;
      w->ec = ec;
      w->done = true;
      w->timer.cancel();
    });
  };
  enqueue(std::move(r));
  while (!wait->done) {
    co_await wait->timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
  co_return wait->ec;
}

std::error_code DecisionLog::append_blocking(std::string gtrid) {
  auto promise = std::make_shared<std::promise<std::error_code>>();
  auto future = promise->get_future();
  Request r;
  r.line = record(gtrid);
  r.done = [promise](std::error_code ec) { promise->set_value(ec); };
  enqueue(std::move(r));
  return future.get();
}

std::error_code DecisionLog::rewrite(const std::function<std::vector<std::string>()>& pending) {
  std::lock_guard lock(io_mu_);
  std::vector<std::string> keep = pending();
  std::filesystem::path tmp = path_;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return last_error();
  std::string bytes;
  for (auto& g : keep) bytes += record(g);
  std::error_code ec = write_all(fd, bytes);
  if (!ec && ::fsync(fd) != 0) ec = last_error();
  // The new file takes over the lock before it replaces the old one.
  if (!ec && ::flock(fd, LOCK_EX | LOCK_NB) != 0) ec = last_error();
  if (!ec && ::rename(tmp.c_str(), path_.c_str()) != 0) ec = last_error();
  if (ec) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return ec;
  }
  sync_directory(path_.parent_path());
  ::close(fd_);
  fd_ = fd;
  records_ = keep.size();
  return {};
}

uint64_t DecisionLog::records_in_file() const {
  std::lock_guard lock(io_mu_);
  return records_;
}

uint64_t DecisionLog::syncs() const {
  std::lock_guard lock(io_mu_);
  return syncs_;
}

}  // namespace tessera::txn
