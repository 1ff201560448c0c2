// Sweeping: one span, sweepone, proportional sweep credit, the page reclaimer and the background
// sweeper. Design essay: sim/malloc.h. Go: mgcsweep.go (sweepone, (*sweepLocked).sweep,
// deductSweepCredit, gcPaceSweeper, bgsweep), mheap.go ((*mheap).reclaim, reclaimChunk).
//
// Differences from Go: nothing runs concurrently, so a sweeper never loses a tryAcquire race and
// "sweep done" is simply "no span has sweepgen sg-2 left" (Sweeper::unswept). The background
// sweeper is not a goroutine: before each event it sweeps Config::bgSweepSpans spans (sweepone),
// a fixed, deterministic budget standing in for the CPU time bgsweep gets between allocations.
// The reclaimer reads "span has no marked object" from its gcmarkBits instead of the arena's
// pageMarks bitmap (Go sets both when marking).
#include "sim/world.h"

#include <stdexcept>

namespace sim {

inline constexpr uint64_t kPagesPerArena = kHeapArenaBytes / kPageSize; // Go: pagesPerArena
inline constexpr uint64_t kPagesPerReclaimerChunk = 512;               // Go: pagesPerReclaimerChunk
inline constexpr uint64_t kReclaimDone = uint64_t{1} << 63;

// Go: sweepLocker.tryAcquire: an unswept span (sg-2) becomes owned (sg-1) and leaves its set (the
// set's entry goes stale).
bool World::acquireUnswept(SpanId sid) {
  MSpan& s = span(sid);
  if (s.state != SpanState::InUse || s.sweepgen != sweepgen_ - 2) return false;
  s.sweepgen = sweepgen_ - 1;
  s.home = SpanHome::None;
  sweeper_.unswept--;
  return true;
}

// Go: mgcsweep.go sweepone with mheap.nextSpanForSweep: for each span class from the cursor, full
// unswept then partial unswept, FIFO; the cursor only moves forward within a cycle. Returns the
// pages swept, 0 once nothing is left.
uint64_t World::sweepone() {
  if (sweeper_.unswept == 0) return 0;
  const uint32_t un = MCentral::unsweptIndex(sweepgen_);
  const uint32_t classes = static_cast<uint32_t>(central_.size()) * 2;
  for (; sweeper_.cursor < classes;) {
    const bool full = (sweeper_.cursor & 1) == 0;
    MCentral& c = central_[sweeper_.cursor >> 1];
    SpanSet& set = full ? c.full[un] : c.partial[un];
    SpanSet::Entry e;
    if (!set.pop(&e)) {
      sweeper_.cursor++;
      continue;
    }
    spanSetBlocksLive_ -= set.lastPopFreedBlock(); // Go: pop returns an emptied block to the pool
    const MSpan& s = span(e.span);
    const SpanHome home = full ? SpanHome::FullSet : SpanHome::PartialSet;
    if (s.homeSeq != e.seq || s.home != home || s.homeIndex != un) continue; // stale entry
    if (!acquireUnswept(e.span)) continue;
    const uint64_t npages = s.npages;
    if (sweep(e.span, /*preserve=*/false)) sweeper_.reclaimCredit += npages;
    return npages;
  }
  throw std::logic_error("sweepone: unswept spans left but none queued");
}

// Go: mgcsweep.go sweepone until it finds nothing (gcStart, finishsweep_m, runtime.GC's loop).
void World::sweepAll() {
  while (sweepone() != 0) {
  }
  sweeper_.pagesPerByte = 0;
}

// Go: mgcsweep.go gcPaceSweeper, at mark termination: sweep the pages in use by the time the
// heap has grown from heapLive to 1 MiB short of the trigger.
void World::paceSweeper() {
  sweeper_.pagesPerByte = 0;
  if (sweeper_.unswept == 0) return;
  const uint64_t heapLiveBasis = pacer_.heapLive;
  int64_t heapDistance = static_cast<int64_t>(pacer_.trigger) - static_cast<int64_t>(heapLiveBasis);
  heapDistance -= 1024 * 1024;
  if (heapDistance < static_cast<int64_t>(kPageSize)) heapDistance = static_cast<int64_t>(kPageSize);
  const int64_t distancePages =
      static_cast<int64_t>(heapInUse_ / kPageSize) - static_cast<int64_t>(sweeper_.pagesSwept);
  if (distancePages <= 0) return;
  sweeper_.pagesPerByte = static_cast<double>(distancePages) / static_cast<double>(heapDistance);
  sweeper_.heapLiveBasis = heapLiveBasis;
  sweeper_.pagesSweptBasis = sweeper_.pagesSwept;
}

// Go: mgcsweep.go deductSweepCredit, before a span is taken from mcentral (spanBytes = the
// class's span) or the heap (a large object: its pages, which count as credit).
void World::deductSweepCredit(uint64_t spanBytes, uint64_t callerSweepPages) {
  if (sweeper_.pagesPerByte == 0) return;
  uint64_t newHeapLive = spanBytes;
  if (sweeper_.heapLiveBasis < pacer_.heapLive) newHeapLive += pacer_.heapLive - sweeper_.heapLiveBasis;
  const int64_t pagesTarget = static_cast<int64_t>(sweeper_.pagesPerByte * static_cast<double>(newHeapLive)) -
                              static_cast<int64_t>(callerSweepPages);
  while (pagesTarget > static_cast<int64_t>(sweeper_.pagesSwept - sweeper_.pagesSweptBasis)) {
    if (sweepone() == 0) {
      sweeper_.pagesPerByte = 0;
      break;
    }
    rec_.add(PathStep::ProportionalSweep);
  }
}

// Go: mheap.go (*mheap).reclaim + reclaimChunk, before heap pages are allocated while sweeping is
// unfinished: scan the arenas of mark termination 512 pages at a time for in-use spans without a
// marked object, sweep (free) them, until npages pages are freed; extra pages become credit.
void World::reclaim(uint64_t npages) {
  if (sweeper_.reclaimIndex >= kReclaimDone) return;
  while (npages > 0) {
    if (sweeper_.reclaimCredit > 0) {
      const uint64_t take = std::min(sweeper_.reclaimCredit, npages);
      sweeper_.reclaimCredit -= take;
      npages -= take;
      continue;
    }
    const uint64_t idx = sweeper_.reclaimIndex;
    sweeper_.reclaimIndex += kPagesPerReclaimerChunk;
    if (idx >= sweeper_.arenaPages) {
      sweeper_.reclaimIndex = kReclaimDone;
      break;
    }
    rec_.add(PathStep::Reclaim);
    uint64_t found = 0;
    const uint64_t end = std::min<uint64_t>(idx + kPagesPerReclaimerChunk, spanOf_.size());
    for (uint64_t pg = idx; pg < end; ++pg) {
      const SpanId sid = spanOf_[pg];
      if (sid == kNoSpan) continue;
      MSpan& s = span(sid);
      if (s.state != SpanState::InUse || addrPage(s.startAddr) != pg) continue; // Go: pageInUse
      if (MSpan::popcount(s.gcmarkBits(), s.words) != 0) continue;              // Go: pageMarks
      if (!acquireUnswept(sid)) continue;
      const uint64_t n = s.npages;
      if (sweep(sid, /*preserve=*/false)) found += n;
    }
    if (found <= npages) {
      npages -= found;
    } else {
      sweeper_.reclaimCredit += found - npages;
      npages = 0;
    }
  }
}

// Go: mgcsweep.go bgsweep. Called before each event while a sweep is in progress.
void World::bgSweep() {
  opBackground_ = kOpBackground; // its time goes to the GC worker, not to this event's P
  for (uint32_t k = 0; k < cfg_.bgSweepSpans; ++k) {
    if (sweepone() == 0) {
      sweeper_.pagesPerByte = 0;
      break;
    }
    rec_.add(PathStep::BackgroundSweep);
  }
  opBackground_ = 0;
}

// Go: mgcsweep.go (*sweepLocked).sweep. Returns true if the span went back to the heap.
bool World::sweep(SpanId sid, bool preserve) {
  rec_.add(PathStep::Sweep);
  rec_.spansSwept++;
  MSpan& s = span(sid);
  noteOp(OpKind::SweepSpan, s.spanclass);
  if (s.state != SpanState::InUse || s.sweepgen != sweepgen_ - 1)
    throw std::logic_error("mspan.sweep: bad span state");
  sweeper_.pagesSwept += s.npages;
  const uint32_t nalloc = MSpan::popcount(s.gcmarkBits(), s.words);
  if (nalloc > s.allocCount) throw std::logic_error("sweep increased allocation count");
  const uint32_t nfreed = s.allocCount - nalloc;
  s.allocCount = nalloc;
  s.freeindex = 0;
  uint64_t* ab = s.allocBits();
  uint64_t* mb = s.gcmarkBits();
  for (uint32_t w = 0; w < s.words; ++w) {
    ab[w] = mb[w];
    mb[w] = 0;
  }
  s.refillAllocCache(0);
  s.sweepgen = sweepgen_;
  const uint32_t sc = spanClassSize(s.spanclass);
  if (sc != 0) {
    if (nfreed > 0) {
      s.needzero = true;
      stats_.smallFreeCount[sc] += nfreed;
    }
    if (preserve) return false;
    if (nalloc == 0) {
      freeSpan(sid);
      rec_.spansFreed++;
      return true;
    }
    pushSwept(sid, /*full=*/nalloc == s.nelems);
    return false;
  }
  if (preserve) return false;
  if (nfreed != 0) {
    stats_.largeFreeCount++;
    stats_.largeFree += s.elemsize;
    freeSpan(sid);
    rec_.spansFreed++;
    return true;
  }
  pushSwept(sid, /*full=*/true);
  return false;
}

} // namespace sim
