// MemStats and the waste ledger. Design essay: sim/malloc.h. Go: mstats.go readmemstats_m.
#include "sim/world.h"

#include <bit>
#include <limits>

namespace sim {

// Go: mstats.go readmemstats_m after flushallmcaches. The pending per-P counts are added instead
// of flushing, so reading has no side effect here; the figures equal what ReadMemStats returns.
MemStats World::memStats() const {
  const SizeClassTable& t = cfg_.table;
  std::vector<uint64_t> smallAlloc = stats_.smallAllocCount;
  uint64_t tiny = stats_.tinyAllocCount;
  for (const P& p : ps_) {
    tiny += p.mcache.tinyAllocs;
    for (size_t i = 0; i < p.mcache.alloc.size(); ++i) {
      SpanId sid = p.mcache.alloc[i];
      if (sid == kNoSpan) continue;
      const MSpan& s = spans_[sid];
      smallAlloc[spanClassSize(static_cast<SpanClass>(i))] += s.allocCount - s.allocCountBeforeCache;
    }
  }
  MemStats m;
  uint64_t totalAlloc = stats_.largeAlloc, totalFree = stats_.largeFree;
  uint64_t nMalloc = stats_.largeAllocCount + tiny, nFree = stats_.largeFreeCount + tiny;
  m.BySize.resize(t.numClasses());
  for (uint32_t c = 1; c < t.numClasses(); ++c) {
    totalAlloc += smallAlloc[c] * t.cls(c).size;
    totalFree += stats_.smallFreeCount[c] * t.cls(c).size;
    nMalloc += smallAlloc[c];
    nFree += stats_.smallFreeCount[c];
    m.BySize[c] = {t.cls(c).size, smallAlloc[c], stats_.smallFreeCount[c]};
  }
  m.Alloc = m.HeapAlloc = totalAlloc - totalFree;
  m.TotalAlloc = totalAlloc;
  m.Mallocs = nMalloc;
  m.Frees = nFree;
  m.HeapObjects = nMalloc - nFree;
  m.HeapInuse = heapInUse_;
  m.HeapReleased = heapReleased_;
  m.HeapIdle = heapFree_ + heapReleased_;
  m.HeapSys = heapInUse_ + heapFree_ + heapReleased_;
  m.MSpanInuse = spanallocInuse_;
  m.MSpanSys = spanallocSys_;
  const uint64_t nP = ps_.size();
  m.MCacheInuse = prof_.mcacheStructBytes * nP;
  m.MCacheSys = prof_.mcacheSys(nP);
  m.StackInuse = stacks_.inUse;
  m.StackSys = m.StackInuse; // Go adds memstats.stacks_sys: OS-allocated thread stacks, not modelled
  m.Sys = m.HeapSys + m.StackSys + m.MSpanSys + m.MCacheSys; // GC metadata and other off-heap memory are not modelled
  m.NextGC = cfg_.gogc < 0 && cfg_.scavenger.memoryLimit == 0 ? static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) : pacer_.goal;
  m.NumGC = numGC_;
  m.NumForcedGC = numForcedGC_;
  m.GCTrigger = cfg_.gogc < 0 && cfg_.scavenger.memoryLimit == 0 ? static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) : pacer_.trigger;
  m.LastGCEvent = sweeper_.lastGCEvent;
  m.LastGC = sweeper_.lastGCTime;
  m.UnsweptSpans = sweeper_.unswept;
  if (timing_) { // the GC worker's busy time over the time every P had (Go: GCCPUFraction)
    const TimingFigures f = timing_->figures();
    for (const ProcFigures& e : f.executors)
      if (e.who == kGCWorker && f.makespan > 0)
        m.GCCPUFraction = static_cast<double>(e.busy) / (static_cast<double>(f.makespan) * f.procs);
  }
  return m;
}

// Walks every span and the page bitmaps (not the heap counters), so that ledger().total() ==
// HeapSys is a real check of the counters.
WasteLedger World::ledger() const {
  WasteLedger l;
  for (const MSpan& s : spans_) {
    if (s.state != SpanState::InUse) continue;
    const uint64_t liveSlots = MSpan::popcount(s.liveBits(), s.words);
    l.liveBytes += s.liveBytes;
    l.roundingWaste += liveSlots * s.elemsize - s.liveBytes;
    l.deadBytes += (s.allocCount - liveSlots) * s.elemsize;
    l.tailWaste += s.bytes() - uint64_t{s.nelems} * s.elemsize;
    l.spanMetaBytes += spanReserve(s.spanclass, s.bytes());
    // Go 1.22+: every object of a small scan class above 512 B carries a header (a pointerful
    // object of <= 512 B never rounds past 512, one of more than 512 B never below 576).
    if (prof_.mallocHeaders && !spanClassNoscan(s.spanclass) && spanClassSize(s.spanclass) != 0 &&
        s.elemsize > kMinSizeForMallocHeader)
      l.headerBytes += liveSlots * kMallocHeaderSize;
    const uint64_t freeSlotBytes = uint64_t{s.nelems - s.allocCount} * s.elemsize;
    (s.home == SpanHome::MCache ? l.cachedFreeSlots : l.freeSlots) += freeSlotBytes;
  }
  uint64_t freePages = pages_.freePages(), scavPages = pages_.scavengedPages();
  for (const P& p : ps_) { // pages a P holds in its page cache are still free memory
    freePages += static_cast<uint64_t>(std::popcount(p.pcache.cache));
    scavPages += static_cast<uint64_t>(std::popcount(p.pcache.scav));
  }
  l.releasedPages = scavPages * kPageSize;
  l.freePages = (freePages - scavPages) * kPageSize;
  return l;
}

} // namespace sim
