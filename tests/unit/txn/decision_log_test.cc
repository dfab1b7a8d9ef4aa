#include "txn/decision_log.h"

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <fstream>
#include <thread>

#include "temp_dir.h"

namespace tessera::txn {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(DecisionLog, RecordsCarryAChecksum) {
  std::string line = DecisionLog::record("tsr:a:1:2");
  std::string g;
  EXPECT_TRUE(DecisionLog::parse_record(line, g));
  EXPECT_EQ(g, "tsr:a:1:2");
  std::string flipped = line;
  flipped[5] = 'b';
  EXPECT_FALSE(DecisionLog::parse_record(flipped, g));
  EXPECT_FALSE(DecisionLog::parse_record(line.substr(0, line.size() - 3), g));  // torn
  EXPECT_FALSE(DecisionLog::parse_record("", g));
}

TEST(DecisionLog, DecisionsSurviveReopeningAndTornTailsAreIgnored) {
  test::TempDir dir;
  auto path = dir.path() / "sub" / "xa.log";
  {
    DecisionLog log(path);
    EXPECT_TRUE(log.loaded().empty());
    EXPECT_FALSE(log.append_blocking("g1"));
    EXPECT_FALSE(log.append_blocking("g2"));
    EXPECT_EQ(log.records_in_file(), 2u);
  }
  {
    std::ofstream torn(path, std::ios::app);
    torn << DecisionLog::record("g3").substr(0, 6);  // a crash mid-write
  }
  DecisionLog again(path);
  EXPECT_EQ(again.loaded(), (std::vector<std::string>{"g1", "g2"}));
}

TEST(DecisionLog, OneProcessAtATime) {
  test::TempDir dir;
  DecisionLog log(dir.path() / "xa.log");
  try {
    DecisionLog second(dir.path() / "xa.log");
    FAIL() << "a second writer opened a locked log";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("locked by another process"), std::string::npos)
        << e.what();
  }
}

TEST(DecisionLog, ConcurrentAppendsShareFsyncs) {
  test::TempDir dir;
  DecisionLog log(dir.path() / "xa.log");
  asio::io_context io;
  constexpr int kAppends = 200;
  std::vector<std::future<std::error_code>> done;
  for (int i = 0; i < kAppends; ++i) {
    done.push_back(asio::co_spawn(io, log.append("g" + std::to_string(i)), asio::use_future));
  }
  std::thread runner([&] { io.run(); });
  for (auto& f : done) EXPECT_FALSE(f.get());
  runner.join();
  EXPECT_EQ(log.records_in_file(), static_cast<uint64_t>(kAppends));
  // Appends queued while an fsync runs ride on the next one.
  EXPECT_LT(log.syncs(), static_cast<uint64_t>(kAppends));
}

TEST(DecisionLog, RewriteKeepsOnlyWhatIsStillNeeded) {
  test::TempDir dir;
  auto path = dir.path() / "xa.log";
  {
    DecisionLog log(path);
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(log.append_blocking("g" + std::to_string(i)));
    EXPECT_FALSE(log.rewrite([] { return std::vector<std::string>{"g3"}; }));
    EXPECT_EQ(log.records_in_file(), 1u);
    EXPECT_FALSE(log.append_blocking("g9"));  // appends go to the new file
    EXPECT_EQ(slurp(path), DecisionLog::record("g3") + DecisionLog::record("g9"));
  }
  DecisionLog again(path);
  EXPECT_EQ(again.loaded(), (std::vector<std::string>{"g3", "g9"}));
}

}  // namespace
}  // namespace tessera::txn
