#pragma once
#include <string>
#include "base/other.h"
struct Base {};
