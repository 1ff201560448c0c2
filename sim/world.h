// World: the whole simulated runtime (mheap, mcentrals, Ps with mcaches) and the event loop.
// Design essay: sim/malloc.h. Go: the runtime's globals (mheap_, allp, gcController, memstats).
//
// Engine state is plain data (vectors and integers; the span bitmaps' pointers into the World's
// own pool are moved by SpanTable's copy), so copying a World is a checkpoint. The GUI and CLI
// read it through HeapView; only step() changes it.
#pragma once

#include "sim/event.h"
#include "sim/goversion.h"
#include "sim/mcache.h"
#include "sim/mcentral.h"
#include "sim/mpagealloc.h"
#include "sim/mspan.h"
#include "sim/spantable.h"
#include "sim/mstats.h"
#include "sim/sizeclasses.h"
#include "sim/stack.h"
#include "sim/step_record.h"
#include "sim/timing.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sim {

// When a trace `free` reclaims memory (ARCHITECTURE §3).
enum class Liveness : uint8_t {
  GC,        // Go semantics: the slot is reclaimed when a GC cycle marks and sweeps its span
  Immediate, // the slot is reclaimed at the free, as if its span had just been swept
};
const char* livenessName(Liveness l);

// How a GC cycle that the GOGC pacer triggers sweeps (a `gc` event, runtime.GC(), always sweeps
// everything before it returns, as Go's does).
enum class SweepMode : uint8_t {
  Eager, // the cycle sweeps every span before the triggering event ends
  Lazy,  // Go's concurrent sweep: spans stay unswept until an allocation, the page reclaimer,
         // proportional sweep credit or the background sweeper gets to them (sim/mgcsweep.cpp)
};
const char* sweepModeName(SweepMode m);

// What a trace's recorded background GC cycles (Event id kBackgroundGC) mean.
enum class GCCycles : uint8_t {
  Trace, // they are the program's cycles: each runs as a background cycle (lazy sweep, not forced);
         // the engine's pacer starts none of its own
  Pacer, // they are dropped and the engine's pacer decides when to collect (forced ones stay)
};
const char* gcCyclesName(GCCycles g);

struct Config {
  // The Go release modelled (sim/goversion.h): allocation headers, heap bits and inline mark bits
  // at the span end, the split mallocgc's names, and the pacer's and scavenger's differences
  // (triggered, cons/mark history, memory-limit headroom, the scavenger's memory-limit goal).
  GoVersion goVersion = GoVersion::Go119;
  uint32_t gomaxprocs = 1;
  Liveness liveness = Liveness::GC;
  int32_t gogc = 100;          // GOGC; negative = off. The pacer runs only in GC liveness mode.
  // Eager by default: the timing model charges whatever an event does to its P, so in Lazy mode
  // the background sweeper's work (Go: its own goroutine) would land on the next event's P.
  SweepMode sweep = SweepMode::Lazy;
  uint32_t bgSweepSpans = 1;   // Lazy: spans the background sweeper sweeps before each event
  uint64_t rootScanBytes = 0;  // stack scan work per cycle beyond the stack model's goroutines
                               // (Go: part of lastStackScan); a constant
  uint64_t globalsBytes = 0;   // pointerful globals (data + bss) scanned every cycle (Go: globalsScan)
  // The concurrent mark as a window of events (Go 1.19's gcStart .. gcMarkDone): on by default.
  // Off: a triggered cycle marks and terminates inside the triggering event (the old model).
  bool markWindow = true;
  GCCycles gcCycles = GCCycles::Pacer; // Go traces suggest Trace (traces/go_allocfreetrace.cpp)
  // A timed trace's time beyond an event's modelled time: false = its P was idle (the gap goes to
  // idle mark workers), true = its P was running the goroutine (compute between allocations, as
  // in a GOMAXPROCS=1 program that never blocks): sysmon's preemption clock runs through the gap
  // and no idle worker does (Go: proc.go sysmon retake preempts a G that ran forcePreemptNS).
  bool traceGapsRunning = false;
  bool tinyAlloc = true;       // the tiny allocator (needs a 16-byte class in the table)
  uint64_t arenaBase = 0x00c000000000; // first arena hint on linux/amd64
  uint64_t maxHeapBytes = uint64_t{64} << 30; // simulated out-of-memory limit
  SizeClassTable table = SizeClassTable::go119();
  TimingConfig timing; // the timing and lock model (off by default; sim/timing.h)
  ScavengerConfig scavenger; // returning free pages to the OS, GOMEMLIMIT (sim/mgcscavenge.cpp)
};

inline constexpr uint64_t kHeapArenaBytes = uint64_t{64} << 20; // Go: heapArenaBytes (linux/amd64)
inline constexpr uint64_t kZeroBase = 0x0000000000580000;       // stands for &runtime.zerobase
inline constexpr uint64_t kTinySize = 16;                        // Go: maxTinySize

inline constexpr uint64_t kForcePreemptNs = 10'000'000; // Go: forcePreemptNS (sysmon)

// Go: mgcpacer.go piController, as consMarkController is configured (kp 0.9, ti 4, tt 1000,
// output clamped to [-1000, 1000]).
struct PIController {
  double kp = 0.9, ti = 4.0, tt = 1000, min = -1000, max = 1000;
  double errIntegral = 0;
  // Go: (*piController).next. Returns false (and resets) on overflow.
  bool next(double input, double setpoint, double period, double* out);
};

// The GOGC pacer's state (Go: gcControllerState). Times are modelled ns (the cost model's clock,
// never host time); scan work is in bytes, as Go counts it.
struct Pacer {
  uint64_t heapLive = 0;    // bytes considered live for triggering (cached spans count whole)
  uint64_t heapMarked = 0;  // bytes marked by the last cycle
  uint64_t heapScan = 0;    // scannable bytes: last cycle's heap scan work + pointerful allocation since
  uint64_t lastHeapScan = 0, lastStackScan = 0, globalsScan = 0;
  uint64_t heapMinimum = 0; // 4 MiB * GOGC/100
  uint64_t gcPercentHeapGoal = 0;
  uint64_t goal = 0;        // next heap goal (NextGC)
  uint64_t trigger = 0;
  uint64_t sweepDistMinTrigger = 0;
  uint64_t triggered = ~uint64_t{0}; // heapLive's trigger at the cycle's start (Go: triggered)
  uint64_t lastHeapGoal = 0;
  double consMark = 0;      // cons/mark ratio for the runway (Go: consMark)
  PIController consMarkController;      // Go 1.19's smoothing (GoProfile::consMarkHistory == 0)
  std::array<double, 4> lastConsMark{}; // Go 1.21+: the last 4 measurements (Go: lastConsMark)
  uint64_t runway = 0;
  // The mark in progress (Go: gcphase == _GCmark, gcBlackenEnabled).
  bool marking = false;
  uint64_t markStartEvent = 0;
  uint64_t heapScanWork = 0, stackScanWork = 0, globalsScanWork = 0; // this cycle's work to do
  uint64_t workDone = 0;    // scan work done so far (assists + background workers)
  int64_t bgScanCredit = 0; // background work not yet stolen by assists (Go: bgScanCredit)
  double bgWorkFrac = 0;    // background work accrued below one byte
  double assistWorkPerByte = 0, assistBytesPerWork = 0;
  uint64_t markClock = 0;   // modelled ns since the mark started
  uint64_t assistTime = 0, idleMarkTime = 0, fractionalMarkTime = 0; // modelled ns
  uint64_t sliceClock = 0;  // modelled ns since sysmon last preempted the busy P (forcePreemptNS)
  double dedicatedWorkers = 0, fractionalGoal = 0; // Go: dedicatedMarkWorkersNeeded, fractionalUtilizationGoal
  double scanNsPerByte = 1;  // the cost model's gc_scan_kib / 1024
  uint64_t lastEventTime = ~uint64_t{0};     // the trace's time of the last event (idle gaps)
  uint64_t bytesMarked = 0; // snapshot + allocated black (Go: work.bytesMarked)
  uint64_t assistWork = 0, bgWork = 0, idleWork = 0; // this cycle's work by who did it
  std::vector<int64_t> gcAssistBytes; // per P (Go: per goroutine, g.gcAssistBytes)
  uint64_t markCycles = 0;  // cycles that ended through a mark window
  uint64_t markEventsTotal = 0; // events run during mark windows, all cycles
};

// The sweeper's state between mark terminations (Go: mheap_.sweepgen's companions in mheap and
// mgcsweep.go's sweep: pagesSwept, sweepPagesPerByte, reclaimIndex, reclaimCredit, centralIndex).
struct Sweeper {
  uint64_t unswept = 0;            // in-use spans with sweepgen == sg-2 (0: the sweep is done)
  uint32_t cursor = 0;             // sweepone's next sweep class (span class * 2 + {0 full, 1 partial})
  uint64_t pagesSwept = 0;         // pages swept this cycle
  uint64_t pagesSweptBasis = 0;
  uint64_t heapLiveBasis = 0;
  double pagesPerByte = 0;         // proportional sweep ratio (0: no debt)
  uint64_t reclaimIndex = 0;       // next page the reclaimer scans (~0: done)
  uint64_t reclaimCredit = 0;      // pages freed beyond what a reclaim asked for
  uint64_t arenaPages = 0;         // pages of the arenas that existed at mark termination
  uint64_t lastGCEvent = ~uint64_t{0}; // event index of the last GC's mark termination
  uint64_t lastGCTime = 0;         // when that event ended on its P (timing model on), ns
};

class HeapView;

class World {
 public:
  explicit World(Config cfg = {});

  // Runs one event. Returns false (and says why in *error; the caller names the event and its id,
  // as only it knows the trace's own ids) on bad input — an unknown or dead id,
  // a double free, an absurd size — leaving the state untouched; or on simulated out-of-memory,
  // after which the World is failed() and refuses further events (as Go throws).
  bool step(const Event& ev, std::string* error = nullptr);
  const StepRecord& last() const { return rec_; }
  uint64_t eventsApplied() const { return events_; }
  bool failed() const { return failed_; }

  const Config& config() const { return cfg_; }
  const SizeClassTable& table() const { return cfg_.table; }
  const GoProfile& profile() const { return prof_; }
  // The largest small object: the table's maxSmall, less the malloc header under Go 1.22+.
  uint64_t smallMax() const { return smallMax_; }
  // Metadata bytes at the end of a span of this span class (sim/goversion.h spanReserveBytes).
  uint64_t spanReserve(SpanClass spc, uint64_t spanBytes) const {
    const uint32_t sc = spanClassSize(spc);
    return sc == 0 ? 0 : spanReserveBytes(prof_, cfg_.table.cls(sc).size, spanClassNoscan(spc), spanBytes);
  }
  HeapView view() const;

  // runtime.ReadMemStats as it would report right now, without its side effect (no flush):
  // counts still pending in mcaches are added in.
  MemStats memStats() const;
  // Every heap byte in one category; total() == HeapSys. Walks the spans.
  WasteLedger ledger() const;
  const Pacer& pacer() const { return pacer_; }
  const Sweeper& sweeper() const { return sweeper_; }
  // MemStats.HeapInuse and HeapSys without building a MemStats (cheap enough for every event).
  uint64_t heapInuseBytes() const { return heapInUse_; }
  uint64_t heapSysBytes() const { return heapInUse_ + heapFree_ + heapReleased_; }
  const ScavengerState& scavenger() const { return scav_; }
  uint64_t liveGoroutines() const { return stacks_.live.size(); }
  // Heap memory this World object holds (for checkpoint budgets); an estimate within a few %.
  size_t footprintBytes() const;
  // Checkpoints keep a World's bulk packed (sim/checkpoint.h): its large flat arrays, the object
  // table, the span structs and their bitmap pool, the page->span map and the mcentrals' span
  // sets, nearly all of a large heap's footprint. takeBulk appends them to `out` as bytes and leaves
  // them empty, keeping their storage (the World is then only good for copying, which copies none
  // of it, for being assigned over and for putBulk); putBulk puts back what takeBulk appended.
  void takeBulk(std::string& out);
  void putBulk(std::string_view bytes);
  // The timing and lock model's schedule and figures; nullptr unless Config::timing.enabled.
  const LockModel* timing() const { return timing_ ? &*timing_ : nullptr; }

  // Not in Go. Replaying a large heap waits on cache misses (the object table, the page map, span
  // structs and bitmaps, each at random), not on instructions. sim::Replay calls this for events
  // a few steps ahead, one stage per distance, each stage reading what the one before brought in,
  // so that what the event touches is in the cache when it comes. It changes nothing.
  enum class Prefetch : uint8_t { Object, PageMap, Span, Bits };
  void prefetch(const Event& ev, Prefetch stage) const;
  // Whether prefetching pays: from a 64 MiB heap on, its metadata (object table, span structs,
  // bitmaps) outgrows the caches; below, the stages cost more instructions than the misses they
  // save (a small-object churn ran 30 % more instructions with them, no faster).
  bool prefetchPays() const { return heapInUse_ >= (uint64_t{64} << 20); }

 private:
  friend class HeapView;
  friend std::vector<std::string> checkInvariants(const World& w);

  // malloc.go
  void mallocgc(const Event& ev, P& p);
  uint64_t mallocTiny(P& p, uint64_t size, uint32_t* slotOut, SpanId* spanOut);
  // inline (defined in malloc.cpp, its only user): nextFreeFast stays in mallocgc's body
  inline uint64_t mallocSmall(P& p, SpanClass spc, uint32_t* slotOut, SpanId* spanOut);
  void freeObject(uint64_t id);
  // mcache.go
  uint32_t nextFree(P& p, SpanClass spc, SpanId* spanOut);
  void refill(P& p, SpanClass spc);
  SpanId allocLarge(P& p, uint64_t size, bool noscan);
  void releaseAll(P& p);
  void dropTinyBlock(P& p);
  // mcentral.go
  SpanId cacheSpan(SpanClass spc);
  void uncacheSpan(SpanId s);
  SpanId mcentralGrow(SpanClass spc);
  void pushSwept(SpanId s, bool full);
  // mheap.go
  SpanId mheapAlloc(P* p, uint32_t npages, SpanClass spc);
  SpanId allocSpan(P* p, uint32_t npages, SpanClass spc, bool manual); // manual: a stack span
  SpanId allocManual(uint32_t npages);  // Go: (*mheap).allocManual(npages, spanAllocStack)
  void freeManual(SpanId s);            // Go: (*mheap).freeManual
  void freeSpan(SpanId s);
  void mheapGrow(uint64_t npages);
  SpanId allocMSpanStruct(P* p, bool haveLock);
  void freeMSpanStruct(P* p, SpanId s);
  // mgc.go / mgcsweep.go
  // Go: gcStart; finishes at once if forced, recorded (a trace's background cycle, already
  // marked when it was recorded) or markWindow is off.
  void gcCycle(bool forced, bool recorded = false);
  void gcMarkTermination(bool forced);
  void gcMark();
  void gcmarknewobject(SpanId s, uint32_t slot);
  void gcAssistAlloc(P& p, uint64_t bytes); // Go: mallocgc's assist debit + gcAssistAlloc
  // The background/idle mark workers' credit after an event (sim/mgc.cpp). Inline: outside a mark
  // (and unless a trace's gaps count as running time) only sysmon's preemption clock and the
  // trace's last time move.
  void gcMarkAdvance(const Event& ev, uint64_t ns) {
    if (pacer_.marking || (cfg_.traceGapsRunning && ev.time != kNoTime)) return gcMarkAdvanceClocks(ev, ns);
    pacer_.sliceClock += ns;
    if (ev.time != kNoTime) pacer_.lastEventTime = ev.time;
    if (pacer_.sliceClock >= kForcePreemptNs) pacer_.sliceClock %= kForcePreemptNs;
  }
  void gcMarkAdvanceClocks(const Event& ev, uint64_t ns);
  bool sweep(SpanId s, bool preserve); // true if the span was freed to the heap
  void sweepAll();
  void startSweepPhase();
  bool acquireUnswept(SpanId s); // sg-2 -> sg-1 (Go: sweepLocker.tryAcquire)
  uint64_t sweepone();           // pages swept, 0 if none was left (Go returns ^0 then)
  void paceSweeper();            // Go: gcPaceSweeper
  void deductSweepCredit(uint64_t spanBytes, uint64_t callerSweepPages);
  void reclaim(uint64_t npages); // Go: (*mheap).reclaim
  void bgSweep();                // Go: bgsweep, a fixed budget per event here
  // mgcscavenge.go (sim/mgcscavenge.cpp)
  void scavengerPace();                 // Go: gcPaceScavenger, after the pacer's commit
  // Go: bgscavenge, paced by simulated time. Inline: between GC cycles the scavenger is parked, or
  // asleep past this event, at nearly every event; a ready() due, a trace time (the clock's basis)
  // or a sleep that ends here take the whole loop, bgScavengeRun.
  void bgScavenge(const Event& ev, uint64_t eventNs) {
    if (!cfg_.scavenger.enabled || ev.kind == EventKind::Annotate) return;
    if (ev.time == kNoTime && !scavengerReadyDue()) {
      if (scav_.parked) return;
      const uint64_t avail = cfg_.scavenger.nsPerEvent == ScavengerConfig::kCostModelClock ? eventNs : cfg_.scavenger.nsPerEvent;
      if (scav_.sleepNs > avail) {
        scav_.sleepNs -= avail;
        return;
      }
    }
    bgScavengeRun(ev, eventNs);
  }
  void bgScavengeRun(const Event& ev, uint64_t eventNs);
  // The last sweeper of this cycle has not readied the scavenger yet (Go: sweepone's noMoreWork ->
  // scavenger.ready, once per cycle).
  bool scavengerReadyDue() const { return numGC_ != 0 && scav_.readiedCycle != numGC_ && sweeper_.unswept == 0; }
  void scavengerSlept();                // Go: scavengerState.sleep's controller update
  // Go: (*pageAlloc).scavenge(nbytes, shouldStop, force); returns bytes released, and in *calls
  // how many ranges (scavengeOne calls that released something). force (Go 1.21+ index): ignore
  // the dense-chunk rule (allocSpan's memory-limit assist, FreeOSMemory).
  uint64_t scavenge(uint64_t nbytes, bool force, uint64_t* calls = nullptr);
  void scavengeAssist(uint64_t scavBytes, uint64_t growth); // allocSpan's limit / growth scavenging
  void freeOSMemory();                  // Go: runtime/debug.FreeOSMemory
  uint64_t mappedReady() const;         // Go: gcController.mappedReady (estimated, see the .cpp)
  // sim/mheap_metadata.cpp: the runtime's non-heap mappedReady (arena metadata, page allocator,
  // gcBits, allspans, persistentalloc chunks), estimated as Go 1.19 maps it.
  uint64_t runtimeMetadataBytes() const;
  void noteGCBitsArenas(uint64_t spanBitmapBytes);
  // stack.go, proc.go newproc/goexit (sim/stack.cpp)
  void goStart(P& p, uint64_t g);
  void stackGrow(P& p, uint64_t g, uint64_t newSize);
  void goExit(P& p, uint64_t g);
  uint64_t stackalloc(P* p, uint64_t n);
  void stackfree(P* p, uint64_t lo, uint64_t n);
  uint64_t stackpoolalloc(uint32_t order);
  void stackpoolfree(uint64_t x, uint32_t order);
  void stackcacherefill(P& p, uint32_t order);
  void stackcacherelease(P& p, uint32_t order);
  void stackcacheClear(P& p);           // Go: stackcache_clear (ReadMemStats, prepareForSweep)
  void gcStacks();                      // Go: markrootFreeGStacks + freeStackSpans + stackcache_clear
  std::string checkStackEvent(const Event& ev) const; // "" if the event is valid
  // mgcpacer.go
  void pacerCommit();
  void pacerStartCycle();
  void pacerRevise();
  void pacerEndCycle();
  double pacerConsMark(double current); // endCycle's smoothing, per GoProfile::consMarkHistory
  uint64_t pacerHeapGoal(uint64_t* minTrigger = nullptr) const;
  uint64_t pacerTrigger(uint64_t* goalOut = nullptr) const;
  uint64_t memoryLimitHeapGoal() const;
  void maybeTriggerGC();
  // immediate liveness
  void reclaimSlot(SpanId s, uint32_t slot);
  void reclaimTinyIfDead(uint64_t block);

  // Logs an operation for the timing model (a no-op while timing is off).
  void noteOp(OpKind k, SpanClass spc, uint8_t flags = 0, uint32_t count = 0) {
    if (timing_) ops_.push_back(Op{k, static_cast<uint8_t>(flags | opBackground_), spc, count});
  }

  // The P an event's thread runs on. The previous event's thread is kept aside, inline:
  // consecutive events mostly come from one thread, and the hash lookup was a tenth of an event.
  // Returns the P's index (the event's curP_).
  uint32_t procFor(uint32_t thread) {
    return lastThreadValid_ && thread == lastThread_ ? lastThreadP_ : procForLookup(thread);
  }
  uint32_t procForLookup(uint32_t thread);
  MSpan& span(SpanId s) { return spans_[s]; }
  SpanId spanOfAddr(uint64_t addr) const {
    return spanOf_[(addr - cfg_.arenaBase) >> kPageShift];
  }
  uint64_t pageAddr(uint64_t page) const { return cfg_.arenaBase + (page << kPageShift); }
  uint64_t addrPage(uint64_t addr) const { return (addr - cfg_.arenaBase) >> kPageShift; }
  bool isTinySpanClass(SpanClass spc) const { return tinySpanClass_ != 0 && spc == tinySpanClass_; }

  Config cfg_;
  GoProfile prof_;          // goProfile(cfg_.goVersion)
  uint64_t smallMax_ = 0;   // largest small object (Go 1.22+: maxSmallSize - mallocHeaderSize)
  SpanClass tinySpanClass_ = 0; // Go: tinySpanClass (5), 0 when the tiny allocator is off

  // mheap
  SpanTable spans_;                  // span structs by id and their bitmaps (Go: allspans, gcBits)
  std::vector<SpanId> freeStructs_;  // structs on the spanalloc free list
  std::vector<SpanId> spanOf_;       // page -> span (Go: heapArena.spans), for mapped pages
  PageAlloc pages_;
  std::vector<MCentral> central_;    // per span class
  std::vector<uint64_t> arenas_;     // reserved arena bases
  std::vector<uint64_t> zeroedBase_; // per arena: bytes below were used before (Go: zeroedBase)
  uint64_t curArenaBase_ = 0, curArenaEnd_ = 0; // Go: mheap.curArena
  uint32_t sweepgen_ = 0;            // Go: mheap.sweepgen (even; +2 per cycle)
  uint64_t heapInUse_ = 0, heapFree_ = 0, heapReleased_ = 0; // Go: gcController.heapInUse/...
  uint64_t spanallocInuse_ = 0, spanallocSys_ = 0, spanallocFree_ = 0; // fixalloc of mspans
  // mcentral spanSets' off-heap memory (Go: mspanset.go, persistentalloc'd, never freed): spines
  // allocated, spanSetBlockPool's blocks in sets now, and the most ever (the pool keeps the rest).
  uint64_t spanSetSpines_ = 0, spanSetBlocksLive_ = 0, spanSetBlocksMax_ = 0;
  uint64_t gcBitsArenas_ = 0;          // gcBits arenas allocated so far (estimate, never freed)

  std::vector<P> ps_;
  uint32_t curP_ = 0; // the P running the current event (Go: getg().m.p)
  std::unordered_map<uint32_t, uint32_t> threadToP_;
  bool lastThreadValid_ = false; // procFor's entry for the previous event's thread
  uint32_t lastThread_ = 0, lastThreadP_ = 0;

  // Objects by id: address (0 = not live) and requested size (bit 31: tiny sub-object), side by
  // side in 12 bytes: a free reads one cache line for both (with two tables it missed twice).
  struct Object {
    uint32_t addrLo = 0, addrHi = 0; // two halves: 4-byte alignment keeps the entry at 12 bytes
    uint32_t size = 0;
    uint64_t addr() const { return uint64_t{addrHi} << 32 | addrLo; }
    void setAddr(uint64_t a) {
      addrLo = static_cast<uint32_t>(a);
      addrHi = static_cast<uint32_t>(a >> 32);
    }
  };
  std::vector<Object> objects_;
  std::unordered_map<uint64_t, uint64_t> hugeSizes_; // sizes that do not fit 31 bits
  bool objLive(uint64_t id) const { return id < objects_.size() && objects_[id].addr() != 0; }
  uint64_t objSize(uint64_t id) const { // inline: every free reads it
    const uint32_t v = objects_[id].size & ~kTinyFlag;
    return v == kHugeSize ? hugeSizes_.at(id) : v;
  }
  static constexpr uint32_t kTinyFlag = 0x80000000u;
  static constexpr uint32_t kHugeSize = 0x7fffffffu;

  HeapStats stats_;
  Pacer pacer_;
  ScavengerState scav_;
  Stacks stacks_;
  Sweeper sweeper_;
  uint32_t numGC_ = 0, numForcedGC_ = 0;

  StepRecord rec_;
  std::optional<LockModel> timing_;
  std::vector<Op> ops_; // this event's operations, for timing_
  uint8_t opBackground_ = 0; // kOpBackground while the background sweeper works
  uint64_t events_ = 0;
  uint64_t allocEvents_ = 0; // alloc events applied: with kIdSlack, the bound on the next alloc's id
  static constexpr uint64_t kIdSlack = 1 << 16;
  bool failed_ = false;
};

inline void World::prefetch(const Event& ev, Prefetch stage) const {
  if ((ev.kind != EventKind::Alloc && ev.kind != EventKind::Free) || ev.id >= objects_.size()) return;
  if (stage == Prefetch::Object) return prefetchLine(&objects_[ev.id]);
  if (ev.kind != EventKind::Free) return; // an allocation's span is its mcache's, already warm
  const uint64_t addr = objects_[ev.id].addr();
  const uint64_t page = (addr - cfg_.arenaBase) >> kPageShift;
  if (addr < cfg_.arenaBase || page >= spanOf_.size()) return;
  if (stage == Prefetch::PageMap) return prefetchLine(&spanOf_[page]);
  const SpanId sid = spanOf_[page];
  if (sid >= spans_.size()) return;
  if (stage == Prefetch::Span) return spans_.prefetch(sid);
  const MSpan& s = spans_[sid];
  if (s.bits == nullptr || addr < s.startAddr || addr >= s.limit) return;
  prefetchLine(s.liveBits() + (s.objIndex(addr) >> 6));
}

} // namespace sim
