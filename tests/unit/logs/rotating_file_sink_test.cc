#include "logs/rotating_file_sink.h"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using tessera::logs::rotated_name;
using tessera::logs::RotatingFileSink;

namespace {

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("tessera-logs-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

spdlog::logger make_logger(std::shared_ptr<RotatingFileSink> sink) {
  spdlog::logger logger("test", std::move(sink));
  logger.set_pattern("%v");
  logger.flush_on(spdlog::level::info);
  return logger;
}

}  // namespace

TEST(RotatingFileSink, RotatesBySizeKeepingMaxFiles) {
  TempDir dir;
  fs::path log = dir.path() / "general.log";
  auto sink = std::make_shared<RotatingFileSink>(log, 100, 2);
  auto logger = make_logger(sink);
  // 10 lines of 40 bytes (39 + newline) into files of at most 100 bytes: 2 lines per file.
  for (int i = 0; i < 10; ++i) logger.info("line {} {}", i, std::string(39 - 7, 'x'));
  EXPECT_LE(fs::file_size(log), 100u);
  EXPECT_TRUE(fs::exists(rotated_name(log, 1)));
  EXPECT_TRUE(fs::exists(rotated_name(log, 2)));
  EXPECT_FALSE(fs::exists(rotated_name(log, 3)));
  // The newest lines are in the file itself, the ones before in .1, then .2.
  EXPECT_NE(read_file(log).find("line 9"), std::string::npos);
  EXPECT_NE(read_file(rotated_name(log, 1)).find("line 7"), std::string::npos);
  EXPECT_NE(read_file(rotated_name(log, 2)).find("line 5"), std::string::npos);
}

TEST(RotatingFileSink, NoMaxSizeNeverRotates) {
  TempDir dir;
  fs::path log = dir.path() / "slow.log";
  auto logger = make_logger(std::make_shared<RotatingFileSink>(log, 0, 3));
  for (int i = 0; i < 1000; ++i) logger.info("statement {}", i);
  EXPECT_FALSE(fs::exists(rotated_name(log, 1)));
  EXPECT_GT(fs::file_size(log), 10000u);
}

TEST(RotatingFileSink, ZeroMaxFilesTruncates) {
  TempDir dir;
  fs::path log = dir.path() / "t.log";
  auto logger = make_logger(std::make_shared<RotatingFileSink>(log, 50, 0));
  for (int i = 0; i < 10; ++i) logger.info("0123456789012345678{}", i);
  EXPECT_FALSE(fs::exists(rotated_name(log, 1)));
  EXPECT_LE(fs::file_size(log), 50u);
  EXPECT_NE(read_file(log).find("0123456789012345678" + std::to_string(9)), std::string::npos);
}

TEST(RotatingFileSink, AppendsToAnExistingFileAndCountsItsSize) {
  TempDir dir;
  fs::path log = dir.path() / "a.log";
  {
    std::ofstream out(log);
    out << std::string(90, 'p') << "\n";
  }
  auto logger = make_logger(std::make_shared<RotatingFileSink>(log, 100, 1));
  logger.info("0123456789");  // 91 + 11 > 100: the old content moves to .1 first
  EXPECT_EQ(read_file(log), "0123456789\n");
  EXPECT_EQ(read_file(rotated_name(log, 1)), std::string(90, 'p') + "\n");
}

TEST(RotatingFileSink, ReopenAfterTheFileWasMovedAway) {
  TempDir dir;
  fs::path log = dir.path() / "general.log";
  auto sink = std::make_shared<RotatingFileSink>(log, 0, 0);
  auto logger = make_logger(sink);
  logger.info("before");
  fs::path moved = dir.path() / "general.log.moved";
  fs::rename(log, moved);
  logger.info("still the old file");  // no reopen yet: the open file is the moved one
  sink->reopen();
  logger.info("after");
  EXPECT_EQ(read_file(moved), "before\nstill the old file\n");
  EXPECT_EQ(read_file(log), "after\n");
}

TEST(RotatingFileSink, FilesItCreatesAreOwnerOnly) {
  TempDir dir;
  fs::path log = dir.path() / "general.log";
  mode_t old_umask = ::umask(022);
  {
    auto sink = std::make_shared<RotatingFileSink>(log, 10, 2);
    auto logger = make_logger(sink);
    logger.info("password lines");
    logger.info("rotated");  // past 10 bytes: general.log -> general.log.1, a new general.log
    sink->reopen();
  }
  ::umask(old_umask);
  for (const fs::path& p : {log, rotated_name(log, 1)}) {
    ASSERT_TRUE(fs::exists(p)) << p;
    auto perms = fs::status(p).permissions();
    EXPECT_EQ(perms & (fs::perms::group_all | fs::perms::others_all), fs::perms::none) << p;
  }
}
