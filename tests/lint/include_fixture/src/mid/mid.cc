#include "mid/mid.h"

#include "base/base.h"
#include "nlohmann/json.hpp"
