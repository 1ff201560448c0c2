// GC cycle, mark, sweep, and the GOGC pacer. Design essay: sim/malloc.h.
// Go: mgc.go (GC, gcStart, gcMarkTermination), mgcmark.go (gcMarkTinyAllocs), mgcsweep.go
// (sweepone, sweep), mgcpacer.go (commit, trigger, resetLive).
//
// Differences from Go: mark and mark termination run inside one event: mark (every object the
// trace has not freed, plus every P's current tiny block), mark termination (sweepgen += 2,
// mcaches flushed). A `gc` event (runtime.GC()) and Eager mode then sweep every span in sweepone's
// order; a pacer-triggered cycle in Lazy mode leaves them to sim/mgcsweep.cpp's sweepers, as Go's
// concurrent sweep does. Nothing is allocated while marking, so nothing is allocated black. The
// mark reads the trace's reachability instead of scanning pointers. The pacer's runway is 0 (Go derives it from a
// measured cons/mark ratio, which is 0 until a cycle has been timed), so the trigger sits at its
// upper bound; stacks and globals contribute Config::rootScanBytes of scan work to the goal.
#include "sim/world.h"

#include <algorithm>
#include <stdexcept>

namespace sim {

inline constexpr uint64_t kDefaultHeapMinimum = uint64_t{4} << 20; // Go: defaultHeapMinimum
inline constexpr uint64_t kSweepMinHeapDistance = uint64_t{1} << 20;
inline constexpr uint64_t kTriggerRatioDen = 64, kMinTriggerRatioNum = 45, kMaxTriggerRatioNum = 61;

// Go: mgcpacer.go (*gcControllerState).commit (with setGCPercent's heapMinimum) and trigger().
void World::pacerCommit() {
  Pacer& c = pacer_;
  const bool off = cfg_.gogc < 0;
  c.heapMinimum = off ? 0 : kDefaultHeapMinimum * static_cast<uint64_t>(cfg_.gogc) / 100;
  c.sweepDistMinTrigger = numGC_ == 0 ? 0 : c.heapLive + kSweepMinHeapDistance;
  uint64_t goal = off ? ~uint64_t{0}
                      : c.heapMarked + (c.heapMarked + cfg_.rootScanBytes) * static_cast<uint64_t>(cfg_.gogc) / 100;
  if (goal < c.heapMinimum) goal = c.heapMinimum;
  if (c.sweepDistMinTrigger > goal) goal = c.sweepDistMinTrigger; // Go: heapGoalInternal
  c.goal = goal;
  if (off) {
    c.trigger = ~uint64_t{0};
    return;
  }
  if (c.heapMarked >= goal) {
    c.trigger = goal;
    return;
  }
  uint64_t minTrigger = std::max(c.sweepDistMinTrigger, c.heapMarked);
  uint64_t lower = (goal - c.heapMarked) / kTriggerRatioDen * kMinTriggerRatioNum + c.heapMarked;
  if (minTrigger < lower) minTrigger = lower;
  uint64_t maxTrigger = (goal - c.heapMarked) / kTriggerRatioDen * kMaxTriggerRatioNum + c.heapMarked;
  if (goal > kDefaultHeapMinimum && goal - kDefaultHeapMinimum > maxTrigger) maxTrigger = goal - kDefaultHeapMinimum;
  if (maxTrigger < minTrigger) maxTrigger = minTrigger;
  const uint64_t runway = 0;
  c.trigger = std::clamp(goal - runway, minTrigger, maxTrigger);
}

// Go: malloc.go mallocgc's `gcTrigger{kind: gcTriggerHeap}.test()` after a heavy allocation.
void World::maybeTriggerGC() {
  if (cfg_.liveness != Liveness::GC || cfg_.gogc < 0) return;
  if (pacer_.heapLive < pacer_.trigger) return;
  rec_.add(PathStep::GCTrigger);
  gcCycle(/*forced=*/false);
}

// Go: mgc.go GC / gcStart .. gcMarkTermination, then the sweep that runtime.GC() waits for.
void World::gcCycle(bool forced) {
  rec_.add(PathStep::GCCycle);
  sweepAll(); // Go: gcStart finishes the previous cycle's sweep first
  // Go: finishsweep_m at sweep termination resets the (now empty) unswept sets.
  const uint32_t un = MCentral::unsweptIndex(sweepgen_);
  for (MCentral& c : central_) {
    c.partial[un].resetSpine();
    c.full[un].resetSpine();
  }
  noteOp(OpKind::GCStart, 0);
  gcMark();
  if (timing_) {
    uint32_t inUse = 0;
    for (const MSpan& s : spans_) inUse += s.state == SpanState::InUse;
    noteOp(OpKind::GCMark, 0, 0, inUse);
  }
  sweepgen_ += 2; // Go: gcSweep at mark termination; swept sets become unswept in place
  startSweepPhase();
  noteOp(OpKind::GCMarkTermination, 0);
  pacer_.heapLive = pacer_.heapMarked; // Go: resetLive
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
  uint64_t marked = 0;
  for (MSpan& s : spans_) {
    if (s.state != SpanState::InUse) continue;
    uint64_t* mb = s.gcmarkBits();
    const uint64_t* lb = s.liveBits();
    for (uint32_t w = 0; w < s.words; ++w) mb[w] = lb[w];
    marked += MSpan::popcount(mb, s.words) * s.elemsize;
  }
  for (const P& p : ps_) {
    if (p.mcache.tiny == 0) continue;
    MSpan& s = span(spanOfAddr(p.mcache.tiny));
    const uint32_t slot = s.objIndex(p.mcache.tiny);
    if (MSpan::testBit(s.gcmarkBits(), slot)) continue;
    MSpan::setBit(s.gcmarkBits(), slot);
    marked += s.elemsize;
  }
  pacer_.heapMarked = marked;
}

} // namespace sim
