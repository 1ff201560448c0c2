// Invariants. Design essay: sim/malloc.h.
#include "sim/invariants.h"

#include "sim/heapview.h"
#include "sim/world.h"

#include <bit>
#include <map>
#include <string>

namespace sim {

namespace {

struct Checker {
  std::vector<std::string> out;
  template <typename... A>
  void fail(A&&... parts) {
    std::string s;
    ((s += parts), ...);
    out.push_back(std::move(s));
  }
};

std::string num(uint64_t v) { return std::to_string(v); }

} // namespace

std::vector<std::string> checkInvariants(const World& w) {
  Checker c;
  const HeapView v = w.view();
  const uint32_t sg = v.sweepgen();

  // Every mapped page is owned once: by one in-use span, or by one P's page cache, or free.
  std::vector<uint8_t> owners(v.mappedPages(), 0);
  uint64_t stackBytes = 0;
  for (SpanId sid = 0; sid < v.spanCount(); ++sid) {
    const MSpan& s = v.span(sid);
    if (s.state == SpanState::Dead) continue; // in-use and manual (stack) spans own their pages
    if (s.state == SpanState::Manual) stackBytes += s.bytes();
    uint64_t first = (s.startAddr - v.heapBase()) >> kPageShift;
    for (uint64_t pg = first; pg < first + s.npages; ++pg) {
      owners[pg]++;
      if (v.spanOfPage(pg) != sid) c.fail("page ", num(pg), " of span ", num(sid), " maps to another span");
    }
  }
  for (const P& p : v.ps())
    for (uint32_t i = 0; i < 64; ++i)
      if ((p.pcache.cache >> i) & 1) owners[p.pcache.base + i]++;
  for (uint64_t pg = 0; pg < owners.size(); ++pg) {
    if (owners[pg] > 1) c.fail("page ", num(pg), " has ", num(owners[pg]), " owners");
    if ((owners[pg] == 1) != v.pages().inUse(pg)) c.fail("page ", num(pg), " in-use bit disagrees with its owners");
    if (v.pages().inUse(pg) && v.pages().scavenged(pg)) c.fail("page ", num(pg), " is in use but scavenged");
    if (owners[pg] == 0 && v.spanOfPage(pg) != kNoSpan) c.fail("free page ", num(pg), " maps to a span");
  }

  // Every in-use span: counts agree with bitmaps, and it sits in exactly one place.
  std::map<SpanId, int> placements;
  for (SpanClass spc = 0; spc < w.table().numSpanClasses(); ++spc)
    for (bool partial : {true, false})
      for (bool swept : {true, false})
        for (SpanId sid : v.spansInSet(spc, partial, swept)) {
          placements[sid]++;
          const MSpan& s = v.span(sid);
          if (s.spanclass != spc) c.fail("span ", num(sid), " queued in the wrong mcentral");
          // Unswept sets hold spans only while a (lazy) sweep is in progress, all of them sg-2.
          if (!swept && !v.sweepInProgress()) c.fail("span ", num(sid), " still unswept after the sweep finished");
          if (partial && s.allocCount >= s.nelems) c.fail("span ", num(sid), " in a partial set is full");
          if (!partial && s.allocCount != s.nelems) c.fail("span ", num(sid), " in a full set has free slots");
          const uint32_t want = swept ? sg : sg - 2;
          if (s.sweepgen != want) c.fail("span ", num(sid), " in a set has sweepgen ", num(s.sweepgen), " not ", num(want));
        }
  uint64_t heapInUse = 0, objects = 0, allocBytes = 0, unswept = 0;
  for (SpanId sid = 0; sid < v.spanCount(); ++sid) {
    const MSpan& s = v.span(sid);
    if (s.state != SpanState::InUse) continue;
    const bool isUnswept = s.sweepgen == sg - 2;
    unswept += isUnswept;
    if (s.sweepgen == sg - 1) c.fail("span ", num(sid), " is left half-swept (sweepgen sg-1)");
    heapInUse += s.bytes();
    objects += s.allocCount;
    allocBytes += uint64_t{s.allocCount} * s.elemsize;
    uint32_t allocated = 0;
    for (uint32_t i = 0; i < s.nelems; ++i) {
      bool a = s.isAllocated(i);
      allocated += a;
      if (MSpan::testBit(s.liveBits(), i) && !a) c.fail("span ", num(sid), " slot ", num(i), " reachable but free");
      // A tiny block with reachable sub-objects is reachable (a plain 16 B object has no refcount).
      if (s.tinyRefs != nullptr && s.tinyRefs[i] > 0 && !MSpan::testBit(s.liveBits(), i))
        c.fail("span ", num(sid), " tiny slot ", num(i), " has reachable sub-objects but is unreachable");
    }
    if (allocated != s.allocCount) c.fail("span ", num(sid), " allocCount ", num(s.allocCount), " but ", num(allocated), " slots allocated");
    if (s.freeindex > s.nelems) c.fail("span ", num(sid), " freeindex past nelems");
    if (s.freeindex < s.nelems) { // allocCache mirrors allocBits from freeindex to its word's end
      uint32_t n = std::min<uint32_t>(64 - (s.freeindex & 63), s.nelems - s.freeindex);
      for (uint32_t k = 0; k < n; ++k)
        if (((s.allocCache >> k) & 1) == MSpan::testBit(s.allocBits(), s.freeindex + k))
          c.fail("span ", num(sid), " allocCache disagrees with allocBits at slot ", num(s.freeindex + k));
    }
    // An unswept span keeps the last cycle's marks until it is swept.
    // During a mark every reachable object is marked (snapshot, deletion barrier, allocate-black).
    if (w.pacer().marking) {
      for (uint32_t k = 0; k < s.words; ++k)
        if ((s.liveBits()[k] & ~s.gcmarkBits()[k]) != 0) c.fail("span ", num(sid), " has a reachable object unmarked during the mark");
      // Allocate-black: freeindex only rises during a mark, and what it handed out is marked.
      if (s.freeindexAtMarkStart > s.freeindex) c.fail("span ", num(sid), " freeindex fell below its value at mark start");
      for (uint32_t i = s.freeindexAtMarkStart; i < s.freeindex; ++i)
        if (v.allocatedBlack(sid, i) && !MSpan::testBit(s.gcmarkBits(), i))
          c.fail("span ", num(sid), " slot ", num(i), " allocated during the mark but unmarked");
    } else if (!isUnswept && MSpan::popcount(s.gcmarkBits(), s.words) != 0) {
      c.fail("span ", num(sid), " has mark bits outside a GC");
    }
    switch (s.home) {
      case SpanHome::MCache: {
        const P& p = v.ps()[s.homeIndex];
        if (p.mcache.alloc[s.spanclass] != sid) c.fail("span ", num(sid), " thinks it is cached but is not");
        if (s.sweepgen != sg + 3) c.fail("cached span ", num(sid), " sweepgen ", num(s.sweepgen), " not sg+3");
        if (placements.count(sid)) c.fail("span ", num(sid), " is both cached and queued");
        break;
      }
      case SpanHome::PartialSet:
      case SpanHome::FullSet:
        if (placements[sid] != 1) c.fail("span ", num(sid), " is queued ", num(placements[sid]), " times");
        break;
      case SpanHome::None: c.fail("in-use span ", num(sid), " is nowhere (not cached, not queued)"); break;
    }
  }

  if (unswept != v.unsweptSpans())
    c.fail(num(unswept), " spans are unswept but the sweeper counts ", num(v.unsweptSpans()));

  // Heap counters agree with the spans and the page bitmaps; the ledger covers HeapSys.
  const MemStats m = w.memStats();
  if (m.HeapInuse != heapInUse) c.fail("HeapInuse ", num(m.HeapInuse), " but spans hold ", num(heapInUse));
  if (m.HeapSys + m.StackInuse != v.mappedPages() * kPageSize) c.fail("HeapSys ", num(m.HeapSys), " + StackInuse ", num(m.StackInuse), " but ", num(v.mappedPages()), " pages are mapped");
  if (m.StackInuse != stackBytes) c.fail("StackInuse ", num(m.StackInuse), " but stack spans hold ", num(stackBytes));
  const WasteLedger l = w.ledger();
  if (l.total() != m.HeapSys) c.fail("waste ledger sums to ", num(l.total()), " not HeapSys ", num(m.HeapSys));
  if (l.releasedPages != m.HeapReleased) c.fail("HeapReleased ", num(m.HeapReleased), " but ", num(l.releasedPages), " bytes of pages are scavenged");
  if (m.HeapObjects != objects) c.fail("HeapObjects ", num(m.HeapObjects), " but spans hold ", num(objects), " objects");
  if (m.HeapAlloc != allocBytes) c.fail("HeapAlloc ", num(m.HeapAlloc), " but spans hold ", num(allocBytes), " bytes");

  // Every live object sits in an allocated, reachable slot of an in-use span.
  for (uint64_t id = 0; id < v.objectIdLimit(); ++id) {
    uint64_t addr = v.objectAddr(id);
    if (addr == 0 || addr == kZeroBase) continue;
    auto slot = v.slotAt(addr);
    if (!slot || !slot->allocated || !slot->reachable) c.fail("object ", num(id), " at ", num(addr), " is not in a reachable slot");
  }
  return c.out;
}

} // namespace sim
