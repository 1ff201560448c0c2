// Go 1.19's pacer controller and the mark window (sim/mgc.cpp) against values computed by hand
// from mgcpacer.go's formulas (commit, trigger, startCycle/revise, endCycle, piController.next)
// and mgcmark.go's gcAssistAlloc. Every expected number is derived in the comments.
#include "sim/malloc.h"
#include "tests/unit/checked_step.h"

#include <gtest/gtest.h>

namespace {

constexpr uint64_t kObj = 65536; // large noscan objects: heapLive moves by exactly 64 KiB each

TEST(PIController, NextFollowsGoFormula) {
  // kp 0.9, ti 4, tt 1000. input 0, setpoint 10: prop 9, output 9 (inside [-1000, 1000]),
  // errIntegral += 0.9/4*10 + (9-9)/1000 = 2.25. Then input 9, setpoint 10: prop 0.9,
  // output 0.9 + 2.25 = 3.15; errIntegral 2.25 + 0.225 = 2.475.
  sim::PIController c;
  double out = 0;
  ASSERT_TRUE(c.next(0, 10, 1, &out));
  EXPECT_DOUBLE_EQ(out, 9.0);
  EXPECT_DOUBLE_EQ(c.errIntegral, 2.25);
  ASSERT_TRUE(c.next(9, 10, 1, &out));
  EXPECT_DOUBLE_EQ(out, 3.15);
  EXPECT_DOUBLE_EQ(c.errIntegral, 2.475);
  // Clamped: output min(raw, 1000); errIntegral += 0.225*(2000-0) + (1000 - (1800+2.475))/1000.
  ASSERT_TRUE(c.next(0, 2000, 1, &out));
  EXPECT_DOUBLE_EQ(out, 1000.0);
  EXPECT_NEAR(c.errIntegral, 2.475 + 450.0 + (1000.0 - 1802.475) / 1000.0, 1e-9);
}

class PacerCycle : public ::testing::Test {
 protected:
  PacerCycle() : w_(config()) {}
  static sim::Config config() {
    sim::Config c;
    c.gomaxprocs = 1;
    c.gogc = 100;
    c.globalsBytes = 1 << 20; // 1 MiB of globals: the only scan work (every object is noscan)
    c.sweep = sim::SweepMode::Lazy;
    return c;
  }
  sim::StepRecord step(const sim::Event& ev) { return testutil::checkedStep(w_, ev); }
  sim::World w_;
};

TEST_F(PacerCycle, CommitTriggerMarkWindowAndEndCycleFollowGo) {
  // 40 live objects (2,621,440 B): below the first trigger (goal 4 MiB heapMinimum, trigger
  // 4 MiB * 61/64 = 3,997,696), so no cycle yet.
  for (uint64_t i = 0; i < 40; ++i) EXPECT_FALSE(step(sim::allocEvent(i, kObj)).has(sim::PathStep::GCTrigger));
  EXPECT_EQ(w_.pacer().trigger, 3997696u);
  // runtime.GC(): heapLive (2,621,440) <= triggered (3,997,696), so endCycle leaves consMark at 0.
  // commit: sweepDistMinTrigger = 2,621,440 + 1 MiB = 3,670,016; goal = M + (M + 0 + 1 MiB) =
  // 2,621,440*2 + 1,048,576 = 6,291,456. runway = 0 (consMark 0). trigger: lower bound
  // (6,291,456 - 2,621,440)/64*45 + M = 57,344*45 + 2,621,440 = 5,201,920; upper bound
  // 57,344*61 + M = 6,119,424 (goal - 4 MiB is less); goal - runway clamps to 6,119,424.
  step(sim::gcEvent());
  EXPECT_EQ(w_.pacer().heapMarked, 40 * kObj);
  EXPECT_EQ(w_.pacer().goal, 6291456u);
  EXPECT_EQ(w_.pacer().trigger, 6119424u);
  EXPECT_EQ(w_.pacer().consMark, 0.0);

  // Garbage: free the previous object, allocate the next. heapLive = 2,621,440 + 65,536 k reaches
  // the trigger at k = 54 (6,160,384 >= 6,119,424).
  uint64_t id = 40;
  for (uint64_t k = 1; k <= 53; ++k) {
    if (k > 1) step(sim::freeEvent(id - 1));
    EXPECT_FALSE(step(sim::allocEvent(id++, kObj)).has(sim::PathStep::GCTrigger)) << k;
  }
  step(sim::freeEvent(id - 1));
  sim::StepRecord r = step(sim::allocEvent(id++, kObj)); // k = 54, id 93
  ASSERT_TRUE(r.has(sim::PathStep::GCTrigger));
  ASSERT_TRUE(w_.pacer().marking) << "the mark runs on over the next events";
  // startCycle -> revise: triggered 6,119,424; scanWorkExpected = lastHeapScan 0 + lastStackScan
  // 0 + globals 1 MiB; heapRemaining = 6,291,456 - 6,160,384 = 131,072: 8 scan bytes per byte.
  EXPECT_EQ(w_.pacer().triggered, 6119424u);
  EXPECT_DOUBLE_EQ(w_.pacer().assistWorkPerByte, 8.0);
  EXPECT_EQ(w_.memStats().NumGC, 1u);

  // k = 55: the object of k = 54 dies during the mark (the deletion barrier keeps it marked);
  // the allocation owes 65,536 B: 8 * 65,536 = 524,288 scan bytes of assist (> gcOverAssistWork),
  // not the whole 1 MiB, so the mark goes on; the object is allocated black.
  step(sim::freeEvent(id - 1));
  r = step(sim::allocEvent(id++, kObj));
  EXPECT_TRUE(r.has(sim::PathStep::MarkAssist));
  EXPECT_TRUE(r.has(sim::PathStep::AllocBlack));
  ASSERT_TRUE(w_.pacer().marking);
  // k = 56, a 128 KiB object: heapRemaining is 65,536 B and ~524,200 B of work is left, so the
  // allocation owes ~8 * 131,072 B of work, twice what is left: the assist finishes the mark
  // before allocating (Go: gcMarkDone from the assist), so the object is not allocated black.
  step(sim::freeEvent(id - 1));
  r = step(sim::allocEvent(id++, 2 * kObj));
  EXPECT_TRUE(r.has(sim::PathStep::MarkDone));
  EXPECT_FALSE(r.has(sim::PathStep::AllocBlack));
  EXPECT_FALSE(w_.pacer().marking);
  EXPECT_EQ(w_.memStats().NumGC, 2u);
  EXPECT_EQ(w_.memStats().NumForcedGC, 1u);
  // Marked: the 40 live objects, k = 54 (snapshot, freed during the mark) and k = 55 (allocated
  // black, freed during the mark) = 42 objects. The instant model marked 41.
  EXPECT_EQ(w_.pacer().heapMarked, 42 * kObj);
  // endCycle: heapLive 2,621,440 + 55*65,536 = 6,225,920 > triggered. The assists did all but
  // the background worker's few bytes, so utilization = 0.25 + assistTime/markTime > 1 and
  // currentConsMark = (heapLive - triggered) * u / (work * (1 - u)) < 0; the PI controller's
  // first output is 0.9 * that, negative.
  EXPECT_LT(w_.pacer().consMark, 0.0);
  // commit: goal = 2,752,512*2 + 1 MiB = 6,553,600. A negative runway converts to a huge uint64
  // (Go's float64 -> uint64 on amd64), beyond the goal: trigger = the lower bound
  // (6,553,600 - 2,752,512)/64*45 + 2,752,512 = 59,392*45 + 2,752,512 = 5,425,152
  // (sweepDistMinTrigger = 2,752,512 + 1 MiB is lower).
  EXPECT_EQ(w_.pacer().goal, 6553600u);
  EXPECT_EQ(w_.pacer().trigger, 5425152u);
}

TEST_F(PacerCycle, RuntimeGCDuringAMarkFinishesItThenRunsItsOwn) {
  for (uint64_t i = 0; i < 40; ++i) step(sim::allocEvent(i, kObj));
  step(sim::gcEvent());
  uint64_t id = 40;
  while (!w_.pacer().marking) {
    if (id > 40) step(sim::freeEvent(id - 1));
    step(sim::allocEvent(id++, kObj));
  }
  // Go: runtime.GC() waits for the cycle in progress (gcWaitOnMark), then runs a full one.
  step(sim::gcEvent());
  EXPECT_FALSE(w_.pacer().marking);
  EXPECT_EQ(w_.memStats().NumGC, 3u);
  EXPECT_EQ(w_.memStats().NumForcedGC, 2u);
  EXPECT_EQ(w_.pacer().heapMarked, 41 * kObj) << "the forced cycle marks the live set: 40 + the last object";
}

} // namespace

namespace {

// GOGC=off with GOMEMLIMIT: Go 1.19's heapGoal is memoryLimitHeapGoal = limit - (mappedReady -
// heapFree - heapAlloc) - overage - 1 MiB headroom (mgcpacer.go), and the trigger, with
// heapMarked 0 and runway 0, is its upper bound (goal - 0)/64*61 (goal - 4 MiB is lower for this
// goal). The inputs are read from MemStats: mappedReady is the engine's documented estimate
// (HeapInuse + free unreleased pages + stacks + mspan and mcache structs).
TEST(PacerMemoryLimit, GogcOffPacesByTheLimitGoal) {
  sim::Config c;
  c.gogc = -1;
  c.scavenger.memoryLimit = uint64_t{64} << 20;
  sim::World w(c);
  uint64_t id = 0;
  for (; id < 8; ++id) ASSERT_TRUE(w.step(sim::allocEvent(id, 1 << 20)));
  const sim::MemStats m = w.memStats();
  // Go 1.19's non-heap mappedReady for one arena with an 8 MiB heap at 0xc000000000, term by term
  // as its sysAlloc/sysMap calls map it (logged from a real run, sim/mheap_metadata.cpp): the
  // heapArena struct, the page allocator's chunks L2 block, summaries (level 0 whole + one page per
  // level 1-4) and scavenge index (0 .. alignUp((chunkIndex(0xc000800000) + 7) / 8, 4096)),
  // allspans' first array, one gcBits arena, three 256 KiB persistentalloc chunks (two at start-up,
  // one for the mspan fixalloc and the class's spanSets).
  const uint64_t scavIndex = ((((0xc000800000 + 0x800000000000) >> 22) + 7) / 8 + 4095) / 4096 * 4096;
  const uint64_t metadata = 2165776 + 1048576 + (131072 + 4 * 4096) + scavIndex + 65536 + 65536 + 3 * 262144;
  const uint64_t nonHeap = m.HeapInuse - m.HeapAlloc + m.StackInuse + metadata;
  const uint64_t goal = c.scavenger.memoryLimit - nonHeap - (uint64_t{1} << 20);
  EXPECT_EQ(m.NumGC, 0u);
  EXPECT_EQ(m.NextGC, goal);
  EXPECT_EQ(m.GCTrigger, goal / 64 * 61);
  // Large objects move heapLive by 1 MiB each: the first one at or past the trigger starts a cycle
  // although GOGC is off.
  while (w.pacer().heapLive + (1 << 20) < goal / 64 * 61) ASSERT_TRUE(w.step(sim::allocEvent(id++, 1 << 20)));
  EXPECT_EQ(w.memStats().NumGC, 0u);
  ASSERT_TRUE(w.step(sim::allocEvent(id++, 1 << 20)));
  EXPECT_TRUE(w.last().has(sim::PathStep::GCTrigger));
}

} // namespace
