// The scavenger: free pages returned to the OS (HeapReleased), debug.FreeOSMemory, GOMEMLIMIT.
// Design essay: sim/malloc.h. Go: mgcscavenge.go (gcPaceScavenger, bgscavenge, scavenge),
// mheap.go (allocSpan's scavenging, scavengeAll, runtime_debug_freeOSMemory).
//
// The goals follow gcPaceScavenger exactly, evaluated when the pacer commits at mark termination:
//   * gcPercentGoal = lastHeapInUse * heapGoal/lastHeapGoal, plus retainExtraPercent (10%),
//     rounded up to 4 KiB: the heap may keep about 110% of the in-use heap projected to the
//     next goal; ~0 (no work) while heapInUse + heapFree is within a page of it, or before the
//     first cycle (lastHeapGoal == 0). With GOGC=off both goals are "infinite": ratio 1.
//   * memoryLimitGoal: Go 1.19 writes
//       memoryLimitGoal := uint64(float64(memoryLimit) * (100.0 - reduceExtraPercent))
//     i.e. limit * 95, not limit * 95/100 (fixed in Go 1.22, golang/go#62449). mappedReady never
//     reaches 95x the limit, so the background scavenger never works for the limit in 1.19; only the allocation
//     assist (scavenge what a span's sysUsed would put over the limit) keeps mappedReady at the
//     limit. ScavengerConfig::memoryLimitGoalBug = false gives the intended 95% of the limit,
//     which is what Go 1.22+ computes (limit * (1 - 5/100.0)): the go1.26 profile ignores the
//     setting (GoProfile::scavengerLimitGoalBug).
// Pacing: Go 1.19's bgscavenge (below; unchanged in 1.26 but for the timer API): bursts of >= 1 ms
// of work and a sleep controller aiming at 1% of the CPU. Which pages go first: sim/mpagealloc.cpp
// (Go 1.26: the 1.21 scavenge index, whose background search skips dense chunks). Simulated time advances by the trace's time stamps, or without them by each
// event's modelled time from the cost model (or a fixed ScavengerConfig::nsPerEvent).
#include "sim/world.h"

#include <algorithm>

namespace sim {

namespace {
constexpr uint64_t kScavengeQuantum = 64 << 10;        // Go: scavengeQuantum
constexpr double kMinScavWorkTimeNs = 1e6;             // Go: minScavWorkTime
constexpr double kScavengePercent = 1;                 // Go: scavengePercent
constexpr double kStartingScavSleepRatio = 0.001;      // Go: startingScavSleepRatio
// sysmon's shortest poll (usleep(20)): a readied scavenger runs once sysmon notices. Go's sysmon
// sleeps longer (up to 10 ms) after a while with nothing to retake; the engine uses the minimum.
constexpr uint64_t kSysmonWakeNs = 20'000;
constexpr uint64_t kPhysPageSize = 4096;               // Go: physPageSize on linux/amd64
constexpr uint64_t kReduceExtraPercent = 5, kRetainExtraPercent = 10;
} // namespace

// Go: gcController.mappedReady, the runtime's committed memory (Sys - HeapReleased): the heap not
// released, stack spans, and the runtime's metadata (sim/mheap_metadata.cpp; the mspan and mcache
// structs live in its persistentalloc chunks).
uint64_t World::mappedReady() const {
  return heapInUse_ + heapFree_ + stacks_.inUse + runtimeMetadataBytes();
}

// Go: mgcscavenge.go gcPaceScavenger, called by gcControllerCommit at mark termination.
void World::scavengerPace() {
  ScavengerState& sc = scav_;
  const ScavengerConfig& c = cfg_.scavenger;
  sc.lastHeapGoal = sc.heapGoal; // Go: endCycle records the goal this cycle ran against
  sc.heapGoal = pacer_.goal;
  sc.lastHeapInUse = heapInUse_; // Go: memstats.lastHeapInUse, before this cycle's sweep
  sc.memoryLimitGoal = ~uint64_t{0};
  if (c.memoryLimit != 0) {
    const double limit = static_cast<double>(c.memoryLimit);
    const double goal = c.memoryLimitGoalBug && prof_.scavengerLimitGoalBug ? limit * (100.0 - kReduceExtraPercent)
                                             : limit * (100.0 - kReduceExtraPercent) / 100.0;
    const uint64_t g = goal >= 1.8e19 ? ~uint64_t{0} : static_cast<uint64_t>(goal);
    if (mappedReady() > g) sc.memoryLimitGoal = g;
  }
  sc.gcPercentGoal = ~uint64_t{0};
  if (sc.lastHeapGoal == 0) return;
  const double ratio = static_cast<double>(sc.heapGoal) / static_cast<double>(sc.lastHeapGoal);
  auto goal = static_cast<uint64_t>(static_cast<double>(sc.lastHeapInUse) * ratio);
  goal += goal / (100 / kRetainExtraPercent);
  goal = (goal + kPhysPageSize - 1) & ~(kPhysPageSize - 1);
  const uint64_t retained = heapInUse_ + heapFree_; // Go: heapRetained
  if (retained > goal && retained - goal >= kPhysPageSize) sc.gcPercentGoal = goal;
}

// Go: (*pageAlloc).scavenge: scavengeOne on the highest candidates until nbytes are released.
uint64_t World::scavenge(uint64_t nbytes, bool force, uint64_t* calls) {
  uint64_t released = 0;
  while (released < nbytes) {
    const uint64_t left = nbytes - released;
    const uint64_t n = pages_.scavengeOne(left / kPageSize + (left % kPageSize != 0), force);
    if (n == 0) break;
    if (calls) ++*calls;
    const uint64_t b = n * kPageSize;
    heapReleased_ += b; // Go: sysUnused, then the counters move from heapFree to heapReleased
    heapFree_ -= b;
    released += b;
  }
  if (released) {
    rec_.add(PathStep::Scavenge);
    rec_.scavengedBytes += released;
  }
  return released;
}

// Go: mheap.go allocSpan, after taking the pages: scavenge what committing the span's released
// pages would put over the memory limit, and, after a heap growth, what the growth puts over
// gcPercentGoal (at most the growth).
void World::scavengeAssist(uint64_t scavBytes, uint64_t growth) {
  const ScavengerConfig& c = cfg_.scavenger;
  if (!c.enabled) return;
  uint64_t todo = 0;
  bool force = false; // Go 1.21+: forceScavenge, set by the memory-limit case only
  if (c.memoryLimit != 0) {
    const uint64_t inuse = mappedReady();
    if (scavBytes + inuse > c.memoryLimit) {
      todo = scavBytes + inuse - c.memoryLimit;
      force = true;
    }
  }
  if (scav_.gcPercentGoal != ~uint64_t{0} && growth > 0) {
    const uint64_t retained = heapInUse_ + heapFree_;
    if (retained + growth > scav_.gcPercentGoal) todo = std::max(todo, std::min(growth, retained + growth - scav_.gcPercentGoal));
  }
  if (todo > 0) scav_.releasedAssist += scavenge(todo, force);
}

// Go: mgcscavenge.go bgscavenge on the simulated clock. The last sweeper readies the scavenger
// once per GC cycle (sweepone's noMoreWork -> scavenger.ready, sysmon wakes it 20 us later); it then runs
// bursts (scavengerState.run: 64 KiB quanta until >= 1 ms of work, the goals are met or nothing
// is left), each followed by a sleep of max(work, 1 ms) / sleepRatio; after the sleep the
// sleepController (a PI controller aiming at 1% of GOMAXPROCS' CPU) sets the next ratio. A burst
// that releases nothing parks it until the next cycle's sweep is done; the next cycle's ready()
// also cuts a sleep short (Go parks the scavenger while it sleeps, and sysmon's wake() unparks it).
// Work (Go measures each quantum with nanotime) is the cost model's scavenge_call ns per range
// released plus scavenge_page ns per 4 KiB page: measured in Go 1.19, the time goes by the
// scavengeOne calls (each with its madvise calls), not by their pages, so a fragmented heap
// (lru: ~4 pages a range) releases ~4 MB per 1-ms burst and a free 150 MiB (2 MiB ranges) at once.
// The cheap cases (parked, asleep past the event) are tested inline first (World::bgScavenge).
void World::bgScavengeRun(const Event& ev, uint64_t eventNs) { // eventNs: modelledEventNs of the event
  ScavengerState& sc = scav_;
  uint64_t avail = cfg_.scavenger.nsPerEvent;
  if (avail == ScavengerConfig::kCostModelClock) avail = eventNs;
  if (ev.time != kNoTime) {
    avail = sc.lastTime != ~uint64_t{0} && ev.time > sc.lastTime ? ev.time - sc.lastTime : 0;
    sc.lastTime = ev.time;
  }
  auto work = [&] { return heapInUse_ + heapFree_ > sc.gcPercentGoal || mappedReady() > sc.memoryLimitGoal; };
  const double nsPerPage = cfg_.timing.cost.scavengePage, nsPerCall = cfg_.timing.cost.scavengeCall;
  for (;;) {
    if (scavengerReadyDue()) {
      sc.readiedCycle = numGC_; // Go: scavenger.ready() by the sweeper that finds nothing left
      if (sc.parked) {
        sc.parked = false;
        sc.sleepNs = kSysmonWakeNs; // until sysmon sees sysmonWake and wakes it (no controller update)
        sc.lastSleepNs = 0;
      } else if (sc.sleepNs > kSysmonWakeNs) {
        // Go: the scavenger parks while it sleeps on its timer, so sysmon's wake() ends the sleep
        // early; the controller then sees the time it really slept.
        sc.lastSleepNs -= sc.sleepNs - kSysmonWakeNs;
        sc.sleepNs = kSysmonWakeNs;
      }
    } else if (sc.parked) {
      return;
    }
    if (sc.sleepNs > 0) {
      if (sc.sleepNs > avail) {
        sc.sleepNs -= avail;
        return;
      }
      avail -= sc.sleepNs;
      sc.sleepNs = 0;
      scavengerSlept();
    }
    double worked = 0; // Go: scavengerState.run
    uint64_t released = 0;
    while (worked < kMinScavWorkTimeNs && work()) {
      uint64_t calls = 0;
      const uint64_t r = scavenge(kScavengeQuantum, /*force=*/false, &calls); // Go: scavengerState.run
      worked += nsPerPage * static_cast<double>(r / kPhysPageSize) + nsPerCall * static_cast<double>(calls);
      released += r;
      if (r < kScavengeQuantum) break;
    }
    sc.releasedBackground += released;
    if (released == 0) { // Go: bgscavenge parks until the next ready()
      sc.parked = true;
      return;
    }
    const double w = std::max(worked, kMinScavWorkTimeNs); // Go: scavengerState.sleep
    sc.lastWorkedNs = w;
    sc.sleepNs = sc.lastSleepNs = static_cast<uint64_t>(w / sc.sleepRatio);
    const uint64_t burst = static_cast<uint64_t>(worked);
    avail = avail > burst ? avail - burst : 0;
    if (avail == 0) return;
  }
}

// Go: the end of scavengerState.sleep: the sleep controller's next ratio from the CPU fraction of
// the last burst and sleep (or the cooldown after a controller failure).
void World::scavengerSlept() {
  ScavengerState& sc = scav_;
  if (sc.lastSleepNs == 0) return; // the wait for sysmon after ready(), not a controller sleep
  const double slept = static_cast<double>(sc.lastSleepNs), worked = sc.lastWorkedNs;
  if (sc.controllerCooldown > 0) {
    const uint64_t t = sc.lastSleepNs + static_cast<uint64_t>(worked);
    sc.controllerCooldown = t > sc.controllerCooldown ? 0 : sc.controllerCooldown - t;
    return;
  }
  const double cpuFraction = worked / ((slept + worked) * static_cast<double>(ps_.size()));
  PIController c{.kp = 0.3375, .ti = 3.2e6, .tt = 1e9, .min = 0.001, .max = 1000.0, .errIntegral = sc.sleepErrIntegral};
  if (!c.next(cpuFraction, kScavengePercent / 100.0, slept + worked, &sc.sleepRatio)) {
    sc.sleepRatio = kStartingScavSleepRatio;
    sc.controllerCooldown = 5'000'000'000; // Go: 5 seconds
  }
  sc.sleepErrIntegral = c.errIntegral;
}

// Go: runtime/debug.FreeOSMemory -> runtime_debug_freeOSMemory: GC(), then mheap.scavengeAll.
void World::freeOSMemory() {
  rec_.add(PathStep::FreeOSMemory);
  gcCycle(/*forced=*/true);
  scav_.releasedForced += scavenge(~uint64_t{0}, /*force=*/true); // Go: mheap.scavengeAll
}

} // namespace sim
