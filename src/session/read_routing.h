// Read/write splitting: which instance of a slice a statement goes to (primary or a replica),
// decided from the statement's classification and the session's state alone, and which
// replica serves a read, chosen by weight among those healthy, within the lag limit and (for
// consistent reads) known to have applied what the read must see. Pure functions, no I/O and
// no allocation, so the per-statement cost is a few comparisons.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "config/read_consistency.h"
#include "sql/classify.h"

namespace tessera::session {

using config::parse_read_consistency;  // "EVENTUAL", "SESSION", "GLOBAL", any case
using config::ReadConsistency;
using config::to_string;

enum class RouteTarget : uint8_t {
  kPrimary,
  kReplica,
  kRejectWrite,  // a read-only (rw_flag=1) user tried to change data
};

// Why a statement goes where it goes (logs, tests).
enum class RouteReason : uint8_t {
  kNoSplit,           // the user has rw_split=0
  kRead,              // a plain read
  kReplicaHint,       // /*slave*/ on a read
  kReadOnlyTxn,       // inside START TRANSACTION READ ONLY (pinned to its replica)
  kWrite,             // writes, DDL and anything not known to be a read
  kTransaction,       // inside (or starting) a read-write transaction
  kLockingRead,       // FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE
  kSessionBound,      // LAST_INSERT_ID(), temporary tables, user variables, GET_LOCK(), ...
  kPinnedConnection,  // the session already depends on its primary connection
  kMasterHint,        // /*master*/ or /*+ master */
  kReadOnlyUser,      // rw_flag=1 and the statement would change data
};
std::string_view to_string(RouteReason r);

struct RouteDecision {
  RouteTarget target = RouteTarget::kPrimary;
  RouteReason reason = RouteReason::kNoSplit;
};

// What the session contributes to the decision.
struct RouteSession {
  bool rw_split = false;        // the user splits reads
  bool read_only_user = false;  // rw_flag=1
  bool in_transaction = false;  // a read-write transaction is open (BEGIN, autocommit=0 work)
  bool in_read_only_transaction = false;  // START TRANSACTION READ ONLY is open
  bool autocommit = true;                 // with autocommit off every statement opens a txn
  bool pinned = false;  // temporary tables, locks, user variables... tie it to the primary
};

// True when the statement changes data or schema (what a read-only user may not run).
// Session and transaction control (SET, USE, BEGIN, COMMIT, SHOW, ...) is not a write.
bool changes_data(const sql::StatementInfo& info);

// True when the statement's outcome depends on state held by one backend connection.
bool depends_on_session(const sql::StatementInfo& info);

RouteDecision decide_route(const sql::StatementInfo& info, const RouteSession& session);

// One replica as the chooser sees it.
struct ReplicaCandidate {
  int weight = 1;
  bool healthy = true;        // not known to be down
  std::optional<double> lag;  // seconds behind its primary; nullopt = unknown
  bool applied = true;        // known to contain the GTIDs the read must see
};

struct ReplicaFilter {
  double max_lag_seconds = 10;  // <= 0: no limit
  bool need_applied = false;    // consistent read: only replicas known to have applied
  int avoid = -1;               // index to leave out (a replica that just failed a wait)
};

// True when the candidate may serve a read under `filter`.
bool replica_eligible(const ReplicaCandidate& c, const ReplicaFilter& filter);

// Weighted choice among the eligible candidates, deterministic in `turn` (a per-session
// counter the caller increments per read): over any run of consecutive turns the replicas
// are chosen in proportion to their weights. Returns the index, or -1 when none is eligible.
int choose_replica(std::span<const ReplicaCandidate> candidates, const ReplicaFilter& filter,
                   uint64_t turn);

}  // namespace tessera::session
