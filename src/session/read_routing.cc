#include "session/read_routing.h"

namespace tessera::session {

namespace {

// Functions whose result comes from the connection's own history or locks: on another
// connection they would answer for someone else (CONNECTION_ID() too: it names the
// connection the session's writes used).
constexpr uint32_t kSessionBoundFunctions =
    sql::session_function_bit(sql::kSessionFnLastInsertIdIndex) |
    sql::session_function_bit(sql::kSessionFnFoundRowsIndex) |
    sql::session_function_bit(sql::kSessionFnRowCountIndex) |
    sql::session_function_bit(sql::kSessionFnGetLockIndex) |
    sql::session_function_bit(sql::kSessionFnReleaseLockIndex) |
    sql::session_function_bit(sql::kSessionFnReleaseAllLocksIndex) |
    sql::session_function_bit(sql::kSessionFnIsUsedLockIndex) |
    sql::session_function_bit(sql::kSessionFnIsFreeLockIndex) |
    sql::session_function_bit(sql::kSessionFnConnectionIdIndex) |
    sql::session_function_bit(sql::kSessionFnMasterPosWaitIndex) |
    sql::session_function_bit(sql::kSessionFnMasterGtidWaitIndex) |
    sql::session_function_bit(sql::kSessionFnWaitForExecutedGtidSetIndex) |
    sql::session_function_bit(sql::kSessionFnLastValueIndex) |
    sql::session_function_bit(sql::kSessionFnNextValueIndex);

}  // namespace

std::string_view to_string(RouteReason r) {
  switch (r) {
    case RouteReason::kNoSplit:
      return "no read/write split for this user";
    case RouteReason::kRead:
      return "read";
    case RouteReason::kReplicaHint:
      return "replica hint";
    case RouteReason::kReadOnlyTxn:
      return "read-only transaction";
    case RouteReason::kWrite:
      return "write";
    case RouteReason::kTransaction:
      return "read-write transaction";
    case RouteReason::kLockingRead:
      return "locking read";
    case RouteReason::kSessionBound:
      return "session-bound statement";
    case RouteReason::kPinnedConnection:
      return "session pinned to its primary connection";
    case RouteReason::kMasterHint:
      return "master hint";
    case RouteReason::kReadOnlyUser:
      return "read-only user";
  }
  return "?";
}

bool changes_data(const sql::StatementInfo& info) {
  using K = sql::StatementKind;
  switch (info.kind) {
    case K::Insert:
    case K::Replace:
    case K::Update:
    case K::Delete:
    case K::LoadData:
    case K::CreateTable:
    case K::AlterTable:
    case K::DropTable:
    case K::TruncateTable:
    case K::RenameTable:
    case K::CreateIndex:
    case K::DropIndex:
    case K::CreateDatabase:
    case K::DropDatabase:
    case K::CreateView:
    case K::DropView:
    case K::OtherDdl:
    case K::Call:  // a procedure may write; a read-only account cannot tell
      return true;
    default:
      return false;
  }
}

bool depends_on_session(const sql::StatementInfo& info) {
  return (info.session_functions & kSessionBoundFunctions) != 0 || info.creates_temporary_table ||
         info.drops_temporary_table || info.uses_user_variable_assignment ||
         info.has_sql_calc_found_rows;
}

RouteDecision decide_route(const sql::StatementInfo& info, const RouteSession& s) {
  using K = sql::StatementKind;
  // A read-only account may change nothing, split or not (the temporary tables that a
  // read-only server allows are writes here too: they would need the primary).
  if (s.read_only_user && changes_data(info))
    return {RouteTarget::kRejectWrite, RouteReason::kReadOnlyUser};
  if (!s.rw_split) return {RouteTarget::kPrimary, RouteReason::kNoSplit};
  // START TRANSACTION READ ONLY and everything up to its end run on one replica.
  if (s.in_read_only_transaction) return {RouteTarget::kReplica, RouteReason::kReadOnlyTxn};
  if (info.kind == K::Begin && info.is_read_only_txn) {
    return {RouteTarget::kReplica, RouteReason::kReadOnlyTxn};
  }
  if (info.hint_master) return {RouteTarget::kPrimary, RouteReason::kMasterHint};
  if (info.kind == K::Begin || s.in_transaction || !s.autocommit) {
    return {RouteTarget::kPrimary, RouteReason::kTransaction};
  }
  if (info.has_locking_read) return {RouteTarget::kPrimary, RouteReason::kLockingRead};
  if (!info.is_read() || info.is_multi_statement) {
    return {RouteTarget::kPrimary, RouteReason::kWrite};
  }
  // A read. /*slave*/ is the client's word that it needs nothing of its connection.
  if (info.hint_slave) return {RouteTarget::kReplica, RouteReason::kReplicaHint};
  if (depends_on_session(info)) return {RouteTarget::kPrimary, RouteReason::kSessionBound};
  if (s.pinned) return {RouteTarget::kPrimary, RouteReason::kPinnedConnection};
  return {RouteTarget::kReplica, RouteReason::kRead};
}

bool replica_eligible(const ReplicaCandidate& c, const ReplicaFilter& f) {
  if (!c.healthy || c.weight <= 0) return false;
  if (f.max_lag_seconds > 0 && c.lag && *c.lag > f.max_lag_seconds) return false;
  if (f.need_applied && !c.applied) return false;
  return true;
}

int choose_replica(std::span<const ReplicaCandidate> candidates, const ReplicaFilter& filter,
                   uint64_t turn) {
  uint64_t total = 0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (static_cast<int>(i) == filter.avoid) continue;
    if (replica_eligible(candidates[i], filter))
      total += static_cast<uint64_t>(candidates[i].weight);
  }
  if (total == 0) return -1;
  uint64_t slot = turn % total;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (static_cast<int>(i) == filter.avoid || !replica_eligible(candidates[i], filter)) continue;
    uint64_t w = static_cast<uint64_t>(candidates[i].weight);
    if (slot < w) return static_cast<int>(i);
    slot -= w;
  }
  return -1;
}

}  // namespace tessera::session
