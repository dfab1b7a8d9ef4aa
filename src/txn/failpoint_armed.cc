// Failpoints compiled in (tessera_failpoints, tests only): see failpoint.h.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>

#include "txn/failpoint.h"

namespace tessera::txn::failpoint {

namespace {

struct Armed {
  std::atomic<long> remaining[3] = {-1, -1, -1};  // per Point; -1 = not armed
  long pause_ms = 0;
  std::string text;
};

Armed& armed() {
  static Armed a;
  return a;
}

void parse(const std::string& spec) {
  std::stringstream items(spec);
  std::string item;
  while (std::getline(items, item, ',')) {
    auto colon = item.find(':');
    if (colon == std::string::npos) continue;
    std::string name = item.substr(0, colon);
    long value = std::atol(item.c_str() + colon + 1);
    if (name == "after_prepare") armed().remaining[0] = value;
    if (name == "after_decision") armed().remaining[1] = value;
    if (name == "after_commit") armed().remaining[2] = value;
    if (name == "pause_after_decision") armed().pause_ms = value;
  }
  armed().text = spec;
}

}  // namespace

const char* arm_from_environment() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::string spec;
    if (const char* env = std::getenv("TESSERA_FAILPOINT")) spec = env;
    if (const char* file = std::getenv("TESSERA_FAILPOINT_FILE")) {
      std::ifstream in(file);
      std::string line;
      if (in && std::getline(in, line)) spec += (spec.empty() ? "" : ",") + line;
    }
    parse(spec);
  });
  return armed().text.c_str();
}

void hit(Point p) {
  auto& counter = armed().remaining[static_cast<int>(p)];
  if (counter.load() <= 0) return;
  if (counter.fetch_sub(1) == 1) {
    // As `kill -9` would: no destructors, no flushing, nothing.
    ::kill(::getpid(), SIGKILL);
    ::_exit(9);
  }
}

std::chrono::milliseconds pause_after_decision() {
  return std::chrono::milliseconds(armed().pause_ms);
}

bool serial_commits() {
  return armed().remaining[static_cast<int>(Point::kAfterCommit)].load() > 0;
}

}  // namespace tessera::txn::failpoint
