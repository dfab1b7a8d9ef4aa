// Fault injection for the XA coordinator's crash tests. Only the `tessera_failpoints`
// executable (or a build with -DTESSERA_FAILPOINTS=ON) links the armed implementation
// (failpoint_armed.cc); every other binary links failpoint_disarmed.cc, where each call is an
// empty function: the coordinator's code is the same in both.
//
// Armed by the environment at start-up, a comma-separated list of point:value:
//   TESSERA_FAILPOINT=after_prepare:2          SIGKILL itself after the 2nd successful XA PREPARE
//   TESSERA_FAILPOINT=after_decision:1         ... after the 1st commit decision is on disk
//   TESSERA_FAILPOINT=after_commit:3           ... after the 3rd successful XA COMMIT (2PC)
//   TESSERA_FAILPOINT=pause_after_decision:3000  every 2PC waits 3000 ms between the durable
//                                                decision and its first XA COMMIT
// or by the same text in the file named by TESSERA_FAILPOINT_FILE (read once at start-up).
#pragma once
#include <chrono>

namespace tessera::txn::failpoint {

enum class Point { kAfterPrepare, kAfterDecision, kAfterCommit };

// Reads the environment (once; later calls do nothing). Returns a description of what is armed
// ("" when nothing is, or in builds without failpoints) for the start-up log.
const char* arm_from_environment();
// Counts one passage through `p`; kills the process when its armed count is reached.
void hit(Point p);
// How long to pause after the decision (0 = no pause).
std::chrono::milliseconds pause_after_decision();
// after_commit is armed: commit the branches one at a time, so that "after N commits" leaves
// the others prepared rather than racing them.
bool serial_commits();

}  // namespace tessera::txn::failpoint
