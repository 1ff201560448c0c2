// The timing and lock model: a discrete-event schedule of the engine's events over GOMAXPROCS Ps,
// with a cost model in simulated nanoseconds and contention on the allocator's locks.
// Design essay: sim/malloc.h (TIME AND LOCKS). Go: the locking story of mheap.go, mcentral.go
// and mspanset.go (1.19) and of mcentral.go in Go <= 1.14.
//
// The engine (World) runs events in trace order and, while timing is on, logs the operations it
// performs that cost time or take a lock (Op: mcentral take/return, sweep of a span, heap-locked
// page allocation, freeSpan, GC phases). After each event LockModel::observe() schedules it on
// its P: it starts at max(its trace time, its P's clock) (without a trace time: when its P is
// free, a free not before its object's allocation ended), pays the cost of its path, then its
// operations in order; an operation under a lock held by someone else at that moment waits.
// Differences from Go, briefly: costs are constants per operation (no caches, no NUMA, no
// zeroing of reused memory); locks are granted first-fit in trace order (locks.h); a GC that the
// pacer triggers stops the world once on the allocating P, and its mark and sweep run on one
// background "GC worker" (Go spreads them over dedicated workers and allocating goroutines), as
// does the background sweeper's work in lazy mode (ops flagged kOpBackground).
#pragma once

#include "sim/event.h"
#include "sim/locks.h"
#include "sim/step_record.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sim {

// How mcentral is synchronised.
enum class CentralMode : uint8_t {
  LockFree, // Go 1.15+: spanSets with atomic push/pop; spineLock only for a new 512-span block
  Mutex,    // Go <= 1.14 and the textbook: one mutex per span class around its lists
};
const char* centralModeName(CentralMode m); // "lockfree" | "mutex"

// Where an event's earliest start comes from.
enum class ClockSource : uint8_t {
  Trace, // max(the event's trace time, its P's clock); an event without a time as in Model
  Model, // its P's clock: each P runs its events back to back (a free also waits until its
         // object's allocation has finished, on whichever P)
};
const char* clockSourceName(ClockSource c); // "trace" | "model"

// Simulated nanoseconds per operation. The defaults (go119Amd64) and where each number came from
// are in assets/cost_models/go1.19-amd64.json and the README.
struct CostModel {
  std::string name = "go1.19-amd64";
  uint32_t zeroSize = 0;        // mallocgc(0): returns &zerobase
  uint32_t tinyHit = 0;         // mallocgc packing into the current tiny block
  uint32_t mcacheHit = 0;       // mallocgc with a slot from nextFreeFast (end to end)
  uint32_t nextFree = 0;        // + mcache.nextFree's nextFreeIndex search
  uint32_t refill = 0;          // + mcache.refill's own bookkeeping
  uint32_t spanSetPop = 0;      // lockfree: one spanSet pop in cacheSpan (CAS)
  uint32_t spanSetPush = 0;     // lockfree: one spanSet push (atomic add + store)
  uint32_t spineGrow = 0;       // lockfree: held under spineLock to add a 512-entry block
  uint32_t centralTake = 0;     // mutex: cacheSpan's list scan, held under mcentral.lock
  uint32_t centralListOp = 0;   // mutex: one list move, held under mcentral.lock
  uint32_t sweepSpan = 0;       // sweeping one span
  uint32_t allocSpan = 0;       // allocSpan's span initialisation (no lock)
  uint32_t pageCacheHit = 0;    // pageCache.alloc (no lock)
  uint32_t pageCacheRefill = 0; // pageAlloc.allocToCache, held under the heap lock
  uint32_t pageAlloc = 0;       // pageAlloc.alloc (find + allocRange), held under the heap lock
  uint32_t mspanRefill = 0;     // allocMSpanLocked refilling 64 mspan structs, under the heap lock
  uint32_t heapGrow = 0;        // mheap.grow per 4 MiB chunk (sysMap, pageAlloc.grow), under it
  uint32_t arenaReserve = 0;    // sysReserve of a 64 MiB arena, under the heap lock
  uint32_t largeAlloc = 0;      // mallocgc + allocLarge bookkeeping outside allocSpan
  uint32_t freeSpan = 0;        // mheap.freeSpanLocked, held under the heap lock
  uint32_t freeReclaim = 0;     // immediate liveness: reclaiming the freed slot
  uint32_t gcSweepTermination = 0; // a GC cycle's first stop-the-world pause
  uint32_t gcMarkTermination = 0;  // its second stop-the-world pause
  uint32_t gcMarkBase = 0;      // marking, fixed part
  uint32_t gcMarkSpan = 0;      // marking, per in-use span
  uint32_t gcScanKiB = 0;       // marking: scan work, per KiB scanned (mark assists, mark workers)
  uint32_t allocTouchKiB = 0;   // the mutator's time per KiB of slot it allocates (zeroing, first
                                // touch); only the mark's clock uses it (modelledEventNs)
  uint32_t readMemStats = 0;    // ReadMemStats' stop-the-world
  uint32_t scavengePage = 0;    // the background scavenger: per 4 KiB page it returns (sysUnused)
  uint32_t scavengeCall = 0;    // the background scavenger: per range it returns (scavengeOne: one
                                // candidate, its madvise calls, the heap lock taken twice)

  static CostModel go119Amd64(); // the built-in defaults
  bool operator==(const CostModel&) const = default;
};

// The modelled CPU time of one event's own work without the lock model: its path (mallocgc down
// to the refill) plus the spans it swept and the heap operations it did, from the cost model.
// The clock of the concurrent mark (sim/mgc.cpp) when the trace has no times.
// Inline: the mark's and the scavenger's clocks call it after every event; the rare parts (a slow
// path, sweeps, freed spans) are tested once each.
inline uint64_t modelledEventNs(const CostModel& c, const StepRecord& r) {
  uint64_t ns = 0;
  if (r.kind == EventKind::Alloc) {
    if (r.has(PathStep::ZeroSize)) ns = c.zeroSize;
    else if (r.has(PathStep::TinyHit)) ns = c.tinyHit;
    else ns = (r.has(PathStep::LargeAlloc) ? c.largeAlloc + c.allocSpan : c.mcacheHit) + r.elemsize * c.allocTouchKiB / 1024;
    constexpr uint64_t slow = uint64_t{1} << static_cast<unsigned>(PathStep::NextFree) |
                              uint64_t{1} << static_cast<unsigned>(PathStep::Refill);
    if (r.path & slow) {
      if (r.has(PathStep::NextFree)) ns += c.nextFree;
      if (r.has(PathStep::Refill)) ns += c.refill + c.spanSetPop + c.spanSetPush;
    }
  }
  if ((r.spansSwept | r.spansFreed) != 0) ns += uint64_t{r.spansSwept} * c.sweepSpan + uint64_t{r.spansFreed} * c.freeSpan;
  return ns;
}

// One cost-model field by name (the JSON key), for loaders and reports.
struct CostField {
  const char* key;           // "mcache_hit"
  uint32_t CostModel::*field;
  const char* meaning;
};
const std::vector<CostField>& costFields();

struct TimingConfig {
  bool enabled = false;
  CentralMode central = CentralMode::LockFree;
  ClockSource clock = ClockSource::Trace;
  CostModel cost = CostModel::go119Amd64();
  uint64_t fromEvent = 0; // events before this index run untimed (a benchmark's set-up phase)
};

// What the engine did that costs time or takes a lock, in call order (World logs these while
// timing is on).
enum class OpKind : uint8_t {
  CentralTake,       // mcentral.cacheSpan looks for a span (spc)
  CentralInsert,     // Go <= 1.14: cacheSpan re-locks to list a freshly grown span (spc)
  CentralReturn,     // a span goes to a swept set / list (spc; flags kOpFull, kOpNewBlock)
  SweepSpan,         // one span swept (spc)
  PageCacheRefill,   // allocSpan refilled the P's page cache (heap lock)
  HeapAlloc,         // allocSpan's heap-locked part (flags kOpFind, kOpGrow, kOpArena, kOpMSpanRefill; count = chunks)
  SpanInit,          // allocSpan's unlocked rest: pages from the page cache (flag kOpCacheHit), span set-up
  FreeSpan,          // mheap.freeSpan (spc)
  GCStart,           // sweep termination: first stop-the-world
  GCMark,            // concurrent mark (count = in-use spans)
  GCMarkTermination, // second stop-the-world; flushes and sweeping follow
};
inline constexpr uint8_t kOpFull = 1, kOpNewBlock = 2;                        // CentralReturn
inline constexpr uint8_t kOpFind = 1, kOpGrow = 2, kOpArena = 4, kOpMSpanRefill = 8; // HeapAlloc
inline constexpr uint8_t kOpCacheHit = 1;                                          // SpanInit
inline constexpr uint8_t kOpBackground = 0x80; // any op: done by the background sweeper (GC worker)

struct Op {
  OpKind kind;
  uint8_t flags;
  SpanClass spc;
  uint32_t count;
};

struct LockFigures {
  LockId lock = 0;
  std::string name;
  uint64_t acquisitions = 0; // stop-the-world: pauses
  uint64_t contended = 0;    // acquisitions that waited (stop-the-world: events held up by a pause)
  uint64_t waitTotal = 0, waitP99 = 0, waitMax = 0; // ns; p99 over all acquisitions
  uint64_t holdTotal = 0;    // ns
  double utilisation = 0;    // holdTotal / makespan
};

struct ProcFigures {
  uint32_t who = 0;          // P index, or kGCWorker
  uint64_t events = 0, allocs = 0;
  uint64_t busy = 0, waiting = 0, idle = 0; // ns within the makespan
  uint64_t latencyP50 = 0, latencyP99 = 0, latencyMax = 0; // allocations, start to end incl. waits
};

struct TimingFigures {
  CentralMode central = CentralMode::LockFree;
  ClockSource clock = ClockSource::Trace;
  std::string costModel;
  uint32_t procs = 1;
  uint64_t firstStart = 0, lastEnd = 0, makespan = 0; // simulated ns
  uint64_t events = 0, allocs = 0;                    // events timed (annotations excluded)
  double allocsPerSecond = 0;                         // allocs / makespan
  uint64_t latencyP50 = 0, latencyP99 = 0, latencyMax = 0; // every P's allocations
  uint64_t heapWait = 0;                              // Ps' total wait for mheap.lock
  double heapWaitShare = 0;                           // heapWait / Ps' busy + waiting time
  std::vector<LockFigures> locks;                     // locks taken at least once, by id
  std::vector<ProcFigures> executors;                 // Ps in order, then the GC worker if it ran
};

// Wait time over (simulated time x lock), in a fixed number of columns whose width doubles (two
// columns merge) whenever time runs past the last one: memory stays bounded for any trace.
class WaitHeatMap {
 public:
  static constexpr uint32_t kColumns = 128;
  void add(size_t lockIndex, LockId lock, uint64_t begin, uint64_t end);
  void setOrigin(uint64_t t) { origin_ = t; }
  uint64_t origin() const { return origin_; }       // simulated ns of column 0's left edge
  uint64_t columnNs() const { return width_; }      // width of one column
  size_t rows() const { return rowLock_.size(); }   // locks that ever waited, in order of first wait
  LockId rowLock(size_t r) const { return rowLock_[r]; }
  uint64_t cell(size_t r, uint32_t col) const { return cells_[r * kColumns + col]; } // wait ns

 private:
  void widen();
  uint64_t origin_ = 0, width_ = 1000;
  std::vector<int32_t> rowOf_; // by lock index; -1 = no row yet
  std::vector<LockId> rowLock_;
  std::vector<uint64_t> cells_; // rows x kColumns
};

// A stretch of one executor's time: an event running (begin..end, waits included) or one wait.
struct TimeSegment {
  enum Kind : uint8_t { Run, Wait };
  uint64_t event = 0;     // event index
  uint64_t begin = 0, end = 0;
  uint32_t who = 0;       // P or kGCWorker
  Kind kind = Run;
  LockId lock = 0;        // Wait: the lock
  uint32_t holder = kNoHolder; // Wait: who held it
};

class LockModel {
 public:
  LockModel(const TimingConfig& cfg, uint32_t procs, uint32_t numSpanClasses);

  // Schedules the event just run (rec.p ran it; ops are what it did, in order) and fills rec's
  // timing fields.
  void observe(const Event& ev, StepRecord& rec, const std::vector<Op>& ops);

  const TimingConfig& config() const { return cfg_; }
  uint32_t procs() const { return static_cast<uint32_t>(procs_.size()); }
  uint64_t clock(uint32_t p) const { return procs_[p].clock; }
  TimingFigures figures() const;
  const WaitHeatMap& heatMap() const { return heat_; }
  // The last kRecent segments (runs and waits of every executor), oldest first.
  static constexpr size_t kRecent = 4096;
  std::vector<TimeSegment> recent() const;
  size_t footprintBytes() const;

 private:
  struct LockStats {
    uint64_t acquisitions = 0, contended = 0, waitTotal = 0, holdTotal = 0;
    LogHistogram waits;
  };
  struct Exec {
    uint64_t clock = 0;
    uint64_t events = 0, allocs = 0, busy = 0, waiting = 0;
    LogHistogram latency;
  };
  struct Cursor; // the executor running the current stretch of work

  size_t lockIndex(LockId id) const;
  LockId lockAt(size_t index) const;
  void work(Cursor& c, uint64_t ns);
  void take(Cursor& c, LockId lock, uint64_t hold);
  void waitUntil(Cursor& c, LockId lock, uint64_t until, uint32_t holder); // a wait without a hold
  void stopWorld(Cursor& c, uint64_t ns);
  void startBackground(const Cursor& p, Cursor& bg);
  void runOp(Cursor& c, Cursor& bg, Cursor*& cur, const Op& op, bool triggered);
  uint64_t pathCost(const StepRecord& rec) const;
  void pushSegment(const TimeSegment& s);

  TimingConfig cfg_;
  uint32_t nspc_;
  std::vector<Exec> procs_;
  Exec gcWorker_;
  bool bgActive_ = false;      // the GC worker has work in the event being observed
  bool cycleOnWorker_ = false; // ... and that work is a triggered GC cycle
  // When the GC worker finishes the last triggered cycle (mark, and the sweep in eager mode): a
  // new cycle waits for it. Background sweeping (lazy mode) does not hold the next cycle back —
  // in Go the triggering goroutine finishes that sweep itself (finishsweep_m).
  uint64_t cycleEnd_ = 0;
  std::vector<LockTimeline> timelines_; // by lockIndex
  std::vector<LockStats> stats_;
  WaitHeatMap heat_;
  std::vector<TimeSegment> ring_;
  size_t ringNext_ = 0;
  uint64_t firstStart_ = ~uint64_t{0}, lastEnd_ = 0;
  uint64_t heapWaitByPs_ = 0;
  std::vector<uint64_t> allocEnd_; // by object id: when its allocation finished (frees wait for it)
  uint64_t slowPathMask_ = 0; // PathSteps with a cost beyond the base one
};

} // namespace sim
