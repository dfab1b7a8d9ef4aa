// The planner's last step: the plan's queries and result mode become the tree of exec/engine
// primitives the engine runs (one Route, or a Scatter whose merge the planner described).
// Reads get Role::kReadSplit: whether a replica serves them is the session's decision at run
// time (its user, transaction and consistency level), made in the cursor.
#pragma once
#include "exec/engine/retry_policy.h"
#include "router/plan.h"

namespace tessera::router {

void attach_primitives(Plan& plan, const exec::engine::StatementTraits& traits);

}  // namespace tessera::router
