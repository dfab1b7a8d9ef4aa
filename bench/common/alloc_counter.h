// Heap allocations of the whole process, counted by replacing the global operator new, so a
// benchmark can report allocations per statement. Link tessera_bench_alloc_counter.
#pragma once

#include <cstdint>

namespace tessera::bench {

uint64_t allocations();

}  // namespace tessera::bench
