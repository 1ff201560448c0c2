// HeapView: read-only queries over the engine's state, without copying the heap.
// Design essay: sim/malloc.h. Go counterparts: spanOf / findObject (mbitmap.go), the mcentral sets.
#pragma once

#include "sim/world.h"

#include <optional>
#include <vector>

namespace sim {

class HeapView {
 public:
  explicit HeapView(const World& w) : w_(w) {}

  const World& world() const { return w_; }
  const SizeClassTable& table() const { return w_.table(); }
  uint32_t sweepgen() const { return w_.sweepgen_; }
  // Lazy sweeping (sim/mgcsweep.cpp): a span is swept for this cycle unless its sweepgen is sg-2
  // (unswept) or sg-1 (being swept); a sweep is in progress while unswept spans remain.
  bool isSwept(SpanId s) const { return w_.spans_[s].sweepgen + 2 != w_.sweepgen_; }
  bool sweepInProgress() const { return w_.sweeper_.unswept > 0; }
  uint64_t unsweptSpans() const { return w_.sweeper_.unswept; }
  const Sweeper& sweeper() const { return w_.sweeper_; }
  // The GOGC pacer: trigger (heapLive at which the next cycle starts), goal (NextGC), heapLive.
  const Pacer& pacer() const { return w_.pacer_; }

  // Is slot `slot` of span s allocated black: handed out while the GC mark in progress runs, so
  // marked by its allocation (Go: mallocgc -> gcmarknewobject while gcphase != _GCoff) rather than
  // by the reachability snapshot? Always false when no mark runs: after mark termination such
  // objects are ordinary marked ones (the sweep keeps them). Go keeps no such record; the views do.
  bool allocatedBlack(SpanId s, uint32_t slot) const {
    return w_.pacer_.marking && w_.spans_[s].state == SpanState::InUse && w_.spans_[s].allocatedSinceMarkStart(slot);
  }

  // Spans by id (ids are mspan struct identities; dead ones have state Dead).
  size_t spanCount() const { return w_.spans_.size(); }
  const MSpan& span(SpanId s) const { return w_.spans_[s]; }

  // Address space: [heapBase, heapBase + mappedBytes) is mapped; arenas are 64 MiB reservations.
  uint64_t heapBase() const { return w_.cfg_.arenaBase; }
  uint64_t mappedPages() const { return w_.pages_.pages(); }
  const std::vector<uint64_t>& arenas() const { return w_.arenas_; }
  const PageAlloc& pages() const { return w_.pages_; }

  // Which in-use span holds address addr (Go: spanOf). kNoSpan if none.
  SpanId spanAt(uint64_t addr) const {
    if (addr < heapBase()) return kNoSpan;
    uint64_t page = (addr - heapBase()) >> kPageShift;
    if (page >= w_.spanOf_.size()) return kNoSpan;
    return w_.spanOf_[page];
  }
  SpanId spanOfPage(uint64_t page) const { return w_.spanOf_[page]; }
  // A stack span (Go: mSpanManual, counted in StackInuse, not HeapSys).
  bool isStackSpan(SpanId s) const { return w_.spans_[s].state == SpanState::Manual; }
  // Is a free page released to the OS (counted in HeapReleased)? Pages a P's page cache holds
  // carry their scavenged bit in the cache.
  bool pageReleased(uint64_t page) const {
    for (const P& p : w_.ps_)
      if (page >= p.pcache.base && page < p.pcache.base + 64 && ((p.pcache.cache >> (page - p.pcache.base)) & 1))
        return (p.pcache.scav >> (page - p.pcache.base)) & 1;
    return w_.pages_.scavenged(page);
  }

  struct Slot {
    SpanId span = kNoSpan;
    uint32_t index = 0;
    uint64_t base = 0;      // slot start address
    bool allocated = false; // allocated as the allocator sees it
    bool reachable = false; // the trace has not freed what is in it
  };
  // Which span and slot hold address addr (Go: findObject).
  std::optional<Slot> slotAt(uint64_t addr) const;

  // Current address of object id, 0 if it is not live.
  uint64_t objectAddr(uint64_t id) const { return id < w_.objects_.size() ? w_.objects_[id].addr() : 0; }
  uint64_t objectSize(uint64_t id) const { return objectAddr(id) ? w_.objSize(id) : 0; }
  uint64_t objectIdLimit() const { return w_.objects_.size(); }

  const std::vector<P>& ps() const { return w_.ps_; }
  // The spans currently queued in one of an mcentral's four sets, oldest first (stale entries
  // skipped). partial: partial or full set; swept: the swept or unswept one for this sweepgen.
  std::vector<SpanId> spansInSet(SpanClass spc, bool partial, bool swept) const;

 private:
  const World& w_;
};

} // namespace sim
