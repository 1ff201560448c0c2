// The engine end to end: mallocgc paths, mcentral FIFO, heap growth, GC, pacer, liveness modes.
// Expected values come from Go 1.19's rules and measurements quoted in the reference
// (go-allocator-1.19.md), never from the engine's own output. Invariants run after every step.
#include "sim/malloc.h"

#include <gtest/gtest.h>

#include <random>

namespace {

using namespace sim;

class Engine {
 public:
  explicit Engine(Config cfg = {}) : w(std::move(cfg)) {}
  const StepRecord& run(const Event& ev) {
    std::string err;
    EXPECT_TRUE(w.step(ev, &err)) << err;
    auto bad = checkInvariants(w);
    EXPECT_TRUE(bad.empty()) << "after event " << w.eventsApplied() << ": " << bad.front();
    return w.last();
  }
  const StepRecord& alloc(uint64_t size, bool noscan = true, uint32_t thread = 0) {
    return run(allocEvent(next++, size, noscan, thread));
  }
  World w;
  uint64_t next = 0;
};

Config gogcOff() {
  Config c;
  c.gogc = -1;
  return c;
}

TEST(Mallocgc, FirstAllocationRefillsGrowsCentralAndHeap) {
  Engine e(gogcOff());
  const StepRecord& r = e.alloc(33);
  EXPECT_EQ(r.sizeclass, 5u) << "33 B rounds up to class 5 (48 B)";
  EXPECT_EQ(r.spanclass, 11u) << "span class = 5<<1 | noscan";
  EXPECT_TRUE(r.has(PathStep::Refill)) << "an empty mcache slot is emptymspan: refill";
  EXPECT_TRUE(r.has(PathStep::CentralGrow));
  EXPECT_TRUE(r.has(PathStep::HeapGrow));
  EXPECT_EQ(r.addr, 0xc000000000u) << "first arena hint on linux/amd64";
  EXPECT_EQ(e.w.memStats().HeapSys, 4u << 20) << "growth in whole 4 MiB chunks";
}

TEST(Mallocgc, SlotsFillInOrderAndTheNextSpanComesAfterNelems) {
  Engine e(gogcOff());
  uint64_t base = e.alloc(48).addr;
  for (uint32_t i = 1; i < 170; ++i) {
    const StepRecord& r = e.alloc(48);
    EXPECT_EQ(r.addr, base + 48 * i);
    EXPECT_TRUE(r.has(PathStep::NextFreeFast) || r.has(PathStep::NextFree));
    EXPECT_FALSE(r.has(PathStep::Refill));
  }
  const StepRecord& r = e.alloc(48); // class 5 holds 170 objects per 8 KiB span
  EXPECT_TRUE(r.has(PathStep::Refill));
  EXPECT_TRUE(r.has(PathStep::UncacheSpan));
  EXPECT_TRUE(r.has(PathStep::CentralGrow));
  EXPECT_EQ(r.slot, 0u);
  EXPECT_EQ(r.addr % 8192, 0u);
  EXPECT_NE(r.addr, base);
}

TEST(Mallocgc, ScanAndNoscanNeverShareASpan) {
  Engine e(gogcOff());
  uint64_t a = e.alloc(64, true).addr;
  uint64_t b = e.alloc(64, false).addr;
  EXPECT_NE(a / 8192, b / 8192);
  EXPECT_EQ(e.w.last().spanclass, makeSpanClass(6, false));
}

TEST(Mallocgc, ZeroSizeReturnsZerobaseAndCountsNothing) {
  Engine e(gogcOff());
  MemStats before = e.w.memStats();
  const StepRecord& r = e.alloc(0);
  EXPECT_EQ(r.addr, kZeroBase);
  EXPECT_EQ(e.w.memStats().Mallocs, before.Mallocs);
  e.run(freeEvent(0));
}

// The worked example of go-allocator-1.19.md §3.3, started on a fresh block: rules give the offsets.
TEST(TinyAllocator, PacksWithSizeAlignmentAndKeepsTheRoomierBlock) {
  Engine e(gogcOff());
  struct Want {
    uint64_t size;
    int block; // index of the block (in order of creation)
    uint64_t off;
  };
  // 5 -> new block A @0 (tinyoffset 5); 5 -> A@5 (10); 3 -> A@10 (13); 8 (align 8 -> 16, no room)
  // -> new block B, 8 < 13 so B becomes current (offset 8); 12 (align 4 -> 8, 8+12 > 16) -> new
  // block C, 12 >= 8 so B stays; 1 -> B@8; 2 -> B@10 (align 2); 4 -> B@12; 16 -> not tiny (class 2);
  // 6 -> align 2 -> 16, no room -> new block D (6 < 16 -> current); 10 -> D@6.
  const Want want[] = {{5, 0, 0}, {5, 0, 5}, {3, 0, 10}, {8, 1, 0}, {12, 2, 0}, {1, 1, 8},
                       {2, 1, 10}, {4, 1, 12}, {16, -1, 0}, {6, 3, 0}, {10, 3, 6}};
  std::vector<uint64_t> blocks;
  for (const Want& w : want) {
    const StepRecord& r = e.alloc(w.size);
    if (w.block < 0) {
      EXPECT_FALSE(r.has(PathStep::TinyHit) || r.has(PathStep::TinyNewBlock)) << "16 B is not tiny";
      EXPECT_EQ(r.spanclass, 5u) << "but it lands in the tiny span class";
      continue;
    }
    uint64_t block = r.addr & ~uint64_t{15};
    if (static_cast<size_t>(w.block) == blocks.size()) {
      EXPECT_TRUE(r.has(PathStep::TinyNewBlock)) << "size " << w.size;
      blocks.push_back(block);
    } else {
      EXPECT_TRUE(r.has(PathStep::TinyHit)) << "size " << w.size;
    }
    EXPECT_EQ(block, blocks[static_cast<size_t>(w.block)]) << "size " << w.size;
    EXPECT_EQ(r.addr & 15, w.off) << "size " << w.size;
  }
  // Tiny hits count as mallocs and, as Go does, as frees too; blocks count as 16 B objects.
  MemStats m = e.w.memStats();
  EXPECT_EQ(m.Mallocs, 11u);
  EXPECT_EQ(m.Frees, 6u) << "6 sub-allocations packed into existing blocks";
  EXPECT_EQ(m.HeapObjects, 5u) << "4 tiny blocks + one 16 B object";
  EXPECT_EQ(m.HeapAlloc, 5u * 16);
}

TEST(TinyAllocator, ReadMemStatsDropsTheCurrentBlock) {
  Engine e(gogcOff());
  e.alloc(4);
  e.run(readMemStatsEvent());
  EXPECT_TRUE(e.alloc(4).has(PathStep::TinyNewBlock)) << "releaseAll forgot the block";
}

TEST(LargeObjects, OwnSpanOfWholePagesPageCacheBelow16Pages) {
  Engine e(gogcOff());
  const StepRecord& a = e.alloc(40000);
  EXPECT_TRUE(a.has(PathStep::LargeAlloc));
  EXPECT_EQ(a.elemsize, 5u * 8192) << "40000 B -> 5 pages (tracealloc prints 0xa000)";
  EXPECT_TRUE(a.has(PathStep::PageCacheHit) || a.has(PathStep::PageAllocFind));
  uint64_t inuse = e.w.memStats().HeapInuse;
  const StepRecord& b = e.alloc(100000);
  EXPECT_EQ(e.w.memStats().HeapInuse - inuse, 13u * 8192) << "100000 B -> 13 pages";
  EXPECT_TRUE(b.has(PathStep::PageCacheHit)) << "13 < 16 pages: served by the P's page cache";
  const StepRecord& c = e.alloc(16 * 8192);
  EXPECT_FALSE(c.has(PathStep::PageCacheHit)) << "16 pages never use the page cache";
  EXPECT_TRUE(c.has(PathStep::PageAllocFind));
  EXPECT_EQ(e.alloc(32768).sizeclass, 67u) << "32768 is still small in 1.19";
  EXPECT_TRUE(e.alloc(32769).has(PathStep::LargeAlloc));
}

TEST(MHeap, GrowsInWhole4MiBChunksAsMeasured) {
  // Reference §5.2: allocating many 5-page objects grew HeapSys by exactly 4194304 each time.
  Engine e(gogcOff());
  std::vector<uint64_t> sys;
  for (int i = 0; i < 400; ++i) {
    e.alloc(40000);
    uint64_t s = e.w.memStats().HeapSys;
    if (sys.empty() || sys.back() != s) sys.push_back(s);
  }
  ASSERT_GE(sys.size(), 3u);
  for (size_t i = 1; i < sys.size(); ++i) EXPECT_EQ(sys[i] - sys[i - 1], 4u << 20);
  EXPECT_EQ(e.w.view().arenas().size(), 1u) << "400 * 40 KiB fits one 64 MiB arena";
}

TEST(MHeap, FreshPagesAreReleasedUntilASpanTakesThem) {
  Engine e(gogcOff());
  e.alloc(8);
  MemStats m = e.w.memStats();
  EXPECT_EQ(m.HeapInuse, 8192u);
  EXPECT_EQ(m.HeapReleased, (4u << 20) - 8192) << "sysUsed moved one page out of released";
  EXPECT_EQ(m.HeapIdle, m.HeapReleased) << "nothing free-but-committed yet";
}

TEST(GC, FreesBecomeReusableOnlyAfterACycleAndEmptySpansGoBack) {
  Engine e(gogcOff());
  for (int i = 0; i < 170; ++i) e.alloc(48); // one full span
  uint64_t addr0 = e.w.view().objectAddr(0);
  for (uint64_t id = 0; id < 170; ++id) e.run(freeEvent(id));
  MemStats m = e.w.memStats();
  EXPECT_EQ(m.HeapObjects, 170u) << "unreachable but not yet swept";
  EXPECT_EQ(m.HeapInuse, 8192u);
  const StepRecord& g = e.run(gcEvent());
  EXPECT_TRUE(g.has(PathStep::Sweep));
  EXPECT_TRUE(g.has(PathStep::FreeSpan));
  m = e.w.memStats();
  EXPECT_EQ(m.HeapObjects, 0u);
  EXPECT_EQ(m.HeapInuse, 0u);
  EXPECT_EQ(m.NumGC, 1u);
  EXPECT_EQ(m.Frees, 170u);
  EXPECT_EQ(e.w.ledger().freePages, 8192u) << "the page is free and committed (not released)";
  // The page went back to the page allocator. The P's page cache is empty (the first span came
  // from pageAlloc.alloc right after grow), so allocToCache takes the 64-page block holding the
  // first free page -- page 0 again -- and the new span reuses it.
  const StepRecord& r = e.alloc(48);
  EXPECT_TRUE(r.has(PathStep::PageCacheRefill));
  EXPECT_EQ(r.addr, addr0);
}

TEST(GC, SurvivorsKeepTheirSlotsAndFreedSlotsAreReusedFromSlotZero) {
  Engine e(gogcOff());
  for (int i = 0; i < 10; ++i) e.alloc(48);
  uint64_t base = e.w.view().objectAddr(0);
  e.run(freeEvent(2));
  e.run(freeEvent(5));
  e.run(gcEvent());
  // The span was cached at GC: flushed as stale, swept first (Go §6.2), freeindex reset to 0.
  EXPECT_EQ(e.alloc(48).addr, base + 2 * 48);
  EXPECT_EQ(e.alloc(48).addr, base + 5 * 48);
  EXPECT_EQ(e.alloc(48).addr, base + 10 * 48);
}

// Reference §4.2: after a GC the partially free spans are queued FIFO in sweep order, with the
// span that was cached at GC time first; a ReadMemStats flush puts the cached span at the tail.
TEST(MCentral, PartialSpansAreReusedFirstInFirstOut) {
  Engine e(gogcOff());
  std::vector<uint64_t> spanBase;
  for (int s = 0; s < 4; ++s)
    for (int i = 0; i < 170; ++i) {
      uint64_t a = e.alloc(48).addr;
      if (i == 0) spanBase.push_back(a);
    }
  uint64_t span4 = e.alloc(48).addr; // span 4 is cached now; spans 0..3 are full, queued in order
  for (int s = 0; s < 4; ++s) e.run(freeEvent(static_cast<uint64_t>(s) * 170 + 7));
  e.run(gcEvent());
  // Sweep order: the cached span (4) first via uncacheSpan, then the full-unswept set FIFO 0..3.
  uint64_t a = e.alloc(48).addr;
  EXPECT_EQ(a, span4 + 48) << "span 4 (the stale cached one) was queued first";
  e.run(readMemStatsEvent()); // flush: span 4 goes to the tail
  uint64_t b = e.alloc(48).addr;
  EXPECT_EQ(b, spanBase[0] + 7 * 48) << "then span 0, oldest in the queue";
  e.run(readMemStatsEvent());
  EXPECT_EQ(e.alloc(48).addr, spanBase[1] + 7 * 48);
}

TEST(Pacer, FirstCycleTriggersAt95PercentOfTheFourMiBMinimum) {
  // mgcpacer.go: heapMarked 0 -> goal = heapMinimum = 4 MiB; runway 0 -> trigger = maxTrigger =
  // 4 MiB/64*61 = 3997696 bytes of heapLive, tested after each refill or large allocation.
  Config cfg;
  Engine e(cfg);
  EXPECT_EQ(e.w.pacer().goal, 4u << 20);
  EXPECT_EQ(e.w.pacer().trigger, 3997696u);
  uint64_t gcAt = 0;
  for (uint64_t i = 0; i < 100; ++i) {
    const StepRecord& r = e.alloc(65536); // 8-page large objects: heapLive += 65536 each
    if (r.has(PathStep::GCTrigger)) {
      gcAt = i + 1;
      break;
    }
  }
  EXPECT_EQ(gcAt, (3997696 + 65535) / 65536) << "first allocation that brings heapLive to the trigger";
  EXPECT_EQ(e.w.memStats().NumGC, 1u);
  EXPECT_EQ(e.w.memStats().NumForcedGC, 0u);
}

TEST(Pacer, GoalIsMarkedTimesOnePlusGOGCAndSweepDistance) {
  Config cfg;
  cfg.gogc = 50;
  Engine e(cfg);
  for (int i = 0; i < 100; ++i) e.alloc(1 << 20); // 100 MiB live, GOGC=50 min heap 2 MiB
  e.run(gcEvent());
  uint64_t marked = e.w.pacer().heapMarked;
  EXPECT_EQ(marked, 100u << 20);
  EXPECT_EQ(e.w.pacer().goal, marked + marked / 2);
  EXPECT_EQ(e.w.memStats().NextGC, marked + marked / 2);
}

TEST(Liveness, ImmediateModeReusesTheSlotAtOnce) {
  Config cfg = gogcOff();
  cfg.liveness = Liveness::Immediate;
  Engine e(cfg);
  uint64_t a = e.alloc(48).addr;
  e.alloc(48);
  e.run(freeEvent(0));
  EXPECT_TRUE(e.w.last().has(PathStep::FreeReclaim));
  EXPECT_EQ(e.alloc(48).addr, a) << "freeindex back to 0 finds the freed slot";
  MemStats m = e.w.memStats();
  EXPECT_EQ(m.HeapObjects, 2u);
  EXPECT_EQ(m.Frees, 1u);
}

TEST(Liveness, ImmediateModeReturnsLargeSpansAtOnce) {
  Config cfg = gogcOff();
  cfg.liveness = Liveness::Immediate;
  Engine e(cfg);
  e.alloc(1 << 20);
  e.run(freeEvent(0));
  EXPECT_TRUE(e.w.last().has(PathStep::FreeSpan));
  EXPECT_EQ(e.w.memStats().HeapInuse, 0u);
}

TEST(Ps, ThreadsMapToPsInOrderOfFirstAppearanceThenRoundRobin) {
  Config cfg = gogcOff();
  cfg.gomaxprocs = 2;
  Engine e(cfg);
  EXPECT_EQ(e.alloc(48, true, 7).p, 0u);
  EXPECT_EQ(e.alloc(48, true, 3).p, 1u);
  EXPECT_EQ(e.alloc(48, true, 9).p, 0u);
  EXPECT_EQ(e.alloc(48, true, 3).p, 1u);
  EXPECT_NE(e.w.view().objectAddr(0) / 8192, e.w.view().objectAddr(1) / 8192) << "each P caches its own span";
  EXPECT_EQ(e.w.memStats().MCacheInuse, 2u * 1200);
}

TEST(MSpanStructs, MSpanInuseMovesIn64StructSteps) {
  // Reference §5.5: allocMSpanLocked refills the P's mspancache with 64 structs (64*144 B).
  Engine e(gogcOff());
  e.alloc(48);
  EXPECT_EQ(e.w.memStats().MSpanInuse, 64u * 144);
  EXPECT_EQ(e.w.memStats().MSpanSys, 16272u);
}

TEST(LargeObjects, SizesBeyond31BitsKeepTheirExactRequestedSize) {
  // The object table stores sizes in 31 bits; larger ones go to a side table. 3 GiB + 5 B is
  // 393217 pages: the ledger must see the exact request and the rounding to the page.
  Config cfg = gogcOff();
  cfg.liveness = Liveness::Immediate;
  Engine e(cfg);
  const uint64_t size = (uint64_t{3} << 30) + 5;
  e.run(allocEvent(0, size));
  WasteLedger l = e.w.ledger();
  EXPECT_EQ(l.liveBytes, size);
  EXPECT_EQ(l.roundingWaste, 8192u - 5);
  EXPECT_EQ(e.w.view().objectSize(0), size);
  e.run(freeEvent(0));
  EXPECT_EQ(e.w.ledger().liveBytes, 0u);
  e.run(allocEvent(0, 24)); // the id is reused for a small object: no stale huge size
  EXPECT_EQ(e.w.view().objectSize(0), 24u);
  EXPECT_EQ(e.w.ledger().liveBytes, 24u);
}

TEST(BadInput, IsRejectedWithoutChangingState) {
  Engine e(gogcOff());
  e.alloc(48);
  MemStats before = e.w.memStats();
  std::string err;
  EXPECT_FALSE(e.w.step(freeEvent(5), &err));
  EXPECT_NE(err.find("not live"), std::string::npos);
  EXPECT_FALSE(e.w.step(allocEvent(0, 16), &err)) << "id 0 is still live";
  EXPECT_FALSE(e.w.step(allocEvent(1, uint64_t{1} << 50), &err));
  EXPECT_NE(err.find("absurd"), std::string::npos);
  e.run(freeEvent(0));
  EXPECT_FALSE(e.w.step(freeEvent(0), &err)) << "double free";
  EXPECT_EQ(e.w.memStats().Mallocs, before.Mallocs);
  EXPECT_FALSE(e.w.failed());
}

TEST(BadInput, OutOfMemoryStopsTheWorld) {
  Config cfg = gogcOff();
  cfg.maxHeapBytes = 8 << 20;
  Engine e(cfg);
  std::string err;
  EXPECT_TRUE(e.w.step(allocEvent(0, 6 << 20), &err));
  EXPECT_FALSE(e.w.step(allocEvent(1, 6 << 20), &err));
  EXPECT_NE(err.find("out of memory"), std::string::npos);
  EXPECT_TRUE(e.w.failed());
  EXPECT_FALSE(e.w.step(allocEvent(2, 8), &err));
}

// A random workload in every configuration: invariants after every step, the ledger always sums
// to HeapSys, and replay is deterministic (a copy of the World is a checkpoint).
void randomWorkload(Config cfg, uint32_t seed) {
  std::mt19937 rng(seed);
  Engine e(cfg);
  std::vector<uint64_t> live;
  World checkpoint = e.w;
  std::vector<Event> events;
  for (int t = 0; t < 3000; ++t) {
    Event ev;
    uint32_t r = static_cast<uint32_t>(rng() % 100);
    if (r < 55 || live.empty()) {
      uint64_t size = r % 7 == 0 ? 1 + rng() % 15 : (r % 11 == 0 ? 32769 + rng() % 300000 : 1 + rng() % 2000);
      ev = allocEvent(e.next++, size, rng() % 2 == 0, static_cast<uint32_t>(rng() % 5));
      live.push_back(ev.id);
    } else if (r < 97) {
      size_t k = rng() % live.size();
      ev = freeEvent(live[k], static_cast<uint32_t>(rng() % 5));
      live.erase(live.begin() + static_cast<long>(k));
    } else {
      ev = r == 97 ? gcEvent() : readMemStatsEvent();
    }
    if (t == 1500) checkpoint = e.w;
    events.push_back(ev);
    e.run(ev);
    if (::testing::Test::HasFailure()) return;
  }
  MemStats end = e.w.memStats();
  for (size_t i = 1500; i < events.size(); ++i) ASSERT_TRUE(checkpoint.step(events[i]));
  MemStats again = checkpoint.memStats();
  EXPECT_EQ(again.HeapAlloc, end.HeapAlloc);
  EXPECT_EQ(again.HeapInuse, end.HeapInuse);
  EXPECT_EQ(again.Mallocs, end.Mallocs);
  EXPECT_EQ(checkpoint.last().addr, e.w.last().addr);
}

TEST(Invariants, RandomWorkloadGcModeOneP) { randomWorkload(Config{}, 1); }
TEST(Invariants, RandomWorkloadGcModeFourPs) {
  Config c;
  c.gomaxprocs = 4;
  randomWorkload(c, 2);
}
TEST(Invariants, RandomWorkloadImmediateModeThreePs) {
  Config c;
  c.gomaxprocs = 3;
  c.liveness = Liveness::Immediate;
  randomWorkload(c, 3);
}
TEST(Invariants, RandomWorkloadWithoutTinyAllocator) {
  Config c;
  c.tinyAlloc = false;
  randomWorkload(c, 4);
}

TEST(StepRecord, ExplainsThePathInGoTerms) {
  Engine e(gogcOff());
  const StepRecord& r = e.alloc(33);
  std::string d = describe(r);
  EXPECT_NE(d.find("33 B → class 5 (48 B"), std::string::npos) << d;
  EXPECT_NE(d.find("mcentral.grow"), std::string::npos) << d;
  auto f = goFunctions(r);
  ASSERT_FALSE(f.empty());
  EXPECT_STREQ(f.front(), "runtime.mallocgc");
  bool refill = false, allocSpan = false;
  for (const char* n : f) {
    refill = refill || std::string_view(n) == "runtime.(*mcache).refill";
    allocSpan = allocSpan || std::string_view(n) == "runtime.(*mheap).allocSpan";
  }
  EXPECT_TRUE(refill && allocSpan);
}

} // namespace

namespace {

// Not a Go behaviour but a simulator duty: with no GC (immediate liveness) a span that keeps
// going full -> partial -> full must not leave an ever-growing trail of stale set entries.
TEST(MCentralSets, StaleEntriesDoNotPileUpWithoutGC) {
  sim::Config cfg;
  cfg.liveness = sim::Liveness::Immediate;
  cfg.tinyAlloc = false;
  sim::World w(cfg);
  std::string err;
  // Two spans of 48 B objects (170 each); then free and re-allocate one object of the first span
  // 200000 times while a second P's cache forces the span back and forth through mcentral.
  uint64_t id = 0;
  for (; id < 340; ++id) ASSERT_TRUE(w.step(sim::allocEvent(id, 48), &err)) << err;
  for (int round = 0; round < 200000; ++round) {
    ASSERT_TRUE(w.step(sim::freeEvent(round % 170), &err)) << err; // the full first span gets a free slot
    ASSERT_TRUE(w.step(sim::readMemStatsEvent(), &err));          // flush: cached spans go back to mcentral
    ASSERT_TRUE(w.step(sim::allocEvent(round % 170, 48), &err)) << err;
    ASSERT_TRUE(w.step(sim::readMemStatsEvent(), &err));
  }
  // 200000 rounds of 4 pushes would leave 800000 stale entries (6 MB) without compaction.
  EXPECT_LT(w.footprintBytes(), 1u << 20) << "the span sets stay small: two spans, a few entries";
  EXPECT_TRUE(sim::checkInvariants(w).empty());
}

} // namespace
