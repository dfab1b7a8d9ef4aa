// Spill files: where a blocking operator moves the rows it holds once its statement is over
// the memory budget (memory_budget.h). One file per spilling operator, unlinked as soon as it
// is created (O_TMPFILE, else mkstemp + unlink), so the file has no name and its space is given
// back when the descriptor closes: at statement end, on an error and when a client disconnects
// (the operator is destroyed with the statement's coroutine), and even when the process dies.
// An operator writes any number of streams into its one file (sorted runs, hash partitions),
// each a list of extents, so the descriptors a statement holds stay bounded by its operators.
//
// I/O is blocking, on the worker thread that runs the statement: every other session of that
// worker waits while a block is written or read. Blocks are large (kBlockBytes) so that a
// spilling statement makes few system calls, and spilling only starts past the budget: the
// trade-off accepted is occasional stalls of a few milliseconds per block on a slow disk
// against a thread pool and its hand-offs on every block (there is none in the process yet).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exec/memory_budget.h"
#include "exec/merge_error.h"
#include "exec/row.h"

namespace tessera::exec {

// Records are buffered and written in blocks of about this size (a record is never split).
inline constexpr size_t kBlockBytes = 256 * 1024;

// Process-wide counters (for /metrics and benchmarks).
struct SpillTotals {
  uint64_t files = 0;          // spill files created
  uint64_t bytes_written = 0;  // bytes written to them
  uint64_t open_files = 0;     // spill files open now
};
SpillTotals spill_totals();

struct SpillExtent {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// A sequence of records written to one file, in write order.
struct SpillStream {
  std::vector<SpillExtent> extents;
  uint64_t records = 0;
  uint64_t bytes = 0;
  bool empty() const { return records == 0; }
};

class SpillFile {
 public:
  // A new unlinked file in the budget's spill directory (created, mode 0700, when missing).
  static Result<std::unique_ptr<SpillFile>> create(MemoryBudget& budget);
  ~SpillFile();
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  // Appends `data` at the end of the file (counted against the budget's spill limit).
  Result<SpillExtent> append(std::string_view data);
  // Reads `length` bytes at `offset` into `out` (resized).
  Status read(uint64_t offset, uint64_t length, std::string& out) const;
  uint64_t size() const { return end_; }

 private:
  SpillFile(int fd, MemoryBudget& budget, std::string dir)
      : fd_(fd), budget_(&budget), dir_(std::move(dir)) {}
  MergeError io_error(const char* what, int err) const;

  int fd_;
  MemoryBudget* budget_;
  std::string dir_;
  uint64_t end_ = 0;
};

// Buffers records (a 4-byte length, then the bytes) and appends them as blocks.
class SpillWriter {
 public:
  explicit SpillWriter(SpillFile& file) : file_(&file) {}
  Status add(std::string_view record);
  // Writes what is buffered; the stream written since the last take().
  Result<SpillStream> take();
  size_t buffered() const { return buffer_.size(); }

 private:
  Status flush();
  SpillFile* file_;
  std::string buffer_;
  SpillStream stream_;
};

// Reads a stream's records back in order, one block at a time.
class SpillReader {
 public:
  SpillReader() = default;
  SpillReader(const SpillFile& file, SpillStream stream)
      : file_(&file), stream_(std::move(stream)) {}
  // The next record (valid until the next call), false at the end.
  Result<bool> next(std::string_view& record);

 private:
  const SpillFile* file_ = nullptr;
  SpillStream stream_;
  size_t extent_ = 0;
  std::string block_;
  size_t pos_ = 0;
};

// Rows as records: the cell count, then the text-protocol payload.
void encode_row(const Row& row, std::string& out);
std::optional<Row> decode_row(std::string_view record);
// A record that did not read back.
MergeError corrupt_spill();

// Rows hash-partitioned into `count` streams of one file, each with its own block buffer.
class SpillPartitions {
 public:
  static constexpr size_t kCount = 16;
  SpillPartitions(SpillFile& file) : file_(&file) {
    for (size_t i = 0; i < kCount; ++i) writers_.emplace_back(file);
  }
  Status add(size_t partition, std::string_view record) {
    return writers_[partition % kCount].add(record);
  }
  // Flushes every partition; their streams, in partition order.
  Result<std::vector<SpillStream>> take();
  SpillFile& file() { return *file_; }

 private:
  SpillFile* file_;
  std::vector<SpillWriter> writers_;
};

// The partition of a hash key at recursion `level` (a different hash per level, so a partition
// too large for the budget splits again).
size_t spill_partition(std::string_view key, unsigned level);

}  // namespace tessera::exec
