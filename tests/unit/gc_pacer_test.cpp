// Go 1.19's pacer controller and the mark window (sim/mgc.cpp) against values computed by hand
// from mgcpacer.go's formulas (commit, trigger, startCycle/revise, endCycle, piController.next)
// and mgcmark.go's gcAssistAlloc; the memory-limit goal (memoryLimitHeapGoal) with the runtime's
// non-heap memory of Go 1.19 and Go 1.26, and the span sets' blocks behind part of it
// (mspanset.go). Every expected number is derived in the comments.
#include "sim/malloc.h"
#include "tests/unit/checked_step.h"

#include <gtest/gtest.h>

#include <algorithm>

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
  // one for the mspan fixalloc), and the runtime's own goroutine stacks (stack spans, allocSpan's
  // sysUsed rather than sysAlloc: StackSys of an empty go1.19.8 program, 229,376 B).
  const uint64_t scavIndex = ((((0xc000800000 + 0x800000000000) >> 22) + 7) / 8 + 4095) / 4096 * 4096;
  const uint64_t metadata = 2165776 + 1048576 + (131072 + 4 * 4096) + scavIndex + 65536 + 65536 + 3 * 262144 + 229376;
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

// The go1.26 profile's memoryLimitHeapGoal (mgcpacer.go: limit - (mappedReady - heapFree -
// heapAlloc), less max(3 %, 1 MiB) of headroom) with Go 1.26.8's non-heap mappedReady, term by
// term as a go1.26.8 run maps it (go build -overlay logging runtime/mem.go's sysAlloc and sysUsed
// and malloc.go's persistentalloc by caller, the lru and jsonloop oracle programs and an empty one).
// Without the memory profiler's hash table (1,439,992 B, in every go1.26.8 program) the engine's
// goal was 1.4 MB higher than this and lru under GOMEMLIMIT=64 MiB ran 148 cycles against Go's 177-190.
TEST(PacerMemoryLimit, Go126GoalCountsTheRuntimesNonHeapMemory) {
  sim::Config c;
  c.goVersion = sim::GoVersion::Go126;
  c.gogc = -1;
  c.scavenger.memoryLimit = uint64_t{64} << 20;
  sim::World w(c);
  uint64_t id = 0;
  for (; id < 8; ++id) ASSERT_TRUE(w.step(sim::allocEvent(id, 1 << 20)));
  ASSERT_TRUE(w.step(sim::gcEvent())); // a cycle: three gcBits generations exist from here on
  const sim::MemStats m = w.memStats();
  ASSERT_EQ(m.NumGC, 1u);
  // * heapArena, one per 64 MiB arena: 69,648 B (Go's log: (*mheap).sysAlloc -> persistentalloc1).
  // * stkbucket's buckhashArray: 179,999 pointers (mprof.go buckHashSize), sysAlloc'd when the
  //   runtime's first allocation is profiled (mcache.memProfRate starts at 0).
  // * the page allocator: the chunks L2 block (1 MiB), summaries (level 0 whole, 128 KiB, and one
  //   4 KiB page per level 1-4) and the 1.21 scavenge index, 8 B per chunk of the heap's chunks,
  //   4 KiB-aligned: one page (Go's log: 1,048,576 + 147,456 + 4,096 B).
  // * allspans' first array, 64 KiB.
  // * gcBits arenas, 64 KiB each: next, current and previous generation, one each.
  // * persistentalloc chunks of 256 KiB: one the runtime fills itself (an empty go1.26.8 program
  //   persistentallocs 263 KB in two chunks) and one for the mspan and mcache fixalloc chunks (large
  //   objects have no mcentral span sets): two, as the empty program.
  // * the runtime's own goroutine stacks: 229,376 B (StackSys of go1.26.8's lru and jsonloop runs).
  const uint64_t metadata = 69648 + 179999 * 8 + (1048576 + 131072 + 4 * 4096 + 4096) + 65536 + 3 * 65536 + 2 * 262144 + 229376;
  const uint64_t nonHeap = m.HeapInuse - m.HeapAlloc + m.StackInuse + metadata;
  uint64_t goal = c.scavenger.memoryLimit - nonHeap;
  goal -= std::max<uint64_t>(goal / 100 * 3, uint64_t{1} << 20); // memoryLimitHeapGoalHeadroomPercent
  EXPECT_EQ(m.NextGC, goal);
}

// mcentral's span sets take 512-entry blocks from spanSetBlockPool and give them back as Go's
// mspanset.go does: push's first entry of a block allocates one (and the first push ever the
// spine), pop's 512th pop of a block frees it, reset frees the block holding the head.
TEST(SpanSetBlocks, AllocatedByPushFreedByPopAndReset) {
  sim::SpanSet s;
  EXPECT_FALSE(s.hasSpine());
  int newBlocks = 0;
  for (uint32_t i = 0; i < 513; ++i) newBlocks += s.push(i, 0);
  EXPECT_TRUE(s.hasSpine());
  EXPECT_EQ(newBlocks, 2); // entries 0 and 512 open blocks 0 and 1
  sim::SpanSet::Entry e;
  int freed = 0;
  for (uint32_t i = 0; i < 512; ++i) {
    ASSERT_TRUE(s.pop(&e));
    freed += s.lastPopFreedBlock();
  }
  EXPECT_EQ(freed, 1); // the 512th pop empties block 0
  ASSERT_TRUE(s.pop(&e));
  EXPECT_FALSE(s.lastPopFreedBlock()); // block 1 has 1 of 512 popped
  EXPECT_EQ(s.resetSpine(), 1u);       // reset returns it
  EXPECT_TRUE(s.push(7, 0));           // and the next push starts a new block at index 0
  EXPECT_TRUE(s.hasSpine());
}

} // namespace
