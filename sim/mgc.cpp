// GC cycle, mark, sweep, and the GOGC pacer. Design essay: sim/malloc.h.
// Go: mgc.go (GC, gcStart, gcMarkDone, gcMarkTermination), mgcmark.go (gcMarkTinyAllocs,
// gcAssistAlloc, gcmarknewobject), mgcsweep.go (sweepone, sweep), mgcpacer.go (startCycle,
// revise, endCycle, commit, trigger, heapGoal, memoryLimitHeapGoal, resetLive).
//
// The mark is a window of events (Config::markWindow). At the trigger the cycle starts: the
// previous sweep is finished, reachability is snapshotted into gcmarkBits (the trace's liveness at
// that point, plus every P's tiny block), and the mark runs while later events do: a free leaves
// its object marked (the deletion barrier kept it), an allocation is marked at once and counted
// in bytesMarked (allocate-black, gcmarknewobject). The window closes when the cycle's scan work
// (the snapshot's pointerful bytes + stack scan + globals) has been done by mark assists — each
// allocation debits its P's gcAssistBytes; a P in debt assists with max(debt * assistWorkPerByte,
// gcOverAssistWork) of scan work, stealing background credit first — and by the background mark
// workers: dedicated ones earn 25% of GOMAXPROCS' modelled time; the fractional one (1-3 Ps) runs
// when sysmon preempts the busy P (every 10 ms of its time) up to its quota; idle gaps in a timed
// trace go to idle workers (gcMarkAdvance). Time is the cost model's (modelledEventNs per event,
// gc_scan_kib per KiB of scan work), never the host's.
// Then mark termination: endCycle measures cons/mark, resetLive, sweepgen += 2, commit.
//
// Differences from Go: reachability comes from the trace, not from scanning pointers, so the
// scan work of a cycle is the snapshot's live pointerful bytes (Go scans each object up to its
// last pointer); stacks scan as Config::rootScanBytes plus the stack model's live goroutine
// stacks (whole; Go scans the used part); a G's assist debt is kept per P. The only scheduling
// points of a busy P are sysmon's preemptions (no blocking, no OS descheduling: Go's own figures
// move with host load, its assist and mark times being wall-clock). The GC CPU limiter is not
// modelled.
#include "sim/world.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace sim {

inline constexpr uint64_t kDefaultHeapMinimum = uint64_t{4} << 20; // Go: defaultHeapMinimum
inline constexpr uint64_t kSweepMinHeapDistance = uint64_t{1} << 20;
inline constexpr uint64_t kTriggerRatioDen = 64, kMinTriggerRatioNum = 45, kMaxTriggerRatioNum = 61;
inline constexpr double kGCBackgroundUtilization = 0.25;     // Go: gcBackgroundUtilization
inline constexpr double kGCGoalUtilization = kGCBackgroundUtilization; // Go: gcGoalUtilization
inline constexpr int64_t kGCOverAssistWork = 64 << 10;        // Go: gcOverAssistWork
inline constexpr uint64_t kMemoryLimitHeapGoalHeadroom = 1 << 20; // Go: memoryLimitHeapGoalHeadroom
inline constexpr uint64_t kMinRunway = 64 << 10;              // Go: heapGoalInternal's minRunway

// Go's uint64(f) on amd64: below 2^63 a signed conversion (CVTTSD2SQ) reinterpreted, so a negative
// runway (consMark < 0 after an assist-heavy cycle) becomes a huge one; C++ leaves that undefined.
static uint64_t goFloatToUint64(double f) {
  if (std::isnan(f)) return uint64_t{1} << 63;
  if (f < 9223372036854775808.0) return f <= -9223372036854775808.0 ? uint64_t{1} << 63 : static_cast<uint64_t>(static_cast<int64_t>(f));
  if (f >= 18446744073709551616.0) return ~uint64_t{0};
  return static_cast<uint64_t>(f);
}

// Go's int64(f) on amd64 (CVTTSD2SQ): NaN and out-of-range values give -2^63; C++ leaves them undefined.
static int64_t goFloatToInt64(double f) {
  if (std::isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0) return INT64_MIN;
  return static_cast<int64_t>(f);
}

// Go's int64 arithmetic wraps (a goal of 2^63 taken as int64 is -2^63); C++ overflow is undefined.
static int64_t goSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

// Go: mgcpacer.go (*piController).next.
bool PIController::next(double input, double setpoint, double period, double* out) {
  const double prop = kp * (setpoint - input);
  const double rawOutput = prop + errIntegral;
  double output = rawOutput;
  if (std::isinf(output) || std::isnan(output)) {
    errIntegral = 0;
    *out = min;
    return false;
  }
  output = std::clamp(output, min, max);
  if (ti != 0 && tt != 0) {
    errIntegral += (kp * period / ti) * (setpoint - input) + (period / tt) * (output - rawOutput);
    if (std::isinf(errIntegral) || std::isnan(errIntegral)) {
      errIntegral = 0;
      *out = min;
      return false;
    }
  }
  *out = output;
  return true;
}

// Go: mgcpacer.go (*gcControllerState).memoryLimitHeapGoal (headroom per GoProfile). heapFree, heapAlloc and mappedReady
// as the engine counts them (mappedReady: sim/mgcscavenge.cpp, with its estimate of the runtime's
// non-heap memory).
uint64_t World::memoryLimitHeapGoal() const {
  const uint64_t memoryLimit = cfg_.scavenger.memoryLimit;
  if (memoryLimit == 0) return ~uint64_t{0};
  const uint64_t mappedReady = this->mappedReady();
  const uint64_t heapFree = heapFree_;
  uint64_t heapAlloc = stats_.largeAlloc - stats_.largeFree; // Go: totalAlloc - totalFree (flushed)
  for (uint32_t k = 1; k < cfg_.table.numClasses(); ++k)
    heapAlloc += (stats_.smallAllocCount[k] - stats_.smallFreeCount[k]) * cfg_.table.cls(k).size;
  uint64_t nonHeapMemory = mappedReady > heapFree + heapAlloc ? mappedReady - heapFree - heapAlloc : 0;
  const uint64_t overage = mappedReady > memoryLimit ? mappedReady - memoryLimit : 0;
  if (nonHeapMemory + overage >= memoryLimit) return pacer_.heapMarked;
  uint64_t goal = memoryLimit - (nonHeapMemory + overage);
  // Go 1.21+: headroom = max(goal / 100 * memoryLimitHeapGoalHeadroomPercent, 1 MiB); 1.19: 1 MiB.
  const uint64_t headroom = std::max(goal / 100 * prof_.memoryLimitHeadroomPercent, kMemoryLimitHeapGoalHeadroom);
  if (goal < headroom || goal - headroom < headroom)
    goal = headroom;
  else
    goal -= headroom;
  return std::max(goal, pacer_.heapMarked);
}

// Go: mgcpacer.go (*gcControllerState).heapGoalInternal (heapGoal returns its first result).
uint64_t World::pacerHeapGoal(uint64_t* minTriggerOut) const {
  const Pacer& c = pacer_;
  uint64_t goal = c.gcPercentHeapGoal, minTrigger = 0;
  if (const uint64_t g = memoryLimitHeapGoal(); g < goal) {
    goal = g;
  } else {
    if (c.sweepDistMinTrigger > goal) goal = c.sweepDistMinTrigger;
    minTrigger = c.sweepDistMinTrigger;
    if (c.triggered != ~uint64_t{0} && goal < c.triggered + kMinRunway) goal = c.triggered + kMinRunway;
  }
  if (minTriggerOut) *minTriggerOut = minTrigger;
  return goal;
}

// Go: mgcpacer.go (*gcControllerState).trigger.
uint64_t World::pacerTrigger(uint64_t* goalOut) const {
  const Pacer& c = pacer_;
  uint64_t minTrigger = 0;
  const uint64_t goal = pacerHeapGoal(&minTrigger);
  if (goalOut) *goalOut = goal;
  if (c.heapMarked >= goal) return goal;
  if (minTrigger < c.heapMarked) minTrigger = c.heapMarked;
  const uint64_t lower = (goal - c.heapMarked) / kTriggerRatioDen * kMinTriggerRatioNum + c.heapMarked;
  if (minTrigger < lower) minTrigger = lower;
  uint64_t maxTrigger = (goal - c.heapMarked) / kTriggerRatioDen * kMaxTriggerRatioNum + c.heapMarked;
  if (goal > kDefaultHeapMinimum && goal - kDefaultHeapMinimum > maxTrigger) maxTrigger = goal - kDefaultHeapMinimum;
  if (maxTrigger < minTrigger) maxTrigger = minTrigger;
  uint64_t trigger = c.runway > goal ? minTrigger : goal - c.runway;
  return std::clamp(trigger, minTrigger, maxTrigger);
}

// Go: mgcpacer.go (*gcControllerState).commit (with setGCPercent's heapMinimum), then the trigger
// and goal it implies, kept for the allocation path and MemStats (with a memory limit they move
// with the heap: maybeTriggerGC recomputes them).
void World::pacerCommit() {
  Pacer& c = pacer_;
  const bool off = cfg_.gogc < 0;
  c.heapMinimum = off ? 0 : kDefaultHeapMinimum * static_cast<uint64_t>(cfg_.gogc) / 100;
  c.sweepDistMinTrigger = numGC_ == 0 ? 0 : c.heapLive + kSweepMinHeapDistance;
  c.globalsScan = cfg_.globalsBytes;
  uint64_t goal = ~uint64_t{0};
  if (!off) goal = c.heapMarked + (c.heapMarked + c.lastStackScan + c.globalsScan) * static_cast<uint64_t>(cfg_.gogc) / 100;
  if (goal < c.heapMinimum) goal = c.heapMinimum;
  c.gcPercentHeapGoal = goal;
  c.runway = goFloatToUint64(c.consMark * (1 - kGCGoalUtilization) / kGCGoalUtilization *
                             static_cast<double>(c.lastHeapScan + c.lastStackScan + c.globalsScan));
  c.trigger = pacerTrigger(&c.goal);
  if (off && cfg_.scavenger.memoryLimit == 0) c.trigger = ~uint64_t{0};
}

// Go: mgcpacer.go (*gcControllerState).startCycle: workers, assists reset, first revise.
void World::pacerStartCycle() {
  Pacer& c = pacer_;
  c.workDone = c.assistWork = c.bgWork = c.idleWork = 0;
  c.bgScanCredit = 0;
  c.bgWorkFrac = 0;
  c.assistTime = c.idleMarkTime = c.markClock = c.fractionalMarkTime = 0;
  // Go 1.21+ (golang/go#53892): triggered is heapLive at the start; Go 1.19: the computed trigger.
  c.triggered = prof_.triggeredIsHeapLive ? c.heapLive : pacerTrigger(nullptr);
  c.gcAssistBytes.assign(ps_.size(), 0); // Go: gcResetMarkState zeroes every G's gcAssistBytes
  // Go: startCycle's worker split: dedicated = round(GOMAXPROCS * 25%); a fractional worker for
  // the rest when rounding is more than 30% off (maxUtilError).
  const double procs = static_cast<double>(ps_.size());
  const double total = procs * kGCBackgroundUtilization;
  c.dedicatedWorkers = std::floor(total + 0.5);
  c.fractionalGoal = 0;
  if (const double err = c.dedicatedWorkers / total - 1; err < -0.3 || err > 0.3) {
    if (c.dedicatedWorkers > total) c.dedicatedWorkers -= 1;
    c.fractionalGoal = (total - c.dedicatedWorkers) / procs;
  }
  const uint32_t kib = cfg_.timing.cost.gcScanKiB;
  c.scanNsPerByte = static_cast<double>(kib == 0 ? 1 : kib) / 1024.0;
  pacerRevise();
}

// Go: mgcpacer.go (*gcControllerState).revise: the assist ratio that finishes the expected scan
// work by the heap goal (extended to the worst case once the work exceeds the expectation).
void World::pacerRevise() {
  Pacer& c = pacer_;
  const int64_t gcPercent = cfg_.gogc < 0 ? 100000 : cfg_.gogc;
  const int64_t live = static_cast<int64_t>(c.heapLive);
  const int64_t work = static_cast<int64_t>(c.workDone);
  int64_t heapGoal = static_cast<int64_t>(pacerHeapGoal());
  int64_t scanWorkExpected = static_cast<int64_t>(c.lastHeapScan + c.lastStackScan + c.globalsScan);
  const int64_t maxScanWork = static_cast<int64_t>(c.heapScan + c.stackScanWork + c.globalsScan);
  // Go divides by scanWorkExpected here; it is never 0 in Go (the runtime's own globals and stacks
  // are scanned every cycle), but it is 0 in a first cycle of a trace without globals_bytes or
  // stacks, where Go's float division would make the goal +Inf -> int64 minimum: skip the extension.
  if (work > scanWorkExpected && scanWorkExpected > 0) {
    int64_t extHeapGoal = static_cast<int64_t>(
        static_cast<uint64_t>(goFloatToInt64(static_cast<double>(goSub(heapGoal, static_cast<int64_t>(c.triggered))) /
                                             static_cast<double>(scanWorkExpected) * static_cast<double>(maxScanWork))) +
        c.triggered);
    scanWorkExpected = maxScanWork;
    const int64_t hardGoal = goFloatToInt64((1.0 + static_cast<double>(gcPercent) / 100.0) * static_cast<double>(heapGoal));
    if (extHeapGoal > hardGoal) extHeapGoal = hardGoal;
    heapGoal = extHeapGoal;
  }
  if (live > heapGoal) {
    heapGoal = goFloatToInt64(static_cast<double>(heapGoal) * 1.1); // Go: maxOvershoot
    scanWorkExpected = maxScanWork;
  }
  int64_t scanWorkRemaining = goSub(scanWorkExpected, work);
  if (scanWorkRemaining < 1000) scanWorkRemaining = 1000;
  int64_t heapRemaining = goSub(heapGoal, live);
  if (heapRemaining <= 0) heapRemaining = 1;
  c.assistWorkPerByte = static_cast<double>(scanWorkRemaining) / static_cast<double>(heapRemaining);
  c.assistBytesPerWork = static_cast<double>(heapRemaining) / static_cast<double>(scanWorkRemaining);
}

// Go: mgcpacer.go (*gcControllerState).endCycle: the cons/mark ratio this cycle would have needed,
// smoothed as the profile's release does (pacerConsMark). Durations are the mark window's
// modelled ns.
void World::pacerEndCycle() {
  Pacer& c = pacer_;
  c.lastHeapGoal = pacerHeapGoal();
  const double procs = static_cast<double>(ps_.size());
  const uint64_t assistDuration = c.markClock;
  double utilization = kGCBackgroundUtilization;
  double idleUtilization = 0;
  if (assistDuration > 0) {
    utilization += static_cast<double>(c.assistTime) / (static_cast<double>(assistDuration) * procs);
    idleUtilization = static_cast<double>(c.idleMarkTime) / (static_cast<double>(assistDuration) * procs);
  }
  if (c.heapLive <= c.triggered) return;
  const uint64_t scanWork = c.heapScanWork + c.stackScanWork + c.globalsScanWork;
  if (scanWork == 0) return; // Go divides by it; it is never 0 there (the runtime has globals)
  const double currentConsMark = static_cast<double>(c.heapLive - c.triggered) * (utilization + idleUtilization) /
                                 (static_cast<double>(scanWork) * (1 - utilization));
  c.consMark = pacerConsMark(currentConsMark);
}

// The consMark endCycle keeps for this cycle's measurement. Go 1.19 (mgcpacer.go endCycle):
// consMarkController, a PI controller (0 after an overflow). Go 1.21+ (mgcpacer.go endCycle,
// lastConsMark): the maximum of the measurement and the last consMarkHistory measurements, which
// then shift in the new one.
double World::pacerConsMark(double current) {
  Pacer& c = pacer_;
  if (prof_.consMarkHistory == 0) {
    double next = 0;
    if (!c.consMarkController.next(c.consMark, current, 1.0, &next)) next = 0;
    return next;
  }
  const size_t n = std::min<size_t>(prof_.consMarkHistory, c.lastConsMark.size());
  double m = current;
  for (size_t i = 0; i < n; ++i) m = std::max(m, c.lastConsMark[i]);
  std::copy(c.lastConsMark.begin() + 1, c.lastConsMark.begin() + n, c.lastConsMark.begin());
  c.lastConsMark[n - 1] = current;
  return m;
}

// Go: malloc.go mallocgc's `gcTrigger{kind: gcTriggerHeap}.test()` after a heavy allocation.
void World::maybeTriggerGC() {
  if (cfg_.liveness != Liveness::GC || pacer_.marking) return;
  if (cfg_.gogc < 0 && cfg_.scavenger.memoryLimit == 0) return;
  if (cfg_.gcCycles == GCCycles::Trace) return; // the trace's recorded cycles are the program's
  // With a memory limit the goal moves with the heap's non-heap overheads (Go recomputes the
  // trigger on every test).
  if (cfg_.scavenger.memoryLimit != 0) pacer_.trigger = pacerTrigger(&pacer_.goal);
  if (pacer_.heapLive < pacer_.trigger) return;
  rec_.add(PathStep::GCTrigger);
  gcCycle(/*forced=*/false);
}

// Go: mgc.go gcStart: sweep termination, the reachability snapshot (gcMark here), startCycle.
// A forced cycle (runtime.GC()), a recorded one (Config::gcCycles trace: Go's tracegc prints at
// mark termination, so the objects the trace frees after it die at the end of the window) or the
// old model (markWindow off) terminates at once; runtime.GC() first waits for a cycle in progress.
void World::gcCycle(bool forced, bool recorded) {
  rec_.add(PathStep::GCCycle);
  if (pacer_.marking) gcMarkTermination(/*forced=*/false); // Go: runtime.GC waits for the cycle
  sweepAll(); // Go: gcStart finishes the previous cycle's sweep first
  // Go: finishsweep_m at sweep termination resets the (now empty) unswept sets.
  const uint32_t un = MCentral::unsweptIndex(sweepgen_);
  for (MCentral& c : central_) {
    spanSetBlocksLive_ -= c.partial[un].resetSpine() + c.full[un].resetSpine();
  }
  noteOp(OpKind::GCStart, 0);
  gcMark();
  if (timing_) {
    uint32_t inUse = 0;
    for (const MSpan& s : spans_) inUse += s.state == SpanState::InUse;
    noteOp(OpKind::GCMark, 0, 0, inUse);
  }
  pacerStartCycle();
  if (forced || recorded || !cfg_.markWindow) {
    gcMarkTermination(forced);
    return;
  }
  pacer_.marking = true;
  pacer_.markStartEvent = events_;
}

// Go: mgc.go gcMarkDone + gcMarkTermination: endCycle, resetLive, sweepgen += 2, commit, the
// world restarts with every mcache flushed; runtime.GC() (forced) then waits for the sweep.
void World::gcMarkTermination(bool forced) {
  Pacer& c = pacer_;
  if (c.marking) {
    c.markCycles++;
    c.markEventsTotal += events_ - c.markStartEvent;
  }
  c.marking = false;
  c.heapMarked = c.bytesMarked;
  pacerEndCycle();
  // Go: resetLive.
  c.heapLive = c.heapMarked;
  c.heapScan = c.heapScanWork;
  c.lastHeapScan = c.heapScanWork;
  c.lastStackScan = c.stackScanWork;
  c.triggered = ~uint64_t{0};
  pages_.nextGen(); // Go 1.21+: gcMarkTermination's scav.index.nextGen (peak heap in use)
  sweepgen_ += 2; // Go: gcSweep at mark termination; swept sets become unswept in place
  startSweepPhase();
  noteOp(OpKind::GCMarkTermination, 0);
  numGC_++;
  if (forced) numForcedGC_++;
  pacerCommit();
  scavengerPace(); // Go: gcControllerCommit -> gcPaceScavenger (sim/mgcscavenge.cpp)
  gcStacks();      // Go: markrootFreeGStacks, freeStackSpans, stackcache_clear (sim/stack.cpp)
  paceSweeper();
  for (P& p : ps_) { // Go: prepareForSweep on every P when the world restarts
    releaseAll(p);
    p.mcache.flushGen = sweepgen_;
  }
  // runtime.GC() waits for the sweep; so does everything in Eager mode.
  if (forced || cfg_.sweep == SweepMode::Eager) sweepAll();
}

// Go: malloc.go mallocgc's assist debit (`assistG.gcAssistBytes -= size`) and mgcmark.go
// gcAssistAlloc: a P in debt steals background credit, then does the rest of max(debt *
// assistWorkPerByte, gcOverAssistWork) itself (at most the work left). The last byte of work ends
// the mark (Go: the assist that drains the last work calls gcMarkDone).
void World::gcAssistAlloc(P& p, uint64_t bytes) {
  Pacer& c = pacer_;
  int64_t& debt = c.gcAssistBytes[&p - ps_.data()];
  debt -= static_cast<int64_t>(bytes);
  if (debt >= 0) return;
  pacerRevise(); // Go: revise runs whenever heapLive moves during the mark
  int64_t debtBytes = -debt;
  int64_t scanWork = static_cast<int64_t>(c.assistWorkPerByte * static_cast<double>(debtBytes));
  if (scanWork < kGCOverAssistWork) {
    scanWork = kGCOverAssistWork;
    debtBytes = static_cast<int64_t>(c.assistBytesPerWork * static_cast<double>(scanWork));
  }
  if (c.bgScanCredit > 0) {
    if (c.bgScanCredit < scanWork) {
      const int64_t stolen = c.bgScanCredit;
      debt += 1 + static_cast<int64_t>(c.assistBytesPerWork * static_cast<double>(stolen));
      scanWork -= stolen;
      c.bgScanCredit = 0;
    } else {
      c.bgScanCredit -= scanWork;
      debt += debtBytes;
      return;
    }
  }
  const uint64_t needed = c.heapScanWork + c.stackScanWork + c.globalsScanWork;
  const uint64_t left = needed > c.workDone ? needed - c.workDone : 0;
  const uint64_t done = std::min<uint64_t>(static_cast<uint64_t>(scanWork), left);
  c.workDone += done;
  c.assistWork += done;
  const uint64_t ns = done * cfg_.timing.cost.gcScanKiB / 1024;
  c.assistTime += ns;
  c.markClock += ns;
  c.sliceClock += ns;
  debt += static_cast<int64_t>(c.assistBytesPerWork * static_cast<double>(done)); // Go: gcAssistAlloc1's credit
  rec_.add(PathStep::MarkAssist);
  if (c.workDone >= needed) {
    rec_.add(PathStep::MarkDone);
    gcMarkTermination(/*forced=*/false);
  }
}

// The background and idle mark workers' share of the event just run (Go: gcBgMarkWorker,
// findRunnableGCWorker). startCycle's split (Go): dedicated workers = round(GOMAXPROCS * 25%),
// a fractional worker for the rest when rounding is more than 30% off (GOMAXPROCS 1-3 and 6).
//   * Dedicated workers own their Ps for the whole mark: they earn their share of every event's
//     modelled time (D of GOMAXPROCS Ps while the mutator has the other GOMAXPROCS - D).
//   * The fractional worker runs only when its P schedules, and a P running a busy goroutine
//     schedules when sysmon preempts it: every forcePreemptNS (10 ms) of the P's run time. It
//     then works until pollFractionalWorkerExit: its time over the time since the mark started
//     exceeds 1.2 * fractionalUtilizationGoal, i.e. s = 1.2 g (t + s) - done.
//   * An idle gap before a timed event (its time beyond the modelled clock) goes to an idle mark
//     worker on every P (Go: idle workers take idle Ps); with Config::traceGapsRunning the gap is
//     the running goroutine's time instead and advances sysmon's preemption clock.
// The preemption clock runs across cycles, so where a mark starts in the 10 ms slice varies as
// in Go. Only P 0's time drives it (the engine has one clock per trace, not per P).
// Outside a mark and without traceGapsRunning, World::gcMarkAdvance (inline) does the clocks' part.
void World::gcMarkAdvanceClocks(const Event& ev, uint64_t ns) { // ns: modelledEventNs of the event
  Pacer& c = pacer_;
  uint64_t gap = 0; // the trace's time beyond the event's modelled time
  if (ev.time != kNoTime) {
    if (c.lastEventTime != ~uint64_t{0} && ev.time > c.lastEventTime + ns) gap = ev.time - c.lastEventTime - ns;
    c.lastEventTime = ev.time;
  }
  const uint64_t running = cfg_.traceGapsRunning ? gap : 0, idle = gap - running;
  c.sliceClock += ns + running;
  if (!c.marking) {
    if (c.sliceClock >= kForcePreemptNs) c.sliceClock %= kForcePreemptNs;
    return;
  }
  const double nsPerByte = c.scanNsPerByte;
  c.markClock += ns + gap;
  c.idleMarkTime += idle;
  const double procs = static_cast<double>(ps_.size());
  const double dedicated = c.dedicatedWorkers, fractional = c.fractionalGoal;
  double workerNs = static_cast<double>(idle) * procs;
  if (dedicated > 0) workerNs += static_cast<double>(ns + running) * dedicated / (procs - dedicated);
  if (fractional > 0 && c.sliceClock >= kForcePreemptNs) { // sysmon preempted the goroutine
    c.sliceClock %= kForcePreemptNs;
    const double t = static_cast<double>(c.markClock);
    const double g = 1.2 * fractional;
    const double quota = g * t / (1 - g) - static_cast<double>(c.fractionalMarkTime);
    if (quota > 0) {
      const uint64_t needed = c.heapScanWork + c.stackScanWork + c.globalsScanWork;
      const double left = static_cast<double>(needed > c.workDone ? needed - c.workDone : 0);
      const double run = std::min(quota, left * nsPerByte); // the worker stops when the work is gone
      c.fractionalMarkTime += static_cast<uint64_t>(run);
      c.markClock += static_cast<uint64_t>(run); // the P ran the worker instead of the mutator
      workerNs += run;
    }
  }
  const uint64_t needed = c.heapScanWork + c.stackScanWork + c.globalsScanWork;
  if (workerNs > 0) {
    const double w = c.bgWorkFrac + workerNs / nsPerByte;
    const uint64_t whole = static_cast<uint64_t>(w);
    c.bgWorkFrac = w - static_cast<double>(whole);
    const uint64_t left = needed > c.workDone ? needed - c.workDone : 0;
    const uint64_t done = std::min(whole, left);
    c.workDone += done;
    c.bgWork += done;
    c.bgScanCredit += static_cast<int64_t>(done);
  }
  if (c.workDone >= needed) {
    rec_.add(PathStep::MarkDone);
    gcMarkTermination(/*forced=*/false);
  }
}

// Go: mgc.go gcSweep's reset of the sweeper (pagesSwept, sweepArenas, reclaimIndex/Credit,
// centralIndex). Every in-use span not in an mcache is now unswept (sg-2).
void World::startSweepPhase() {
  const uint64_t lastGC = sweeper_.lastGCTime;
  sweeper_ = Sweeper{};
  sweeper_.lastGCTime = lastGC;
  sweeper_.lastGCEvent = events_;
  sweeper_.arenaPages = arenas_.size() * (kHeapArenaBytes / kPageSize);
  for (const MSpan& s : spans_) sweeper_.unswept += s.state == SpanState::InUse && s.sweepgen == sweepgen_ - 2;
}

// Mark: every object the trace has not freed is reachable; every P's current tiny block is
// marked too (Go: gcMarkTinyAllocs). heapMarked counts whole slots, as work.bytesMarked does.
void World::gcMark() {
  uint64_t marked = 0, scan = 0, bitmapBytes = 0;
  for (MSpan& s : spans_) {
    if (s.state != SpanState::InUse) continue;
    bitmapBytes += (uint64_t{s.nelems} + 63) / 64 * 8;
    uint64_t* mb = s.gcmarkBits();
    const uint64_t* lb = s.liveBits();
    for (uint32_t w = 0; w < s.words; ++w) mb[w] = lb[w];
    s.freeindexAtMarkStart = s.freeindex; // slots handed out from here on are allocated black
    const uint64_t b = MSpan::popcount(mb, s.words) * s.elemsize;
    marked += b;
    if (!spanClassNoscan(s.spanclass)) scan += b;
  }
  for (const P& p : ps_) {
    if (p.mcache.tiny == 0) continue;
    MSpan& s = span(spanOfAddr(p.mcache.tiny));
    const uint32_t slot = s.objIndex(p.mcache.tiny);
    if (MSpan::testBit(s.gcmarkBits(), slot)) continue;
    MSpan::setBit(s.gcmarkBits(), slot);
    marked += s.elemsize;
  }
  pacer_.bytesMarked = marked;
  noteGCBitsArenas(bitmapBytes);
  // The cycle's scan work (Go: heapScanWork, stackScanWork, globalsScanWork).
  uint64_t stacks = cfg_.rootScanBytes;
  for (const auto& [g, st] : stacks_.live) stacks += st.size;
  pacer_.heapScanWork = scan;
  pacer_.stackScanWork = stacks;
  pacer_.globalsScanWork = cfg_.globalsBytes;
}

// Go: mgcmark.go gcmarknewobject: an object allocated during the mark is marked at once and
// counts in bytesMarked (slot of `size` bytes).
void World::gcmarknewobject(SpanId sid, uint32_t slot) {
  MSpan& s = span(sid);
  if (MSpan::testBit(s.gcmarkBits(), slot)) return;
  MSpan::setBit(s.gcmarkBits(), slot);
  pacer_.bytesMarked += s.elemsize;
}

} // namespace sim
