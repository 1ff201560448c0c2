// Lazy sweeping after a pacer-triggered GC: every list movement of the reference's table
// (go-allocator-1.19.md §6.5), sweepone's order (§6.2), proportional sweep and the page reclaimer
// (§6.6), the background sweeper, and invariants in lazy mode. Expected values come from those
// rules (quoted per test), never from the engine's output. Invariants run after every step.
#include "sim/malloc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace {

using namespace sim;

class Engine {
 public:
  explicit Engine(Config cfg) : w(std::move(cfg)) {}
  StepRecord run(const Event& ev) {
    std::string err;
    EXPECT_TRUE(w.step(ev, &err)) << err;
    auto bad = checkInvariants(w);
    EXPECT_TRUE(bad.empty()) << "after event " << w.eventsApplied() << ": " << bad.front();
    return w.last();
  }
  StepRecord alloc(uint64_t size, bool noscan = true) { return run(allocEvent(next++, size, noscan)); }
  World w;
  uint64_t next = 0;
};

// Lazy sweeping; bg = the background sweeper's spans per event (0: only allocation sweeps).
Config lazy(int32_t gogc = 100, uint32_t bg = 0) {
  Config c;
  c.gogc = gogc;
  c.sweep = SweepMode::Lazy;
  c.bgSweepSpans = bg;
  return c;
}

constexpr SpanClass kSpc48 = 11; // 48 B noscan: class 5, 170 slots per 8 KiB span
constexpr uint32_t kPerSpan = 170;

bool inSet(const Engine& e, SpanId s, bool partial, bool swept, SpanClass spc = kSpc48) {
  const std::vector<SpanId> v = e.w.view().spansInSet(spc, partial, swept);
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Live 64 KiB large objects (their own 8-page spans, span class 1) until one brings heapLive to
// the pacer's trigger. Returns the triggering event's record.
StepRecord triggerGC(Engine& e) {
  for (int i = 0; i < 100000; ++i) {
    StepRecord r = e.alloc(65536);
    if (r.has(PathStep::GCTrigger)) return r;
  }
  ADD_FAILURE() << "the pacer never triggered";
  return e.w.last();
}

// Fills `spans` spans of 48 B objects (ids consecutive from e.next) and returns the span ids in
// order; the last one stays cached unless flushed.
std::vector<SpanId> fillSpans(Engine& e, int spans) {
  std::vector<SpanId> out;
  for (int s = 0; s < spans; ++s)
    for (uint32_t i = 0; i < kPerSpan; ++i) {
      StepRecord r = e.alloc(48);
      if (i == 0) out.push_back(r.span);
    }
  return out;
}

// §6.5 "partial/fullSwept -> GC (sg += 2) -> becomes partial/fullUnswept (no move)"; §6.1: the
// span's sweepgen is now sg-2 and nothing was swept by a pacer-triggered cycle in lazy mode.
TEST(LazySweep, GCTurnsSweptSetsIntoUnsweptSetsInPlace) {
  Engine e(lazy());
  std::vector<SpanId> full = fillSpans(e, 1); // span 0 full, still cached
  StepRecord r = e.alloc(48);                 // refill: span 0 -> fullSwept, span 1 cached
  const SpanId partial = r.span;
  e.run(readMemStatsEvent());                 // flush: span 1 (1 object) -> partialSwept
  ASSERT_TRUE(inSet(e, full[0], false, true));
  ASSERT_TRUE(inSet(e, partial, true, true));
  const uint32_t sg = e.w.view().sweepgen();

  StepRecord g = triggerGC(e);
  EXPECT_TRUE(g.has(PathStep::GCCycle));
  EXPECT_EQ(e.w.view().sweepgen(), sg + 2);
  EXPECT_TRUE(inSet(e, full[0], false, false)) << "fullSwept became fullUnswept";
  EXPECT_TRUE(inSet(e, partial, true, false)) << "partialSwept became partialUnswept";
  EXPECT_EQ(e.w.view().span(full[0]).sweepgen, sg) << "= new sg - 2: needs sweeping";
  EXPECT_FALSE(e.w.view().isSwept(full[0]));
  EXPECT_TRUE(e.w.view().sweepInProgress());
  EXPECT_EQ(e.w.memStats().NumGC, 1u);
  EXPECT_GT(e.w.memStats().UnsweptSpans, 0u);
}

// §6.5 "(none) -> mcentral.grow / refill -> mcache (sweepgen sg+3)": a span allocated during the
// sweep phase is swept by construction.
TEST(LazySweep, NewSpansDuringTheSweepAreSwept) {
  Engine e(lazy());
  triggerGC(e);
  ASSERT_TRUE(e.w.view().sweepInProgress());
  StepRecord r = e.alloc(1024); // class 1024 has no span at all: grow
  EXPECT_TRUE(r.has(PathStep::CentralGrow));
  EXPECT_EQ(e.w.view().span(r.span).sweepgen, e.w.view().sweepgen() + 3);
  EXPECT_TRUE(e.w.view().isSwept(r.span));
}

// §6.5 "mcache -> flush of a stale span -> swept immediately -> partialSwept / freed to mheap"
// (§6.2 step 6: cached spans are flushed at mark termination and swept then, lazy mode or not).
TEST(LazySweep, StaleCachedSpanIsSweptAtMarkTermination) {
  Engine e(lazy());
  StepRecord first = e.alloc(48);
  for (int i = 1; i < 10; ++i) e.alloc(48);
  e.run(freeEvent(2));
  e.run(freeEvent(5));
  triggerGC(e); // class 48's span is still cached: flushed and swept by the GC's releaseAll
  const MSpan& s = e.w.view().span(first.span);
  EXPECT_EQ(s.sweepgen, e.w.view().sweepgen()) << "swept now";
  EXPECT_EQ(s.allocCount, 8u);
  EXPECT_TRUE(inSet(e, first.span, true, true)) << "partly used -> partialSwept";
}

TEST(LazySweep, StaleCachedSpanWithNothingLiveIsFreedAtMarkTermination) {
  Engine e(lazy());
  StepRecord first = e.alloc(2048); // class 2048: 4 per 8 KiB span
  e.run(freeEvent(0));
  const uint64_t inuse = e.w.memStats().HeapInuse;
  StepRecord g = triggerGC(e);
  EXPECT_EQ(e.w.view().span(first.span).state, SpanState::Dead) << "freed to mheap";
  EXPECT_GE(g.spansFreed, 1u);
  EXPECT_EQ(e.w.memStats().HeapInuse, inuse + 65536 * (e.next - 1) - 8192)
      << "the large objects' pages came, the 2048 B span's page went";
}

// §6.5 "partialUnswept -> cacheSpan sweep(preserve) -> mcache (even if empty)" (§6.4: a span the
// allocating goroutine sweeps in cacheSpan is kept even when nothing in it survived).
TEST(LazySweep, CacheSpanSweepsPartialUnsweptAndKeepsItEvenIfEmpty) {
  Engine e(lazy());
  StepRecord a = e.alloc(48);
  e.alloc(48);
  e.run(readMemStatsEvent()); // the span (2 objects) -> partialSwept
  e.run(freeEvent(0));
  e.run(freeEvent(1));
  triggerGC(e);
  ASSERT_TRUE(inSet(e, a.span, true, false));
  StepRecord r = e.alloc(48);
  EXPECT_TRUE(r.has(PathStep::CacheSpanPartialUnswept));
  EXPECT_FALSE(r.has(PathStep::CentralGrow));
  EXPECT_EQ(r.span, a.span) << "kept, not freed, although it was empty";
  EXPECT_EQ(r.addr, a.addr) << "slot 0 again: freeindex reset by the sweep";
  const MSpan& s = e.w.view().span(a.span);
  EXPECT_EQ(s.home, SpanHome::MCache);
  EXPECT_EQ(s.allocCount, 1u);
  EXPECT_EQ(s.sweepgen, e.w.view().sweepgen() + 3);
}

// §6.5 "fullUnswept -> cacheSpan sweep(preserve): got free slot -> mcache" and "still full ->
// fullSwept", in FIFO order (§4.3 step 4b).
TEST(LazySweep, CacheSpanSweepsFullUnsweptKeepingTheFirstWithAFreeSlot) {
  Engine e(lazy());
  std::vector<SpanId> spans = fillSpans(e, 2);
  e.run(readMemStatsEvent()); // span 1 (full, cached) -> fullSwept after span 0
  e.run(freeEvent(kPerSpan + 7)); // slot 7 of span 1
  triggerGC(e);
  ASSERT_TRUE(inSet(e, spans[0], false, false));
  ASSERT_TRUE(inSet(e, spans[1], false, false));
  StepRecord r = e.alloc(48);
  EXPECT_TRUE(r.has(PathStep::CacheSpanFullUnswept));
  EXPECT_EQ(r.span, spans[1]);
  EXPECT_EQ(r.slot, 7u);
  EXPECT_TRUE(inSet(e, spans[0], false, true)) << "swept, still full -> fullSwept";
  EXPECT_TRUE(e.w.view().isSwept(spans[0]));
}

// §6.5 "any unswept -> sweepone: empty -> freed / partly used -> partialSwept / full ->
// fullSwept" and "large, unswept -> sweep, dead -> freed"; §6.2: sweepone visits span classes in
// order, full-unswept before partial-unswept, FIFO. The background sweeper sweeps one span per
// event here (bgSweepSpans = 1), so readmemstats events (which allocate nothing) step it.
TEST(LazySweep, BackgroundSweeperSweepsInSweeponeOrderOneSpanPerEvent) {
  Engine e(lazy(10, 1)); // GOGC=10: heapMinimum 419430, the trigger comes after 7 large objects
  std::vector<SpanId> spans = fillSpans(e, 3); // spans 0, 1 full; span 2 full and cached
  StepRecord p = e.alloc(48);                 // span 3: partial, cached
  e.run(readMemStatsEvent());                 // span 3 -> partialSwept; fullSwept: 0, 1, 2
  for (uint32_t i = 0; i < kPerSpan; ++i) e.run(freeEvent(i)); // span 0: all dead
  e.run(freeEvent(kPerSpan + 3));                              // span 1: one dead
  const uint64_t largeFirst = e.next;
  triggerGC(e);
  const SpanId largeSpan = e.w.view().spanAt(e.w.view().objectAddr(largeFirst));
  e.run(freeEvent(largeFirst)); // the first large object dies after the mark: survives this cycle
  // Unswept now: the large spans (span class 1), then class 48's full set 0, 1, 2, partial 3.
  const uint64_t large = e.next - largeFirst;
  EXPECT_EQ(e.w.memStats().UnsweptSpans, large + 4 - 1) << "the free event's bg sweep took one";
  std::vector<SpanId> order;
  std::vector<SpanId> watch = {spans[0], spans[1], spans[2], p.span};
  std::vector<bool> done(watch.size(), false);
  for (int k = 0; k < 100 && e.w.view().sweepInProgress(); ++k) {
    const uint64_t before = e.w.memStats().UnsweptSpans;
    StepRecord r = e.run(readMemStatsEvent());
    EXPECT_TRUE(r.has(PathStep::BackgroundSweep));
    EXPECT_EQ(r.spansSwept, 1u);
    EXPECT_EQ(e.w.memStats().UnsweptSpans, before - 1);
    for (size_t i = 0; i < watch.size(); ++i)
      if (!done[i] && (e.w.view().span(watch[i]).state != SpanState::InUse || e.w.view().isSwept(watch[i]))) {
        done[i] = true;
        order.push_back(watch[i]);
      }
  }
  EXPECT_FALSE(e.w.view().sweepInProgress());
  EXPECT_EQ(order, watch) << "full set FIFO, then the partial set";
  EXPECT_EQ(e.w.view().span(spans[0]).state, SpanState::Dead) << "empty -> freed to mheap";
  EXPECT_TRUE(inSet(e, spans[1], true, true)) << "partly used -> partialSwept";
  EXPECT_TRUE(inSet(e, spans[2], false, true)) << "full -> fullSwept";
  EXPECT_TRUE(inSet(e, p.span, true, true));
  EXPECT_EQ(e.w.view().span(largeSpan).state, SpanState::InUse) << "died after the mark: survives this cycle";
  StepRecord next = e.run(readMemStatsEvent());
  EXPECT_FALSE(next.has(PathStep::BackgroundSweep)) << "nothing left to sweep";
}

// A large object dead at the mark: sweepone frees its span (§6.3 step 8).
TEST(LazySweep, DeadLargeObjectIsFreedByItsSweep) {
  Engine e(lazy(10, 1));
  StepRecord big = e.alloc(100000); // 13 pages
  e.run(freeEvent(0));
  triggerGC(e);
  const uint64_t largeFreesBefore = e.w.memStats().Frees;
  EXPECT_EQ(e.w.view().span(big.span).state, SpanState::InUse) << "not swept yet";
  e.run(readMemStatsEvent()); // the first span of span class 1 in FIFO order is the dead one
  EXPECT_EQ(e.w.view().span(big.span).state, SpanState::Dead);
  EXPECT_EQ(e.w.memStats().Frees, largeFreesBefore + 1);
}

// §6.6: mheap.reclaim, before heap pages are allocated while sweeping is unfinished, sweeps in-use
// spans with no marked object (freeing them) and leaves spans with survivors unswept.
TEST(LazySweep, ReclaimerFreesUnmarkedSpansBeforeAPageAllocation) {
  Engine e(lazy());
  std::vector<SpanId> spans = fillSpans(e, 2);
  e.run(readMemStatsEvent());
  for (uint32_t i = 0; i < kPerSpan; ++i) e.run(freeEvent(i)); // span 0: all dead
  e.run(freeEvent(kPerSpan + 1));                              // span 1: one dead
  triggerGC(e);
  ASSERT_FALSE(e.w.view().isSwept(spans[0]));
  const uint64_t base0 = e.w.view().span(spans[0]).startAddr;
  StepRecord r = e.alloc(65536); // a large object: mheap.alloc reclaims first
  EXPECT_TRUE(r.has(PathStep::Reclaim));
  EXPECT_EQ(r.spansFreed, 1u) << "no marked object: reclaimed, freed to mheap";
  const SpanId now0 = e.w.view().spanAt(base0);
  EXPECT_TRUE(now0 == kNoSpan || e.w.view().span(now0).spanclass != kSpc48) << "span 0's page left class 48";
  EXPECT_FALSE(e.w.view().isSwept(spans[1])) << "has survivors: the reclaimer skips it";
  EXPECT_TRUE(inSet(e, spans[1], false, false));
}

// §6.6: proportional sweep is paced so that every page in use at mark termination is swept by the
// time heapLive has grown to 1 MiB short of the trigger (Go's gcPaceSweeper), and it does not all
// happen at once.
TEST(LazySweep, ProportionalSweepFinishesBeforeHeapLiveReachesTheTriggerLessOneMiB) {
  Engine e(lazy());
  fillSpans(e, 60); // 60 spans of live 48 B objects, besides the large ones
  triggerGC(e);
  ASSERT_TRUE(e.w.view().sweepInProgress());
  const uint64_t unswept0 = e.w.memStats().UnsweptSpans;
  const uint64_t deadline = e.w.pacer().trigger - (uint64_t{1} << 20);
  bool sawProportional = false;
  uint64_t maxPerEvent = 0;
  while (e.w.view().sweepInProgress()) {
    const uint64_t before = e.w.memStats().UnsweptSpans;
    StepRecord r = e.alloc(8192); // class 8192: one object per span, every allocation a refill
    sawProportional = sawProportional || r.has(PathStep::ProportionalSweep);
    maxPerEvent = std::max(maxPerEvent, before - e.w.memStats().UnsweptSpans);
    ASSERT_LE(e.w.pacer().heapLive, deadline + 8192) << "the sweep lags behind its pacing";
    ASSERT_EQ(e.w.memStats().NumGC, 1u);
  }
  EXPECT_TRUE(sawProportional);
  EXPECT_LT(maxPerEvent, unswept0 / 4) << "sweep debt is paid a little at each span allocation";
}

// runtime.GC() waits for the sweep (§6.2 step 7): a `gc` event leaves nothing unswept in lazy
// mode, and the eager mode sweeps a pacer-triggered cycle fully too.
TEST(LazySweep, GcEventAndEagerModeSweepEverything) {
  Engine lz(lazy());
  fillSpans(lz, 3);
  lz.run(gcEvent());
  EXPECT_FALSE(lz.w.view().sweepInProgress());
  Config c = lazy();
  c.sweep = SweepMode::Eager;
  Engine eg(c);
  fillSpans(eg, 3);
  triggerGC(eg);
  EXPECT_FALSE(eg.w.view().sweepInProgress());
  EXPECT_EQ(eg.w.memStats().NumGC, 1u);
}

// A cycle that triggers while the previous sweep is unfinished finishes it first (gcStart).
TEST(LazySweep, NextCycleFinishesThePreviousSweepFirst) {
  Engine e(lazy());
  fillSpans(e, 50);
  triggerGC(e);
  ASSERT_TRUE(e.w.view().sweepInProgress());
  const uint64_t left = e.w.memStats().UnsweptSpans;
  StepRecord g = e.run(gcEvent());
  EXPECT_EQ(e.w.memStats().NumGC, 2u);
  EXPECT_FALSE(e.w.view().sweepInProgress());
  EXPECT_GE(g.spansSwept, left + 50) << "the old cycle's leftovers, then the new cycle's 50+ spans";
}

// The pacer's figures are exposed: NextGC = goal, trigger, the event of the last GC.
TEST(LazySweep, MemStatsExposeTheGoalTriggerAndLastGC) {
  Engine e(lazy());
  EXPECT_EQ(e.w.memStats().GCTrigger, 3997696u) << "4 MiB/64*61, reference §6.6 / mgcpacer.go";
  EXPECT_EQ(e.w.memStats().LastGCEvent, ~uint64_t{0});
  triggerGC(e);
  const MemStats m = e.w.memStats();
  EXPECT_EQ(m.LastGCEvent, e.w.eventsApplied() - 1);
  // 61 live 64 KiB objects marked: goal = 2 x marked (GOGC=100), trigger = marked + 61/64 of it.
  const uint64_t marked = 61 * 65536;
  EXPECT_EQ(m.NextGC, 2 * marked);
  EXPECT_EQ(m.GCTrigger, marked + marked / 64 * 61);
}

// With the timing model on, MemStats carry the last GC's simulated time and the GC worker's share
// of the Ps' time (Go: LastGC, GCCPUFraction); without it both stay 0.
TEST(LazySweep, TimingModelGivesLastGCTimeAndGCCPUFraction) {
  Config c = lazy();
  c.timing.enabled = true;
  Engine e(c);
  triggerGC(e);
  const MemStats m = e.w.memStats();
  EXPECT_EQ(m.LastGC, e.w.last().end);
  EXPECT_GT(m.LastGC, 0u);
  EXPECT_GT(m.GCCPUFraction, 0.0);
  EXPECT_LT(m.GCCPUFraction, 1.0);
  Engine plain(lazy());
  triggerGC(plain);
  EXPECT_EQ(plain.w.memStats().LastGC, 0u);
  EXPECT_EQ(plain.w.memStats().GCCPUFraction, 0.0);
}

// Invariants and checkpoint determinism with frequent lazy cycles, several Ps, with and without
// the background sweeper.
void randomLazy(uint32_t procs, uint32_t bg, uint32_t seed) {
  Config cfg = lazy(25, bg);
  cfg.gomaxprocs = procs;
  std::mt19937 rng(seed);
  Engine e(cfg);
  std::vector<uint64_t> live;
  std::vector<Event> events;
  World checkpoint = e.w;
  uint64_t sawUnswept = 0;
  for (int t = 0; t < 6000; ++t) {
    Event ev;
    const uint32_t r = static_cast<uint32_t>(rng() % 100);
    if (r < 55 || live.empty()) {
      uint64_t size = r % 7 == 0 ? 1 + rng() % 15 : (r % 13 == 0 ? 32769 + rng() % 200000 : 1 + rng() % 3000);
      ev = allocEvent(e.next++, size, rng() % 2 == 0, static_cast<uint32_t>(rng() % 5));
      live.push_back(ev.id);
    } else if (r < 99) {
      size_t k = rng() % live.size();
      ev = freeEvent(live[k], static_cast<uint32_t>(rng() % 5));
      live.erase(live.begin() + static_cast<long>(k));
    } else {
      ev = readMemStatsEvent();
    }
    if (t == 3000) checkpoint = e.w;
    events.push_back(ev);
    e.run(ev);
    sawUnswept += e.w.view().sweepInProgress();
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(e.w.memStats().NumGC, 3u);
  EXPECT_GT(sawUnswept, 0u) << "some events ran while a sweep was in progress";
  for (size_t i = 3000; i < events.size(); ++i) ASSERT_TRUE(checkpoint.step(events[i]));
  EXPECT_EQ(checkpoint.memStats().HeapAlloc, e.w.memStats().HeapAlloc);
  EXPECT_EQ(checkpoint.memStats().UnsweptSpans, e.w.memStats().UnsweptSpans);
  EXPECT_EQ(checkpoint.last().addr, e.w.last().addr);
}

TEST(LazySweep, RandomWorkloadOnePNoBackgroundSweeper) { randomLazy(1, 0, 11); }
TEST(LazySweep, RandomWorkloadThreePsWithBackgroundSweeper) { randomLazy(3, 2, 12); }

} // namespace
