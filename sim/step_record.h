// StepRecord: what one event did, the path it took and the Go functions on that path.
// Design essay: sim/malloc.h.
#pragma once

#include "sim/event.h"
#include "sim/locks.h"
#include "sim/mspan.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sim {

class SizeClassTable;

// Steps in call order along Go's paths; a StepRecord holds a set of them (bit i = step i).
enum class PathStep : uint8_t {
  BackgroundSweep,        // before the event: the background sweeper swept its budget (bgsweep)
  ZeroSize,               // mallocgc: size 0 -> &zerobase, nothing allocated
  TinyHit,                // tiny object packed into the current 16 B block
  TinyNewBlock,           // tiny object needed a new 16 B block from span class 5
  NextFreeFast,           // free slot found in the cached span's allocCache
  NextFree,               // mcache.nextFree: slow search in the cached span (nextFreeIndex)
  Refill,                 // cached span full (or none): mcache.refill
  UncacheSpan,            // the full span goes back to its mcentral
  ProportionalSweep,      // sweep debt paid before taking a span (deductSweepCredit -> sweepone)
  CacheSpanPartialSwept,  // cacheSpan took a span from partial swept
  CacheSpanPartialUnswept,// ... from partial unswept, sweeping it first
  CacheSpanFullUnswept,   // ... from full unswept, sweeping it first
  CentralGrow,            // mcentral.grow: a new span from the heap
  LargeAlloc,             // mcache.allocLarge: > MaxSmallSize, own span
  Reclaim,                // mheap.reclaim: unswept spans with no marked object swept before allocSpan
  AllocSpan,              // mheap.allocSpan
  PageCacheRefill,        // per-P page cache was empty: pageAlloc.allocToCache (heap lock)
  PageCacheHit,           // pages came from the per-P page cache (no heap lock)
  PageAllocFind,          // pages came from pageAlloc.alloc (first fit, heap lock)
  ArenaReserve,           // mheap.sysAlloc: a new 64 MiB arena reserved
  HeapGrow,               // mheap.grow: 4 MiB chunks mapped (Prepared, counted released)
  Free,                   // trace free: object became unreachable
  FreeReclaim,            // immediate mode: its slot is free again now
  GCTrigger,              // heapLive reached the pacer's trigger after a heavy allocation
  GCCycle,                // a GC cycle ran (mark, sweepgen += 2; sweeps everything unless lazy)
  ReleaseAll,             // mcache.releaseAll: every cached span returned, tiny block dropped
  Sweep,                  // spans swept (mgcsweep)
  FreeSpan,               // mheap.freeSpan: pages back to the page allocator
  ReadMemStats,           // runtime.ReadMemStats
  Annotate,               // lesson annotation, no allocator work
  FreeOSMemory,           // debug.FreeOSMemory: GC, then every free page released (scavengeAll)
  Scavenge,               // free pages returned to the OS (pageAlloc.scavenge, sysUnused)
  SysUsed,                // a span took released pages back from the OS (sysUsed)
  GFreeReuse,             // a new goroutine took a dead G with its 2 KiB stack (gfget)
  StackAlloc,             // stackalloc: from the P's stack cache, the stack pool or a manual span
  StackFree,              // stackfree: to the P's stack cache, the pool, or the heap (large)
  AllocBlack,             // allocated during a GC mark: marked at once (gcmarknewobject)
  MarkAssist,             // the P was in assist debt: it did mark work (gcAssistAlloc)
  MarkDone,               // the mark's scan work is all done: mark termination (gcMarkDone)
  Count
};

const char* pathStepName(PathStep s);

// Which of Go 1.24+'s mallocgc sub-allocators served an allocation (malloc.go). None under the
// Go 1.19 profile, whose mallocgc is one function.
enum class MallocPath : uint8_t { None, Tiny, SmallNoscan, SmallScanNoHeader, SmallScanHeader, Large };
const char* mallocPathFunction(MallocPath m); // "runtime.mallocgcTiny", ...; nullptr for None

// What the engine writes into a StepRecord; World::step resets only this part while the timing
// model is off (the timing fields then stay zero), as resetting all of it cost a tenth of an event.
struct StepPath {
  uint64_t index = 0;   // event index in the trace
  EventKind kind = EventKind::Alloc;
  uint32_t p = 0;       // the P that ran the event
  uint64_t id = 0;      // object id (alloc/free) or annotation index
  uint64_t size = 0;    // requested bytes (alloc) or the object's requested size (free)
  uint64_t path = 0;    // set of PathStep bits
  uint32_t sizeclass = 0;
  SpanClass spanclass = 0;
  uint64_t elemsize = 0;
  SpanId span = kNoSpan; // span touched (allocated from / freed into)
  uint32_t slot = 0;
  uint64_t addr = 0;     // object address
  uint32_t tinyOffset = 0;   // tiny path: offset inside the 16 B block
  MallocPath mallocPath = MallocPath::None; // Go 1.24+ profile: the sub-allocator (SmallScanHeader:
                                            // an 8-byte malloc header precedes addr in its slot)
  uint64_t newSpanBase = 0;  // a span allocated by this step: base address and pages
  uint32_t newSpanPages = 0;
  uint32_t spansSwept = 0;
  uint32_t spansFreed = 0;   // spans returned to the heap by this step
  uint64_t heapGrowBytes = 0;
  uint64_t scavengedBytes = 0; // released to the OS by this step (background, assist or forced)

  bool has(PathStep s) const { return (path >> static_cast<unsigned>(s)) & 1; }
  void add(PathStep s) { path |= uint64_t{1} << static_cast<unsigned>(s); }

  // Back to the defaults above, one store per field (World::step, every event): `*this = {}`
  // compiles to rep stosq, whose start-up cost was 2.7x that of these stores on the bench machine.
  void clear() {
    index = 0;
    kind = EventKind::Alloc;
    p = 0;
    id = size = path = 0;
    sizeclass = 0;
    spanclass = 0;
    elemsize = 0;
    span = kNoSpan;
    slot = 0;
    addr = 0;
    tinyOffset = 0;
    mallocPath = MallocPath::None;
    newSpanBase = 0;
    newSpanPages = spansSwept = spansFreed = 0;
    heapGrowBytes = scavengedBytes = 0;
  }
};
// A new field must be cleared in StepPath::clear too.
static_assert(sizeof(StepPath) == 120, "StepPath changed: update StepPath::clear");

struct StepRecord : StepPath {
  // Timing (sim/timing.h; all zero unless Config::timing is on), in simulated ns: when the event
  // asked to run (its trace time or its P's clock, whichever is later) and when it finished on
  // its P; the locks it took in order (the first kMaxLockTakes; a wait for the stopped world
  // counts as one, with hold 0), with the P that held each one it waited for; total wait and hold.
  static constexpr uint32_t kMaxLockTakes = 4;
  uint64_t start = 0, end = 0;
  uint64_t wait = 0, hold = 0;
  uint32_t locksTaken = 0;
  LockTake locks[kMaxLockTakes] = {};
};

// The Go functions on the record's path, outermost first (e.g. runtime.mallocgc, ...).
std::vector<const char*> goFunctions(const StepRecord& r);

// One line for a learner: "33 B → class 5 (48 B), mcache empty → mcentral.cacheSpan → ...".
std::string describe(const StepRecord& r);

} // namespace sim
