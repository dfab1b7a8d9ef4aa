#include "base/base.h"
#include "exec/engine/engine.h"
#include "mid/mid.h"
#include "router/planner.h"
