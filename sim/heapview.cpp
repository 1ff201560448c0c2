// HeapView queries. Design essay: sim/malloc.h.
#include "sim/heapview.h"

namespace sim {

// Go: mbitmap.go findObject (address -> span, object index).
std::optional<HeapView::Slot> HeapView::slotAt(uint64_t addr) const {
  SpanId sid = spanAt(addr);
  if (sid == kNoSpan) return std::nullopt;
  const MSpan& s = span(sid);
  if (addr >= s.startAddr + uint64_t{s.nelems} * s.elemsize) return std::nullopt; // tail waste
  Slot slot;
  slot.span = sid;
  slot.index = s.objIndex(addr);
  slot.base = s.slotAddr(slot.index);
  slot.allocated = s.isAllocated(slot.index);
  slot.reachable = MSpan::testBit(s.liveBits(), slot.index);
  return slot;
}

std::vector<SpanId> HeapView::spansInSet(SpanClass spc, bool partial, bool swept) const {
  const uint32_t sg = w_.sweepgen_;
  const uint32_t idx = swept ? MCentral::sweptIndex(sg) : MCentral::unsweptIndex(sg);
  const MCentral& c = w_.central_[spc];
  const SpanSet& set = partial ? c.partial[idx] : c.full[idx];
  const SpanHome home = partial ? SpanHome::PartialSet : SpanHome::FullSet;
  std::vector<SpanId> out;
  for (const SpanSet::Entry* e = set.begin(); e != set.end(); ++e) {
    const MSpan& s = w_.spans_[e->span];
    if (s.state == SpanState::InUse && s.home == home && s.homeIndex == idx && s.homeSeq == e->seq)
      out.push_back(e->span);
  }
  return out;
}

} // namespace sim
