// MemStats as Go 1.19 computes them, and the waste ledger. Design essay: sim/malloc.h.
// Go: mstats.go (MemStats, ReadMemStats, heapStatsDelta), mgcpacer.go (heapInUse/heapFree/heapReleased).
#pragma once

#include <cstdint>
#include <vector>

namespace sim {

// The consistent counters (Go: heapStatsDelta, merged). Small-object counts reach them only when a
// span leaves an mcache (refill/releaseAll), as in Go.
struct HeapStats {
  std::vector<uint64_t> smallAllocCount; // per size class
  std::vector<uint64_t> smallFreeCount;
  uint64_t largeAlloc = 0, largeAllocCount = 0;
  uint64_t largeFree = 0, largeFreeCount = 0;
  uint64_t tinyAllocCount = 0;
};

// The subset of runtime.MemStats the engine reproduces (Go field names).
struct MemStats {
  uint64_t Alloc = 0, TotalAlloc = 0, Sys = 0, Mallocs = 0, Frees = 0;
  uint64_t HeapAlloc = 0, HeapSys = 0, HeapIdle = 0, HeapInuse = 0, HeapReleased = 0, HeapObjects = 0;
  uint64_t StackInuse = 0, StackSys = 0; // stack spans (not in HeapSys); OS thread stacks not modelled
  uint64_t MSpanInuse = 0, MSpanSys = 0, MCacheInuse = 0, MCacheSys = 0;
  uint64_t NextGC = 0;
  uint32_t NumGC = 0, NumForcedGC = 0;
  // Not MemStats fields, or not in Go's units: the pacer's trigger (Go: gcController.trigger()),
  // the last GC as an event index (~0: none yet) and as the simulated ns at which that event ended
  // on its P (timing model on; Go's LastGC is wall-clock ns), the share of the Ps' simulated time the GC worker was busy (timing model
  // on; Go: GCCPUFraction), and the sweep's progress (unswept spans left; 0 = sweep done).
  uint64_t GCTrigger = 0;
  uint64_t LastGCEvent = ~uint64_t{0}, LastGC = 0;
  double GCCPUFraction = 0;
  uint64_t UnsweptSpans = 0;
  struct BySizeEntry {
    uint32_t Size = 0;
    uint64_t Mallocs = 0, Frees = 0;
  };
  std::vector<BySizeEntry> BySize; // every class (Go's API truncates to 61 entries; we do not)
};

// Every byte of HeapSys counted once.
struct WasteLedger {
  uint64_t liveBytes = 0;      // requested bytes of reachable objects
  uint64_t roundingWaste = 0;  // slot bytes of reachable objects beyond their request (tiny: block rest)
  uint64_t deadBytes = 0;      // slots of unreachable objects not yet swept (gc mode)
  uint64_t tailWaste = 0;      // span bytes past the last slot
  uint64_t freeSlots = 0;      // free slots in spans that sit in mcentral
  uint64_t cachedFreeSlots = 0;// free slots in spans cached in an mcache
  uint64_t freePages = 0;      // free, committed pages (HeapFree)
  uint64_t releasedPages = 0;  // free pages returned to / never taken from the OS (HeapReleased)
  // Parts of the categories above, not categories of their own (not in total()): Go 1.22+'s 8-byte
  // malloc headers of reachable objects (inside roundingWaste), and the span-end metadata of Go
  // 1.22+ heap bits and Go 1.26 inline mark bits (inside tailWaste). Both 0 under Go 1.19.
  uint64_t headerBytes = 0;
  uint64_t spanMetaBytes = 0;
  uint64_t total() const {
    return liveBytes + roundingWaste + deadBytes + tailWaste + freeSlots + cachedFreeSlots +
           freePages + releasedPages;
  }
};

// The mspan and mcache struct sizes are per Go release: GoProfile (sim/goversion.h).

} // namespace sim
