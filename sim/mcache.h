// mcache and P: per-P caches that need no lock. Design essay: sim/malloc.h.
// Go: mcache.go (type mcache), runtime2.go (type p: mcache, pcache, mspancache).
#pragma once

#include "sim/mpagealloc.h"
#include "sim/mspan.h"

#include <cstdint>
#include <vector>

namespace sim {

struct MCache {
  std::vector<SpanId> alloc; // per span class; kNoSpan stands for Go's emptymspan
  uint64_t tiny = 0;         // base of the current 16 B tiny block, 0 if none
  uint32_t tinyoffset = 0;
  uint64_t tinyAllocs = 0;   // tiny sub-allocations not yet flushed to the global counters
  uint64_t scanAlloc = 0;    // pointerful bytes allocated since the last flush (pacer input)
  uint32_t flushGen = 0;     // mheap.sweepgen at the last flush
};

struct P {
  MCache mcache;
  PageCache pcache;
  uint32_t mspancache = 0;   // mspan structs cached by this P (Go: p.mspancache, cap 128)
};

inline constexpr uint32_t kMSpanCacheCap = 128;   // Go: len(p.mspancache.buf)
inline constexpr uint32_t kMSpanCacheRefill = 64; // Go: allocMSpanLocked refills half

} // namespace sim
