// The timing and lock model (sim/timing.h, sim/locks.h): constructed schedules with answers
// computed by hand in the comments, the locking rules of Go 1.19 and Go <= 1.14 (mcentral.go,
// mspanset.go, mheap.go; go-allocator-1.19.md §4.6), determinism, and the cost-model loader.
#include "sim/malloc.h"
#include "traces/cost_model_json.h"
#include "traces/generators.h"
#include "traces/json_trace.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

namespace {

using namespace sim;

constexpr uint32_t kNspc = 136; // span classes of the Go 1.19 table

TimingConfig zeroCosts(CentralMode mode) {
  TimingConfig t;
  t.enabled = true;
  t.central = mode;
  t.cost = CostModel{}; // every cost 0; each test sets the ones it needs
  return t;
}

StepRecord rec(uint64_t index, EventKind kind, uint32_t p) {
  StepRecord r;
  r.index = index;
  r.kind = kind;
  r.p = p;
  return r;
}

Event at(uint64_t time) {
  Event e;
  e.time = time;
  return e;
}

const LockFigures* lockIn(const TimingFigures& f, LockId id) {
  for (const LockFigures& l : f.locks)
    if (l.lock == id) return &l;
  return nullptr;
}
// The result points into f: a temporary (lockIn(m.figures(), ...)) would leave it dangling.
const LockFigures* lockIn(TimingFigures&&, LockId) = delete;

// ---------------------------------------------------------------------------------------------
// Lock timelines and histograms

TEST(LockTimeline, SecondRequesterWaitsExactlyTheOverlap) {
  LockTimeline t;
  // P0 holds [0, 100); P1 asks at 30, so it waits the 70 ns that are left of P0's hold.
  EXPECT_EQ(t.acquire(0, 100, 0).start, 0u);
  const LockTimeline::Grant g = t.acquire(30, 100, 1);
  EXPECT_EQ(g.start, 100u);
  EXPECT_EQ(g.blocker, 0u);
  // P2 asks after both let go: no wait, nobody to blame.
  const LockTimeline::Grant h = t.acquire(250, 10, 2);
  EXPECT_EQ(h.start, 250u);
  EXPECT_EQ(h.blocker, kNoHolder);
}

TEST(LockTimeline, EarlierRequestUsesAnIdleGapButNotATooShortOne) {
  LockTimeline t;
  t.acquire(100, 100, 0); // busy [100, 200)
  // A request processed later but earlier in simulated time fits before it: [0, 50).
  EXPECT_EQ(t.acquire(0, 50, 1).start, 0u);
  // [60, 110) would overlap [100, 200): it waits until 200.
  const LockTimeline::Grant g = t.acquire(60, 50, 2);
  EXPECT_EQ(g.start, 200u);
  EXPECT_EQ(g.blocker, 0u);
  // The gap [50, 100) holds exactly a 50 ns hold.
  EXPECT_EQ(t.acquire(50, 50, 3).start, 50u);
}

TEST(LockTimeline, KeepsTheLatestHoldsOnly) {
  LockTimeline t;
  // 2*kKeep holds of 10 ns every 20 ns from 1000: at the last one the oldest kKeep are forgotten.
  for (uint64_t i = 0; i < 2 * LockTimeline::kKeep; ++i) t.acquire(1000 + 20 * i, 10, 7);
  // The first kept hold is #kKeep at 1000 + 20*kKeep: a request there waits for it...
  const uint64_t kept = 1000 + 20 * LockTimeline::kKeep;
  EXPECT_EQ(t.acquire(kept, 5, 1).start, kept + 10);
  // ...while one at 1000, inside the forgotten hold #0, is granted at once (bounded memory).
  EXPECT_EQ(t.acquire(1000, 5, 1).start, 1000u);
}

TEST(LockTimeline, FirstFreeSkipsCoveringIntervals) {
  LockTimeline t;
  t.acquire(10, 40, 0); // [10, 50)
  t.acquire(50, 10, 1); // [50, 60)
  EXPECT_EQ(t.firstFree(5).start, 5u);
  EXPECT_EQ(t.firstFree(10).start, 60u); // stopped from 10 on, then busy until 60
  EXPECT_EQ(t.firstFree(10).blocker, 1u);
  EXPECT_EQ(t.firstFree(60).start, 60u);
}

TEST(LogHistogram, ExactBelowSixteenAndWithinOneSixteenthAbove) {
  LogHistogram h;
  for (uint64_t v = 1; v <= 10; ++v) h.add(v);
  EXPECT_EQ(h.quantile(500), 5u); // rank ceil(10 * 0.5) = 5 -> the 5th smallest, 5
  EXPECT_EQ(h.quantile(990), 10u);
  EXPECT_EQ(h.max(), 10u);
  for (uint64_t v : {uint64_t{16}, uint64_t{17}, uint64_t{1000}, uint64_t{123456789}, ~uint64_t{0} >> 1}) {
    const uint64_t up = LogHistogram::bucketUpper(LogHistogram::bucketOf(v));
    EXPECT_GE(up, v);
    EXPECT_LE(up - v, v / 16) << v;
  }
}

TEST(LogHistogram, QuantileNeverAboveTheMaximum) {
  LogHistogram h;
  for (int i = 0; i < 99; ++i) h.add(0);
  h.add(1000); // 1000 lies in bucket [992, 1023]
  EXPECT_EQ(h.quantile(990), 0u);     // rank 99 of 100 is still a zero
  EXPECT_EQ(h.quantile(1000), 1000u); // the bucket's upper edge, clamped to the maximum
}

// ---------------------------------------------------------------------------------------------
// Constructed schedules on the LockModel

TEST(LockModel, UntimedPsRunIndependentlyButAFreeWaitsForItsAllocation) {
  TimingConfig cfg = zeroCosts(CentralMode::LockFree);
  cfg.cost.mcacheHit = 100;
  LockModel m(cfg, 2, kNspc);
  Event a0 = at(kNoTime), a1 = at(kNoTime), f0 = at(kNoTime), a2 = at(kNoTime);
  a0.id = 0;
  a1.id = 1;
  f0.kind = EventKind::Free;
  f0.id = 1;
  a2.id = 2;
  StepRecord r0 = rec(0, EventKind::Alloc, 0), r1 = rec(1, EventKind::Alloc, 0), r2 = rec(2, EventKind::Free, 1),
             r3 = rec(3, EventKind::Alloc, 1);
  m.observe(a0, r0, {}); // P0: [0, 100)
  m.observe(a1, r1, {}); // P0: [100, 200), object 1
  m.observe(f0, r2, {}); // P1 frees object 1: not before its allocation ended at 200
  m.observe(a2, r3, {}); // P1 then allocates: its clock is 200 (a free costs nothing here)
  EXPECT_EQ(r2.start, 200u);
  EXPECT_EQ(r3.start, 200u);
  EXPECT_EQ(r3.end, 300u);
}

TEST(LockModel, TwoPsOnTheHeapLockWaitExactlyTheOverlap) {
  TimingConfig cfg = zeroCosts(CentralMode::LockFree);
  cfg.cost.pageCacheRefill = 100;
  LockModel m(cfg, 2, kNspc);
  const std::vector<Op> refill = {{OpKind::PageCacheRefill, 0, 0, 0}};
  StepRecord a = rec(0, EventKind::Alloc, 0), b = rec(1, EventKind::Alloc, 1);
  m.observe(at(0), a, refill);
  m.observe(at(30), b, refill);
  EXPECT_EQ(a.wait, 0u);
  EXPECT_EQ(a.end, 100u);
  // P0 holds mheap.lock over [0, 100); P1 asks at 30: the overlap is 100 - 30 = 70.
  EXPECT_EQ(b.start, 30u);
  EXPECT_EQ(b.wait, 70u);
  ASSERT_EQ(b.locksTaken, 1u);
  EXPECT_EQ(b.locks[0].lock, kHeapLock);
  EXPECT_EQ(b.locks[0].holder, 0u);
  EXPECT_EQ(b.locks[0].hold, 100u);
  EXPECT_EQ(b.end, 200u);

  const TimingFigures f = m.figures();
  const LockFigures* heap = lockIn(f, kHeapLock);
  ASSERT_NE(heap, nullptr);
  EXPECT_EQ(heap->acquisitions, 2u);
  EXPECT_EQ(heap->contended, 1u);
  EXPECT_EQ(heap->waitTotal, 70u);
  EXPECT_EQ(heap->waitMax, 70u);
  EXPECT_EQ(heap->holdTotal, 200u);
  EXPECT_EQ(f.makespan, 200u);
  EXPECT_DOUBLE_EQ(heap->utilisation, 1.0); // held for the whole 200 ns
  // P0 busy 100; P1 busy 100 and waiting 70: heap wait share = 70 / 270.
  EXPECT_DOUBLE_EQ(f.heapWaitShare, 70.0 / 270.0);
  EXPECT_EQ(f.executors[1].waiting, 70u);
  EXPECT_EQ(f.executors[1].idle, 200u - 100u - 70u);
}

TEST(LockModel, RequestsThatDoNotOverlapNeverWait) {
  TimingConfig cfg = zeroCosts(CentralMode::LockFree);
  cfg.cost.pageCacheRefill = 100;
  LockModel m(cfg, 2, kNspc);
  const std::vector<Op> refill = {{OpKind::PageCacheRefill, 0, 0, 0}};
  StepRecord a = rec(0, EventKind::Alloc, 0), b = rec(1, EventKind::Alloc, 1);
  m.observe(at(0), a, refill);
  m.observe(at(100), b, refill); // P0 let go at exactly 100
  EXPECT_EQ(b.wait, 0u);
  EXPECT_EQ(m.figures().locks.front().contended, 0u);
}

TEST(LockModel, OnePNeverWaits) {
  // Whatever it does and whenever the trace says, a lone P finds every lock free: it is the only
  // holder, and its clock is past all of its own holds.
  TimingConfig cfg = zeroCosts(CentralMode::Mutex);
  cfg.cost.centralTake = 60;
  cfg.cost.centralListOp = 25;
  cfg.cost.pageCacheRefill = 300;
  cfg.cost.pageAlloc = 400;
  cfg.cost.freeSpan = 150;
  cfg.cost.mcacheHit = 16;
  cfg.cost.gcSweepTermination = 4000;
  cfg.cost.gcMarkTermination = 1000;
  LockModel m(cfg, 1, kNspc);
  std::mt19937 rng(7);
  uint64_t waits = 0;
  for (uint64_t i = 0; i < 5000; ++i) {
    std::vector<Op> ops;
    const SpanClass spc = static_cast<SpanClass>(2 + rng() % 20);
    const uint32_t what = static_cast<uint32_t>(rng() % 6);
    switch (what) {
      case 0: ops = {{OpKind::CentralTake, 0, spc, 0}, {OpKind::PageCacheRefill, 0, spc, 0}}; break;
      case 1: ops = {{OpKind::HeapAlloc, kOpFind, 0, 0}}; break;
      case 2: ops = {{OpKind::CentralReturn, 0, spc, 0}, {OpKind::FreeSpan, 0, spc, 0}}; break;
      case 3: ops = {{OpKind::GCStart, 0, 0, 0}, {OpKind::GCMark, 0, 0, 5}, {OpKind::GCMarkTermination, 0, 0, 0}}; break;
      default: break; // an mcache hit
    }
    // runtime.GC() (a triggered cycle would hand its work to the GC worker, a second executor).
    StepRecord r = rec(i, what == 3 ? EventKind::GC : EventKind::Alloc, 0);
    // Trace times jump around, sometimes behind the P's clock.
    m.observe(at(rng() % 2 ? i * 50 : kNoTime), r, ops);
    waits += r.wait;
  }
  EXPECT_EQ(waits, 0u);
  for (const LockFigures& l : m.figures().locks) EXPECT_EQ(l.contended, 0u) << l.name;
}

TEST(LockModel, PerClassMutexSerialisesOnlyItsOwnClass) {
  TimingConfig cfg = zeroCosts(CentralMode::Mutex);
  cfg.cost.centralTake = 100;
  LockModel m(cfg, 3, kNspc);
  StepRecord a = rec(0, EventKind::Alloc, 0), b = rec(1, EventKind::Alloc, 1), c = rec(2, EventKind::Alloc, 2);
  m.observe(at(0), a, {{OpKind::CentralTake, 0, 10, 0}});
  m.observe(at(0), b, {{OpKind::CentralTake, 0, 10, 0}}); // same span class: waits P0's whole hold
  m.observe(at(0), c, {{OpKind::CentralTake, 0, 12, 0}}); // another class, another mutex
  EXPECT_EQ(a.wait, 0u);
  EXPECT_EQ(b.wait, 100u);
  EXPECT_EQ(b.locks[0].lock, makeLockId(LockKind::Central, 10));
  EXPECT_EQ(b.locks[0].holder, 0u);
  EXPECT_EQ(c.wait, 0u);
  EXPECT_EQ(c.locks[0].lock, makeLockId(LockKind::Central, 12));
}

TEST(LockModel, LockFreeMcentralTakesNoLockToCacheOrUncacheSpans) {
  TimingConfig cfg = zeroCosts(CentralMode::LockFree);
  cfg.cost.centralTake = 100; // a mutex-mode cost: unused here
  cfg.cost.spanSetPop = 6;
  cfg.cost.spanSetPush = 6;
  LockModel m(cfg, 2, kNspc);
  StepRecord a = rec(0, EventKind::Alloc, 0), b = rec(1, EventKind::Alloc, 1);
  const std::vector<Op> ops = {{OpKind::CentralReturn, kOpFull, 10, 0}, {OpKind::CentralTake, 0, 10, 0}};
  m.observe(at(0), a, ops);
  m.observe(at(0), b, ops);
  EXPECT_EQ(a.locksTaken, 0u);
  EXPECT_EQ(b.locksTaken, 0u);
  EXPECT_EQ(b.end, 12u); // one push and one pop, 6 ns each, in parallel with P0
}

TEST(LockModel, SpineLockOnlyWhenAPushStartsANewBlock) {
  TimingConfig cfg = zeroCosts(CentralMode::LockFree);
  cfg.cost.spineGrow = 150;
  LockModel m(cfg, 2, kNspc);
  StepRecord a = rec(0, EventKind::Alloc, 0), b = rec(1, EventKind::Alloc, 1);
  m.observe(at(0), a, {{OpKind::CentralReturn, kOpNewBlock, 10, 0}});
  m.observe(at(50), b, {{OpKind::CentralReturn, kOpNewBlock, 10, 0}});
  // Both pushes start a block of mcentral[10].partial: P1 waits for P0's spineLock, 150 - 50.
  EXPECT_EQ(b.wait, 100u);
  EXPECT_EQ(b.locks[0].lock, makeLockId(LockKind::SpinePartial, 10));
}

TEST(LockModel, StopTheWorldHoldsUpEveryOtherP) {
  TimingConfig cfg = zeroCosts(CentralMode::LockFree);
  cfg.cost.gcSweepTermination = 50;
  cfg.cost.gcMarkBase = 20;
  cfg.cost.gcMarkTermination = 30;
  LockModel m(cfg, 4, kNspc);
  // runtime.GC() on P0 at 0: world stopped [0, 50), mark [50, 70), stopped [70, 100).
  StepRecord gc = rec(0, EventKind::GC, 0);
  m.observe(at(0), gc, {{OpKind::GCStart, 0, 0, 0}, {OpKind::GCMark, 0, 0, 0}, {OpKind::GCMarkTermination, 0, 0, 0}});
  EXPECT_EQ(gc.end, 100u);
  StepRecord p1 = rec(1, EventKind::Alloc, 1), p2 = rec(2, EventKind::Alloc, 2), p3 = rec(3, EventKind::Alloc, 3);
  m.observe(at(10), p1, {}); // inside the first pause: waits until 50
  m.observe(at(60), p2, {}); // during the concurrent mark: runs
  m.observe(at(80), p3, {}); // inside the second pause: waits until 100
  EXPECT_EQ(p1.wait, 40u);
  EXPECT_EQ(p1.locks[0].lock, kWorldLock);
  EXPECT_EQ(p1.locks[0].holder, 0u);
  EXPECT_EQ(p2.wait, 0u);
  EXPECT_EQ(p3.wait, 20u);
  const TimingFigures f = m.figures(); // lockIn points into it: keep it alive
  const LockFigures* world = lockIn(f, kWorldLock);
  ASSERT_NE(world, nullptr);
  EXPECT_EQ(world->acquisitions, 2u); // two pauses
  EXPECT_EQ(world->contended, 2u);    // two events held up
  EXPECT_EQ(world->waitTotal, 60u);
  EXPECT_EQ(world->holdTotal, 80u);
}

TEST(LockModel, TriggeredGCPausesTheAllocatorOnceAndRunsTheRestInTheBackground) {
  TimingConfig cfg = zeroCosts(CentralMode::LockFree);
  cfg.cost.gcSweepTermination = 50;
  cfg.cost.gcMarkSpan = 10;
  cfg.cost.gcMarkTermination = 30;
  cfg.cost.sweepSpan = 5;
  cfg.cost.freeSpan = 7;
  LockModel m(cfg, 2, kNspc);
  StepRecord a = rec(0, EventKind::Alloc, 0);
  a.add(PathStep::GCTrigger);
  m.observe(at(0), a,
            {{OpKind::GCStart, 0, 0, 0}, {OpKind::GCMark, 0, 0, 10}, {OpKind::GCMarkTermination, 0, 0, 0},
             {OpKind::SweepSpan, 0, 10, 0}, {OpKind::SweepSpan, 0, 10, 0}, {OpKind::SweepSpan, 0, 10, 0},
             {OpKind::FreeSpan, 0, 10, 0}});
  EXPECT_EQ(a.end, 50u); // only the first pause is on the allocating P
  // GC worker: mark [50, 150), pause [150, 180), 3 sweeps to 195, freeSpan holds mheap.lock [195, 202).
  StepRecord b = rec(1, EventKind::Alloc, 1);
  m.observe(at(197), b, {{OpKind::PageCacheRefill, 0, 0, 0}});
  EXPECT_EQ(b.wait, 5u);
  EXPECT_EQ(b.locks[0].holder, kGCWorker);
  const TimingFigures f = m.figures();
  ASSERT_EQ(f.executors.size(), 3u);
  EXPECT_EQ(f.executors[2].who, kGCWorker);
  EXPECT_EQ(f.executors[2].busy, 100u + 30u + 15u + 7u);
  EXPECT_EQ(f.lastEnd, 202u);
}

TEST(LockModel, ATriggeredCycleWaitsForThePreviousOneToFinish) {
  TimingConfig cfg = zeroCosts(CentralMode::LockFree);
  cfg.cost.gcSweepTermination = 50;
  cfg.cost.gcMarkSpan = 10;
  cfg.cost.gcMarkTermination = 30;
  LockModel m(cfg, 2, kNspc);
  const std::vector<Op> cycle = {{OpKind::GCStart, 0, 0, 0}, {OpKind::GCMark, 0, 0, 10}, {OpKind::GCMarkTermination, 0, 0, 0}};
  StepRecord a = rec(0, EventKind::Alloc, 0), b = rec(1, EventKind::Alloc, 1);
  a.add(PathStep::GCTrigger);
  b.add(PathStep::GCTrigger);
  m.observe(at(0), a, cycle);  // pause [0, 50); GC worker: mark [50, 150), pause [150, 180)
  m.observe(at(60), b, cycle); // P1 triggers again at 60: waits for the worker until 180
  EXPECT_EQ(b.locks[0].lock, kWorldLock);
  EXPECT_EQ(b.locks[0].holder, kGCWorker);
  EXPECT_EQ(b.locks[0].wait, 120u);
  EXPECT_EQ(b.end, 230u); // then its own pause [180, 230)
}

TEST(LockModel, HeatMapKeepsItsColumnsAndEveryNanosecondOfWait) {
  WaitHeatMap h;
  h.setOrigin(0);
  uint64_t total = 0;
  for (uint64_t i = 0; i < 1000; ++i) { // waits spread over 10^9 ns: the columns widen
    const uint64_t b = i * 1'000'000, len = 1 + i % 777;
    h.add(i % 3, makeLockId(LockKind::Central, static_cast<SpanClass>(i % 3)), b, b + len);
    total += len;
  }
  EXPECT_EQ(h.rows(), 3u);
  EXPECT_GE(h.columnNs() * WaitHeatMap::kColumns, 999'000'000u);
  uint64_t sum = 0;
  for (size_t r = 0; r < h.rows(); ++r)
    for (uint32_t c = 0; c < WaitHeatMap::kColumns; ++c) sum += h.cell(r, c);
  EXPECT_EQ(sum, total);
}

TEST(LockModel, RecentSegmentsAreBoundedAndEndWithTheLastEvent) {
  TimingConfig cfg = zeroCosts(CentralMode::LockFree);
  cfg.cost.mcacheHit = 10;
  LockModel m(cfg, 1, kNspc);
  for (uint64_t i = 0; i < LockModel::kRecent + 10; ++i) {
    StepRecord r = rec(i, EventKind::Alloc, 0);
    m.observe(at(kNoTime), r, {});
  }
  const std::vector<TimeSegment> s = m.recent();
  ASSERT_EQ(s.size(), LockModel::kRecent);
  EXPECT_EQ(s.back().event, LockModel::kRecent + 9);
  EXPECT_EQ(s.back().begin, (LockModel::kRecent + 9) * 10);
  EXPECT_EQ(s.front().event, 10u);
}

// ---------------------------------------------------------------------------------------------
// Through the engine

Config timedConfig(uint32_t procs, TimingConfig t) {
  Config c;
  c.gomaxprocs = procs;
  c.timing = t;
  return c;
}

Event allocAt(uint64_t id, uint64_t size, uint32_t thread, uint64_t time) {
  Event e = allocEvent(id, size, true, thread);
  e.time = time;
  return e;
}

TEST(TimedEngine, FirstRefillsOfOneClassQueueOnItsMutexOnly) {
  for (CentralMode mode : {CentralMode::Mutex, CentralMode::LockFree}) {
    TimingConfig t = zeroCosts(mode);
    t.cost.centralTake = 100; // cacheSpan's scan under mcentral.lock (mutex mode only)
    World w(timedConfig(3, t));
    std::vector<StepRecord> r;
    // Three threads, three Ps, all at t=1000: the first 48 B object on P0 and P1 (class 5,
    // span class 11), the first 64 B object on P2 (class 6). Each has no span cached: refill.
    for (const Event& e : {allocAt(0, 48, 0, 1000), allocAt(1, 48, 1, 1000), allocAt(2, 64, 2, 1000)}) {
      ASSERT_TRUE(w.step(e));
      r.push_back(w.last());
    }
    ASSERT_TRUE(r[1].has(PathStep::Refill));
    EXPECT_EQ(r[0].wait, 0u);
    EXPECT_EQ(r[2].wait, 0u);
    if (mode == CentralMode::Mutex) { // P1 waits for P0's hold of mcentral[11].lock: 100 ns
      EXPECT_EQ(r[1].wait, 100u);
      EXPECT_EQ(r[1].locks[0].lock, makeLockId(LockKind::Central, 11));
      EXPECT_EQ(r[1].locks[0].holder, 0u);
    } else {
      EXPECT_EQ(r[1].wait, 0u);
    }
  }
}

TEST(TimedEngine, McacheHitsNeverTakeALock) {
  for (CentralMode mode : {CentralMode::Mutex, CentralMode::LockFree}) {
    TimingConfig t;
    t.enabled = true;
    t.central = mode;
    World w(timedConfig(4, t));
    std::mt19937_64 rng(3);
    std::vector<uint64_t> live;
    uint64_t next = 0, hits = 0, locked = 0;
    for (uint64_t i = 0; i < 40000; ++i) {
      const uint32_t thread = static_cast<uint32_t>(rng() % 4);
      Event e;
      if (live.size() > 3000 && rng() % 2) {
        const size_t k = rng() % live.size();
        e = freeEvent(live[k], thread);
        live[k] = live.back();
        live.pop_back();
      } else {
        static constexpr uint64_t sizes[] = {5, 12, 48, 64, 300, 2048, 40000};
        e = allocEvent(next, sizes[rng() % 7], rng() % 2 == 0, thread);
        live.push_back(next++);
      }
      e.time = i * 5;
      ASSERT_TRUE(w.step(e));
      const StepRecord& r = w.last();
      if (r.kind != EventKind::Alloc) continue;
      const bool hit = (r.has(PathStep::NextFreeFast) || r.has(PathStep::TinyHit)) && !r.has(PathStep::Refill) &&
                       !r.has(PathStep::GCCycle);
      if (hit) {
        hits++;
        // A hit may wait for a stopped world to restart (a GC's pause), but takes no lock.
        for (uint32_t k = 0; k < r.locksTaken && k < StepRecord::kMaxLockTakes; ++k)
          EXPECT_EQ(r.locks[k].lock, kWorldLock) << describe(r);
        EXPECT_EQ(r.hold, 0u) << describe(r);
      } else {
        locked += r.locksTaken > 0;
      }
    }
    EXPECT_GT(hits, 10000u);  // many allocations are hits...
    EXPECT_GT(locked, 100u);  // ...and the others do take locks, so the check above can fail
  }
}

TEST(TimedEngine, SpineLockEvery512PushesPerSet) {
  // One 8 KiB object per span (Go 1.19 class 51): after the first, every allocation refills and
  // uncacheSpan pushes the full span to mcentral[class 51 noscan].full. Go's spanSet takes its
  // spineLock when a push is the first into a new 512-entry block: pushes #0 and #512.
  for (auto [allocs, expected] : {std::pair<uint64_t, uint64_t>{513, 1}, {514, 2}, {1025, 2}}) {
    TimingConfig t;
    t.enabled = true;
    Config c = timedConfig(1, t);
    c.gogc = -1; // no GC: the sets are never reset
    World w(c);
    for (uint64_t i = 0; i < allocs; ++i) ASSERT_TRUE(w.step(allocEvent(i, 8192)));
    const SpanClass spc = makeSpanClass(w.table().classOf(8192), true);
    ASSERT_EQ(w.table().cls(w.table().classOf(8192)).npages * kPageSize / 8192, 1u);
    const TimingFigures f = w.timing()->figures(); // lockIn points into it: keep it alive
    const LockFigures* spine = lockIn(f, makeLockId(LockKind::SpineFull, spc));
    ASSERT_NE(spine, nullptr);
    EXPECT_EQ(spine->acquisitions, expected) << allocs << " allocations";
  }
}

TEST(TimedEngine, ThreadlessTraceRunsOnOneP) {
  TimingConfig t;
  t.enabled = true;
  World w(timedConfig(8, t));
  for (uint64_t i = 0; i < 2000; ++i) ASSERT_TRUE(w.step(allocEvent(i, 16 + (i % 50) * 100)));
  EXPECT_EQ(w.last().p, 0u);
  const TimingFigures f = w.timing()->figures();
  EXPECT_EQ(f.executors[0].events, 2000u);
  for (uint32_t p = 1; p < 8; ++p) EXPECT_EQ(f.executors[p].events, 0u);
  // Alone, the P never waits for a lock. What it may wait for, as in Go with GOMAXPROCS=1, is the
  // GC's stop-the-world pauses (the pacer's cycles run on the GC worker; lazy sweeping shifts
  // the P's events so that one may land in a mark-termination pause).
  for (const LockFigures& l : f.locks) {
    if (l.lock != kWorldLock) {
      EXPECT_EQ(l.contended, 0u) << l.name;
    }
  }
  for (const TimeSegment& s : w.timing()->recent()) {
    if (s.kind == TimeSegment::Wait) {
      EXPECT_EQ(s.lock, kWorldLock);
      EXPECT_EQ(s.holder, kGCWorker);
    }
  }
}

TEST(TimedEngine, UntimedTraceGetsItsTimesFromTheCostModel) {
  TimingConfig t = zeroCosts(CentralMode::LockFree);
  t.cost.mcacheHit = 10;
  t.cost.refill = 100;
  World w(timedConfig(1, t));
  // Three 48 B objects without times: the first refills (10 + 100), the others hit (10 each).
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  for (uint64_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(w.step(allocEvent(i, 48)));
    spans.push_back({w.last().start, w.last().end});
  }
  EXPECT_EQ(spans, (std::vector<std::pair<uint64_t, uint64_t>>{{0, 110}, {110, 120}, {120, 130}}));
  const TimingFigures f = w.timing()->figures();
  EXPECT_EQ(f.makespan, 130u);
  EXPECT_EQ(f.latencyP50, 10u); // rank ceil(3/2) = 2 of {10, 10, 110}
  EXPECT_EQ(f.latencyMax, 110u);
  EXPECT_NEAR(f.allocsPerSecond, 3e9 / 130.0, 1e-3);
}

TEST(TimedEngine, EventsBeforeTimeFromRunUntimed) {
  TimingConfig t = zeroCosts(CentralMode::LockFree);
  t.cost.mcacheHit = 10;
  t.cost.refill = 100;
  t.fromEvent = 1;
  World w(timedConfig(1, t));
  for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(w.step(allocEvent(i, 48)));
  // Event 0 (the refill) is set-up: the two hits are timed from 0, 10 ns each.
  const TimingFigures f = w.timing()->figures();
  EXPECT_EQ(f.events, 2u);
  EXPECT_EQ(f.makespan, 20u);
  EXPECT_EQ(f.latencyMax, 10u);
}

TEST(TimedEngine, TraceTimesDelayTheStartUnlessTheClockIsModel) {
  for (ClockSource clock : {ClockSource::Trace, ClockSource::Model}) {
    TimingConfig t = zeroCosts(CentralMode::LockFree);
    t.cost.mcacheHit = 10;
    t.cost.refill = 100;
    t.clock = clock;
    World w(timedConfig(1, t));
    ASSERT_TRUE(w.step(allocAt(0, 48, 0, 5000)));
    ASSERT_TRUE(w.step(allocAt(1, 48, 0, 5050))); // P0 is busy until 5110: starts then
    if (clock == ClockSource::Trace) {
      EXPECT_EQ(w.last().start, 5110u);
    } else { // trace times ignored: back to back from 0
      EXPECT_EQ(w.last().start, 110u);
    }
  }
}

TEST(TimedEngine, StepDescriptionMentionsWaits) {
  TimingConfig t = zeroCosts(CentralMode::Mutex);
  t.cost.centralTake = 100;
  World w(timedConfig(2, t));
  ASSERT_TRUE(w.step(allocAt(0, 48, 0, 0)));
  EXPECT_EQ(describe(w.last()).find("waited"), std::string::npos);
  ASSERT_TRUE(w.step(allocAt(1, 48, 1, 40)));
  EXPECT_NE(describe(w.last()).find("waited 60 ns for mcentral[class 5 noscan].lock (held by P0)"), std::string::npos)
      << describe(w.last());
}

TEST(TimedEngine, TimingOffLeavesRecordsAndStateAsTheyWere) {
  // The untimed engine is exact: turning the model on must not change what it does.
  auto run = [](bool timed) {
    Config c;
    c.gomaxprocs = 4;
    c.timing.enabled = timed;
    World w(c);
    std::vector<uint64_t> addrs;
    for (uint64_t i = 0; i < 20000; ++i) {
      if (i % 3 == 2) EXPECT_TRUE(w.step(freeEvent(i - 2, static_cast<uint32_t>(i % 4))));
      else EXPECT_TRUE(w.step(allocEvent(i, 8 + (i * 37) % 3000, i % 5 != 0, static_cast<uint32_t>(i % 4))));
      addrs.push_back(w.last().addr ^ w.last().path);
    }
    EXPECT_TRUE(w.step(gcEvent()));
    addrs.push_back(w.memStats().HeapInuse);
    return addrs;
  };
  EXPECT_EQ(run(false), run(true));
}

// Everything the model reports, as text, to compare two runs.
std::string signature(const TimingFigures& f) {
  std::ostringstream s;
  s << f.makespan << ' ' << f.events << ' ' << f.allocs << ' ' << f.latencyP50 << ' ' << f.latencyP99 << ' '
    << f.latencyMax << ' ' << f.heapWait << '\n';
  for (const LockFigures& l : f.locks)
    s << l.name << ' ' << l.acquisitions << ' ' << l.contended << ' ' << l.waitTotal << ' ' << l.waitP99 << ' '
      << l.waitMax << ' ' << l.holdTotal << '\n';
  for (const ProcFigures& p : f.executors)
    s << p.who << ' ' << p.events << ' ' << p.busy << ' ' << p.waiting << ' ' << p.latencyP99 << '\n';
  return s.str();
}

TEST(TimedEngine, SameTraceAndConfigGiveTheSameScheduleAndFigures) {
  for (CentralMode mode : {CentralMode::Mutex, CentralMode::LockFree}) {
    auto run = [mode](std::string* sig) {
      std::unique_ptr<traces::EventStream> g =
          traces::makeGenerator("larson", {{"threads", "4"}, {"events", "30000"}, {"chunks", "300"}}, 42);
      Config c;
      c.gomaxprocs = 4;
      c.liveness = Liveness::Immediate;
      c.timing.enabled = true;
      c.timing.central = mode;
      World w(c);
      uint64_t h = 1469598103934665603u; // FNV-1a over every event's start, end and wait
      Event ev;
      while (g->read(&ev, 1) == 1) {
        EXPECT_TRUE(w.step(ev));
        for (uint64_t v : {w.last().start, w.last().end, w.last().wait}) h = (h ^ v) * 1099511628211u;
      }
      *sig = signature(w.timing()->figures());
      return h;
    };
    std::string a, b;
    EXPECT_EQ(run(&a), run(&b));
    EXPECT_EQ(a, b);
    EXPECT_NE(a.find("mheap.lock"), std::string::npos);
  }
}

// ---------------------------------------------------------------------------------------------
// The classroom scenarios say what happens; check the numbers their lessons quote against the
// cost model (go1.19-amd64: central_take 60 ns; page_alloc 400, heap_grow 5000 per 4 MiB,
// arena_reserve 10000, mspan_refill 1000 under mheap.lock).

struct ScenarioRun {
  std::vector<StepRecord> recs;
  TimingFigures figures;
};

ScenarioRun replayScenario(const std::string& name, CentralMode mode) {
  std::string err;
  std::optional<traces::Trace> t = traces::loadJsonTrace(std::string(SPANSCOPE_SOURCE_DIR) + "/assets/scenarios/" + name, &err);
  EXPECT_TRUE(t) << err;
  Config c;
  traces::applyTraceConfig(t->meta, c);
  c.timing.enabled = true;
  c.timing.central = mode;
  World w(c);
  ScenarioRun r;
  for (const Event& e : t->events) {
    EXPECT_TRUE(w.step(e));
    r.recs.push_back(w.last());
  }
  r.figures = w.timing()->figures();
  return r;
}

TEST(LockScenarios, OneClassQueuesOnItsMutexOnlyInMutexMode) {
  const ScenarioRun m = replayScenario("locks_one_class.json", CentralMode::Mutex);
  // The first contest round: 8 refills of class 44 asking at the same instant. P_k waits for the
  // k holds of 60 ns before it: 0, 60, ..., 420 ns.
  std::vector<uint64_t> firstRound; // each one's wait for its first lock, cacheSpan's
  for (const StepRecord& r : m.recs)
    if (r.kind == EventKind::Alloc && r.size == 4096 && firstRound.size() < 8) {
      EXPECT_EQ(r.locks[0].lock, makeLockId(LockKind::Central, makeSpanClass(44, true)));
      firstRound.push_back(r.locks[0].wait);
    }
  EXPECT_EQ(firstRound, (std::vector<uint64_t>{0, 60, 120, 180, 240, 300, 360, 420}));
  EXPECT_EQ(lockIn(m.figures, kHeapLock)->contended, 0u);
  const ScenarioRun f = replayScenario("locks_one_class.json", CentralMode::LockFree);
  for (const LockFigures& l : f.figures.locks) EXPECT_EQ(l.contended, 0u) << l.name;
}

TEST(LockScenarios, SpreadOverClassesNeverWaits) {
  for (CentralMode mode : {CentralMode::Mutex, CentralMode::LockFree})
    for (const LockFigures& l : replayScenario("locks_spread.json", mode).figures.locks)
      EXPECT_EQ(l.contended, 0u) << l.name;
}

TEST(LockScenarios, OnePNeverWaits) {
  for (CentralMode mode : {CentralMode::Mutex, CentralMode::LockFree})
    for (const LockFigures& l : replayScenario("locks_one_p.json", mode).figures.locks)
      EXPECT_EQ(l.contended, 0u) << l.name;
}

TEST(LockScenarios, LargeObjectsQueueBehindTheHeapGrowth) {
  const ScenarioRun m = replayScenario("locks_large.json", CentralMode::LockFree);
  // P0 grows the empty heap: page_alloc + heap_grow + arena_reserve + mspan_refill = 16.4 us
  // under mheap.lock; P1 asked at the same instant and waits all of it.
  size_t allocs = 0;
  for (const StepRecord& r : m.recs) {
    if (r.kind != EventKind::Alloc) continue;
    if (allocs == 0) {
      EXPECT_EQ(r.locks[0].lock, kHeapLock);
      EXPECT_EQ(r.locks[0].hold, 400u + 5000u + 10000u + 1000u);
    }
    if (allocs == 1) {
      EXPECT_EQ(r.locks[0].lock, kHeapLock);
      EXPECT_EQ(r.locks[0].wait, 16400u);
      EXPECT_EQ(r.locks[0].holder, 0u);
    }
    allocs++;
  }
  const LockFigures* heap = lockIn(m.figures, kHeapLock);
  EXPECT_EQ(heap->acquisitions, 96u + 80u); // 8 x 12 allocations, 8 x 10 frees
}

// ---------------------------------------------------------------------------------------------
// Cost models (JSON)

TEST(CostModelJson, ShippedDefaultEqualsTheBuiltInOne) {
  std::string err;
  const std::string path = std::string(SPANSCOPE_SOURCE_DIR) + "/assets/cost_models/go1.19-amd64.json";
  std::optional<CostModel> m = traces::loadCostModel(path, &err);
  ASSERT_TRUE(m) << err;
  EXPECT_EQ(*m, CostModel::go119Amd64());
  // Every field is written out with its source in the shipped file, none left to the default.
  std::optional<CostModel> empty = traces::parseCostModel(
      R"({"format": "spanscope-cost-model", "version": 1, "costs": {}})", "empty.json", &err);
  ASSERT_TRUE(empty) << err;
  EXPECT_EQ(empty->name, "empty");
}

TEST(CostModelJson, KeysOverrideAndAcceptPlainNumbers) {
  std::string err;
  std::optional<CostModel> m = traces::parseCostModel(
      R"({"format": "spanscope-cost-model", "version": 1, "name": "slow heap",
          "costs": {"page_alloc": 5000, "free_span": {"ns": 7, "source": "a guess"}}})",
      "x.json", &err);
  ASSERT_TRUE(m) << err;
  EXPECT_EQ(m->name, "slow heap");
  EXPECT_EQ(m->pageAlloc, 5000u);
  EXPECT_EQ(m->freeSpan, 7u);
  EXPECT_EQ(m->mcacheHit, CostModel::go119Amd64().mcacheHit);
}

TEST(CostModelJson, BadFilesGiveOneLineErrors) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"format": "spanscope-cost-model", "version": 1, "costs": {"mcache_hti": 3}})", "unknown key \"mcache_hti\""},
      {R"({"format": "spanscope-cost-model", "version": 1, "costs": {"mcache_hit": -3}})", "\"mcache_hit\": must be"},
      {R"({"format": "spanscope-cost-model", "version": 1, "costs": {"mcache_hit": 5000000000}})", "must be an integer"},
      {R"({"format": "spanscope-cost-model", "version": 1, "costs": {"mcache_hit": {"source": "x"}}})", "needs \"ns\""},
      {R"({"format": "spanscope-cost-model", "version": 2, "costs": {}})", "unsupported \"version\" 2"},
      {R"({"format": "something else", "version": 1, "costs": {}})", "\"format\" must be"},
      {R"({"format": "spanscope-cost-model", "version": 1})", "\"costs\" must be an object"},
      {R"({"format": "spanscope-cost-model", "version": 1, "costs": {})", "line 1, column"},
  };
  for (const auto& [text, want] : bad) {
    std::string err;
    EXPECT_FALSE(traces::parseCostModel(text, "m.json", &err)) << text;
    EXPECT_EQ(err.rfind("m.json: ", 0), 0u) << err;
    EXPECT_NE(err.find(want), std::string::npos) << err;
    EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  }
  std::string err;
  EXPECT_FALSE(traces::loadCostModel("/nonexistent/cost.json", &err));
  EXPECT_NE(err.find("/nonexistent/cost.json"), std::string::npos);
}

} // namespace
