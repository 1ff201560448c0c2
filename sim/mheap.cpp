// mheap: allocSpan, freeSpan, grow, mspan structs. Design essay: sim/malloc.h. Go: mheap.go, malloc.go.
//
// Differences from Go: arenas are always reserved contiguously from the first hint (Go's hints do
// the same on linux/amd64 unless the address space is taken). The page -> span map is cleared
// when a span is freed (Go leaves stale entries for free pages; nothing may read them there).
#include "sim/world.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sim {

// Go: mfixalloc.go (*fixalloc).alloc for mheap.spanalloc: `size`-byte structs (GoProfile) in
// chunks of _FixAllocChunk (16 KiB) rounded down to whole structs (1.19: 144 B in 16272 B).
static void fixallocAlloc(uint64_t size, uint64_t& inuse, uint64_t& sys, uint64_t& freeList) {
  if (freeList > 0) {
    freeList--;
  } else if (inuse / size >= sys / size) {
    sys += GoProfile::fixallocChunkBytes(size);
  }
  inuse += size;
}

// Go: mheap.go tryAllocMSpan / allocMSpanLocked: a struct from the P's mspancache, refilled 64 at a
// time from spanalloc under the heap lock. Returns the struct's id (ours: an index into spans_).
SpanId World::allocMSpanStruct(P* p, bool haveLock) {
  if (p == nullptr) {
    fixallocAlloc(prof_.mspanStructBytes, spanallocInuse_, spanallocSys_, spanallocFree_);
  } else {
    if (p->mspancache == 0) {
      if (!haveLock) return kNoSpan; // tryAllocMSpan failed: caller takes the heap lock
      for (uint32_t i = 0; i < kMSpanCacheRefill; ++i)
        fixallocAlloc(prof_.mspanStructBytes, spanallocInuse_, spanallocSys_, spanallocFree_);
      p->mspancache = kMSpanCacheRefill;
    }
    p->mspancache--;
  }
  if (!freeStructs_.empty()) {
    SpanId s = freeStructs_.back();
    freeStructs_.pop_back();
    return s;
  }
  return spans_.add();
}

// Go: mheap.go freeMSpanLocked.
void World::freeMSpanStruct(P* p, SpanId s) {
  if (p != nullptr && p->mspancache < kMSpanCacheCap) {
    p->mspancache++;
  } else {
    spanallocInuse_ -= prof_.mspanStructBytes;
    spanallocFree_++;
  }
  freeStructs_.push_back(s);
}

// Go: mheap.go (*mheap).grow (+ sysAlloc for new arenas): map whole 4 MiB chunks, counted released.
void World::mheapGrow(uint64_t npages) {
  const uint64_t chunkBytes = uint64_t{kPallocChunkPages} * kPageSize;
  const uint64_t ask = (npages + kPallocChunkPages - 1) / kPallocChunkPages * chunkBytes;
  if (curArenaBase_ + ask - cfg_.arenaBase > cfg_.maxHeapBytes)
    throw std::runtime_error("out of memory: cannot allocate " + std::to_string(ask) +
                             "-byte block (simulated heap limit " + std::to_string(cfg_.maxHeapBytes) +
                             " bytes; raise max_heap_bytes in the config)");
  if (curArenaBase_ + ask > curArenaEnd_) { // Go: sysAlloc reserves whole arenas at the next hint
    uint64_t size = (ask + kHeapArenaBytes - 1) / kHeapArenaBytes * kHeapArenaBytes;
    for (uint64_t a = curArenaEnd_; a < curArenaEnd_ + size; a += kHeapArenaBytes) {
      arenas_.push_back(a);
      zeroedBase_.push_back(0);
    }
    curArenaEnd_ += size;
    rec_.add(PathStep::ArenaReserve);
  }
  curArenaBase_ += ask;
  heapReleased_ += ask; // Go: sysMap(..., &gcController.heapReleased): Prepared, not yet touched
  pages_.grow(ask / kPageSize);
  spanOf_.resize(pages_.pages(), kNoSpan);
  rec_.add(PathStep::HeapGrow);
  rec_.heapGrowBytes += ask;
}

// Go: mheap.go (*mheap).alloc -> allocSpan, for heap spans. p is the allocating P (its page cache
// serves spans under 16 pages without the heap lock).
SpanId World::mheapAlloc(P* p, uint32_t npages, SpanClass spc) {
  // Go: allocLarge pays sweep debt (its pages count as credit); mheap.alloc reclaims first.
  if (spanClassSize(spc) == 0) deductSweepCredit(uint64_t{npages} * kPageSize, npages);
  if (sweeper_.unswept > 0) reclaim(npages);
  return allocSpan(p, npages, spc, /*manual=*/false);
}

// Go: mheap.go (*mheap).allocSpan, for heap spans and (manual) for stack spans (allocManual).
SpanId World::allocSpan(P* p, uint32_t npages, SpanClass spc, bool manual) {
  rec_.add(PathStep::AllocSpan);
  uint64_t base = kNoPage;
  uint32_t scavPages = 0;
  SpanId sid = kNoSpan;
  if (p != nullptr && npages < kPageCachePages / 4) {
    if (p->pcache.empty()) {
      p->pcache = pages_.allocToCache();
      if (!p->pcache.empty()) rec_.add(PathStep::PageCacheRefill); // empty: no free page at all
      noteOp(OpKind::PageCacheRefill, spc); // Go takes the heap lock either way
    }
    PageCache::Result r = p->pcache.alloc(npages);
    if (r.page != kNoPage) {
      rec_.add(PathStep::PageCacheHit);
      base = r.page;
      scavPages = r.scavPages;
      sid = allocMSpanStruct(p, /*haveLock=*/false);
    }
  }
  // Go: allocSpan takes the heap lock unless the page cache gave both pages and an mspan struct.
  uint8_t locked = 0;
  const uint64_t grownBefore = rec_.heapGrowBytes;
  const bool arenaBefore = rec_.has(PathStep::ArenaReserve);
  if (base == kNoPage) {
    rec_.add(PathStep::PageAllocFind);
    locked |= kOpFind;
    PageAlloc::Result r = pages_.alloc(npages);
    if (r.page == kNoPage) {
      mheapGrow(npages);
      r = pages_.alloc(npages);
      if (r.page == kNoPage) throw std::logic_error("grew heap, but no adequate free space found");
    }
    base = r.page;
    scavPages = r.scavPages;
  }
  if (sid == kNoSpan) {
    if (p == nullptr || p->mspancache == 0) locked |= kOpMSpanRefill;
    sid = allocMSpanStruct(p, /*haveLock=*/true);
  }
  if (timing_ && locked) {
    const uint64_t chunkBytes = uint64_t{kPallocChunkPages} * kPageSize;
    const auto chunks = static_cast<uint32_t>((rec_.heapGrowBytes - grownBefore) / chunkBytes);
    if (chunks) locked |= kOpGrow;
    if (!arenaBefore && rec_.has(PathStep::ArenaReserve)) locked |= kOpArena;
    noteOp(OpKind::HeapAlloc, spc, locked, chunks);
  }
  noteOp(OpKind::SpanInit, spc, (locked & kOpFind) ? 0 : kOpCacheHit);

  MSpan& s = span(sid);
  s.startAddr = pageAddr(base);
  // Go: allocNeedsZero: memory below the arena's zeroedBase was used before.
  s.needzero = false;
  for (uint64_t a = s.startAddr, left = npages * kPageSize; left > 0;) {
    size_t ai = (a - cfg_.arenaBase) / kHeapArenaBytes;
    uint64_t off = (a - cfg_.arenaBase) % kHeapArenaBytes;
    uint64_t lim = std::min(kHeapArenaBytes, off + left);
    if (off < zeroedBase_[ai]) s.needzero = true;
    if (lim > zeroedBase_[ai]) zeroedBase_[ai] = lim;
    a += lim - off;
    left -= lim - off;
  }
  s.initSlots(cfg_.table, spc, npages, manual ? 0 : spanReserve(spc, uint64_t{npages} * kPageSize));
  spans_.initBits(s, isTinySpanClass(spc));
  s.sweepgen = sweepgen_;
  s.state = SpanState::InUse;
  if (manual) { // Go: nelems 0, a manualFreeList (sim/stack.cpp keeps it), state mSpanManual
    s.nelems = s.words = 0;
    s.limit = s.startAddr + uint64_t{npages} * kPageSize;
    s.state = SpanState::Manual;
  }
  s.homeSeq++;

  const uint64_t nbytes = uint64_t{npages} * kPageSize, scav = uint64_t{scavPages} * kPageSize;
  scavengeAssist(scav, rec_.heapGrowBytes - grownBefore); // Go: before sysUsed, after the pages are taken
  if (scav) rec_.add(PathStep::SysUsed);
  heapReleased_ -= scav; // Go: sysUsed on the scavenged part
  heapFree_ -= nbytes - scav;
  (manual ? stacks_.inUse : heapInUse_) += nbytes; // Go: stack spans count in StackInuse, not HeapInuse
  for (uint64_t pg = base; pg < base + npages; ++pg) spanOf_[pg] = sid;
  rec_.newSpanBase = s.startAddr;
  rec_.newSpanPages = npages;
  return sid;
}

// Go: mheap.go (*mheap).freeSpan -> freeSpanLocked.
void World::freeSpan(SpanId sid) {
  rec_.add(PathStep::FreeSpan);
  MSpan& s = span(sid);
  noteOp(OpKind::FreeSpan, s.spanclass);
  if (s.state != SpanState::InUse || s.allocCount != 0 || s.sweepgen != sweepgen_)
    throw std::logic_error("mheap.freeSpanLocked - invalid free");
  const uint64_t nbytes = s.bytes();
  heapFree_ += nbytes;
  heapInUse_ -= nbytes;
  const uint64_t page = addrPage(s.startAddr);
  pages_.free(page, s.npages);
  for (uint64_t pg = page; pg < page + s.npages; ++pg) spanOf_[pg] = kNoSpan;
  s.state = SpanState::Dead;
  s.home = SpanHome::None;
  s.homeSeq++; // any queue entry for it is stale now
  freeMSpanStruct(&ps_[curP_], sid);
}

} // namespace sim
