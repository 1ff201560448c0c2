// mallocgc and the trace's free. Design essay: sim/malloc.h. Go: malloc.go mallocgc.
#include "sim/world.h"

#include <algorithm>
#include <stdexcept>

namespace sim {

// Go: malloc.go mallocgc (size 0, tiny, small and large paths; Go 1.24+: mallocgcTiny,
// mallocgcSmallNoscan, mallocgcSmallScanNoHeader, mallocgcSmallScanHeader, mallocgcLarge).
void World::mallocgc(const Event& ev, P& p) {
  const uint64_t size = ev.size;
  rec_.size = size;
  if (objects_.size() == ev.id) objects_.emplace_back(); // the usual case, a new id: resize's fill cost 85 instructions
  else if (objects_.size() < ev.id) objects_.resize(ev.id + 1);
  const uint32_t sizeField = size >= kHugeSize ? kHugeSize : static_cast<uint32_t>(size);
  if (sizeField == kHugeSize) hugeSizes_[ev.id] = size; // rare: keep the side table off the hot path

  if (size == 0) { // Go: return unsafe.Pointer(&zerobase)
    rec_.add(PathStep::ZeroSize);
    rec_.addr = kZeroBase;
    objects_[ev.id].setAddr(kZeroBase);
    objects_[ev.id].size = 0;
    return;
  }

  // Go: while the GC marks, mallocgc charges the requested size to the G's assist credit (and
  // assists if in debt) before allocating; the rounding is charged at the end.
  const bool marking = pacer_.marking;
  if (marking) gcAssistAlloc(p, size);

  uint64_t addr = 0;
  uint32_t slot = 0;
  SpanId sid = kNoSpan;
  bool tiny = false;
  if (size <= smallMax_) {
    if (ev.noscan && size < kTinySize && tinySpanClass_ != 0) {
      tiny = true;
      if (prof_.splitMallocgc) rec_.mallocPath = MallocPath::Tiny;
      addr = mallocTiny(p, size, &slot, &sid);
    } else {
      // Go 1.22+: a pointerful object above minSizeForMallocHeader gets an 8-byte type header at
      // the slot's start; the class is looked up for size + 8 and the user's pointer is slot + 8
      // (malloc.go mallocgcSmallScanHeader).
      const bool header = prof_.mallocHeaders && !ev.noscan && size > kMinSizeForMallocHeader;
      uint32_t sc = cfg_.table.classOf(header ? size + kMallocHeaderSize : size);
      SpanClass spc = makeSpanClass(sc, ev.noscan);
      rec_.sizeclass = sc;
      rec_.spanclass = spc;
      if (prof_.splitMallocgc)
        rec_.mallocPath = ev.noscan ? MallocPath::SmallNoscan : header ? MallocPath::SmallScanHeader : MallocPath::SmallScanNoHeader;
      addr = mallocSmall(p, spc, &slot, &sid);
      if (header) addr += kMallocHeaderSize;
      if (!ev.noscan) p.mcache.scanAlloc += spans_[sid].elemsize;
    }
  } else {
    rec_.add(PathStep::LargeAlloc);
    if (prof_.splitMallocgc) rec_.mallocPath = MallocPath::Large;
    rec_.spanclass = makeSpanClass(0, ev.noscan);
    sid = allocLarge(p, size, ev.noscan);
    MSpan& s = span(sid);
    s.freeindex = 1;
    s.allocCount = 1;
    addr = s.base();
    if (!ev.noscan) pacer_.heapScan += s.elemsize; // Go: mallocgc's c.scanAlloc for a large object
  }

  // Record reachability (the trace's liveness, read by the mark phase).
  MSpan& s = span(sid);
  if (tiny) {
    if (s.tinyRefs[slot]++ == 0) MSpan::setBit(s.liveBits(), slot);
  } else {
    MSpan::setBit(s.liveBits(), slot);
  }
  s.liveBytes += size;
  objects_[ev.id].setAddr(addr);
  objects_[ev.id].size = sizeField | (tiny ? kTinyFlag : 0u);

  rec_.addr = addr;
  rec_.span = sid;
  rec_.slot = slot;
  rec_.elemsize = s.elemsize;
  // Go: gcmarknewobject if the mark is still on (an assist above may have ended it); a tiny hit
  // packs into a block that is marked already.
  if (pacer_.marking && !rec_.has(PathStep::TinyHit)) {
    rec_.add(PathStep::AllocBlack);
    gcmarknewobject(sid, slot);
  }
  // Go: the internal fragmentation (size - dataSize) goes to the assist debt at the end, where
  // size is the new tiny block's 16 bytes or the slot; a tiny hit's size stays dataSize.
  if (marking) {
    const uint64_t rounded = !tiny ? s.elemsize : rec_.has(PathStep::TinyHit) ? size : kTinySize;
    pacer_.gcAssistBytes[&p - ps_.data()] -= static_cast<int64_t>(rounded - size);
  }
  // Go: only a "heavy" allocation (refill or large) tests the heap trigger.
  if (rec_.has(PathStep::Refill) || rec_.has(PathStep::LargeAlloc)) maybeTriggerGC();
}

// Go: malloc.go mallocgc, the tiny allocator (noscan && size < maxTinySize).
uint64_t World::mallocTiny(P& p, uint64_t size, uint32_t* slotOut, SpanId* spanOut) {
  MCache& c = p.mcache;
  uint32_t off = c.tinyoffset;
  if ((size & 7) == 0) off = (off + 7) & ~7u;
  else if ((size & 3) == 0) off = (off + 3) & ~3u;
  else if ((size & 1) == 0) off = (off + 1) & ~1u;
  rec_.sizeclass = cfg_.table.tinyClass();
  rec_.spanclass = tinySpanClass_;
  if (off + size <= kTinySize && c.tiny != 0) {
    rec_.add(PathStep::TinyHit);
    uint64_t x = c.tiny + off;
    c.tinyoffset = off + static_cast<uint32_t>(size);
    c.tinyAllocs++;
    *spanOut = spanOfAddr(c.tiny);
    *slotOut = span(*spanOut).objIndex(c.tiny);
    rec_.tinyOffset = off;
    return x;
  }
  rec_.add(PathStep::TinyNewBlock);
  uint32_t slot = 0;
  SpanId sid = kNoSpan;
  uint64_t x = mallocSmall(p, tinySpanClass_, &slot, &sid);
  // Go: keep whichever block has more room left.
  if (size < c.tinyoffset || c.tiny == 0) {
    uint64_t old = c.tiny;
    c.tiny = x;
    c.tinyoffset = static_cast<uint32_t>(size);
    if (old != 0) reclaimTinyIfDead(old);
  }
  *slotOut = slot;
  *spanOut = sid;
  rec_.tinyOffset = 0;
  return x;
}

// Go: malloc.go mallocgc small path: nextFreeFast, else mcache.nextFree.
uint64_t World::mallocSmall(P& p, SpanClass spc, uint32_t* slotOut, SpanId* spanOut) {
  SpanId sid = p.mcache.alloc[spc];
  int64_t slot = sid == kNoSpan ? -1 : span(sid).nextFreeFast();
  if (slot >= 0) {
    rec_.add(PathStep::NextFreeFast);
  } else {
    slot = nextFree(p, spc, &sid);
  }
  MSpan& s = span(sid);
  *slotOut = static_cast<uint32_t>(slot);
  *spanOut = sid;
  return s.slotAddr(static_cast<uint32_t>(slot));
}

// The trace's free: the object became unreachable. Go has no free; this is the trace's liveness.
void World::freeObject(uint64_t id) {
  rec_.add(PathStep::Free);
  Object& o = objects_[id];
  const uint64_t addr = o.addr();
  const uint64_t size = objSize(id);
  const bool tiny = (o.size & kTinyFlag) != 0;
  if ((o.size & ~kTinyFlag) == kHugeSize) hugeSizes_.erase(id);
  o.setAddr(0);
  rec_.addr = addr;
  rec_.size = size;
  if (addr == kZeroBase) return; // size 0: nothing was allocated

  SpanId sid = spanOfAddr(addr);
  MSpan& s = span(sid);
  uint32_t slot = s.objIndex(addr);
  rec_.span = sid;
  rec_.slot = slot;
  rec_.spanclass = s.spanclass;
  rec_.sizeclass = spanClassSize(s.spanclass);
  rec_.elemsize = s.elemsize;
  s.liveBytes -= size;
  if (tiny) {
    if (--s.tinyRefs[slot] != 0) return; // other objects keep the block reachable
    MSpan::clearBit(s.liveBits(), slot);
    if (cfg_.liveness == Liveness::Immediate) reclaimTinyIfDead(s.slotAddr(slot));
    return;
  }
  MSpan::clearBit(s.liveBits(), slot);
  if (cfg_.liveness == Liveness::Immediate) reclaimSlot(sid, slot);
}

// Immediate mode: a dead tiny block is reclaimed unless a P still packs into it (Go marks every
// P's current block at GC start, gcMarkTinyAllocs, for the same reason).
void World::reclaimTinyIfDead(uint64_t block) {
  if (cfg_.liveness != Liveness::Immediate) return;
  for (const P& p : ps_)
    if (p.mcache.tiny == block) return;
  SpanId sid = spanOfAddr(block);
  MSpan& s = span(sid);
  uint32_t slot = s.objIndex(block);
  if (s.tinyRefs[slot] == 0 && s.isAllocated(slot)) reclaimSlot(sid, slot);
}

// Immediate mode: free one slot as if its span had just been swept with that object unmarked
// (allocBits take in every slot handed out since the last sweep; freeindex back to 0).
// Go: mgcsweep.go (*sweepLocked).sweep, applied to a single dead object.
void World::reclaimSlot(SpanId sid, uint32_t slot) {
  rec_.add(PathStep::FreeReclaim);
  MSpan& s = span(sid);
  const uint32_t sc = spanClassSize(s.spanclass);
  if (sc == 0) { // a large object: its span goes straight back to the heap
    stats_.largeFree += s.elemsize;
    stats_.largeFreeCount++;
    pacer_.heapLive -= s.elemsize;
    s.allocCount = 0;
    s.freeindex = 0;
    freeSpan(sid);
    rec_.spansFreed++;
    return;
  }
  uint64_t* ab = s.allocBits();
  for (uint32_t w = 0; w < s.words; ++w) { // fold slots below freeindex into allocBits
    uint32_t lo = w * 64;
    if (lo >= s.freeindex) break;
    uint32_t n = std::min<uint32_t>(64, s.freeindex - lo);
    ab[w] |= n == 64 ? ~uint64_t{0} : ((uint64_t{1} << n) - 1);
  }
  MSpan::clearBit(ab, slot);
  stats_.smallFreeCount[sc]++;
  s.needzero = true;
  if (s.home == SpanHome::MCache) {
    // Flush the allocations made since caching first, so allocCount - allocCountBeforeCache
    // keeps meaning "allocations since cached". heapLive is settled when the span leaves.
    stats_.smallAllocCount[sc] += s.allocCount - s.allocCountBeforeCache;
    s.allocCount--;
    s.allocCountBeforeCache = s.allocCount;
  } else {
    s.allocCount--;
    pacer_.heapLive -= s.elemsize;
  }
  s.freeindex = 0;
  s.loadAllocCacheAtFreeindex();
  if (s.home == SpanHome::MCache) return;
  if (s.allocCount == 0) {
    freeSpan(sid); // invalidates its mcentral entry
    rec_.spansFreed++;
  } else if (s.home == SpanHome::FullSet) {
    pushSwept(sid, /*full=*/false);
  }
}

} // namespace sim
