#include "exec/spill_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace tessera::exec {
namespace {

std::atomic<uint64_t> g_files{0};
std::atomic<uint64_t> g_bytes{0};
std::atomic<uint64_t> g_open{0};

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

// An unlinked file in `dir`: O_TMPFILE where the file system has it, else a named file removed
// at once (the window between the two is the only time it has a name).
int open_unlinked(const std::string& dir) {
#ifdef O_TMPFILE
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) return -1;
#endif
  std::string name = dir + "/tessera-spill-XXXXXX";
  int tmp = ::mkostemp(name.data(), O_CLOEXEC);
  if (tmp < 0) return -1;
  ::unlink(name.c_str());
  return tmp;
}

}  // namespace

SpillTotals spill_totals() {
  return SpillTotals{g_files.load(), g_bytes.load(), g_open.load()};
}

MergeError corrupt_spill() {
  return internal_error("a spill file did not read back as written");
}

Result<std::unique_ptr<SpillFile>> SpillFile::create(MemoryBudget& budget) {
  const std::string& dir = budget.spill_dir();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    // Only Tessera's user may read what statements spill.
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      int err = errno;
      return MergeError{protocol::errc::kUnknownError, "cannot create the spill directory " + dir +
                                                           " (spill_dir): " + std::strerror(err)};
    }
  }
  int fd = open_unlinked(dir);
  if (fd < 0) {
    int err = errno;
    return MergeError{protocol::errc::kUnknownError, "cannot create a spill file in " + dir +
                                                         " (spill_dir): " + std::strerror(err)};
  }
  g_files.fetch_add(1);
  g_open.fetch_add(1);
  return std::unique_ptr<SpillFile>(new SpillFile(fd, budget, dir));
}

SpillFile::~SpillFile() {
  ::close(fd_);
  g_open.fetch_sub(1);
}

MergeError SpillFile::io_error(const char* what, int err) const {
  return MergeError{protocol::errc::kUnknownError,
                    std::string(what) + " a spill file in " + dir_ +
                        " (spill_dir) failed: " + std::strerror(err)};
}

Result<SpillExtent> SpillFile::append(std::string_view data) {
  if (Status s = budget_->add_spilled(data.size()); !s) return s.error();
  SpillExtent e{end_, data.size()};
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n =
        ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(end_ + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("writing", errno);
    }
    done += static_cast<size_t>(n);
  }
  end_ += data.size();
  g_bytes.fetch_add(data.size());
  return e;
}

Status SpillFile::read(uint64_t offset, uint64_t length, std::string& out) const {
  out.resize(length);
  size_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd_, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("reading", errno);
    }
    if (n == 0) return corrupt_spill();
    done += static_cast<size_t>(n);
  }
  return {};
}

Status SpillWriter::add(std::string_view record) {
  put_u32(buffer_, static_cast<uint32_t>(record.size()));
  buffer_.append(record);
  ++stream_.records;
  stream_.bytes += record.size() + 4;
  if (buffer_.size() >= kBlockBytes) return flush();
  return {};
}

Status SpillWriter::flush() {
  if (buffer_.empty()) return {};
  auto e = file_->append(buffer_);
  if (!e) return e.error();
  // Consecutive blocks of one stream are usually adjacent: one extent then.
  if (!stream_.extents.empty() &&
      stream_.extents.back().offset + stream_.extents.back().length == e->offset) {
    stream_.extents.back().length += e->length;
  } else {
    stream_.extents.push_back(*e);
  }
  buffer_.clear();
  if (buffer_.capacity() > 2 * kBlockBytes) buffer_.shrink_to_fit();
  return {};
}

Result<SpillStream> SpillWriter::take() {
  if (Status s = flush(); !s) return s.error();
  SpillStream out = std::move(stream_);
  stream_ = SpillStream{};
  std::string().swap(buffer_);
  return out;
}

Result<bool> SpillReader::next(std::string_view& record) {
  for (;;) {
    if (pos_ + 4 <= block_.size()) {
      uint32_t n = get_u32(block_.data() + pos_);
      if (pos_ + 4 + n > block_.size()) {
        // A record longer than the block read so far: read on, keeping the tail.
        if (extent_ >= stream_.extents.size()) return corrupt_spill();
      } else {
        record = std::string_view(block_).substr(pos_ + 4, n);
        pos_ += 4 + size_t(n);
        return true;
      }
    } else if (pos_ < block_.size() && extent_ >= stream_.extents.size()) {
      return corrupt_spill();
    }
    if (extent_ >= stream_.extents.size()) {
      std::string().swap(block_);
      pos_ = 0;
      return false;
    }
    // The next block: what is left of the current extent, at most kBlockBytes (a record that
    // is longer makes the read longer).
    SpillExtent& e = stream_.extents[extent_];
    uint64_t want = std::min<uint64_t>(e.length, kBlockBytes);
    std::string tail = block_.substr(pos_);
    if (tail.size() >= 4) {
      uint64_t need = 4 + uint64_t(get_u32(tail.data())) - tail.size();
      want = std::min<uint64_t>(e.length, std::max<uint64_t>(want, need));
    }
    std::string chunk;
    if (Status s = file_->read(e.offset, want, chunk); !s) return s.error();
    e.offset += want;
    e.length -= want;
    if (e.length == 0) ++extent_;
    block_ = std::move(tail);
    block_ += chunk;
    pos_ = 0;
  }
}

void encode_row(const Row& row, std::string& out) {
  put_u32(out, static_cast<uint32_t>(row.size()));
  out.append(row.payload());
}

std::optional<Row> decode_row(std::string_view record) {
  if (record.size() < 4) return std::nullopt;
  uint32_t cells = get_u32(record.data());
  return Row::from_text_payload(std::string(record.substr(4)), cells);
}

Result<std::vector<SpillStream>> SpillPartitions::take() {
  std::vector<SpillStream> out;
  for (auto& w : writers_) {
    auto s = w.take();
    if (!s) return s.error();
    out.push_back(std::move(*s));
  }
  return out;
}

size_t spill_partition(std::string_view key, unsigned level) {
  // FNV-1a with the level mixed in: partitions of one level split evenly at the next.
  uint64_t h = 14695981039346656037ull ^ (uint64_t(level + 1) * 0x9E3779B97F4A7C15ull);
  for (unsigned char ch : key) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 32;
  return static_cast<size_t>(h % SpillPartitions::kCount);
}

Status MemoryBudget::add_spilled(uint64_t bytes) {
  spilled_ += bytes;
  if (spill_limit_ != 0 && spilled_ > spill_limit_) {
    return MergeError{protocol::errc::kUnknownError,
                      "the statement spilled more than " + std::to_string(spill_limit_) +
                          " bytes to disk (spill_max_bytes); narrow the query with WHERE or "
                          "LIMIT, or raise spill_max_bytes"};
  }
  return {};
}

MergeError MemoryBudget::out_of_memory(const char* what) const {
  return MergeError{protocol::ErrorCode{1038, "HY001"},
                    std::string("Out of sort memory: ") + what + " needs more than " +
                        std::to_string(limit_) +
                        " bytes (merge_memory_bytes) and spilling to disk is off (spill_dir); "
                        "raise merge_memory_bytes, set spill_dir, or narrow the query with "
                        "WHERE or LIMIT"};
}

}  // namespace tessera::exec
