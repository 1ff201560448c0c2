// mcentral: cacheSpan, uncacheSpan, grow. Design essay: sim/malloc.h. Go: mcentral.go, mspanset.go.
#include "sim/world.h"

#include <algorithm>
#include <stdexcept>

namespace sim {

// An entry is current if its span still lives in that set under that push (a later push or a
// move elsewhere makes older entries stale).
static bool isCurrent(const SpanSet::Entry& e, const SpanTable& spans, SpanHome home, uint8_t index) {
  const MSpan& s = spans[e.span];
  return s.state == SpanState::InUse && s.home == home && s.homeIndex == index && s.homeSeq == e.seq;
}

// Pops the oldest entry of a set that is still current for its span (stale entries are dropped,
// as Go's consumers skip spans whose sweepgen says someone else owns them). blocksLive: the
// spanSet blocks in use, less the ones the pops empty.
// The spans a few entries on are fetched into the cache meanwhile (a large heap's span structs
// are cache misses, and runs of stale entries are common).
static SpanId popCurrent(SpanSet& set, SpanTable& spans, SpanHome home, uint8_t index, uint64_t& blocksLive) {
  SpanSet::Entry e;
  while (set.pop(&e)) {
    if (set.size() > 3) spans.prefetch(set.begin()[3].span);
    blocksLive -= set.lastPopFreedBlock();
    if (isCurrent(e, spans, home, index)) return e.span;
  }
  return kNoSpan;
}

// Go: mcentral.go partialSwept(sg).push / fullSwept(sg).push, recording the placement.
void World::pushSwept(SpanId sid, bool full) {
  MSpan& s = span(sid);
  const uint32_t idx = MCentral::sweptIndex(sweepgen_);
  s.home = full ? SpanHome::FullSet : SpanHome::PartialSet;
  s.homeIndex = static_cast<uint8_t>(idx);
  s.homeSeq++;
  MCentral& c = central_[s.spanclass];
  SpanSet& set = full ? c.full[idx] : c.partial[idx];
  spanSetSpines_ += !set.hasSpine(); // Go: push's first spine, persistentalloc'd
  const bool newBlock = set.push(sid, s.homeSeq);
  if (newBlock) spanSetBlocksMax_ = std::max(spanSetBlocksMax_, ++spanSetBlocksLive_); // Go: spanSetBlockPool.alloc
  set.compactIfStale([&](const SpanSet::Entry& e) { return isCurrent(e, spans_, s.home, s.homeIndex); },
                     [&](const SpanSet::Entry& e) { spans_.prefetch(e.span); });
  noteOp(OpKind::CentralReturn, s.spanclass, static_cast<uint8_t>((full ? kOpFull : 0) | (newBlock ? kOpNewBlock : 0)));
}

// Go: mcentral.go (*mcentral).cacheSpan: pay sweep debt, then partial swept, then partial unswept
// (sweep, keep even if empty), then full unswept (sweep; use if a slot freed up, else to full
// swept), then grow.
SpanId World::cacheSpan(SpanClass spc) {
  deductSweepCredit(uint64_t{cfg_.table.cls(spanClassSize(spc)).npages} * kPageSize, 0);
  noteOp(OpKind::CentralTake, spc);
  MCentral& c = central_[spc];
  const uint32_t sw = MCentral::sweptIndex(sweepgen_), un = MCentral::unsweptIndex(sweepgen_);
  SpanId sid = popCurrent(c.partial[sw], spans_, SpanHome::PartialSet, static_cast<uint8_t>(sw), spanSetBlocksLive_);
  if (sid != kNoSpan) {
    rec_.add(PathStep::CacheSpanPartialSwept);
  } else {
    int spanBudget = 100;
    for (; spanBudget >= 0 && sid == kNoSpan; spanBudget--) {
      SpanId cand = popCurrent(c.partial[un], spans_, SpanHome::PartialSet, static_cast<uint8_t>(un), spanSetBlocksLive_);
      if (cand == kNoSpan) break;
      if (!acquireUnswept(cand)) continue; // Go: tryAcquire failed
      sweep(cand, /*preserve=*/true);
      rec_.add(PathStep::CacheSpanPartialUnswept);
      sid = cand;
    }
    for (; spanBudget >= 0 && sid == kNoSpan; spanBudget--) {
      SpanId cand = popCurrent(c.full[un], spans_, SpanHome::FullSet, static_cast<uint8_t>(un), spanSetBlocksLive_);
      if (cand == kNoSpan) break;
      if (!acquireUnswept(cand)) continue;
      MSpan& s = span(cand);
      sweep(cand, /*preserve=*/true);
      uint32_t freeIndex = s.nextFreeIndex();
      if (freeIndex != s.nelems) {
        s.freeindex = freeIndex;
        rec_.add(PathStep::CacheSpanFullUnswept);
        sid = cand;
      } else {
        pushSwept(cand, /*full=*/true);
      }
    }
    if (sid == kNoSpan) sid = mcentralGrow(spc);
  }
  MSpan& s = span(sid);
  if (s.nelems == s.allocCount || s.freeindex == s.nelems) throw std::logic_error("span has no free objects");
  s.loadAllocCacheAtFreeindex();
  return sid;
}

// Go: mcentral.go (*mcentral).uncacheSpan. A stale span (cached before this sweep phase began)
// is swept now; otherwise it goes to partial or full swept.
void World::uncacheSpan(SpanId sid) {
  MSpan& s = span(sid);
  s.home = SpanHome::None;
  if (s.allocCount == 0) {
    // Only immediate mode can empty a cached span (Go would throw here): return it to the heap.
    s.sweepgen = sweepgen_;
    freeSpan(sid);
    rec_.spansFreed++;
    return;
  }
  const bool stale = s.sweepgen == sweepgen_ + 1;
  if (stale) {
    s.sweepgen = sweepgen_ - 1;
    sweep(sid, /*preserve=*/false);
  } else {
    s.sweepgen = sweepgen_;
    pushSwept(sid, /*full=*/s.nelems == s.allocCount);
  }
}

// Go: mcentral.go (*mcentral).grow.
SpanId World::mcentralGrow(SpanClass spc) {
  rec_.add(PathStep::CentralGrow);
  uint32_t npages = cfg_.table.cls(spanClassSize(spc)).npages;
  const SpanId sid = mheapAlloc(&ps_[curP_], npages, spc);
  noteOp(OpKind::CentralInsert, spc);
  return sid;
}

} // namespace sim
