#pragma once
#include "exec/engine/engine.h"
