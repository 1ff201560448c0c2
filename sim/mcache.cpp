// mcache: nextFree, refill, allocLarge, releaseAll. Design essay: sim/malloc.h. Go: mcache.go, malloc.go.
#include "sim/world.h"

#include <stdexcept>

namespace sim {

// Go: malloc.go (*mcache).nextFree. An empty slot (kNoSpan) is Go's emptymspan: nelems 0, so the
// first allocation of a class always refills.
uint32_t World::nextFree(P& p, SpanClass spc, SpanId* spanOut) {
  SpanId sid = p.mcache.alloc[spc];
  uint32_t freeIndex = 0;
  if (sid != kNoSpan) {
    rec_.add(PathStep::NextFree);
    freeIndex = span(sid).nextFreeIndex();
  }
  if (sid == kNoSpan || freeIndex == span(sid).nelems) {
    refill(p, spc);
    sid = p.mcache.alloc[spc];
    freeIndex = span(sid).nextFreeIndex();
  }
  MSpan& s = span(sid);
  if (freeIndex >= s.nelems) throw std::logic_error("freeIndex is not valid");
  s.allocCount++;
  *spanOut = sid;
  return freeIndex;
}

// Go: mcache.go (*mcache).refill.
void World::refill(P& p, SpanClass spc) {
  rec_.add(PathStep::Refill);
  MCache& c = p.mcache;
  SpanId old = c.alloc[spc];
  if (old != kNoSpan) {
    MSpan& s = span(old);
    if (s.allocCount != s.nelems) throw std::logic_error("refill of span with free space remaining");
    if (s.sweepgen != sweepgen_ + 3) throw std::logic_error("bad sweepgen in refill");
    uint64_t slotsUsed = s.allocCount - s.allocCountBeforeCache;
    s.allocCountBeforeCache = 0;
    stats_.smallAllocCount[spanClassSize(spc)] += slotsUsed;
    if (spc == tinySpanClass_) {
      stats_.tinyAllocCount += c.tinyAllocs;
      c.tinyAllocs = 0;
    }
    rec_.add(PathStep::UncacheSpan);
    uncacheSpan(old);
  }
  SpanId sid = cacheSpan(spc);
  MSpan& s = span(sid);
  if (s.allocCount == s.nelems) throw std::logic_error("span has no free space");
  s.sweepgen = sweepgen_ + 3;
  s.allocCountBeforeCache = s.allocCount;
  s.home = SpanHome::MCache;
  s.homeIndex = static_cast<uint8_t>(&p - ps_.data());
  pacer_.heapLive += s.bytes() - uint64_t{s.allocCount} * s.elemsize;
  pacer_.heapScan += c.scanAlloc; // Go: gcController.update(..., int64(c.scanAlloc))
  c.scanAlloc = 0;
  c.alloc[spc] = sid;
}

// Go: mcache.go (*mcache).allocLarge.
SpanId World::allocLarge(P& p, uint64_t size, bool noscan) {
  uint64_t npages = (size + kPageSize - 1) >> kPageShift;
  SpanClass spc = makeSpanClass(0, noscan);
  SpanId sid = mheapAlloc(&p, static_cast<uint32_t>(npages), spc);
  MSpan& s = span(sid);
  stats_.largeAlloc += npages * kPageSize;
  stats_.largeAllocCount++;
  pacer_.heapLive += npages * kPageSize;
  pushSwept(sid, /*full=*/true);
  s.limit = s.base() + size;
  return sid;
}

// Go: mcache.go (*mcache).releaseAll: every cached span back to its mcentral, tiny block dropped.
void World::releaseAll(P& p) {
  MCache& c = p.mcache;
  pacer_.heapScan += c.scanAlloc; // Go: releaseAll's gcController.update(dHeapLive, scanAlloc)
  c.scanAlloc = 0;
  bool any = false;
  for (size_t i = 0; i < c.alloc.size(); ++i) {
    SpanId sid = c.alloc[i];
    if (sid == kNoSpan) continue;
    any = true;
    MSpan& s = span(sid);
    uint64_t slotsUsed = s.allocCount - s.allocCountBeforeCache;
    s.allocCountBeforeCache = 0;
    stats_.smallAllocCount[spanClassSize(static_cast<SpanClass>(i))] += slotsUsed;
    if (s.sweepgen != sweepgen_ + 1) // not stale: undo refill's "whole span is used" estimate
      pacer_.heapLive -= uint64_t{s.nelems - s.allocCount} * s.elemsize;
    uncacheSpan(sid);
    c.alloc[i] = kNoSpan;
  }
  if (any || c.tiny != 0) rec_.add(PathStep::ReleaseAll);
  dropTinyBlock(p);
  stats_.tinyAllocCount += c.tinyAllocs;
  c.tinyAllocs = 0;
}

// releaseAll forgets the current tiny block; in immediate mode a dead one is reclaimed then.
void World::dropTinyBlock(P& p) {
  uint64_t old = p.mcache.tiny;
  p.mcache.tiny = 0;
  p.mcache.tinyoffset = 0;
  if (old != 0) reclaimTinyIfDead(old);
}

} // namespace sim
