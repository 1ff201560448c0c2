// A timed trace's gaps during a mark (sim/mgc.cpp gcMarkAdvance, Config::traceGapsRunning): idle
// Ps by default (idle mark workers), or the running goroutine's time, which advances sysmon's
// preemption clock so that the fractional worker runs (Go: proc.go sysmon retake preempts a G that
// ran forcePreemptNS = 10 ms; mgc.go pollFractionalWorkerExit stops the worker once its time over
// the time since the mark started exceeds 1.2 * fractionalUtilizationGoal).
#include "sim/malloc.h"
#include "tests/unit/checked_step.h"

#include <gtest/gtest.h>

namespace {

constexpr uint64_t kObj = 65536;
constexpr uint64_t kGap = 12'000'000; // 12 ms of trace time beyond the event's modelled time

// GOMAXPROCS=1, GOGC=100, 1 MiB of globals to scan (every object noscan): allocates timed 64 KiB
// objects 1 µs apart until the mark starts, then one more object kGap later.
sim::World markThenGap(bool gapsRunning) {
  sim::Config c;
  c.gomaxprocs = 1;
  c.gogc = 100;
  c.globalsBytes = 1 << 20;
  c.traceGapsRunning = gapsRunning;
  sim::World w(c);
  uint64_t id = 0, t = 1'000'000;
  auto alloc = [&](uint64_t at) {
    sim::Event ev = sim::allocEvent(id++, kObj);
    ev.time = at;
    testutil::checkedStep(w, ev);
  };
  while (!w.pacer().marking) alloc(t += 1000);
  EXPECT_LT(w.pacer().sliceClock, uint64_t{10000000}) << "sysmon has not preempted yet";
  EXPECT_EQ(w.pacer().fractionalMarkTime, 0u);
  alloc(t + kGap);
  return w;
}

TEST(TraceGaps, IdleByDefaultGoToIdleWorkers) {
  const sim::World w = markThenGap(false);
  const sim::Pacer& c = w.pacer();
  // The idle worker did the whole mark (1 MiB of globals at the cost model's scan rate is far
  // less than 12 ms): the gap is idle time and the fractional worker never ran.
  EXPECT_GT(c.idleMarkTime, kGap - 100'000); // less the event's own modelled time
  EXPECT_LE(c.idleMarkTime, kGap);
  EXPECT_EQ(c.fractionalMarkTime, 0u);
  EXPECT_FALSE(c.marking) << "the idle worker finished the mark";
}

TEST(TraceGaps, RunningGapsLetSysmonPreemptForTheFractionalWorker) {
  const sim::World w = markThenGap(true);
  const sim::Pacer& c = w.pacer();
  EXPECT_EQ(c.idleMarkTime, 0u);
  // Preempted after 10 ms, the fractional worker (goal 0.25 with one P: no dedicated worker)
  // ran s = 1.2 g (t + s), s = 0.3 t / 0.7, t the mark's time before it ran (markClock - s), or
  // less if the work ran out first: then s is the work's time and the mark ended.
  ASSERT_GT(c.fractionalMarkTime, 0u);
  const double s = static_cast<double>(c.fractionalMarkTime), t = static_cast<double>(c.markClock) - s;
  const double workNs = static_cast<double>(c.bgWork) * c.scanNsPerByte;
  if (c.marking) {
    EXPECT_NEAR(s, 0.3 * t / 0.7, 1.0);
  } else {
    EXPECT_LE(s, 0.3 * t / 0.7 + 1.0);
    EXPECT_NEAR(s, workNs, c.scanNsPerByte + 1.0);
  }
}

} // namespace
