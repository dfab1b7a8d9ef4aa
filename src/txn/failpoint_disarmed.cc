// Failpoints compiled out: the production binary never kills or pauses itself.
#include "txn/failpoint.h"

namespace tessera::txn::failpoint {

const char* arm_from_environment() {
  return "";
}
void hit(Point) {}
std::chrono::milliseconds pause_after_decision() {
  return std::chrono::milliseconds(0);
}
bool serial_commits() {
  return false;
}

}  // namespace tessera::txn::failpoint
